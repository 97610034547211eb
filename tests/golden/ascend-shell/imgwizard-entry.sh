#!/bin/sh
# imgwizard entry wrapper: does the run-time set-up below, then execs the base image's own entrypoint
# (or the command), so the base image starts exactly as it was designed to.
set -e

# `imgwizard commit` runs `imgwizard-entry.sh --before-commit`, commits, then `--after-commit`. Before: undo what
# this start-up made that belongs to this container alone: the SSH host keys (held in /dev, the container's own memory
# file system, which a commit never reads).
# After: put it all back as it was, so the running container keeps working.
hold=/dev/imgwizard-commit
case "${1:-}" in
    --before-commit)
        mkdir -p "$hold" && chmod 700 "$hold"
        for key in /etc/ssh/ssh_host_*; do
            if [ -f "$key" ]; then mv "$key" "$hold/"; fi
        done
        exit 0 ;;
    --after-commit)
        for key in "$hold"/ssh_host_*; do
            if [ -f "$key" ]; then mv "$key" /etc/ssh/; fi
        done
        rmdir "$hold" 2>/dev/null || true
        exit 0 ;;
esac

# SSH: host keys are made here, at first start, so two containers of one image never share them.
mkdir -p /run/sshd
ssh-keygen -A >/dev/null

exec "$@"
