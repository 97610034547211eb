"""Golden files: each docs/examples/*.toml renders to exactly the files under tests/golden/<example>/.

A change to a snippet shows up here as a diff that a person reviews. To accept a reviewed change:
    IMGWIZARD_UPDATE_GOLDENS=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wizard.lint import is_failure, lint
from wizard.load import load
from wizard.render import render

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.toml"))
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("IMGWIZARD_UPDATE_GOLDENS") == "1"


def test_there_is_an_example_per_scenario_of_the_guide():
    names = {p.stem for p in EXAMPLES}
    assert {"pycharm-novnc", "jupyter-nvidia", "code-server-debian", "ascend-shell", "kasm-desktop",
            "debian-shell-ssh", "binary-scratch"} <= names


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_renders_to_its_golden_files(example: Path):
    answers, problems = load(example)
    assert problems == []
    ctx = render(answers, example.parent)
    folder = GOLDEN / example.stem
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, f in ctx.files.items():
            (folder / name.replace("/", "__")).write_text(f.text)
    expected = {p.name for p in folder.iterdir()}
    assert expected == {n.replace("/", "__") for n in ctx.files}
    for name, f in ctx.files.items():
        assert f.text == (folder / name.replace("/", "__")).read_text(), f"{example.stem}/{name} differs from its golden file"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_dockerfile_passes_parser_and_hadolint(example: Path):
    answers, _ = load(example)
    findings = lint(render(answers, example.parent).dockerfile)
    assert [str(f) for f in findings if is_failure(f)] == []
