"""Widgets that keep what they drew when told they are the size they drew it at; a table that measures no cell it need not."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class KeepsDrawing:
    """For a Textual widget that forgets what it drew on every Resize: a Resize to the size it last drew at is dropped.

    `DataTable` forgets every cell it rendered, and `OptionList` every line, on each
    Resize event. The first comes just after a widget's first frame (Textual lays the
    screen out, paints, then tells each widget its size), so the first key waited while
    every visible cell or line was drawn again (the library's lessons: 20-40 ms; a lesson's
    timeline: ~5 ms) before acting. Textual calls each class's handler in turn, this one
    first (it comes first in the widget's bases), unless one prevents the rest.
    """

    _drawn_at: Size | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn_at = self.size  # type: ignore[attr-defined]  # mixed into a Widget
        return super().render_lines(crop)  # type: ignore[misc]  # the Widget's own

    def _on_resize(self, event: events.Resize | None = None) -> None:  # Textual passes the event (`OptionList`'s takes none)
        if event is not None and event.size == self._drawn_at:
            event.prevent_default()


class SteadyTable(KeepsDrawing, DataTable[Any]):
    """Textual's `DataTable`, less one redraw (`KeepsDrawing`) and less measuring cells no width depends on."""

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
