"""Reading an image's labels back: from an image in the engine (local or remote) or from a `docker save` archive
without loading it (its manifest.json names each image's config JSON). The labels themselves, and the answers
file read from them, are the core's (wizard/labels.py, docs/reproduce.md)."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import docker.errors

from wizard import safeio
from wizard.engine.archive import json_member, reading_archive
from wizard.labels import ANSWERS, MetaError, answers_text

CONFIG_LIMIT = 8 * safeio.MIB  # an image config JSON in a saved archive (history + labels: a few KB)
MEMBERS_LIMIT = 100_000  # tar members looked at (an image has a few per layer)


def image_labels(client: Any, ref: str) -> dict[str, str]:
    """The labels of image `ref` in the engine `client` talks to (local or remote)."""
    try:
        image = client.images.get(ref)
    except docker.errors.ImageNotFound:
        raise MetaError(f"no image {ref} in this engine (docker images lists them)") from None
    except docker.errors.APIError as exc:
        raise MetaError(f"cannot inspect {ref}: {getattr(exc, 'explanation', None) or exc}") from None
    return dict((image.attrs.get("Config") or {}).get("Labels") or {})


def archive_labels(path: Path) -> dict[str, dict[str, str]]:
    """The labels of each image in a `docker save` archive, by its first tag (or its config's name): read from
    the config JSON its manifest.json names, without loading the archive. DockerOpError when it is not one."""
    with reading_archive(path), safeio.open_regular(path) as f, tarfile.open(fileobj=f, mode="r:*") as tar:
        members = _members(tar)
        if "manifest.json" not in members:
            raise MetaError(f"{path} is not a docker save archive (it has no manifest.json)")
        out: dict[str, dict[str, str]] = {}
        for entry in json_member(path, tar, members["manifest.json"]):
            config = members.get(str(entry.get("Config", "")).removeprefix("./"))
            if config is None:
                raise MetaError(f"{path}: its manifest names a config file the archive does not hold")
            name = (entry.get("RepoTags") or [str(entry.get("Config"))])[0]
            out[str(name)] = dict((json_member(path, tar, config, CONFIG_LIMIT).get("config") or {}).get("Labels")
                                  or {})
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
    carries answers; MetaError when none does, or several do (naming them)."""
    found = {name: lab for name, lab in archive_labels(path).items() if ANSWERS in lab}
    if not found:
        raise MetaError(f"{path}: no image in it has an {ANSWERS} label (not built from an imgwizard context)")
    if len(found) > 1:
        raise MetaError(f"{path} holds {len(found)} images with answers ({', '.join(found)}); accepted: an archive "
                        f"of one image (imgwizard export IMAGE -o FILE.tar), or load it and name the image")
    name, lab = next(iter(found.items()))
    return name, answers_text(lab, f"{path} ({name})")
