"""`imgwizard build DIR`: build a context's image with the legacy builder, showing step N/M, the current
instruction and the elapsed time, the full log in DIR/build.log, and on failure the failing instruction and its
last output lines (wizard/engine/build.py does the work). `--check` runs `imgwizard check` on the image built.

Exit status as the rest of the CLI: 0 ok, 1 failure, 2 bad input, 3 no Docker engine (one line saying how to start one).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, TextIO

from screens.cli.check import run_check
from screens.cli.connect import bad_image, connect_or_say
from screens.cli.exits import EXIT_FAIL, EXIT_NO_ENGINE, EXIT_OK, EXIT_USAGE
from screens.folders import plain


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build a context's image with the Docker engine",
                       description="Build DIR (a context written by `imgwizard render`) with the legacy builder, "
                                   "showing step N/M, the current instruction and the elapsed time. The full log goes "
                                   "to DIR/build.log. On failure: the failing instruction and its last output lines.")
    p.add_argument("dir", type=Path, metavar="DIR", help="the build context folder (with a Dockerfile)")
    p.add_argument("-t", "--tag", help="image name:tag (default: image.name:image.tag from DIR/imgwizard.toml)")
    p.add_argument("--log", type=Path, metavar="FILE", help="where the full log goes (default: DIR/build.log)")
    p.add_argument("--check", action="store_true", help="after a successful build, run `imgwizard check` on it")
    p.add_argument("--no-cache", action="store_true", help="build every step again, ignoring the build cache")
    p.add_argument("--no-base-check", action="store_true",
                   help="start the build without first checking (a few seconds at most) that the engine has the base "
                        "image or reaches its registry")
    p.set_defaults(run=cmd_build)


def cmd_build(args: argparse.Namespace) -> int:
    from wizard.safeio import SafeIOError, open_new_log

    context: Path = args.dir
    try:
        problems = _build_problems(context)
        tag = args.tag or _default_tag(context)
    except SafeIOError as exc:
        problems, tag = [str(exc)], ""
    for problem in problems:
        print(plain(f"build: {problem}"), file=sys.stderr)
    label = "-t" if args.tag else "the default tag (image.name:image.tag, or the folder's name: pass -t)"
    if problems or bad_image("build", tag, label):
        return EXIT_USAGE
    log_path = args.log or context / "build.log"
    try:
        log = open_new_log(log_path)
    except SafeIOError as exc:
        print(plain(f"build: the log: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    with log:
        client = connect_or_say(args.host)
        if client is None:
            log.write("ERROR: no Docker engine answers\n")
            return EXIT_NO_ENGINE
        print(plain(f"building {tag} from {context} (full log: {log_path})"))
        status = _run_build(client, args, tag, log, log_path)
    if status == EXIT_OK:
        _print_layers(client, tag, context)
    if status == EXIT_OK and args.check:
        return run_check(client, argparse.Namespace(image=tag, context=context, env=[], timeout=90.0))
    return status


def _default_tag(context: Path) -> str:
    """image.name:image.tag from the context's imgwizard.toml (the folder's name when there is none).
    SafeIOError when the file is there but cannot be read as text (binary, too big, a FIFO...)."""
    from wizard import answers_file
    from wizard.safeio import ANSWERS_LIMIT, read_text

    source = context / "imgwizard.toml"
    given = answers_file.parse(read_text(source, ANSWERS_LIMIT))[0] if os.path.lexists(source) else {}
    name = given.get("image.name") or context.resolve().name.lower() or "imgwizard-image"
    return f"{name}:{given.get('image.tag') or 'latest'}"


def _print_layers(client, tag: str, context: Path) -> None:
    """The layer view of the image just built (screens/cli/image.py); a failure to read it is one line."""
    from screens.cli.image import print_layers
    from wizard.labels import MetaError

    try:
        print_layers(client, tag, context)
    except MetaError as exc:
        print(plain(f"build: no layer view: {exc}"), file=sys.stderr)


def _build_problems(context: Path) -> list[str]:
    """Why `context` cannot be built: no Dockerfile, or a file it COPYs is missing. SafeIOError when the
    Dockerfile or .dockerignore (docker-py reads it whole, and would hang on a FIFO) cannot be read as text."""
    from wizard.render import copied_files
    from wizard.safeio import TEXT_LIMIT, read_text

    dockerfile = context / "Dockerfile"
    if not os.path.lexists(dockerfile):
        return [f"{context} has no Dockerfile (write one with `imgwizard render ANSWERS -o {context}`)"]
    if os.path.lexists(context / ".dockerignore"):
        read_text(context / ".dockerignore", TEXT_LIMIT)
    return [f"{context / name} is missing: the Dockerfile COPYs it (see {context / 'README.md'})"
            for name in copied_files(read_text(dockerfile, TEXT_LIMIT)) if not (context / name).exists()]


class _BuildProgress:
    """What `imgwizard build` shows and keeps of a build's events: the step line, the current output line (on a
    terminal), the full log, and for a failure the failing instruction and its last 15 output lines."""

    def __init__(self, tag: str, log: TextIO) -> None:
        self.tag, self.log = tag, log
        self.start = time.monotonic()
        self.tail: deque[str] = deque(maxlen=15)
        self.instruction, self.step_no, self.total = "", 0, 0
        self.result: tuple[str, str] | None = None
        self.tty = sys.stdout.isatty()

    def on_event(self, ev) -> None:
        """Show and log one event; its text comes from the engine (the build's output, the instruction, the
        error) and is escaped (screens.folders.plain) before it reaches the terminal or build.log."""
        text = plain(ev.text)
        if ev.kind == "step":
            self.instruction, self.step_no, self.total = text, ev.step, ev.total
            self.tail.clear()
            self.log.write(f"Step {ev.step}/{ev.total} : {text}\n")
            if self.tty:
                sys.stdout.write("\n")
            print(f"[{_elapsed(self.start)}] step {ev.step}/{ev.total}: {_short(text)}", flush=True)
        elif ev.kind == "upload":
            show_upload(ev, self.tty, self.log)
        elif ev.kind == "output":
            self.tail.append(text)
            self.log.write(text + "\n")
            if self.tty:
                sys.stdout.write(f"\r\033[K  [{_elapsed(self.start)}] {_short(text, 100)}")
                sys.stdout.flush()
        elif ev.kind == "error":
            text = plain(ev.text, lines=True)
            self.log.write(f"ERROR: {text}\n")
            self.result = ("error", text)
        elif ev.kind == "done":
            self.log.write(f"built {text} as {self.tag}\n")
            self.result = ("done", text)
        self.log.flush()

    def cancelled(self) -> None:
        self.log.write("ERROR: build cancelled (Ctrl-C)\n")
        self.result = ("error", "build cancelled (Ctrl-C)")

    def report_failure(self, log_path: Path) -> None:
        message = self.result[1] if self.result else "the build stopped without a result"
        print(f"build FAILED after {_elapsed(self.start)}", file=sys.stderr)
        if self.step_no:
            print(f"failing instruction (step {self.step_no}/{self.total}): {self.instruction}", file=sys.stderr)
        if self.tail:
            print("its last output lines:", file=sys.stderr)
            for line in self.tail:
                print(f"  | {line}", file=sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        print(plain(f"full log: {log_path}"), file=sys.stderr)

    def report_success(self, client) -> None:
        size = ""
        try:
            from wizard.engine.common import human_size
            size = f", {human_size(client.images.get(self.tag).attrs['Size'])}"
        except Exception:  # noqa: BLE001 - the size is a nicety
            pass
        assert self.result is not None
        print(f"built {self.tag} ({self.result[1][:19]}) in {_elapsed(self.start)}{size}")


def _run_build(client, args: argparse.Namespace, tag: str, log: TextIO, log_path: Path) -> int:
    """Build, showing step N/M and the current output line, the full log to `log`; the exit status."""
    from wizard.engine.build import docker_builder

    progress = _BuildProgress(tag, log)
    cancel = threading.Event()
    try:
        try:
            skip = {"base_check": None} if getattr(args, "no_base_check", False) else {}  # else its own time-out
            for ev in docker_builder(client, nocache=args.no_cache, **skip)(args.dir, tag, cancel):
                progress.on_event(ev)
        except KeyboardInterrupt:
            cancel.set()
            progress.cancelled()
    except OSError as exc:
        print(plain(f"build: cannot write the log {log_path}: {exc.strerror}"), file=sys.stderr)
        return EXIT_FAIL
    if progress.tty:
        sys.stdout.write("\n")
    if progress.result is None or progress.result[0] == "error":
        progress.report_failure(log_path)
        return EXIT_FAIL
    progress.report_success(client)
    return EXIT_OK


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _elapsed(start: float) -> str:
    s = int(time.monotonic() - start)
    return f"{s // 60:d}:{s % 60:02d}"


def show_upload(event: Any, tty: bool, log: Any) -> None:
    """A build's "upload" event (bytes sent / total): one updated line on a terminal; elsewhere, and in the
    log, only the line saying the whole context was sent."""
    done, text = event.step >= event.total, plain(event.text)
    if tty:
        sys.stdout.write(f"\r\033[K{text}" + ("\n" if done else ""))
        sys.stdout.flush()
    elif done:
        print(text, flush=True)
    if done:
        log.write(text + "\n")
