#!/bin/sh
# The peers' start (bench/peers): host keys made at first start (none are baked into the image), sshd in the
# background, then the container's command. The same three steps imgwizard's entry wrapper takes for SSH.
set -e
ssh-keygen -A
/usr/sbin/sshd -e
exec "$@"
