"""How a long command meets a signal: SIGTERM and SIGHUP (a closed terminal) end it through its own clean-up,
as Ctrl-C does, instead of killing the process where it stands (export removes its partial file, push puts the
tags back, commit puts the container back)."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Callable, Iterator

STOPPING = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def on_signals(act: Callable[[int], None], signals: tuple[int, ...] = STOPPING) -> Iterator[None]:
    """While inside, each of `signals` calls `act(signum)`, which raises (or defers raising) where the command
    is; the previous handlers are put back after. Outside the main thread the signals are not ours: none is set."""
    def handler(signum: int, _frame: object) -> None:
        act(signum)

    try:
        previous = {sig: signal.signal(sig, handler) for sig in signals}
    except ValueError:  # not the main thread
        previous = {}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def name_of(signum: int) -> str:
    return signal.Signals(signum).name
