"""Full garbage collections while the user is not typing, never in the middle of a key press.

Python's collector walks every long-lived object in a full (generation 2) collection. In the wizard that walk
took 130-190 ms on a 2-core machine and landed on random key presses: they were the slowest presses measured by
bench/run.py (key press -> preview, p95). So, as long as the wizard runs:

- what exists once the wizard is on screen (modules, styles, widgets) is frozen out of the collector's reach
  (`gc.freeze()`), which keeps each full collection short;
- automatic full collections are put off (the younger generations are still collected as usual), and one full
  collection runs once the answers have not changed for `quiet` seconds: it is the only one, so memory that
  cycles hold is given back within a second or two of the user stopping.

`stop()` puts the collector back as it was (tests run many wizards in one process).
"""

from __future__ import annotations

import gc
import time
from typing import Callable

PUT_OFF = 1_000_000  # generation 2's threshold while the wizard runs: automatic full collections never come


class IdleCollector:
    def __init__(self, quiet: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet = quiet
        self.clock = clock
        self.last = clock()
        self.due = False  # something changed since the last full collection
        self.saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        """Freeze what exists and put off automatic full collections."""
        if self.saved is None:
            self.saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(self.saved[0], self.saved[1], PUT_OFF)

    def touched(self) -> None:
        """The answers changed (a key press): a full collection is due once the user pauses."""
        self.due, self.last = True, self.clock()

    def tick(self) -> bool:
        """Run the due full collection if the user has paused for `quiet` seconds; True when it ran."""
        if self.saved is None or not self.due or self.clock() - self.last < self.quiet:
            return False
        self.due = False
        gc.collect()
        return True

    def stop(self) -> None:
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            gc.unfreeze()
            self.saved = None
