"""Writing a build context to a folder without losing anything the user had.

A file that exists with different content is first kept as NAME.bak (NAME.bak.1, .2... when a backup
exists already); identical files are left untouched. Nothing is written when the answers are invalid:
callers validate first.

All or nothing: every new file is first written in full under a temporary name in the folder and synced; only
then are old files renamed to their backups and the new ones renamed into place. When anything fails (a full
disk, no permission) the temporary files are removed and the renames undone, so the folder is as it was.
Nothing is ever written into an existing file or its mode changed: renames replace directory entries, so a
symbolic link or a hard link in the folder never carries a write elsewhere. A FIFO, a device, a folder or a
link leaving the folder where a generated file goes is refused before anything is written (wizard/safeio.py).

Errors: `plan_write` and `write` raise only `SafeIOError` (one line for the user); `write` raises its subclass
`WriteFailed` when writing failed part way and the folder was put back as it was.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from wizard import safeio
from wizard.render import BuildContext
from wizard.safeio import SafeIOError, WriteFailed
from wizard.text import Msg

SNIFF = 8 * safeio.KIB  # how much of a differing file is read to tell text from binary


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    backups: dict[str, str] = field(default_factory=dict)  # file -> its backup's name
    missing: list[tuple[str, str]] = field(default_factory=list)  # user files still to place
    not_text: list[str] = field(default_factory=list)  # backed-up files that were not text (binary)


def plan_write(ctx: BuildContext, out: Path) -> WriteReport:
    """What writing would do, without writing: the files that would change and the backups they'd get.

    Reads at most as many bytes of an existing file as the new one has (plus a small sample to tell a binary
    file), never through a symbolic link; raises SafeIOError for a target that must not be replaced.
    """
    _check_folder(out)
    report = WriteReport()
    for name, f in ctx.files.items():
        target = out / name
        st = safeio.check_target(target, out)
        if st is None:
            report.written.append(name)
        elif stat.S_ISREG(st.st_mode) and _same_bytes(target, st, f.text.encode()):
            # the same text: left alone, or replaced when only its mode differs (nothing to keep then)
            same_mode = stat.S_IMODE(st.st_mode) == f.mode
            (report.unchanged if same_mode else report.written).append(name)
        else:
            report.written.append(name)
            report.backups[name] = _backup_name(target).name
            if stat.S_ISREG(st.st_mode) and not safeio.looks_like_text(_head(target)):
                report.not_text.append(name)
    report.missing = [(n, safeio.leaves(out, n) or what) for n, what in ctx.plan.user_files
                      if not (out / n).exists() or safeio.leaves(out, n)]
    return report


def write(ctx: BuildContext, out: Path) -> WriteReport:
    """Write the context into `out` (created when missing), all or nothing; see the module docstring."""
    report = plan_write(ctx, out)
    made = _make_folders(out)
    staged: dict[str, Path] = {}
    try:
        for name in report.written:
            staged[name] = safeio.stage(out, name, ctx.files[name].text.encode(), ctx.files[name].mode)
        _put_in_place(out, staged, report.backups)
    except BaseException as exc:
        for tmp in staged.values():
            _remove(tmp)
        for folder in reversed(made):
            _rmdir(folder)
        if isinstance(exc, WriteFailed):
            raise WriteFailed(Msg("io.nothing_changed", problem=exc.args[0] if exc.args else str(exc))) from None
        raise
    safeio.sync_folder(out)
    return report


def _check_folder(out: Path) -> None:
    """`out` must be a folder or not exist yet (it is then created)."""
    try:
        st = os.stat(out)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SafeIOError(Msg("io.cannot_use", path=out, why=safeio.os_reason(exc))) from None
    if not stat.S_ISDIR(st.st_mode):
        what = Msg("kind.file") if stat.S_ISREG(st.st_mode) else safeio.kind_of(st.st_mode)
        raise SafeIOError(Msg("io.not_folder", path=out, kind=what))


def _same_bytes(target: Path, st: os.stat_result, data: bytes) -> bool:
    if st.st_size != len(data):
        return False
    try:
        return safeio.read_bytes(target, len(data), follow=False) == data
    except SafeIOError:  # unreadable, or changed since the lstat: not known to be the same, so it is kept
        return False


def _head(target: Path) -> bytes:
    """The first bytes of a regular file (never through a link, never blocking); b"" when unreadable."""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return b""
    try:
        return os.read(fd, SNIFF)
    except OSError:
        return b""
    finally:
        os.close(fd)


def _make_folders(out: Path) -> list[Path]:
    """Create `out` and its missing parents; the folders made, outermost first (to remove them on failure)."""
    missing = [p for p in (out, *out.parents) if not os.path.lexists(p)]
    made: list[Path] = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except OSError as exc:
            for done in reversed(made):
                _rmdir(done)
            raise WriteFailed(Msg("io.cannot_create", folder=folder, why=safeio.os_reason(exc))) from None
        made.append(folder)
    return made


def _put_in_place(out: Path, staged: dict[str, Path], backups: dict[str, str]) -> None:
    """Rename each old file to its backup and each staged file to its name; undo every rename on failure."""
    done: list[tuple[Path, Path | None]] = []  # (target, its backup or None) fully in place
    try:
        for name, tmp in staged.items():
            target = out / name
            backup = out / backups[name] if name in backups else None
            if backup is not None:
                os.rename(target, backup)
            try:
                os.replace(tmp, target)
            except OSError:
                if backup is not None:
                    os.rename(backup, target)
                raise
            done.append((target, backup))
    except OSError as exc:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                _remove(target)
        raise WriteFailed(Msg("io.cannot_write_into", folder=out, why=safeio.os_reason(exc))) from None


def _backup_name(target: Path) -> Path:
    candidate = target.with_name(target.name + ".bak")
    n = 1
    while os.path.lexists(candidate):
        candidate = target.with_name(f"{target.name}.bak.{n}")
        n += 1
    return candidate


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _rmdir(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
