#!/bin/sh
# Runs hello:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
set -e
exec docker run -d --name hello \
    "$@" hello:latest
