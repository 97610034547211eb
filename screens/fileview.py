"""One file of the live preview (screens/widgets.py PreviewPane).

A new text is rendered once into lines (Strips) and a frame draws only the lines in view: no layout of the
screen measures the highlighted file again, and when the number of lines stays the same the scrollbars are
not drawn again either (RichLog, used before, emptied and refilled its lines, so every change also redrew its
scrollbar).

A file is highlighted block by block (`code_blocks`: the lines up to and including each blank line). FileView
keeps each block's highlighted lines (an LRU over the last texts) and puts the numbers column in front of them
again where the block moved: a key press highlights only the sections it changed, going back to an answer
shown before highlights nothing, and a frame redraws only the rows from the first changed line on
(bench/run.py measures key press -> preview).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from rich.measure import measure_renderables
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.events import Resize
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True)
class CodeBlock:
    """Some lines of a file, highlighted: `syntax` numbers them from 1 and marks none; FileView keeps its
    lines under `key` (the text, the numbers column's width, the lexer, wrap, the theme) and puts the numbers
    column in front of them: line `first` on, `marked` lines with the pointer. A block that only moved (lines
    added above it) or whose mark changed is not highlighted again."""

    key: Hashable
    syntax: Any
    first: int
    marked: frozenset[int]


def code_blocks(text: str, lexer: str, *, wrap: bool, marked: set[int], theme: str) -> list[CodeBlock]:
    """`text` as blocks of lines up to and including a blank line, each one Syntax. The numbers column is as
    wide as the whole file's (rich's own rule), so the blocks line up as one Syntax of the whole text did;
    `marked` holds the 1-based numbers of the lines to mark as changed. tests/test_fileview.py checks that the
    blocks show exactly what the whole text did, for every file of every golden context."""
    # pygments: imported when the preview first paints, after the first frame
    from rich.syntax import Syntax

    numbers = len(str(1 + text.count("\n"))) + 2  # rich.syntax: len(str(start_line + code.count("\n"))) + 2

    class BlockSyntax(Syntax):
        @property
        def _numbers_column_width(self) -> int:
            return numbers

    # Each block is its lines joined, so one that ends with a blank line ends with "\n", and the last one ends
    # as the text does: Syntax shows one line more than a text's newlines, and the blocks then add up to the
    # lines the whole text showed.
    lines = text.split("\n")
    blocks: list[CodeBlock] = []
    start = 0
    for end, line in enumerate(lines, 1):
        if line.strip() and end < len(lines):
            continue
        code = "\n".join(lines[start:end])
        blocks.append(CodeBlock((code, numbers, lexer, wrap, theme),
                                BlockSyntax(code, lexer, line_numbers=True, word_wrap=wrap, theme=theme),
                                start + 1, frozenset(n - start for n in marked if start < n <= end)))
        start = end
    return blocks


def _numbered(strips: list[Strip], styles: tuple[Style, Style], block: CodeBlock) -> list[Strip]:
    """The lines of `block` rendered from line 1 without marks, numbered from `block.first` with its marks:
    the first two segments of a line's first row are the pointer and the number (rich.syntax `_get_syntax`);
    a wrapped line's other rows start with one segment of spaces as wide as the column and a space."""
    number_style, mark_style = styles
    out: list[Strip] = []
    line = 0
    for strip in strips:
        segments = list(strip)
        if len(segments) < 2 or len(segments[0].text) != 2:  # the rest of a wrapped line
            out.append(strip)
            continue
        line += 1
        column = segments[1].text
        number = str(block.first + line - 1).rjust(len(column) - 1) + " "
        head = [Segment("❱ ", Style(color="red")), Segment(number, mark_style)] if line in block.marked else \
            [Segment("  ", mark_style), Segment(number, number_style)]
        out.append(strip if head == segments[:2] else Strip(head + segments[2:], strip.cell_length))
    return out


class FileView(ScrollView, can_focus=True):
    """Renderables (a message, CodeBlocks) shown one under the other, cut at the view's width
    (wrap) or as wide as the widest line (the view scrolls sideways). A message (Text) always wraps."""

    KEEP = 400  # blocks, as rendered and as placed: a Dockerfile has 10-20

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: list[Strip] = []
        self._shown: tuple[tuple[Any, ...], bool] = ((), False)
        self._rendered_width = 0
        self._frame_style: Style | None = None
        # CodeBlocks' lines, as rendered and as placed, from the texts shown last: going up and down a list of
        # choices shows the same few texts again
        self._kept: LRUCache[Hashable, Any] = LRUCache(self.KEEP)

    def show(self, *renderables: Any, wrap: bool) -> None:
        """Replace what is shown (rendered now, or at the first resize when the view has no size yet)."""
        self._shown = (renderables, wrap)
        if self.scrollable_content_region.width:
            self._render()

    def on_resize(self, _event: Resize) -> None:
        renderables, wrap = self._shown
        if renderables and (wrap or not self._rendered_width):
            self._render()

    def _render(self) -> None:
        renderables, wrap = self._shown
        width = self.scrollable_content_region.width
        console = self.app.console
        lines: list[Strip] = []
        for item in renderables:
            renderable = item.syntax if isinstance(item, CodeBlock) else item
            cut = width if wrap or isinstance(renderable, Text) else \
                max(width, measure_renderables(console, console.options, [renderable]).maximum)
            if not isinstance(item, CodeBlock):
                lines += self._lines_of(renderable, cut)
                continue
            # a block in the same place with the same marks: the very lines shown (the frame redraws nothing
            # there); the same text elsewhere: its highlighted lines, numbered again
            placed = (item.key, cut, item.first, item.marked)
            strips = self._kept.get(placed)
            if strips is None:
                rendered = self._kept.get((item.key, cut))
                if rendered is None:
                    _background, number_style, mark_style = renderable._get_number_styles(console)
                    rendered = (self._lines_of(renderable, cut), (number_style, mark_style))
                self._kept.set((item.key, cut), rendered)
                strips = _numbered(*rendered, item) if item.first != 1 or item.marked else rendered[0]
                self._kept.set(placed, strips)
            lines += strips
        old, self.lines, self._rendered_width = self.lines, lines, width
        self.virtual_size = Size(max((line.cell_length for line in lines), default=0), len(lines))
        self._refresh_changed(old, lines)

    def _lines_of(self, renderable: Any, cut: int) -> list[Strip]:
        console = self.app.console
        options = console.options.update(width=cut, height=None)
        return [Strip(line) for line in console.render_lines(renderable, options, pad=False)]

    def _refresh_changed(self, old: list[Strip], new: list[Strip]) -> None:
        """Redraw the rows from the first line that is not the same Strip as before to the last one that is
        not (to the end of the view when the number of lines changed): the rest of the view stays as drawn."""
        first = next((i for i, (a, b) in enumerate(zip(old, new)) if a is not b), min(len(old), len(new)))
        if len(old) == len(new):
            last = next((i for i in range(len(new) - 1, first - 1, -1) if old[i] is not new[i]), first - 1)
            if last < first:
                return
        else:
            last = max(len(old), len(new)) - 1
        self.refresh_lines(first, last - first + 1)

    @property
    def rich_style(self) -> Style:
        """The widget's style, worked out once per frame: each line asks for it, and each time it walks the
        ancestors' styles."""
        return self._frame_style if self._frame_style is not None else super().rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = None
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        style = self.rich_style
        index = scroll_y + y
        if index >= len(self.lines):
            return Strip.blank(width, style)
        return self.lines[index].crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
