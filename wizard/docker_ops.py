"""The Docker adapter: build, save (export), load (import), commit and a run check, through docker-py.

Pure core: imports docker and the stdlib only. Every function takes the client, so the CLI, the TUI and the
tests pass their own (tests use a real engine; `parse_stream` is tested on recorded chunks).

docker-py always talks to the legacy builder (no BuildKit, facts.md "Builder compatibility"), whose stream
is JSON chunks: {"stream": "Step 2/9 : RUN ...\\n"}, {"stream": " ---> Running in ..."}, {"aux": {"ID": ...}},
{"errorDetail": {...}, "error": "..."}.
"""

from __future__ import annotations

import base64
import contextlib
import json
import lzma
import os
import queue
import re
import secrets
import shutil
import socket
import stat
import tarfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator, Iterable, Iterator, Mapping

import docker
import docker.errors

from wizard import safeio
from wizard.build_events import BuildEvent, Builder


class DockerOpError(Exception):
    """A Docker action failed for a reason worth one clear line to the user."""


class NotEnoughSpace(DockerOpError):
    def __init__(self, folder: Path, needed: int, free: int):
        self.folder, self.needed, self.free = folder, needed, free
        super().__init__(f"not enough free space in {folder}: the image's archive needs about {human_size(needed)} "
                         f"({needed} bytes), only {human_size(free)} ({free} bytes) are free")


def human_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


# ------------------------------------------------------------------ engine

HOW_TO_START = ("start one: `sudo systemctl start docker` (or `sudo dockerd &`), "
                "or point DOCKER_HOST at a running engine")


def engine_status(client_factory: Callable[[], Any] | None = None, host: str | None = None) -> str | None:
    """None when a Docker engine answers, else one line saying why not. Without a factory: `host`, else the
    engine the Docker CLI would use (wizard/engine.py: DOCKER_HOST, the docker context, the local socket)."""
    if client_factory is None:
        from wizard.engine import EngineError, client_for

        try:
            client_for(host)[0].close()  # an SSH session is not left open behind the answer
        except EngineError as exc:
            return str(exc)
        return None
    try:
        client = client_factory()
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "no engine" here
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"no Docker engine answers ({reason[:200]})"
    return None


# ------------------------------------------------------------------ build

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_BUILT = re.compile(r"^Successfully built ([0-9a-f]+)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # the engine colours a RUN's stderr red


def parse_stream(chunks: Iterable[Mapping[str, Any]]) -> Iterator[BuildEvent]:
    """Build events from the legacy builder's decoded JSON chunks.

    A chunk's "stream" text may hold several lines or half of one: lines are put back together. Ends with
    exactly one "done" (the image id) or "error" event; a stream that stops without either is an error.
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
                yield BuildEvent("step", m.group(3), step, total)
                continue
            m = _BUILT.match(line.strip())
            if m and not image_id:
                image_id = m.group(1)
            yield BuildEvent("output", line, step, total)

    for chunk in chunks:
        if "errorDetail" in chunk or "error" in chunk:
            if pending:
                yield from lines(pending)
                pending = ""
            detail = chunk.get("errorDetail") or {}
            message = detail.get("message") or chunk.get("error") or "unknown build error"
            yield BuildEvent("error", str(message).strip(), step, total)
            return
        if "stream" in chunk:
            pending += str(chunk["stream"])
            if "\n" in pending:
                complete, pending = pending.rsplit("\n", 1)
                yield from lines(complete)
        elif "aux" in chunk and isinstance(chunk["aux"], dict) and chunk["aux"].get("ID"):
            image_id = str(chunk["aux"]["ID"])
        elif "status" in chunk:  # pulling the base image
            text = str(chunk["status"])
            if chunk.get("progress"):
                continue
            if chunk.get("id"):
                text = f"{chunk['id']}: {text}"
            yield BuildEvent("output", text, step, total)
    if pending:
        yield from lines(pending)
    if image_id:
        yield BuildEvent("done", image_id, step, total)
    else:
        yield BuildEvent("error", "the build stream ended without an image (engine stopped or connection lost)",
                         step, total)


def _api(client: Any) -> Any:
    """The low-level APIClient of a DockerClient (or the APIClient itself)."""
    return getattr(client, "api", client)


def docker_builder(client: Any = None, nocache: bool = False, host: str | None = None) -> Builder:
    """A Builder that builds with docker-py's legacy builder (`APIClient.build`); `nocache` ignores the cache.
    Without a client it connects when the build starts (to `host`, else as the Docker CLI would: engine.py).

    Setting `cancel` stops the build: the HTTP response is shut down (the engine then cancels the build and,
    with forcerm, removes its intermediate containers) and a last "error" event says it was cancelled.
    """

    def build(context_dir: Path, tag: str, cancel: threading.Event) -> Iterator[BuildEvent]:
        from wizard.engine import EngineError, client_for

        try:
            api = _api(client if client is not None else client_for(host)[0])
            chunks = yield from _send_context(api, context_dir, dict(tag=tag, decode=True, rm=True, forcerm=True,
                                                                     nocache=nocache,
                                                                     buildargs=_build_args(context_dir)))
        except docker.errors.APIError as exc:
            yield BuildEvent("error", _api_message(exc))
            return
        except (docker.errors.DockerException, OSError, EngineError) as exc:
            yield BuildEvent("error", f"cannot start the build: {exc}")
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
                yield BuildEvent("error", f"the build stream broke: {exc}")
        finally:
            stop_watch.set()
            chunks.close()
            if response is not None:
                response.close()
        if cancel.is_set():
            yield BuildEvent("error", "build cancelled")

    return build


def _build_args(context_dir: Path) -> dict[str, str]:
    """The build time for the labels' `created` (snippets/labels.j2) when the Dockerfile asks for it."""
    from wizard.image_meta import build_args

    try:
        return build_args(safeio.read_text(Path(context_dir) / "Dockerfile", safeio.TEXT_LIMIT))
    except safeio.SafeIOError:
        return {}  # the build itself says what is wrong with the Dockerfile


def _send_context(api: Any, context_dir: Path, options: dict[str, Any]) -> Generator[BuildEvent, None, Any]:
    """Send the build context once (wizard/upload.py), yielding "upload" events (bytes sent / total) while it
    goes; returns docker-py's chunk stream. The POST runs in a helper thread so the events flow meanwhile."""
    from wizard.upload import Sending, context_archive

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


def _api_message(exc: docker.errors.APIError) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc).strip()


# ------------------------------------------------------------------ export (docker save) and import (docker load)

_IMAGE_ID = re.compile(r"(?:sha256:)?[0-9a-f]{12,64}", re.ASCII)


class BadTarget(DockerOpError):
    """The file named for an archive must not be written (exists, or is not a regular file); nothing was."""


def reference_problem(ref: str, new: bool = False) -> str | None:
    """None when `ref` is an image name[:tag] or an image id the engine could know, else what is accepted.
    `new`: a name to give an image (commit), so no digest and no bare id."""
    from wizard.checks import REFERENCE, shown

    if len(ref) <= 255 and REFERENCE.fullmatch(ref) and not (new and "@" in ref):
        return None
    if not new and _IMAGE_ID.fullmatch(ref):
        return None
    return (f"{shown(ref)} is not an image name; accepted: name[:tag] in lower-case letters, digits and . _ - "
            f"(e.g. team/my-app:1.0)" + ("" if new else " or an image id"))


def check_export_target(path: Path, force: bool = False) -> None:
    """Refuse (BadTarget) an archive name that is not a regular file, or an existing file without `force`."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BadTarget(f"cannot look at {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise BadTarget(f"{path} is a symbolic link; accepted: a new file name, or a regular file with --force")
    if not stat.S_ISREG(st.st_mode):
        raise BadTarget(f"{path} is {safeio.kind_of(st.st_mode)}; accepted: a new file name, or a regular file "
                        f"with --force")
    if not force:
        raise BadTarget(f"{path} exists; pass --force to replace it, or choose another name")


def export_image(client: Any, image: str, path: Path,
                 progress: Callable[[int, int], None] | None = None, force: bool = False) -> int:
    """`docker save IMAGE` into `path`; returns the bytes written.

    Refuses (BadTarget) a `path` that is not a regular file, or that exists unless `force`; refuses
    (NotEnoughSpace, both numbers) when the folder's free space is smaller than the image; writes to a
    temporary name in the same folder and renames it when complete, removing it on any failure, so no
    truncated tar is ever left under the final name. `progress(written, expected)` is called per chunk.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DockerOpError(f"{folder} is not a folder")
    check_export_target(path, force)
    try:
        img = client.images.get(image)
    except docker.errors.ImageNotFound:
        raise DockerOpError(f"no image {image} in this engine (docker images lists them)") from None
    size = int(img.attrs.get("Size") or 0)
    # The tar holds the layers uncompressed plus headers and metadata: a few percent more than the image size
    # (measured: a 132.3 MiB image saves to 137.4 MiB).
    needed = size + size // 20 + 2**20
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise NotEnoughSpace(folder, needed, free)
    tmp = folder / f".{path.name}.imgwizard-partial-{os.getpid()}"
    written = 0
    try:
        # The name the user gave (not the image id) so the archive carries that tag for docker load.
        with open(tmp, "xb") as out:
            for chunk in _api(client).get_image(image, chunk_size=2 * 1024 * 1024):
                out.write(chunk)
                written += len(chunk)
                if progress:
                    progress(written, size)
            out.flush()
            os.fsync(out.fileno())
        _put_archive(tmp, path, force)
    except OSError as exc:
        _remove(tmp)
        if exc.errno == 28:  # ENOSPC: the estimate was too low
            raise DockerOpError(f"{folder} filled up after {human_size(written)}: nothing was kept "
                                f"(the image is about {human_size(size)})") from None
        raise DockerOpError(f"cannot write {path}: {exc.strerror or exc}") from None
    except docker.errors.APIError as exc:
        _remove(tmp)
        raise DockerOpError(f"docker save {image} failed: {_api_message(exc)}") from None
    except BaseException:
        _remove(tmp)
        raise
    return written


def _put_archive(tmp: Path, path: Path, force: bool) -> None:
    """Give the complete archive its name: never over a file that appeared meanwhile (a hard link fails
    then) unless `force`, and never over something that is not a regular file."""
    check_export_target(path, force)
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise BadTarget(f"{path} appeared while saving; pass --force to replace it, or choose another name") \
            from None
    except OSError:  # a filesystem without hard links: rename, after one more look
        check_export_target(path, force)
        os.rename(tmp, path)
        return
    os.unlink(tmp)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


MANIFEST_LIMIT = safeio.MIB  # manifest.json of a docker save archive: a few hundred bytes per image
MEMBERS_LIMIT = 100_000  # tar members read while looking for it (an image has a few per layer)


@dataclass
class ImportReport:
    loaded: list[str]  # the tags the archive holds (image ids for an archive without tags)
    replaced: dict[str, str] = field(default_factory=dict)  # tag -> short id of the image it named before


def archive_tags(path: Path) -> list[str]:
    """The tags a `docker save` archive names, read as a stream with bounded memory: manifest.json's RepoTags,
    or for an archive in the bare OCI layout (index.json alone) its manifests' image-name annotations."""
    oci: list[str] | None = None
    with reading_archive(path), safeio.open_regular(path) as f, tarfile.open(fileobj=f, mode="r:*") as tar:
        for _ in range(MEMBERS_LIMIT):
            member = tar.next()
            if member is None:
                if oci is not None:
                    return oci
                raise DockerOpError(f"{path} is not a docker save archive (it has no manifest.json)")
            name = member.name.removeprefix("./")
            if name == "manifest.json" and member.isfile():
                return [str(t) for entry in json_member(path, tar, member) for t in (entry.get("RepoTags") or [])]
            if name == "index.json" and member.isfile():
                index = json_member(path, tar, member)
                oci = [str(m["annotations"][key]) for m in index.get("manifests", [])
                       for key in ("io.containerd.image.name",) if key in (m.get("annotations") or {})]
    raise DockerOpError(f"{path} is not a docker save archive (no manifest.json in its first {MEMBERS_LIMIT} "
                        f"entries)")


@contextlib.contextmanager
def reading_archive(path: Path) -> Iterator[None]:
    """Turn what reading a docker save archive can raise into one DockerOpError line."""
    try:
        yield
    except safeio.SafeIOError as exc:
        raise DockerOpError(str(exc)) from None
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise DockerOpError(f"{path} is not a complete image archive ({' '.join(str(exc).split())})") from None
    except (TypeError, KeyError, AttributeError) as exc:
        raise DockerOpError(f"{path}: its manifest is not a docker save manifest ({exc})") from None


def json_member(path: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int = MANIFEST_LIMIT) -> Any:
    """A JSON file of an archive, at most `limit` bytes."""
    if member.size > limit:
        raise DockerOpError(f"{path}: {member.name} is {member.size} bytes; accepted: at most {limit}")
    try:
        return json.loads(tar.extractfile(member).read())
    except (ValueError, AttributeError, RecursionError) as exc:
        raise DockerOpError(f"{path}: {member.name} is not JSON ({exc})") from None


def _image_id(client: Any, ref: str) -> str | None:
    try:
        return client.images.get(ref).id
    except docker.errors.ImageNotFound:
        return None


def import_image(client: Any, path: Path, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """`docker load < path`: the tags it loaded (its manifest's, not every tag the loaded image has) and the
    tags that named another image before (docker load moves them without a word). `progress(read, size)` is
    called as the file is sent (wizard/upload.py's counting reader)."""
    from wizard.upload import Sending

    path = Path(path)
    tags = archive_tags(path)
    before = {tag: _image_id(client, tag) for tag in tags}
    try:
        with safeio.open_regular(path) as f:
            images = client.images.load(Sending(f, progress) if progress else f)
    except safeio.SafeIOError as exc:
        raise DockerOpError(str(exc)) from None
    except OSError as exc:
        raise DockerOpError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (docker.errors.ImageLoadError, docker.errors.APIError) as exc:
        msg = _api_message(exc) if isinstance(exc, docker.errors.APIError) else str(exc)
        raise DockerOpError(f"{path} is not a complete image archive (docker load: {msg.strip()[:300]})") from None
    if not images:
        raise DockerOpError(f"{path} held no image (is it a `docker save` archive?)")
    replaced = {tag: old[:19] for tag, old in before.items() if old and old != _image_id(client, tag)}
    return ImportReport(tags or [img.short_id for img in images], replaced)


# ------------------------------------------------------------------ run check

@dataclass(frozen=True)
class Service:
    kind: str  # ssh | http | forward | desktop
    port: int  # the container port to reach from outside
    target: int = 0  # forward: the port it forwards to
    process: str = ""  # desktop: the app's program, which must be running


@dataclass
class RunSpec:
    """What the context declares for `docker run`: published ports, fixed environment, --init, services."""
    ports: list[int]
    env: dict[str, str]
    init: bool
    services: list[Service]
    ignored_flags: list[str] = field(default_factory=list)  # GPU / device flags this machine cannot honour
    throwaway: list[str] = field(default_factory=list)  # required secrets the check makes up when not given


def run_spec(answers: Mapping[str, Any], plan: Any) -> RunSpec:
    """The run settings and services from resolved answers and their Plan."""
    services: list[Service] = []
    if answers.get("app.type") == "web" and answers.get("app.port"):
        services.append(Service("http", int(answers["app.port"])))
    if plan.desktop:  # the built-in desktop (the other desktop bases cannot be pulled here to learn their pages)
        services.append(Service("desktop", int(plan.desktop["port"]), process=plan.desktop["process"]))
    if answers.get("ssh.enabled"):
        services.append(Service("ssh", int(answers["ssh.port"])))
    if answers.get("forward.enabled"):
        services.append(Service("forward", int(answers["forward.listen"]), int(answers["forward.target"])))
    ignored = [f for f in plan.run_flags if f.startswith(("--gpus", "--device", "-v"))]
    throwaway = [s.name for s in plan.secrets if s.required]
    return RunSpec(list(plan.expose), dict(plan.env_fixed), bool(plan.needs_init), services, ignored, throwaway)


def run_spec_of_context(context_dir: Path) -> RunSpec:
    """The RunSpec of a build context written by imgwizard (from its imgwizard.toml)."""
    from wizard import answers_file
    from wizard.answers import resolve
    from wizard.plan import build_plan

    source = Path(context_dir) / "imgwizard.toml"
    try:
        given, problems = answers_file.parse(safeio.read_text(source, safeio.ANSWERS_LIMIT))
    except safeio.SafeIOError as exc:
        raise DockerOpError(str(exc)) from None
    if problems:
        raise DockerOpError(f"{source}: " + "; ".join(f"{k}: {m}" for k, m in problems))
    answers, _ = resolve(given)
    return run_spec(answers, build_plan(answers, Path(context_dir)))


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str


@dataclass
class CheckReport:
    image: str
    results: list[CheckResult]
    logs: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)


def check_image(client: Any, image: str, spec: RunSpec, env: Mapping[str, str] | None = None,
                timeout: float = 90.0, keep: bool = False, reach: Callable[[int], int] | None = None) -> CheckReport:
    """Start IMAGE as the context declares, check each service answers from outside, remove the container.

    Container ports are published on 127.0.0.1 (random host ports). `env` adds variables (JUPYTER_TOKEN,
    SSH_PASSWORD...); a required secret not given (DESKTOP_PASSWORD) gets a random throwaway value. A forwarded port
    is checked by reaching its target: the web app when the target is the app's port, else a one-shot socat
    listener started in the container on the target port. A desktop: its viewer page, RFB through its websocket
    and the app's process. `reach` maps a port on the engine host's 127.0.0.1 to one this machine can connect to
    (wizard/reach.py, remote engines).
    """
    container = _start_for_check(client, image, spec, env)
    results: list[CheckResult] = []
    logs = ""
    try:
        deadline = time.monotonic() + timeout
        host_ports = _host_ports(container, spec.ports, deadline)
        if reach is not None:
            host_ports = {port: reach(host_port) for port, host_port in host_ports.items()}
        http_ports = {s.port for s in spec.services if s.kind == "http"}
        for service in spec.services:
            host_port = host_ports.get(service.port)
            if host_port is None:
                results.append(CheckResult(service.kind, False, f"port {service.port} is not published"))
            else:
                results.extend(_check_service(container, service, host_port, service.target in http_ports, deadline))
        if not spec.services:
            ok, detail = _wait(lambda: "running", container, time.monotonic() + 3, settle=True)
            results.append(CheckResult("container keeps running", ok, detail))
        if not all(r.ok for r in results):
            logs = _logs(container)
    finally:
        if not keep:
            try:
                container.remove(force=True)
            except docker.errors.APIError:
                pass
    return CheckReport(image, results, logs)


def _start_for_check(client: Any, image: str, spec: RunSpec, env: Mapping[str, str] | None) -> Any:
    """IMAGE started as the context declares, its ports published on 127.0.0.1, a throwaway value for each
    required secret not given."""
    environment = {name: secrets.token_hex(4) for name in spec.throwaway}
    environment.update({**spec.env, **(env or {})})
    try:
        client.images.get(image)  # run would try to pull a missing image from a registry
    except docker.errors.ImageNotFound:
        raise DockerOpError(f"no image {image} in this engine (docker images lists them)") from None
    try:
        return client.containers.run(
            image, detach=True, init=spec.init or None, environment=environment,
            ports={f"{p}/tcp": ("127.0.0.1", None) for p in spec.ports}, labels={"imgwizard.check": "1"})
    except docker.errors.ImageNotFound:
        raise DockerOpError(f"no image {image} in this engine") from None
    except docker.errors.APIError as exc:
        raise DockerOpError(f"cannot start {image}: {_api_message(exc)}") from None


def _check_service(container: Any, service: Service, host_port: int, target_is_web: bool,
                   deadline: float) -> list[CheckResult]:
    """One declared service, reached on `host_port`: an SSH banner, an HTTP answer, a desktop, or a forwarded
    port (through the web app when it forwards to it, else through a one-shot listener on its target)."""
    if service.kind == "ssh":
        ok, detail = _wait(lambda: _ssh_banner(host_port), container, deadline)
        return [CheckResult(f"ssh on {service.port}", ok, detail)]
    if service.kind == "http":
        ok, detail = _wait(lambda: _http(host_port), container, deadline)
        return [CheckResult(f"http on {service.port}", ok, detail)]
    if service.kind == "desktop":
        return _check_desktop(container, host_port, service, deadline)
    if target_is_web:
        ok, detail = _wait(lambda: _http(host_port), container, deadline)
    else:
        ok, detail = _check_forward(container, host_port, service.target, deadline)
    return [CheckResult(f"forward {service.port} -> {service.target}", ok, detail)]


def _host_ports(container: Any, ports: list[int], deadline: float) -> dict[int, int]:
    found: dict[int, int] = {}
    while time.monotonic() < deadline:
        container.reload()
        bindings = container.attrs.get("NetworkSettings", {}).get("Ports") or {}
        for p in ports:
            for b in bindings.get(f"{p}/tcp") or []:
                if b.get("HostIp") in ("127.0.0.1", "0.0.0.0", "") and b.get("HostPort"):
                    found[p] = int(b["HostPort"])
        if len(found) == len(ports) or container.status == "exited":
            break
        time.sleep(0.2)
    return found


def _wait(probe: Callable[[], str], container: Any, deadline: float, settle: bool = False) -> tuple[bool, str]:
    """Run `probe` until it returns a detail (ok) or the deadline passes; fail early if the container exits."""
    last = "no answer"
    while True:
        container.reload()
        if container.status in ("exited", "dead"):
            code = container.attrs.get("State", {}).get("ExitCode")
            return False, f"the container stopped (exit code {code})"
        if not settle:
            try:
                return True, probe()
            except (OSError, ValueError) as exc:
                last = str(exc) or type(exc).__name__
        if time.monotonic() >= deadline:
            return (True, "running") if settle else (False, f"no answer before the time-out ({last})")
        time.sleep(0.5)


def _ssh_banner(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        data = s.recv(256).decode("ascii", "replace")
    if not data.startswith("SSH-2.0"):
        raise ValueError(f"not an SSH banner: {data[:40]!r}")
    return data.strip()


def _http(port: int) -> str:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", method="GET")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return f"HTTP {r.status}"
    except urllib.error.HTTPError as exc:  # any HTTP answer (401, 403, 404...) means the server is there
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        raise OSError(str(exc.reason)) from None


def _check_desktop(container: Any, host_port: int, service: Service, deadline: float) -> list[CheckResult]:
    """The built-in desktop from outside: noVNC's viewer page, the VNC server's RFB greeting through websockify's
    websocket, and the app's process inside the container."""
    results = [CheckResult(f"noVNC viewer on {service.port}", *_wait(lambda: _viewer_page(host_port), container, deadline)),
               CheckResult(f"RFB over the websocket on {service.port}",
                           *_wait(lambda: rfb_over_websocket(host_port), container, deadline))]

    def app_runs() -> str:
        names = [p[-1].split(" ", 1)[0].rsplit("/", 1)[-1] for p in container.top()["Processes"]]
        if service.process not in names:
            raise ValueError(f"no {service.process} process yet")
        return f"{service.process} is running"

    results.append(CheckResult(f"app {service.process}", *_wait(app_runs, container, deadline)))
    return results


def _viewer_page(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/vnc.html", timeout=5) as r:
        page = r.read(1 << 20).decode("utf-8", "replace")
    if "noVNC" not in page:
        raise ValueError("the page on this port is not noVNC's viewer")
    return f"HTTP {r.status}, noVNC's vnc.html"


_RFB_GREETING = re.compile(rb"RFB 003\.00[0-9]\n")


def rfb_over_websocket(port: int, path: str = "/websockify") -> str:
    """Open the websocket noVNC uses and read the VNC server's first message: "RFB 003.00x\n" (RFC 6143 7.1.1)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request.encode("ascii"))
        stream = s.makefile("rb")
        status = stream.readline(1024)
        if b" 101 " not in status:
            raise ValueError(f"no websocket upgrade: {status[:60]!r}")
        while stream.readline(4096).strip():
            pass  # the response headers
        payload = _websocket_frame(stream)
    if not _RFB_GREETING.fullmatch(payload[:12]):
        raise ValueError(f"not an RFB greeting: {payload[:12]!r}")
    return payload[:11].decode("ascii")


def _websocket_frame(stream: Any) -> bytes:
    """The payload of one unmasked server frame (RFC 6455 5.2)."""
    head = stream.read(2)
    if len(head) < 2:
        raise ValueError("the websocket closed before the VNC server spoke")
    length = head[1] & 0x7F
    if length >= 126:
        extra = stream.read(2 if length == 126 else 8)
        length = int.from_bytes(extra, "big")
    return stream.read(min(length, 1 << 16))


_MARK = "imgwizard-forward-ok"


def _check_forward(container: Any, host_port: int, target: int, deadline: float) -> tuple[bool, str]:
    cmd = ["socat", "-T", "10", f"TCP-LISTEN:{target},reuseaddr,fork", f"SYSTEM:echo {_MARK}"]
    try:
        container.exec_run(cmd, detach=True)
    except docker.errors.APIError as exc:
        return False, f"cannot start a listener on {target}: {_api_message(exc)}"

    def probe() -> str:
        with socket.create_connection(("127.0.0.1", host_port), timeout=5) as s:
            s.settimeout(5)
            data = b""
            while _MARK.encode() not in data:
                more = s.recv(256)
                if not more:
                    break
                data += more
        if _MARK.encode() not in data:
            raise ValueError("connected, but the target did not answer through the forward")
        return f"reached a listener on {target}"

    return _wait(probe, container, deadline)


def _logs(container: Any, lines: int = 40) -> str:
    try:
        return container.logs(tail=lines).decode("utf-8", "replace")
    except docker.errors.APIError:
        return ""
