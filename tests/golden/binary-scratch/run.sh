#!/bin/sh
# Runs hello:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
set -e
# A start that failed (a host port in use, a device missing) leaves a container of this name that never ran, and
# it blocks the next `docker run --name`: remove it, when it is one of imgwizard's images. A running container,
# or a stopped one that did run, is never touched.
left=$(docker container inspect --format '{{.State.Status}} {{.State.StartedAt}} {{index .Config.Labels "imgwizard.version"}}' hello 2>/dev/null || true)
case "$left" in
    "created 0001-01-01T00:00:00Z "?* | "exited 0001-01-01T00:00:00Z "?*)
        echo "run.sh: removing the container hello left by a start that failed (${left%% *}, never ran)" >&2
        docker rm hello >/dev/null ;;
esac
docker run -d --name hello \
    "$@" hello:latest || {
    status=$?
    echo "run.sh: docker run failed (above: why)" >&2
    exit $status
}
