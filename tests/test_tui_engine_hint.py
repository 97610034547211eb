"""Whether a Docker engine answers is checked after the first frame and shown as a hint on the summary line.
The probe is injected (an engine that answers / one that does not), as the other TUI tests do."""

from __future__ import annotations

from textual.widgets import Static

from screens.app import make_app
from screens.scenarios import LAPTOP


async def summary_after_probe(engine) -> str:
    app = make_app(host=LAPTOP, engine=engine, probe_engine=True)
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return str(app.screen.query_one("#summary", Static).render())


async def test_no_engine_is_a_hint_and_the_wizard_still_works():
    text = await summary_after_probe(lambda: "cannot connect to the Docker socket")
    assert "No Docker engine answers: you can still save" in text


async def test_a_ready_engine_is_a_hint_too():
    text = await summary_after_probe(lambda: None)
    assert "Docker engine: ready" in text


async def test_without_the_probe_the_summary_says_nothing_about_docker():
    app = make_app(host=LAPTOP, engine=lambda: None)
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.pause()
        assert "Docker" not in str(app.screen.query_one("#summary", Static).render())
