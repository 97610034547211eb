"""`imgwizard check IMAGE`: start the image as its context declares and check from outside that each service
answers (wizard/engine/check.py does the work).

Exit status as the rest of the CLI: 0 every service answers, 1 one does not, 2 bad input, 3 no Docker engine.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from screens.cli.connect import engine_for
from screens.cli.exits import EXIT_FAIL, EXIT_OK


TIMEOUT_MIN, TIMEOUT_MAX = 1, 3600  # check --timeout, seconds


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="start an image and check that its services answer",
                       description="Start IMAGE with the ports and environment its context declares (published on "
                                   "127.0.0.1), check each service from outside (SSH banner, HTTP on the web port, "
                                   "the forwarded port reaching its target, the built-in desktop's viewer and its "
                                   "app staying up), then remove the container. The context's answers: from "
                                   "--context DIR, else from the image's own label.")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--context", type=Path, metavar="DIR", default=None,
                   help="the build context the image came from (its imgwizard.toml); default: the answers in "
                        "the image's imgwizard.answers label")
    p.add_argument("-e", "--env", action="append", default=[], metavar="NAME=VALUE",
                   help="an environment variable for the container (JUPYTER_TOKEN, SSH_PASSWORD...); repeatable")
    p.add_argument("--timeout", type=float, default=90.0,
                   help=f"seconds to wait for the services, {TIMEOUT_MIN}-{TIMEOUT_MAX} (default 90)")
    p.set_defaults(run=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    client = engine_for("check", _check_problem(args), args.host)
    return client if isinstance(client, int) else run_check(client, args)


def _check_problem(args: argparse.Namespace) -> str:
    """Why the check cannot start ('' when it can): a bad image name, time-out, -e item or context."""
    from wizard import answers_file
    from wizard.engine.common import reference_problem
    from wizard.safeio import ANSWERS_LIMIT, SafeIOError, read_text

    problem = reference_problem(args.image)
    if problem:
        return f"IMAGE {problem}"
    if not (math.isfinite(args.timeout) and TIMEOUT_MIN <= args.timeout <= TIMEOUT_MAX):
        return f"--timeout {args.timeout}: accepted: a number of seconds from {TIMEOUT_MIN} to {TIMEOUT_MAX}"
    for item in args.env:
        if "=" not in item:
            return f"-e {item}: expected NAME=VALUE"
    if args.context is None:
        return ""  # the answers come from the image's label, once the engine is there
    source = args.context / "imgwizard.toml"
    if not os.path.lexists(source):
        return f"{args.context} has no imgwizard.toml (pass --context DIR, the image's build context)"
    try:
        _, problems = answers_file.parse(read_text(source, ANSWERS_LIMIT))
    except SafeIOError as exc:
        return str(exc)
    return f"{source}: {problems[0][0]}: {problems[0][1]}" if problems else ""


def run_check(client, args: argparse.Namespace) -> int:
    from wizard.engine.check import check_image, run_spec_of_context, run_spec_of_image
    from wizard.engine.common import DockerOpError
    from wizard.engine.reach import Unreachable, route_for

    env = dict(item.split("=", 1) for item in args.env)
    try:
        spec = run_spec_of_image(client, args.image) if args.context is None else run_spec_of_context(args.context)
        for flag in spec.ignored_flags:
            print(f"check: not passing {flag} (devices are not checked here)")
        with route_for(client) as reach:
            report = check_image(client, args.image, spec, env=env, timeout=args.timeout, reach=reach)
    except (DockerOpError, Unreachable) as exc:
        print(f"check: {exc}", file=sys.stderr)
        return EXIT_FAIL
    for r in report.results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.detail}")
    if not report.ok:
        if report.logs:
            print("container log (last lines):", file=sys.stderr)
            for line in report.logs.splitlines():
                print(f"  | {line}", file=sys.stderr)
        return EXIT_FAIL
    print(f"{args.image}: every declared service answers")
    return EXIT_OK
