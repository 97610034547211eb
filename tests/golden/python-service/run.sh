#!/bin/sh
# Runs inference-api:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   APP_HOST_PORT: the host port for the app (default 31000, the port the platform publishes)
#   BIND_ADDRESS: the host address the ports listen on (default 0.0.0.0, every IPv4 interface: the platform
#     reaches them from outside; 127.0.0.1 keeps them to this machine)
#   RESTART_POLICY: what docker does when the container stops (default unless-stopped: it starts again after a
#     crash or a restart of docker, not after `docker stop`); also no, always, on-failure, on-failure:N (N tries).
#     Use RESTART_POLICY=no with --rm.
set -e
RESTART_POLICY="${RESTART_POLICY:-unless-stopped}"
case "$RESTART_POLICY" in
    no | always | unless-stopped | on-failure | on-failure:[1-9] | on-failure:[1-9][0-9] | on-failure:[1-9][0-9][0-9]) ;;
    *) echo "run.sh: RESTART_POLICY must be no, always, unless-stopped, on-failure or on-failure:N (N: 1-999 tries)" >&2; exit 2 ;;
esac
APP_HOST_PORT="${APP_HOST_PORT:-31000}"
case "$APP_HOST_PORT" in
    '' | *[!0-9]* | 0*) echo "run.sh: APP_HOST_PORT must be a port number (1-65535)" >&2; exit 2 ;;
esac
case "${BIND_ADDRESS:-}" in
    *[!0-9A-Fa-f.:]*) echo "run.sh: BIND_ADDRESS must be an IP address of this host, e.g. 127.0.0.1" >&2; exit 2 ;;
esac
# A start that failed (a host port in use, a device missing) leaves a container of this name that never ran, and
# it blocks the next `docker run --name`: remove it, when it is one of imgwizard's images. A running container,
# or a stopped one that did run, is never touched.
left=$(docker container inspect --format '{{.State.Status}} {{.State.StartedAt}} {{index .Config.Labels "imgwizard.version"}}' inference-api 2>/dev/null || true)
case "$left" in
    "created 0001-01-01T00:00:00Z "?* | "exited 0001-01-01T00:00:00Z "?*)
        echo "run.sh: removing the container inference-api left by a start that failed (${left%% *}, never ran)" >&2
        docker rm inference-api >/dev/null ;;
esac
docker run -d --name inference-api --restart "$RESTART_POLICY" \
    -p "${BIND_ADDRESS:-0.0.0.0}:${APP_HOST_PORT:-31000}:31000" \
    --init \
    "$@" inference-api:latest || {
    status=$?
    echo "run.sh: docker run failed (above: why). A host port in use? Choose another: APP_HOST_PORT=PORT sh run.sh, or stop what holds it" >&2
    exit $status
}
