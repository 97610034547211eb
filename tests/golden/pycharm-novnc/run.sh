#!/bin/sh
# Runs pycharm:2024.2.1 with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   DESKTOP_PASSWORD: the password the desktop asks for (required)
#   APP_HOST_PORT: the host port for the app (default 31000, the port the platform publishes)
#   BIND_ADDRESS: the host address the ports listen on (default: every interface, which the platform needs to
#     reach them; 127.0.0.1 keeps them to this machine)
set -e
APP_HOST_PORT="${APP_HOST_PORT:-31000}"
case "$APP_HOST_PORT" in
    '' | *[!0-9]* | 0*) echo "run.sh: APP_HOST_PORT must be a port number (1-65535)" >&2; exit 2 ;;
esac
case "${BIND_ADDRESS:-}" in
    *[!0-9A-Fa-f.:]*) echo "run.sh: BIND_ADDRESS must be an IP address of this host, e.g. 127.0.0.1" >&2; exit 2 ;;
esac
# Secrets go to docker by name only (-e NAME: docker reads the value from its own environment), never as a
# value on its command line, which every user of this host can read (ps, /proc/PID/cmdline).
: "${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD: the password the desktop asks for}"
export VNC_PASSWORD="$DESKTOP_PASSWORD"  # the name the image reads
# A start that failed (a host port in use, a device missing) leaves a container of this name that never ran, and
# it blocks the next `docker run --name`: remove it, when it is one of imgwizard's images. A running container,
# or a stopped one that did run, is never touched.
left=$(docker container inspect --format '{{.State.Status}} {{.State.StartedAt}} {{index .Config.Labels "imgwizard.version"}}' pycharm 2>/dev/null || true)
case "$left" in
    "created 0001-01-01T00:00:00Z "?* | "exited 0001-01-01T00:00:00Z "?*)
        echo "run.sh: removing the container pycharm left by a start that failed (${left%% *}, never ran)" >&2
        docker rm pycharm >/dev/null ;;
esac
docker run -d --name pycharm \
    -p "${BIND_ADDRESS:+$BIND_ADDRESS:}$APP_HOST_PORT:31000" \
    --gpus all \
    -e VNC_PASSWORD \
    "$@" pycharm:2024.2.1 || {
    status=$?
    echo "run.sh: docker run failed (above: why). A host port in use? Choose another: APP_HOST_PORT=PORT sh run.sh, or stop what holds it" >&2
    exit $status
}
