#!/bin/sh
# Starts code-server on every interface (its default is 127.0.0.1:8080, unreachable from outside).
# The password comes from PASSWORD at start; without it code-server writes a random one to
# ~/.config/code-server/config.yaml and prints where. An empty PASSWORD (what `imgwizard commit` leaves in an
# image for a password it did not keep) counts as unset.
if [ -z "${PASSWORD:-}" ]; then
    unset PASSWORD
fi
exec code-server --bind-addr 0.0.0.0:31000 --auth password "$HOME"
