"""The wizard's screens as SVG images for README.md and docs/user-guide.md: regenerate them, never edit them.

    python docs/capture_screens.py                       # every screen into docs/img/
    python docs/capture_screens.py --only first-step --out /tmp/shots

Each picture is Textual's own export (App.export_screenshot) of the app driven headless by Pilot from fixed
inputs: a 150x40 terminal, the fixed host facts of screens.scenarios (a laptop; a GPU server with driver
570.133.20), fixed answers and keys, a replayed recorded docker-py build (tests/fixtures), a clock stuck at 0,
nothing remembered from ~/.config, the input cursor's blink off, the dark theme, an empty temporary working
folder. Rich names the SVG's CSS classes and clip paths `terminal-<adler32 of the recorded content>`; the script
replaces that with `terminal-<picture name>`, so a re-run writes byte-identical files and two pictures never
share class names.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # run as a script: from anywhere, and blind to a user's TEXTUAL_THEME, _DIM_FACTOR...
    sys.path.insert(0, str(ROOT))
    for _name in [n for n in os.environ if n.startswith("TEXTUAL_")]:
        del os.environ[_name]

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input  # noqa: E402

from screens.app import WizardApp, make_app  # noqa: E402
from screens.scenarios import GPU_SERVER, LAPTOP  # noqa: E402
from wizard.engine.build import parse_stream  # noqa: E402
from wizard.host import HostFacts  # noqa: E402

SIZE = (150, 40)
TITLE = "imgwizard"
THEME = "textual-dark"
IMG = ROOT / "docs" / "img"
FIXTURES = ROOT / "tests" / "fixtures"
GPU_ANSWERS = {"app.type": "web", "app.name": "jupyter", "gpu.pytorch": "2.13.0"}
# a machine with no SSH key: Save waits for the key
NO_KEY = HostFacts(arch="amd64", distro="Debian GNU/Linux 12", engine_problem=None)


def replay(context_dir: Path, tag: str, cancel: threading.Event, fixture: str = "docker_build_ok.jsonl"):
    """A builder that plays a recorded docker-py build instead of asking an engine."""
    lines = (FIXTURES / fixture).read_text().splitlines()
    yield from parse_stream(json.loads(line) for line in lines if line)


def replay_apt_failure(context_dir: Path, tag: str, cancel: threading.Event):
    yield from replay(context_dir, tag, cancel, "docker_build_apt_fail.jsonl")


def laptop_app(output: str = "myapp", builder=replay) -> WizardApp:
    return make_app(host=LAPTOP, output=Path(output), builder=builder, clock=lambda: 0.0)


def fixed_id(svg: str, name: str) -> str:
    """Rich's content-hash id (`terminal-1234567890`) -> `terminal-<name>`."""
    return re.sub(r"\bterminal-\d+(?=-)", f"terminal-{name}", svg)


async def settle(pilot: Pilot) -> None:
    """Let the workers finish and the screen repaint; the cursor steady and no toast (both depend on the clock)."""
    app = pilot.app
    await app.workers.wait_for_complete()
    app.clear_notifications()
    await pilot.pause()
    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def press(pilot: Pilot, *keys: str) -> None:
    """Each key, then let the wizard finish what it started (dialogs save and look at folders in workers)."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# ---- the screens: each starts its own app and leaves it on the screen to capture

async def first_step(pilot: Pilot) -> None:
    await pilot.pause()


async def help_screen(pilot: Pilot) -> None:
    await press(pilot, "f1")


async def save_review(pilot: Pilot) -> None:
    await press(pilot, "ctrl+s")


async def build_tag(pilot: Pilot) -> None:
    await press(pilot, "f5", "enter")  # F5 offers to save first; Enter saves, then the tag is asked


async def build_log(pilot: Pilot) -> None:
    await press(pilot, "f5", "enter", "enter")  # ... and Enter keeps the tag: the replayed build runs


async def gpu_step(pilot: Pilot) -> None:
    """JupyterLab on the GPU server, at the GPU step: PyTorch 2.13.0 -> 2.14.1 (up), the preview marks what changed."""
    app = pilot.app
    app.session.go_to("gpu")
    await app.screen.show_step()
    await press(pilot, "tab", "tab", "tab", "tab", "up")


@dataclass(frozen=True)
class Shot:
    name: str  # docs/img/wizard-<name>.svg
    caption: str  # its heading in docs/user-guide.md (### caption), in this order
    app: Callable[[], WizardApp]
    play: Callable[[Pilot], Awaitable[None]]
    expect: str  # a line of text the picture must show (tests/test_screen_captures.py)

    @property
    def file(self) -> str:
        return f"wizard-{self.name}.svg"


SHOTS: dict[str, Shot] = {s.name: s for s in (
    Shot("first-step", "The first step", laptop_app, first_step, "What kind of app?"),
    Shot("gpu-step",
         "A middle step: GPU and PyTorch on an NVIDIA host (Up from 2.13.0 to 2.14.1: ❱ marks what changed)",
         lambda: make_app(host=GPU_SERVER, given=GPU_ANSWERS, clock=lambda: 0.0), gpu_step,
         "jupyter web app on ubuntu 22.04, nvidia, PyTorch 2.14.1"),
    Shot("help", "Help (F1)", laptop_app, help_screen, "imgwizard keys"),
    Shot("save", "Save (Ctrl+S): the review page", laptop_app, save_review,
         "Review and save the build context (Enter saves)"),
    Shot("save-blocked", "Save waits for an answer (no SSH key on this machine): why, and F6 goes there",
         lambda: make_app(host=NO_KEY, clock=lambda: 0.0), save_review, "F6 goes there"),
    Shot("build-tag", "Build: the tag (F5, after saving)", laptop_app, build_tag, "Tag (name:tag):"),
    Shot("build-log", "The build log", laptop_app, build_log, "Built myapp:latest. Next:"),
    Shot("build-failed", "A failed build: the failing step and the line that says why",
         lambda: laptop_app("failing", replay_apt_failure), build_log, "Failed at step 3/4"),
)}


async def capture(shot: Shot) -> str:
    """The SVG of one screen, with a fixed id."""
    app = shot.app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = THEME
        await pilot.pause()
        await shot.play(pilot)
        await settle(pilot)
        svg = app.export_screenshot(title=TITLE, simplify=True)
    return fixed_id(svg, shot.name)


def write(names: list[str], out: Path) -> list[Path]:
    """Capture `names` into `out` (created), each in a fresh empty working folder; the files written."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    here, written = Path.cwd(), []
    try:
        for name in names:
            shot = SHOTS[name]
            with tempfile.TemporaryDirectory(prefix="imgwizard-capture-") as work:
                os.chdir(work)  # Save writes ./myapp/ here; the pictures show only relative paths
                svg = asyncio.run(capture(shot))
                os.chdir(here)
            path = out / shot.file
            path.write_text(svg, encoding="utf-8")
            written.append(path)
    finally:
        os.chdir(here)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(SHOTS), help="this screen only (repeatable)")
    parser.add_argument("--out", type=Path, default=IMG, help=f"folder for the SVGs (default {IMG.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    for path in write(args.only or list(SHOTS), args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
