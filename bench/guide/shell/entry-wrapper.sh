#!/usr/bin/env bash
set -e

# 1. 启动端口转发（8006 → 31000）
#    fork 到后台，不影响后面的 exec
socat TCP-LISTEN:31000,fork,reuseaddr TCP:127.0.0.1:8006 &

# 2. 把日志重定向（可选）
# exec >> /var/log/entry-wrapper.log 2>&1

# 3. 最后 exec 回到原来的启动命令
# bench: debian:bookworm-slim has no /run/entry.sh or tini, so exec the command itself.
exec "$@"
