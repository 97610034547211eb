#!/bin/sh
# Runs pycharm:2024.2.1 with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   DESKTOP_PASSWORD: the password the desktop asks for (required)
set -e
exec docker run -d --name pycharm \
    -p 31000:31000 \
    --gpus all \
    -e VNC_PASSWORD="${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD: the password the desktop asks for}" \
    "$@" pycharm:2024.2.1
