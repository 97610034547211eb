"""The `imgwizard` command: with no sub-command the Textual wizard; sub-commands for everything else.

Textual and questionary are imported only by the commands that use them, so `imgwizard render` starts fast.
Exit status: 0 ok, 1 failure (lint error, build failed), 2 bad input (nothing written), 3 no Docker engine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from screens.cli import archive, bases, build, check, commit, connect, context, image, push
from screens.cli.exits import EXIT_USAGE
from wizard import __version__
from wizard.load import format_problems

# Each module registers its commands on the subparsers made here; the Docker ones then get --host (connect.py).
_COMMANDS = (context, build, archive, commit, check, push, image, bases)


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
    parser.add_argument("-H", "--host", dest="wizard_host", type=connect.host_value, metavar="URL",
                        help="the Docker engine the wizard builds on and pre-fills from: ssh://[USER@]HOST[:PORT], "
                             "tcp://HOST:PORT or unix:///PATH (default: DOCKER_HOST, then the docker context)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for commands in _COMMANDS:
        commands.register(sub)
    connect.add_host_option(sub.choices[name] for name in connect.DOCKER_COMMANDS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is not None and args.wizard_host and not getattr(args, "host", None):
        args.host = args.wizard_host  # `imgwizard --host URL build DIR` means the same as `build DIR --host URL`
    if args.command is None:
        return _wizard(args)
    return args.run(args)


def _wizard(args: argparse.Namespace) -> int:
    from wizard.text import pick_lang

    lang = pick_lang(dict(os.environ), args.lang)
    given = {}
    dropped: list[tuple[str, str]] = []  # answers of an image that named a file outside the folder, left out
    if args.answers:
        from screens.cli.image import given_of_image
        from screens.folders import plain
        from wizard.load import control_problems, read_given
        given, problems = given_of_image(str(args.answers), args.wizard_host, dropped) or read_given(args.answers)
        # a value with a control character never reaches a text field or a prompt: refused here, naming the key
        problems = problems or control_problems(given)
        if problems:
            print(plain(format_problems(problems, str(args.answers)), lines=True), file=sys.stderr)
            return EXIT_USAGE
        if dropped:
            print(plain(format_problems(dropped, str(args.answers)), lines=True), file=sys.stderr)
    if args.plain:
        from screens.cli.plain import run_plain
        from wizard.scan import scan
        return run_plain(given, lang=lang, output=args.output, found=scan(Path.cwd()))
    from screens.app import run_app
    return run_app(given, lang=lang, output=args.output, docker_host=args.wizard_host,
                   dropped=(str(args.answers), dropped))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
