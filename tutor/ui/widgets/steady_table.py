"""A table that keeps the cells it drew when told it is the size it drew them at."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable


class SteadyTable(DataTable[Any]):
    """Textual's `DataTable`, less one redraw: a Resize to the size it last drew at changes nothing.

    `DataTable` forgets every cell it rendered on each Resize event. The first comes just
    after its first frame (Textual lays the screen out, paints, then tells each widget its
    size), so the first key waited while every visible cell was drawn again (the
    library's lessons: 20-40 ms) before acting. A Resize to the size of the last drawing
    is dropped; any other goes to `DataTable`'s handler (Textual, pinned, calls each
    class's in turn unless one prevents the rest).
    """

    _drawn_at: Size | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn_at = self.size
        return super().render_lines(crop)

    def _on_resize(self, event: events.Resize) -> None:
        if event.size == self._drawn_at:
            event.prevent_default()
