"""Running a command the way a user's terminal does: with a new pseudo-terminal as its stdin, stdout and stderr,
keeping every byte it writes (tests/test_outside_engine.py and tests/test_outside_screens.py assert on those raw
bytes: no escape sequence from outside may reach a terminal)."""

from __future__ import annotations

import os
import pty
import select
import signal
import time
from pathlib import Path


def in_pty(argv: list[str], cwd: Path, env: dict[str, str | None] | None = None, seconds: float = 60,
           usage: list | None = None) -> tuple[bytes, int]:
    """(every byte `argv` wrote to its terminal, its exit status). `env` adds to this process's environment (None
    removes a variable); `usage` gets the child's resource usage (its peak memory). The command is killed and the
    test fails when it has not ended within `seconds`."""
    environ = {**os.environ, "TERM": "xterm-256color", **(env or {})}
    for name in [k for k, v in environ.items() if v is None]:
        del environ[name]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal
        try:
            os.chdir(cwd)
            os.execve(argv[0], argv, environ)
        finally:
            os._exit(127)
    out = bytearray()
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError(f"{' '.join(argv)} did not end within {seconds} s; it wrote "
                                     f"{bytes(out[-2000:])!r}")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(fd)
    _, status, rusage = os.wait4(pid, 0)
    if usage is not None:
        usage.append(rusage)
    return bytes(out), os.waitstatus_to_exitcode(status)
