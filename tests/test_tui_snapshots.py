"""Snapshot tests (pytest-textual-snapshot): the first step, a middle step with its preview, the save dialog
and the build log. Fixed terminal size, cursor blink off, a fixed clock and fixed host facts.
Update after reviewing the SVGs: pytest tests/test_tui_snapshots.py --snapshot-update"""

import json
import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from screens.app import make_app
from screens.scenarios import GPU_SERVER, LAPTOP
from wizard.engine.build import parse_stream

SIZE = (150, 42)
FIXTURES = Path(__file__).parent / "fixtures"


def no_blink(app) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


def replay_ok(context_dir: Path, tag: str, cancel: threading.Event):
    chunks = [json.loads(line) for line in (FIXTURES / "docker_build_ok.jsonl").read_text().splitlines() if line]
    yield from parse_stream(iter(chunks))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_first_step(snap_compare, in_tmp):
    async def before(pilot):
        no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(host=LAPTOP), terminal_size=SIZE, run_before=before)


def test_middle_step_with_preview(snap_compare, in_tmp):
    async def before(pilot):
        app = pilot.app
        app.session.go_to("gpu")
        await app.screen.show_step()
        await pilot.press("tab", "tab", "tab", "tab", "down")  # PyTorch: the newest release
        no_blink(app)
        await pilot.pause()

    app = make_app(host=GPU_SERVER, given={"app.type": "web"})
    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_save_dialog(snap_compare, in_tmp):
    (in_tmp / "ctx").mkdir()
    (in_tmp / "ctx" / "Dockerfile").write_text("FROM scratch\n")

    async def before(pilot):
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()  # the dialog looks at the folder in the background
        await pilot.pause()
        no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(host=LAPTOP, output=Path("ctx")), terminal_size=SIZE, run_before=before)


def test_build_log(snap_compare, in_tmp):
    async def before(pilot):
        app = pilot.app
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")  # save into ./ctx
        await pilot.pause()
        await pilot.press("enter")  # tag myapp:latest
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.clear_notifications()
        await pilot.pause()

    app = make_app(host=LAPTOP, output=Path("ctx"), builder=replay_ok, clock=lambda: 100.0)
    assert snap_compare(app, terminal_size=SIZE, run_before=before)
