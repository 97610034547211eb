"""Pilot tests of issue 14's wizard items: authentication off is loud (step, summary, save dialog), an
unavailable Save/Build says why and jumps to the step, the save folder follows the image name, the review page."""

from pathlib import Path

from screens.app import make_app
from screens.folders import OUTSIDE, save_base, source_root
from screens.scenarios import GPU_SERVER, LAPTOP, TEST_KEY
from screens.settings import Settings, default_path
from screens.widgets import PreviewPane
from wizard.host import HostFacts

SIZE = (160, 50)
NO_KEY = HostFacts(arch="amd64", distro="Debian GNU/Linux 12", engine_problem=None)  # nothing in ~/.ssh


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_auth_off_warns_on_the_step_the_summary_and_the_save_dialog(tmp_path: Path):
    app = make_app(host=LAPTOP, given={"app.type": "web", "app.name": "jupyter"}, output=tmp_path / "ctx")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")  # the app's details: its authentication question
        await pilot.pause()
        box = app.screen.query_one("#box-app-auth")
        assert "OFF" not in str(box.query_one(".field-warning").render())
        box.query_one("#input-app-auth").focus()
        await pilot.press("down")  # No
        await pilot.pause()
        assert app.session.answers["app.auth"] is False
        assert "App authentication OFF" in str(box.query_one(".field-warning").render())
        assert "App authentication OFF" in text_of(app, "#summary")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveModal"
        assert "App authentication OFF" in text_of(app, "#review")


async def test_auth_off_warning_in_chinese():
    app = make_app(host=LAPTOP, given={"app.type": "desktop", "desktop.auth": False}, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "桌面密码已关闭" in text_of(app, "#summary")


async def test_blocked_save_says_why_at_launch_and_jumps_to_the_step():
    app = make_app(host=NO_KEY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # at launch, on the first step: the reason is on screen and the keys are in the footer
        summary = text_of(app, "#summary")
        assert "Save and build wait for step “SSH”" in summary and "ssh.authorized_key" in summary
        footer_keys = {b.key for _n, b, enabled, _t in app.screen.active_bindings.values() if b.show and enabled}
        assert {"ctrl+s", "f5", "f6"} <= footer_keys
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.id == "blocked"
        assert "ssh.authorized_key" in text_of(app, "#blocked-why")
        await pilot.press("enter")  # go there
        await pilot.pause()
        assert app.session.step == "ssh"
        assert app.focused.id == "input-ssh-authorized_key"
        await pilot.press(*TEST_KEY)
        await pilot.pause()
        assert app.session.valid
        assert "wait for step" not in text_of(app, "#summary")
        assert app.screen.check_action("fix", ()) is False  # F6 leaves the footer once nothing blocks


async def test_blocked_build_offers_the_jump_and_f6_jumps():
    app = make_app(host=NO_KEY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen.id == "blocked" and "Cannot build yet" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert app.session.step == "app"
        await pilot.press("f6")
        await pilot.pause()
        assert app.session.step == "ssh"


async def test_save_folder_follows_the_image_name_until_one_is_picked(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(host=LAPTOP, given={"image.name": "first"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#save-folder").value == "first"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (tmp_path / "first" / "Dockerfile").is_file()
        app.session.go_to("image")
        await app.screen.show_step()
        name = app.screen.query_one("#input-image-name")
        name.focus()
        await pilot.press("ctrl+u", *"second")
        await pilot.pause()
        assert app.session.answers["image.name"] == "second"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        folder = app.screen.query_one("#save-folder")
        assert folder.value == "second"  # follows the new name
        folder.value = str(tmp_path / "mine")  # the user picks a folder
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        name.focus()
        await pilot.press("ctrl+u", *"third")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#save-folder").value == str(tmp_path / "mine")  # the picked one stays


def test_save_base_outside_the_source_checkout(tmp_path: Path):
    checkout = tmp_path / "imgwizard"
    (checkout / "screens").mkdir(parents=True)
    (checkout / ".git").mkdir()
    (checkout / "pyproject.toml").write_text("[project]\nname = 'imgwizard'\n")
    root = source_root(checkout / "screens" / "folders.py")
    assert root == checkout.resolve()
    home = tmp_path / "home"
    assert save_base(checkout, root, home) == home / OUTSIDE  # as the README starts it
    assert save_base(checkout / "docs", root, home) == home / OUTSIDE
    assert save_base(tmp_path / "work", root, home) == Path(".")
    assert save_base(checkout, None, home) == Path(".")  # installed as a package: no checkout
    assert source_root(tmp_path / "site-packages" / "screens" / "folders.py") is None


async def test_started_from_the_checkout_saves_outside_it(tmp_path: Path):
    app = make_app(host=LAPTOP, base=tmp_path / "home" / OUTSIDE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#save-folder").value == str(tmp_path / "home" / OUTSIDE / "myapp")


async def preview_scroll(pilot):
    await pilot.pause()
    await pilot.pause()
    return pilot.app.screen.query_one("#scroll-0")


async def test_preview_wraps_or_scrolls_long_lines_and_the_choice_is_remembered(tmp_path: Path):
    path = tmp_path / "config" / "imgwizard" / "settings.toml"
    given = {"mirror.apt": "tuna"}  # the mirror's sed line is longer than the pane
    app = make_app(host=LAPTOP, given=given, settings=Settings.load(path))
    async with app.run_test(size=SIZE) as pilot:
        scroll = await preview_scroll(pilot)
        assert "sed -i" in app.screen.query_one(PreviewPane).texts["Dockerfile"]
        assert scroll.max_scroll_x > 0  # by default long lines scroll sideways
        await pilot.press("f7")
        scroll = await preview_scroll(pilot)
        assert scroll.max_scroll_x == 0 and app.screen.query_one(PreviewPane).wrap
    assert "preview_wrap = true" in path.read_text()
    again = make_app(host=LAPTOP, given=given, settings=Settings.load(path))
    async with again.run_test(size=SIZE) as pilot:
        scroll = await preview_scroll(pilot)
        assert again.screen.query_one(PreviewPane).wrap and scroll.max_scroll_x == 0  # remembered


def test_settings_path_follows_xdg_config_home(tmp_path: Path):
    assert default_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "imgwizard" / "settings.toml"
    assert default_path({"HOME": str(tmp_path)}) == tmp_path / ".config" / "imgwizard" / "settings.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text("preview_wrap = [")
    assert Settings.load(bad).preview_wrap is False  # unreadable: the defaults


async def test_review_page_before_save_every_answer_by_step_warnings_files_and_enter_saves(tmp_path: Path):
    out = tmp_path / "pycharm"
    app = make_app(host=LAPTOP, output=out,
                   given={"app.type": "desktop", "app.name": "jetbrains", "desktop.auth": False})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveModal"
        review = text_of(app, "#review")
        for step in ("Kind of app", "Desktop", "The app", "Base system", "Image name"):
            assert f"{step}\n" in review, step
        assert "Desktop password on: no" in review
        assert "Desktop password OFF" in review.split("Every answer")[0]  # among the warnings, above the answers
        # what an answer changes: the reason of the choice taken
        assert "noVNC" in review
        plan = text_of(app, "#save-plan")
        assert "Still to place there: pycharm-community-2024.2.1.tar.gz" in plan  # the file to add
        await pilot.press("enter")  # Enter saves
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert (out / "Dockerfile").is_file() and app.reports[-1][0] == out


async def test_review_page_in_chinese():
    app = make_app(host=LAPTOP, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        review = text_of(app, "#review")
        assert "全部答案（按步骤）" in review and "应用类型\n" in review and "警告" in review
        assert "桌面模板\n" not in review  # a shell image: the desktop step does not apply and is not listed
        assert "时区: （空）" in review


def _view_text(view) -> str:
    return "\n".join("".join(segment.text for segment in line) for line in view.lines)


async def test_the_preview_says_which_answer_it_waits_for_above_the_last_dockerfile():
    """Highlighting a PyTorch release the driver cannot run: the preview says why, naming the field, and still
    shows the last Dockerfile that rendered (it used to show `AssertionError: ...` alone)."""
    app = make_app(host=GPU_SERVER, given={"app.type": "web"})
    async with app.run_test(size=SIZE) as pilot:
        app.session.go_to("gpu")
        await app.screen.show_step()
        await pilot.press("tab", "tab", "tab", "tab", "down")  # 2.15.0: no CUDA build for driver 570
        await pilot.pause()
        await pilot.pause()
        shown = " ".join(_view_text(app.screen.query_one("#scroll-0")).split())  # the reason wraps
        assert "it waits for:" in shown and "(gpu.pytorch)" in shown, shown[:400]
        assert "Error" not in shown
        assert "FROM " in shown  # the last Dockerfile that rendered, below the reason
