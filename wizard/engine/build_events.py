"""The events a build streams, shared by the Docker adapter (build.py), the CLI and the TUI.

A builder is any callable `builder(context_dir, tag, cancel) -> Iterator[BuildEvent]`; the TUI and the CLI
take one injected, so tests can pass a builder that replays recorded docker-py events.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator


@dataclass(frozen=True)
class BuildEvent:
    kind: str  # "upload" (context bytes sent: step=sent, total=bytes) | "step" (a new Dockerfile instruction)
    #            | "output" (a log line) | "error" | "done"
    text: str  # the instruction, the log line, the error message, or the image id when done
    step: int = 0  # 1-based number of the current instruction ("Step N/M")
    total: int = 0  # M


Builder = Callable[[Path, str, threading.Event], Iterator[BuildEvent]]
