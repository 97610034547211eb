"""`imgwizard bases`: the base images imgwizard knows (wizard/data/bases.toml), and `imgwizard bases check`: pull
the pinned third-party bases and check each recorded fact from the image itself (wizard/engine/bases_check.py).

Exit status as the rest of the CLI: 0 no fact differs, 1 drift (or an image that could not be checked), 2 bad
input (an unknown row or image), 3 no Docker engine. docs/bases.md says how to move a row to a new release.
"""

from __future__ import annotations

import argparse
import sys

from screens.cli.connect import add_host_option, engine_for
from screens.cli.exits import EXIT_FAIL, EXIT_OK
from screens.folders import plain
from wizard import knowledge
from wizard.knowledge import Base


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bases", help="list the base images and their pinned releases; `bases check` checks them",
                       description="List every base image row of bases.toml (engine/family/version, the pinned "
                                   "reference, the upstream commit its facts were read at). `bases check` pulls "
                                   "the pinned third-party bases and checks every recorded fact from inside a "
                                   "container of each (docs/bases.md).")
    p.set_defaults(run=cmd_list)
    inner = p.add_subparsers(dest="bases_command", metavar="COMMAND")
    c = inner.add_parser("check", help="check the pinned bases' recorded facts against the images",
                         description="Pull each pinned third-party base (or the IMAGEs named) and check every "
                                     "recorded fact: entrypoint, cmd, user, NVIDIA_DRIVER_CAPABILITIES (image "
                                     "config); account-file and /var/log links, apt/apk source files and any other "
                                     "apt list, dpkg foreign architectures, the uid-1000 account and the helpers "
                                     "on PATH (from inside a container: /bin/sh as user 0, no network). Prints one "
                                     "line per fact that differs; exit 1 on drift.")
    c.add_argument("images", nargs="*", metavar="IMAGE",
                   help="a pinned reference `imgwizard bases` lists (default: every third-party one); with --row, "
                        "any image, checked against that row's facts (a new release before moving the pin)")
    c.add_argument("--row", metavar="ENGINE/FAMILY/VERSION", help="the bases.toml row to check against "
                   "(e.g. novnc/debian/12)")
    c.add_argument("--no-pull", action="store_true", help="do not pull: the images must be on the engine already")
    c.set_defaults(run=cmd_check)
    add_host_option([c])


def cmd_list(args: argparse.Namespace) -> int:
    rows = knowledge.bases()
    names = [_row(b) for b in rows]
    width = max(len(n) for n in names)
    ref_width = max(len(b.ref()) for b in rows)
    for name, b in zip(names, rows):
        mark = "third-party" if knowledge.third_party(b) else "-"
        upstream = f"  facts read at {b.upstream}" if b.upstream else ""
        print(f"{name:<{width}}  {mark:<11}  {b.ref():<{ref_width}}{upstream}".rstrip())
    print("third-party: pinned to one release whose facts bases.toml records; `imgwizard bases check` compares "
          "them with the image (docs/bases.md)")
    return EXIT_OK


def _row(b: Base) -> str:
    from wizard.basefacts import row_name
    return row_name(b)


def targets(args: argparse.Namespace) -> tuple[list[tuple[Base, str]], str]:
    """The (row, image) pairs to check, or ([], why the arguments are refused)."""
    from wizard.basefacts import parse_row, probe_problem
    from wizard.engine.common import reference_problem

    for image in args.images:
        problem = reference_problem(image)
        if problem:
            return [], f"IMAGE {problem}"
    pinned = [b for b in knowledge.bases() if knowledge.third_party(b)]
    if args.row is not None:
        key = parse_row(args.row)
        base = knowledge.base(*key) if key else None
        if base is None:
            accepted = ", ".join(_row(b) for b in knowledge.bases() if probe_problem(b) is None)
            return [], f"--row {args.row[:80]!r} is not a row of bases.toml; accepted: {accepted}"
        problem = probe_problem(base)
        if problem:
            return [], f"--row {_row(base)}: {problem}"
        return [(base, image) for image in args.images or [base.ref()]], ""
    if not args.images:
        return [(b, b.ref()) for b in pinned], ""
    out = []
    for image in args.images:
        match = next((b for b in pinned if image in (b.image, b.ref())), None)
        if match is None:
            accepted = ", ".join(b.ref() for b in pinned)
            return [], (f"IMAGE {image} is not a pinned base; accepted: {accepted} (or --row ENGINE/FAMILY/VERSION "
                        f"to check any image against a row's facts)")
        out.append((match, image))
    return out, ""


def cmd_check(args: argparse.Namespace) -> int:
    pairs, problem = targets(args)
    client = engine_for("bases check", problem, args.host)
    return client if isinstance(client, int) else run_check(client, pairs, pull=not args.no_pull)


def run_check(client, pairs: list[tuple[Base, str]], pull: bool) -> int:
    from wizard.engine.bases_check import check_base

    drifted = unchecked = 0
    for base, ref in pairs:
        report = check_base(client, base, ref, pull=pull, say=lambda line: print(plain(line), file=sys.stderr))
        head = f"{_row(base)} {ref}"
        for note in report.notes:
            print(plain(f"{head}: note: {note}"), file=sys.stderr)
        if report.problem:
            unchecked += 1
            print(plain(f"{head}: not checked: {report.problem}"), file=sys.stderr)
            continue
        drifted += bool(report.differences)
        for diff in report.differences:
            print(plain(diff.line(_row(base), ref)))
    ok = len(pairs) - drifted - unchecked
    print(plain(f"bases check: {len(pairs)} image(s): {ok} as recorded, {drifted} with drift, {unchecked} not checked"))
    return EXIT_OK if ok == len(pairs) else EXIT_FAIL
