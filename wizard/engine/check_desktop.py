"""`imgwizard check` on the built-in desktop: noVNC's viewer page, the VNC server's RFB greeting through
websockify's websocket, and the app itself: its own process (the program the answers start), up and the same
process for APP_SETTLE_S seconds, with no "the app exited" line from the supervisor meanwhile. An app that exits
is reported at once, with its exit code and its last log lines, not after the time-out."""

from __future__ import annotations

import base64
import os
import re
import socket
import time
import urllib.request
from typing import Any, Callable

import docker.errors

from wizard.engine.common import outside_line

APP_SETTLE_S = 5.0  # the app's process must stay the same this long: a crashing app is restarted within 1-2 s
APP_LOG_LINES = 5  # the app's last lines shown when it exits
# the supervisor's line when the app ended (snippets/files/imgwizard-desktop.sh.j2)
_EXITED = re.compile(r"^\[imgwizard-desktop\] the app exited: .*?\(exit code (?P<code>\d+) after (?P<ran>\d+) s",
                     re.MULTILINE)
_SHELLS = frozenset({"sh", "bash", "dash"})  # a launcher script runs as `sh /usr/local/bin/pycharm`
# The supervisor writes the app's pid (in the container's pid namespace) here at each start of the app
# (snippets/files/imgwizard-desktop.sh.j2): the app's process even after a launcher execs another program. Exit 3:
# no such file (an image built before imgwizard wrote it: the app is found by its name instead).
APP_PID_FILE = "/dev/shm/imgwizard-desktop/app.pid"
_PID_PROBE = f'[ -f {APP_PID_FILE} ] || exit 3; p=$(cat {APP_PID_FILE}) && kill -0 "$p" 2>/dev/null && echo "$p"'
Probe = Callable[[Callable[[], str], Any, float], tuple[bool, str]]


def check_desktop(container: Any, host_port: int, port: int, process: str, deadline: float,
                  wait: Probe) -> list[tuple[str, bool, str]]:
    """(name, ok, detail) for the viewer page, RFB over the websocket and the app's process; `wait` is
    check.py's _wait (probe until it answers, the container stops or the deadline passes)."""
    results = [(f"noVNC viewer on {port}", *wait(lambda: _viewer_page(host_port), container, deadline)),
               (f"RFB over the websocket on {port}", *wait(lambda: rfb_over_websocket(host_port), container,
                                                            deadline))]
    results.append((f"app {process}", *app_stays_up(container, process, deadline)))
    return results


def app_pids(processes: list[list[str]], program: str) -> set[str]:
    """The pids (docker top's PID column) of `program`'s processes: its name is the command's first word
    (without folders) or, for a script run by a shell, its second; the supervisor's `sh -c "exec PROGRAM"`
    before the exec is not the app."""
    found = set()
    for row in processes:
        words = row[-1].split(" ")
        names = [words[0].rsplit("/", 1)[-1]]
        if names[0] in _SHELLS and len(words) > 1:
            names.append(words[1].rsplit("/", 1)[-1])
        if program in names:
            found.add(row[1] if len(row) > 2 else row[0])
    return found


def supervised_app(container: Any) -> set[str] | None:
    """{pid} of the app process the supervisor started, while it runs; set() when none runs; None when the
    image's supervisor writes no pid file (app_pids by name then)."""
    try:
        r = container.exec_run(["sh", "-c", _PID_PROBE], user="root")
    except docker.errors.APIError:
        return set()  # the container is stopping: the next round says so
    if r.exit_code == 3:
        return None
    pid = r.output.decode("ascii", "replace").strip()
    return {pid} if r.exit_code == 0 and pid.isdigit() else set()


def app_stays_up(container: Any, process: str, deadline: float,
                 settle: float = APP_SETTLE_S) -> tuple[bool, str]:
    """Whether the app's own process runs and stays the same process for `settle` seconds: the pid the
    supervisor wrote (supervised_app), else `process` by name (app_pids). A line of the supervisor saying the app
    exited fails it at once, naming the exit code and the app's last lines."""
    since = time.monotonic()
    seen: set[str] = set()
    seen_at = 0.0
    by_file = True
    while True:
        container.reload()
        logs = _logs(container)
        exits = list(_EXITED.finditer(logs))
        if exits:
            return False, _restart_loop(exits, logs, process, time.monotonic() - since)
        if container.status in ("exited", "dead"):
            code = container.attrs.get("State", {}).get("ExitCode")
            return False, f"the container stopped (exit code {code})"
        pids = supervised_app(container) if by_file else None
        if pids is None:
            by_file = False
            try:
                pids = app_pids(container.top()["Processes"], process)
            except docker.errors.APIError:
                pids = set()  # the container is stopping: the next round says so
        if pids and pids & seen:
            if time.monotonic() - seen_at >= settle:
                return True, f"{process} is running (the same process for {settle:g} s)"
        else:
            seen, seen_at = pids, time.monotonic()
        if time.monotonic() >= deadline:
            what = f"{process} did not stay up for {settle:g} s" if seen else f"no {process} process"
            return False, f"{what} before the time-out"
        time.sleep(0.5)


def _restart_loop(exits: list[re.Match], logs: str, process: str, seconds: float) -> str:
    last = exits[-1]
    code = int(last["code"])
    hint = {127: " (the command was not found)", 126: " (the command cannot be run)"}.get(code, "")
    lines = [line[len("[app] "):] for line in logs.splitlines() if line.startswith("[app] ")][-APP_LOG_LINES:]
    said = " | ".join(outside_line(line, 200) for line in lines) if lines else "(nothing)"
    if len(exits) > 1:
        how = f"exited {len(exits)} times within {seconds:.0f} s (last: exit code {code}{hint} after {last['ran']} s)"
        again = "keeps starting it again (a restart loop)"
    else:
        how, again = f"exited (exit code {code}{hint}) {last['ran']} s after its start", "starts it again"
    return f"{process} {how} and the desktop {again}: the browser shows no app; its last lines: {said}"


def _logs(container: Any) -> str:
    try:
        return container.logs(tail=400).decode("utf-8", "replace")
    except docker.errors.APIError:
        return ""


def _viewer_page(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/vnc.html", timeout=5) as r:
        page = r.read(1 << 20).decode("utf-8", "replace")
    if "noVNC" not in page:
        raise ValueError("the page on this port is not noVNC's viewer")
    return f"HTTP {r.status}, noVNC's vnc.html"


_RFB_GREETING = re.compile(rb"RFB 003\.00[0-9]\n")


def rfb_over_websocket(port: int, path: str = "/websockify") -> str:
    """Open the websocket noVNC uses and read the VNC server's first message: "RFB 003.00x\n" (RFC 6143 7.1.1)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request.encode("ascii"))
        stream = s.makefile("rb")
        status = stream.readline(1024)
        if b" 101 " not in status:
            raise ValueError(f"no websocket upgrade: {status[:60]!r}")
        while stream.readline(4096).strip():
            pass  # the response headers
        payload = _websocket_frame(stream)
    if not _RFB_GREETING.fullmatch(payload[:12]):
        raise ValueError(f"not an RFB greeting: {payload[:12]!r}")
    return payload[:11].decode("ascii")


def _websocket_frame(stream: Any) -> bytes:
    """The payload of one unmasked server frame (RFC 6455 5.2)."""
    head = stream.read(2)
    if len(head) < 2:
        raise ValueError("the websocket closed before the VNC server spoke")
    length = head[1] & 0x7F
    if length >= 126:
        extra = stream.read(2 if length == 126 else 8)
        length = int.from_bytes(extra, "big")
    return stream.read(min(length, 1 << 16))
