#!/bin/sh
# Runs ascend-shell:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   SSH_HOST_PORT: the host port for SSH (default 2222; the host's own sshd usually holds 22)
#   BIND_ADDRESS: the host address the ports listen on (default: every interface, which the platform needs to
#     reach them; 127.0.0.1 keeps them to this machine)
set -e
case "${BIND_ADDRESS:-}" in
    *[!0-9A-Fa-f.:]*) echo "run.sh: BIND_ADDRESS must be an IP address of this host, e.g. 127.0.0.1" >&2; exit 2 ;;
esac
# A start that failed (a host port in use, a device missing) leaves a container of this name that never ran, and
# it blocks the next `docker run --name`: remove it, when it is one of imgwizard's images. A running container,
# or a stopped one that did run, is never touched.
left=$(docker container inspect --format '{{.State.Status}} {{.State.StartedAt}} {{index .Config.Labels "imgwizard.version"}}' ascend-shell 2>/dev/null || true)
case "$left" in
    "created 0001-01-01T00:00:00Z "?* | "exited 0001-01-01T00:00:00Z "?*)
        echo "run.sh: removing the container ascend-shell left by a start that failed (${left%% *}, never ran)" >&2
        docker rm ascend-shell >/dev/null ;;
esac
docker run -d --name ascend-shell \
    -p "${BIND_ADDRESS:+$BIND_ADDRESS:}${SSH_HOST_PORT:-2222}:22" \
    --device /dev/davinci0 \
    --device /dev/davinci_manager \
    --device /dev/devmm_svm \
    --device /dev/hisi_hdc \
    -v /usr/local/dcmi:/usr/local/dcmi \
    -v /usr/local/bin/npu-smi:/usr/local/bin/npu-smi \
    -v /usr/local/Ascend/driver:/usr/local/Ascend/driver:ro \
    -v /etc/ascend_install.info:/etc/ascend_install.info:ro \
    --init \
    -e ASCEND_VISIBLE_DEVICES=0 \
    "$@" ascend-shell:latest || {
    status=$?
    echo "run.sh: docker run failed (above: why). A host port in use? Choose another: SSH_HOST_PORT=PORT sh run.sh, or stop what holds it" >&2
    exit $status
}
