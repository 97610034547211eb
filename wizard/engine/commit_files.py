"""What the commit's secret check reads: the added or changed files of the container (docker diff kinds 0 and 1),
streamed, and the account files (shadow, gshadow, passwd, group and their `-` copies) compared whole with the
image's (docs/security.md)."""

from __future__ import annotations

import hashlib
import io
import tarfile
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

import docker
import docker.errors

from wizard.engine.commit_hold import reached
from wizard.engine.commit_scan import Scan, needles
from wizard.engine.common import api_of, outside_line

if TYPE_CHECKING:
    from wizard.engine.commit import Committed


# The account files whose password fields are compared with the image's, whole: (what a line names, file family).
_ACCOUNT_FILES = {"/etc/shadow": "shadow", "/etc/shadow-": "shadow", "/etc/gshadow": "gshadow",
                  "/etc/gshadow-": "gshadow", "/etc/passwd": "passwd", "/etc/passwd-": "passwd",
                  "/etc/group": "group", "/etc/group-": "group"}


_SHADOW_FILES = ("/etc/shadow", "/etc/shadow-")


_NO_HASH = ("", "*", "x")


def file_leaks(client: Any, c: Any, secrets: Mapping[str, str], image_id: str, report: Committed) -> list[str]:
    """One line per secret found in the container's changes (as written or encoded), and per password hash in an
    account file that the image does not have (a hash set after start cannot be found by value)."""
    forms, report.short = needles(secrets)
    found: dict[str, list[str]] = {}
    accounts: dict[str, list[tuple[str, str]]] = {}
    for path, keys, unsearched, fields in _changed_files(client, c, forms):
        for name, how in sorted(keys):
            found.setdefault(name, []).append(outside_line(path, 300) + (f" ({how})" if how else ""))
        if unsearched and secrets:
            report.unsearched.append(f"{outside_line(path, 300)} ({', '.join(sorted(unsearched))})")
        if fields is not None:
            accounts[path] = fields
    problems = []
    for name, paths in sorted(found.items()):
        shown = ", ".join(paths[:20]) + (f" and {len(paths) - 20} more" if len(paths) > 20 else "")
        problems.append(f"the value of {name} is in {shown}: remove it from there, then commit again")
    if accounts:
        image_fields = _image_account_fields(client, image_id, {_ACCOUNT_FILES[p] for p in accounts})
        for path, fields in sorted(accounts.items()):
            family = _ACCOUNT_FILES[path]
            new = [name for name, value in fields if _digest(name, value) not in image_fields.get(family, set())]
            problems += [_hash_problem(path, name) for name in dict.fromkeys(new)]
    return problems


def _hash_problem(path: str, name: str) -> str:
    name = outside_line(name, 64)
    family = _ACCOUNT_FILES[path]
    if family == "shadow":
        return (f"{path} holds a password hash for {name} that the image does not have: put the image's back (e.g. "
                f"`usermod -p '*' {name} && cp -p /etc/shadow /etc/shadow-` in the container), then commit again")
    if family == "gshadow":
        return (f"{path} holds a password hash for group {name} that the image does not have: remove it (e.g. "
                f"`gpasswd -r {name} && cp -p /etc/gshadow /etc/gshadow-` in the container), then commit again")
    return (f"{path} holds a password hash in the line of {name} that the image does not have: put the image's "
            f"line back (the field after the name: x), then commit again")


def _changed_files(client: Any, c: Any, needles: list[tuple[tuple[str, str], bytes]]
                   ) -> Iterator[tuple[str, set[tuple[str, str]], set[str], list[tuple[str, str]] | None]]:
    """Read every added or changed file of `c` (streamed): (path, the needles found in it as (name, how), why
    part of it could not be searched, and for an account file the (name, field) of each password hash in it).
    Without needles, only the account files are read."""
    changes = c.diff() or []
    roots = _archive_roots(changes) if needles else [ch["Path"] for ch in changes if ch["Path"] in _ACCOUNT_FILES
                                                     and ch["Kind"] in (0, 1)]
    first = True
    for root in roots:
        try:
            chunks, _ = c.get_archive(root, chunk_size=1 << 20)
        except docker.errors.NotFound:
            continue
        parent = root.rsplit("/", 1)[0]
        with tarfile.open(fileobj=io.BufferedReader(_ChunkReader(chunks), 1 << 20), mode="r|") as tar:
            for member in tar:
                path = f"{parent}/{member.name}".replace("//", "/")
                names = member.name.encode() + b"\0" + member.linkname.encode()
                keys = {key for key, needle in needles if needle in names}
                unsearched: set[str] = set()
                fields = _Fields() if path in _ACCOUNT_FILES and member.isfile() else None
                if member.isfile():
                    f = tar.extractfile(member)
                    scan = Scan(needles) if needles else None
                    while chunk := f.read(1 << 20):
                        if scan:
                            scan.feed(chunk)
                        if fields:
                            fields.feed(chunk)
                    if scan:
                        scan.close()
                        keys |= scan.found
                        unsearched = scan.unsearched
                if keys or unsearched or fields is not None:
                    yield path, keys, unsearched, fields.close() if fields is not None else None
                if first:
                    first = False
                    reached("scanning")


def _archive_roots(changes: list[Mapping[str, Any]]) -> list[str]:
    """The fewest paths whose archives hold every added or changed file: an added folder whole, else each leaf
    (a changed folder is listed with its changed entries)."""
    kept = {ch["Path"]: ch["Kind"] for ch in changes if ch["Kind"] in (0, 1)}
    ancestors = {a for path in kept for a in _ancestors(path)}
    roots = []
    for path, kind in sorted(kept.items()):
        if any(kept.get(a) == 1 for a in _ancestors(path)):
            continue  # inside an added folder, which is read whole
        if kind == 1 or path not in ancestors:
            roots.append(path)
    return roots


def _ancestors(path: str) -> Iterator[str]:
    while "/" in path.rstrip("/")[1:]:
        path = path.rsplit("/", 1)[0]
        yield path


class _ChunkReader(io.RawIOBase):
    """A file over docker-py's archive chunks, for tarfile's stream mode."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            self._buf = next(self._chunks, b"")
            if not self._buf:
                return 0
        n = min(len(b), len(self._buf))
        b[:n], self._buf = self._buf[:n], self._buf[n:]
        return n


class _Fields:
    """The (name, password field) of each line of an account file whose field holds a hash, fed in chunks: the
    whole file is read; of a very long line only its first 64 KiB (the name and the field come first)."""

    def __init__(self) -> None:
        self.rest = b""
        self.hashes: list[tuple[str, str]] = []

    def feed(self, chunk: bytes) -> None:
        lines = (self.rest + chunk).split(b"\n")
        self.rest = lines.pop()[:1 << 16]
        for line in lines:
            self._line(line)

    def _line(self, line: bytes) -> None:
        parts = line.split(b":", 2)
        if len(parts) > 1 and parts[1].lstrip(b"!").decode("utf-8", "replace") not in _NO_HASH:
            self.hashes.append((parts[0].decode("utf-8", "replace"), parts[1].decode("utf-8", "replace")))

    def close(self) -> list[tuple[str, str]]:
        if self.rest:
            self._line(self.rest)
            self.rest = b""
        return self.hashes


def _digest(name: str, value: str) -> bytes:
    return hashlib.sha256(f"{name}\0{value}".encode()).digest()


def _image_account_fields(client: Any, image_id: str, families: set[str]) -> dict[str, set[bytes]]:
    """family -> digests of the (name, password field) pairs the image's account files of that family have
    (the file and its `-` copy, read whole from a never-started container)."""
    api = api_of(client)
    helper = api.create_container(image_id, entrypoint=["/imgwizard-never-started"], network_disabled=True)["Id"]
    digests: dict[str, set[bytes]] = {}
    try:
        for path, family in _ACCOUNT_FILES.items():
            if family not in families:
                continue
            try:
                chunks, _ = api.get_archive(helper, path, chunk_size=1 << 20)
            except docker.errors.NotFound:
                continue
            with tarfile.open(fileobj=io.BufferedReader(_ChunkReader(chunks), 1 << 20), mode="r|") as tar:
                member = tar.next()
                if member is None or not member.isfile():
                    continue
                f, fields = tar.extractfile(member), _Fields()
                while chunk := f.read(1 << 20):
                    fields.feed(chunk)
                digests.setdefault(family, set()).update(_digest(n, v) for n, v in fields.close())
    finally:
        api.remove_container(helper, force=True)
    return digests


def _shadow_fields(content: bytes) -> Iterator[tuple[str, str]]:
    for line in content.decode("utf-8", "replace").splitlines():
        parts = line.split(":")
        if len(parts) > 1:
            yield parts[0], parts[1]


def _new_hashes(content: bytes, image_fields: Mapping[str, set[str]]) -> list[str]:
    """The users whose password field holds a hash (locked or not) that the image does not have."""
    return [user for user, value in _shadow_fields(content)
            if value.lstrip("!") not in _NO_HASH and value not in image_fields.get(user, set())]
