#!/bin/sh
# Runs jupyter-torch:2.4.0 with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   JUPYTER_TOKEN: the token Jupyter asks for (unset: a random one, printed in the log)
set -e
# Secrets go to docker by name only (-e NAME: docker reads the value from its own environment), never as a
# value on its command line, which every user of this host can read (ps, /proc/PID/cmdline).
exec docker run -d --name jupyter-torch \
    -p 31000:31000 \
    --gpus all \
    --init \
    -e JUPYTER_TOKEN \
    "$@" jupyter-torch:2.4.0
