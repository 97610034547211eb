"""The `imgwizard` command: with no sub-command the Textual wizard; sub-commands for everything else.

Textual and questionary are imported only by the commands that use them, so `imgwizard render` starts fast.
Exit status: 0 ok, 1 failure (lint error, build failed), 2 bad input (nothing written), 3 no Docker engine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import __version__
from wizard.load import format_problems, load

if TYPE_CHECKING:
    from wizard.context import WriteReport

from screens.exits import EXIT_FAIL, EXIT_OK, EXIT_USAGE  # noqa: E402


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imgwizard",
        description="Package an application into a Docker image, step by step (the Textual wizard when run "
                    "without a command).")
    parser.add_argument("--version", action="version", version=f"imgwizard {__version__}")
    parser.add_argument("--answers", type=Path, metavar="FILE|IMAGE",
                        help="open the wizard with the answers of a file, an image or a saved .tar")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the wizard (default: from LANG)")
    parser.add_argument("--plain", action="store_true", help="plain prompts instead of the full-screen wizard")
    parser.add_argument("-o", "--output", type=Path, metavar="DIR",
                        help="where the wizard saves (default: ./<image name>/)")
    parser.add_argument("-H", "--host", dest="wizard_host", type=_host_value, metavar="URL",
                        help="the Docker engine the wizard builds on and pre-fills from: ssh://[USER@]HOST[:PORT], "
                             "tcp://HOST:PORT or unix:///PATH (default: DOCKER_HOST, then the docker context)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    return parser


def _host_value(value: str) -> str:
    from screens.remote_cli import host_value
    return host_value(value)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    _add_docker_commands(parser)
    args = parser.parse_args(argv)
    if args.command is not None and args.wizard_host and not getattr(args, "host", None):
        args.host = args.wizard_host  # `imgwizard --host URL build DIR` means the same as `build DIR --host URL`
    if args.command is None:
        return _wizard(args)
    return args.run(args)


def _add_docker_commands(parser: argparse.ArgumentParser) -> None:
    """The Docker commands (build, export, import, commit, check) live in screens/docker_cli.py."""
    from screens import docker_cli, image_cli, push_cli, remote_cli

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    docker_cli.register(sub)
    push_cli.register(sub)
    image_cli.register(sub)
    remote_cli.add_host_option(sub)


def cmd_validate(args: argparse.Namespace) -> int:
    _, problems = load(args.answers)
    if problems:
        print(format_problems(problems, str(args.answers)), file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.answers}: ok")
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from wizard.context import plan_write, write
    from wizard.render import render
    from wizard.safeio import SafeIOError, WriteFailed

    answers, problems = load(args.answers)
    if problems:
        print(format_problems(problems, str(args.answers)), file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return EXIT_USAGE
    try:
        ctx = render(answers, args.answers.parent)
        report = plan_write(ctx, args.output) if args.dry_run else write(ctx, args.output)
    except WriteFailed as exc:
        print(f"render: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except SafeIOError as exc:
        print(f"render: {exc}; nothing was written", file=sys.stderr)
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
        print(f"{verb} {out / name}{backup}")
    if report.unchanged:
        print(f"unchanged: {', '.join(report.unchanged)}")
    for name, what in report.missing:
        print(f"to do: put {name} in {out} ({what})")


def cmd_lint(args: argparse.Namespace) -> int:
    from wizard.lint import is_failure, lint
    from wizard.safeio import TEXT_LIMIT, SafeIOError, read_text

    path = args.dir / "Dockerfile" if args.dir.is_dir() else args.dir
    try:
        text = read_text(path, TEXT_LIMIT)
    except SafeIOError as exc:
        print(f"lint: {exc}", file=sys.stderr)
        return EXIT_USAGE
    findings = lint(text)
    for f in findings:
        print(str(f).replace("Dockerfile:", f"{path}:", 1))
    failures = [f for f in findings if is_failure(f)]
    print(f"{path}: {len(failures)} errors or warnings, {len(findings) - len(failures)} notes")
    return EXIT_FAIL if failures else EXIT_OK


def _wizard(args: argparse.Namespace) -> int:
    from wizard.text import pick_lang

    lang = pick_lang(dict(os.environ), args.lang)
    given = {}
    if args.answers:
        from screens.image_cli import given_of_image
        from wizard.load import read_given
        given, problems = given_of_image(str(args.answers), args.wizard_host) or read_given(args.answers)
        if problems:
            print(format_problems(problems, str(args.answers)), file=sys.stderr)
            return EXIT_USAGE
    if args.plain:
        from screens.plain import run_plain
        from wizard.scan import scan
        return run_plain(given, lang=lang, output=args.output, found=scan(Path.cwd()))
    from screens.app import run_app
    return run_app(given, lang=lang, output=args.output, docker_host=args.wizard_host)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
