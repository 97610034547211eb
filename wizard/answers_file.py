"""Reading and writing the answers file: TOML with `version = 1` and one table per section."""

from __future__ import annotations

import tomllib
from typing import Any, Mapping

import tomli_w

from wizard.answers import BY_KEY, FIELDS, FORMAT_VERSION, SECTIONS

Problem = tuple[str, str]


def parse(text: str) -> tuple[dict[str, Any], list[Problem]]:
    """Flat given answers from answers-file text, and problems with its shape (unknown keys, bad version)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [("file", f"not valid TOML: {exc}")]
    problems: list[Problem] = []
    version = doc.pop("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        problems.append(("version", f"{version!r} is not supported; accepted: {FORMAT_VERSION}"))
    given: dict[str, Any] = {}
    for section, table in doc.items():
        if section not in SECTIONS:
            problems.append((section, f"unknown section; accepted: version, {', '.join(SECTIONS)}"))
            continue
        if not isinstance(table, dict):
            problems.append((section, f"must be a table [{section}]"))
            continue
        for name, value in table.items():
            key = f"{section}.{name}"
            if key not in BY_KEY:
                known = ", ".join(f.name for f in FIELDS if f.section == section)
                problems.append((key, f"unknown key; accepted in [{section}]: {known}"))
                continue
            given[key] = value
    return given, problems


def dump(answers: Mapping[str, Any]) -> str:
    """Answers-file text for resolved answers (only the keys that apply), sections in tree order."""
    doc: dict[str, Any] = {"version": FORMAT_VERSION}
    for field in FIELDS:
        if field.key not in answers:
            continue
        value = answers[field.key]
        if field.key == "packages.java":
            value = int(value)
        doc.setdefault(field.section, {})[field.name] = value
    header = "# imgwizard answers file: `imgwizard render THIS_FILE -o DIR` rebuilds the same context.\n" \
             "# Format: docs/answers.md\n"
    return header + tomli_w.dumps(doc)
