"""The preview highlights a file block by block and keeps the lines of the blocks a key press did not change,
numbering them again where they moved (screens/fileview.py). What it shows must be what one Syntax of the whole
file showed before: checked cell by cell (character and style) for every file of every golden context, cut to
the pane's width and not, both when the blocks are new and when they come from the last text, moved and
marked differently."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.measure import measure_renderables
from rich.style import Style
from rich.syntax import Syntax
from textual.app import App, ComposeResult
from textual.strip import Strip

from screens.fileview import FileView, code_blocks
from wizard.session import PREVIEW_FILES, line_changes

GOLDEN = Path(__file__).parent / "golden"
FILES = [(ctx / name, lexer) for ctx in sorted(GOLDEN.iterdir()) for name, lexer in PREVIEW_FILES
         if (ctx / name).is_file()]
GROUND = Style(color="#d0d0d0", bgcolor="#101010")  # stands for the pane's own style (FileView.render_line)


class OneFile(App):
    CSS = "FileView { scrollbar-gutter: stable; }"  # as the preview's (app.tcss): the width does not change

    def compose(self) -> ComposeResult:
        yield FileView(id="view")


def cells(strips: list[Strip]) -> list[list[tuple[str, Style | None]]]:
    """What the pane shows of these lines: each filled out with the pane's style to one width and given that
    style underneath, as FileView.render_line does."""
    width = max(strip.cell_length for strip in strips)
    return [[(ch, seg.style) for seg in strip.crop_extend(0, width, GROUND).apply_style(GROUND) for ch in seg.text]
            for strip in strips]


def whole(view: FileView, text: str, lexer: str, wrap: bool, marked: set[int]) -> list[Strip]:
    """The lines one Syntax of the whole text gives, cut as FileView cuts."""
    console, width = view.app.console, view.scrollable_content_region.width
    syntax = Syntax(text, lexer, line_numbers=True, word_wrap=wrap, theme="ansi_dark", highlight_lines=marked)
    cut = width if wrap else max(width, measure_renderables(console, console.options, [syntax]).maximum)
    return [Strip(line) for line in console.render_lines(syntax, console.options.update(width=cut, height=None),
                                                         pad=False)]


@pytest.mark.parametrize("wrap", [False, True], ids=["sideways", "wrapped"])
async def test_the_blocks_show_what_the_whole_file_showed(wrap: bool):
    app = OneFile()
    checked = []
    async with app.run_test(size=(72, 30)) as pilot:  # narrower than most lines: both cuts are met
        view = app.query_one(FileView)
        await pilot.pause()
        for path, lexer in FILES:
            text = path.read_text()
            moved = "# one line more\n" + text  # every block one line down, then back
            for before, now in ((None, moved), (moved, text)):
                marked = line_changes(before, now)[0] if before else {1, 2, now.count("\n") // 2}
                view.show(*code_blocks(now, lexer, wrap=wrap, marked=marked, theme="ansi_dark"), wrap=wrap)
                if cells(view.lines) != cells(whole(view, now, lexer, wrap, marked)):
                    checked.append(f"{path.parent.name}/{path.name} ({'moved back' if before else 'new'})")
        assert not checked, f"shown differently from one Syntax: {checked}"
        assert len(FILES) >= 40  # 10 contexts, each with most of the 5 files


def test_a_block_is_the_lines_up_to_a_blank_line():
    blocks = code_blocks("FROM a\n\nRUN b \\\n  c\n\nCMD d\n", "docker", wrap=False, marked={3}, theme="ansi_dark")
    assert [b.key[0] for b in blocks] == ["FROM a\n", "RUN b \\\n  c\n", "CMD d\n"]
    assert [b.first for b in blocks] == [1, 3, 6]  # where each starts
    assert [b.marked for b in blocks] == [frozenset(), frozenset({1}), frozenset()]  # its marked lines, from 1


async def test_a_change_renders_again_only_the_blocks_it_touched():
    old = "".join(f"# block {n}\nRUN step {n}\n\n" for n in range(8))
    new = old.replace("RUN step 5", "RUN step five")
    app = OneFile()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(FileView)
        view.show(*code_blocks(old, "docker", wrap=False, marked=set(), theme="ansi_dark"), wrap=False)
        await pilot.pause()
        before = list(view.lines)
        view.show(*code_blocks(new, "docker", wrap=False, marked={17}, theme="ansi_dark"), wrap=False)
        await pilot.pause()
        kept = [i for i, (a, b) in enumerate(zip(before, view.lines)) if a is b]
        assert kept == [i for i in range(len(before)) if not 15 <= i <= 17]  # block 5: lines 16-18
        assert "RUN step five" in view.lines[16].text and "RUN step 5" not in "".join(s.text for s in view.lines)
        # and the screen shows it: line 17 of the file is row 16 of the view (nothing scrolled)
        assert "RUN step five" in "".join(seg.text for seg in view.render_line(16))
