"""Chinese on the built-in desktop with locale.chinese, on the real engine and seen from the browser: text composed
by the browser's input method (Chrome's IME events through the DevTools protocol, as a pinyin input method sends
them) in the page's input box (files/novnc-ime.js.j2) reaches the app as Unicode keysyms, also more different
characters than Xvnc has spare keycodes (the supervisor frees them when typing pauses); and a GTK app's menus are
in Chinese (mousepad, the issue's example: its catalogue kept by locale.j2's dpkg rule, its menu bar drawn
differently from the English one, and the string read back with Python's gettext).

One image (xterm as the app, mousepad beside it, as root)."""

from __future__ import annotations

import time

import pytest

from tests.answers_kit import BUILTIN_DESKTOP, answers_toml
from tests.docker.conftest import build_scenario
from tests.docker.novnc_browser import WAIT_S, chromium, open_viewer, pixels, wait_connected
from tests.docker.test_desktop_builtin import PASSWORD, _mapped, _wait_for, _window_rect, desktop_app
from tests.docker.test_ssh import host_port

pytestmark = [pytest.mark.docker, pytest.mark.long_build("the Chinese desktop, about 70 s on 2 CPUs")]

BOX = "#imgwizard_ime"
# 60 different characters: more than the ~36 keycodes the US layout leaves Xvnc for keysyms it lacks
MANY = ("天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁"
        "律吕调阳云腾致雨露结为霜金生丽水玉出昆冈剑号巨阙珠称夜光果珍李柰")


@pytest.fixture(scope="module")
def chinese_image(docker_client, scenario_dir, images_to_remove):
    """xterm on the built-in desktop with locale.chinese, and mousepad (a GTK app with menus) installed; and
    libglib2.0-bin, whose gsettings reads and writes settings the way a GTK app does (the test's own tool)."""
    toml = answers_toml("desktop-chinese", app=desktop_app("xterm"), desktop=BUILTIN_DESKTOP,
                        locale={"chinese": True}, packages={"apt": ["xterm", "mousepad", "libglib2.0-bin"]})
    built = build_scenario(docker_client, scenario_dir / "desktop-chinese", "desktop-chinese", toml)
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="module")
def desktop(docker_client, chinese_image):
    """A running container of chinese_image and a logged-in viewer page: (container, page)."""
    c = docker_client.containers.run(chinese_image.tag, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD},
                                     ports={"31000/tcp": ("127.0.0.1", None)})
    try:
        _wait_for(lambda: _mapped(c, "xterm"), "the xterm window", c)
        with chromium() as context:
            page = open_viewer(context, host_port(c, 31000), PASSWORD)
            wait_connected(page)
            page.locator(BOX).wait_for(state="visible", timeout=WAIT_S * 1000)
            yield c, page
    finally:
        c.remove(force=True)


def _compose(page, pinyin: str, text: str) -> None:
    """What a pinyin input method does in the focused box: a composition shown while typing, then committed."""
    cdp = page.context.new_cdp_session(page)
    for i in range(1, len(pinyin) + 1):
        cdp.send("Input.imeSetComposition", {"text": pinyin[:i], "selectionStart": i, "selectionEnd": i})
    cdp.send("Input.insertText", {"text": text})
    cdp.detach()


def _typed_line(c, page, path: str, parts: list[tuple[str, str]]) -> str:
    """Types `echo PARTS > path` and Enter into the app's shell through the page's box ('plain' parts as typed
    keys without composing, 'ime' parts composed), and returns the file's content once it is written."""
    box = page.locator(BOX)
    box.click()
    page.keyboard.insert_text("echo ")
    for kind, text in parts:
        if kind == "ime":
            _compose(page, "zhongwen", text)
        else:
            page.keyboard.insert_text(text)
    page.keyboard.insert_text(f" > {path}")
    page.wait_for_function(f"document.querySelector('{BOX}').value === ''")  # everything was handed on
    page.keyboard.press("Enter")  # the box is empty: Enter goes to the app
    deadline = time.monotonic() + 30
    while True:
        out = c.exec_run(["cat", path])
        if out.exit_code == 0 and out.output.strip():
            return out.output.decode("utf-8", "replace").strip()
        assert time.monotonic() < deadline, c.logs().decode()[-3000:]
        time.sleep(0.5)


def test_text_composed_by_the_browser_s_input_method_reaches_the_app(browser, desktop):
    c, page = desktop
    assert _typed_line(c, page, "/tmp/typed", [("ime", "中文"), ("plain", "-"), ("ime", "输入法")]) == "中文-输入法"


def test_more_characters_than_spare_keycodes_all_arrive_and_none_is_logged(browser, desktop):
    c, page = desktop
    assert len(set(MANY)) == len(MANY) == 60
    assert _typed_line(c, page, "/tmp/many", [("plain", MANY)]) == MANY
    log = c.logs().decode("utf-8", "replace")
    assert "Added unknown keysym" not in log and "Failure adding" not in log, log[-3000:]


def _settled(page, rect: tuple[int, int, int, int], unlike: int | None = None) -> dict:
    """pixels() of `rect` once two readings half a second apart agree (and differ from `unlike`)."""
    deadline = time.monotonic() + WAIT_S
    last = None
    while True:
        seen = pixels(page, rect, (255, 255, 255))
        if last is not None and seen["hash"] == last["hash"] and seen["hash"] != unlike and seen["dark"] > 50:
            return seen
        assert time.monotonic() < deadline, seen
        last = seen
        page.wait_for_timeout(500)


def _mousepad(c, page, env: dict, unlike: int | None = None) -> dict:
    """mousepad started on the desktop with `env`; the pixels of its menu bar as the browser shows them."""
    c.exec_run(["pkill", "-x", "mousepad"])
    _wait_for(lambda: not _mapped(c, "Mousepad"), "mousepad gone", c)
    c.exec_run(["mousepad"], environment={"DISPLAY": ":1", **env}, detach=True)
    _wait_for(lambda: _mapped(c, "Mousepad"), "the mousepad window", c)
    x, y, w, _ = _window_rect(c, "Mousepad")
    return _settled(page, (x, y, min(w, 400), 28), unlike)


def test_a_gtk_app_s_menus_are_in_chinese(browser, desktop):
    c, page = desktop
    catalogue = "/usr/share/locale/zh_CN/LC_MESSAGES/mousepad.mo"
    assert c.exec_run(["test", "-s", catalogue]).exit_code == 0, "mousepad's zh_CN catalogue was not kept"
    read = c.exec_run(["python3", "-c", "import gettext; print(gettext.translation('mousepad').gettext('_File'))"])
    assert read.output.decode().strip() == "文件(_F)", read.output  # under the image's LANGUAGE=zh_CN:zh
    chinese = _mousepad(c, page, {})
    english = _mousepad(c, page, {"LANGUAGE": "en", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, unlike=chinese["hash"])
    assert chinese["hash"] != english["hash"], (chinese, english)


BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/dev/shm/imgwizard-desktop/bus"}  # the supervisor's session bus
SETTING = ["org.xfce.mousepad.preferences.view", "show-line-numbers"]


def test_a_gtk_app_s_setting_survives_a_restart_of_the_container(desktop):
    """Through the desktop's session bus a GSettings change goes to dconf's file in $HOME (not to memory, where it
    would be lost when the app exits) and reads back after `docker restart`. Last in this module: it restarts the
    container under the page."""
    c, _page = desktop
    before = c.exec_run(["gsettings", "get", *SETTING], environment=BUS)
    assert before.exit_code == 0 and before.output.decode().strip() == "false", before.output
    changed = c.exec_run(["gsettings", "set", *SETTING, "true"], environment=BUS)
    assert changed.exit_code == 0, changed.output
    assert c.exec_run(["test", "-s", "/root/.config/dconf/user"]).exit_code == 0, "not written by dconf"
    c.restart(timeout=10)
    _wait_for(lambda: _mapped(c, "xterm"), "the xterm window after the restart", c)
    after = c.exec_run(["gsettings", "get", *SETTING], environment=BUS)
    assert after.exit_code == 0 and after.output.decode().strip() == "true", after.output
