"""docs/security.md names, for each promise, the tests that prove it: every test it names must exist, so the page
cannot keep pointing at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"


def _named_tests(text: str) -> list[tuple[str, str]]:
    """(file, test) pairs: `tests/x.py::test_a` and the `::test_b` that follow it refer to the same file."""
    pairs: list[tuple[str, str]] = []
    current = ""
    for m in re.finditer(r"`(tests/[\w/]+\.py)?::(test_\w+)`", text):
        current = m.group(1) or current
        pairs.append((current, m.group(2)))
    return pairs


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def test_every_test_the_security_page_names_exists():
    pairs = _named_tests(DOC.read_text())
    assert len(pairs) > 30  # the page names its proofs
    missing = [f"{f}::{t}" for f, t in pairs if not f or t not in _tests_in(ROOT / f)]
    assert missing == []
