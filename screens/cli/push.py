"""`imgwizard push IMAGE --to REGISTRY/NAME:TAG` (wizard/engine/push.py does the work; docs/registry.md).

Exit status as the other Docker commands: 0 pushed, 1 the push failed or was cancelled (one line why; the tag is
put back as it was), 2 bad input (IMAGE or --to not an image name, --to without a registry host, --to naming a
tag of another image without --force: nothing done), 3 no engine.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

from screens.cli.exits import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from screens.cli.signals import on_signals
BAR = 24  # characters of a layer's bar


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("push", help="tag an image and push it to a registry",
                       description="Tag IMAGE as REGISTRY/NAME:TAG and push it, with a progress bar per layer. The "
                                   "credentials are those `docker login` stored in the Docker config file "
                                   "(~/.docker/config.json or $DOCKER_CONFIG). The engine does the push: a registry "
                                   "on 127.0.0.1 may speak plain HTTP, any other needs TLS (docs/registry.md).")
    p.add_argument("image", metavar="IMAGE", help="the local image: name:tag or id")
    p.add_argument("--to", required=True, metavar="REGISTRY/NAME:TAG",
                   help="where to push, e.g. registry.example.com/team/app:1.0 (TAG defaults to latest); the "
                        "registry host is required (Docker Hub: docker.io/team/app:1.0)")
    p.add_argument("--force", action="store_true",
                   help="move the tag --to names when it names another image (without: refused, the tag kept)")
    p.set_defaults(run=cmd_push)


def cmd_push(args: argparse.Namespace) -> int:
    from screens.cli.connect import engine_for
    from wizard.engine.common import reference_problem
    from wizard.engine.push import PushError, TagTaken, credentials_note, parse_target, push_image
    from wizard.text import safe_to_show

    problem = reference_problem(args.image)
    problem = problem and f"IMAGE {problem}"
    target = note = None
    if not problem:
        try:
            target = parse_target(args.to)
            note = credentials_note(target.registry)
        except PushError as exc:
            problem = str(exc)
    client = engine_for("push", problem, getattr(args, "host", None))
    if isinstance(client, int):
        return client
    view = LayerView(sys.stderr, sys.stderr.isatty())

    def started(progress: Any) -> None:
        print(f"pushing {args.image} as {target}; {note}", file=sys.stderr)
        if progress.replaced:
            names = (", ".join(safe_to_show(n, markup=False) for n in progress.replaced_names)
                     or "no name now (docker images -f dangling=true)")
            print(f"push: --force moved {target} from image {progress.replaced.split(':')[-1][:12]} (that image "
                  f"keeps: {names})", file=sys.stderr)

    try:
        with on_signals(_as_ctrl_c):
            done = push_image(client, args.image, target, view.changed, force=args.force, on_start=started)
    except TagTaken as exc:
        print(f"push: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PushError as exc:  # PushCancelled too: Ctrl-C, SIGTERM, SIGHUP
        view.finish()
        print(f"push: {exc}", file=sys.stderr)
        return EXIT_FAIL
    view.finish()
    print(f"pushed {target} ({safe_to_show(done.digest, markup=False)}); pull it with: docker pull {target}")
    return EXIT_OK


def _as_ctrl_c(_signum: int) -> None:
    """SIGTERM and SIGHUP (a closed terminal) end a push as Ctrl-C does, so the tag is put back before the command
    ends (wizard/engine/push.py)."""
    raise KeyboardInterrupt


class LayerView:
    """One bar per layer. On a terminal the block of bars is redrawn in place (at most 5 times a second);
    elsewhere one line per layer each time its status changes (a CI log stays readable)."""

    def __init__(self, out: TextIO, tty: bool, clock=time.monotonic) -> None:
        self.out, self.tty, self.clock = out, tty, clock
        self.drawn = 0  # lines of the block on screen
        self.last = 0.0
        self.said: dict[str, str] = {}
        self.progress: Any = None

    def changed(self, progress: Any, layer: Any) -> None:
        self.progress = progress
        if layer is None:
            return
        if not self.tty:
            if self.said.get(layer.id) != layer.status and layer.status != "Pushing":
                self.said[layer.id] = layer.status
                print(layer_line(layer), file=self.out, flush=True)
            return
        now = self.clock()
        if now - self.last >= 0.2 or layer.finished:
            self.last = now
            self._draw()

    def _draw(self) -> None:
        lines = [layer_line(layer) for layer in self.progress.layers.values()]
        up = f"\033[{self.drawn}F" if self.drawn else ""
        self.out.write(up + "".join(f"\033[K{line}\n" for line in lines))
        self.out.flush()
        self.drawn = len(lines)

    def finish(self) -> None:
        if self.tty and self.progress is not None and self.progress.layers:
            self._draw()


def layer_line(layer: Any) -> str:
    """`0123456789ab [#########---------------] 12.0 MiB / 31.5 MiB  Pushing`."""
    from wizard.engine.common import human_size
    from wizard.text import safe_to_show

    short = layer.id[:12]
    status = safe_to_show(layer.status, markup=False)  # the engine's words
    if not layer.total:
        return f"{short} {status}"
    filled = BAR * min(layer.current, layer.total) // layer.total
    sizes = f"{human_size(layer.current)} / {human_size(layer.total)}"
    return f"{short} [{'#' * filled}{'-' * (BAR - filled)}] {sizes}  {status}"
