#!/bin/sh
# Starts JupyterLab. The platform passes the base URL in NOTEBOOK_ARGS (--ServerApp.base_url='/x/'), as
# the guide's CMD reads it.
set -e
# An empty JUPYTER_TOKEN would turn authentication off: drop it so Jupyter makes a random token instead.
if [ -z "${JUPYTER_TOKEN:-}" ]; then
    unset JUPYTER_TOKEN
fi
base_url=$(printf '%s' "${NOTEBOOK_ARGS:-}" | sed -n "s/.*--ServerApp.base_url=['\"]\{0,1\}\([^'\" ]*\).*/\1/p")
if [ -n "$base_url" ]; then
    exec jupyter lab --ServerApp.base_url="$base_url"
fi
exec jupyter lab
