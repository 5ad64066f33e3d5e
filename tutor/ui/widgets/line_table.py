"""A table drawn a line at a time: rows in columns of fixed widths, only the rows on screen ever built.

Textual's `DataTable` makes objects for every row and cell as they are added (keys, a
reactive per row, a measure of each cell) and renders a line through a cache of cells:
its library of 500 lessons acted at 1.79x a bare app, the same as the table alone in an
app with no Tutor code (`benchmarks/README.md`, the floors), and 8 lessons at 1.40x. A
list of text with the same layout acts at 1.12x at any count. This table keeps its rows
as the tuples it is given and builds the Text of a line only when that line is drawn
(Textual's line API, `render_line`), so what the learner waits for does not grow with
the lessons listed.

A row's cells may also be given as a function that makes them: they are made when the row is
first drawn or asked for (`cells_at`), so a list of 500 lessons makes the cells of the rows on
screen, not of all 500 (its caller sizes the columns without them).

It does what the library's list needs and no more: a header, a row cursor (up, down,
page up and down, home and end with or without ctrl; a click moves it and a click on it selects, as in
`DataTable`), `RowHighlighted` when the cursor lands on a row and `RowSelected` on enter,
and cells replaced in place. Cells are Rich `Text` (or `str`, shown as plain text, never
markup), cut with an ellipsis to their column's width.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import msgspec
from rich.console import Console
from rich.segment import Segment
from rich.style import Style, StyleType
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .style_once import StyleOncePerDraw

PADDING = 1  # cells of space each side of a cell, as `DataTable` leaves

# The keys of a list drawn a line at a time (this table, the lesson's timeline), each widget's `action_*` doing the move.
CURSOR_KEYS: tuple[Binding, ...] = (
    Binding("enter", "select_cursor", "Select", show=False),
    Binding("up", "cursor_up", "Cursor up", show=False),
    Binding("down", "cursor_down", "Cursor down", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown", "page_down", "Page down", show=False),
    Binding("home,ctrl+home", "first", "First", show=False),
    Binding("end,ctrl+end", "last", "Last", show=False),
)


Cells = tuple[Text | str, ...]
RowCells = Cells | Callable[[], Cells]  # the cells, or what makes them when the row is first needed


class Column(msgspec.Struct, frozen=True):
    key: str
    label: str
    width: int


@dataclass
class RowMessage(Message):
    """A row of a `LineTable`: its table, its index and its key. (`on` handlers of one kind never get the other.)"""

    table: LineTable
    cursor_row: int
    row_key: str

    @property
    def control(self) -> LineTable:
        return self.table


class LineTable(StyleOncePerDraw, ScrollView, can_focus=True):
    """Rows of cells under a header, one of them under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = list(CURSOR_KEYS)
    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-table--header", "line-table--cursor"}
    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .line-table--header {
                background-tint: $foreground 5%;
            }
        }
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(-1, always_update=True, repaint=False)

    class RowHighlighted(RowMessage):
        """The cursor is on a row."""

    class RowSelected(RowMessage):
        """The row under the cursor was chosen (enter, or a click on it)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, classes=classes)
        self.columns: list[Column] = []
        self._keys: list[str] = []
        self._cells: list[RowCells] = []
        self._index: dict[str, int] = {}
        self._scroll_pending: int | None = None

    # -- contents

    def set_rows(self, columns: list[Column], rows: list[tuple[str, RowCells]]) -> None:
        """Show ROWS (each its key and its cells in COLUMNS' order, or a function making them) under COLUMNS; the cursor
        is on no row until moved."""
        self.columns = list(columns)
        self._keys = [key for key, _ in rows]
        self._cells = [cells for _, cells in rows]
        self._index = {key: index for index, key in enumerate(self._keys)}
        self.set_reactive(LineTable.cursor_row, -1)
        self.virtual_size = Size(sum(column.width + 2 * PADDING for column in self.columns), len(self._keys) + 1)
        self.refresh()

    def update_cell(self, row_key: str, column_key: str, value: Text | str) -> None:
        row = self._index[row_key]
        column = next(index for index, candidate in enumerate(self.columns) if candidate.key == column_key)
        cells = list(self.cells_at(row))
        cells[column] = value
        self._cells[row] = tuple(cells)
        self._refresh_row(row)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def row_index(self, row_key: str) -> int | None:
        return self._index.get(row_key)

    def row_keys(self) -> list[str]:
        return list(self._keys)

    def cells_at(self, row: int) -> Cells:
        cells = self._cells[row]
        if callable(cells):
            cells = self._cells[row] = cells()
        return cells

    def key_at(self, row: int) -> str | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    # -- the cursor

    def move_cursor(self, row: int) -> None:
        """Put the cursor on ROW (kept within the rows), scrolled into view; `RowHighlighted` says so."""
        if not self._keys:
            return
        self.cursor_row = max(0, min(row, len(self._keys) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        if new < 0:
            return
        if old >= 0:
            self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_row(new)
        self.post_message(self.RowHighlighted(self, new, self._keys[new]))

    def _scroll_to_row(self, row: int) -> None:
        if not self.scrollable_content_region.height:  # not laid out yet: as it is, before its first frame (below)
            self._scroll_pending = row
            return
        shown = max(1, self.scrollable_content_region.height - 1)  # the header takes a line
        top = round(self.scroll_offset.y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + shown:
            self.scroll_to(y=row - shown + 1, animate=False, immediate=True)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        """Textual's (pinned) layout telling the table its size, before the frame is drawn: a cursor placed before
        there was a size is scrolled into view now, in the first frame (`DataTable` scrolls it there after)."""
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        pending, self._scroll_pending = self._scroll_pending, None
        if pending is not None:
            self._scroll_to_row(pending)
        return changed

    def _refresh_row(self, row: int) -> None:
        self.refresh_line(row + 1)  # ScrollView's, by line of the whole table: the header is its first

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._keys) - 1)

    def action_select_cursor(self) -> None:
        if 0 <= self.cursor_row < len(self._keys):
            self.post_message(self.RowSelected(self, self.cursor_row, self._keys[self.cursor_row]))

    async def _on_click(self, event: events.Click) -> None:
        y = event.y - self.gutter.top
        if y < 1:
            return  # the header
        row = round(self.scroll_offset.y) + y - 1
        if not 0 <= row < len(self._keys):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row)

    # -- drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = round(self.scroll_offset.x), round(self.scroll_offset.y)
        base = self.rich_style  # once a drawing (`StyleOncePerDraw`)
        if y == 0:
            style = base + self.get_component_rich_style("line-table--header")
            strip = self._strip([column.label for column in self.columns], style)
        else:
            row = scroll_y + y - 1
            if not 0 <= row < len(self._keys):
                return Strip.blank(width, base)
            style = base + self.get_component_rich_style("line-table--cursor") if row == self.cursor_row else base
            strip = self._strip(self.cells_at(row), style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)  # the header and the cursor span the whole width

    def _strip(self, cells: Cells | list[str], style: Style) -> Strip:
        """One line of CELLS, each cut or padded to its column, on STYLE (the cells' own styles drawn over it)."""
        console = self.app.console
        segments = fitting_segments(self.columns, cells, console)
        if segments is not None:
            return Strip(segments, sum(column.width + 2 * PADDING for column in self.columns[: len(cells)])).apply_style(style)
        line = Text(no_wrap=True, end="")
        for column, cell in zip(self.columns, cells):
            text = cell.copy() if isinstance(cell, Text) else Text(cell)
            text.truncate(column.width, overflow="ellipsis", pad=True)
            line.append(" " * PADDING)
            line.append_text(text)
            line.append(" " * PADDING)
        # STYLE under each cell's own (Rich's Text.render leaves a Text's style out when it has no spans).
        return Strip(list(line.render(console)), line.cell_len).apply_style(style)


def fitting_segments(columns: list[Column], cells: Cells | list[str], console: Console) -> list[Segment] | None:
    """The segments Rich renders for a line of CELLS padded to COLUMNS (`LineTable._strip`), made directly when every
    cell fits its column and is one style: plain printable ASCII, or a Text without spans (most lines of a list: a
    third of a line's drawing was Rich copying and cutting Texts). None otherwise: Rich's own way then.

    As Rich renders a Text: with no styled part at all, one unstyled segment; else a segment for each styled cell
    and for each stretch of unstyled ones between (the padding included), the unstyled ones in the null style."""
    runs: list[tuple[str, StyleType | None]] = []
    plain: list[str] = []  # the unstyled stretch being gathered
    pad = " " * PADDING
    for column, cell in zip(columns, cells):
        if isinstance(cell, str):
            if not (cell.isascii() and cell.isprintable()) or len(cell) > column.width:
                return None
            plain.append(f"{pad}{cell}{' ' * (column.width - len(cell))}{pad}")
            continue
        if cell.spans or cell.cell_len > column.width:
            return None
        text = cell.plain + " " * (column.width - cell.cell_len)
        if not cell.style:
            plain.append(f"{pad}{text}{pad}")
            continue
        plain.append(pad)
        runs.append(("".join(plain), None))
        runs.append((text, cell.style))
        plain = [pad]
    runs.append(("".join(plain), None))
    if len(runs) == 1:
        return [Segment(runs[0][0])]
    null = Style.null()
    return [Segment(text, null if style is None else console.get_style(style, default=null)) for text, style in runs if text]
