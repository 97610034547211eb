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
import requests.exceptions

from wizard import safeio
from wizard.engine.common import DockerOpError, api_message, api_of, human_size, outside_line, reference_problem


# What docker-py raises when the engine's connection breaks: its own errors, or requests' (not wrapped).
_BROKEN = (docker.errors.DockerException, requests.exceptions.RequestException)


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
    except docker.errors.APIError as exc:
        raise DockerOpError(f"the engine did not say whether it has {image}: {api_message(exc)}") from None
    except _BROKEN as exc:  # the connection broke
        raise DockerOpError(f"the engine did not say whether it has {image}: {outside_line(exc, 300)}") from None
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
    except docker.errors.APIError as exc:
        _remove(tmp)
        raise DockerOpError(f"docker save {image} failed: {api_message(exc)}") from None
    except _BROKEN as exc:  # before OSError: requests' errors are OSErrors
        _remove(tmp)
        raise DockerOpError(f"docker save {image} failed after {human_size(written)}: {outside_line(exc, 300)}; "
                            f"nothing was kept") from None
    except OSError as exc:
        _remove(tmp)
        if exc.errno == 28:  # ENOSPC: the estimate was too low
            raise DockerOpError(f"{folder} filled up after {human_size(written)}: nothing was kept "
                                f"(the image is about {human_size(size)})") from None
        raise DockerOpError(f"cannot write {path}: {exc.strerror or exc}") from None
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
HEADER_LIMIT = 8 * 1024  # a PAX or GNU long-name header: a path (at most 4096 bytes) and a few fields; the
# stdlib parses one with regular expressions that take quadratic time (CVE-2024-6232; 16 KiB of digits: 1.2 s)
HEADERS_IN_A_ROW = 8  # extended headers before one member (docker save writes at most a PAX and a global one)
EXTENDED_TOTAL = 4 * safeio.MIB  # all extended headers of one archive (global ones add up in memory)


class ArchiveRefused(DockerOpError):
    """An archive member header imgwizard does not read (too large, or a kind docker save never writes)."""


class _CappedInfo(tarfile.TarInfo):
    """tarfile's member header, refusing before anything is read: a PAX or GNU long-name header over
    HEADER_LIMIT (the stdlib reads the whole of it into memory: Python 3.11 tarfile.py `_proc_pax` and
    `_proc_gnulong` call `fileobj.read(self._block(self.size))`, so a small .tar.xz whose header claims
    1.5 GB of zeros took 53 s and 1.5 GB), more than HEADERS_IN_A_ROW of them before one member (each reads
    the next by recursion), more than EXTENDED_TOTAL bytes of them in all (global headers are kept), and GNU
    sparse members (their extension blocks are read in a loop)."""

    @classmethod
    def fromtarfile(cls, tar: tarfile.TarFile) -> tarfile.TarInfo:
        depth = getattr(tar, "_imgwizard_headers", 0)
        if depth > HEADERS_IN_A_ROW:
            raise ArchiveRefused(f"more than {HEADERS_IN_A_ROW} extended headers before one member; "
                                 f"accepted: a docker save archive")
        tar._imgwizard_headers = depth + 1  # type: ignore[attr-defined]
        try:
            return super().fromtarfile(tar)
        finally:
            tar._imgwizard_headers = depth  # type: ignore[attr-defined]

    def _proc_member(self, tar: tarfile.TarFile) -> tarfile.TarInfo:
        if self.type in _EXTENDED and self.size > HEADER_LIMIT:
            raise ArchiveRefused(f"an extended (PAX or long-name) header of {self.size} bytes; accepted: at most "
                                 f"{HEADER_LIMIT} bytes, as docker save writes them")
        if self.type in _EXTENDED:
            total = getattr(tar, "_imgwizard_extended", 0) + self.size
            if total > EXTENDED_TOTAL:
                raise ArchiveRefused(f"more than {EXTENDED_TOTAL} bytes of extended headers; accepted: a docker "
                                     f"save archive")
            tar._imgwizard_extended = total  # type: ignore[attr-defined]
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise ArchiveRefused("a GNU sparse member; accepted: a docker save archive (it has none)")
        return super()._proc_member(tar)


_EXTENDED = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
             tarfile.GNUTYPE_LONGLINK)


@contextlib.contextmanager
def open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    """A saved archive (tar, gzip, bzip2 or xz), a regular file only, read as a stream whose member headers are
    capped (_CappedInfo); every failure is one DockerOpError line naming `path` (reading_archive)."""
    with reading_archive(path), safeio.open_regular(path) as f, \
            tarfile.open(fileobj=f, mode="r:*", tarinfo=_CappedInfo) as tar:
        yield tar


def is_archive(path: Path) -> bool:
    """True for a regular file that opens as a tar archive (gzip, bzip2, xz or none): docker save's output rather
    than an answers file. Reads at most its first member header, capped as open_archive caps them, so a
    hostile header is never read whole here either (it is refused when the archive is then read)."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        with safeio.open_regular(path) as f, tarfile.open(fileobj=f, mode="r:*", tarinfo=_CappedInfo):
            return True
    except ArchiveRefused:
        return True  # a tar, whose first header is refused: reading it says so
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, safeio.SafeIOError, RecursionError):
        return False


@dataclass
class ImportReport:
    loaded: list[str]  # the tags the archive holds (image ids for an archive without tags)
    replaced: dict[str, str] = field(default_factory=dict)  # tag -> short id of the image it named before


def archive_tags(path: Path) -> list[str]:
    """The tags a `docker save` archive names, read as a stream with bounded memory: manifest.json's RepoTags,
    or for an archive in the bare OCI layout (index.json alone) its manifests' image-name annotations. Each
    tag once, in the archive's order; as the archive wrote them (import_image checks them)."""
    oci: list[str] | None = None
    with open_archive(path) as tar:
        for _ in range(MEMBERS_LIMIT):
            member = tar.next()
            if member is None:
                if oci is not None:
                    return list(dict.fromkeys(oci))
                raise DockerOpError(f"{path} is not a docker save archive (it has no manifest.json)")
            name = member.name.removeprefix("./")
            if name == "manifest.json" and member.isfile():
                return list(dict.fromkeys(_manifest_tags(path, json_member(path, tar, member))))
            if name == "index.json" and member.isfile():
                index = json_member(path, tar, member)
                oci = [m["annotations"][key] for m in index.get("manifests", [])
                       for key in ("io.containerd.image.name",) if key in (m.get("annotations") or {})]
                if not all(isinstance(t, str) for t in oci):
                    raise DockerOpError(f"{path}: its index.json names an image with something other than a "
                                        f"text; accepted: a docker save archive")
    raise DockerOpError(f"{path} is not a docker save archive (no manifest.json in its first {MEMBERS_LIMIT} "
                        f"entries)")


def _manifest_tags(path: Path, manifest: Any) -> list[str]:
    """The RepoTags of a manifest.json: a list of objects whose RepoTags, when there, is a list of texts."""
    if not isinstance(manifest, list) or not all(isinstance(e, dict) for e in manifest):
        raise DockerOpError(f"{path}: its manifest.json is not a docker save manifest; accepted: a list of images")
    tags: list[str] = []
    for entry in manifest:
        repo_tags = entry.get("RepoTags") or []
        if not isinstance(repo_tags, list) or not all(isinstance(t, str) for t in repo_tags):
            raise DockerOpError(f"{path}: its manifest.json is not a docker save manifest; accepted: RepoTags "
                                f"as a list of tags")
        tags += repo_tags
    return tags


def tag_problem(tag: str) -> str | None:
    """None when `tag` (from an archive) is a tag docker load can give, else why not: one line, the tag shown
    safely (cut, every control character escaped)."""
    if len(tag) <= 255 and reference_problem(tag, new=True) is None and "@" not in tag:
        return None
    return (f"it names the tag {shown_tag(tag)}, which is not an image name; accepted: name[:tag] in "
            f"lower-case letters, digits and . _ - / (at most 255 characters)")


def shown_tag(tag: str) -> str:
    """A tag (or image name) from an archive for a message, safe to show: as written when it is a valid tag,
    else quoted with its control characters escaped (repr, then outside_line), a long one cut to its first 80
    characters and its length."""
    if len(tag) <= 255 and reference_problem(tag) is None:
        return tag
    return outside_line(repr(tag) if len(tag) <= 80 else f"{tag[:80]!r}... ({len(tag)} characters)")


@contextlib.contextmanager
def reading_archive(path: Path) -> Iterator[None]:
    """Turn what reading a docker save archive can raise into one DockerOpError line."""
    try:
        yield
    except ArchiveRefused as exc:
        raise DockerOpError(f"{path}: refused before reading it: {exc}") from None
    except safeio.SafeIOError as exc:
        raise DockerOpError(str(exc)) from None
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise DockerOpError(f"{path} is not a complete image archive ({outside_line(exc, 300)})") from None
    except (TypeError, KeyError, AttributeError, ValueError, RecursionError) as exc:
        raise DockerOpError(f"{path}: its manifest is not a docker save manifest "
                            f"({outside_line(type(exc).__name__ + ': ' + str(exc), 300)})") from None


def json_member(path: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int = MANIFEST_LIMIT) -> Any:
    """A JSON file of an archive, at most `limit` bytes (its size is checked before it is read)."""
    name = outside_line(member.name, 200)
    if member.size > limit:
        raise DockerOpError(f"{path}: {name} is {member.size} bytes; accepted: at most {limit}")
    try:
        return json.loads(tar.extractfile(member).read(limit + 1))
    except (ValueError, AttributeError, RecursionError) as exc:
        raise DockerOpError(f"{path}: {name} is not JSON ({outside_line(exc, 200)})") from None


def _image_id(client: Any, ref: str) -> str | None:
    """The id of the image `ref` names in the engine, None when there is none; DockerOpError (one line) when
    the engine answers the look-up with another error."""
    try:
        return client.images.get(ref).id
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        raise DockerOpError(f"the engine did not say whether it has {ref}: {api_message(exc)}") from None
    except _BROKEN as exc:
        raise DockerOpError(f"the engine did not say whether it has {ref}: {outside_line(exc, 300)}") from None


def import_image(client: Any, path: Path, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """`docker load < path`: the tags it loaded (its manifest's, not every tag the loaded image has) and the
    tags that named another image before (docker load moves them without a word). `progress(read, size)` is
    called as the file is sent (wizard/engine/upload.py's counting reader)."""
    from wizard.engine.upload import Sending

    path = Path(path)
    tags = archive_tags(path)
    for tag in tags:
        problem = tag_problem(tag)
        if problem:
            raise DockerOpError(f"{path}: {problem}; nothing was loaded")
    before = {tag: _image_id(client, tag) for tag in tags}
    try:
        with safeio.open_regular(path) as f:
            images = client.images.load(Sending(f, progress) if progress else f)
    except safeio.SafeIOError as exc:
        raise DockerOpError(str(exc)) from None
    except (docker.errors.ImageLoadError, docker.errors.APIError) as exc:
        msg = api_message(exc) if isinstance(exc, docker.errors.APIError) else outside_line(exc)
        raise DockerOpError(f"{path} is not a complete image archive (docker load: {msg[:300]})") from None
    except _BROKEN as exc:  # the connection broke while sending (before OSError: requests' errors are OSErrors)
        raise DockerOpError(f"docker load of {path} failed: {outside_line(exc, 300)}") from None
    except OSError as exc:
        raise DockerOpError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not images:
        raise DockerOpError(f"{path} held no image (is it a `docker save` archive?)")
    replaced = {tag: old[:19] for tag, old in before.items() if old and old != _image_id(client, tag)}
    return ImportReport(tags or [img.short_id for img in images], replaced)
