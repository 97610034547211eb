"""The TUI's own speed (bench/run.py, no Docker): a fresh interpreter to the first frame, key press -> preview
over a scripted Pilot walk, and the keystrokes per TUI scenario."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def python() -> str:
    return sys.executable


FIRST_FRAME = r"""
import asyncio, importlib, inspect, sys, time
t0 = float(sys.argv[1])
try:
    t_start = time.time() - t0
    mod = importlib.import_module("screens.app")
    t_import = time.time() - t0
except ModuleNotFoundError as exc:
    if exc.name in ("screens.app",):
        print("MISSING"); sys.exit(0)
    raise
from textual.app import App

def make():
    factory = getattr(mod, "make_app", None)
    if factory is not None:
        params = inspect.signature(factory).parameters
        required = [p for p in params.values() if p.default is p.empty
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        if not required:
            return factory()
        kwargs = {}
        for p in required:
            if "out" in p.name or "dir" in p.name or "folder" in p.name:
                import tempfile, pathlib; kwargs[p.name] = pathlib.Path(tempfile.mkdtemp())
            else:
                kwargs[p.name] = None
        return factory(**kwargs)
    for value in vars(mod).values():
        if isinstance(value, type) and issubclass(value, App) and value is not App and value.__module__ == mod.__name__:
            return value()
    raise SystemExit("no make_app or App subclass in screens.app")

import textual.screen
_first = []
_original = textual.screen.Screen._compositor_refresh

_full = []

def _painted(self, *args, **kwargs):
    result = _original(self, *args, **kwargs)
    # The app's own first screen (not Textual's blank default screen) has been composited: the first frame.
    if not _first and type(self) is not textual.screen.Screen:
        _first.append(time.time() - t0)
        print(f"FRAME {_first[0]:.4f} python {t_start:.4f} imported {t_import:.4f} made {t_made:.4f}", flush=True)
    # The whole wizard is on screen once the preview pane (mounted after the first frame) shows a file.
    if _first and not _full and any(getattr(w, "painted", None) for w in self.query("#preview")):
        _full.append(time.time() - t0)
        print(f"FULL {_full[0]:.4f}", flush=True)
        self.app.exit()
    return result

textual.screen.Screen._compositor_refresh = _painted

async def main():
    global t_made
    app = make()
    t_made = time.time() - t0
    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(100):
            if _full:
                break
            await pilot.pause(0.05)
        app.exit()

asyncio.run(main())
"""


def first_frame(repeat: int = 9) -> tuple[str | float, str, float | None]:
    """(seconds from spawning a fresh interpreter to the first composited frame of the Textual app's own screen,
    headless, median of `repeat`; where that run's time went; median seconds until the preview pane, mounted
    after the first frame, shows its file)."""
    results = []
    full = []
    for _ in range(repeat):
        proc = subprocess.run([python(), "-c", FIRST_FRAME, repr(time.time())], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        if "MISSING" in proc.stdout:
            return "n/a (screens.app missing)", "", None
        frame = [line for line in proc.stdout.splitlines() if line.startswith("FRAME ")]
        if proc.returncode or not frame:
            tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
            return f"n/a (screens.app failed: {tail[:80]})", "", None
        total, started, imported, made = (float(x) for x in frame[0].split()[1::2])
        results.append((total, f"interpreter {started:.2f} s, import screens.app {imported - started:.2f} s, "
                               f"make_app {made - imported:.2f} s, mount to first frame {total - made:.2f} s"))
        full += [float(line.split()[1]) for line in proc.stdout.splitlines() if line.startswith("FULL ")]
    results.sort()
    frame_s, phases = results[len(results) // 2]
    return frame_s, phases, statistics.median(full) if len(full) == repeat else None


# A scripted walk through the wizard: presses that change answers (the app type, the OS, the next steps' first
# choices), each followed by the time until a frame is composited with the preview pane showing the new
# Dockerfile. Presses that change nothing in the preview (ctrl+n to the next step) are walked, not counted.
KEY_LATENCY = r"""
import asyncio, statistics, sys, time
import textual.screen
import screens.widgets
from screens.app import make_app
from screens.scenarios import LAPTOP

frames = []  # (start, end) of every compositor refresh: the frames the terminal would get
changes = []  # when the preview's Dockerfile tab took a new text
_original = textual.screen.Screen._compositor_refresh
_paint = screens.widgets.PreviewPane._paint

def _painted(self, *args, **kwargs):
    started = time.perf_counter()
    result = _original(self, *args, **kwargs)
    frames.append((started, time.perf_counter()))
    return result

def _paint_timed(self, index):
    before = self.painted.get(index)
    _paint(self, index)
    if index == 0 and self.painted.get(index) != before:
        changes.append(time.perf_counter())

textual.screen.Screen._compositor_refresh = _painted
screens.widgets.PreviewPane._paint = _paint_timed
WALK = (["down", "up"] * 4 + ["ctrl+n"] + ["down", "up"] * 3 + ["escape"]) * 3

async def main():
    import tempfile, pathlib
    app = make_app(host=LAPTOP, output=pathlib.Path(tempfile.mkdtemp()))
    latencies = []
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(200):
            if app.screen.query("#preview") and app.screen.query_one("#preview").painted:
                break
            await pilot.pause(0.02)
        for key in WALK:
            changes.clear()
            started = time.perf_counter()
            await pilot.press(key)
            deadline = started + 2
            while time.perf_counter() < deadline and changes and not any(s >= changes[-1] for s, _e in frames):
                await asyncio.sleep(0.001)
            if not changes:
                continue  # this press changed nothing in the preview
            # the end of the first frame composed after the preview took the change: the change on screen
            latencies.append(next(e for s, e in frames if s >= changes[-1]) - started)
            await pilot.pause()
        app.exit()
    print("LATENCIES " + " ".join(f"{x:.5f}" for x in latencies))

asyncio.run(main())
"""


def key_latency() -> tuple[float, float, int] | str:
    """(median s, p95 s, presses counted) from a key press to a frame with the preview showing the change, over a
    scripted Pilot walk (headless, 160x50)."""
    proc = subprocess.run([python(), "-c", KEY_LATENCY], cwd=ROOT, capture_output=True, text=True, timeout=300)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("LATENCIES")]
    if proc.returncode or not line or len(line[0].split()) < 3:
        return f"n/a ({(proc.stderr.strip().splitlines() or ['no presses changed the preview'])[-1][:80]})"
    values = sorted(float(x) for x in line[0].split()[1:])
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return statistics.median(values), p95, len(values)


def keystrokes() -> list[tuple[str, str]]:
    """Keystrokes per TUI scenario, if the TUI exposes a table (screens.scenarios or tests/tui_scenarios.py)."""
    import importlib

    candidates = ["screens.scenarios", "tests.tui_scenarios", "tests.tui.scenarios", "screens.app"]
    for name in candidates:
        try:
            mod = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - any missing or broken module just means no table
            continue
        for attr in ("KEYSTROKES", "SCENARIOS", "TUI_SCENARIOS", "scenarios"):
            table = getattr(mod, attr, None)
            rows = _keystroke_rows(table)
            if rows:
                return [(f"{k} [{name}.{attr}]", v) for k, v in rows]
    return []


def _keystroke_rows(table: Any) -> list[tuple[str, str]]:
    if table is None:
        return []
    items = table.items() if isinstance(table, dict) else enumerate(table) if isinstance(table, (list, tuple)) else []
    rows = []
    for key, value in items:
        name = getattr(value, "name", key)
        keys = getattr(value, "keys", value)
        if isinstance(value, dict):
            keys = value.get("keys", value.get("keystrokes", value))
        count = getattr(value, "keystrokes", None)
        if isinstance(count, int):
            rows.append((str(name), str(count)))
        elif isinstance(keys, int):
            rows.append((str(name), str(keys)))
        elif isinstance(keys, (list, tuple)):
            rows.append((str(name), str(len(keys))))
        elif isinstance(keys, str):
            rows.append((str(name), str(len(keys.split()))))
    return rows
