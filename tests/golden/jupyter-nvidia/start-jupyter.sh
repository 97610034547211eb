#!/bin/sh
# Starts JupyterLab. The platform passes the base URL in NOTEBOOK_ARGS (--ServerApp.base_url='/x/'), as
# the guide's CMD reads it.
set -e
# An empty JUPYTER_TOKEN would turn authentication off: drop it so Jupyter makes a random token instead.
if [ -z "${JUPYTER_TOKEN:-}" ]; then
    unset JUPYTER_TOKEN
fi
# Jupyter writes the token (jpserver-*.json, jpserver-*-open.html) and its cookie secret to its runtime folder:
# keep that on /dev/shm, a memory file system that `docker commit` never puts into an image.
if [ -z "${JUPYTER_RUNTIME_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    export JUPYTER_RUNTIME_DIR="/dev/shm/jupyter-runtime-$(id -u)"
fi
base_url=$(printf '%s' "${NOTEBOOK_ARGS:-}" | sed -n "s/.*--ServerApp.base_url=['\"]\{0,1\}\([^'\" ]*\).*/\1/p")
if [ -n "$base_url" ]; then
    exec jupyter lab --ServerApp.base_url="$base_url"
fi
exec jupyter lab
