"""What a Python project folder tells (issue 30): its dependency file, the names it requires, the framework it
serves with, and the plain patterns of its .gitignore. Every file is the user's own text, read as untrusted
(wizard/safeio.py: regular files only, a size cap, UTF-8); nothing here raises for what a folder holds.

- `dependency_file(folder)`: requirements.txt, else pyproject.toml with a [project] dependencies list, else "";
- `requirements(folder, name)`: the distribution names (lower case, `_` and `.` as `-`) and the version each
  pins with `==` (or ""), from a requirements file's lines or pyproject's [project] dependencies;
- `framework(folder, names)`: fastapi, streamlit, gradio, flask or script, from the names (then the imports of
  app.py / main.py), with the entry file; `start_command` the command that starts it on the port;
- `ignore_patterns(folder)`: the .gitignore lines that are plain patterns, as .dockerignore patterns.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from wizard import safeio

REQUIREMENTS = "requirements.txt"
PYPROJECT = "pyproject.toml"
ENTRY_FILES = ("app.py", "main.py")
TORCH_NAMES = ("torch", "torchvision", "torchaudio")
MAX_FILE = 256 * 1024  # a dependency file, an entry file or a .gitignore bigger than this is not read
MAX_IGNORE_LINES = 200

# A dependency file answer: a requirements*.txt or pyproject.toml in the build folder (docs/answers.md).
DEPENDENCY_NAME = re.compile(r"(?:[A-Za-z0-9._+-]+/)*(?:requirements[A-Za-z0-9._+-]*\.txt|pyproject\.toml)")
# A requirement's name and, when it pins one, its version: `torch==2.5.1`, `fastapi[all]>=0.110`, `Flask`
_REQUIREMENT = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:==\s*([A-Za-z0-9.+!*-]+))?")
_IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
# The frameworks, in the order one wins over another (a FastAPI app that also lists gradio serves with uvicorn).
FRAMEWORKS = ("fastapi", "streamlit", "gradio", "flask")
_NAMES = {"fastapi": ("fastapi", "uvicorn"), "streamlit": ("streamlit",), "gradio": ("gradio",), "flask": ("flask",)}
# A .gitignore line taken into .dockerignore: a plain pattern (no negation, escape, class or space).
_PLAIN_PATTERN = re.compile(r"/?[A-Za-z0-9._*?+@=-]+(?:/[A-Za-z0-9._*?+@=-]+)*/?")


def _read(path: Path) -> str | None:
    try:
        return safeio.read_text(path, MAX_FILE)
    except (OSError, safeio.SafeIOError):
        return None


def normal(name: str) -> str:
    """A distribution name as pip compares them (PEP 503): lower case, runs of - _ . as -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_file(folder: Path) -> str:
    """The folder's dependency file: requirements.txt, else a pyproject.toml with [project] dependencies, else ""."""
    if (folder / REQUIREMENTS).is_file():
        return REQUIREMENTS
    text = _read(folder / PYPROJECT) if (folder / PYPROJECT).is_file() else None
    if text is not None and _pyproject_dependencies(text) is not None:
        return PYPROJECT
    return ""


def _pyproject_dependencies(text: str) -> list[str] | None:
    try:
        deps = tomllib.loads(text).get("project", {}).get("dependencies")
    except (tomllib.TOMLDecodeError, AttributeError, RecursionError):
        return None
    return [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else None


def lists_dependencies(folder: Path, name: str) -> bool:
    """Whether a pyproject.toml has a [project] dependencies list (a requirements file always does)."""
    if name.rsplit("/", 1)[-1] != PYPROJECT:
        return True
    text = _read(folder / name)
    return text is not None and _pyproject_dependencies(text) is not None


def requirements(folder: Path, name: str) -> dict[str, str]:
    """name -> pinned version ("" when not pinned with ==) of each requirement the dependency file names."""
    text = _read(folder / name) if name and not safeio.leaves(folder, name) else None
    if text is None:
        return {}
    if name.rsplit("/", 1)[-1] == PYPROJECT:
        lines = _pyproject_dependencies(text) or []
    else:
        lines = [line.split(" #", 1)[0].strip() for line in text.splitlines()]
    out: dict[str, str] = {}
    for line in lines:
        if not line or line.startswith(("#", "-")):
            continue
        match = _REQUIREMENT.match(line.split(";", 1)[0].strip())
        if match:
            out.setdefault(normal(match.group(1)), (match.group(2) or "").split("+", 1)[0])
    return out


def torch_named(names: dict[str, str]) -> list[str]:
    """The PyTorch distributions the requirements name (torch, torchvision, torchaudio), in that order."""
    return [n for n in TORCH_NAMES if n in names]


def entry_file(folder: Path, kind: str = "") -> str:
    """The entry file among app.py and main.py: the first that imports `kind`'s package (a FastAPI main.py beside
    a Flask app.py), else the first the folder has, else ""."""
    present = [name for name in ENTRY_FILES if (folder / name).is_file()]
    for name in present:
        if kind in _NAMES and _imports(folder / name) & set(_NAMES[kind]):
            return name
    return present[0] if present else ""


def _imports(path: Path) -> set[str]:
    return {normal(m) for m in _IMPORT.findall(_read(path) or "")}


def framework(folder: Path, names: dict[str, str]) -> str:
    """fastapi | streamlit | gradio | flask | script: from the requirement names, else the entry file's imports."""
    for kind in FRAMEWORKS:
        if any(n in names for n in _NAMES[kind]):
            return kind
    imported = set().union(*(_imports(folder / name) for name in ENTRY_FILES if (folder / name).is_file()))
    return next((kind for kind in FRAMEWORKS if imported & set(_NAMES[kind])), "script")


def start_command(kind: str, entry: str, port: int) -> str:
    """The command that starts `entry` (app.py, main.py) with `kind`'s server on 0.0.0.0:port (Gradio reads
    GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, which the image sets; a plain script gets PORT)."""
    entry = entry or "app.py"
    module = entry.removesuffix(".py")
    return {"fastapi": f"uvicorn {module}:app --host 0.0.0.0 --port {port}",
            "streamlit": f"streamlit run {entry} --server.port {port} --server.address 0.0.0.0",
            "flask": f"flask --app {module} run --host 0.0.0.0 --port {port}"}.get(kind, f"python {entry}")


def command_file(command: str) -> str:
    """The project file a start command runs, or "": its first word ending .py (python app.py, streamlit run
    app.py), uvicorn's module:app (main:app -> main.py), flask's --app module (app -> app.py)."""
    words = command.split(" ")
    for i, word in enumerate(words):
        if word.endswith(".py"):
            return word
        if words[0] == "uvicorn" and i > 0 and ":" in word and not word.startswith("-"):
            return word.split(":", 1)[0].replace(".", "/") + ".py"
        if words[0] == "flask" and word.startswith("--app") and (word[6:] or (words[i + 1:] or [""])[0]):
            module = (word[6:] or words[i + 1]).split(":", 1)[0]
            return module.replace(".", "/") + ".py"
    return ""


_PORT_OPTION = re.compile(r"--(?:server\.)?port[ =]([0-9]+)")


def command_port(command: str) -> int | None:
    """The port a start command names with --port / --server.port, or None."""
    match = _PORT_OPTION.search(command)
    return int(match.group(1)) if match else None


def ignore_patterns(folder: Path) -> list[str]:
    """The project's .gitignore lines that are plain patterns, as .dockerignore patterns: a name without a
    slash matches at any depth in git, so it becomes NAME and **/NAME; a leading / anchors it (dropped); a
    trailing / (folders only) is dropped (.dockerignore matches files and folders alike). Negations (!),
    escapes, character classes and lines with spaces are left out: they are not taken from the user's text."""
    text = _read(folder / ".gitignore") if (folder / ".gitignore").is_file() else None
    out: list[str] = []
    for line in (text or "").splitlines()[:MAX_IGNORE_LINES]:
        line = line.strip()
        if not line or line.startswith("#") or len(line) > 200 or not _PLAIN_PATTERN.fullmatch(line):
            continue
        anchored, bare = line.startswith("/"), line.strip("/")
        if not bare or bare in (".", "..") or ".." in bare.split("/"):
            continue
        out.append(bare)
        if not anchored and "/" not in bare and not bare.startswith("**"):
            out.append(f"**/{bare}")
    return list(dict.fromkeys(out))
