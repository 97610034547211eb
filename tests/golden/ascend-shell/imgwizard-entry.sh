#!/bin/sh
# imgwizard entry wrapper: does the run-time set-up below, then execs the base image's own entrypoint
# (or the command), so the base image starts exactly as it was designed to.
set -e

# SSH: host keys are made here, at first start, so two containers of one image never share them.
mkdir -p /run/sshd
ssh-keygen -A >/dev/null

exec "$@"
