"""The built-in desktop after a hard stop, on the real engine and seen from outside: `docker kill` (SIGKILL to every
process, as an OOM kill) and a SIGKILL of Xvnc alone leave Xvnc's lock and socket of display :1 in the container's
writable layer; `docker start` must still bring the desktop back, and a real browser logs in and sees the app.
For root (conftest's xterm_root_image) and for the non-root user `app` (conftest's xterm_image): both built once
per session. Also: the window
manager is started again when it dies, and the browser tab's title names the app."""

from __future__ import annotations

import pytest

from tests.docker.novnc_browser import WAIT_S, chromium, open_viewer, painted, wait_connected
from tests.docker.test_desktop_builtin import PASSWORD, _mapped, _pids, _wait_for, _window_rect
from tests.docker.test_ssh import host_port

pytestmark = pytest.mark.docker


@pytest.fixture(params=["root", "app"])
def desktop(request, docker_client):
    """A running desktop of the root or the non-root image, its web port on 127.0.0.1: (container, image)."""
    image = request.getfixturevalue("xterm_root_image" if request.param == "root" else "xterm_image")
    c = docker_client.containers.run(image.tag, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD},
                                     ports={"31000/tcp": ("127.0.0.1", None)})
    try:
        _wait_for(lambda: _mapped(c, "xterm"), "the xterm window", c)
        yield c
    finally:
        c.remove(force=True)


def _sees_xterm(c) -> str:
    """Logs in through the published port (a new one after each start) with chromium; returns the tab's title
    once the canvas shows xterm's window (white, with the prompt's dark text)."""
    with chromium() as context:
        page = open_viewer(context, host_port(c, 31000), PASSWORD)
        wait_connected(page)
        seen = painted(page, _window_rect(c, "xterm"), colour=(255, 255, 255), min_dark=20)
        page.wait_for_function("document.title.startsWith('xterm')", timeout=WAIT_S * 1000)
        title = page.title()
    assert seen["other"] < 0.2 and seen["dark"] > 20, seen
    return title


def _started_again(c) -> None:
    c.reload()
    assert c.status == "exited", c.status
    c.start()
    _wait_for(lambda: _mapped(c, "xterm"), "the xterm window after docker start", c)


def test_docker_kill_then_a_killed_xvnc_then_start_and_the_browser_sees_the_app(browser, desktop):
    """docker kill, docker start: the desktop is back (the supervisor cleared display :1's lock and socket, which
    stayed, and logged it); then Xvnc alone gets SIGKILL: the supervisor stops the desktop (exit 1, no app
    restarted on a dead X), and docker start brings it back again. Each time a browser logs in and sees xterm,
    the tab titled after the app, not after Xvnc's default user@container."""
    c = desktop
    c.kill()
    assert c.wait(timeout=30)["StatusCode"] == 137
    _started_again(c)
    assert _sees_xterm(c) == "xterm - noVNC"
    logs = c.logs().decode()
    assert logs.count("display :1's lock and socket are left from a hard stop: clearing them") == 1, logs[-3000:]
    assert "Server is already active" not in logs

    assert c.exec_run(["pkill", "-KILL", "-x", "Xvnc"], user="0").exit_code == 0
    assert c.wait(timeout=30)["StatusCode"] == 1
    logs = c.logs().decode()
    tail = logs[logs.rindex("[imgwizard-desktop] xvnc exited"):]
    assert "starting the app" not in tail, tail  # it stopped rather than start xterm on a dead X server
    _started_again(c)
    assert _sees_xterm(c) == "xterm - noVNC"
    assert c.logs().decode().count("left from a hard stop: clearing them") == 2


def test_the_window_manager_is_started_again_when_it_dies_and_still_fits_the_app_to_the_browser(
        browser, xterm_root_image, docker_client):
    """SIGKILL of the window manager: the supervisor logs it and starts a new one, the app goes on, and the new
    one manages it: when the browser window gets smaller (noVNC's remote resize), xterm's window follows."""
    c = docker_client.containers.run(xterm_root_image.tag, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD},
                                     ports={"31000/tcp": ("127.0.0.1", None)})
    try:
        _wait_for(lambda: _mapped(c, "xterm"), "the xterm window", c)
        before, xterm = _pids(c, "matchbox-window-manager"), _pids(c, "xterm")
        assert len(before) == 1, c.top()
        assert c.exec_run(["pkill", "-KILL", "-x", "matchbox-window"]).exit_code == 0  # ps's 15-character name
        _wait_for(lambda: _pids(c, "matchbox-window-manager") - before, "a new window manager", c, timeout=20)
        logs = c.logs().decode()
        assert "[imgwizard-desktop] the window manager exited (code 137): starting it again" in logs, logs[-2000:]
        assert _pids(c, "xterm") == xterm  # the app went on
        with chromium() as context:
            page = open_viewer(context, host_port(c, 31000), PASSWORD)
            wait_connected(page)
            page.set_viewport_size({"width": 1000, "height": 700})
            _wait_for(lambda: _window_rect(c, "xterm")[2] < 1000, "xterm to follow the smaller screen", c)
        x, y, w, h = _window_rect(c, "xterm")
        assert 900 < w < 1000 and 600 < h < 700 and x + w <= 1000 and y + h <= 700, (x, y, w, h)
    finally:
        c.remove(force=True)
