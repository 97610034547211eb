"""The image sub-commands of `imgwizard`: `answers` (the answers file an image was built from) and `layers`
(where its bytes go); the progress line of export and import; the layer view the build prints.

wizard/engine/labels.py, wizard/engine/layers.py and wizard/engine/transfer.py do the work. Exit status as the rest
of the CLI: 0 ok, 1 failure, 2 bad input, 3 no Docker engine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from screens.cli.exits import EXIT_FAIL, EXIT_NO_ENGINE, EXIT_OK, EXIT_USAGE
from screens.folders import plain

FILE_SUFFIXES = (".toml", ".tar", ".tar.gz", ".tgz")  # --answers NAME with these is a file name, not an image


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("answers", help="write back the answers file an image was built from",
                       description="Read the answers file imgwizard put in IMAGE's imgwizard.answers label and "
                                   "print it, or write it to FILE (a new file). IMAGE is an image of the Docker "
                                   "engine (DOCKER_HOST may name a remote one) or a `docker save` archive. "
                                   "`imgwizard render FILE -o DIR` then writes the same Dockerfile "
                                   "(docs/reproduce.md).")
    p.add_argument("image", metavar="IMAGE", help="image name[:tag] or id, or the path of a saved .tar")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (a new file) instead of stdout")
    p.set_defaults(run=cmd_answers)

    p = sub.add_parser("layers", help="show where an image's bytes go, layer by layer",
                       description="Each layer of IMAGE with its size as a bar, largest first, labelled with the "
                                   "wizard step that made it (the Dockerfile's section comments), and the base "
                                   "image's share. The Dockerfile comes from --context DIR, else it is rendered "
                                   "from the image's answers label.")
    p.add_argument("image", metavar="IMAGE", help="image name[:tag] or id")
    p.add_argument("--context", type=Path, metavar="DIR", help="the build context the image came from")
    p.set_defaults(run=cmd_layers)


# ------------------------------------------------------------------ answers

def cmd_answers(args: argparse.Namespace) -> int:
    from wizard.engine.common import DockerOpError
    from wizard.labels import MetaError

    output = None if args.output is None else Path(args.output)
    if args.output is not None and (args.output.endswith(("/", os.sep)) or os.path.isdir(args.output)):
        from wizard.text import tr

        example = plain(output / "answers.toml")
        print(f"answers: {tr('cli.answers.output_folder', 'en', path=plain(args.output), example=example)}",
              file=sys.stderr)
        return EXIT_USAGE
    if output is not None and os.path.lexists(output):
        print(f"answers: {plain(output)} exists; imgwizard does not replace it: choose a new file name",
              file=sys.stderr)
        return EXIT_USAGE
    dropped: list[tuple[str, str]] = []
    try:
        text, status = answers_of(args.image, host=args.host, dropped=dropped)
    except (MetaError, DockerOpError) as exc:
        print(plain(f"answers: {exc}"), file=sys.stderr)
        return EXIT_FAIL
    if status != EXIT_OK:
        return status
    for key, message in dropped:
        print(plain(f"WARNING: {args.image}: {key}: {message}"), file=sys.stderr)
    _warn_problems(text, args.image, output.parent if output is not None else Path("."))
    if output is None:
        sys.stdout.write(text)  # answers_file.dump_document: no control character left raw, still TOML
        return EXIT_OK
    return _write_new(output, text)


def answers_of(source: str, client: Any = None, host: str | None = None,
               dropped: list[tuple[str, str]] | None = None) -> tuple[str, int]:
    """(the answers file text, EXIT_OK) of an image or a saved archive at `source`; ("", status) after
    printing why there is none to read. MetaError when the image carries no answers, DockerOpError when the
    archive is not one. `client`: the engine to ask (default: the CLI's for `host`: --host, DOCKER_HOST, the
    docker context, the local socket; screens/cli/connect.py). The answers that name a file outside the folder
    are left out (wizard.load.drop_host_files), each added to `dropped` as (key, why)."""
    from wizard.engine import labels as engine_labels
    from wizard.engine.archive import is_archive
    from wizard.engine.common import reference_problem
    from wizard.labels import answers_text
    from wizard.load import drop_host_files

    if os.path.lexists(source):
        if os.path.isfile(source) and not is_archive(Path(source)):
            print(plain(f"answers: {source} is not a docker save archive; accepted: an image name[:tag] or id, or "
                        f"a saved .tar (imgwizard export IMAGE -o FILE.tar)"), file=sys.stderr)
            return "", EXIT_USAGE
        text = engine_labels.archive_answers(Path(source))[1]
    else:
        problem = reference_problem(source)
        if problem:
            print(plain(f"answers: IMAGE {problem}, or the path of a saved .tar (there is no file {source})"),
                  file=sys.stderr)
            return "", EXIT_USAGE
        if client is None:
            from screens.cli.connect import connect_or_say
            client = connect_or_say(host)
            if client is None:
                return "", EXIT_NO_ENGINE
        text = answers_text(engine_labels.image_labels(client, source), source)
    text, left_out = drop_host_files(text)
    if dropped is not None:
        dropped.extend(left_out)
    return text, EXIT_OK


def _warn_problems(text: str, source: str, folder: Path) -> None:
    """Say which answers this imgwizard would refuse (an image from another version, a key file not in
    `folder`, where the answers file goes), without failing."""
    from wizard import answers_file
    from wizard.validate import validate

    given, problems = answers_file.parse(text)
    if not problems:
        problems = validate(given, folder)[1]
    for key, message in problems:
        print(plain(f"WARNING: {source}: {key}: {message}"), file=sys.stderr)


def _write_new(path: Path, text: str) -> int:
    """Write `text` to `path`, which must not exist (a hard link puts the complete file in place, so a file
    that appears meanwhile is never replaced)."""
    from wizard import safeio

    folder = path.parent if str(path.parent) else Path(".")
    try:
        tmp = safeio.stage(folder, path.name, text.encode(), 0o644)
    except safeio.WriteFailed as exc:
        print(plain(f"answers: {exc}"), file=sys.stderr)
        return EXIT_FAIL
    try:
        os.link(tmp, path)
    except FileExistsError:
        print(plain(f"answers: {path} appeared meanwhile; it was kept: choose a new file name"), file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(plain(f"answers: cannot write {path}: {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_FAIL
    finally:
        os.unlink(tmp)
    print(plain(f"wrote {path} (render it: imgwizard render {path} -o DIR)"), file=sys.stderr)
    return EXIT_OK


def given_of_image(source: str, host: str | None = None,
                   dropped: list[tuple[str, str]] | None = None) -> tuple[dict, list[tuple[str, str]]] | None:
    """The wizard's `--answers IMAGE`: the given answers of an image (of the engine at `host`) or of a saved
    archive, with problems; None when `source` names a file that is not an archive (the caller reads it). The
    answers left out for naming a file outside the folder are added to `dropped` (answers_of)."""
    from wizard import answers_file
    from wizard.engine.archive import is_archive
    from wizard.engine.common import DockerOpError, reference_problem
    from wizard.labels import MetaError

    if os.path.lexists(source):
        if not is_archive(Path(source)):
            return None  # an answers file: read_given reads it (or says why not)
    elif source.endswith(FILE_SUFFIXES) or reference_problem(source):
        return None  # a file name that is not there: read_given says so
    try:
        text, status = answers_of(source, host=host, dropped=dropped)
    except (MetaError, DockerOpError) as exc:
        return {}, [("--answers", str(exc))]
    if status != EXIT_OK:
        return {}, [("--answers", f"{source} is neither a file nor an image of a Docker engine that answers")]
    return answers_file.parse(text)


# ------------------------------------------------------------------ layers

def cmd_layers(args: argparse.Namespace) -> int:
    from wizard.engine.common import reference_problem
    from wizard.labels import MetaError

    from screens.cli.connect import engine_for

    problem = reference_problem(args.image)
    client = engine_for("layers", problem and f"IMAGE {problem}", args.host)
    if isinstance(client, int):
        return client
    try:
        print_layers(client, args.image, args.context)
    except MetaError as exc:
        print(plain(f"layers: {exc}"), file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def print_layers(client: Any, ref: str, context: Path | None = None) -> None:
    """Print the layer view of image `ref`; its Dockerfile from `context`, else rendered from its answers."""
    from wizard.engine import layers
    from wizard.engine.labels import image_history

    labels, history = image_history(client, ref)
    dockerfile, note = _dockerfile_of(labels, context)
    view = layers.layer_view(history, dockerfile, labels.get("org.opencontainers.image.base.name", ""))
    print(plain(f"layers of {ref} ({note}):"))  # the steps and the note come from the image: shown escaped
    for line in layers.lines(view):
        print(plain(f"  {line}"))


def _dockerfile_of(labels: dict, context: Path | None) -> tuple[str | None, str]:
    """(the Dockerfile the image came from, "steps from WHERE"), or (None, "no wizard steps: WHY")."""
    from wizard import answers_file, safeio
    from wizard.labels import answers_text
    from wizard.render import render
    from wizard.validate import validate

    if context is not None:
        try:
            return safeio.read_text(context / "Dockerfile", safeio.TEXT_LIMIT), f"steps from {context / 'Dockerfile'}"
        except safeio.SafeIOError as exc:
            return None, f"no wizard steps: {exc}"
    try:
        given, problems = answers_file.parse(answers_text(labels, "the image"))
        answers, problems = validate(given, Path(".")) if not problems else ({}, problems)
        if not problems:
            return render(answers, Path(".")).dockerfile, "steps from its answers label"
        return None, f"no wizard steps: its answers do not render here ({problems[0][0]}: {problems[0][1]})"
    except Exception as exc:  # noqa: BLE001 - the steps are a nicety: sizes are shown without them
        return None, f"no wizard steps: {exc}"


# ------------------------------------------------------------------ progress

def progress_printer(verb: str, what: object, tty: bool, out=None) -> Callable[[int, int], None]:
    """A progress callback: one updated line on a terminal (5 a second), a line every 5 s otherwise; with the
    bytes done against the expected size and the time left (wizard/engine/transfer.py)."""
    from wizard.engine.transfer import progress_text

    start, last = time.monotonic(), [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < (0.2 if tty else 5.0):
            return
        last[0] = now
        line = progress_text(verb, plain(what), done, total, now - start)
        print(f"\r\033[K{line}" if tty else line, end="" if tty else "\n", file=out or sys.stderr, flush=True)

    return progress
