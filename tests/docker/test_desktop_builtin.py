"""The built-in desktop (desktop.engine = "builtin") built on the local Debian base and seen as a user sees it:
in a real browser (Debian's chromium driven by Playwright) through noVNC on 31000, by SSH key login, with
`imgwizard check`, `docker stop` and a killed app. A second image runs a Java Swing program compiled here with the
JDK of packages.java, showing Chinese text with the CJK font of locale.chinese and without it.

Ubuntu 22.04 / 24.04 cannot be pulled here: tests/test_desktop_builtin.py renders and lints those instead."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid

import pytest

from screens.cli import main
from tests.answers_kit import BUILTIN_DESKTOP, answers_toml, desktop_app
from tests.docker.conftest import build_scenario
from tests.docker.novnc_browser import (WAIT_S, chromium, open_viewer, painted, status_text, vnc_login,
                                        wait_connected, wait_status)
from tests.docker.test_ssh import host_port

pytestmark = pytest.mark.docker

PASSWORD = "s3cret-x"  # 8 characters: VNC authentication uses no more


@pytest.fixture(scope="module")
def xterm_desktop(docker_client, xterm_image):
    """A running container of xterm_image, its ports published on 127.0.0.1: (container, web port, ssh port)."""
    c = docker_client.containers.run(xterm_image.tag, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD},
                                     ports={"31000/tcp": ("127.0.0.1", None), "22/tcp": ("127.0.0.1", None)})
    try:
        web, ssh = host_port(c, 31000), host_port(c, 22)
        _wait_for(lambda: _mapped(c, "xterm"), "the xterm window", c)
        yield c, web, ssh
    finally:
        print("xterm_desktop's log:", c.logs().decode(errors="replace")[-4000:])  # shown with a failure
        c.remove(force=True)


def _wait_for(predicate, what: str, c, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        c.reload()
        assert c.status == "running", f"the container stopped while waiting for {what}:\n{c.logs().decode()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s:\n{c.logs().decode()[-3000:]}"
        time.sleep(0.5)


def _x(c, *command: str) -> str:
    """A command run in the container against the desktop's X display, as the desktop's user."""
    user = c.attrs["Config"].get("User") or "root"
    desktop_user = "app" if "app:" in c.exec_run(["getent", "passwd", "app"]).output.decode() else user
    result = c.exec_run(list(command), environment={"DISPLAY": ":1"}, user=desktop_user)
    return result.output.decode("utf-8", "replace")


def _windows(c) -> str:
    """The X server's window tree (names and classes), as xwininfo shows it."""
    return _x(c, "xwininfo", "-root", "-tree")


_TREE_LINE = re.compile(r'^\s*0x[0-9a-f]+ "(?P<name>[^"]*)": \("(?P<instance>[^"]*)" "(?P<cls>[^"]*)"\)\s+'
                        r'(?P<w>\d+)x(?P<h>\d+)\+-?\d+\+-?\d+\s+\+(?P<x>-?\d+)\+(?P<y>-?\d+)', re.MULTILINE)


def _window_rect(c, wanted: str) -> tuple[int, int, int, int]:
    """(x, y, width, height) on the screen of the window whose name or class is `wanted` (xterm's name is the
    shell's title, its class XTerm)."""
    for m in _TREE_LINE.finditer(_windows(c)):
        if wanted in (m["name"], m["instance"], m["cls"]) and int(m["w"]) > 100:
            return int(m["x"]), int(m["y"]), int(m["w"]), int(m["h"])
    raise AssertionError(f"no {wanted} window in:\n{_windows(c)}")


def _mapped(c, wanted: str) -> bool:
    """Whether the window is on the screen at its full size (openbox maps it after xterm creates it at 1x1)."""
    try:
        _window_rect(c, wanted)
    except AssertionError:
        return False
    return True


def _pids(c, program: str) -> set[str]:
    return {p[1] for p in c.top()["Processes"] if p[-1].split(" ", 1)[0].rsplit("/", 1)[-1] == program}


def test_browser_logs_in_and_sees_the_xterm_window(browser, xterm_desktop, tmp_path):
    """Chromium opens the published port, is sent to noVNC's viewer, logs in with DESKTOP_PASSWORD and shows the
    desktop: xterm's window is in the X server's window list, and where it is the canvas shows xterm's white
    background (the X root behind it is black)."""
    c, web, _ = xterm_desktop
    assert '("xterm" "XTerm")' in _windows(c)  # xterm's window, whatever title the shell gave it
    with chromium() as context:
        page = open_viewer(context, web, PASSWORD)
        wait_connected(page)
        x, y, w, h = _window_rect(c, "xterm")
        seen = painted(page, (x, y, w, h), colour=(255, 255, 255), min_dark=20)
        page.screenshot(path=str(tmp_path / "desktop.png"))
    assert (tmp_path / "desktop.png").stat().st_size > 10_000
    assert seen["other"] < 0.2, seen  # mostly xterm's white
    assert seen["dark"] > 20, seen  # and some text: the prompt


def test_browser_with_a_wrong_password_is_refused(browser, xterm_desktop):
    c, web, _ = xterm_desktop
    with chromium() as context:
        page = open_viewer(context, web, "wrong-pw")
        status = wait_status(page, "authentication|rejected|failed")
        connected = page.evaluate("document.documentElement.classList.contains('noVNC_connected')")
    assert not connected
    assert re.search(r"(?i)authentication|rejected|failed", status), status


CLIPBOARD = "document.getElementById('noVNC_clipboard_text')"


def test_the_clipboard_goes_both_ways_through_novnc_s_panel(browser, xterm_desktop):
    """noVNC's clipboard panel (its textarea sends on 'change', as when the user types there and leaves it; the
    desktop's clipboard arrives in it): text from the browser reaches the X CLIPBOARD selection (read with xclip,
    a package of the test image), and text an X program puts there shows in the panel."""
    c, web, _ = xterm_desktop
    with chromium() as context:
        page = open_viewer(context, web, PASSWORD)
        wait_connected(page)
        page.evaluate(f"(t) => {{ const a = {CLIPBOARD}; a.value = t; a.dispatchEvent(new Event('change')); }}",
                      "from the browser 剪贴板")
        _wait_for(lambda: _x(c, "xclip", "-o", "-selection", "clipboard") == "from the browser 剪贴板",
                  "the browser's text in the X clipboard", c)
        _x(c, "sh", "-c", "printf 'from the desktop' | xclip -selection clipboard -i >/dev/null 2>&1")
        page.wait_for_function(f"{CLIPBOARD}.value === 'from the desktop'", timeout=WAIT_S * 1000)


def test_resizing_the_browser_resizes_the_desktop(browser, xterm_desktop):
    """noVNC's remote resize (the start page's resize=remote): a smaller browser window, a smaller X screen."""
    c, web, _ = xterm_desktop
    with chromium() as context:
        page = open_viewer(context, web, PASSWORD)
        wait_connected(page)
        page.set_viewport_size({"width": 1000, "height": 700})
        _wait_for(lambda: "1000x" in _x(c, "xdpyinfo") or "dimensions:    1000x" in _x(c, "xwininfo", "-root"),
                  "the desktop to follow the browser's size", c)
    root = _x(c, "xwininfo", "-root")
    assert re.search(r"Width: 1000\b", root), root


def test_imgwizard_check_sees_viewer_rfb_and_app(xterm_image, capsys):
    """`imgwizard check`: noVNC's page answers, the websocket speaks RFB, xterm runs, SSH answers and the
    forwarded port reaches a listener on its target (socat, started by the entry wrapper beside the desktop)."""
    code = main(["check", xterm_image.tag, "--context", str(xterm_image.context), "--timeout", "90"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok   noVNC viewer on 31000" in out
    assert re.search(r"ok   RFB over the websocket on 31000: RFB 003\.00\d", out), out
    assert "ok   app xterm: xterm is running" in out
    assert "ok   ssh on 22" in out
    assert "ok   forward 31001 -> 8006: reached a listener on 8006" in out


def test_ssh_key_login_and_the_desktop_runs_as_the_user(xterm_desktop, ssh_keypair):
    c, _, ssh = xterm_desktop
    out = subprocess.run(["ssh", "-i", str(ssh_keypair), "-p", str(ssh), "-o", "StrictHostKeyChecking=no",
                          "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "app@127.0.0.1",
                          "id -un; ps -o user=,comm= -C Xvnc,xterm,websockify"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert lines[0] == "app"
    assert "Xvnc" in out.stdout and "xterm" in out.stdout, out.stdout
    assert all(user == "app" for user in lines[1::2]), out.stdout  # nothing of the desktop runs as root


def test_the_app_is_started_again_after_it_is_killed(xterm_desktop):
    c, _, _ = xterm_desktop
    before = _pids(c, "xterm")
    assert before, c.top()
    c.exec_run(["pkill", "-x", "xterm"])
    _wait_for(lambda: _pids(c, "xterm") and not (_pids(c, "xterm") & before), "a new xterm", c, timeout=20)
    logs = c.logs().decode()
    assert "[imgwizard-desktop] the app exited: starting it again" in logs


def test_log_names_each_service_and_no_password_in_it(xterm_desktop):
    c, _, _ = xterm_desktop
    logs = c.logs().decode()
    for name in ("[xvnc]", "[novnc]"):
        assert name in logs, logs[-2000:]
    assert PASSWORD not in logs


def test_no_process_of_the_container_holds_the_password_pid_1_included(xterm_desktop):
    """The ENTRYPOINT's first step takes DESKTOP_PASSWORD into the VNC password file and execs the rest (entry
    wrapper, tini, the supervisor) without it: no process the container started has it in its environment, read
    from this host's /proc by the processes' host pids, and the container's own /proc/1/environ (tini) lacks it.
    What the engine hands every `docker exec` is the container's settings: that still holds it (docker inspect
    shows it too), which nothing inside the container can change."""
    c, _, _ = xterm_desktop
    # not the xclip an earlier test started by `docker exec` (it keeps the selection, reparented to tini)
    processes = [p for p in c.top()["Processes"] if not p[-1].startswith("xclip ")]
    commands = "\n".join(p[-1] for p in processes)
    for program in ("tini", "imgwizard-desktop", "Xvnc", "websockify", "xterm", "sshd", "socat"):
        assert program in commands, commands
    for p in processes:
        try:
            env = open(f"/proc/{p[1]}/environ", "rb").read()
        except FileNotFoundError:
            continue  # it ended meanwhile
        assert b"DESKTOP_PASSWORD" not in env and PASSWORD.encode() not in env, p
    first = c.exec_run(["cat", "/proc/1/environ", "/proc/1/cmdline"], user="0").output
    assert b"DESKTOP_PASSWORD" not in first and PASSWORD.encode() not in first and b"tini" in first, first
    exec_env = c.exec_run(["env"]).output.decode()
    assert f"DESKTOP_PASSWORD={PASSWORD}" in exec_env  # the known limit: the engine's copy for `docker exec`


def test_wrong_logins_are_slowed_and_the_right_one_gets_in_within_the_timeout(browser, xterm_desktop):
    """Xvnc's blacklist (-BlacklistThreshold 10 -BlacklistTimeout 5): every browser comes from 127.0.0.1 through
    websockify, so guessing is slowed for all: 10 wrong logins are refused, the 11th connection is turned away
    ("Too many security failures"; noVNC's viewer shows "Failed to connect to server"), and the right password
    gets in once the 5 s pass (and clears the count)."""
    c, web, _ = xterm_desktop
    assert vnc_login(web, PASSWORD) == "ok"  # a login clears what earlier tests counted
    with chromium() as context:
        page = context.new_page()  # ready before the count starts: the 5 s are short
        for _ in range(10):
            assert vnc_login(web, "wrong-pw").startswith("refused: "), c.logs().decode()[-2000:]
        blocked_at = time.monotonic()
        assert vnc_login(web, "wrong-pw") == "blocked: Too many security failures"
        page.goto(f"http://127.0.0.1:{web}/")  # what the owner sees meanwhile (the README says it)
        page.wait_for_url("**/vnc.html?*", timeout=10_000)  # the start page's redirect
        page.wait_for_function("(document.querySelector('#noVNC_status')?.innerText || '').length > 0",
                               timeout=10_000)
        status = status_text(page)
        shown_within = time.monotonic() - blocked_at
    assert status == "Failed to connect to server" and shown_within < 5, (status, shown_within)
    while (result := vnc_login(web, PASSWORD)) != "ok":
        assert result.startswith("blocked: ") and time.monotonic() - blocked_at < 7, result
        time.sleep(0.5)
    assert 4 < time.monotonic() - blocked_at < 7
    assert vnc_login(web, "wrong-pw").startswith("refused: ")  # cleared by the login: counting starts again
    assert vnc_login(web, PASSWORD) == "ok"
    assert "blacklisted: 127.0.0.1" in c.logs().decode()


@pytest.mark.parametrize("password, why", [("\nsecret-pw", "holds a line break or another control character"),
                                           ("s3cret\x1b[2J", "holds a line break or another control character"),
                                           ("abc12", "is shorter than 6 characters")])
def test_a_password_vnc_would_not_take_whole_stops_the_container_before_anything_listens(xterm_image, password,
                                                                                        why):
    """As run.sh starts it (`docker run -e DESKTOP_PASSWORD`, the value from docker's environment): a password
    that starts with a line break gave an empty VNC password (tigervncpasswd -f reads the first line). Now the
    container exits non-zero with one line in its log, before the entry wrapper starts sshd or socat and before
    Xvnc or websockify: the published ports never had a listener."""
    name = f"imgwizard-test-badpw-{uuid.uuid4().hex[:10]}"
    run = subprocess.run(["docker", "run", "-d", "--name", name, "-p", "127.0.0.1::31000", "-p", "127.0.0.1::22",
                          "-e", "DESKTOP_PASSWORD", xterm_image.tag], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "DESKTOP_PASSWORD": password})
    try:
        assert run.returncode == 0, run.stderr
        code = subprocess.run(["docker", "wait", name], capture_output=True, text=True, timeout=60).stdout.strip()
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True, timeout=60)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
    assert code == "1", (code, logs.stdout, logs.stderr)
    out = logs.stdout + logs.stderr
    assert out.splitlines() == [f"[imgwizard-desktop] DESKTOP_PASSWORD {why}: refusing to start (at least 6 printable "
                                "characters, VNC uses the first 8)"], out
    assert password.strip() not in out


def test_docker_stop_ends_it_within_ten_seconds(docker_client, xterm_image):
    c = docker_client.containers.run(xterm_image.tag, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD})
    try:
        _wait_for(lambda: _mapped(c, "xterm"), "xterm", c)
        start = time.monotonic()
        c.stop(timeout=10)
        seconds = time.monotonic() - start
        c.reload()
        code = c.attrs["State"]["ExitCode"]
    finally:
        c.remove(force=True)
    assert seconds < 9, seconds  # docker's own limit is 10 s, then it kills
    assert code != 137, "docker had to kill it"


def test_without_the_password_it_refuses_to_start(docker_client, xterm_image):
    c = docker_client.containers.run(xterm_image.tag, detach=True)
    try:
        code = c.wait(timeout=60)["StatusCode"]
        logs = c.logs().decode()
    finally:
        c.remove(force=True)
    assert code == 1
    assert "DESKTOP_PASSWORD is not set: refusing to start" in logs


# A Swing window with Chinese text (unicode escapes: the source is plain ASCII), on the same X, font and Java
# stack a JetBrains IDE uses. 中文字形显示 = "Chinese glyphs shown".
SWING = r"""
import java.awt.Color;
import java.awt.Font;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;

public class Hello {
    public static void main(String[] args) {
        SwingUtilities.invokeLater(() -> {
            JFrame frame = new JFrame("imgwizard swing");
            JLabel label = new JLabel("\u4e2d\u6587\u5b57\u5f62\u663e\u793a", SwingConstants.CENTER);
            label.setFont(new Font(Font.DIALOG, Font.PLAIN, 96));
            label.setOpaque(true);
            label.setBackground(Color.WHITE);
            label.setForeground(Color.BLACK);
            frame.add(label);
            frame.setDefaultCloseOperation(JFrame.EXIT_ON_CLOSE);
            frame.setSize(900, 600);
            frame.setVisible(true);
        });
    }
}
"""


@pytest.fixture(scope="module")
def swing_image(docker_client, scenario_dir, images_to_remove):
    """A Java Swing program on the built-in desktop with OpenJDK 17 (packages.java) and locale.chinese."""
    toml = answers_toml("desktop-swing", app=desktop_app("java -cp /opt/swing Hello"), desktop=BUILTIN_DESKTOP,
                        locale={"chinese": True}, packages={"apt": [], "java": "17"})
    built = build_scenario(docker_client, scenario_dir / "desktop-swing", "desktop-swing", toml)
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="module")
def swing_classes(docker_client, swing_image, tmp_path_factory):
    """Hello.class, compiled in a container of the image with its own JDK."""
    src = tmp_path_factory.mktemp("swing-src")
    (src / "Hello.java").write_text(SWING)
    out = tmp_path_factory.mktemp("swing-classes")
    docker_client.containers.run(swing_image.tag, ["javac", "-d", "/out", "/src/Hello.java"], remove=True,
                                 volumes={str(src): {"bind": "/src", "mode": "ro"}, str(out): {"bind": "/out"}})
    assert (out / "Hello.class").exists()
    return out


@pytest.mark.long_build("the Swing desktop with a JDK, about 75 s on 2 CPUs")
def test_swing_shows_chinese_glyphs_and_boxes_without_the_font(browser, docker_client, swing_image, swing_classes):
    c = docker_client.containers.run(swing_image.tag, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD},
                                     ports={"31000/tcp": ("127.0.0.1", None)},
                                     volumes={str(swing_classes): {"bind": "/opt/swing", "mode": "ro"}})
    try:
        web = host_port(c, 31000)
        _wait_for(lambda: _mapped(c, "imgwizard swing"), "the Swing window", c)
        assert "wqy-zenhei" in _x(c, "fc-match", "-f", "%{file}", ":lang=zh")  # the CJK font resolves for Chinese
        with chromium() as context:
            page = open_viewer(context, web, PASSWORD)
            wait_connected(page)
            with_font = painted(page, _window_rect(c, "imgwizard swing"), (255, 255, 255), min_dark=1000)
            # the same text with the font gone: the app is killed, the supervisor starts it again
            c.exec_run(["sh", "-c", "rm -rf /usr/share/fonts/truetype/wqy && fc-cache -f"])
            assert "wqy" not in _x(c, "fc-match", "-f", "%{file}", ":lang=zh")
            before = _pids(c, "java")
            c.exec_run(["pkill", "-x", "java"])
            _wait_for(lambda: _pids(c, "java") - before and _mapped(c, "imgwizard swing"),
                      "the Swing window again", c)
            # the new window's drawing, not the old one still on the canvas
            without_font = painted(page, _window_rect(c, "imgwizard swing"), (255, 255, 255), min_dark=1000,
                                   unlike=with_font["hash"])
    finally:
        c.remove(force=True)
    assert with_font["dark"] > 2000, with_font  # big black strokes of six glyphs
    assert with_font["hash"] != without_font["hash"], (with_font, without_font)
    assert abs(with_font["dark"] - without_font["dark"]) > 500, (with_font, without_font)
