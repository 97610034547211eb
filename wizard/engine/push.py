"""`imgwizard push IMAGE --to REGISTRY/NAME:TAG`: tag the image and push it, layer by layer (docs/registry.md).

Credentials are the ones `docker login` stored: docker-py reads the Docker config file (`$DOCKER_CONFIG/config.json`
or `~/.docker/config.json`: `auths`, `credsStore`, `credHelpers`) and sends them with the push, as the Docker CLI
does. The engine does the push itself, so TLS trust and plain-HTTP permission are the engine's: a registry on
127.0.0.0/8 may speak plain HTTP, any other one needs TLS or the engine's `insecure-registries` setting.
The engine adapter: stdlib + docker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import docker.auth
import docker.errors
import docker.utils.config

from wizard.engine.common import DockerOpError, api_message, api_of, reference_problem


class PushError(DockerOpError):
    """The push failed for a reason worth one line (auth, TLS, an unreachable registry...)."""


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
    registry, _ = docker.auth.resolve_repository_name(name)
    return Target(name, tag or "latest", registry)


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
    try:
        found = docker.auth.load_config(path).resolve_authconfig(registry)
    except docker.errors.DockerException as exc:
        raise PushError(f"the Docker config file {path} cannot be used: {exc}") from None
    if not found:
        return f"no credentials for {registry} in {path}: pushing without (`docker login {registry}` adds them)"
    user = found.get("Username") or found.get("username") or "a token"
    return f"credentials for {registry}: {user}, from {path}"


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
               on_change: Callable[[PushProgress, Layer | None], None] | None = None) -> PushProgress:
    """Tag IMAGE as `target` and push it; `on_change(progress, layer)` after each chunk. PushError (one line)
    when the engine or the registry refuses."""
    try:
        client.images.get(image).tag(target.repository, target.tag)
    except docker.errors.ImageNotFound:
        raise PushError(f"no image {image} in this engine (docker images lists them)") from None
    except docker.errors.APIError as exc:
        raise PushError(f"cannot tag {image} as {target}: {api_message(exc)}") from None
    progress = PushProgress()
    try:
        for chunk in _chunks(client, target):
            layer = progress.update(chunk)
            if on_change:
                on_change(progress, layer)
    except PushError as exc:
        raise PushError(explain(str(exc), target.registry)) from None
    except docker.errors.APIError as exc:
        raise PushError(explain(api_message(exc), target.registry)) from None
    if not progress.digest:
        raise PushError(f"the engine ended the push of {target} without a digest (connection lost?)")
    return progress


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
            return f"{text.format(registry=registry)} (engine: {message.splitlines()[0][:200]})"
    return message.splitlines()[0][:300] if message else "the push failed"
