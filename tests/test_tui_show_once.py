"""screens.widgets.show_once asks for a layout of the screen only when the new content takes a different
number of lines: the risk is a label that grows without the layout it needs (cut off) or keeps the size of a
longer text. Checked on a real Textual app."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from screens.widgets import show_once


class OneLabel(App):
    CSS = "#label { width: 30; height: auto; }"

    def compose(self) -> ComposeResult:
        yield Static("", id="label")
        yield Static("below", id="below")


async def test_a_label_grows_and_shrinks_with_its_lines_and_keeps_its_size_otherwise():
    app = OneLabel()
    async with app.run_test(size=(60, 20)) as pilot:
        label, below = app.query_one("#label", Static), app.query_one("#below", Static)
        show_once(label, Text("one line"), "one")
        await pilot.pause()
        assert label.size.height == 1 and below.region.y == 1
        show_once(label, Text("first line\nsecond line\nthird"), "three")  # more lines: a layout, the rest moves
        await pilot.pause()
        assert label.size.height == 3 and below.region.y == 3
        show_once(label, Text("a much longer text that wraps at thirty columns"), "wraps")  # two, by wrapping
        await pilot.pause()
        assert label.size.height == 2 and below.region.y == 2
        show_once(label, Text("another text, also two lines when wrapped"), "same")  # same height: no layout
        await pilot.pause()
        assert label.size.height == 2 and "another text" in str(label.render())
        show_once(label, Text("short"), "short")
        await pilot.pause()
        assert label.size.height == 1 and below.region.y == 1
