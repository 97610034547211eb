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
from wizard.docker_ops import parse_stream

SIZE = (150, 40)
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "docker_build_ok.jsonl"


def text_of(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def replay(context_dir: Path, tag: str, cancel: threading.Event):
    yield from parse_stream(json.loads(line) for line in FIXTURE.read_text().splitlines() if line)


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
        shots.append(("Save (Ctrl+S)", text_of(app)))
        await pilot.press("escape")
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        shots.append(("Build: the tag (F5, after saving)", text_of(app)))
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.clear_notifications()
        await pilot.pause()
        shots.append(("Build log", text_of(app)))
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
