"""The folder a user types to save into (the Textual dialog and the plain prompt): read it, and say in one line
why it cannot take the build context. And `plain`: a name the user gave or a text from outside, shown back where
no markup is read (both faces)."""

from __future__ import annotations

from pathlib import Path

from wizard.safeio import SafeIOError, expand, os_reason
from wizard.text import Msg, in_lang, safe_to_show



def plain(value: object, lines: bool = False) -> str:
    """`value` made safe to show where no markup is read (print, a log file, a rich Text):
    wizard.text.safe_to_show without its markup half, so `[notice]` stays as written. Where markup is read (a str
    given to Static, Label or notify), use safe_to_show itself. `lines` keeps line breaks."""
    return safe_to_show(value, lines=lines, markup=False)


# What a folder can do to a save (no permission, its Dockerfile a folder or a FIFO, a disk full): one line for the
# user, who picks another folder; never a traceback.
EXPECTED = (OSError, SafeIOError)


def folder_of(text: str) -> Path:
    """The folder typed, `~` and `~user` expanded; SafeIOError when the text cannot name a folder."""
    if "\0" in text:
        raise SafeIOError(Msg("io.nul", text=repr(text)))
    return expand(text)


def why_not(folder: Path | str, error: OSError | SafeIOError, lang: str = "en") -> str:
    """One line in `lang`: what went wrong with `folder` (a SafeIOError's message names its path itself)."""
    if isinstance(error, OSError):
        why = f"{error.filename or folder}: {in_lang(os_reason(error), lang)}"
    else:
        why = error.message(lang)
    return " ".join(why.split())


# ------------------------------------------------------------------ where a new context goes by default
OUTSIDE = "imgwizard-contexts"  # under the home folder, when the wizard runs inside its own source checkout


def source_root(here: Path | None = None) -> Path | None:
    """The imgwizard source checkout this code runs from (a git work tree with pyproject.toml), None when
    imgwizard is installed as a package."""
    root = (here or Path(__file__)).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / ".git").exists() else None


def save_base(cwd: Path, root: Path | None, home: Path) -> Path:
    """The folder new contexts go into: the working folder (`.`), except inside the source checkout (the README
    starts the wizard there), where a save would mix a build context into the source tree: ~/imgwizard-contexts."""
    if root is not None and cwd.resolve().is_relative_to(root.resolve()):
        return home / OUTSIDE
    return Path(".")
