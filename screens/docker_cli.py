"""The Docker sub-commands of `imgwizard`: build, export, import, commit, check (wizard/docker_ops.py does the work).

Exit status as the rest of the CLI: 0 ok, 1 failure, 2 bad input, 3 no Docker engine (one line saying how to start one).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import stat
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import TextIO

from screens.exits import EXIT_FAIL, EXIT_NO_ENGINE, EXIT_OK, EXIT_USAGE
from screens.remote_cli import connect_or_say, engine_for
TIMEOUT_MIN, TIMEOUT_MAX = 1, 3600  # check --timeout, seconds


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
    p.set_defaults(run=cmd_build)

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

    p = sub.add_parser("check", help="start an image and check that its services answer",
                       description="Start IMAGE with the ports and environment its context declares (published on "
                                   "127.0.0.1), check each service from outside (SSH banner, HTTP on the web port, "
                                   "the forwarded port reaching its target), then remove the container.")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--context", type=Path, metavar="DIR", default=Path("."),
                   help="the build context the image came from (its imgwizard.toml; default: .)")
    p.add_argument("-e", "--env", action="append", default=[], metavar="NAME=VALUE",
                   help="an environment variable for the container (JUPYTER_TOKEN, SSH_PASSWORD...); repeatable")
    p.add_argument("--timeout", type=float, default=90.0,
                   help=f"seconds to wait for the services, {TIMEOUT_MIN}-{TIMEOUT_MAX} (default 90)")
    p.set_defaults(run=cmd_check)


# ------------------------------------------------------------------ helpers

def _client(host: str | None = None):
    """A docker client for --host / DOCKER_HOST / the docker context, or None after printing why not."""
    return connect_or_say(host)


def _default_tag(context: Path) -> str:
    """image.name:image.tag from the context's imgwizard.toml (the folder's name when there is none).
    SafeIOError when the file is there but cannot be read as text (binary, too big, a FIFO...)."""
    from wizard import answers_file
    from wizard.safeio import ANSWERS_LIMIT, read_text

    source = context / "imgwizard.toml"
    given = answers_file.parse(read_text(source, ANSWERS_LIMIT))[0] if os.path.lexists(source) else {}
    name = given.get("image.name") or context.resolve().name.lower() or "imgwizard-image"
    return f"{name}:{given.get('image.tag') or 'latest'}"


def _bad_image(command: str, image: str, label: str = "IMAGE") -> bool:
    """Print the one line saying why `image` (the argument `label`) is not an image reference; True then."""
    from wizard.docker_ops import reference_problem

    problem = reference_problem(image)
    if problem:
        print(f"{command}: {label} {problem}", file=sys.stderr)
    return problem is not None


def _elapsed(start: float) -> str:
    s = int(time.monotonic() - start)
    return f"{s // 60:d}:{s % 60:02d}"


# ------------------------------------------------------------------ commands

def cmd_build(args: argparse.Namespace) -> int:
    from wizard.safeio import SafeIOError, open_new_log

    context: Path = args.dir
    try:
        problems = _build_problems(context)
        tag = args.tag or _default_tag(context)
    except SafeIOError as exc:
        problems, tag = [str(exc)], ""
    for problem in problems:
        print(f"build: {problem}", file=sys.stderr)
    label = "-t" if args.tag else "the default tag (image.name:image.tag, or the folder's name: pass -t)"
    if problems or _bad_image("build", tag, label):
        return EXIT_USAGE
    log_path = args.log or context / "build.log"
    try:
        log = open_new_log(log_path)
    except SafeIOError as exc:
        print(f"build: the log: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with log:
        client = _client(args.host)
        if client is None:
            log.write("ERROR: no Docker engine answers\n")
            return EXIT_NO_ENGINE
        print(f"building {tag} from {context} (full log: {log_path})")
        status = _run_build(client, args, tag, log, log_path)
    if status == EXIT_OK:
        _print_layers(client, tag, context)
    if status == EXIT_OK and args.check:
        return _check(client, argparse.Namespace(image=tag, context=context, env=[], timeout=90.0))
    return status


def _print_layers(client, tag: str, context: Path) -> None:
    """The layer view of the image just built (screens/image_cli.py); a failure to read it is one line."""
    from screens.image_cli import print_layers
    from wizard.image_meta import MetaError

    try:
        print_layers(client, tag, context)
    except MetaError as exc:
        print(f"build: no layer view: {exc}", file=sys.stderr)


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
        from screens.remote_cli import show_upload

        if ev.kind == "step":
            self.instruction, self.step_no, self.total = ev.text, ev.step, ev.total
            self.tail.clear()
            self.log.write(f"Step {ev.step}/{ev.total} : {ev.text}\n")
            if self.tty:
                sys.stdout.write("\n")
            print(f"[{_elapsed(self.start)}] step {ev.step}/{ev.total}: {_short(ev.text)}", flush=True)
        elif ev.kind == "upload":
            show_upload(ev, self.tty, self.log)
        elif ev.kind == "output":
            self.tail.append(ev.text)
            self.log.write(ev.text + "\n")
            if self.tty:
                sys.stdout.write(f"\r\033[K  [{_elapsed(self.start)}] {_short(ev.text, 100)}")
                sys.stdout.flush()
        elif ev.kind == "error":
            self.log.write(f"ERROR: {ev.text}\n")
            self.result = ("error", ev.text)
        elif ev.kind == "done":
            self.log.write(f"built {ev.text} as {self.tag}\n")
            self.result = ("done", ev.text)
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
        print(f"full log: {log_path}", file=sys.stderr)

    def report_success(self, client) -> None:
        size = ""
        try:
            from wizard.docker_ops import human_size
            size = f", {human_size(client.images.get(self.tag).attrs['Size'])}"
        except Exception:  # noqa: BLE001 - the size is a nicety
            pass
        assert self.result is not None
        print(f"built {self.tag} ({self.result[1][:19]}) in {_elapsed(self.start)}{size}")


def _run_build(client, args: argparse.Namespace, tag: str, log: TextIO, log_path: Path) -> int:
    """Build, showing step N/M and the current output line, the full log to `log`; the exit status."""
    from wizard.docker_ops import docker_builder

    progress = _BuildProgress(tag, log)
    cancel = threading.Event()
    try:
        try:
            for ev in docker_builder(client, nocache=args.no_cache)(args.dir, tag, cancel):
                progress.on_event(ev)
        except KeyboardInterrupt:
            cancel.set()
            progress.cancelled()
    except OSError as exc:
        print(f"build: cannot write the log {log_path}: {exc.strerror}", file=sys.stderr)
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


def cmd_export(args: argparse.Namespace) -> int:
    from wizard.docker_ops import BadTarget, DockerOpError, NotEnoughSpace, check_export_target, export_image

    if _bad_image("export", args.image):
        return EXIT_USAGE
    try:
        check_export_target(args.output, args.force)
    except BadTarget as exc:
        print(f"export: {exc}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    client = _client(args.host)
    if client is None:
        return EXIT_NO_ENGINE
    tty = sys.stderr.isatty()
    try:
        written = export_image(client, args.image, args.output, _export_progress(args.output, tty), args.force)
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
    from wizard.docker_ops import human_size
    print(f"saved {args.image} to {args.output} ({human_size(written)})")
    return EXIT_OK


def _export_progress(output: Path, tty: bool):
    """A progress callback: bytes written of the expected size, time left (screens/image_cli.py)."""
    from screens.image_cli import progress_printer

    return progress_printer("writing", output, tty)


def cmd_import(args: argparse.Namespace) -> int:
    from wizard.docker_ops import DockerOpError, import_image

    client = engine_for("import", _archive_problem(args.file), args.host)
    if isinstance(client, int):
        return client
    from screens.image_cli import progress_printer

    tty = sys.stderr.isatty()
    try:
        report = import_image(client, args.file, progress_printer("reading", args.file, tty))
    except DockerOpError as exc:
        print(f"\nimport: {exc}" if tty else f"import: {exc}", file=sys.stderr)
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


_CONTAINER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")


def _commit_usage(container: str, image: str) -> str | None:
    """What is wrong with commit's arguments (one line), checked before the engine is asked anything."""
    from wizard.checks import shown
    from wizard.docker_ops import reference_problem

    if not _CONTAINER.fullmatch(container):
        return (f"container {shown(container)} is not a container name or id "
                "(letters, digits and _ . -, starting with a letter or digit; docker ps -a lists them)")
    problem = reference_problem(image, new=True)
    return f"image {problem}" if problem else None


def cmd_commit(args: argparse.Namespace) -> int:
    from wizard.commit import SecretLeft, commit
    from wizard.docker_ops import DockerOpError

    client = engine_for("commit", _commit_usage(args.container, args.image), args.host)
    if isinstance(client, int):
        return client
    try:
        done = commit(client, args.container, args.image)
    except SecretLeft as exc:
        print(f"commit: refused, no image was made: a secret would be kept in {args.image}", file=sys.stderr)
        for line in exc.problems:
            print(f"commit: {line}", file=sys.stderr)
        return EXIT_FAIL
    except DockerOpError as exc:
        print(f"commit: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(f"committed {args.container} as {args.image} ({done.image_id[:19]})")
    for name in done.dropped:
        print(f"not kept: the value of {name} (a secret; pass it again when you start {args.image})")
    if done.kept:
        print(f"kept: {', '.join(done.kept)} (set when the container started; {args.image} starts with them)")
    if done.parent:
        print(f"note: {args.image} is built on the untagged image {done.parent[:19]}, whose local metadata (docker "
              f"inspect) still holds the container's settings; it is not part of {args.image} (not in docker save or "
              f"push) and goes with `docker rmi {args.image}`")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    client = engine_for("check", _check_problem(args), args.host)
    return client if isinstance(client, int) else _check(client, args)


def _check_problem(args: argparse.Namespace) -> str:
    """Why the check cannot start ('' when it can): a bad image name, time-out, -e item or context."""
    from wizard import answers_file
    from wizard.docker_ops import reference_problem
    from wizard.safeio import ANSWERS_LIMIT, SafeIOError, read_text

    problem = reference_problem(args.image)
    if problem:
        return f"IMAGE {problem}"
    if not (math.isfinite(args.timeout) and TIMEOUT_MIN <= args.timeout <= TIMEOUT_MAX):
        return f"--timeout {args.timeout}: accepted: a number of seconds from {TIMEOUT_MIN} to {TIMEOUT_MAX}"
    for item in args.env:
        if "=" not in item:
            return f"-e {item}: expected NAME=VALUE"
    source = args.context / "imgwizard.toml"
    if not os.path.lexists(source):
        return f"{args.context} has no imgwizard.toml (pass --context DIR, the image's build context)"
    try:
        _, problems = answers_file.parse(read_text(source, ANSWERS_LIMIT))
    except SafeIOError as exc:
        return str(exc)
    return f"{source}: {problems[0][0]}: {problems[0][1]}" if problems else ""


def _check(client, args: argparse.Namespace) -> int:
    from wizard.docker_ops import DockerOpError, check_image, run_spec_of_context
    from wizard.reach import Unreachable, route_for

    env = dict(item.split("=", 1) for item in args.env)
    try:
        spec = run_spec_of_context(args.context)
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


if __name__ == "__main__":  # pragma: no cover
    from screens.cli import main
    sys.exit(main(["build", *sys.argv[1:]]))
