"""The tables bench/run.py and bench/peers/compare.py print, and bench/run.py's goals with their verdicts."""

from __future__ import annotations


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def print_goals(goals: list[tuple[str, str, bool | None]]) -> int:
    """Prints the goals with their verdicts; the exit status, 1 if a goal failed."""
    print("\nGoals\n")
    verdict = {True: "PASS", False: "FAIL", None: "n/a"}
    print(table([[g, fig, verdict[ok]] for g, fig, ok in goals], ["goal", "figure", "result"]))
    return 0 if all(ok is not False for _, _, ok in goals) else 1
