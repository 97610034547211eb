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


def outside_line(text: object, limit: int = 1000) -> str:
    """Text imgwizard did not write (an engine's or a registry's error, an archive's tag, a label, a docker
    context's name) as one line that is safe to show: its lines joined with spaces, cut to `limit` characters,
    then every control, separator and bidi character shown escaped (wizard.text.safe_to_show, markup=False: a
    screen that shows it as markup escapes the markup there), so no escape sequence from outside reaches a
    terminal, a log or a widget."""
    from wizard.text import safe_to_show

    raw = text if isinstance(text, str) else str(text)
    raw = " ".join(part.strip() for part in raw.splitlines() if part.strip())
    return safe_to_show(raw if len(raw) <= limit else raw[: limit - 1] + "…", markup=False)


def api_message(exc: Exception) -> str:
    """An engine's (or through it a registry's) error text, as one line safe to show (outside_line)."""
    explanation = getattr(exc, "explanation", None)
    return outside_line(explanation or exc)


_IMAGE_ID = re.compile(r"(?:sha256:)?[0-9a-f]{12,64}", re.ASCII)


def reference_problem(ref: str, new: bool = False) -> str | None:
    """None when `ref` is an image name[:tag] or an image id the engine could know, else what is accepted.
    `new`: a name to give an image (commit), so no digest and no bare id."""
    from wizard.checks import REFERENCE, shown

    if len(ref) <= 255 and REFERENCE.fullmatch(ref) and not (new and "@" in ref):
        return None
    if not new and _IMAGE_ID.fullmatch(ref):
        return None
    return (f"{outside_line(shown(ref))} is not an image name; accepted: name[:tag] in lower-case letters, "
            f"digits and . _ - (e.g. team/my-app:1.0)" + ("" if new else " or an image id"))
