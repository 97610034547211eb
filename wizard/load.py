"""Loading answers from a file path: parse, validate, and report problems as (key, message) lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard import answers_file
from wizard.validate import validate

Problem = tuple[str, str]


def load(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Resolved answers from an answers file; file paths inside it are relative to its folder."""
    try:
        text = path.read_text()
    except OSError as exc:
        return {}, [("file", f"cannot read {path}: {exc.strerror}")]
    given, problems = answers_file.parse(text)
    if any(key == "file" for key, _ in problems):
        return {}, problems
    answers, more = validate(given, path.parent)
    return answers, problems + more


def format_problems(problems: list[Problem], source: str = "") -> str:
    prefix = f"{source}: " if source else ""
    return "\n".join(f"{prefix}{key}: {msg}" for key, msg in problems)
