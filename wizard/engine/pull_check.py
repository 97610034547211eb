"""Before a build: can the engine get the base image? (issue 30 part 3; docs/user-guide.md "Before a build").

Where Docker Hub is blocked (most of mainland China) the legacy builder's pull of the FROM image hangs for minutes
before it fails. So before the context is sent, each image a FROM names (not `scratch`, not an earlier stage) is
looked up on the engine (`images.get`: there, nothing to pull); when it is missing, the engine is asked for its
registry data (`images.get_registry_data`, the engine's `GET /distribution/NAME/json`: the registry is reached from
the engine, through its own proxy and registry-mirrors settings, as the build's pull would be), in a thread given
`timeout` seconds. No answer in time, or an answer that says the registry cannot be reached (connection refused,
no such host, a time-out), and the build does not start: one line says what to do (mirror.registry, or the
engine's registry-mirrors). Any other answer (not found, a login needed) lets the build go on: its pull says what
is wrong at once. Text from the engine goes through common.outside_line (text.safe_to_show).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import dockerfile

from wizard.engine.common import outside_line
from wizard.registry_mirror import HUB, registry_of
from wizard.text import Msg

TIMEOUT = 6.0  # seconds: Docker Hub's token and manifest answer in one or two from a working network

# what the engine says when it could not reach the registry (Go's net and net/http errors), not what the registry
# said (denied, unknown manifest)
_UNREACHABLE = re.compile(r"connection refused|no such host|i/o timeout|timeout|deadline exceeded|network is "
                          r"unreachable|no route to host|connection reset|server misbehaving|temporary failure in "
                          r"name resolution|TLS handshake", re.IGNORECASE)


def base_refs(text: str) -> list[str]:
    """The images the FROM lines name (read by the official Dockerfile parser, as wizard/lint.py reads them), in
    order, each once: not scratch, not an earlier stage, not one that a build argument fills in. A text the
    parser refuses names none (the build then says what is wrong)."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return []
    refs: list[str] = []
    stages: set[str] = set()
    for c in commands:
        if c.cmd.upper() != "FROM" or not c.value:
            continue
        ref = c.value[0]
        if ref.lower() != "scratch" and ref.lower() not in stages and "$" not in ref and ref not in refs:
            refs.append(ref)
        if len(c.value) == 3 and c.value[1].upper() == "AS":
            stages.add(c.value[2].lower())
    return refs


def check_bases(client: Any, dockerfile: str, mirror: str = "", timeout: float = TIMEOUT) -> tuple[str | None, list[str]]:
    """(None, notes) when the build may start, each note one line for the log (a base it will pull, and from
    where); (the one line saying what to do, notes) when the engine cannot reach a base it lacks."""
    notes: list[str] = []
    for ref in base_refs(dockerfile):
        if _on_engine(client, ref):
            continue
        why = _probe(client, ref, timeout)
        shown, registry = outside_line(ref, 300), outside_line(_registry_name(ref, mirror), 300)
        if why is None:
            notes.append(Msg("pull.pulls", ref=shown, registry=registry))
            continue
        if mirror and ref.startswith(f"{mirror}/"):
            return Msg("pull.mirror", mirror=registry, ref=shown, why=why), notes
        if registry_of(ref) == HUB:
            return Msg("pull.hub", ref=shown, why=why), notes
        return Msg("pull.other", registry=registry, ref=shown, why=why), notes
    return None, notes


def _on_engine(client: Any, ref: str) -> bool:
    import docker.errors

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False
    except Exception:  # noqa: BLE001 - a reference the engine reads otherwise: the probe (or the build) says
        return False


def _probe(client: Any, ref: str, timeout: float) -> str | None:
    """None when the engine reached the registry of `ref` (whatever it answered but a network failure) within
    `timeout`, else why not, one line. The request runs in a daemon thread: one the engine leaves waiting is left
    behind, never waited for."""
    import docker.errors

    outcome: dict[str, Any] = {}

    def ask() -> None:
        try:
            client.images.get_registry_data(_probe_name(ref))
        except docker.errors.APIError as exc:
            outcome["error"] = str(exc.explanation or exc)
        except Exception as exc:  # noqa: BLE001 - the engine itself failed: the build says it
            outcome["engine"] = str(exc)
        outcome["done"] = True

    asker = threading.Thread(target=ask, name="imgwizard-pull-check", daemon=True)
    asker.start()
    asker.join(timeout)
    if not outcome.get("done"):
        return Msg("pull.no_answer", seconds=f"{timeout:g}")
    error = outcome.get("error", "")
    return outside_line(error, 300) if error and _UNREACHABLE.search(error) else None


def _probe_name(ref: str) -> str:
    """The reference asked about: with a digest, the digest alone (the engine reads `name:tag@digest` as the
    digest anyway, and some versions refuse both)."""
    if "@" in ref:
        name, digest = ref.split("@", 1)
        last = name.rsplit("/", 1)
        if ":" in last[-1]:
            name = name[: name.rindex(":")]
        return f"{name}@{digest}"
    return ref


def _registry_name(ref: str, mirror: str) -> str:
    if mirror and ref.startswith(f"{mirror}/"):
        return mirror
    registry = registry_of(ref)
    return "Docker Hub" if registry == HUB else registry
