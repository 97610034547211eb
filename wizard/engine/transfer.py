"""Progress of a long transfer (export writes an archive, import sends one to the engine): bytes done against
the expected size, and the time left at the rate so far. Pure: the UI decides how and when to show it
(upload.py's Sending counts the bytes of an upload)."""

from __future__ import annotations

from wizard.engine.common import human_size


MIN_ELAPSED = 2.0  # seconds of transfer before a time left is said
MIN_SHARE = 0.01  # and a share of the total done: the first chunks say little about the rate


def time_left(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left at the average rate so far; None before there is a rate worth an estimate (less than
    MIN_ELAPSED seconds or MIN_SHARE of the total: an estimate from the first chunk, after the engine's own
    preparation, said "45:07 left" for a save that took 2 s), or when the total is unknown or already passed
    (an estimate that was too low). `elapsed` counts from the first byte (screens/cli/archive.py)."""
    if done <= 0 or elapsed < MIN_ELAPSED or total <= done or done < total * MIN_SHARE:
        return None
    return (total - done) * elapsed / done


def clock(seconds: float) -> str:
    """0:07, 12:30, 1:02:03."""
    s = int(seconds + 0.5)
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


def progress_text(verb: str, what: str, done: int, total: int, elapsed: float) -> str:
    """'writing app.tar: 120.0 MiB of about 300.0 MiB (40%), 0:12 left' (the percentage stops at 99 until
    the end: `total` is an estimate)."""
    if not total:
        return f"{verb} {what}: {human_size(done)}"
    pct = min(99, 100 * done // total)
    left = time_left(done, total, elapsed)
    tail = f", {clock(left)} left" if left is not None else ""
    return f"{verb} {what}: {human_size(done)} of about {human_size(total)} ({pct}%){tail}"
