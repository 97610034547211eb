"""Saving and loading images: `docker save` into a file that is complete or absent (space checked first, a temporary
name renamed when done), `docker load` saying which tags it moved, and reading a saved archive's manifest with
bounded memory (labels.py reads the answers from it the same way)."""

from __future__ import annotations

import contextlib
import json
import lzma
import os
import shutil
import stat
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import docker.errors

from wizard import safeio
from wizard.engine.common import DockerOpError, api_message, api_of, human_size


class NotEnoughSpace(DockerOpError):
    def __init__(self, folder: Path, needed: int, free: int):
        self.folder, self.needed, self.free = folder, needed, free
        super().__init__(f"not enough free space in {folder}: the image's archive needs about {human_size(needed)} "
                         f"({needed} bytes), only {human_size(free)} ({free} bytes) are free")


class BadTarget(DockerOpError):
    """The file named for an archive must not be written (exists, or is not a regular file); nothing was."""


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
            for chunk in api_of(client).get_image(image, chunk_size=2 * 1024 * 1024):
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
        raise DockerOpError(f"docker save {image} failed: {api_message(exc)}") from None
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
    called as the file is sent (wizard/engine/upload.py's counting reader)."""
    from wizard.engine.upload import Sending

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
        msg = api_message(exc) if isinstance(exc, docker.errors.APIError) else str(exc)
        raise DockerOpError(f"{path} is not a complete image archive (docker load: {msg.strip()[:300]})") from None
    if not images:
        raise DockerOpError(f"{path} held no image (is it a `docker save` archive?)")
    replaced = {tag: old[:19] for tag, old in before.items() if old and old != _image_id(client, tag)}
    return ImportReport(tags or [img.short_id for img in images], replaced)
