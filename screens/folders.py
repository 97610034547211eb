"""The folder a user types to save into (the Textual dialog and the plain prompt): read it, and say in one line
why it cannot take the build context."""

from __future__ import annotations

from pathlib import Path

from wizard.safeio import SafeIOError, expand, os_reason
from wizard.text import Msg, in_lang

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
