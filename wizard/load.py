"""Loading answers from a file path: parse, validate, and report problems as (key, message) lines; and the checks
answers read from outside (an image's label, a saved archive, a file given to `--answers`) pass before they are
used or shown."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Mapping

from wizard import answers_file, checks, safeio
from wizard.checks import shown
from wizard.text import Msg
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


# ------------------------------------------------------------------ answers from outside

# The answers whose value may name a file the render reads and copies into the context (validate._file_answers).
FILE_ANSWERS = ("ssh.authorized_key", "network.extra_ca")


def names_outside(key: str, value: Any) -> bool:
    """True when `value` of `key` names a file outside the folder the answers are used in: an absolute path, a
    `~` path, a `..` part (checks.relative_path). An SSH key answer that is key text (or starts like one) names
    no file: checks.read_public_key reads only the other values as paths."""
    if key not in FILE_ANSWERS or not isinstance(value, str) or not value.strip():
        return False
    text = value.strip()
    if key == "ssh.authorized_key" and (checks.public_key_text(text) is None
                                        or text.split(" ", 1)[0] in checks._KEY_TYPES):
        return False
    return checks.relative_path(text) is not None


def drop_host_files(text: str) -> tuple[str, list[Problem]]:
    """Answers-file text read from an image's label or a saved archive, without the answers that name a file
    outside the folder (names_outside: `render` would copy a file of this host, a key or a CA bundle, into the
    context), and (key, why) for each answer dropped. Text that is not TOML is returned as it is (parse says why)."""
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return text, []
    dropped: list[Problem] = []
    for key in FILE_ANSWERS:
        section, name = key.split(".")
        table = doc.get(section)
        if isinstance(table, dict) and names_outside(key, table.get(name)):
            dropped.append((key, Msg("answers.dropped", value=shown(table.pop(name)))))
    return (answers_file.dump_document(doc), dropped) if dropped else (text, [])


def control_problems(given: Mapping[str, Any]) -> list[Problem]:
    """The given answers that hold a control character or a line separator (a text, or an item of a list),
    refused as wizard.answers.coerce refuses them, naming the key: `--answers` puts each value into a text
    field of the wizard or a prompt, which must never receive one."""
    out: list[Problem] = []
    for key, value in given.items():
        for text in value if isinstance(value, list) else [value]:
            control = checks.control_character(text) if isinstance(text, str) else None
            if control:
                out.append((key, Msg("refused.control", value=shown(text), control=control)))
                break
    return out
