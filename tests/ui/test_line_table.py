"""The library's list (`LineTable`): a cursor moved by keys and clicks, cells cut to their columns, only lines on screen built."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult

from tests.helpers.ui_support import wait_until
from tutor.ui.widgets.line_table import Column, LineTable, fitting_segments

COLUMNS = [Column("number", "#", 4), Column("title", "Title", 12)]


class Listed(App[None]):
    def __init__(self, count: int, start: int = 0) -> None:
        super().__init__()
        self.count, self.start = count, start
        self.highlighted: list[str] = []
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield LineTable(id="rows")

    def on_mount(self) -> None:
        table = self.query_one(LineTable)
        table.set_rows(COLUMNS, [(f"row-{n}", (str(n), Text(f"title {n}"))) for n in range(self.count)])
        table.move_cursor(self.start)
        table.focus()

    @on(LineTable.RowHighlighted)
    def _highlighted(self, event: LineTable.RowHighlighted) -> None:
        self.highlighted.append(event.row_key)

    @on(LineTable.RowSelected)
    def _selected(self, event: LineTable.RowSelected) -> None:
        self.selected.append(event.row_key)


def drawn(table: LineTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


async def test_keys_move_the_cursor_and_enter_selects() -> None:
    app = Listed(100)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LineTable)
        await wait_until(pilot, lambda: app.highlighted == ["row-0"], "the first row highlighted")
        await pilot.press("down", "down")
        await wait_until(pilot, lambda: table.cursor_row == 2, "two rows down")
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: table.cursor_row > 2, "a page down")
        assert table.cursor_row == 2 + table.scrollable_content_region.height - 1  # a page: the lines under the header
        await pilot.press("end")
        await wait_until(pilot, lambda: table.cursor_row == 99, "the last row")
        assert "99" in " ".join(drawn(table)), "the last row scrolled into view"
        await pilot.press("down")  # past the end: stays
        await pilot.press("home", "up")
        await wait_until(pilot, lambda: table.cursor_row == 0, "the first row")
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: table.cursor_row == 99, "the last row, as in DataTable")
        await pilot.press("ctrl+home")
        await wait_until(pilot, lambda: table.cursor_row == 0, "the first row, as in DataTable")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.selected == ["row-0"], "the row selected")
        assert app.highlighted[:3] == ["row-0", "row-1", "row-2"]


async def test_a_click_moves_the_cursor_and_a_click_on_it_selects() -> None:
    app = Listed(20)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LineTable)
        await wait_until(pilot, lambda: app.highlighted == ["row-0"], "the first row highlighted")
        await pilot.click(table, offset=(6, 4))  # under the header: row 3
        await wait_until(pilot, lambda: table.cursor_row == 3, "the clicked row under the cursor")
        assert app.selected == []
        await pilot.click(table, offset=(6, 4))
        await wait_until(pilot, lambda: app.selected == ["row-3"], "a click on the cursor's row selects it")
        await pilot.click(table, offset=(6, 0))  # the header: nothing
        await pilot.pause()
        assert table.cursor_row == 3 and app.selected == ["row-3"]


async def test_a_cursor_placed_before_the_first_frame_is_in_view_in_it() -> None:
    app = Listed(500, start=300)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LineTable)
        await wait_until(pilot, lambda: table.scrollable_content_region.height > 0, "laid out")
        assert any(line.strip().startswith("300 ") for line in drawn(table)), drawn(table)


async def test_cells_are_cut_to_their_column_and_shown_as_written() -> None:
    app = Listed(0)
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(LineTable)
        table.set_rows(COLUMNS, [("hostile", ("[b]1[/b]", Text("a title far too long for its column"))), ("other", ("2", Text("short")))])
        table.move_cursor(0)
        await pilot.pause()
        lines = drawn(table)
        assert lines[0].startswith(" #     Title")
        assert lines[1].startswith(" [b]… ") and "a title far…" in lines[1]  # markup is text; cut with an ellipsis
        table.update_cell("other", "title", Text("renamed"))
        await pilot.pause()
        assert "renamed" in drawn(table)[2]
        assert table.row_index("other") == 1 and table.key_at(1) == "other" and table.key_at(5) is None


@pytest.mark.parametrize("count", [100, 10_000])
async def test_only_the_lines_on_screen_are_built(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    strip = LineTable._strip  # noqa: SLF001 - what is built per line is what this is about

    def counted(self: LineTable, cells: object, style: object) -> object:
        built.append(cells)
        return strip(self, cells, style)  # type: ignore[arg-type]

    monkeypatch.setattr(LineTable, "_strip", counted)
    app = Listed(count)
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_until(pilot, lambda: len(built) > 0, "drawn")
        await pilot.pause()
        assert len(built) < 40  # a screenful (and a redraw of it), whatever the count


async def test_rows_given_as_functions_are_made_when_drawn_or_asked_for() -> None:
    made: list[int] = []

    def row(number: int) -> tuple[str, Text]:
        made.append(number)
        return (str(number), Text(f"title {number}"))

    app = Listed(0)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LineTable)
        table.set_rows(COLUMNS, [(f"row-{n}", lambda n=n: row(n)) for n in range(1_000)])
        table.move_cursor(0)
        await wait_until(pilot, lambda: "title 0" in " ".join(drawn(table)), "the first rows drawn")
        assert 0 < len(made) < 20 and max(made) < 20  # the rows on screen, not the thousand
        assert str(table.cells_at(700)[1]) == "title 700"  # asked for: made, once
        table.update_cell("row-900", "title", Text("renamed"))
        assert table.cells_at(900) == ("900", Text("renamed"))
        assert made.count(700) == 1 and made.count(900) == 1


def rich_segments(columns: list[Column], cells: tuple) -> list:
    """A line as `LineTable` drew every line before its direct way: through Rich's Text."""
    line = Text(no_wrap=True, end="")
    for column, cell in zip(columns, cells):
        text = cell.copy() if isinstance(cell, Text) else Text(cell)
        text.truncate(column.width, overflow="ellipsis", pad=True)
        line.append(" ")
        line.append_text(text)
        line.append(" ")
    return list(line.render(Console()))


cell_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(["", "1", "12", "beginner", "…", "界界", "a\tb"])
styles = st.sampled_from(["", "dim", "green", "bold underline", "italic", "red"])
a_cell = cell_text | st.builds(lambda text, style: Text(text, style=style), cell_text, styles)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(a_cell, st.integers(1, 14)), min_size=1, max_size=6))
def test_a_line_drawn_directly_is_the_line_rich_draws(row: list[tuple[object, int]]) -> None:
    columns = [Column(f"c{n}", f"C{n}", width) for n, (_, width) in enumerate(row)]
    cells = tuple(cell for cell, _ in row)
    direct = fitting_segments(columns, cells, Console())
    if direct is not None:
        assert direct == rich_segments(columns, cells)


def test_the_lines_of_a_list_are_drawn_directly() -> None:
    columns = [Column("number", "#", 3), Column("title", "Lesson", 30), Column("state", "Your state", 12)]
    for cells in [("12", Text("Reading the failing test"), Text("…", style="dim")), ("#", "Lesson", "Your state"),
                  ("3", Text("界 and ⟨RLO⟩"), Text("done · 83%", style="green"))]:
        direct = fitting_segments(columns, cells, Console())
        assert direct is not None and direct == rich_segments(columns, cells)
    assert fitting_segments(columns, ("1", Text("a title far too long for its thirty-cell column"), ""), Console()) is None
