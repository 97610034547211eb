"""`imgwizard push IMAGE --to REGISTRY/NAME:TAG` (wizard/engine/push.py does the work; docs/registry.md).

Exit status as the other Docker commands: 0 pushed, 1 the push failed (one line why), 2 bad input, 3 no engine.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

from screens.cli.exits import EXIT_FAIL, EXIT_OK
BAR = 24  # characters of a layer's bar


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("push", help="tag an image and push it to a registry",
                       description="Tag IMAGE as REGISTRY/NAME:TAG and push it, with a progress bar per layer. The "
                                   "credentials are those `docker login` stored in the Docker config file "
                                   "(~/.docker/config.json or $DOCKER_CONFIG). The engine does the push: a registry "
                                   "on 127.0.0.1 may speak plain HTTP, any other needs TLS (docs/registry.md).")
    p.add_argument("image", metavar="IMAGE", help="the local image: name:tag or id")
    p.add_argument("--to", required=True, metavar="REGISTRY/NAME:TAG",
                   help="where to push, e.g. registry.example.com/team/app:1.0 (TAG defaults to latest)")
    p.set_defaults(run=cmd_push)


def cmd_push(args: argparse.Namespace) -> int:
    from screens.cli.connect import engine_for
    from wizard.engine.common import reference_problem
    from wizard.engine.push import PushError, credentials_note, parse_target, push_image

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
    print(f"pushing {args.image} as {target}; {note}", file=sys.stderr)
    view = LayerView(sys.stderr, sys.stderr.isatty())
    try:
        done = push_image(client, args.image, target, view.changed)
    except PushError as exc:
        view.finish()
        print(f"push: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        view.finish()
        print("push: cancelled; the registry keeps the layers already sent, the tag was not pushed", file=sys.stderr)
        return EXIT_FAIL
    view.finish()
    print(f"pushed {target} ({done.digest}); pull it with: docker pull {target}")
    return EXIT_OK


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

    short = layer.id[:12]
    if not layer.total:
        return f"{short} {layer.status}"
    filled = BAR * min(layer.current, layer.total) // layer.total
    sizes = f"{human_size(layer.current)} / {human_size(layer.total)}"
    return f"{short} [{'#' * filled}{'-' * (BAR - filled)}] {sizes}  {layer.status}"
