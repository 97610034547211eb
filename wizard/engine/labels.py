"""Reading an image's labels back: from an image in the engine (local or remote) or from a `docker save` archive
without loading it (its manifest.json names each image's config JSON). The labels themselves, and the answers
file read from them, are the core's (wizard/labels.py, docs/reproduce.md)."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any, Callable

import docker.errors
import requests.exceptions

from wizard import safeio
from wizard.engine.archive import json_member, open_archive, shown_tag
from wizard.engine.common import api_message, outside_line
from wizard.labels import ANSWERS, MetaError, answers_text

CONFIG_LIMIT = 8 * safeio.MIB  # an image config JSON in a saved archive (history + labels: a few KB)
MEMBERS_LIMIT = 100_000  # tar members looked at (an image has a few per layer)


def image_labels(client: Any, ref: str) -> dict[str, str]:
    """The labels of image `ref` in the engine `client` talks to (local or remote)."""
    image = _engine_image(client, ref, "cannot inspect", lambda image: None)[0]
    config = image.attrs.get("Config") if isinstance(image.attrs, dict) else None
    return checked_labels(config, f"image {ref}")


def image_history(client: Any, ref: str) -> tuple[dict[str, str], list[dict]]:
    """(the labels, the history, newest first) of image `ref` in the engine `client` talks to, for the layer
    view (wizard/engine/layers.py); MetaError, one line safe to show, when the engine cannot tell."""
    image, history = _engine_image(client, ref, "cannot read the history of", lambda image: image.history())
    if not isinstance(history, list):
        raise MetaError(f"cannot read the history of {ref}: the engine answered with {_kind(history)}")
    config = image.attrs.get("Config") if isinstance(image.attrs, dict) else None
    return checked_labels(config, f"image {ref}"), [e for e in history if isinstance(e, dict)]


def _engine_image(client: Any, ref: str, doing: str, then: Callable[[Any], Any]) -> tuple[Any, Any]:
    """(image `ref`, `then(image)`), both asked of the engine; MetaError, one line safe to show, when it cannot
    tell ("no image" for a 404, else `doing` and the engine's words)."""
    try:
        image = client.images.get(ref)
        return image, then(image)
    except docker.errors.ImageNotFound:
        raise MetaError(f"no image {ref} in this engine (docker images lists them)") from None
    except docker.errors.APIError as exc:
        raise MetaError(f"{doing} {ref}: {api_message(exc)}") from None
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise MetaError(f"{doing} {ref}: {outside_line(exc, 300)}") from None


def checked_labels(config: Any, what: str) -> dict[str, str]:
    """An image config's Labels as Docker defines them (an object of texts; null or absent: none): MetaError,
    one line naming `what`, when it is anything else. A label that is not a text is dropped, except the
    answers label, which is refused (a number there is not an answers document)."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise MetaError(f"{what}: its config is {_kind(config)}; accepted: a JSON object, as docker writes it")
    labels = config.get("Labels")
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise MetaError(f"{what}: its Labels are {_kind(labels)}; accepted: a JSON object of texts, as docker "
                        f"writes them")
    if ANSWERS in labels and not isinstance(labels[ANSWERS], str):
        raise MetaError(f"{what}: its {ANSWERS} label is {_kind(labels[ANSWERS])}; accepted: the JSON text "
                        f"imgwizard writes there (docs/reproduce.md)")
    return {str(k): v for k, v in labels.items() if isinstance(v, str)}


def _kind(value: Any) -> str:
    return {list: "a list", str: "a text", bool: "true or false", int: "a number", float: "a number",
            dict: "an object"}.get(type(value), "null" if value is None else type(value).__name__)


def archive_labels(path: Path) -> dict[str, dict[str, str]]:
    """The labels of each image in a `docker save` archive, by its first tag (or its config's name): read from
    the config JSON its manifest.json names, without loading the archive. DockerOpError when it is not one.
    The names are as the archive wrote them; archive_answers shows them safely."""
    with open_archive(path) as tar:
        members = _members(tar)
        if "manifest.json" not in members:
            raise MetaError(f"{path} is not a docker save archive (it has no manifest.json)")
        manifest = json_member(path, tar, members["manifest.json"])
        if not isinstance(manifest, list) or not all(isinstance(e, dict) for e in manifest):
            raise MetaError(f"{path}: its manifest.json is not a docker save manifest; accepted: a list of images")
        out: dict[str, dict[str, str]] = {}
        for entry in manifest:
            config = members.get(str(entry.get("Config", "")).removeprefix("./"))
            if config is None:
                raise MetaError(f"{path}: its manifest names a config file the archive does not hold")
            tags = entry.get("RepoTags")
            name = str(tags[0] if isinstance(tags, list) and tags else entry.get("Config"))
            doc = json_member(path, tar, config, CONFIG_LIMIT)
            if not isinstance(doc, dict):
                raise MetaError(f"{path} ({shown_tag(name)}): its config file is {_kind(doc)}; "
                                f"accepted: a JSON object, as docker writes it")
            out[name] = checked_labels(doc.get("config"), f"{path} ({shown_tag(name)})")
        return out


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The regular-file members by name (without a leading ./), at most MEMBERS_LIMIT of them."""
    out: dict[str, tarfile.TarInfo] = {}
    for _ in range(MEMBERS_LIMIT):
        member = tar.next()
        if member is None:
            return out
        if member.isfile():
            out[member.name.removeprefix("./")] = member
    raise MetaError(f"{tar.name}: more than {MEMBERS_LIMIT} entries; accepted: a docker save archive")


def archive_answers(path: Path) -> tuple[str, str]:
    """(the image's name in the archive, its answers file text) for the one image of a saved archive that
    carries answers; MetaError when none does, or several do (naming them, safely: they come from the archive)."""
    found = {name: lab for name, lab in archive_labels(path).items() if ANSWERS in lab}
    if not found:
        raise MetaError(f"{path}: no image in it has an {ANSWERS} label (not built from an imgwizard context)")
    if len(found) > 1:
        names = ", ".join(shown_tag(n) for n in list(found)[:5]) + (", ..." if len(found) > 5 else "")
        raise MetaError(f"{path} holds {len(found)} images with answers ({names}); accepted: an archive "
                        f"of one image (imgwizard export IMAGE -o FILE.tar), or load it and name the image")
    name, lab = next(iter(found.items()))
    return name, answers_text(lab, f"{path} ({shown_tag(name)})")
