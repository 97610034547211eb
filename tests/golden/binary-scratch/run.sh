#!/bin/sh
# Runs hello:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   RESTART_POLICY: what docker does when the container stops (default unless-stopped: it starts again after a
#     crash or a restart of docker, not after `docker stop`); also no, always, on-failure, on-failure:N (N tries).
#     Use RESTART_POLICY=no with --rm.
set -e
RESTART_POLICY="${RESTART_POLICY:-unless-stopped}"
case "$RESTART_POLICY" in
    no | always | unless-stopped | on-failure | on-failure:[1-9] | on-failure:[1-9][0-9] | on-failure:[1-9][0-9][0-9]) ;;
    *) echo "run.sh: RESTART_POLICY must be no, always, unless-stopped, on-failure or on-failure:N (N: 1-999 tries)" >&2; exit 2 ;;
esac
# A start that failed (a host port in use, a device missing) leaves a container of this name that never ran, and
# it blocks the next `docker run --name`: remove it, when it is one of imgwizard's images. A running container,
# or a stopped one that did run, is never touched.
left=$(docker container inspect --format '{{.State.Status}} {{.State.StartedAt}} {{index .Config.Labels "imgwizard.version"}}' hello 2>/dev/null || true)
case "$left" in
    "created 0001-01-01T00:00:00Z "?* | "exited 0001-01-01T00:00:00Z "?*)
        echo "run.sh: removing the container hello left by a start that failed (${left%% *}, never ran)" >&2
        docker rm hello >/dev/null ;;
esac
docker run -d --name hello --restart "$RESTART_POLICY" \
    "$@" hello:latest || {
    status=$?
    echo "run.sh: docker run failed (above: why)" >&2
    exit $status
}
