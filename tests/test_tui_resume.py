"""Reopening answers at the step where the user was (issue 29, item 2.2): a recovery file keeps the step (a
comment line, wizard.session.STEP_MARK) and `imgwizard --answers FILE` opens the wizard there; an answers file that
names no step (or one that does not apply to its answers) opens at the first step."""

from pathlib import Path

import pytest

import screens.app
from screens.app import make_app
from screens.cli import main
from screens.scenarios import LAPTOP
from screens.widgets import StepsList
from tests.test_tui_crash import SIZE, go_to_step, raising_engine, settle, shown_step
from wizard import tree
from wizard.answers_file import parse
from wizard.load import read_given


class Opened:
    """What run_app opens, recorded instead of run (the CLI's own path from `--answers` to make_app)."""

    def __init__(self, monkeypatch):
        self.kwargs: dict = {}
        real = screens.app.make_app

        def record(given=None, **kwargs):
            self.kwargs = {"given": given, **kwargs}
            app = real(given, host=LAPTOP, step=kwargs.get("step", ""), recovery_dirs=[])
            app.run = lambda *a, **k: None  # no terminal here: the Pilot below runs the same app
            return app

        monkeypatch.setattr(screens.app, "make_app", record)


async def crash_at(step: str, rec: Path) -> Path:
    app = make_app(host=LAPTOP, recovery_dirs=[rec])
    async with app.run_test(size=SIZE) as pilot:
        await go_to_step(pilot, step)
        app.call_later(raising_engine)
        await pilot.pause()
    assert app.return_code == 1
    [saved] = rec.glob("recovered-*.toml")
    return saved


@pytest.mark.parametrize("step", ["gpu", "ssh"])
async def test_recovered_answers_reopen_at_the_step_where_the_user_was(tmp_path: Path, monkeypatch, step):
    saved = await crash_at(step, tmp_path / "cache")
    assert f"# imgwizard step: {step}\n" in saved.read_text()
    opened = Opened(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert main(["--answers", str(saved)]) == 0
    assert opened.kwargs["step"] == step
    given, problems = read_given(saved)
    assert problems == []
    app = make_app(given, host=LAPTOP, recovery_dirs=[tmp_path], step=opened.kwargs["step"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.step == step
        title, keys = shown_step(app)
        assert title == tree.BY_ID[step].title("en") and keys == list(tree.BY_ID[step].keys)
        steps = app.screen.query_one(StepsList)
        assert steps.highlighted_child.id == f"step-{step}"
        await pilot.press("f2", "home", "enter")  # the steps before it are there to go back to
        await settle(pilot)
        assert app.session.step == "app"


async def test_an_answers_file_without_a_step_opens_at_the_first_step(tmp_path: Path, monkeypatch):
    saved = await crash_at("gpu", tmp_path / "cache")
    plain_file = tmp_path / "answers.toml"
    plain_file.write_text("".join(line + "\n" for line in saved.read_text().splitlines()
                                  if not line.startswith("# imgwizard step:")))
    assert parse(plain_file.read_text()) == parse(saved.read_text())
    opened = Opened(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert main(["--answers", str(plain_file)]) == 0
    assert opened.kwargs["step"] == ""
    app = make_app(read_given(plain_file)[0], host=LAPTOP, recovery_dirs=[tmp_path], step="")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.step == "app" and shown_step(app)[0] == tree.BY_ID["app"].title("en")


async def test_a_step_that_does_not_apply_to_the_answers_opens_at_the_first_step(tmp_path: Path):
    app = make_app({"app.type": "shell"}, host=LAPTOP, recovery_dirs=[tmp_path], step="desktop")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.step == "app"
