"""imgwizard's context against the guide's recipe on the real Docker engine (bench/run.py without --skip-docker):
cold builds, the app-only change and a rebuild with the cache, sizes, layers and contents, rows and goals."""

from __future__ import annotations

import functools
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenarios import Scenario, make_contexts

ROOT = Path(__file__).resolve().parent.parent

BASE_IMAGE = "debian:bookworm-slim"
REBUILD_GOAL = 0.15  # rebuild after an app-only change <= 15% of imgwizard's own cold build
FLOOR_POINTS = 3.0  # imgwizard's size ratio at most this many points above the floor (issue 13)
MB = 1_000_000
# Build arguments of every build the bench makes (--apt-cache). Docker's predefined proxy arguments reach each RUN's
# environment without an ARG in the Dockerfile and take no part in the build cache's keys or the image's history.
BUILD_ARGS: dict[str, str] = {}


@dataclass
class Build:
    seconds: float
    image_id: str
    steps: int
    cached_steps: int


@dataclass
class Variant:
    label: str
    cold: Build | None = None
    rebuild: Build | None = None
    size_added: int = 0
    layers_added: int = 0  # RootFS layers over the base image's
    nonempty_history: int = 0  # history entries above the base with a non-zero size
    packages: int = 0  # bytes of the files of the packages added over the base
    python: int = 0  # bytes of the Python packages (venv, conda, /usr/local dist-packages)
    ids: list[str] = field(default_factory=list)


def docker_client():
    import docker

    return docker.APIClient(timeout=3600)


def wait_for_base(api, tries: int = 30) -> dict[str, Any]:
    import docker.errors

    for i in range(tries):
        try:
            return api.inspect_image(BASE_IMAGE)
        except docker.errors.ImageNotFound:
            print(f"  {BASE_IMAGE} is missing (being re-created?), waiting 10 s ({i + 1}/{tries})", flush=True)
            time.sleep(10)
    raise SystemExit(f"{BASE_IMAGE} never appeared; create it (docs/benchmarks.md) and run again")


def check_base_is_slim() -> None:
    """The comparison is only fair on a base that behaves like the registry's debian:bookworm-slim: apt's
    docker-clean (no .debs or package caches left in a layer) and the slim dpkg excludes (no docs, man pages,
    translations). scripts/make-base-image.sh makes such a base and says whether an image is one."""
    if subprocess.run(["bash", str(ROOT / "scripts" / "make-base-image.sh"), "--check", BASE_IMAGE]).returncode:
        raise SystemExit(f"{BASE_IMAGE} lacks the registry image's apt/dpkg settings (docker-clean, slim "
                         f"excludes): re-make it with scripts/make-base-image.sh and run again")


def build(api, path: Path, tag: str, nocache: bool, log: Path) -> Build:
    wait_for_base(api)
    started = time.perf_counter()
    image_id = ""
    steps = cached = 0
    with log.open("a") as out:
        out.write(f"\n===== build {tag} nocache={nocache}\n")
        for chunk in api.build(path=str(path), tag=tag, nocache=nocache, decode=True, rm=True, forcerm=True,
                               pull=False, buildargs=dict(BUILD_ARGS) or None):
            if "stream" in chunk:
                line = chunk["stream"]
                out.write(line)
                if line.startswith("Step "):
                    steps += 1
                elif "Using cache" in line:
                    cached += 1
            if "aux" in chunk and "ID" in chunk["aux"]:
                image_id = chunk["aux"]["ID"]
            if "error" in chunk:
                out.write(chunk["error"] + "\n")
                raise RuntimeError(f"build of {tag} failed: {chunk['error'].strip()} (log: {log})")
    seconds = time.perf_counter() - started
    if not image_id:
        image_id = api.inspect_image(tag)["Id"]
    return Build(seconds, image_id, steps, cached)


def measure(api, v: Variant, base: dict[str, Any]) -> None:
    info = api.inspect_image(v.cold.image_id)
    v.size_added = info["Size"] - base["Size"]
    v.layers_added = len(info["RootFS"]["Layers"]) - len(base["RootFS"]["Layers"])
    history = api.history(v.cold.image_id)  # newest first
    base_history = len(api.history(base["Id"]))
    v.nonempty_history = sum(1 for h in history[: len(history) - base_history] if h.get("Size", 0) > 0)


# Inside a built image: the bytes of the regular files owned by the packages the base does not have or has at
# another version (an install can upgrade a base package: perl pins perl-base to its own version, and a listed
# tzdata is upgraded; their files are in the new layer as much as a new package's), each file once (dpkg lists
# some through symlinked folders, so folders are resolved first; hard links, like mesa's drivers or git's
# commands, count once), then the bytes under the Python package folders (imgwizard's venv, conda, or the
# system pip's /usr/local).
CONTENTS = r"""
dpkg-query -W -f '${Package}=${Version}\n' | sort > /tmp/now
printf '%s\n' $BASE_PACKAGES | sort > /tmp/base
comm -13 /tmp/base /tmp/now | cut -d= -f1 | xargs -r dpkg-query -L 2>/dev/null | sort -u > /tmp/paths
xargs -r -d '\n' dirname < /tmp/paths | xargs -r -d '\n' realpath -m > /tmp/dirs
xargs -r -d '\n' basename -a < /tmp/paths > /tmp/names
paste -d / /tmp/dirs /tmp/names | sort -u | xargs -r -d '\n' stat -c '%F %h %i %s' 2>/dev/null \
  | awk '$1 == "regular" && ($(NF - 2) == 1 || !seen[$(NF - 1)]++) {s += $NF} END {print s + 0}'
du -sb /opt/venv /opt/conda /usr/local/lib/python3*/dist-packages 2>/dev/null | awk '{s += $1} END {print s + 0}'
"""


def run_output(image: str, argv: list[str], environment: dict[str, str] | None = None) -> str:
    """stdout of `argv` run in a fresh container of `image` (waited for before reading: containers.run(remove=True)
    can return before the whole output is read)."""
    import docker

    container = docker.from_env().containers.run(image, entrypoint=argv[:1], command=argv[1:],
                                                 environment=environment or {}, detach=True)
    try:
        status = container.wait()["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode()
        if status:
            raise RuntimeError(f"{argv[0]} in {image} exited with {status}: {container.logs().decode()[-300:]}")
        return out
    finally:
        container.remove(force=True)


@functools.cache
def base_packages() -> str:
    return run_output(BASE_IMAGE, ["dpkg-query", "-W", "-f", "${Package}=${Version} "])


def contents(image: str) -> tuple[int, int]:
    """(bytes of the files of the packages added or upgraded over the base, bytes of the Python packages) in
    `image`: what the image holds because the recipe asked for it, as opposed to caches, lists and left-overs."""
    packages, python = run_output(image, ["sh", "-c", CONTENTS], {"BASE_PACKAGES": base_packages()}).split()
    return int(packages), int(python)


def remove_images(api, ids: list[str]) -> None:
    import docker.errors

    for image_id in reversed(ids):  # the rebuilt image first: it sits on the cold one's layers
        try:
            api.remove_image(image_id, force=True)
        except docker.errors.APIError:
            pass


def run_docker(scenarios: list[Scenario], quick: bool, work: Path
               ) -> tuple[list[list[str]], list[tuple[str, str, bool]]]:
    api = docker_client()
    wait_for_base(api)
    check_base_is_slim()
    rows: list[list[str]] = []
    goals: list[tuple[str, str, bool]] = []
    for s in scenarios:
        print(f"- {s.name}: {s.title}", flush=True)
        w, g = measure_scenario(api, s, quick, work)
        rows += scenario_rows(s, w, g)
        goals += scenario_goals(s, w, g)
    return rows, goals


def measure_scenario(api, s: Scenario, quick: bool, work: Path) -> tuple[Variant, Variant]:
    """imgwizard's and the guide's variant of `s`: a cold build each, measured, then (unless `quick`) the
    app-only change and a rebuild with the cache. The images are removed at the end."""
    log = work / "docker-build.log"
    wiz_ctx, guide_ctx = make_contexts(s, work)
    variants = {"imgwizard": (Variant("imgwizard"), wiz_ctx, s.wizard_change),
                "guide": (Variant("guide"), guide_ctx, s.guide_change)}
    try:
        for label, (v, ctx, change) in variants.items():
            tag = f"imgwizard-bench/{s.name}-{label}:latest"
            print(f"  {label}: cold build ...", end="", flush=True)
            v.cold = build(api, ctx, tag, nocache=True, log=log)
            v.ids.append(v.cold.image_id)
            measure(api, v, api.inspect_image(BASE_IMAGE))
            v.packages, v.python = contents(v.cold.image_id)
            print(f" {v.cold.seconds:.1f} s, +{v.size_added / MB:.1f} MB", flush=True)
            if not quick:
                change(ctx)
                print(f"  {label}: rebuild after '{s.change}' ...", end="", flush=True)
                v.rebuild = build(api, ctx, tag, nocache=False, log=log)
                v.ids.append(v.rebuild.image_id)
                print(f" {v.rebuild.seconds:.1f} s ({v.rebuild.cached_steps}/{v.rebuild.steps} steps cached)",
                      flush=True)
    finally:
        for v, _, _ in variants.values():
            remove_images(api, v.ids)
    return variants["imgwizard"][0], variants["guide"][0]


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def floor_ratio(w: Variant, g: Variant) -> float:
    """imgwizard's packages + Python over the guide's size added: the smallest ratio a Dockerfile with the same
    packages reaches (issue 13: imgwizard's size ratio within 3 points of it)."""
    return _ratio(w.packages + w.python, g.size_added)


def scenario_rows(s: Scenario, w: Variant, g: Variant) -> list[list[str]]:
    rows = [[s.name, "size added over base", f"{w.size_added / MB:.1f} MB", f"{g.size_added / MB:.1f} MB",
             f"{_ratio(w.size_added, g.size_added):.0%}"]]
    for what, wv, gv in (("of which: files of the packages added/upgraded", w.packages, g.packages),
                         ("of which: Python packages (venv / pip)", w.python, g.python),
                         ("of which: the rest (caches, lists, other)", w.size_added - w.packages - w.python,
                          g.size_added - g.packages - g.python)):
        rows.append([s.name, f"  {what}", f"{wv / MB:.1f} MB", f"{gv / MB:.1f} MB", ""])
    rows.append([s.name, "  imgwizard's packages + Python alone / guide's size", "", "", f"{floor_ratio(w, g):.0%}"])
    rows.append([s.name, "cold build (nocache)", f"{w.cold.seconds:.1f} s", f"{g.cold.seconds:.1f} s",
                 f"{w.cold.seconds / g.cold.seconds:.0%}"])
    if w.rebuild and g.rebuild:
        rows.append([s.name, f"rebuild: {s.change}", f"{w.rebuild.seconds:.1f} s", f"{g.rebuild.seconds:.1f} s",
                     f"{w.rebuild.seconds / g.rebuild.seconds:.0%}"])
        rows.append([s.name, "rebuild / own cold build", f"{w.rebuild.seconds / w.cold.seconds:.1%}",
                     f"{g.rebuild.seconds / g.cold.seconds:.1%}", ""])
    for what, wv, gv in (("layers added (RootFS)", w.layers_added, g.layers_added),
                         ("layers added (size > 0)", w.nonempty_history, g.nonempty_history)):
        rows.append([s.name, what, str(wv), str(gv), f"{wv / gv:.0%}" if gv else ""])
    return rows


def scenario_goals(s: Scenario, w: Variant, g: Variant) -> list[tuple[str, str, bool]]:
    size_ratio, floor = _ratio(w.size_added, g.size_added), floor_ratio(w, g)
    points = (size_ratio - floor) * 100
    # The size goal is the floor's (issue 13), not a fixed share of the guide's size: the packages alone are
    # 50-57% of the guide's for jupyter and java, so the 40% of 2026-11-28 was one no Dockerfile could meet.
    goals = [(f"{s.name}: size within {FLOOR_POINTS:.0f} points of the floor",
              f"{size_ratio:.1%} against {floor:.1%} ({points:.1f} points)", points <= FLOOR_POINTS)]
    if w.rebuild:
        r = w.rebuild.seconds / w.cold.seconds
        goals.append((f"{s.name}: app-only rebuild <= {REBUILD_GOAL:.0%} of cold build",
                      f"{r:.1%} ({w.rebuild.seconds:.1f} s / {w.cold.seconds:.1f} s)", r <= REBUILD_GOAL))
    return goals
