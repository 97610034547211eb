#!/bin/sh
# Runs idea-kasmweb:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   DESKTOP_PASSWORD: the password the desktop asks for (required)
set -e
# Secrets go to docker by name only (-e NAME: docker reads the value from its own environment), never as a
# value on its command line, which every user of this host can read (ps, /proc/PID/cmdline).
: "${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD: the password the desktop asks for}"
export VNC_PW="$DESKTOP_PASSWORD"  # the name the image reads
exec docker run -d --name idea-kasmweb \
    -p 31000:31000 \
    --shm-size=512m \
    -e VNC_PW \
    "$@" idea-kasmweb:latest
