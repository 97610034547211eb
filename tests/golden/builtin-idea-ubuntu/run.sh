#!/bin/sh
# Runs idea-builtin:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   DESKTOP_PASSWORD: the password the desktop asks for (required)
set -e
# Secrets go to docker by name only (-e NAME: docker reads the value from its own environment), never as a
# value on its command line, which every user of this host can read (ps, /proc/PID/cmdline).
: "${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD: the password the desktop asks for}"
exec docker run -d --name idea-builtin \
    -p 31000:31000 \
    -e DESKTOP_PASSWORD \
    "$@" idea-builtin:latest
