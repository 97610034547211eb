"""Text captures of the wizard's main screens for docs/user-guide.md (run: python docs/capture_screens.py).

Drives the app headless (fixed size, fixed host facts, a replayed recorded build) and prints each screen as
plain text between ``` fences.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import threading
from pathlib import Path

from screens.app import make_app
from screens.scenarios import GPU_SERVER, LAPTOP
from wizard.engine.build import parse_stream
from wizard.host import HostFacts

SIZE = (150, 40)
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
FIXTURE = FIXTURES / "docker_build_ok.jsonl"


def text_of(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def replay(context_dir: Path, tag: str, cancel: threading.Event, fixture: Path = FIXTURE):
    yield from parse_stream(json.loads(line) for line in fixture.read_text().splitlines() if line)


def replay_apt_failure(context_dir: Path, tag: str, cancel: threading.Event):
    yield from replay(context_dir, tag, cancel, FIXTURES / "docker_build_apt_fail.jsonl")


async def build(pilot) -> None:
    """F5, Enter keeps the folder, Enter keeps the tag; waits for the replayed build."""
    app = pilot.app
    await pilot.press("f5")
    await pilot.pause()
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await app.workers.wait_for_complete()
    app.clear_notifications()
    await pilot.pause()


async def capture() -> list[tuple[str, str]]:
    shots: list[tuple[str, str]] = []
    app = make_app(host=LAPTOP, output=Path("myapp"), builder=replay, clock=lambda: 0.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shots.append(("The first step", text_of(app)))
        await pilot.press("f1")
        await pilot.pause()
        shots.append(("Help (F1)", text_of(app)))
        await pilot.press("escape")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()  # the save dialog looks at the folder in a worker
        await pilot.pause()
        shots.append(("Save (Ctrl+S): the review page", text_of(app)))
        await pilot.press("escape")
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()  # the dialog saves in a worker
        await pilot.pause()
        shots.append(("Build: the tag (F5, after saving)", text_of(app)))
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.clear_notifications()
        await pilot.pause()
        shots.append(("Build log", text_of(app)))
    failing = make_app(host=LAPTOP, output=Path("failing"), builder=replay_apt_failure, clock=lambda: 0.0)
    async with failing.run_test(size=SIZE) as pilot:
        await build(pilot)
        shots.append(("A failed build: the failing step and the line that says why", text_of(failing)))
    blocked = make_app(host=HostFacts(arch="amd64", distro="Debian GNU/Linux 12", engine_problem=None))
    async with blocked.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        shots.append(("Save waits for an answer (no SSH key on this machine): why, and Enter goes there",
                      text_of(blocked)))
    gpu = make_app(host=GPU_SERVER, given={"app.type": "web"})
    async with gpu.run_test(size=SIZE) as pilot:
        gpu.session.go_to("gpu")
        await gpu.screen.show_step()
        await pilot.press("tab", "tab", "tab", "tab", "down")
        await pilot.pause()
        shots.append(("A middle step: GPU and PyTorch on an NVIDIA host", text_of(gpu)))
    return shots


def main() -> None:
    os.chdir(tempfile.mkdtemp())
    for title, text in asyncio.run(capture()):
        print(f"### {title}\n\n```text\n{text}\n```\n")


if __name__ == "__main__":
    main()
