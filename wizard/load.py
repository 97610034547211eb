"""Loading answers from a file path: parse, validate, and report problems as (key, message) lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard import answers_file, safeio
from wizard.validate import validate

Problem = tuple[str, str]


def read_given(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The given answers of an answers file and the problems with its shape. The file is read with
    wizard/safeio: a regular file of at most ANSWERS_LIMIT bytes, UTF-8 (a byte-order mark is fine)."""
    try:
        text = safeio.read_text(path, safeio.ANSWERS_LIMIT)
    except safeio.SafeIOError as exc:
        return {}, [("file", str(exc))]
    return answers_file.parse(text)


def load(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Resolved answers from an answers file; file paths inside it are relative to its folder."""
    given, problems = read_given(path)
    if any(key == "file" for key, _ in problems):
        return {}, problems
    answers, more = validate(given, path.parent)
    return answers, problems + more


def format_problems(problems: list[Problem], source: str = "") -> str:
    prefix = f"{source}: " if source else ""
    return "\n".join(f"{prefix}{key}: {msg}" for key, msg in problems)
