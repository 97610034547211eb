"""`imgwizard push IMAGE --to REGISTRY/NAME:TAG`: tag the image and push it, layer by layer (docs/registry.md).

Credentials are the ones `docker login` stored: docker-py reads the Docker config file (`$DOCKER_CONFIG/config.json`
or `~/.docker/config.json`: `auths`, `credsStore`, `credHelpers`) and sends them with the push, as the Docker CLI
does. The engine does the push itself, so TLS trust and plain-HTTP permission are the engine's: a registry on
127.0.0.0/8 may speak plain HTTP, any other one needs TLS or the engine's `insecure-registries` setting.

The tags the user has are kept (issue 26): REGISTRY/NAME:TAG must name a registry host (a first part with `.` or
`:`, or `localhost`; Docker Hub only as `docker.io/...` written out, never by default); a tag that already names
another image is not moved unless `force`; and when the push fails or is cancelled, a tag this push made is
removed again and a tag it moved (`force`) is put back on the image it named. Text from the engine or the
registry goes through wizard.text.safe_to_show.
The engine adapter: stdlib + docker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import docker.auth
import docker.errors
import docker.utils.config

from wizard.engine.common import DockerOpError, api_of, reference_problem
from wizard.text import safe_to_show


class PushError(DockerOpError):
    """The push failed for a reason worth one line (auth, TLS, an unreachable registry...)."""


class TagTaken(PushError):
    """--to names a tag that names another image, and no `force`: nothing was done (the CLI's exit 2)."""


class PushCancelled(PushError):
    """Ctrl-C (or SIGTERM/SIGHUP turned into KeyboardInterrupt) during the push; the tag was put back first."""


@dataclass(frozen=True)
class Target:
    repository: str  # REGISTRY/NAME
    tag: str
    registry: str  # the registry host[:port] (docker.io when the name has none)

    def __str__(self) -> str:
        return f"{self.repository}:{self.tag}"


def parse_target(text: str) -> Target:
    """REGISTRY/NAME[:TAG] (TAG defaults to latest); PushError naming --to when it is not one."""
    problem = reference_problem(text, new=True)
    if problem:
        raise PushError(f"--to {problem}")
    name, tag = _split_tag(text)
    if not names_a_registry(name):
        raise PushError(f"--to {text} names no registry, so the engine would push it to Docker Hub "
                        f"(docker.io/{name}:{tag or 'latest'}); write the registry first, e.g. --to "
                        f"registry.example.com/{text}, or --to docker.io/{text} to push to Docker Hub")
    registry, _ = docker.auth.resolve_repository_name(name)
    return Target(name, tag or "latest", registry)


def names_a_registry(name: str) -> bool:
    """True when NAME's first part is a registry host as the engine reads it (moby/distribution reference
    `splitDockerDomain`: a part before the first `/` holding `.` or `:`, or `localhost`); `docker.io/...` counts,
    so Docker Hub is pushed to only when written out."""
    first, slash, _ = name.partition("/")
    return bool(slash) and (first == "localhost" or "." in first or ":" in first)


def _split_tag(ref: str) -> tuple[str, str | None]:
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
        return name, tag
    return ref, None


def credentials_note(registry: str, config_path: str | None = None) -> str:
    """Which credentials the push sends, as a line (never the password)."""
    path = config_path or docker.utils.config.find_config_file()
    if not path:
        return f"no Docker config file: pushing to {registry} without credentials (`docker login {registry}` adds them)"
    path_shown = safe_to_show(path, markup=False)
    try:
        found = docker.auth.load_config(path).resolve_authconfig(registry)
    except docker.errors.DockerException as exc:
        raise PushError(f"the Docker config file {path_shown} cannot be used: "
                        f"{safe_to_show(exc, markup=False)}") from None
    if not found:
        return f"no credentials for {registry} in {path_shown}: pushing without (`docker login {registry}` adds them)"
    user = found.get("Username") or found.get("username") or "a token"
    return f"credentials for {registry}: {safe_to_show(user, markup=False)}, from {path_shown}"


# ------------------------------------------------------------------ progress


@dataclass
class Layer:
    id: str
    status: str = ""
    current: int = 0
    total: int = 0

    @property
    def finished(self) -> bool:
        return self.status in ("Pushed", "Layer already exists", "Mounted from") or self.status.startswith("Mounted")


@dataclass
class PushProgress:
    """The state of a push, updated chunk by chunk from the engine's JSON stream."""
    layers: dict[str, Layer] = field(default_factory=dict)
    digest: str = ""
    size: int = 0
    replaced: str = ""  # with force: the id of the image the tag named before (it names IMAGE now)
    replaced_names: tuple[str, ...] = ()  # that image's other tags (none: it has no name now)

    def update(self, chunk: Mapping[str, Any]) -> Layer | None:
        """Apply one chunk; the layer it changed (None for other chunks). PushError on an error chunk."""
        if "error" in chunk or "errorDetail" in chunk:
            detail = chunk.get("errorDetail") or {}
            raise PushError(str(detail.get("message") or chunk.get("error") or "the push failed").strip())
        aux = chunk.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            self.digest, self.size = str(aux["Digest"]), int(aux.get("Size") or 0)
            return None
        layer_id = chunk.get("id")
        status = str(chunk.get("status") or "")
        if not layer_id or not _LAYER_ID.fullmatch(str(layer_id)):
            return None
        layer = self.layers.setdefault(str(layer_id), Layer(str(layer_id)))
        layer.status = status
        detail = chunk.get("progressDetail") or {}
        if detail.get("total"):
            layer.current, layer.total = int(detail.get("current") or 0), int(detail["total"])
        if layer.finished and layer.total:
            layer.current = layer.total
        return layer


_LAYER_ID = re.compile(r"[0-9a-f]{12,64}")


def push_image(client: Any, image: str, target: Target,
               on_change: Callable[[PushProgress, Layer | None], None] | None = None,
               force: bool = False, on_start: Callable[[PushProgress], None] | None = None) -> PushProgress:
    """Tag IMAGE as `target` and push it; `on_start(progress)` once tagged (`progress.replaced` says what a
    `force` moved), `on_change(progress, layer)` after each chunk. TagTaken (nothing done)
    when `target` names another image and not `force`. PushError (one line) when the engine or the registry
    refuses, PushCancelled on KeyboardInterrupt: in both the tag is first put back as it was (a tag this push
    made is removed, a tag it moved names its image again; the line says when that could not be done)."""
    try:
        source = client.images.get(image)
    except docker.errors.ImageNotFound:
        raise PushError(f"no image {image} in this engine (docker images lists them)") from None
    except docker.errors.APIError as exc:
        raise PushError(f"cannot read image {image}: {safe_to_show(_engine_text(exc), markup=False)}") from None
    before = _image_named(client, str(target))
    progress = PushProgress()
    if before is not None and before.id != source.id:
        if not force:
            raise TagTaken(f"--to {target} already names image {_short(before.id)}{_names(before, target)}; "
                           f"imgwizard keeps it: push under another tag, or add --force to move it to {image}")
        progress.replaced = before.id
        progress.replaced_names = tuple(t for t in _tags(before) if not _same_tag(t, target))
    try:  # from the tag on, every way out puts the tag back (a Ctrl-C right after the tag included)
        try:
            api_of(client).tag(source.id, target.repository, tag=target.tag, force=True)
        except docker.errors.APIError as exc:
            said = safe_to_show(_engine_text(exc), markup=False)
            raise PushError(f"cannot tag {image} as {target}: {said}") from None
        if on_start:
            on_start(progress)
        _push(client, target, progress, on_change)
    except PushError as exc:
        raise PushError(f"{exc}{_put_back(client, target, source.id, before)}") from None
    except KeyboardInterrupt:
        left = _put_back(client, target, source.id, before)
        raise PushCancelled("cancelled; the registry keeps the layers already sent, the tag was not pushed"
                            + left) from None
    except BaseException:  # a bug or an engine gone mid-way: the tag is still put back, then the error shows
        _put_back(client, target, source.id, before)
        raise
    return progress


def _push(client: Any, target: Target, progress: PushProgress,
          on_change: Callable[[PushProgress, Layer | None], None] | None) -> None:
    try:
        for chunk in _chunks(client, target):
            layer = progress.update(chunk)
            if on_change:
                on_change(progress, layer)
    except PushError as exc:
        raise PushError(explain(str(exc), target.registry)) from None
    except docker.errors.APIError as exc:
        raise PushError(explain(_engine_text(exc), target.registry)) from None
    if not progress.digest:
        raise PushError(f"the engine ended the push of {target} without a digest (connection lost?)")


def _engine_text(exc: BaseException) -> str:
    """The engine's own words, raw: made safe where shown."""
    return str(getattr(exc, "explanation", None) or exc).strip().replace("\n", " ")


def _image_named(client: Any, ref: str) -> Any:
    """The image `ref` names in the engine, or None."""
    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        raise PushError(f"cannot look up {ref}: {safe_to_show(_engine_text(exc), markup=False)}") from None


def _put_back(client: Any, target: Target, source_id: str, before: Any) -> str:
    """Undo the tag after a failed push: "" when done, else "; what is left and how to undo it"."""
    ref = str(target)
    if before is not None and before.id == source_id:
        return ""  # the tag named IMAGE already: this push did not change it
    if before is not None:  # --force moved it: it names the image it named before again
        try:
            api_of(client).tag(before.id, target.repository, tag=target.tag, force=True)
            return f"; {ref} names image {_short(before.id)} again, as before"
        except Exception as exc:  # the engine's error, or the engine gone (requests' ConnectionError)
            return (f"; {ref} could not be put back on image {_short(before.id)} "
                    f"({safe_to_show(_engine_text(exc), markup=False)}): docker tag {_short(before.id)} {ref} does it")
    try:
        now = client.images.get(ref)
        if now.id != source_id:
            return ""  # someone else moved it meanwhile: theirs now, left alone
        if len(_tags(now)) < 2:
            # Removing an image's last name deletes the image (moby ImageDelete): keep it, and say so.
            return (f"; the tag {ref} stays: it is the only name of image {_short(source_id)}, and removing it "
                    f"would delete the image")
        client.images.remove(ref, noprune=True)  # an untag: the image keeps its other names
        return ""
    except docker.errors.ImageNotFound:
        return ""
    except Exception as exc:  # the engine's error, or the engine gone (requests' ConnectionError)
        said = safe_to_show(_engine_text(exc), markup=False)
        return (f"; the tag {ref} this push made stays ({said}): docker rmi {ref} "
                f"removes it")


def _tags(image: Any) -> list[str]:
    return [str(t) for t in (image.attrs.get("RepoTags") or []) if t and t != "<none>:<none>"]


def _same_tag(tag: str, target: Target) -> bool:
    """True when the engine's familiar name `tag` (docker.io/ and library/ left out) is `target`."""
    return _familiar(tag) == _familiar(str(target))


def _familiar(ref: str) -> str:
    for prefix in ("docker.io/", "index.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            return ref[len("library/"):] if ref.startswith("library/") and ref.count("/") == 1 else ref
    return ref


def _names(image: Any, target: Target) -> str:
    """` (also: a, b)`: the image's other tags, at most three, as the engine gave them (made safe)."""
    others = [t for t in _tags(image) if not _same_tag(t, target)]
    if not others:
        return " (no other name)"
    more = f", {len(others) - 3} more" if len(others) > 3 else ""
    return f" (also: {', '.join(safe_to_show(t, markup=False) for t in others[:3])}{more})"


def _short(image_id: str) -> str:
    return safe_to_show(image_id.split(":", 1)[-1][:12], markup=False)


def _chunks(client: Any, target: Target) -> Iterable[Mapping[str, Any]]:
    return api_of(client).push(target.repository, tag=target.tag, stream=True, decode=True)


_MESSAGES = (
    (("unauthorized", "authentication required", "no basic auth credentials", "denied", "forbidden"),
     "{registry} refused the push: not logged in, or no permission for this name. Log in with `docker login "
     "{registry}` (imgwizard sends the credentials of the Docker config file)"),
    (("server gave http response to https client",),
     "{registry} speaks plain HTTP, which the engine allows only for 127.0.0.0/8 and the registries listed under "
     "insecure-registries in /etc/docker/daemon.json; give the registry TLS, or list it there and restart dockerd"),
    (("x509", "certificate"),
     "the engine does not trust {registry}'s TLS certificate; put its CA in /etc/docker/certs.d/{registry}/ca.crt "
     "on the engine's host"),
    (("connection refused", "no such host", "i/o timeout", "no route to host", "dial tcp"),
     "nothing answers at {registry} (from the engine's host: the engine itself connects to the registry)"),
)


def explain(message: str, registry: str) -> str:
    """One line for a push failure: what it means and what to do, then the engine's own words."""
    low = message.lower()
    for needles, text in _MESSAGES:
        if any(n in low for n in needles):
            said = safe_to_show(message.splitlines()[0][:200], markup=False)
            return f"{text.format(registry=registry)} (engine: {said})"
    return safe_to_show(message.splitlines()[0][:300], markup=False) if message.strip() else "the push failed"
