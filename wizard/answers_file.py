"""Reading and writing the answers file: TOML with `version = 1` and one table per section."""

from __future__ import annotations

import re
import tomllib
from typing import Any, Mapping

import tomli_w

from wizard import __version__, checks
from wizard.answers import BY_KEY, FIELDS, FORMAT_VERSION, SECTIONS
from wizard.checks import SHOWN, shown

Problem = tuple[str, str]


def parse(text: str) -> tuple[dict[str, Any], list[Problem]]:
    """Flat given answers from answers-file text, and problems with its shape (unknown keys, bad version)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [("file", f"not valid TOML: {exc}")]
    except RecursionError:  # tomllib recurses once per nesting level: thousands of [[[ ... ]]] exhaust the stack
        return {}, [("file", "not valid TOML: values nested too deeply; accepted: an answers file (docs/answers.md)")]
    problems: list[Problem] = []
    bad_version = _version_problem(doc.pop("version", None))
    if bad_version:
        problems.append(("version", bad_version))
    given: dict[str, Any] = {}
    for section, table in doc.items():
        if section not in SECTIONS:
            problems.append((shown_key(section), f"unknown section; accepted: version, {', '.join(SECTIONS)}"))
            continue
        if not isinstance(table, dict):
            problems.append((section, f"must be a table [{section}]"))
            continue
        for name, value in table.items():
            key = f"{section}.{name}"
            if key not in BY_KEY:
                known = ", ".join(f.name for f in FIELDS if f.section == section)
                problems.append((shown_key(key), f"unknown key; accepted in [{section}]: {known}"))
                continue
            given[key] = value
    return given, problems


def _version_problem(version: Any) -> str | None:
    """Why `version` is not this format's version (missing, not an integer, another number), or None."""
    expected = f"accepted: version = {FORMAT_VERSION} (an integer) at the top of the file"
    if version is None:
        return f"missing; {expected}"
    if type(version) is not int:  # noqa: E721 - true and 1.0 compare equal to 1 but are not the format's version
        kind = {bool: "true/false", float: "decimal number", str: "string"}.get(type(version), "table or list")
        value = str(version).lower() if isinstance(version, bool) else shown(version)
        return f"{value} is a {kind}, not an integer; {expected}"
    if version != FORMAT_VERSION:
        return f"{version} is not supported by imgwizard {__version__}; {expected}"
    return None


def shown_key(key: str) -> str:
    """An unknown key from the file, safe to print at the start of a one-line problem."""
    return key if checks.control_character(key) is None and len(key) <= SHOWN else shown(key)


def document(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers file's document for resolved answers (only the keys that apply): version, then one table
    per section in tree order."""
    doc: dict[str, Any] = {"version": FORMAT_VERSION}
    for field in FIELDS:
        if field.key not in answers:
            continue
        value = answers[field.key]
        if field.key == "packages.java":
            value = int(value)
        doc.setdefault(field.section, {})[field.name] = value
    return doc


HEADER = "# imgwizard answers file: `imgwizard render THIS_FILE -o DIR` rebuilds the same context.\n" \
         "# Format: docs/answers.md\n"


def dump(answers: Mapping[str, Any]) -> str:
    """Answers-file text for resolved answers (only the keys that apply), sections in tree order."""
    return dump_document(document(answers))


# tomli_w escapes C0 controls and DEL in strings except the tab (1.2 writes it raw, as TOML allows), and writes C1
# controls, the line and paragraph separators and the bidirectional formatting characters as they are. Each of them in its output sits inside a basic string ("...":
# a key that is not a bare word is quoted too; no literal or multi-line strings), where \uXXXX is the same character
# to a TOML reader: escaped, the text printed (`imgwizard answers`) holds no byte a terminal acts on.
_RAW_IN_TOML = re.compile("[\t\x80-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dump_document(doc: Mapping[str, Any]) -> str:
    """Answers-file text for a document (document()'s shape, e.g. read back from an image's label), with no
    control or bidirectional character left raw (_RAW_IN_TOML). TypeError when a value cannot be written as
    TOML (a JSON null)."""
    return HEADER + _RAW_IN_TOML.sub(lambda m: f"\\u{ord(m.group()):04x}", tomli_w.dumps(doc))
