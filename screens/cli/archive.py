"""`imgwizard export IMAGE -o FILE.tar` (docker save, free space checked first, a complete file or none) and
`imgwizard import FILE.tar` (docker load, saying which tags it moved); wizard/engine/archive.py does the work.

Exit status as the rest of the CLI: 0 ok, 1 failure, 2 bad input, 3 no Docker engine.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import Callable

from screens.cli.connect import bad_image, connect_or_say, engine_for
from screens.cli.exits import EXIT_FAIL, EXIT_NO_ENGINE, EXIT_OK, EXIT_USAGE
from screens.cli.signals import name_of, on_signals


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="save an image to a tar file (docker save), checking free space first",
                       description="docker save IMAGE into FILE. Refuses, with both numbers, when FILE's folder has "
                                   "less free space than the image; writes a temporary file and renames it when "
                                   "complete, so a failure never leaves a truncated FILE. An existing FILE is kept "
                                   "unless --force; a FIFO, a device, a folder or a link is never replaced.")
    p.add_argument("image", metavar="IMAGE", help="image name:tag or id")
    p.add_argument("-o", "--output", type=Path, metavar="FILE.tar", required=True,
                   help="the tar file to write (a new name; an existing file is replaced only with --force)")
    p.add_argument("--force", action="store_true", help="replace FILE.tar when it exists (a regular file only)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("import", help="load images from a tar file (docker load)",
                       description="docker load < FILE and print the tags loaded, and which of them named another "
                                   "image before (that image loses the tag). A corrupt or truncated file is "
                                   "refused with the reason.")
    p.add_argument("file", type=Path, metavar="FILE.tar")
    p.set_defaults(run=cmd_import)


def cmd_export(args: argparse.Namespace) -> int:
    from wizard.engine.archive import BadTarget, NotEnoughSpace, check_export_target, export_image
    from wizard.engine.common import DockerOpError

    if bad_image("export", args.image):
        return EXIT_USAGE
    try:
        check_export_target(args.output, args.force)
    except BadTarget as exc:
        print(f"export: {exc}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    client = connect_or_say(args.host)
    if client is None:
        return EXIT_NO_ENGINE
    tty = sys.stderr.isatty()
    try:
        with on_signals(_stop):
            written = export_image(client, args.image, args.output, _export_progress(args.output, tty), args.force)
    except Stopped as exc:
        print(("\n" if tty else "") + f"export: stopped by {exc}; nothing was kept", file=sys.stderr)
        return EXIT_FAIL
    except NotEnoughSpace as exc:
        print(f"export: {exc}; nothing was written", file=sys.stderr)
        return EXIT_FAIL
    except DockerOpError as exc:
        print(f"\nexport: {exc}" if tty else f"export: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, BadTarget) else EXIT_FAIL
    except KeyboardInterrupt:
        print("\nexport: cancelled; nothing was kept", file=sys.stderr)
        return EXIT_FAIL
    if tty:
        print(file=sys.stderr)
    from wizard.engine.common import human_size
    print(f"saved {args.image} to {args.output} ({human_size(written)})")
    return EXIT_OK


def _export_progress(output: Path, tty: bool) -> Callable[[int, int], None]:
    """A progress callback: bytes written of the expected size, time left (screens/cli/image.py)."""
    return from_first_byte("writing", output, tty)


def from_first_byte(verb: str, what: Path, tty: bool) -> Callable[[int, int], None]:
    """screens/cli/image.py's progress printer, started at the first byte moved rather than when the command
    started: the engine's preparation (docker save builds the tar first) and the manifest read before a load
    are not transfer time, and counted as such they gave estimates like "45:07 left" for a 2 s save."""
    from screens.cli.image import progress_printer

    printer: list[Callable[[int, int], None]] = []

    def progress(done: int, total: int) -> None:
        if not printer:
            printer.append(progress_printer(verb, what, tty))
        printer[0](done, total)

    return progress


class Stopped(BaseException):
    """SIGTERM or SIGHUP (a closed terminal) arrived: raised where the command was, so its clean-up runs (the
    export's temporary file is removed) as for Ctrl-C. Its text is the signal's name."""


def _stop(signum: int) -> None:
    raise Stopped(name_of(signum))


def cmd_import(args: argparse.Namespace) -> int:
    from wizard.engine.archive import import_image
    from wizard.engine.common import DockerOpError

    client = engine_for("import", _archive_problem(args.file), args.host)
    if isinstance(client, int):
        return client
    tty = sys.stderr.isatty()
    try:
        with on_signals(_stop):
            report = import_image(client, args.file, from_first_byte("reading", args.file, tty))
    except DockerOpError as exc:
        print(f"\nimport: {exc}" if tty else f"import: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except (Stopped, KeyboardInterrupt) as exc:
        what = f"stopped by {exc}" if isinstance(exc, Stopped) else "cancelled"
        print(f"\nimport: {what}; the engine may have loaded part of it (docker images lists what it has)",
              file=sys.stderr)
        return EXIT_FAIL
    if tty:
        print(file=sys.stderr)
    for name in report.loaded:
        was = report.replaced.get(name)
        print(f"loaded {name}" + (f" (replaced: it named image {was} before)" if was else ""))
    return EXIT_OK


def _archive_problem(path: Path) -> str:
    """Why `path` cannot be an archive to load ('' when it can): missing, or not a regular file."""
    from wizard.safeio import kind_of

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    return "" if stat.S_ISREG(mode) else f"{path} is {kind_of(mode)}; accepted: a tar file from docker save"
