"""What the wizard finds in the folder it starts in, it uses (issue 29, items 2.3 and 2.4), in the Textual app:
the save dialog offers the start folder itself when that holds the files the answers name or is named after the
image, says so in its review, and the save keeps the user's own files as backups; a folder that held nothing the
wizard recognised names no image and gets a new folder. Each start folder is a tmp folder (make_app's `start`)."""

from pathlib import Path

from textual.widgets import Input

from screens.app import make_app
from screens.scenarios import LAPTOP, TEST_KEY
from tests.test_tui_crash import SIZE, settle
from wizard.scan import scan

ARCHIVE = "pycharm-community-2024.2.1.tar.gz"


async def open_save(pilot) -> tuple[str, str, str]:
    """Ctrl+S: (the folder offered, the plan line, the review) once the dialog has looked at the folder."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    app = pilot.app
    assert type(app.screen).__name__ == "SaveModal"
    return (app.screen.query_one("#save-folder", Input).value, str(app.screen.query_one("#save-plan").render()),
            str(app.screen.query_one("#review").render()))


async def test_the_save_dialog_offers_the_folder_that_holds_the_archive_and_says_why(tmp_path: Path):
    here = tmp_path / "work"
    here.mkdir()
    (here / ARCHIVE).write_bytes(b"")
    (here / "Dockerfile").write_text("FROM scratch\n")  # the user's own: kept as a backup
    found = scan(here)
    app = make_app(host=LAPTOP, found=found, start=here, base=tmp_path / "base", recovery_dirs=[tmp_path / "rec"])
    async with app.run_test(size=SIZE) as pilot:
        assert app.session.answers["app.archive"] == ARCHIVE and app.session.answers["image.name"] == "pycharm"
        folder, plan, review = await open_save(pilot)
        assert folder == str(here)
        assert ("The build context goes into the folder the wizard started in: the start folder already holds "
                f"{ARCHIVE}, which the answers name.") in review
        assert "Still to place there" not in plan and "Dockerfile" in plan  # overwritten, with its backup named
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "WizardScreen"
    assert ARCHIVE in (here / "Dockerfile").read_text()
    assert [b.read_text() for b in here.glob("Dockerfile.*")] == ["FROM scratch\n"]
    assert not (here / "pycharm").exists() and not (tmp_path / "base").exists()


async def test_a_folder_named_after_the_image_is_offered_itself(tmp_path: Path):
    here = tmp_path / "nc3-jupyter"
    here.mkdir()
    (here / "me.pub").write_text(TEST_KEY + "\n")  # recognised: the folder's name names the image
    app = make_app(host=LAPTOP, found=scan(here), start=here, base=tmp_path, recovery_dirs=[tmp_path / "rec"])
    async with app.run_test(size=SIZE) as pilot:
        assert app.session.answers["image.name"] == "nc3-jupyter"
        folder, _plan, review = await open_save(pilot)
        assert folder == str(here)
        assert "the start folder is named after the image (nc3-jupyter)" in review


async def test_a_folder_with_nothing_recognised_is_not_the_image_s_name_nor_its_folder(tmp_path: Path):
    here = tmp_path / "imgwizard"
    here.mkdir()
    (here / "pyproject.toml").write_text("[project]\n")
    app = make_app(host=LAPTOP, found=scan(here), start=here, base=here, recovery_dirs=[tmp_path / "rec"])
    async with app.run_test(size=SIZE) as pilot:
        name = app.session.answers["image.name"]
        assert name != "imgwizard" and "image.name" not in app.hints
        folder, _plan, review = await open_save(pilot)
        assert folder == str(here / name) and "started in" not in review
