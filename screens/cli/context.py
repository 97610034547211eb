"""`imgwizard render ANSWERS -o DIR`, `imgwizard lint DIR` and `imgwizard validate ANSWERS`: the commands on answers
files and build contexts, which need no Docker engine.

Exit status as the rest of the CLI: 0 ok, 1 failure (lint error), 2 bad input (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from screens.cli.exits import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from screens.folders import plain
from wizard.load import format_problems, load

if TYPE_CHECKING:
    from wizard.context import WriteReport


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="write the build context for an answers file",
                       description="Validate ANSWERS and write the build context into DIR. A file in DIR that "
                                   "differs is kept as NAME.bak first; nothing is written when an answer is bad.")
    p.add_argument("answers", type=Path, metavar="ANSWERS", help="the answers file (TOML, version = 1)")
    p.add_argument("-o", "--output", type=Path, metavar="DIR", required=True, help="the build context folder")
    p.add_argument("--dry-run", action="store_true", help="only say what would be written")
    p.set_defaults(run=cmd_render)

    p = sub.add_parser("lint", help="check a build context's Dockerfile (official parser + hadolint)",
                       description="Parse DIR/Dockerfile with the official parser, check it builds without "
                                   "BuildKit, and run hadolint. Exit 1 on any error or warning.")
    p.add_argument("dir", type=Path, metavar="DIR", help="a folder with a Dockerfile (or the Dockerfile itself)")
    p.set_defaults(run=cmd_lint)

    p = sub.add_parser("validate", help="check an answers file without writing anything",
                       description="Exit 0 when every answer is acceptable, 2 with one line per problem otherwise.")
    p.add_argument("answers", type=Path, metavar="ANSWERS")
    p.set_defaults(run=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    _, problems = load(args.answers)
    if problems:
        print(plain(format_problems(problems, str(args.answers)), lines=True), file=sys.stderr)
        return EXIT_USAGE
    print(plain(f"{args.answers}: ok"))
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from wizard.context import plan_write, write
    from wizard.render import render
    from wizard.safeio import SafeIOError, WriteFailed

    answers, problems = load(args.answers)
    if problems:
        print(plain(format_problems(problems, str(args.answers)), lines=True), file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return EXIT_USAGE
    try:
        ctx = render(answers, args.answers.parent)
        report = plan_write(ctx, args.output) if args.dry_run else write(ctx, args.output)
    except WriteFailed as exc:
        print(plain(f"render: {exc}"), file=sys.stderr)
        return EXIT_FAIL
    except SafeIOError as exc:
        print(plain(f"render: {exc}; nothing was written"), file=sys.stderr)
        return EXIT_USAGE
    _print_report(report, args.output, "would write" if args.dry_run else "wrote")
    for warning in ctx.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    return EXIT_OK


def _print_report(report: WriteReport, out: Path, verb: str) -> None:
    """One line per written file (and the backup of what it replaced), then unchanged files and the to-dos."""
    for name in report.written:
        previous = "previous, not a text file," if name in report.not_text else "previous"
        backup = f" ({previous} kept as {report.backups[name]})" if name in report.backups else ""
        print(plain(f"{verb} {out / name}{backup}"))
    if report.unchanged:
        print(f"unchanged: {', '.join(report.unchanged)}")
    for name, what in report.missing:
        print(plain(f"to do: put {name} in {out} ({what})"))


def cmd_lint(args: argparse.Namespace) -> int:
    from wizard.lint import is_failure, lint
    from wizard.safeio import TEXT_LIMIT, SafeIOError, read_text

    path = args.dir / "Dockerfile" if args.dir.is_dir() else args.dir
    try:
        text = read_text(path, TEXT_LIMIT)
    except SafeIOError as exc:
        print(plain(f"lint: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    findings = lint(text)
    for f in findings:
        print(plain(str(f).replace("Dockerfile:", f"{path}:", 1)))  # a finding may quote the Dockerfile
    failures = [f for f in findings if is_failure(f)]
    print(plain(f"{path}: {len(failures)} errors or warnings, {len(findings) - len(failures)} notes"))
    return EXIT_FAIL if failures else EXIT_OK
