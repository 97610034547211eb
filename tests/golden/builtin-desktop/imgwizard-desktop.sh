#!/bin/sh
# imgwizard's built-in desktop. With a password, the ENTRYPOINT runs this first (`--take-password`, as PID 1):
# the password from the environment to a file in memory, then the rest is exec'd without it. tini then runs
# this as its one child: starts Xvnc (display :1, VNC on
# 127.0.0.1:5901 only), the window manager (matchbox), websockify serving noVNC on
# 31000, then the app; restarts the app and the window manager when they exit; on `docker stop`
# (SIGTERM) stops them all and exits. Each service's output goes to the container's log with its name in
# front: [xvnc] [wm] [novnc] [app].
set -u
log() { echo "[imgwizard-desktop] $*"; }
run=/dev/shm/imgwizard-desktop  # memory only: never in an image layer, gone with the container
pw=DESKTOP_PASSWORD

# Why the value cannot be the VNC password (nothing when it can). tigervncpasswd -f keeps only the first line,
# so a line break (or any other C0/C1 control character) would leave a password the user never chose: a value
# that starts with one gave an empty password. printf is a shell built-in: the value is on no command line.
password_problem() {
    if [ "$(printf '%s' "$1" | LC_ALL=C tr -d '\001-\037\177' | wc -c)" -ne "$(printf '%s' "$1" | wc -c)" ] \
        || printf '%s' "$1" | LC_ALL=C grep -q "$(printf '\302[\200-\237]')"; then
        echo "holds a line break or another control character"
    elif [ "$(printf '%s' "$1" | LC_ALL=C tr -d '\200-\277' | wc -c)" -lt 6 ]; then
        echo "is shorter than 6 characters"  # characters: UTF-8 continuation bytes not counted
    fi
}

# $pw from the environment into $run/passwd (VNC uses its first 8 characters), for the desktop's user; a value
# that cannot be the password stops the container with one line, before anything listens.
take_password() {
    rm -rf "$run" && mkdir -m 700 "$run" || exit 1
    printenv $pw > /dev/null || return 0  # not set: the desktop refuses to start below
    password=$(printenv $pw; echo .)  # the trailing dot keeps trailing line breaks, which $(...) would drop
    password=${password%?}
    password=${password%?}  # printenv's own line break
    unset $pw
    problem=$(password_problem "$password")
    if [ -n "$problem" ]; then
        log "$pw $problem: refusing to start (at least 6 printable characters, VNC uses the first 8)"
        exit 1
    fi
    printf '%s\n' "$password" | tigervncpasswd -f > "$run/passwd" || exit 1
    unset password
}

# The ENTRYPOINT's first step, as PID 1: the password to $run, then the rest of the ENTRYPOINT and CMD (the
# entry wrapper, tini, this script again) exec'd without $pw: no process of the container inherits it, and
# /proc/1/environ no longer holds it (`docker exec` still gets it from the engine: the container's settings).
if [ "${1:-}" = --take-password ]; then
    shift
    take_password
    unset $pw
    exec "$@"
fi

# `docker run --user` or `--read-only`: the desktop could not start (its display in /tmp, the app's settings in
# $HOME); one line says what to drop, before anything starts, and the container stops at once.
if [ "$(id -un 2>/dev/null)" != root ]; then
    log "this container runs as uid $(id -u) (docker run --user?), not as root: drop --user (this image's desktop runs as root)"
    exit 1
fi
for dir in /tmp "$HOME"; do
    if ! probe=$(mktemp -p "$dir" .imgwizard-XXXXXX 2>/dev/null); then
        log "$dir is read-only (docker run --read-only?): the desktop writes its display in /tmp and the app its settings in $HOME: drop --read-only, or add --tmpfs /tmp --tmpfs $HOME"
        exit 1
    fi
    rm -f "$probe"
done

if printenv $pw > /dev/null; then take_password; fi  # started without the first step (another ENTRYPOINT)
if [ ! -s "$run/passwd" ]; then
    log "$pw is not set: refusing to start a desktop without a password (or render with desktop.auth = false)"
    exit 1
fi
security="-SecurityTypes VncAuth -PasswordFile $run/passwd"
# Guessing: every connection that has not logged in counts against 127.0.0.1 (websockify: every browser); from
# the 10th on, one try per period (5 s, doubling) until a login succeeds. The log says
# "[xvnc] ... blacklisted: 127.0.0.1"; `docker restart` clears it.
security="$security -BlacklistThreshold 10 -BlacklistTimeout 5"

# Keys the keyboard layout lacks (a Chinese character from the page's input box, an accented letter): Xvnc maps
# each new keysym onto a spare keycode and never frees it (TigerVNC 1.12 vncInput.c "Added unknown keysym", issue
# #93), and the US layout leaves ~36 spare: after that many different characters typing stops. Its log line
# names the character typed: it is counted in $run/keysyms, not logged, and watch() below resets the keymap
# (setxkbmap: the same rules again, the spare keycodes empty) once typing has paused for a second.
xvnc_log() {
    while IFS= read -r line; do
        case $line in
            *"Added unknown keysym"*) echo >> "$run/keysyms" ;;
            *) printf '[xvnc] %s\n' "$line" ;;
        esac
    done
}

start() {  # start NAME COMMAND...: run COMMAND in the background, its output lines prefixed with [NAME]
    name=$1
    shift
    rm -f "$run/$name.log" && mkfifo "$run/$name.log"
    if [ "$name" = xvnc ]; then
        xvnc_log < "$run/$name.log" &
    else
        sed -u "s/^/[$name] /" < "$run/$name.log" &
    fi
    "$@" > "$run/$name.log" 2>&1 &
    eval "pid_$name=$!"
}

stop_all() {  # TERM to every service, KILL to what is left after 5 s
    trap '' TERM INT
    log "stopping"
    # shellcheck disable=SC2086
    kill -TERM $pid_app $pid_novnc $pid_wm $pid_xvnc $pid_dbus 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        alive=""
        for pid in $pid_app $pid_novnc $pid_wm $pid_xvnc $pid_dbus; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        [ -z "$alive" ] && break
        sleep 0.5
    done
    # shellcheck disable=SC2086
    kill -KILL $pid_app $pid_novnc $pid_wm $pid_xvnc $pid_dbus 2>/dev/null
    exit "${1:-0}"
}
pid_app="" pid_novnc="" pid_wm="" pid_xvnc="" pid_dbus=""
trap 'stop_all 0' TERM INT

# A hard stop (docker kill, an OOM kill, a SIGKILL of Xvnc) leaves Xvnc's lock and socket for this display in
# the container's writable layer, and Xvnc then refuses every later start ("Server is already active for
# display 1"). This display's are cleared before Xvnc starts, unless an Xvnc still serves
# it (its pid in the lock).
lock=/tmp/.X1-lock
if [ -e "$lock" ] || [ -e /tmp/.X11-unix/X1 ]; then
    owner=$(tr -dc 0-9 < "$lock" 2>/dev/null)
    if [ -n "$owner" ] && [ "$(cat "/proc/$owner/comm" 2>/dev/null)" = Xvnc ]; then
        log "an Xvnc (pid $owner) already serves display :1: not starting a second desktop"
        exit 1
    fi
    log "display :1's lock and socket are left from a hard stop: clearing them"
    rm -f "$lock" /tmp/.X11-unix/X1
fi

start_wm() {  # the window manager; ready when it names itself on the root window: only then the app maps
    start wm matchbox-window-manager -use_titlebar yes
    for _ in $(seq 100); do
        xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q "window id" && break
        sleep 0.1
    done
}

export DISPLAY=:1
# A D-Bus session bus for the app (dbus-x11 brings dbus-daemon): GTK apps keep their settings through it, in
# dconf's ~/.config/dconf/user (dconf-gsettings-backend; without a bus GSettings falls back to memory and
# forgets them at exit). Its socket is in $run, in memory, like the display's password file.
rm -f "$run/bus"  # left by a hard stop
start dbus dbus-daemon --session --nofork --nopidfile --address="unix:path=$run/bus"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$run/bus"
# -desktop: the name noVNC puts in the browser tab's title
# shellcheck disable=SC2086
start xvnc Xvnc :1 -geometry 1280x800 -depth 24 -interface 127.0.0.1 -rfbport 5901 \
    -desktop xterm -AlwaysShared -AcceptSetDesktopSize $security
for _ in $(seq 100); do  # the X socket appears when Xvnc is ready
    [ -S /tmp/.X11-unix/X1 ] && break
    sleep 0.1
done
start_wm
# websockify's numpy is not installed (desktop_builtin.j2): its warning that unmasking is slower says nothing
start novnc env PYTHONWARNINGS=ignore::UserWarning websockify --web /usr/share/novnc 0.0.0.0:31000 127.0.0.1:5901

# The app is started again when it exits, after a delay that doubles while it keeps exiting within
# 30 s of its start (a quick exit: 1, 2, 4 ... 30 s) and is 1 s again
# once it ran longer. The window manager is started again at once when it exits; Xvnc or websockify exiting
# stops the desktop (a restart policy starts it again).
cd "$HOME" || exit 1
alive() {  # a process of ours that runs: not gone, and not a zombie the shell has not reaped yet
    kill -0 "$1" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]
}
watch() {  # Xvnc or websockify gone: stop; the window manager gone: start it again
    for core in xvnc novnc; do
        eval "pid=\$pid_$core"
        if ! alive "$pid"; then
            log "$core exited: stopping the desktop"
            stop_all 1
        fi
    done
    if ! alive "$pid_wm"; then
        wait "$pid_wm"
        log "the window manager exited (code $?): starting it again"
        start_wm
    fi
    added=$(cat "$run/keysyms" 2>/dev/null | wc -l)
    if [ "$added" -gt 0 ] && [ "$added" = "$added_before" ]; then  # none added since the last look: typing paused
        : > "$run/keysyms"
        setxkbmap || log "setxkbmap failed: typing may stop after more characters the layout lacks"
        added=0
    fi
    added_before=$added
}
delay=1 quick=0 added_before=0
while :; do
    log "starting the app: xterm"
    started=$(date +%s)
    start app sh -c 'exec xterm'
    echo "$pid_app" > "$run/app.pid"  # for `imgwizard check`: the app's process, whatever a launcher execs
    while kill -0 "$pid_app" 2>/dev/null; do
        watch
        sleep 1 &
        wait $!  # a wait that SIGTERM interrupts at once, and that reaps the services that ended
    done
    wait "$pid_app"
    code=$?
    ran=$(($(date +%s) - started))
    watch  # an app that lost its X server exits first: the desktop stops rather than restart it
    if [ "$ran" -ge 30 ]; then delay=1 quick=0; else quick=$((quick + 1)); fi
    log "the app exited: starting it again in $delay s (exit code $code after $ran s; quick exits in a row: $quick)"
    sleep "$delay" &
    wait $!
    if [ "$quick" -gt 0 ]; then delay=$((delay * 2 > 30 ? 30 : delay * 2)); fi
done
