#!/bin/sh
# Runs ascend-shell:latest with the flags it needs (ports, GPU or Ascend devices, secrets from your environment).
# Usage: [VARIABLE=value ...] sh run.sh [extra docker run options]
#   SSH_HOST_PORT: the host port for SSH (default 2222; the host's own sshd usually holds 22)
set -e
exec docker run -d --name ascend-shell \
    -p "${SSH_HOST_PORT:-2222}:22" \
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
    "$@" ascend-shell:latest
