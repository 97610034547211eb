"""Building an image: docker-py's legacy builder (`APIClient.build`), the build context sent once with a byte count
(upload.py), and the JSON chunk stream turned into BuildEvents (build_events.py).

docker-py always talks to the legacy builder (no BuildKit, facts.md "Builder compatibility"), whose stream
is JSON chunks: {"stream": "Step 2/9 : RUN ...\\n"}, {"stream": " ---> Running in ..."}, {"aux": {"ID": ...}},
{"errorDetail": {...}, "error": "..."}. `parse_stream` is tested on recorded chunks.
"""

from __future__ import annotations

import queue
import re
import socket
import threading
from pathlib import Path
from typing import Any, Generator, Iterable, Iterator, Mapping

import docker.errors

from wizard import safeio
from wizard.engine.build_events import BuildEvent, Builder
from wizard.engine.common import api_message, api_of, human_size, outside_line
from wizard.engine.pull_check import TIMEOUT, check_bases
from wizard.text import safe_to_show


_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_BUILT = re.compile(r"^Successfully built ([0-9a-f]+)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # the engine colours a RUN's stderr red


def parse_stream(chunks: Iterable[Mapping[str, Any]]) -> Iterator[BuildEvent]:
    """Build events from the legacy builder's decoded JSON chunks.

    A chunk's "stream" text may hold several lines or half of one: lines are put back together. Ends with
    exactly one "done" (the image id) or "error" event; a stream that stops without either is an error.
    Every event's text is safe to show (common.outside_line, or safe_to_show for an output line, whose indent
    is kept; the controls escaped, markup left to the screen that reads it): what a build prints and the
    engine's errors may hold any bytes (a RUN's output, a registry's answer), and they reach the terminal,
    build.log and the TUI.
    """
    step = total = 0
    image_id = ""
    pending = ""

    def lines(text: str) -> Iterator[BuildEvent]:
        nonlocal step, total, image_id
        for line in _ANSI.sub("", text).split("\n"):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            m = _STEP.match(line)
            if m:
                step, total = int(m.group(1)), int(m.group(2))
                yield BuildEvent("step", outside_line(m.group(3), 4000), step, total)
                continue
            m = _BUILT.match(line.strip())
            if m and not image_id:
                image_id = m.group(1)
            yield BuildEvent("output", safe_to_show(line[:4000], markup=False), step, total)  # its indent kept

    for chunk in chunks:
        if not isinstance(chunk, Mapping):  # not what the engine writes: skipped
            continue
        if "errorDetail" in chunk or "error" in chunk:
            if pending:
                yield from lines(pending)
                pending = ""
            detail = chunk.get("errorDetail") or {}
            message = (detail.get("message") if isinstance(detail, dict) else None) or chunk.get("error") \
                or "unknown build error"
            yield BuildEvent("error", outside_line(message, 2000), step, total)
            return
        if "stream" in chunk:
            pending += str(chunk["stream"])
            if "\n" in pending:
                complete, pending = pending.rsplit("\n", 1)
                yield from lines(complete)
        elif "aux" in chunk and isinstance(chunk["aux"], dict) and chunk["aux"].get("ID"):
            image_id = outside_line(chunk["aux"]["ID"], 200)
        elif "status" in chunk:  # pulling the base image
            text = str(chunk["status"])
            if chunk.get("progress"):
                continue
            if chunk.get("id"):
                text = f"{chunk['id']}: {text}"
            yield BuildEvent("output", outside_line(text, 4000), step, total)
    if pending:
        yield from lines(pending)
    if image_id:
        yield BuildEvent("done", image_id, step, total)
    else:
        yield BuildEvent("error", "the build stream ended without an image (engine stopped or connection lost)",
                         step, total)


def docker_builder(client: Any = None, nocache: bool = False, host: str | None = None,
                   base_check: float | None = TIMEOUT) -> Builder:
    """A Builder that builds with docker-py's legacy builder (`APIClient.build`); `nocache` ignores the cache.
    Without a client it connects when the build starts (to `host`, else as the Docker CLI would: engine.py).
    First, unless `base_check` is None, each base image the Dockerfile's FROM lines name that the engine lacks must
    be reachable from the engine within `base_check` seconds (pull_check.py): else one "error" event says what to
    do, and nothing is sent.

    Setting `cancel` stops the build: the HTTP response is shut down (the engine then cancels the build and,
    with forcerm, removes its intermediate containers) and a last "error" event says it was cancelled.
    """

    def build(context_dir: Path, tag: str, cancel: threading.Event) -> Iterator[BuildEvent]:
        from wizard.engine.connect import EngineError, client_for

        try:
            engine = client if client is not None else client_for(host)[0]
            api = api_of(engine)
            if base_check is not None and hasattr(engine, "images"):
                problem = yield from _check_bases(engine, context_dir, base_check)
                if problem or cancel.is_set():  # Esc during the check: nothing was sent yet
                    yield BuildEvent("error", problem or "build cancelled")
                    return
            chunks = yield from _send_context(api, context_dir, dict(tag=tag, decode=True, rm=True, forcerm=True,
                                                                     nocache=nocache,
                                                                     buildargs=_build_args(context_dir)))
        except docker.errors.APIError as exc:
            yield BuildEvent("error", api_message(exc))
            return
        except (docker.errors.DockerException, OSError, EngineError) as exc:
            yield BuildEvent("error", f"cannot start the build: {outside_line(exc)}")
            return
        response = _response_of(chunks)
        stop_watch = threading.Event()

        def watch() -> None:
            while not stop_watch.wait(0.2):
                if cancel.is_set():
                    _shut(api, response)
                    return

        watcher = threading.Thread(target=watch, name="imgwizard-build-cancel", daemon=True)
        watcher.start()
        try:
            for event in parse_stream(_guarded(chunks, cancel)):
                if cancel.is_set():
                    break
                yield event
        except Exception as exc:  # noqa: BLE001 - a broken stream after cancel, or a lost engine
            if not cancel.is_set():
                yield BuildEvent("error", f"the build stream broke: {outside_line(exc)}")
        finally:
            stop_watch.set()
            chunks.close()
            if response is not None:
                response.close()
        if cancel.is_set():
            yield BuildEvent("error", "build cancelled")

    return build


_THROUGH_MIRROR = re.compile(r"^# pulled through the registry mirror (\S+) \(mirror\.registry\)$", re.MULTILINE)


def _check_bases(engine: Any, context_dir: Path, timeout: float) -> Generator[BuildEvent, None, str | None]:
    """pull_check.check_bases on the context's Dockerfile (the mirror from base.j2's comment line), its notes as
    output events; the one-line problem, or None (also when the Dockerfile cannot be read: the build says why)."""
    try:
        dockerfile = safeio.read_text(Path(context_dir) / "Dockerfile", safeio.TEXT_LIMIT)
    except safeio.SafeIOError:
        return None
    mirror = _THROUGH_MIRROR.search(dockerfile)
    problem, notes = check_bases(engine, dockerfile, mirror.group(1) if mirror else "", timeout)
    for note in notes:
        yield BuildEvent("output", note)
    return problem


def _build_args(context_dir: Path) -> dict[str, str]:
    """The build time for the labels' `created` (snippets/labels.j2) when the Dockerfile asks for it."""
    from wizard.labels import build_args

    try:
        return build_args(safeio.read_text(Path(context_dir) / "Dockerfile", safeio.TEXT_LIMIT))
    except safeio.SafeIOError:
        return {}  # the build itself says what is wrong with the Dockerfile


def _send_context(api: Any, context_dir: Path, options: dict[str, Any]) -> Generator[BuildEvent, None, Any]:
    """Send the build context once (wizard/engine/upload.py), yielding "upload" events (bytes sent / total) while it
    goes; returns docker-py's chunk stream. The POST runs in a helper thread so the events flow meanwhile."""
    from wizard.engine.upload import Sending, context_archive

    sent: queue.Queue[tuple[int, int] | None] = queue.Queue()
    outcome: dict[str, Any] = {}
    archive = context_archive(context_dir)

    def post() -> None:
        try:
            outcome["chunks"] = api.build(fileobj=Sending(archive, lambda n, total: sent.put((n, total))),
                                          custom_context=True, **options)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = exc
        finally:
            sent.put(None)

    threading.Thread(target=post, name="imgwizard-build-upload", daemon=True).start()
    try:
        while (item := sent.get()) is not None:
            yield BuildEvent("upload", f"sending the build context: {human_size(item[0])} of "
                                       f"{human_size(item[1])}", item[0], item[1])
    finally:
        archive.close()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["chunks"]


def _guarded(chunks: Iterator[Mapping[str, Any]], cancel: threading.Event) -> Iterator[Mapping[str, Any]]:
    for chunk in chunks:
        if cancel.is_set():
            return
        yield chunk


def _response_of(chunks: Any) -> Any:
    """The requests Response behind docker-py's stream generator (its frame holds it), or None."""
    frame = getattr(chunks, "gi_frame", None)
    return frame.f_locals.get("response") if frame is not None else None


def _shut(api: Any, response: Any) -> None:
    """Unblock a read that waits on the build stream: shut the socket down, then close the response."""
    if response is None:
        return
    try:
        sock = api._get_raw_response_socket(response)
        sock = getattr(sock, "_sock", sock)  # a SocketIO over the unix socket
        sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # noqa: BLE001 - best effort; closing below is enough once a chunk arrives
        pass
    try:
        response.close()
    except Exception:  # noqa: BLE001
        pass
