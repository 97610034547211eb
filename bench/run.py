"""imgwizard benchmark: its output against the guide's own recipe on the real Docker engine, and the wizard's
own speed. A script, not a test: run it by hand (docs/benchmarks.md says how to read it).

    .venv/bin/python bench/run.py [--quick] [--skip-docker] [--only shell,jupyter,java]
    .venv/bin/python bench/run.py --peers [--runs 2] [--scenarios S1,S2,S3]
    .venv/bin/python bench/run.py --desktop-size

Part 1 (Docker, legacy builder through docker-py, like imgwizard itself): for each scenario, imgwizard's rendered
context and the guide-style Dockerfile in bench/guide/<scenario>/ are built cold (nocache) on the local
debian:bookworm-slim; then the same app-only change is applied to both and they are rebuilt with the cache.
Part 2 (no Docker): import time, render time, throughput over the answers space, TUI first frame, key press ->
preview latency, keystrokes.
--peers (Docker): imgwizard against neurodocker and hpccm on the same choices (bench/peers/compare.py).
--desktop-size (Docker): what the built-in desktop adds to its base, and which package pulls in what
(bench/desktop_size.py).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(HERE))  # the bench's modules beside this file (also under python -m bench.run)

from guide_compare import (
    BASE_IMAGE,
    BUILD_ARGS,
    build,
    check_base_is_slim,
    docker_client,
    run_docker,
    wait_for_base,
)
from report import print_goals, table
from scenarios import SCENARIOS, _render_into
from wizard_timings import wizard_figures, wizard_goals, wizard_rows

APT_CACHE = re.compile(r"http://[A-Za-z0-9.-]{1,253}:[0-9]{1,5}/?")


def peers(args: argparse.Namespace) -> int:
    """imgwizard against neurodocker and hpccm (bench/peers/compare.py), min of `args.runs` interleaved runs."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE / "peers"))
    from importlib.metadata import PackageNotFoundError, version

    from compare import run_peers

    try:
        version("neurodocker"), version("hpccm")
    except PackageNotFoundError as exc:
        print(f"--peers needs {exc.name}: install the bench extras first: .venv/bin/pip install -e '.[bench]'",
              file=sys.stderr)
        return 2

    work, api, base = _start(args, "peers", "imgwizard against the peers")
    try:
        status = run_peers(args.scenarios.split(","), max(args.runs, 1), work, build, _render_into, base["Size"], api,
                           args.offset)
    except RuntimeError as e:
        print(f"\n{e}", file=sys.stderr)
        args.keep = True
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nload at the end: {'/'.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min)")
    return status


def _start(args: argparse.Namespace, name: str, title: str) -> tuple[Path, Any, dict]:
    """What a Docker bench run starts with: the apt cache (if asked), a work folder, a line saying when and on
    what it runs, and the engine with the slim Debian base: (work folder, API client, the base's inspect)."""
    cache = set_up_apt_cache(args)
    work = Path(tempfile.mkdtemp(prefix=f"imgwizard-bench-{name}-"))
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{title}, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
          f"load {load} (1/5/15 min) at start, work folder {work}{cache}", flush=True)
    api = docker_client()
    base = wait_for_base(api)
    check_base_is_slim()
    return work, api, base


def desktop(args: argparse.Namespace) -> int:
    """The built-in desktop's size over its base (cold builds) and the package steps (bench/desktop_size.py)."""
    from desktop_size import desktop_size

    work, api, base = _start(args, "desktop", "the built-in desktop's size")
    try:
        rows, goals, steps = desktop_size(api, work, base, work / "build.log")
    except RuntimeError as e:
        print(f"\n{e}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nAdded over {BASE_IMAGE} (docker image inspect Size, MB = 10^6 bytes)\n")
    print(table(rows, ["image", "added", "added (MiB)", "cold build"]))
    print("\nWhat each package adds on top of the ones above it (apt-get install -s --no-install-recommends, "
          "Installed-Size)\n")
    print(table([[name, str(count), f"{kib / 1024:.1f} MiB"] for name, count, kib in steps],
                ["package", "new packages", "installed"]))
    return print_goals(goals)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the rebuild measurements (cold builds only)")
    ap.add_argument("--skip-docker", action="store_true", help="only the wizard's own figures")
    ap.add_argument("--only", default="", help="comma-separated scenarios (shell,jupyter,java)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (contexts, build log)")
    ap.add_argument("--peers", action="store_true",
                    help="only imgwizard against neurodocker and hpccm (S1, S2, S3; bench/peers), then exit")
    ap.add_argument("--desktop-size", action="store_true",
                    help="only the built-in desktop's size over its base and its packages' shares, then exit")
    ap.add_argument("--runs", type=int, default=2, help="interleaved runs of --peers (the minimum is reported)")
    ap.add_argument("--scenarios", default="S1,S2,S3", help="comma-separated --peers scenarios")
    ap.add_argument("--offset", type=int, default=0,
                    help="--peers: start the tools' rotation here (a later invocation interleaves with an earlier)")
    ap.add_argument("--apt-cache", metavar="URL", default="",
                    help="an HTTP caching proxy for apt (apt-cacher-ng, http://HOST:PORT) that every build's RUN uses "
                         "through the predefined http_proxy build argument, so that the packages' downloads do not "
                         "vary from build to build (docs/benchmarks.md)")
    return ap


def use_apt_cache(url: str) -> str:
    """Every build of this run goes through the apt cache at `url`; a line that says so, or a refusal."""
    if not APT_CACHE.fullmatch(url):
        raise SystemExit(f"--apt-cache: {url!r} is not http://HOST:PORT (an apt-cacher-ng the build containers reach, "
                         "e.g. http://172.17.0.1:3142 on the default bridge)")
    BUILD_ARGS["http_proxy"] = url
    return f"apt downloads through the cache at {url} (the build argument http_proxy, every tool alike)"


def set_up_apt_cache(args: argparse.Namespace) -> str:
    """Sets BUILD_ARGS for --apt-cache before any build; the header's line about it ("" without the option)."""
    return f"\n{use_apt_cache(args.apt_cache)}" if args.apt_cache else ""


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.peers:
        return peers(args)
    if args.desktop_size:
        return desktop(args)

    cache = set_up_apt_cache(args)
    work = Path(tempfile.mkdtemp(prefix="imgwizard-bench-"))
    started = datetime.datetime.now(datetime.timezone.utc)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"imgwizard benchmark, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {load} "
          f"(1/5/15 min) at start, work folder {work}{cache}")
    goals: list[tuple[str, str, bool | None]] = []
    docker_rows: list[list[str]] = []
    try:
        if not args.skip_docker:
            wanted = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",")]
            try:
                docker_rows, goals = run_docker(wanted, args.quick, work)
            except RuntimeError as e:  # a build failed: say which, where its log is, and keep the log
                args.keep = True
                print(f"\n{e}", file=sys.stderr)
                return 2
        figures = wizard_figures(work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    if docker_rows:
        print(f"\nOutput quality (docker-py legacy builder, base {BASE_IMAGE})\n")
        print(table(docker_rows, ["scenario", "measure", "imgwizard", "guide recipe", "ratio"]))
    print("\nThe wizard itself\n")
    print(table(wizard_rows(figures), ["measure", "figure"]))
    goals += wizard_goals(figures)
    print(f"\nload at the end: {'/'.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min; other builds on the "
          f"machine slow the build times, not the sizes)")
    return print_goals(goals)


if __name__ == "__main__":
    sys.exit(main())
