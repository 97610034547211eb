#!/bin/sh
# Runs code-server:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   PASSWORD: code-server's password (unset: a random one in ~/.config/code-server/config.yaml)
set -e
# Secrets go to docker by name only (-e NAME: docker reads the value from its own environment), never as a
# value on its command line, which every user of this host can read (ps, /proc/PID/cmdline).
exec docker run -d --name code-server \
    -p 31000:31000 \
    --init \
    -e PASSWORD \
    "$@" code-server:latest
