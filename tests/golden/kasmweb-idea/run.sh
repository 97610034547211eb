#!/bin/sh
# Runs idea-kasmweb:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   DESKTOP_PASSWORD: the password the desktop asks for (required)
set -e
exec docker run -d --name idea-kasmweb \
    -p 31000:31000 \
    --shm-size=512m \
    -e VNC_PW="${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD: the password the desktop asks for}" \
    "$@" idea-kasmweb:latest
