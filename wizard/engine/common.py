"""What every part of the Docker adapter shares: the one-line error, the low-level API client, an engine error's
text, image names, and sizes as people read them. docker-py is not imported here (human_size is shown by the TUI
before any engine is asked)."""

from __future__ import annotations

import re
from typing import Any


class DockerOpError(Exception):
    """A Docker action failed for a reason worth one clear line to the user."""


def human_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def api_of(client: Any) -> Any:
    """The low-level APIClient of a DockerClient (or the APIClient itself)."""
    return getattr(client, "api", client)


def api_message(exc: Exception) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc).strip()


_IMAGE_ID = re.compile(r"(?:sha256:)?[0-9a-f]{12,64}", re.ASCII)


def reference_problem(ref: str, new: bool = False) -> str | None:
    """None when `ref` is an image name[:tag] or an image id the engine could know, else what is accepted.
    `new`: a name to give an image (commit), so no digest and no bare id."""
    from wizard.checks import REFERENCE, shown

    if len(ref) <= 255 and REFERENCE.fullmatch(ref) and not (new and "@" in ref):
        return None
    if not new and _IMAGE_ID.fullmatch(ref):
        return None
    return (f"{shown(ref)} is not an image name; accepted: name[:tag] in lower-case letters, digits and . _ - "
            f"(e.g. team/my-app:1.0)" + ("" if new else " or an image id"))
