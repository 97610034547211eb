"""What an image says about itself: the labels imgwizard puts on every image it renders, and the answers file read
back from a label's value.

The labels sit in the Dockerfile's last instruction (snippets/labels.j2), so a plain `docker build .` makes
them too and no earlier step's cache depends on them. Only `org.opencontainers.image.created` changes with each
build: it comes from the build argument IMGWIZARD_CREATED (wizard/engine/build.py passes it), declared right
before that last LABEL, so it costs that one metadata step and nothing else (docs/reproduce.md "Why a Dockerfile
LABEL").

Pure core: stdlib. Reading the labels of an image in an engine, or of a saved archive, is the adapter's
(wizard/engine/labels.py).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Mapping

from wizard import __version__, answers_file, checks, safeio

CREATED_ARG = "IMGWIZARD_CREATED"  # the build argument `created` comes from (RFC 3339, UTC)
CREATED = "org.opencontainers.image.created"
ANSWERS = "imgwizard.answers"  # the answers file as JSON (one object per [section]), docs/reproduce.md
VERSION = "imgwizard.version"  # the imgwizard that rendered the Dockerfile
LABEL_LIMIT = 512 * safeio.KIB  # the answers label read back: an answers file is ~2 KB, at most 256 KiB
# The legacy builder refuses a Dockerfile line over 65535 bytes ("dockerfile line greater than max allowed size
# of 65535", Docker 20.10, seen here); continued lines may add up to more (a 300 KB label built fine).
LINE_BYTES = 32_000  # a cut line: this, plus at most a run of blanks or # (an answer is at most 16 KiB)


class MetaError(Exception):
    """An image or archive carries no readable answers; the message says why, in one line."""


# ------------------------------------------------------------------ writing (render)

def labels(answers: Mapping[str, Any], summary: str, base_image: str) -> dict[str, str]:
    """The static labels of the image `answers` render, name -> value (not yet escaped for the Dockerfile).
    `created` is not here: it is a build-time value (CREATED_ARG)."""
    return {
        "org.opencontainers.image.title": str(answers["image.name"]),
        "org.opencontainers.image.version": str(answers["image.tag"]),
        "org.opencontainers.image.description": summary,
        "org.opencontainers.image.base.name": base_image,
        VERSION: __version__,
        ANSWERS: answers_json(answers),
    }


def portable(answers: Mapping[str, Any], authorized_keys: str | None) -> dict[str, Any]:
    """The answers as the image carries them (its label, and the context's imgwizard.toml): an
    `ssh.authorized_key` that names a key file holds the key line itself (`authorized_keys`: the key text the
    render read, wizard/plan.py), so the answers read back from the image rebuild it on another machine; a
    path of the build machine says nothing there. A public key is not secret (it is in the image's
    authorized_keys anyway). A file of several keys keeps its path: the answer takes one key line."""
    out = dict(answers)
    value, keys = out.get("ssh.authorized_key"), (authorized_keys or "").strip()
    if isinstance(value, str) and keys and "\n" not in keys and checks.public_key_text(keys) is None:
        out["ssh.authorized_key"] = keys
    return out


def answers_json(answers: Mapping[str, Any]) -> str:
    """The answers file as JSON (answers_file.document's shape), one line per [section]: the number of lines
    depends on which sections apply, never on a value."""
    doc = answers_file.document(answers)
    return "{" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in doc.items()) + "}"


def dockerfile_word(value: str) -> str:
    """`value` as the inside of a double-quoted Dockerfile word: `\\`, `"` and `$` (which LABEL would expand)
    escaped, and each line break written as a line continuation, so the label holds `value` without them
    (the builder joins continued lines before it reads the quotes). A line longer than LINE_BYTES is cut
    into continued lines too: the builder refuses a Dockerfile line over 64 KiB. ValueError for control
    characters, and for a line the builder would drop (blank, or a `#` comment after its first)."""
    if _CONTROL.search(value):
        raise ValueError("a label value cannot hold control characters")
    lines = value.split("\n")
    if any(not line.strip() or line.lstrip().startswith("#") for line in lines[1:]):
        raise ValueError("a continued label line cannot be blank or start with #")
    return "\\\n".join(_word_line(line) for line in lines)


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # control characters but the line break
_ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$"}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def _word_line(line: str) -> str:
    """One line of the value, escaped; cut into continued lines only when it is longer than LINE_BYTES (the
    answers' JSON is rendered on every key press in the wizard: the common short line takes one translate)."""
    escaped = line.translate(_ESCAPE_TABLE)
    if len(escaped.encode()) <= LINE_BYTES:
        return escaped
    return "\\\n".join(_chunks(_escaped(line)))


def _escaped(text: str) -> list[str]:
    return [_ESCAPES.get(c, c) for c in text]


def _chunks(pieces: list[str]) -> list[str]:
    """Escaped characters joined into lines of about LINE_BYTES bytes (UTF-8), never cutting an escape and
    never starting a line with a blank or `#` (the builder would drop it as a comment)."""
    lines, current, size = [], [], 0
    for piece in pieces:
        if current and size >= LINE_BYTES and piece not in (" ", "\t", "#"):
            lines.append("".join(current))
            current, size = [], 0
        current.append(piece)
        size += len(piece.encode())
    return lines + ["".join(current)]


def build_args(dockerfile: str) -> dict[str, str]:
    """The build arguments to pass for a Dockerfile: the build time when it declares CREATED_ARG (a context
    imgwizard rendered), none otherwise (the builder would warn about an argument nothing uses)."""
    return {CREATED_ARG: created_now()} if f"\nARG {CREATED_ARG}\n" in dockerfile else {}


def created_now() -> str:
    """The build's time for `org.opencontainers.image.created` (RFC 3339, UTC, seconds)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ reading back

def answers_text(image_labels: Mapping[str, str] | None, what: str) -> str:
    """The answers file (answers_file.dump's text) an image's labels carry; MetaError naming `what` when
    there is none or it is not an answers document."""
    value = (image_labels or {}).get(ANSWERS)
    if value is None:
        raise MetaError(f"{what} has no {ANSWERS} label: it was not built from an imgwizard context "
                        f"(imgwizard 0.1.0 or later renders it)")
    if len(value) > LABEL_LIMIT:
        raise MetaError(f"{what}: its {ANSWERS} label is {len(value)} characters; accepted: at most {LABEL_LIMIT}")
    try:
        doc = json.loads(value)
        if not isinstance(doc, dict) or not all(isinstance(v, (dict, int)) for v in doc.values()):
            raise TypeError("not an object of [section] tables")
        return answers_file.dump_document(doc)
    except (ValueError, TypeError, RecursionError) as exc:
        raise MetaError(f"{what}: its {ANSWERS} label is not an answers document ({exc})") from None
