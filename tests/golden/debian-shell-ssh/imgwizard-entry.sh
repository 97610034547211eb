#!/bin/sh
# imgwizard entry wrapper: does the run-time set-up below, then execs the base image's own entrypoint
# (or the command), so the base image starts exactly as it was designed to.
set -e

# `imgwizard commit` runs `imgwizard-entry.sh --commit-hold TOKEN` and keeps that process's standard input open
# while it commits. The holder takes this container's commit lock ($lock, a symbolic link to "PID TOKEN"; a second
# commit refuses while the holder lives), runs --before-commit, says "held", and waits for its input to end. It
# ends when the commit is done, and also when imgwizard was interrupted or lost the engine (the engine closes an
# exec's input when its client goes away; a paused container reads it once unpaused): the holder then runs
# --after-commit and frees the lock, so the running container gets back what the commit held aside whatever became
# of the commit. `--commit-release TOKEN` waits for that, and puts back what a killed holder left.
# A lock whose holder is gone (killed, or the plain --before-commit of an earlier imgwizard) is taken over after
# --after-commit has put its held state back: what one commit holds is never held again over it, nor lost.
lock=/dev/imgwizard-commit.lock
holder_alive() {  # $1: a lock's "PID TOKEN": whether that holder still runs
    [ -n "${1%% *}" ] && kill -0 "${1%% *}" 2>/dev/null && grep -q -e --commit-hold "/proc/${1%% *}/cmdline" 2>/dev/null
}
take_lock() {  # $1: "PID TOKEN"; exit status 4: another commit holds this container
    tries=0
    until ln -s "$1" "$lock" 2>/dev/null; do
        owner=$(readlink "$lock" 2>/dev/null) || continue  # freed meanwhile
        tries=$((tries + 1))
        if holder_alive "$owner" || [ "$tries" -gt 3 ] || ! mkdir "$lock.takeover" 2>/dev/null; then
            echo "another imgwizard commit of this container is in progress: commit again once it has ended" >&2
            return 4
        fi
        if [ "$(readlink "$lock" 2>/dev/null)" = "$owner" ]; then sh "$0" --after-commit && rm -f "$lock"; fi
        rmdir "$lock.takeover"
    done
}

# `--before-commit` (run by the holder above) undoes what this start-up made that belongs to this container alone:
# the SSH host keys and the sessions' environment file (held in /dev, the container's own memory file system,
# which a commit never reads).
# After: put it all back as it was, so the running container keeps working.
hold=/dev/imgwizard-commit
session_env=/etc/profile.d/imgwizard-env.sh
# The end of this start-up is marked in $started (in /dev, so each start begins without it). A commit can come
# while the start-up still runs (a container started a moment ago, or slowed by --cpus): --before-commit first
# waits for the mark, and when sshd is the command, for sshd's pid file, which sshd writes only after it has read
# its host keys and listens. Moving the keys before that would leave sshd without keys (it exits, and the
# container with it), or leave keys made later in the commit.
started=/dev/imgwizard-started
wait_started() {
    tries=0
    until [ -f "$started" ] && { [ "$(cat "$started")" != sshd ] \
            || { [ -s /run/sshd.pid ] && kill -0 "$(cat /run/sshd.pid)" 2>/dev/null; }; }; do
        tries=$((tries + 1))
        if [ "$tries" -gt 45 ]; then  # docker-py's exec gives up after 60 s
            echo "this container has not finished starting after 45 s (SSH host keys, password, sshd):" \
                "commit it once it has started (docker logs shows its start-up)" >&2
            return 1
        fi
        sleep 1
    done
}
case "${1:-}" in
    --before-commit)
        wait_started || exit 3
        # the holder's lock, or this run's own (left behind on purpose: --after-commit or a later commit takes it over)
        [ "$(readlink "$lock" 2>/dev/null)" = "${IMGWIZARD_COMMIT_OWNER:-}" ] || take_lock "$$ before-commit" || exit 4
        mkdir -p "$hold" && chmod 700 "$hold"
        for key in /etc/ssh/ssh_host_* "$session_env"; do
            if [ -f "$key" ]; then mv "$key" "$hold/"; fi
        done
        exit 0 ;;
    --after-commit)
        owner=$(readlink "$lock" 2>/dev/null) || true
        if [ -n "$owner" ] && [ "$owner" != "${IMGWIZARD_COMMIT_OWNER:-}" ] && holder_alive "$owner"; then
            exit 0  # held by another commit, which puts it back itself
        fi
        for key in "$hold"/ssh_host_*; do
            if [ -f "$key" ]; then mv "$key" /etc/ssh/; fi
        done
        if [ -f "$hold/${session_env##*/}" ]; then mv "$hold/${session_env##*/}" "$session_env"; fi
        rmdir "$hold" 2>/dev/null || true
        if [ -z "${IMGWIZARD_COMMIT_OWNER:-}" ] && [ -n "$owner" ] && [ "$(readlink "$lock" 2>/dev/null)" = "$owner" ]; then
            rm -f "$lock"  # the lock of a --before-commit run by itself, or of a holder that was killed
        fi
        exit 0 ;;
esac
case "${1:-}" in
    --commit-hold)
        owner="$$ ${2:-}"
        take_lock "$owner" || exit 4
        trap '' PIPE  # imgwizard may be gone: a write to it must not end the holder before it puts back
        trap 'IMGWIZARD_COMMIT_OWNER="$owner" sh "$0" --after-commit; rm -f "$lock"; exit 1' HUP INT TERM
        code=0
        IMGWIZARD_COMMIT_OWNER="$owner" sh "$0" --before-commit || code=$?
        if [ "$code" = 0 ]; then
            echo held || true
            read -r _ || true
        fi
        IMGWIZARD_COMMIT_OWNER="$owner" sh "$0" --after-commit || code=$?
        rm -f "$lock"
        exit "$code" ;;
    --commit-release)
        tries=0
        while owner=$(readlink "$lock" 2>/dev/null) && [ "${owner#* }" = "${2:-}" ] && holder_alive "$owner"; do
            tries=$((tries + 1))
            if [ "$tries" -gt 100 ]; then
                echo "the commit's holder has not put this container's state back after 20 s" >&2
                exit 5
            fi
            sleep 0.2
        done
        if owner=$(readlink "$lock" 2>/dev/null) && [ "${owner#* }" = "${2:-}" ]; then  # its holder was killed
            sh "$0" --after-commit && rm -f "$lock"
        fi
        exit 0 ;;
esac

# sshd needs root (it switches to the login user) and writes /etc/ssh, /run/sshd and /etc/profile.d below at every
# start: under `docker run --user` or `--read-only` it could not, so the container stops at once with one line that
# says what to drop, not with whichever command happens to fail first.
if [ "$(id -u)" != 0 ]; then
    echo "imgwizard: this container runs as uid $(id -u) (docker run --user?) but sshd needs root: drop --user (SSH logs in as root all the same)" >&2
    exit 1
fi
# in a subshell: `:` is a special built-in, and a failed redirection on one would end this shell
if ! (: > /etc/.imgwizard-write-test) 2>/dev/null; then
    echo "imgwizard: the container's root file system is read-only (docker run --read-only?) but SSH writes its host keys to /etc/ssh at every start: drop --read-only" >&2
    exit 1
fi
rm -f /etc/.imgwizard-write-test

# SSH: host keys are made here, at first start, so two containers of one image never share them.
mkdir -p /run/sshd
rm -f /run/sshd.pid  # left by an earlier start, or kept by a commit: wait_started must see this start's
ssh-keygen -A >/dev/null

# SSH sessions: sshd hands a login only HOME, USER, PATH (its own default), TZ and SSH_*, and with PAM off nothing
# reads /etc/environment. So everything `docker exec` sees (the image's ENV: LANG, TZ, JAVA_HOME, the venv's
# or conda's PATH, GPU variables; and `docker run -e` values) is written here, at every start, as shell code
# for login shells: /etc/profile (bash and ash alike) runs /etc/profile.d/*.sh after it resets PATH; a command
# given to ssh reads it from /etc/bash.bashrc (see ssh.j2), once: IMGWIZARD_SESSION_ENV says it was read. Secrets
# and what each login sets for itself (SKIP) are never written, so `imgwizard commit` finds no secret here.
mkdir -p /etc/profile.d
echo 'export IMGWIZARD_SESSION_ENV=1' > "$session_env.tmp"
# awk reads each value whole from ENVIRON (newlines too) and quotes it in single quotes ('\'' for a quote).
SKIP='DESKTOP_PASSWORD HOME JUPYTER_TOKEN LOGNAME MAIL OLDPWD PASSWORD PWD SHELL SHLVL SSH_PASSWORD TERM USER VNC_PASSWORD VNC_PW _' awk 'BEGIN {
    n = split(ENVIRON["SKIP"], names, " ")
    for (i = 1; i <= n; i++) skip[names[i]] = 1
    skip["SKIP"] = 1
    for (k in ENVIRON) {
        if (k in skip || k !~ /^[A-Za-z_][A-Za-z0-9_]*$/) continue
        v = ENVIRON[k]
        gsub(/\047/, "\047\\\\\047\047", v)
        printf "export %s=\047%s\047\n", k, v
    }
}' >> "$session_env.tmp"
chmod 644 "$session_env.tmp"
mv "$session_env.tmp" "$session_env"

# Port forwarding: socat listens on 31000 and forwards to 8006 (plain TCP).
socat TCP-LISTEN:31000,fork,reuseaddr TCP:127.0.0.1:8006 &

# The start-up is done ("sshd": sshd, the command, has yet to read its host keys; see wait_started). Written
# aside and renamed, so wait_started never reads a half-written mark.
if [ "${1:-}" = /usr/sbin/sshd ]; then echo sshd; else echo done; fi > "$started.tmp"
mv "$started.tmp" "$started"

exec "$@"
