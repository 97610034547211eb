#!/bin/sh
# Runs builtin-desktop:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   DESKTOP_PASSWORD: the password the desktop asks for (required)
set -e
exec docker run -d --name builtin-desktop \
    -p 31000:31000 \
    -e DESKTOP_PASSWORD="${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD: the password the desktop asks for}" \
    "$@" builtin-desktop:latest
