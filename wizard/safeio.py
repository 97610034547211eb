"""Reading the user's files safely: only regular files, never more than a size that fits the purpose, UTF-8
with a message that says where it is not, and `~user` paths that do not exist are a message, not a traceback.

Every read of a file the user named (answers file, SSH key, CA bundle, a context's Dockerfile) goes through
`read_bytes` / `read_text`. The file is opened with O_NONBLOCK and checked with fstat on the open descriptor,
so a FIFO or a device never blocks and never swaps places with the file between the check and the read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB

# Size caps per purpose: generous for real files, small enough that a wrong path costs nothing.
ANSWERS_LIMIT = 256 * KIB  # an answers file is ~2 KB
KEY_LIMIT = 64 * KIB  # authorized_keys with dozens of keys
CA_LIMIT = 1 * MIB  # a full CA bundle (Debian's ca-certificates.crt is ~220 KB)
TEXT_LIMIT = 4 * MIB  # a generated file read back (Dockerfile, build.log tail)

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class SafeIOError(Exception):
    """A user file that cannot be read as asked; the message is one line for the user."""


def kind_of(mode: int) -> str:
    """'a FIFO (named pipe)', 'a folder', ... for a stat mode; 'not a regular file' for anything else."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def expand(text: str, base: Path = Path(".")) -> Path:
    """`text` as a path: `~` and `~user` expanded, relative paths taken from `base`."""
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~nosuchuser
        user = text[1:].split("/", 1)[0]
        raise SafeIOError(f"{text}: there is no user {user!r} on this machine for ~{user}") from None
    return base / path


def read_bytes(path: Path, limit: int) -> bytes:
    """The whole content of a regular file of at most `limit` bytes, else SafeIOError saying why not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SafeIOError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SafeIOError(f"{path} is {kind_of(st.st_mode)}; accepted: a regular file")
        if st.st_size > limit:
            raise SafeIOError(f"{path} is {st.st_size} bytes; accepted: at most {limit} bytes for this file")
        chunks: list[bytes] = []
        total = 0
        while True:  # read until EOF, but never past the limit (a /proc file's size says 0)
            chunk = os.read(fd, min(MIB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise SafeIOError(f"{path} is more than {limit} bytes; accepted: at most {limit} bytes for this file")
        return b"".join(chunks)
    except OSError as exc:
        raise SafeIOError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int) -> str:
    """A regular file's text: UTF-8 (a leading byte-order mark is dropped), at most `limit` bytes."""
    data = read_bytes(path, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SafeIOError(f"{path} is not UTF-8 text (byte {exc.start}, line {line}); accepted: a UTF-8 text file") \
            from None
    return text.removeprefix("\ufeff")
