"""The build context as docker-py sends it, with a count of the bytes sent (bytes sent / total).

docker-py's `APIClient.build(path=...)` tars the folder (honouring .dockerignore) and sends it without a word;
to a remote engine that can take a while. `context_archive` makes the same tar (docker.utils.tar with the
.dockerignore patterns read the way docker-py's build reads them) and `Sending` hands it to
`build(fileobj=..., custom_context=True)`, counting what the HTTP layer reads. The engine adapter: stdlib + docker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import IO, Callable

import docker.utils

Progress = Callable[[int, int], None]  # (bytes sent, total bytes)


def dockerignore_patterns(context_dir: Path) -> list[str] | None:
    """The .dockerignore lines docker-py's build would use (blank lines and comments dropped), or None."""
    path = Path(context_dir) / ".dockerignore"
    if not path.exists():
        return None
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def context_archive(context_dir: Path) -> IO[bytes]:
    """The build context as an uncompressed tar in a temporary file, positioned at its start."""
    return docker.utils.tar(str(context_dir), exclude=dockerignore_patterns(context_dir))


class Sending:
    """A file-like view of the context tar that reports (sent, total) as the HTTP layer reads it, at most
    every `every` seconds, and always when the last byte has been read."""

    def __init__(self, archive: IO[bytes], progress: Progress, every: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.archive, self.progress, self.every, self.clock = archive, progress, every, clock
        archive.seek(0, os.SEEK_END)
        self.total = archive.tell()
        archive.seek(0)
        self.sent = 0
        self._last = -every
        self._reported_all = False

    def __len__(self) -> int:  # requests sets Content-Length from it (the engine wants a plain body)
        return self.total

    def read(self, size: int = -1) -> bytes:
        data = self.archive.read(size)
        self.sent += len(data)
        now = self.clock()
        done = self.sent >= self.total
        if (done and not self._reported_all) or (not done and now - self._last >= self.every):
            self._last, self._reported_all = now, done
            self.progress(self.sent, self.total)
        return data

    def close(self) -> None:
        self.archive.close()
