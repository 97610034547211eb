"""One file of the live preview (screens/widgets.py PreviewPane).

A new text is rendered once into lines (Strips) and a frame draws only the lines in view: no layout of the
screen measures the highlighted file again, and when the number of lines stays the same the scrollbars are
not drawn again either (RichLog, used before, emptied and refilled its lines, so every change also redrew its
scrollbar).
"""

from __future__ import annotations

from typing import Any

from rich.measure import measure_renderables
from rich.style import Style
from rich.text import Text
from textual.events import Resize
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class FileView(ScrollView, can_focus=True):
    """Renderables (a message, a Syntax) shown one under the other, cut at the view's width (wrap) or as wide
    as the widest line (the view scrolls sideways). A message (Text) always wraps."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: list[Strip] = []
        self._shown: tuple[tuple[Any, ...], bool] = ((), False)
        self._rendered_width = 0
        self._frame_style: Style | None = None

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
        for renderable in renderables:
            cut = width if wrap or isinstance(renderable, Text) else \
                max(width, measure_renderables(console, console.options, [renderable]).maximum)
            options = console.options.update(width=cut, height=None)
            lines += [Strip(line) for line in console.render_lines(renderable, options, pad=False)]
        self.lines, self._rendered_width = lines, width
        self.virtual_size = Size(max((line.cell_length for line in lines), default=0), len(lines))
        self.refresh()

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
