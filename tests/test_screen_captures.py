"""The documentation's pictures: docs/capture_screens.py still captures a screen (a valid SVG showing the
question, the same bytes on a second run, nothing of the machine in it), and every image README.md and
docs/user-guide.md show exists, with every captured screen shown somewhere."""

from __future__ import annotations

import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md", ROOT / "docs" / "user-guide.md")
SVG = "{http://www.w3.org/2000/svg}"


def load_capture():
    spec = importlib.util.spec_from_file_location("capture_screens", ROOT / "docs" / "capture_screens.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def screen_lines(svg: str) -> list[str]:
    """The terminal's text, line by line: Rich writes one <text> per run of one style, at the line's y."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    rows: dict[float, list[tuple[float, str]]] = defaultdict(list)
    for text in root.iter(f"{SVG}text"):
        if text.get("clip-path"):  # the terminal's cells (the window title has none)
            rows[float(text.get("y"))].append((float(text.get("x")), "".join(text.itertext())))
    return ["".join(part for _, part in sorted(row)).replace("\xa0", " ") for _, row in sorted(rows.items())]


def image_links(markdown: Path) -> list[str]:
    text = markdown.read_text(encoding="utf-8")
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text) + re.findall(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", text)


def test_capture_one_screen(tmp_path):
    capture = load_capture()
    shot = capture.SHOTS["first-step"]
    [path] = capture.write(["first-step"], tmp_path / "one")
    svg = path.read_text(encoding="utf-8")
    assert path.name == "wizard-first-step.svg"
    lines = screen_lines(svg)
    assert len(lines) == capture.SIZE[1]
    assert any(shot.expect in line for line in lines), lines
    assert any("Kind of app" in line for line in lines)  # the steps list
    assert any("Dockerfile" in line for line in lines)  # the preview's tabs
    # fixed id, nothing of this machine or this run
    assert re.search(r"terminal-\d", svg) is None and "terminal-first-step-r1" in svg
    assert str(tmp_path) not in svg and "imgwizard-capture-" not in svg and str(ROOT) not in svg
    [again] = capture.write(["first-step"], tmp_path / "again")
    assert again.read_bytes() == path.read_bytes()


def test_every_linked_image_exists_and_every_screen_is_shown():
    capture = load_capture()
    shown: set[str] = set()
    for markdown in DOCS:
        links = [link for link in image_links(markdown) if "://" not in link]
        assert links, f"{markdown.name} shows no image"
        for link in links:
            target = (markdown.parent / link).resolve()
            assert target.is_file(), f"{markdown.name} links {link}, which is not in the repository"
            shown.add(target.name)
    assert "wizard-gpu-step.svg" in {Path(link).name for link in image_links(ROOT / "README.md")}
    files = {shot.file for shot in capture.SHOTS.values()}
    assert files <= shown, f"captured but shown nowhere: {sorted(files - shown)}"
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    headings = [shot.caption for shot in capture.SHOTS.values() if f"### {shot.caption}\n" in guide]
    assert headings == [shot.caption for shot in capture.SHOTS.values()], "the guide's headings are the captions"
    stale = {p.name for p in (ROOT / "docs" / "img").glob("wizard-*.svg")} - files
    assert not stale, f"no longer made by docs/capture_screens.py: {sorted(stale)}"
