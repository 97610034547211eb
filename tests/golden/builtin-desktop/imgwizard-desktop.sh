#!/bin/sh
# imgwizard's built-in desktop (tini runs this as its one child): starts Xvnc (display :1, VNC on
# 127.0.0.1:5901 only), openbox, websockify serving noVNC on 31000, then the app; restarts the
# app when it exits; on `docker stop` (SIGTERM) stops them all and exits. Each service's output goes to the
# container's log with its name in front: [xvnc] [openbox] [novnc] [app].
set -u
log() { echo "[imgwizard-desktop] $*"; }

run=/dev/shm/imgwizard-desktop-$(id -u)  # memory only: never in an image layer, gone with the container
rm -rf "$run" && mkdir -m 700 "$run" || exit 1

# The VNC password comes from DESKTOP_PASSWORD at start and is kept only in $run (VNC uses its first 8 characters).
password=$(printenv DESKTOP_PASSWORD)
unset DESKTOP_PASSWORD
if [ -z "$password" ]; then
    log "DESKTOP_PASSWORD is not set: refusing to start a desktop without a password (or render with desktop.auth = false)"
    exit 1
fi
printf '%s\n' "$password" | tigervncpasswd -f > "$run/passwd" || exit 1
unset password
security="-SecurityTypes VncAuth -PasswordFile $run/passwd"

start() {  # start NAME COMMAND...: run COMMAND in the background, its output lines prefixed with [NAME]
    name=$1
    shift
    rm -f "$run/$name.log" && mkfifo "$run/$name.log"
    sed -u "s/^/[$name] /" < "$run/$name.log" &
    "$@" > "$run/$name.log" 2>&1 &
    eval "pid_$name=$!"
}

stop_all() {  # TERM to every service, KILL to what is left after 5 s
    trap '' TERM INT
    log "stopping"
    # shellcheck disable=SC2086
    kill -TERM $pid_app $pid_novnc $pid_openbox $pid_xvnc 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        alive=""
        for pid in $pid_app $pid_novnc $pid_openbox $pid_xvnc; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        [ -z "$alive" ] && break
        sleep 0.5
    done
    # shellcheck disable=SC2086
    kill -KILL $pid_app $pid_novnc $pid_openbox $pid_xvnc 2>/dev/null
    exit "${1:-0}"
}
pid_app="" pid_novnc="" pid_openbox="" pid_xvnc=""
trap 'stop_all 0' TERM INT

export DISPLAY=:1
# shellcheck disable=SC2086
start xvnc Xvnc :1 -geometry 1280x800 -depth 24 -interface 127.0.0.1 -rfbport 5901 \
    -AlwaysShared -AcceptSetDesktopSize $security
for _ in $(seq 100); do  # the X socket appears when Xvnc is ready
    [ -S /tmp/.X11-unix/X1 ] && break
    sleep 0.1
done
start openbox openbox --config-file /etc/imgwizard/openbox-rc.xml
for _ in $(seq 100); do  # openbox is ready when it names itself on the root window: only then the app maps
    xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q "window id" && break
    sleep 0.1
done
start novnc websockify --web /usr/share/novnc 0.0.0.0:31000 127.0.0.1:5901

cd "$HOME" || exit 1
while :; do
    log "starting the app: xterm"
    start app sh -c 'exec xterm'
    while kill -0 "$pid_app" 2>/dev/null; do
        for core in xvnc novnc; do
            eval "pid=\$pid_$core"
            if ! kill -0 "$pid" 2>/dev/null; then
                log "$core exited: stopping the desktop"
                stop_all 1
            fi
        done
        sleep 1 &
        wait $!  # a wait that SIGTERM interrupts at once, and that reaps the services that ended
    done
    log "the app exited: starting it again in 1 s"
    sleep 1
done
