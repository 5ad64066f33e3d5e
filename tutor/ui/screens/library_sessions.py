"""The library's sessions: the member's own live sessions, and those teammates shared with their teams.

Each list says who reviewed each session; the library's details pane describes the highlighted
one (`own_details`, `team_details`). A goal, a task, a handle, a team's name and a reviewer's name
come from journals and team folders: cells are built with `line`, details with `markdown_literal`.

`SessionLists` turns its tables' events into its own messages (`Highlighted`, `Chosen`), which the
library handles by name (`on_session_lists_highlighted`): the library imports this module (and
Textual's `DataTable`, ~10 ms with it) only once there are sessions to list, after its first frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Static

from tutor.words import plural

from ..plain import assemble, line, markdown_literal, plain

OWN_COLUMNS = (("Date", "date"), ("Mode", "mode"), ("Reviews", "reviews"), ("Goal", "goal"), ("Tally", "tally"))
TEAM_COLUMNS = (("Team", "team"), ("Learner", "learner"), ("Date", "date"), ("Reviews", "reviews"), ("Goal", "goal"))


class SessionsTable(DataTable):
    """The learner's live sessions; `v` here starts a senior's review of the highlighted one."""

    BINDINGS = [
        Binding("v", "review_session", "Review session", id="review-session", tooltip="Review this session as a senior: mark where you would have intervened"),
    ]

    def action_review_session(self) -> None:
        self.screen.action_review_session()  # type: ignore[attr-defined]


class TeamSessionsTable(DataTable):
    """Sessions teammates shared with the teams joined; `v` or enter starts a review of the highlighted one."""

    DEFAULT_CSS = """
    TeamSessionsTable {
        height: auto;
        max-height: 10;
    }
    """
    BINDINGS = [
        Binding("v", "review_session", "Review session", id="review-team-session", tooltip="Review this teammate's session: mark where you would have intervened"),
    ]

    def action_review_session(self) -> None:
        self.screen.action_review_team_session()  # type: ignore[attr-defined]


class SessionsTitle(Static):
    DEFAULT_CSS = """
    SessionsTitle {
        padding: 0 1;
    }
    """


class SessionLists(Vertical):
    """`#library-sessions`: "Your sessions", then "Team sessions"; each shows when it has a row.

    Made with its first lists and mounted without waiting: the lists it holds are filled into its
    tables once they are there (`on_mount`), so no caller ever meets it without its tables.
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved in the list that has the keys: `own` (the learner's), else the team's."""

        own: bool

    @dataclass
    class Chosen(Message):
        """Enter on a row of the learner's own list (`own`), else of the team's."""

        own: bool

    def __init__(self, own: list[Any], team: list[Any]) -> None:
        super().__init__(id="library-sessions")
        self.own: list[Any] = list(own)  # tutor.services.session_reviews.SessionEntry
        self.team: list[Any] = list(team)  # the same, each with its TeamSession
        self._tables_built = False

    def on_mount(self) -> None:
        self._tables_built = True
        self._fill_tables(None, None)

    def compose(self) -> ComposeResult:
        yield Static(plain("Your sessions", "bold underline"), id="sessions-title")
        yield SessionsTable(id="sessions", cursor_type="row", zebra_stripes=False)
        yield SessionsTitle(plain("Team sessions", "bold underline"), id="team-sessions-title")
        yield TeamSessionsTable(id="team-sessions", cursor_type="row", zebra_stripes=False)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if self.screen.focused is event.data_table:
            self.post_message(self.Highlighted(own=event.data_table.id == "sessions"))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(own=event.data_table.id == "sessions"))

    def show(self, own: list[Any], team: list[Any]) -> None:
        """Fill both lists, keeping the highlighted row of each where it is still listed."""
        kept_own = self.own_at_cursor()
        kept_team = self.team_at_cursor()
        self.own, self.team = list(own), list(team)
        if self._tables_built:
            self._fill_tables(kept_own, kept_team)

    def _fill_tables(self, kept_own: Any, kept_team: Any) -> None:
        own_table = self.query_one("#sessions", SessionsTable)
        team_table = self.query_one("#team-sessions", TeamSessionsTable)
        _fill(own_table, OWN_COLUMNS, [(entry.id, own_cells(entry)) for entry in self.own])
        # Team rows are keyed by position: two teams' folders may hold the same handle and id.
        _fill(team_table, TEAM_COLUMNS, [(f"team-{number}", team_cells(entry)) for number, entry in enumerate(self.team)])
        self.query_one("#sessions-title", Static).update(
            assemble(("Your sessions", "bold underline"), ("   s: go here · enter: open with its reviews · v: review it", "dim"))
        )
        self.query_one("#team-sessions-title", Static).update(
            assemble(("Team sessions", "bold underline"), ("   shared by your teammates · s again: go here · enter or v: review it", "dim"))
        )
        for widget, shown in ((own_table, self.own), (self.query_one("#sessions-title"), self.own), (team_table, self.team), (self.query_one("#team-sessions-title"), self.team)):
            widget.display = bool(shown)
        self.set_class(bool(self.own or self.team), "-shown")
        if kept_own is not None and kept_own.id in own_table.rows:
            own_table.move_cursor(row=own_table.get_row_index(kept_own.id))
        if kept_team is not None:
            again = next((number for number, entry in enumerate(self.team) if entry.ref == kept_team.ref), None)
            if again is not None:
                team_table.move_cursor(row=again)

    def own_at_cursor(self) -> Any:
        if not self._tables_built:
            return None
        table = self.query_one("#sessions", SessionsTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return next((entry for entry in self.own if entry.id == key), None)

    def team_at_cursor(self) -> Any:
        if not self._tables_built:
            return None
        table = self.query_one("#team-sessions", TeamSessionsTable)
        if not table.row_count or not 0 <= table.cursor_row < len(self.team):
            return None
        return self.team[table.cursor_row]


def _fill(table: DataTable, columns: tuple[tuple[str, str], ...], rows: list[tuple[str, tuple[Any, ...]]]) -> None:
    table.clear(columns=True)
    for label, key in columns:
        table.add_column(label, key=key)
    for key, cells in rows:
        table.add_row(*cells, key=key)


def _when(started: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "?"


def _about(summary: Any) -> Text:
    about = (summary.goal or summary.task or "(no goal yet)").strip().splitlines()
    return line(about[0] if about else "(no goal yet)", limit=48)


def _reviews(entry: Any) -> Text:
    return line("reviewed by " + ", ".join(entry.reviewers), "green") if entry.reviewers else plain("not reviewed", "dim")


def own_cells(entry: Any) -> tuple[Any, ...]:
    summary = entry.summary
    return (_when(summary.started), line(summary.mode), _reviews(entry), _about(summary), line(summary.tally))


def team_cells(entry: Any) -> tuple[Any, ...]:
    summary, ref = entry.summary, entry.ref
    return (line(ref.team_name, limit=24), line(ref.learner), _when(summary.started), _reviews(entry), _about(summary))


def _described(summary: Any, entry: Any, *, heading: list[str], keys: str) -> str:
    # Tutor's Markdown around the session's words; a goal or task is a person's words, shown as written.
    lines = [f"## {markdown_literal(summary.mode.capitalize())} session {markdown_literal(summary.id)}", *heading]
    if summary.goal:
        lines.append(f"**Goal.** {markdown_literal(summary.goal, limit=2000)}")
    if summary.task:
        lines.append(f"**Task.** {markdown_literal(summary.task, limit=2000)}")
    if summary.tally or summary.phase:
        lines.append(f"{markdown_literal(summary.tally)} · {markdown_literal(summary.phase)}")
    if entry.reviewers:
        lines.append(f"**Reviewed by {markdown_literal(', '.join(entry.reviewers))}**: {plural(entry.marks, 'mark')} where they would have intervened.")
    else:
        lines.append("*Not reviewed yet.*")
    lines.append(keys)
    return "\n\n".join(lines)


def own_details(entry: Any) -> str:
    return _described(entry.summary, entry, heading=[], keys="`enter` opens it with its reviews · `v` reviews it")


def team_details(entry: Any) -> str:
    ref = entry.ref
    return _described(
        entry.summary, entry,
        heading=[f"Shared by **{markdown_literal(ref.learner)}** with {markdown_literal(ref.team_name)}"],
        keys=f"`enter` or `v` reviews it as {markdown_literal(ref.team.handle)} (your handle in that team); `tutor team sync` sends your review",
    )
