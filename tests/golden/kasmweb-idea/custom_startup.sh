#!/usr/bin/env bash
# kasmweb runs this in the background after the desktop is up; it must not exit, so it restarts the app.
export HOME=/home/kasm-user
cd "$HOME" || exit 1
while true; do
    /usr/local/bin/ideaic
    sleep 2
done
