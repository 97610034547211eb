"""screens/idle.py: full garbage collections only while the user pauses (bench/run.py key press -> preview p95)."""

import gc
from pathlib import Path

from screens.app import make_app
from screens.idle import PUT_OFF, IdleCollector
from screens.scenarios import LAPTOP


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _full_collections() -> list[int]:
    seen: list[int] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(callback)
    return seen


def test_a_full_collection_runs_only_after_the_user_paused_and_stop_puts_gc_back():
    before = gc.get_threshold()
    clock = Clock()
    collector = IdleCollector(quiet=1.0, clock=clock)
    seen = _full_collections()
    try:
        collector.start()
        assert gc.get_threshold() == (before[0], before[1], PUT_OFF)
        assert gc.get_freeze_count() > 0
        assert collector.tick() is False  # nothing changed yet
        collector.touched()
        clock.now += 0.5
        assert collector.tick() is False and seen == []  # still typing
        clock.now += 0.6
        assert collector.tick() is True and seen == [1]
        assert collector.tick() is False and seen == [1]  # once per pause
    finally:
        collector.stop()
        gc.callbacks.pop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


async def test_the_wizard_puts_off_full_collections_while_it_runs(tmp_path: Path):
    before = gc.get_threshold()
    app = make_app(host=LAPTOP, output=tmp_path / "ctx")
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(100):
            if app.screen.query("#preview"):
                break
            await pilot.pause(0.02)
        await pilot.pause()
        assert gc.get_threshold()[2] == PUT_OFF
        await pilot.press("down")
        assert app.collector.due
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
