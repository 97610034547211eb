#!/bin/sh
# Runs debian-shell:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
set -e
exec docker run -d --name debian-shell \
    -p 22:22 \
    -p 31000:31000 \
    --init \
    "$@" debian-shell:latest
