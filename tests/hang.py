"""Calls that must answer at once (a FIFO refused, not opened) run in a thread with a time-out, so a regression
fails its test instead of hanging the whole run."""

from __future__ import annotations

import threading

HANG = 60  # seconds after which a call that should answer at once counts as hung


def in_thread(fn, *args):
    """fn(*args) in a thread joined with a time-out: (result, exception); fails the test if it hangs."""
    box: dict = {}

    def target():
        try:
            box["result"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(HANG)
    assert not t.is_alive(), f"{fn.__name__} hung"
    return box.get("result"), box.get("error")
