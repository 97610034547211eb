#!/bin/sh
# Runs code-server:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   PASSWORD: code-server's password (unset: a random one in ~/.config/code-server/config.yaml)
set -e
exec docker run -d --name code-server \
    -p 31000:31000 \
    --init \
    -e PASSWORD \
    "$@" code-server:latest
