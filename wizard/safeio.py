"""Reading and writing the user's files safely: only regular files, never more than a size that fits the
purpose, UTF-8 with a message that says where it is not, `~user` paths that do not exist are a message, not a
traceback, and nothing is ever written into a FIFO, a device or through a symbolic link that leaves the folder.

Every read of a file the user named (answers file, SSH key, CA bundle, a context's Dockerfile) goes through
`read_bytes` / `read_text`. The file is opened with O_NONBLOCK and checked with fstat on the open descriptor,
so a FIFO or a device never blocks and never swaps places with the file between the check and the read.

Writes never go into an existing file: a new file is made under a temporary name (`stage`) and renamed over
the old name, which replaces the directory entry and leaves whatever it pointed to untouched. `check_target`
refuses, before anything is written, a name that is not a regular file or is a link that leaves its folder.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, TextIO

from wizard.text import Msg

KIB = 1024
MIB = 1024 * KIB

# Size caps per purpose: generous for real files, small enough that a wrong path costs nothing.
ANSWERS_LIMIT = 256 * KIB  # an answers file is ~2 KB
KEY_LIMIT = 64 * KIB  # authorized_keys with dozens of keys
CA_LIMIT = 1 * MIB  # a full CA bundle (Debian's ca-certificates.crt is ~220 KB)
TEXT_LIMIT = 4 * MIB  # a generated file read back (Dockerfile, build.log tail)

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_KINDS = ((stat.S_ISDIR, "kind.folder"), (stat.S_ISFIFO, "kind.fifo"), (stat.S_ISCHR, "kind.char_device"),
          (stat.S_ISBLK, "kind.block_device"), (stat.S_ISSOCK, "kind.socket"))
# The C library's words for the errors a user's file or folder meets most; shown in the UI's language when the
# library says them as the table does (any other wording is shown as it is).
_OS_REASONS = {errno.EACCES: "os.eacces", errno.EPERM: "os.eperm", errno.ENOENT: "os.enoent",
               errno.ENOTDIR: "os.enotdir", errno.EISDIR: "os.eisdir", errno.ENOSPC: "os.enospc",
               errno.EROFS: "os.erofs", errno.EDQUOT: "os.edquot", errno.ENAMETOOLONG: "os.enametoolong",
               errno.ELOOP: "os.eloop", errno.EEXIST: "os.eexist"}


class SafeIOError(Exception):
    """A user file that cannot be read or written as asked; the message is one line for the user, a Msg (English
    as str(), in the UI's language with `message(lang)`)."""

    def message(self, lang: str) -> str:
        """The message in `lang` (English when it was not made as a Msg)."""
        first = self.args[0] if self.args else ""
        return first.in_lang(lang) if isinstance(first, Msg) else str(self)


class WriteFailed(SafeIOError):
    """Writing failed part way (disk full, no permission); the folder was left as it was before."""


def kind_of(mode: int) -> Msg:
    """'a FIFO (named pipe)', 'a folder', ... for a stat mode; 'not a regular file' for anything else."""
    for test, name in _KINDS:
        if test(mode):
            return Msg(name)
    return Msg("kind.other")


def os_reason(exc: OSError) -> str:
    """What the C library says an OSError is (e.g. 'Permission denied'), as a Msg when the table has it."""
    text = exc.strerror or str(exc)
    msg_id = _OS_REASONS.get(exc.errno or 0)
    return Msg(msg_id) if msg_id is not None and Msg(msg_id) == text else text


def expand(text: str, base: Path = Path(".")) -> Path:
    """`text` as a path: `~` and `~user` expanded, relative paths taken from `base`."""
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~nosuchuser
        user = text[1:].split("/", 1)[0]
        raise SafeIOError(Msg("io.no_user", text=text, quoted=repr(user), user=user)) from None
    return base / path


def _open_regular(path: Path, follow: bool) -> tuple[int, os.stat_result]:
    """A read-only descriptor of a regular file and its fstat; never blocks on a FIFO or a device.

    The kind is checked before opening (opening a device can act: /dev/watchdog arms a timer) and again on
    the open descriptor (the name may have changed meanwhile). `follow=False` refuses a symbolic link as the
    last part of the path (O_NOFOLLOW)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | _CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        _refuse_other_kinds(path, os.stat(path, follow_symlinks=follow).st_mode)
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise SafeIOError(Msg("io.symlink", path=path)) from None
        raise SafeIOError(Msg("io.cannot_read", path=path, why=os_reason(exc))) from None
    st = os.fstat(fd)
    try:
        _refuse_other_kinds(path, st.st_mode)
    except SafeIOError:
        os.close(fd)
        raise
    return fd, st


def _refuse_other_kinds(path: Path, mode: int) -> None:
    if stat.S_ISLNK(mode):
        raise SafeIOError(Msg("io.symlink", path=path))
    if not stat.S_ISREG(mode):
        raise SafeIOError(Msg("io.not_regular", path=path, kind=kind_of(mode)))


def read_bytes(path: Path, limit: int, follow: bool = True) -> bytes:
    """The whole content of a regular file of at most `limit` bytes, else SafeIOError saying why not.
    `follow=False`: a symbolic link is refused instead of read through."""
    fd, st = _open_regular(path, follow)
    try:
        if st.st_size > limit:
            raise SafeIOError(Msg("io.too_big", path=path, size=st.st_size, limit=limit))
        chunks: list[bytes] = []
        total = 0
        while True:  # read until EOF, but never past the limit (a /proc file's size says 0)
            chunk = os.read(fd, min(MIB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise SafeIOError(Msg("io.more_than", path=path, limit=limit))
        return b"".join(chunks)
    except OSError as exc:
        raise SafeIOError(Msg("io.cannot_read", path=path, why=os_reason(exc))) from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int) -> str:
    """A regular file's text: UTF-8 (a leading byte-order mark is dropped), at most `limit` bytes."""
    data = read_bytes(path, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SafeIOError(Msg("io.not_utf8", path=path, byte=exc.start, line=line)) from None
    return text.removeprefix("\ufeff")


def looks_like_text(data: bytes) -> bool:
    """True when `data` (a file's first bytes) reads as UTF-8 text without NUL bytes; a character cut at the
    end of the sample does not count against it."""
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
    return True


def leaves(folder: Path, relative: str) -> str | None:
    """Why `relative` (a path checked by checks.relative_path) reaches outside `folder` through a symbolic link,
    or None when it stays inside or is not there yet. Docker sends links as links, so such a file never builds."""
    path = folder / relative
    if not os.path.lexists(path):
        return None
    points_to = Path(os.path.realpath(path))
    if points_to.is_relative_to(Path(os.path.realpath(folder))):
        return None
    return Msg("io.leaves", relative=relative, folder=folder, target=points_to)


def check_target(path: Path, folder: Path) -> os.stat_result | None:
    """How `path`, a name in `folder` that is about to be replaced, stands: None when nothing is there, else its
    lstat (a regular file, or a symbolic link that stays inside `folder`: the link itself gets replaced).

    SafeIOError for anything imgwizard must not replace or write into: a link that leaves the folder, a FIFO,
    a device, a socket, a folder.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SafeIOError(Msg("io.cannot_look", path=path, why=os_reason(exc))) from None
    if stat.S_ISLNK(st.st_mode):
        points_to = Path(os.path.realpath(path))
        if not points_to.is_relative_to(Path(os.path.realpath(folder))):
            raise SafeIOError(Msg("io.link_out", path=path, target=points_to, folder=folder))
        return st
    if not stat.S_ISREG(st.st_mode):
        raise SafeIOError(Msg("io.not_replaceable", path=path, kind=kind_of(st.st_mode)))
    return st


def stage(folder: Path, name: str, data: bytes, mode: int) -> Path:
    """`data` in a new file of `folder` under a temporary name (mode `mode`, synced to disk); rename it over
    `name` to put it in place. On failure nothing is left behind and WriteFailed says why."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".imgwizard-tmp", dir=folder)
    except OSError as exc:
        raise WriteFailed(Msg("io.cannot_write_in", name=name, folder=folder, why=os_reason(exc))) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        os.unlink(tmp)
        raise WriteFailed(Msg("io.cannot_write_in", name=name, folder=folder, why=os_reason(exc))) from None
    os.close(fd)
    return Path(tmp)


def sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (best effort: some filesystems cannot sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def open_new_log(path: Path) -> TextIO:
    """`path` emptied (or created) for writing a log, as UTF-8 text. SafeIOError when it is a symbolic link,
    not a regular file, or a file with other names (hard links): writing would change a file elsewhere.
    Checked before opening (opening a device can do something) and again on the open descriptor."""
    try:
        problem = _log_problem(os.lstat(path))
    except FileNotFoundError:
        problem = ""
    except OSError as exc:
        raise SafeIOError(Msg("io.cannot_write", path=path, why=os_reason(exc))) from None
    fd = -1
    if not problem:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise SafeIOError(Msg("io.cannot_write", path=path, why=os_reason(exc))) from None
            problem = Msg("io.is_link")
        else:
            problem = _log_problem(os.fstat(fd))
    if problem:
        if fd >= 0:
            os.close(fd)
        raise SafeIOError(Msg("io.log_refused", path=path, problem=problem))
    os.ftruncate(fd, 0)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "w", encoding="utf-8", errors="replace")


def _log_problem(st: os.stat_result) -> str:
    """Why a file with this (l)stat must not be overwritten as a log; '' when it may."""
    if stat.S_ISLNK(st.st_mode):
        return Msg("io.is_link")
    if not stat.S_ISREG(st.st_mode):
        return Msg("io.is_kind", kind=kind_of(st.st_mode))
    return Msg("io.hard_links") if st.st_nlink > 1 else ""


def open_regular(path: Path) -> BinaryIO:
    """A regular file opened for reading in binary (for streaming a large archive); SafeIOError otherwise."""
    fd, _ = _open_regular(path, follow=True)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")
