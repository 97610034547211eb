"""The wizard's own speed (bench/run.py, no Docker): import time, render time, throughput over the answers space,
with the TUI's figures (tui_timings.py); the table rows and the goals of that part."""

from __future__ import annotations

import random
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios import HOST_CA, SCENARIOS
from tui_timings import first_frame, key_latency, keystrokes, python

ROOT = Path(__file__).resolve().parent.parent
RENDER_GOAL_MS = 5.0
FIRST_FRAME_GOAL_S = 1.0
LATENCY_GOAL_MS = 100.0  # key press -> a frame with the preview showing the change, p95 of a scripted walk


def import_time(repeat: int = 5) -> tuple[float, float]:
    """(median wall-clock seconds of `import wizard.render` in a fresh interpreter minus a bare interpreter,
    cumulative microseconds -X importtime reports for wizard.render)."""

    def wall(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([python(), "-c", code], check=True, cwd=ROOT)
        return time.perf_counter() - started

    bare = statistics.median(wall("pass") for _ in range(repeat))
    full = statistics.median(wall("import wizard.render") for _ in range(repeat))
    out = subprocess.run([python(), "-X", "importtime", "-c", "import wizard.render"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stderr
    cumulative = 0.0
    for line in out.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "wizard.render":
            cumulative = float(parts[1])
    return full - bare, cumulative


def render_median(work: Path, n: int = 1000) -> tuple[float, float]:
    """(median ms of render(), median ms of load()+render()) over n runs of the shell scenario's answers."""
    from wizard.load import load
    from wizard.render import render

    folder = work / "render"
    folder.mkdir(exist_ok=True)
    key = folder / "key.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHv8mN0e7Q0m9H3Xc8Kq1m3h0x0Yb9Zc3yq0m7cR3kGf bench\n")
    path = folder / "imgwizard.toml"
    path.write_text(SCENARIOS[0].answers.format(key="key.pub"))
    answers, problems = load(path)
    assert not problems, problems
    render(answers, folder)  # warm the template cache, as a running wizard has it
    times = []
    for _ in range(n):
        started = time.perf_counter()
        render(answers, folder)
        times.append(time.perf_counter() - started)
    full = []
    for _ in range(n):
        started = time.perf_counter()
        a, _ = load(path)
        render(a, folder)
        full.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, statistics.median(full) * 1000


def random_answers(rng: random.Random, key_path: str) -> dict[str, Any]:
    """One answer set made by walking wizard.answers.FIELDS in order and picking among each field's choices."""
    from wizard.answers import FIELDS

    pools = {
        "packages.apt": ["htop", "tmux", "jq", "zip"],
        "packages.pip": ["six", "requests==2.32.3", "numpy", "ray[client]==2.9.0"],
    }
    given: dict[str, Any] = {}
    for f in FIELDS:
        if not f.when(given):
            continue
        if f.kind == "choice":
            choices = [c.value for c in f.choices_for(given)]
            if f.key == "gpu.pytorch" and rng.random() < 0.5:
                choices = [""]
            value = rng.choice(choices) if choices else f.default_for(given)
        elif f.kind == "bool":
            value = rng.random() < 0.5
        elif f.kind == "int":
            value = rng.choice([22, 2222, 8006, 8080, 31000, 31001])
        elif f.kind == "list":
            pool = pools.get(f.key, [])
            value = rng.sample(pool, rng.randint(0, len(pool))) if pool else []
        elif f.key == "ssh.authorized_key":
            value = key_path
        elif f.key == "network.extra_ca":
            value = rng.choice(["", HOST_CA])
        elif f.key == "gpu.driver":
            value = rng.choice(["", "550.135"])
        elif f.key == "gpu.host_driver":
            value = given.get("gpu.driver") or rng.choice(["", "535.171.04", "570.86.10"])
        else:
            value = f.default_for(given)
        given[f.key] = value
    return given


def throughput(work: Path, count: int = 2000, seed: int = 5) -> tuple[float, int, int, int]:
    """(renders per second, valid sets rendered, distinct Dockerfiles, sets refused by validation)."""
    from wizard.render import render
    from wizard.validate import validate

    folder = work / "space"
    folder.mkdir(exist_ok=True)
    (folder / "key.pub").write_text(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHv8mN0e7Q0m9H3Xc8Kq1m3h0x0Yb9Zc3yq0m7cR3kGf bench\n")
    rng = random.Random(seed)
    valid: list[dict[str, Any]] = []
    refused = 0
    seen_sets = set()
    tries = 0
    while len(valid) < count and tries < count * 5:
        tries += 1
        given = random_answers(rng, "key.pub")
        answers, problems = validate(given, folder)
        if problems:
            refused += 1
            continue
        marker = repr(sorted(answers.items()))
        if marker in seen_sets:
            continue
        seen_sets.add(marker)
        valid.append(answers)
    dockerfiles = set()
    started = time.perf_counter()
    for answers in valid:
        dockerfiles.add(render(answers, folder).dockerfile)
    elapsed = time.perf_counter() - started
    return len(valid) / elapsed, len(valid), len(dockerfiles), refused


@dataclass
class WizardFigures:
    import_wall: float  # s
    import_cumulative: float  # us, -X importtime
    render_ms: float
    load_render_ms: float
    throughput: tuple[float, int, int, int]  # renders/s, valid sets, distinct Dockerfiles, refused
    frame: str | float  # s, or why it could not be measured
    frame_phases: str
    full_frame: float | None
    latency: tuple[float, float, int] | str  # median s, p95 s, presses; or why not
    keys: list[tuple[str, str]]


def wizard_figures(work: Path) -> WizardFigures:
    print("- wizard: import, render, throughput, first frame", flush=True)
    wall, cumulative = import_time()
    render_ms, load_render_ms = render_median(work)
    rate = throughput(work)
    frame, frame_phases, full_frame = first_frame()
    return WizardFigures(wall, cumulative, render_ms, load_render_ms, rate, frame, frame_phases, full_frame,
                         key_latency(), keystrokes())


def wizard_rows(f: WizardFigures) -> list[list[str]]:
    rate, rendered, distinct, refused = f.throughput
    rows = [
        ["import wizard.render (wall, minus bare python)", f"{f.import_wall * 1000:.0f} ms"],
        ["import wizard.render (-X importtime, cumulative)", f"{f.import_cumulative / 1000:.0f} ms"],
        ["render() median of 1,000 (shell scenario)", f"{f.render_ms:.2f} ms"],
        ["load()+render() median of 1,000", f"{f.load_render_ms:.2f} ms"],
        ["throughput over the answers space", f"{rate:.0f} renders/s ({rendered} valid sets, {distinct} distinct "
                                              f"Dockerfiles, {refused} refused)"],
        ["TUI cold start to first frame (headless, median of 9)",
         f.frame if isinstance(f.frame, str) else f"{f.frame:.2f} s"],
    ]
    if f.frame_phases:
        rows.append(["  of which", f.frame_phases])
    rows.append(["TUI cold start to the preview shown (mounted after the first frame)",
                 f"{f.full_frame:.2f} s" if f.full_frame is not None else "n/a"])
    latency = f.latency
    rows.append(["key press -> preview shows the change (scripted Pilot walk, median / p95)",
                 latency if isinstance(latency, str) else
                 f"{latency[0] * 1000:.0f} ms / {latency[1] * 1000:.0f} ms over {latency[2]} presses"])
    if f.keys:
        rows += [[f"keystrokes: {name}", count] for name, count in f.keys]
    else:
        rows.append(["keystrokes per TUI scenario", "n/a (no scenario table exposed by the TUI yet)"])
    return rows


def wizard_goals(f: WizardFigures) -> list[tuple[str, str, bool | None]]:
    goals: list[tuple[str, str, bool | None]] = [
        (f"render median < {RENDER_GOAL_MS:.0f} ms", f"{f.render_ms:.2f} ms", f.render_ms < RENDER_GOAL_MS)]
    frame_goal = f"first frame < {FIRST_FRAME_GOAL_S:.0f} s"
    goals.append((frame_goal, f"{f.frame:.2f} s", f.frame < FIRST_FRAME_GOAL_S) if isinstance(f.frame, float)
                 else (frame_goal, f.frame, None))
    latency_goal = f"key press -> preview p95 < {LATENCY_GOAL_MS:.0f} ms"
    goals.append((latency_goal, f"{f.latency[1] * 1000:.0f} ms", f.latency[1] * 1000 < LATENCY_GOAL_MS)
                 if isinstance(f.latency, tuple) else (latency_goal, f.latency, None))
    return goals
