"""`imgwizard commit CONTAINER IMAGE`: docker commit without the run-time secrets (wizard/engine/commit.py does the
work; docs/security.md).

Exit status as the rest of the CLI: 0 ok, 1 failure, 2 bad input, 3 no Docker engine.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
from typing import Any

from screens.cli.connect import engine_for
from screens.cli.exits import EXIT_FAIL, EXIT_OK
from screens.cli.signals import STOPPING, name_of, on_signals

_CONTAINER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("commit", help="make an image from a container (docker commit), without its secrets",
                       description="docker commit CONTAINER IMAGE: keep what was done by hand in a running container. "
                                   "The values of the secrets run.sh and compose.yaml pass (SSH_PASSWORD, "
                                   "JUPYTER_TOKEN, PASSWORD, the desktop password) are not kept: imgwizard undoes "
                                   "what its start-up did with them, checks that none is left in the container's "
                                   "changes, and refuses (naming the variable and the file) when one is. Other "
                                   "variables set when the container started are kept, as docker commit does.")
    p.add_argument("container", metavar="CONTAINER", help="container name or id")
    p.add_argument("image", metavar="IMAGE", help="the new image's name[:tag]")
    p.set_defaults(run=cmd_commit)


def _commit_usage(container: str, image: str) -> str | None:
    """What is wrong with commit's arguments (one line), checked before the engine is asked anything."""
    from wizard.checks import shown
    from wizard.engine.common import reference_problem

    if not _CONTAINER.fullmatch(container):
        return (f"container {shown(container)} is not a container name or id "
                "(letters, digits and _ . -, starting with a letter or digit; docker ps -a lists them)")
    problem = reference_problem(image, new=True)
    return f"image {problem}" if problem else None


def cmd_commit(args: argparse.Namespace) -> int:
    from wizard.engine.commit import SecretLeft, commit
    from wizard.engine.common import DockerOpError

    client = engine_for("commit", _commit_usage(args.container, args.image), args.host)
    if isinstance(client, int):
        return client
    try:
        with on_signals(_interrupt, (signal.SIGINT, *STOPPING)):
            done = commit(client, args.container, args.image)
    except SecretLeft as exc:
        print(f"commit: refused, no image was made: a secret would be kept in {args.image}", file=sys.stderr)
        for line in exc.problems:
            print(f"commit: {line}", file=sys.stderr)
        return EXIT_FAIL
    except DockerOpError as exc:
        print(f"commit: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except Interrupted as exc:
        print(f"commit: stopped by {exc.name}: no image was made; {args.container} is as it was",
              file=sys.stderr)
        return EXIT_FAIL
    print(f"committed {args.container} as {args.image} ({done.image_id[:19]})")
    for name in done.dropped:
        print(f"not kept: the value of {name} (a secret; pass it again when you start {args.image})")
    for user in done.hand_set:
        print(f"not kept: the password of {user} set by hand in {args.container} after it started ({args.image} has "
              f"{user}'s password field as the image had it: a hash in an image is in every container of it and "
              f"can be guessed offline; {args.container} keeps it; set it again in a container of {args.image})")
    if done.dropped:
        print(_searched_line(args.container, done))
    if done.kept:
        print(f"kept: {', '.join(done.kept)} (set when the container started; {args.image} starts with them)")
    if done.parent:
        print(f"note: {args.image} is built on the untagged image {done.parent[:19]}, whose local metadata (docker "
              f"inspect) still holds the container's settings; it is not part of {args.image} (not in docker save or "
              f"push) and goes with `docker rmi {args.image}`")
    return EXIT_OK


def _searched_line(container: str, done: Any) -> str:
    """What the secret search could not see, in one line (docs/security.md section 2)."""
    line = (f"searched: {container}'s changes for each secret value as written, base64-, hex- and URL-encoded, and "
            f"inside gzip, zlib, zip, bzip2 and xz data; a value encrypted, hashed or packed another way cannot be "
            f"found")
    if done.unsearched:
        more = f" and {len(done.unsearched) - 3} more" if len(done.unsearched) > 3 else ""
        line += f"; not searched inside: {', '.join(done.unsearched[:3])}{more}"
    if done.short:
        line += (f"; {', '.join(done.short)} has fewer than 8 characters: its base64 forms are searched at some "
                 f"alignments only")
    return line


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP during a commit: the commit stops and puts the container back first."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.name = name_of(signum)


def _interrupt(signum: int) -> None:
    """Ctrl-C, SIGTERM or SIGHUP stop the commit the same way: wizard/engine/commit_hold.py's `interrupt` raises
    Interrupted at once, or, while the container is being put back, once that is done."""
    from wizard.engine.commit_hold import interrupt

    interrupt(Interrupted(signum))


