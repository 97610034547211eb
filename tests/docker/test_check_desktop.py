"""`imgwizard check` on the built-in desktop, on the real engine: it looks at the app's own process, wants it up
for a few seconds and reports an app that exits (a restart loop) at once, with the app's last log lines; and it
reads the answers from the image's label when no --context is given. The broken apps are small images made FROM
the root xterm desktop (test_desktop_survives.py's build: the label, and so the answers, are the same): one without
the xterm program, one whose xterm prints a line (with an escape sequence) and exits. The supervisor's growing
restart delay is watched on the second."""

from __future__ import annotations

import io
import re
import time

import pytest

from screens.cli import main
from tests.docker.conftest import SESSION_TAG
from tests.docker.test_desktop_builtin import PASSWORD, _wait_for
from wizard.engine.build import parse_stream

pytestmark = pytest.mark.docker

CRASH = "#!/bin/sh\\necho \"xterm: cannot open display \\033[31m:1\\033[0m\" >&2\\nexit 3\\n"


def _derived(docker_client, images_to_remove, base: str, name: str, step: str) -> str:
    """A one-step image FROM `base` (legacy builder, as imgwizard builds), removed at the end."""
    tag = f"imgwizard-test/{name}:{SESSION_TAG}"
    dockerfile = f"FROM {base}\n{step}\n".encode()
    events = list(parse_stream(docker_client.api.build(fileobj=io.BytesIO(dockerfile), tag=tag, rm=True,
                                                       decode=True)))
    assert events[-1].kind == "done", "\n".join(e.text for e in events)[-2000:]
    images_to_remove.append(tag)
    return tag


@pytest.fixture(scope="module")
def missing_app(docker_client, images_to_remove, xterm_root_image) -> str:
    return _derived(docker_client, images_to_remove, xterm_root_image.tag, "desktop-missing-app",
                    "RUN rm /usr/bin/xterm")


@pytest.fixture(scope="module")
def crashing_app(docker_client, images_to_remove, xterm_root_image) -> str:
    return _derived(docker_client, images_to_remove, xterm_root_image.tag, "desktop-crashing-app",
                    f"RUN printf '{CRASH}' > /usr/bin/xterm")


def test_check_without_a_context_says_ok_for_a_running_app(xterm_root_image, capsys):
    """The answers from the image's label: the viewer, RFB and xterm's own process, up for 5 s."""
    code = main(["check", xterm_root_image.tag, "--timeout", "90"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok   noVNC viewer on 31000" in out
    assert "ok   app xterm: xterm is running (the same process for 5 s)" in out


def test_check_fails_fast_when_the_app_s_program_is_missing(missing_app, capsys):
    start = time.monotonic()
    code = main(["check", missing_app, "--timeout", "90"])
    seconds = time.monotonic() - start
    captured = capsys.readouterr()
    assert code == 1, captured.out
    assert seconds < 30, seconds  # was: 90 s, the time-out
    line = next(line for line in captured.out.splitlines() if line.startswith("FAIL app xterm: "))
    assert "exit code 127 (the command was not found)" in line, line
    assert line.endswith("its last lines: sh: 1: exec: xterm: not found"), line
    assert "ok   RFB over the websocket on 31000" in captured.out  # the desktop itself is up


def test_check_reports_a_crashing_app_s_restart_loop_with_its_last_lines_made_safe(crashing_app, capsys):
    start = time.monotonic()
    code = main(["check", crashing_app, "--timeout", "90"])
    seconds = time.monotonic() - start
    out = capsys.readouterr().out
    assert code == 1 and seconds < 30, (seconds, out)
    line = next(line for line in out.splitlines() if line.startswith("FAIL app xterm: "))
    assert re.search(r"xterm exited (\(exit code 3\)|\d+ times within \d+ s \(last: exit code 3 )", line), line
    assert "its last lines: xterm: cannot open display \\x1b[31m:1\\x1b[0m" in line, line
    assert "\x1b" not in out


def test_a_crashing_app_is_restarted_after_1_2_4_seconds_and_the_log_counts_it(docker_client, crashing_app):
    """The supervisor's delay doubles while the app keeps exiting at once: four exits take at least
    1 + 2 + 4 s between them, and each log line says the delay and how many quick exits came in a row."""
    c = docker_client.containers.run(crashing_app, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD})
    try:
        start = time.monotonic()
        _wait_for(lambda: c.logs().decode().count("the app exited") >= 4, "four exits of the app", c, timeout=40)
        seconds = time.monotonic() - start
        logs = c.logs().decode()
    finally:
        c.remove(force=True)
    said = re.findall(r"the app exited: starting it again in (\d+) s \(exit code 3 after \d+ s; "
                      r"quick exits in a row: (\d+)\)", logs)
    assert said[:4] == [("1", "1"), ("2", "2"), ("4", "3"), ("8", "4")], logs[-2000:]
    assert seconds >= 7, seconds  # 1 + 2 + 4 s of waiting before the fourth exit
