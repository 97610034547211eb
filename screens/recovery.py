"""When the wizard meets an error nobody foresaw: keep the answers in a recovery file and say so in a few lines.

The answers file written is what the user had on screen (wizard.session.Session.value: a refused value as typed),
so `imgwizard --answers FILE` reopens the wizard where it stopped, at the step the user was at (a comment line,
wizard.session.STEP_MARK). The file goes to the first folder that takes it (~/.cache/imgwizard, then the temp
folder); when none does, the answers are printed instead.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from wizard import safeio
from wizard.answers import FIELDS
from wizard.answers_file import dump
from wizard.session import Session, step_line, step_of


def default_dirs() -> list[Path]:
    """$XDG_CACHE_HOME/imgwizard (default ~/.cache/imgwizard), then the system's temp folder."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [Path(cache) / "imgwizard", Path(tempfile.gettempdir())]


@dataclass(frozen=True)
class Recovery:
    error: str  # one line: the exception's type and message
    text: str  # the answers file
    path: Path | None  # where it was written; None when no folder took it
    why_not: str = ""  # why no folder took it

    def describe(self) -> str:
        """What to print after the app has closed."""
        head = f"imgwizard stopped on an unexpected error: {self.error}"
        if self.path is not None:
            return f"{head}\nYour answers are kept in {self.path}: `imgwizard --answers {self.path}` reopens them."
        return f"{head}\nYour answers could not be saved ({self.why_not}); here they are:\n{self.text}"


def answers_text(session: Session) -> str:
    """The answers file for everything the user had: resolved answers, refused values as typed. A value the
    file format cannot hold in its key's type is kept as a comment."""
    values = {f.key: session.value(f.key) for f in FIELDS if session.value(f.key) is not None}
    kept, odd = {}, {}
    for key, value in values.items():
        try:
            dump({key: value})
            kept[key] = value
        except Exception:  # this runs after something already failed: nothing here may fail too
            odd[key] = value
    return dump(kept) + step_line(session.step) + "".join(f"# {key} was {value!r}\n" for key, value in odd.items())


def answers_step(source: str) -> str:
    """The step an answers file given to `--answers` names (wizard.session.step_of), "" for anything else (an
    image, a file that cannot be read: the answers themselves were read and checked before)."""
    path = Path(source)
    try:
        if not path.is_file():
            return ""
        return step_of(safeio.read_text(path, safeio.ANSWERS_LIMIT))
    except (OSError, ValueError, safeio.SafeIOError):
        return ""


def save_recovery(session: Session, error: BaseException, folders: list[Path]) -> Recovery:
    """Write the answers to recovered-<time>.toml (and the traceback next to it, .log) in the first folder
    that takes them; private to the user (0600)."""
    line = f"{type(error).__name__}: {' '.join(str(error).split())}"[:300]
    text = answers_text(session)
    why_not = "no folder to write to"
    for folder in folders:
        try:
            path = _write_new(folder, text)
        except Exception as exc:  # OSError, ValueError (a NUL in the path): this one failing must not end it
            why_not = f"{folder}: {getattr(exc, 'strerror', None) or exc}"
            continue
        with contextlib.suppress(Exception):  # the traceback only helps a bug report; the answers matter
            path.with_suffix(".log").write_text("".join(traceback.format_exception(error)))
        return Recovery(line, text, path)
    return Recovery(line, text, None, why_not)


def _write_new(folder: Path, text: str) -> Path:
    """A new file recovered-<time>[-n].toml in `folder` (created 0700), never one that exists."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        path = folder / f"recovered-{stamp}{'-' + str(n) if n else ''}.toml"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError:
            path.unlink(missing_ok=True)  # a disk full mid-write: no half file, the next folder is tried
            raise
        return path
    raise FileExistsError(f"{folder}: 100 recovery files from this second exist already")
