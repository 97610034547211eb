#!/bin/sh
# Runs pycharm:2024.2.1 with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   DESKTOP_PASSWORD: the password the desktop asks for (required)
set -e
# Secrets go to docker by name only (-e NAME: docker reads the value from its own environment), never as a
# value on its command line, which every user of this host can read (ps, /proc/PID/cmdline).
: "${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD: the password the desktop asks for}"
export VNC_PASSWORD="$DESKTOP_PASSWORD"  # the name the image reads
exec docker run -d --name pycharm \
    -p 31000:31000 \
    --gpus all \
    -e VNC_PASSWORD \
    "$@" pycharm:2024.2.1
