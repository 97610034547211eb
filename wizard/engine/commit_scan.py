"""A secret's forms (as written, base64 in each alignment and alphabet, hex, URL-encoded) and the search for them
through a file, inside gzip, zlib, zip, bzip2 and xz data, with caps on what is unpacked (docs/security.md)."""

from __future__ import annotations

import base64
import bz2
import lzma
import re
import urllib.parse
import zlib
from typing import Any, Mapping

MIN_ENCODED = 8  # an encoded form shorter than this is not searched for (it would match by chance)


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def needles(secrets: Mapping[str, str]) -> tuple[list[tuple[tuple[str, str], bytes]], list[str]]:
    """What is searched for: ((name, how it is written), bytes) for each secret as written, base64-encoded (the
    standard and the URL alphabet, at each of the three alignments a value can have in a longer text: the
    characters that depend on the value alone), hex (lower and upper case) and URL-encoded; and the names of the
    secrets too short for an encoded form at every alignment."""
    out: list[tuple[tuple[str, str], bytes]] = []
    short = []
    for name, value in sorted(secrets.items()):
        raw = value.encode()
        out.append(((name, ""), raw))
        forms: dict[str, list[bytes]] = {"base64-encoded": [], "hex-encoded": [], "URL-encoded": []}
        for k in range(3):
            part = base64.b64encode(b"\0" * k + raw)[4 * ((k + 2) // 3):4 * ((k + len(raw)) // 3)]
            if len(part) < MIN_ENCODED:
                short.append(name)
                continue
            forms["base64-encoded"] += [part, part.translate(_URLSAFE)]
        forms["hex-encoded"] += [raw.hex().encode(), raw.hex().upper().encode()]
        for quoted in (urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value, safe="")):
            lower = re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)
            forms["URL-encoded"] += [quoted.encode(), lower.encode()]
        for how, values in forms.items():
            for needle in dict.fromkeys(values):
                if needle != raw and len(needle) >= MIN_ENCODED:
                    out.append(((name, how), needle))
    return out, sorted(set(short))


MEMBER_CAP = 256 << 20  # bytes unpacked from one compressed member, at most


FILE_CAP = 1 << 30  # bytes unpacked from one file, all members and levels


MEMBERS_CAP = 20000  # compressed members (or what looks like one) tried in one file


DEPTH = 2  # compressed data inside compressed data, searched this deep


PIECE = 1 << 16


# Data the search cannot look into, known by how a file begins.
_OPAQUE = ((b"\x28\xb5\x2f\xfd", "zstd-compressed"), (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
           (b"Rar!\x1a\x07", "a RAR archive"), (b"\x04\x22\x4d\x18", "lz4-compressed"),
           (b"LZIP", "lzip-compressed"), (b"\x1f\x9d", "compress(1)-compressed"), (b"Salted__", "encrypted"),
           (b"age-encryption.org/", "encrypted"), (b"-----BEGIN PGP MESSAGE", "encrypted"),
           (b"\x5d\x00\x00", "lzma-compressed"))


# Where a member may start, one pattern each (a literal first byte lets the search skip ahead: twice as fast as
# one pattern for all), and the kind of member.
_MAGIC = tuple((re.compile(pattern), kind) for pattern, kind in (
    (rb"\x1f\x8b\x08", "gzip"), (rb"PK\x03\x04", "zip"), (rb"BZh[1-9]1AY&SY", "bzip2"), (rb"\xfd7zXZ\x00", "xz"),
    (rb"\x78[\x01\x5e\x9c\xda]", "zlib")))


class _Member:
    """One compressed member found in a stream: its data is unpacked as it comes and searched by a child Scan."""

    def __init__(self, kind: str, decompressor: Any, child: Scan, skip: int = 0):
        self.kind, self.d, self.child, self.skip = kind, decompressor, child, skip
        self.alive, self.truncated, self.size = True, False, 0

    def feed(self, data: Any) -> None:
        data = memoryview(data)
        if self.skip:
            taken = min(self.skip, len(data))
            data, self.skip = data[taken:], self.skip - taken
        for start in range(0, len(data), PIECE):
            if not self.alive:
                return
            self._inflate(data[start:start + PIECE])

    def _inflate(self, piece: Any) -> None:
        try:
            if self.kind in ("gzip", "zlib", "zip"):
                while piece:
                    out = self.d.decompress(piece, 1 << 20)
                    self._out(out)
                    if self.d.eof or not self.alive or (not out and self.d.unconsumed_tail == bytes(piece)):
                        break
                    piece = self.d.unconsumed_tail
            else:
                self._out(self.d.decompress(piece, max_length=1 << 20))
                while self.alive and not self.d.eof and not self.d.needs_input:
                    self._out(self.d.decompress(b"", max_length=1 << 20))
        except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
            self.alive = False  # not (or no longer) compressed data: what it gave was searched all the same
            return
        if self.d.eof:
            self.alive = False

    def _out(self, out: bytes) -> None:
        if not out:
            return
        self.size += len(out)
        self.child.feed(out)
        if self.size > MEMBER_CAP:
            self.truncated, self.alive = True, False


class Scan:
    """Searches a stream, fed in chunks, for the needles, with an overlap so a needle across two chunks is found;
    and inside every gzip, zlib, zip (deflate), bzip2 and xz member that starts in it (unpacked as it comes,
    capped), as deep as DEPTH. `found`: (name, how), `how` saying the encoding and the compressions around it;
    `unsearched`: why part of the stream could not be searched."""

    def __init__(self, needles: list[tuple[tuple[str, str], bytes]], depth: int = 0):
        self.needles, self.depth = needles, depth
        self.overlap = max([64] + [len(n) - 1 for _, n in needles])
        self.tail, self.pos, self.next_magic = b"", 0, 0
        self.members: list[_Member] = []
        self.tried = self.unpacked = 0
        self.found: set[tuple[str, str]] = set()
        self.unsearched: set[str] = set()
        self.checked_start = False

    def feed(self, data: bytes, final: bool = False) -> None:
        for m in self.members:
            if m.alive:
                m.feed(data)
        window = self.tail + bytes(data)
        for key, needle in self.needles:
            if key not in self.found and needle in window:
                self.found.add(key)
        if not self.checked_start and self.pos == 0 and (len(window) >= 32 or final):
            self.checked_start = True
            self.unsearched |= {why for magic, why in _OPAQUE if window.startswith(magic)}
        if self.depth < DEPTH:
            self._start(window, final)
        self._collect()
        keep = min(len(window), self.overlap)
        self.tail = window[len(window) - keep:]
        self.pos += len(window) - keep

    def close(self) -> None:
        self.feed(b"", final=True)
        for m in self.members:
            m.alive = False
        self._collect()

    def _candidates(self, window: bytes) -> list[tuple[int, str]]:
        start = max(0, self.next_magic - self.pos)
        return sorted((m.start(), kind) for pattern, kind in _MAGIC for m in pattern.finditer(window, start))

    def _start(self, window: bytes, final: bool) -> None:
        for at, kind in self._candidates(window):
            if self.pos + at < self.next_magic:
                continue
            if len(window) - at < 32 and not final:
                self.next_magic = self.pos + at  # its header is not all here yet: the next chunk brings it
                return
            self.next_magic = self.pos + at + 1
            if self.tried >= MEMBERS_CAP or self.unpacked > FILE_CAP:
                self.unsearched.add("too much compressed data")
                return
            member = self._member(window, at, kind)
            if member is not None and _probe(member, window, at):
                self.tried += 1
                self.members.append(member)
                member.feed(memoryview(window)[at:])

    def _member(self, window: bytes, at: int, kind: str) -> _Member | None:
        child = Scan(self.needles, self.depth + 1)
        if kind == "gzip":
            return _Member(kind, zlib.decompressobj(31), child)
        if kind == "zlib":
            return _Member(kind, zlib.decompressobj(15), child)
        if kind == "xz":
            return _Member(kind, lzma.LZMADecompressor(lzma.FORMAT_XZ), child)
        if kind == "bzip2":
            return _Member(kind, bz2.BZ2Decompressor(), child)
        header = window[at:at + 30]  # a zip file's local header
        if len(header) < 30:
            return None
        flags, method = int.from_bytes(header[6:8], "little"), int.from_bytes(header[8:10], "little")
        if flags & 1:
            self.unsearched.add("an encrypted zip member")
        elif method == 8:
            skip = 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
            return _Member("zip", zlib.decompressobj(-15), child, skip)
        elif method not in (0, 12, 95):  # stored: searched as it is; bzip2 and xz: found by their own header
            self.unsearched.add(f"a zip member compressed with method {method}")
        return None

    def _collect(self) -> None:
        for m in [m for m in self.members if not m.alive]:
            self.members.remove(m)
            m.child.close()
            self.unpacked += m.size
            self.found |= {(name, _joined(how, m.kind)) for name, how in m.child.found}
            self.unsearched |= m.child.unsearched
            if m.truncated:
                self.unsearched.add(f"more than {MEMBER_CAP >> 20} MiB unpacked")


_DECOMPRESSORS = {"gzip": lambda: zlib.decompressobj(31), "zlib": lambda: zlib.decompressobj(15),
                  "zip": lambda: zlib.decompressobj(-15), "bzip2": bz2.BZ2Decompressor,
                  "xz": lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ)}


def _probe(member: _Member, window: bytes, at: int) -> bool:
    """Whether the first bytes of a would-be member unpack (a fresh decompressor, a copy of 256 bytes at most)."""
    if len(window) - at - member.skip < 256:
        return True  # too little here to tell: the member itself finds out
    try:
        _DECOMPRESSORS[member.kind]().decompress(window[at + member.skip:at + member.skip + 256], 4096)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
        return False
    return True


def _joined(how: str, kind: str) -> str:
    return f"{how}, in {kind} data" if how else f"in {kind} data"
