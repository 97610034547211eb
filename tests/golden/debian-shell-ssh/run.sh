#!/bin/sh
# Runs debian-shell:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   SSH_HOST_PORT: the host port for SSH (default 2222; the host's own sshd usually holds 22)
set -e
exec docker run -d --name debian-shell \
    -p "${SSH_HOST_PORT:-2222}:22" \
    -p 31000:31000 \
    --init \
    "$@" debian-shell:latest
