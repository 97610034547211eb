"""One file of the live preview (screens/widgets.py PreviewPane), kept apart so the modules on the way to the
wizard's first frame do not import RichLog (with it rich.pretty and attrs, about 0.1 s here): the preview is
mounted after that frame."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import RichLog


class FileView(RichLog):
    """One file of the preview: highlighted once per change into lines, and only the lines in view are drawn.
    A Static holding the Syntax re-highlighted the whole file for every layout and frame and made each change
    a layout of the whole screen that measured it again (bench/run.py: key press -> preview)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(auto_scroll=False, min_width=1, wrap=True, **kwargs)  # wrap: messages (Text) only

    _frame_style: Style | None = None

    @property
    def rich_style(self) -> Style:
        """The widget's style, worked out once per frame: RichLog asks for it twice for every line it draws, and
        each time walks the ancestors' styles (most of the time a frame of the preview took)."""
        return self._frame_style if self._frame_style is not None else super().rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = None
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def show(self, *renderables: Any, wrap: bool) -> None:
        """Replace what is shown: cut at the view's width (wrap) or as wide as the longest line (scroll)."""
        self.clear()
        for renderable in renderables:
            self.write(renderable, expand=True, shrink=wrap or isinstance(renderable, Text), scroll_end=False)
