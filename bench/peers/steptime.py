"""Where a peer scenario's cold build spends its time, step by step and line by line (docs/benchmarks.md).

    .venv/bin/python bench/peers/steptime.py S3 --passes 3 [--tools imgwizard,hpccm] [--apt-cache URL]

Builds each tool's context of the scenario (bench/peers/compare.py makes them as `bench/run.py --peers` does)
without the cache, the tools' order rotating from pass to pass, and times docker-py's build stream as it comes:
each step's seconds, the output lines followed by the longest silences (what ran then), and marks in apt's and
dpkg's output (index fetched, first unpack, first and last configure). A script, not a test; it builds on the
local engine and removes nothing but its own tags' images.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent.parent)]

import choices  # bench/peers, found through the path above
import compare
import guide_compare  # bench/guide_compare.py
import run  # bench/run.py
import scenarios  # bench/scenarios.py

MARKS = [("fetched", re.compile(r"^Reading package lists")),
         ("first_unpack", re.compile(r"^(Preparing to unpack|Selecting previously)")),
         ("first_setup", re.compile(r"^Setting up "))]
LAST = re.compile(r"^(Setting up |Processing triggers)")


def one_build(api, ctx: Path, tool: str) -> dict:
    """A cold build of `ctx`: per-step seconds, the longest silences after an output line, and the marks."""
    args = dict(guide_compare.BUILD_ARGS)  # --apt-cache's http_proxy
    if tool == "imgwizard":
        args["IMGWIZARD_CREATED"] = "2026-01-01T00:00:00Z"
    t0 = time.monotonic()
    steps: list[tuple[str, float]] = []
    lines: list[tuple[float, str]] = []
    marks: dict[str, float] = {}
    step, started = None, t0
    for chunk in api.build(path=str(ctx), nocache=True, rm=True, decode=True, tag=f"imgwizard-steptime/{tool}:x",
                           buildargs=args):
        if "error" in chunk:
            raise SystemExit(f"{tool}: {chunk['error']}")
        text, now = chunk.get("stream", ""), time.monotonic()
        for line in text.splitlines():
            line = line.strip()
            lines.append((now - t0, line[:70]))
            for name, rx in MARKS:
                if name not in marks and rx.search(line):
                    marks[name] = now - t0
            if LAST.search(line):
                marks["last_setup"] = now - t0
        if text.startswith("Step "):
            if step:
                steps.append((step, now - started))
            step, started = text.split(":", 1)[1].strip()[:30], now
    steps.append((step or "?", time.monotonic() - started))
    silences = sorted(((b[0] - a[0], a[1]) for a, b in itertools.pairwise(lines)), reverse=True)[:10]
    return {"total": time.monotonic() - t0, "steps": steps, "silences": silences, "marks": marks}


def report(n: int, tool: str, b: dict) -> None:
    runs = sum(d for name, d in b["steps"] if name.startswith("RUN"))
    print(f"pass {n} {tool:11s} total {b['total']:6.2f} s, RUN {runs:6.2f} s, other steps "
          f"{b['total'] - runs:5.2f} s ({len(b['steps'])} steps)", flush=True)
    print("    steps:", " | ".join(f"{name[:14]} {d:.2f}" for name, d in b["steps"]))
    print("    marks:", " ".join(f"{k}={v:.1f}" for k, v in sorted(b["marks"].items(), key=lambda kv: kv[1])))
    print("    longest silences after:", *(f"\n      {d:5.2f} s  {line}" for d, line in b["silences"]), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(choices.PEERS))
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--tools", default="imgwizard,hpccm", help="comma-separated, of " + ", ".join(compare.TOOLS))
    parser.add_argument("--apt-cache", metavar="URL", help="as bench/run.py --apt-cache")
    args = parser.parse_args()
    tools = args.tools.split(",")
    if not set(tools) <= set(compare.TOOLS):
        parser.error(f"--tools: each of {', '.join(compare.TOOLS)}")
    if args.apt_cache:
        print(run.use_apt_cache(args.apt_cache))  # refuses what is not http://HOST:PORT
    import docker
    import docker.errors

    api = docker.APIClient(timeout=900)
    work = Path(tempfile.mkdtemp(prefix="imgwizard-steptime-"))
    key = work / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    contexts = {t: compare.make_context(t, args.scenario, work / t, key, scenarios.HOST_CA, scenarios._render_into)
                for t in tools}
    for n in range(args.passes):
        for tool in tools[n % len(tools):] + tools[:n % len(tools)]:
            report(n + 1, tool, one_build(api, contexts[tool], tool))
    for tool in tools:
        with contextlib.suppress(docker.errors.APIError):  # not built
            api.remove_image(f"imgwizard-steptime/{tool}:x", force=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
