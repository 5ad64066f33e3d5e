"""A table that keeps the cells it drew when told it is the size it drew them at, and measures no cell it need not."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


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

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """`DataTable`'s, less measuring every new cell when no width or height depends on it.

        Before its first frame `DataTable` renders and measures each cell of each new row to
        keep the widest content of every column. Only a column without a width of its own
        uses that (and only a row with a label or an automatic height needs its cells
        rendered here): with every column given a width and one-line rows, as the library's
        are, 500 lessons were ~3,000 measures for nothing before the list could be drawn.
        The table's scrollable size is then all that changes, computed as `DataTable` does.
        """
        new_rows = list(new_rows)
        if any(column.auto_width for column in self.columns.values()) or any(
            (row := self.rows.get(key)) is not None and (row.label is not None or row.auto_height) for key in new_rows
        ):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values()) + self._row_label_column_width
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width, self._total_row_height + header)
