"""Pilot tests for issue 14 items 7 and 9: what the folder answered is shown under its field; the Footer's keys and
the validation messages follow the language (wizard.text's tables)."""

from pathlib import Path

from textual.widgets._footer import FooterKey

from screens.app import make_app
from screens.scenarios import LAPTOP
from screens.widgets import StepsList
from wizard.scan import scan

SIZE = (160, 50)


def footer_keys(app) -> dict[str, str]:
    return {k.key: k.description for k in app.screen.query(FooterKey)}


def active(app) -> dict[str, str]:
    return {key: b.binding.description for key, b in app.screen.active_bindings.items()}


async def go_to_step(app, pilot, step_id: str) -> None:
    await pilot.press("f2")
    await pilot.pause()
    assert isinstance(app.focused, StepsList)
    while app.focused.highlighted_child.id != f"step-{step_id}":
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def test_the_footer_keys_follow_the_language():
    app = make_app(host=LAPTOP, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = footer_keys(app)
        assert shown["ctrl+n"] == "下一步" and shown["f1"] == "帮助" and shown["ctrl+q"] == "退出", shown
        await pilot.press("f4")
        await pilot.pause()
        shown = footer_keys(app)
        assert shown["ctrl+n"] == "Next" and shown["f1"] == "Help" and shown["ctrl+q"] == "Quit", shown
        await pilot.press("f4")  # and back to Chinese
        await pilot.pause()
        assert footer_keys(app)["f2"] == "步骤"
        await pilot.press("f1")  # a dialog's keys too
        await pilot.pause()
        assert active(app)["escape"] == "关闭", active(app)


async def test_a_refused_value_is_explained_in_chinese():
    app = make_app(host=LAPTOP, lang="zh", given={"image.name": "My App"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await go_to_step(app, pilot, "image")
        assert app.session.step == "image"
        line = str(app.screen.query_one("#box-image-name").query_one(".field-error").render())
        assert line.startswith("✗ 镜像名称（image.name）：不接受 'My App'；可接受：") and "小写字母" in line, line


async def test_what_the_folder_answered_is_shown_under_its_field(tmp_path: Path):
    (tmp_path / "pycharm-community-2024.2.1.tar.gz").write_bytes(b"")
    app = make_app(host=LAPTOP, found=scan(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.answers["app.type"] == "desktop" and app.session.answers["app.name"] == "jetbrains"
        head = str(app.screen.query_one("#box-app-type .field-head").render())
        assert "Found here: the JetBrains archive pycharm-community-2024.2.1.tar.gz" in head, head
        await go_to_step(app, pilot, "image")
        assert app.session.answers["image.name"] == "pycharm"
        head = str(app.screen.query_one("#box-image-name .field-head").render())
        assert "Found here: the JetBrains archive" in head, head


async def test_the_findings_are_listed_once_at_start_in_the_language(tmp_path: Path):
    (tmp_path / "NVIDIA-Linux-x86_64-550.135.run").write_bytes(b"")
    app = make_app(host=LAPTOP, found=scan(tmp_path), lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (note,) = [n for n in app._notifications if n.title.startswith("在当前目录发现")]
        assert "⌂ gpu.driver = 550.135：NVIDIA 驱动安装包 NVIDIA-Linux-x86_64-550.135.run" in note.message
        assert app.session.answers["gpu.vendor"] == "nvidia" and app.session.answers["gpu.driver"] == "550.135"
