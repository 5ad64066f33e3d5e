"""The library: curricula and their lessons in order, with this learner's state of each.

The list comes first (`Listed`: from the lesson index, no progress read) and takes keys at
once; the learner's states, reviews due and the lesson last opened follow (`Loaded`) and fill
the rows in. A key that needs them (continue, review) pressed before they are in waits for them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from tutor.services.library import BROKEN, DONE, IN_PROGRESS, UNREAD, Library, LessonEntry
from tutor.words import plural

from ..plain import assemble, line, line_width, markdown_literal, markdown_source, plain
from ..focus import focus_at_once
from ..widgets.footer import TutorFooter
from ..widgets.prose import Prose
from ..widgets.line_table import Column, LineTable, RowCells

if TYPE_CHECKING:
    from .library_sessions import SessionLists

MAX_COLUMN_WIDTH = 56  # a wider title is cut with an ellipsis: the state column after it keeps its room

STATE_STYLES = {DONE: "green", IN_PROGRESS: "yellow", BROKEN: "red"}


# The session lists are read this long after the lessons are in: not on the heels of the first keys,
# which would wait behind the reading (it loads the lesson models) for the interpreter's lock.
SESSIONS_AFTER_SECONDS = 0.5


def _cell_widths(cells: tuple) -> tuple[int, ...]:
    """Each cell's width on screen: a str cell is Tutor's own (a number, the minutes, ""), measured as it is."""
    return tuple(cell_len(cell) if isinstance(cell, str) else cell.cell_len for cell in cells)


def _shown_apart_from_states(library: Library) -> list[tuple]:
    """What the table shows of `library` but the learner's states: equal, the states can go into the rows in place."""
    headings: list[tuple] = [(curriculum.slug, curriculum.title) for curriculum in library.curricula]
    return headings + [(entry.ref, entry.number, entry.lesson, entry.problem) for entry in library.lessons()]


class LibraryScreen(Screen):
    BINDINGS = [
        Binding("enter", "open", "Open", id="open", tooltip="Open the highlighted lesson"),
        Binding("c", "continue", "Continue", id="continue", tooltip="Resume the lesson you were last in"),
        Binding("r", "review", "Review", id="review", tooltip="Answer the questions you missed, spaced out over days"),
        Binding("s", "sessions", "Your sessions", id="sessions", tooltip="Your pair and record sessions, and their reviews"),
        Binding("f5", "reload", "Reload", show=False, id="reload"),
    ]

    @dataclass
    class Listed(Message):
        """The curricula and lessons, without the learner's states yet."""

        library: Library

    @dataclass
    class Loaded(Message):
        """The library with the learner's states."""

        library: Library

    @dataclass
    class SessionsLoaded(Message):
        sessions: list  # tutor.services.session_reviews.SessionEntry
        team: object = None  # tutor.services.session_reviews.TeamSessionsListed

    def __init__(self) -> None:
        super().__init__()
        self.listing: Library | None = None  # what the table shows: the lessons, with the learner's states once read
        self.library: Library | None = None  # the library with the learner's states (None until they are read)
        self.sessions: list = []
        self.team_sessions: list = []  # teammates' shared sessions (SessionEntry, each with its TeamSession)
        self._reported: set[str] = set()  # review problems already shown (a reload must not repeat them)
        self._placed: object = None  # the row the cursor was put on when first listed: moved to the lesson last opened unless the learner moved it
        self._details_shown: str | None = None
        self._shown = False  # the screen has been shown once (`on_screen_resume`)
        self._sessions_timer: object = None
        self._waiting: list[str] = []  # actions asked for before the learner's progress was read, run once it is

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="library-bar"):
            yield Button("Continue  c", id="continue", tooltip="Resume the lesson you were last in")
            yield Button("Review  r", id="review", disabled=True, tooltip="Your spaced-review queue")
            yield Static("Loading lessons…", id="library-status")
        with Horizontal(id="library-body"):
            yield LineTable(id="lessons")
            with Vertical(id="lesson-details"):
                # Lesson Markdown in the lesson dialect, rendered in one pass; links never open (see tutor.ui.widgets.prose).
                yield Prose("", id="details")
        # The session lists (`SessionLists`) are mounted above the footer once read: not a part of the first frame.
        yield TutorFooter()

    @property
    def holds_keys(self) -> bool:
        """Until the lessons are listed, keys wait (TutorApp holds them): `down enter` typed early opens the lesson meant."""
        return self.listing is None

    def on_mount(self) -> None:
        self.sub_title = "Library"
        table = self.query_one("#lessons", LineTable)
        table.set_rows(self._columns([]), [])
        focus_at_once(table)
        # With every lesson current in the index, listing costs a few file stats: the first frame is the list.
        listed = self.app.list_library(indexed_only=True)  # type: ignore[attr-defined]
        if listed is not None:
            # The states to be had at once (nothing stored, or the index of attempts current): in the first frame.
            known = self.app.library_progress_at_once(listed)  # type: ignore[attr-defined]
            self._first_listing(known or listed)
            if known is not None:
                self._take_progress(known)
                return
        self.load(listed)

    def on_screen_resume(self) -> None:
        # Back from a lesson or a review: read again what it changed. Not on the first showing, which
        # comes after the mount (whose states may already be in): that read would build the list twice.
        if self._shown and self.library is not None:
            self.load()
        self._shown = True

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="library")
    def load(self, listed: Library | None = None) -> None:
        """List the lessons (unless `listed` already), then read the learner's states: `Listed`, then `Loaded`."""
        app = self.app
        if listed is None:
            listed = app.list_library()  # type: ignore[attr-defined]
            known = app.library_progress_at_once(listed)  # type: ignore[attr-defined]
            self.post_message(self.Listed(known or listed))
            if known is not None:
                self.post_message(self.Loaded(known))
                return
        self.post_message(self.Loaded(app.library_progress(listed)))  # type: ignore[attr-defined]

    @on(Listed)
    def _listed(self, event: Listed) -> None:
        if self.listing is not None:
            return  # a reload: the rows on screen stay until the learner's states are read again
        self._first_listing(event.library)

    def _first_listing(self, library: Library) -> None:
        """The lessons on screen for the first time: keys typed meanwhile may act on them."""
        self._show(library)
        self._placed = self._row_key_at_cursor()
        self.app.call_later(self.app.release_keys)  # type: ignore[attr-defined]

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self._take_progress(event.library)

    def _take_progress(self, library: Library) -> None:
        """The learner's states (and reviews due, last lesson, standings) into the list on screen."""
        # The lesson last opened, unless the learner has moved since the list came up (their keys win).
        last = library.last.ref if library.last is not None and self._placed is not None and self._row_key_at_cursor() == self._placed else None
        self._placed = None
        if not self._fill_states(library):
            self._show(library, last)
        elif last is not None and (row := (table := self.query_one("#lessons", LineTable)).row_index(last)) is not None:
            table.move_cursor(row)
        self.library = library
        for warning in library.warnings:
            self.notify(warning, severity="warning", timeout=8)
        if self._sessions_timer is None:  # after the lessons are on screen: they are what the learner came for
            self._sessions_timer = self.set_timer(SESSIONS_AFTER_SECONDS, self.load_sessions)
        else:
            self.load_sessions()
        self.app.call_later(self.app.release_keys)  # type: ignore[attr-defined]
        waiting, self._waiting = self._waiting, []
        for action in waiting:
            getattr(self, f"action_{action}")()

    def _fill_states(self, library: Library) -> bool:
        """Put the learner's states into the rows on screen, in place; False when the rows must be rebuilt instead
        (other lessons than those listed, or a state wider than its column)."""
        table = self.query_one("#lessons", LineTable)
        listed = self.listing
        if listed is None or (listed is not library and _shown_apart_from_states(listed) != _shown_apart_from_states(library)):
            return False
        column = table.column("state")
        # The library just shown (its states read at once) has nothing to compare.
        changed = [] if listed is library else [
            (entry, self._state_cell(entry)) for entry, before in zip(library.lessons(), listed.lessons()) if (entry.state, entry.state_label) != (before.state, before.state_label)
        ]
        if column is None or any(cell.cell_len > column.width for _, cell in changed):
            return False
        for entry, cell in changed:
            table.update_cell(entry.ref, "state", cell)
        self.listing = library
        self._show_status(library)
        self._highlighted()
        self.refresh_bindings()
        return True

    def _row_key_at_cursor(self) -> object:
        table = self.query_one("#lessons", LineTable)
        return table.key_at(table.cursor_row)

    def _show(self, library: Library, target: str | None = None) -> None:
        """Fill the table with `library`, the cursor on `target`, else where it was, else on the first lesson."""
        self.listing = library
        table = self.query_one("#lessons", LineTable)
        selected = target or self._row_key_at_cursor()
        rows: list[tuple[str, RowCells]] = []
        widths: list[tuple[int, ...]] = []
        # A lesson's row is made when it is first drawn (most of a long list never is); its widths are measured now.
        for curriculum in library.curricula:
            heading = ("", line(curriculum.title, "bold underline"), "", "", "", "")
            rows.append((f"curriculum:{curriculum.slug}", heading))
            widths.append(_cell_widths(heading))
            for entry in curriculum.lessons:
                rows.append((entry.ref, functools.partial(self._cells, entry)))
                widths.append(self._widths(entry))
        if not library.curricula:
            nothing = ("", plain("No curricula found: add a folder to `curricula` in config.toml", "italic"), "", "", "", "")
            rows.append(("none", nothing))
            widths.append(_cell_widths(nothing))
        table.set_rows(self._columns(widths), rows)
        self._show_status(library)
        row = table.row_index(selected) if isinstance(selected, str) else None
        table.move_cursor(self._first_lesson_row(table) if row is None else row)
        self.refresh_bindings()

    def _show_status(self, library: Library) -> None:
        status = plural(len(library.lessons()), "lesson")
        if library.due_reviews:
            status += f" · {plural(library.due_reviews, 'review')} due"
        self.query_one("#library-status", Static).update(status)
        self.query_one("#review", Button).disabled = not library.due_reviews
        self.query_one("#review", Button).label = f"Review ({library.due_reviews})  r"
        # Always pressable: with nothing started it says so instead of doing nothing.
        continue_button = self.query_one("#continue", Button)
        continue_button.label = assemble("Continue: ", line(library.last.title, limit=40), "  c") if library.last is not None else "Continue  c"
        self.query_one("#library-bar").refresh(layout=True)

    @work(thread=True, exclusive=True, group="library-sessions")
    def load_sessions(self) -> None:
        from tutor.services.session_reviews import list_session_entries, list_team_session_entries

        self.post_message(self.SessionsLoaded(list_session_entries(), list_team_session_entries()))

    @on(SessionsLoaded)
    def _sessions_loaded(self, event: SessionsLoaded) -> None:
        # The learner may have moved on meanwhile (continue, enter): the lists are read again
        # when the library is back (`on_screen_resume`), never filled into a screen going away.
        # Tutor quitting leaves the library current while it is taken apart (no longer attached).
        if not (self.is_current and self.is_attached):
            return
        from .library_sessions import SessionLists

        team = event.team
        own, shared = list(event.sessions), list(team.entries) if team is not None else []  # type: ignore[attr-defined]
        lists = self._session_lists()
        if lists is not None:
            lists.show(own, shared)
        else:
            # Not awaited: the lists fill their tables once these are mounted, so no handler ever
            # meets the lists without their tables (as it could after an awaited mount, Tutor quitting meanwhile).
            lists = SessionLists(own, shared)
            self.mount(lists, before=self.query_one(TutorFooter))
        self.sessions, self.team_sessions = lists.own, lists.team
        problems = [*getattr(team, "problems", ()), *(problem for entry in (*lists.own, *lists.team) for problem in entry.problems)]
        for problem in problems:
            if problem not in self._reported:
                self._reported.add(problem)
                self.notify(problem, severity="warning", timeout=8)
        focused = self.focused.id if self.focused is not None else None
        if focused == "sessions":
            self._show_session_details()
        elif focused == "team-sessions":
            self._show_team_session_details()
        self.refresh_bindings()

    def _session_lists(self) -> SessionLists | None:
        """The session lists, once mounted (their module is loaded by then: it is imported to make them)."""
        found = self.query("#library-sessions")
        return found.first() if found else None  # type: ignore[return-value]

    def _session_at_cursor(self, own: bool) -> Any:
        """The highlighted session of the learner's own list (`own`) or the team's; None before the lists are in."""
        lists = self._session_lists()
        if lists is None:
            return None
        return lists.own_at_cursor() if own else lists.team_at_cursor()

    def _show_session_details(self) -> None:
        from .library_sessions import own_details

        entry = self._session_at_cursor(own=True)
        self._details(own_details(entry) if entry is not None else "")

    def _show_team_session_details(self) -> None:
        from .library_sessions import team_details

        entry = self._session_at_cursor(own=False)
        self._details(team_details(entry) if entry is not None else "")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # The details pane describes whichever list has the keys.
        if event.widget.id == "sessions":
            self._show_session_details()
        elif event.widget.id == "team-sessions":
            self._show_team_session_details()
        elif event.widget.id == "lessons":
            self._highlighted()

    def on_session_lists_highlighted(self, event: SessionLists.Highlighted) -> None:
        if event.own:
            self._show_session_details()
        else:
            self._show_team_session_details()

    def on_session_lists_chosen(self, event: SessionLists.Chosen) -> None:
        if not event.own:
            self.action_review_team_session()
            return
        entry = self._session_at_cursor(own=True)
        if entry is not None:
            self.app.open_session_review(entry.id)  # type: ignore[attr-defined]

    def action_review_session(self) -> None:
        entry = self._session_at_cursor(own=True)
        if entry is None:
            return
        reviewer = str(getattr(self.app.settings, "learner", "") or "").strip() or "reviewer"  # type: ignore[attr-defined]
        self.app.open_session_review(entry.id, reviewer)  # type: ignore[attr-defined]

    def action_review_team_session(self) -> None:
        entry = self._session_at_cursor(own=False)
        if entry is None:
            return
        ref = entry.ref
        self.app.open_session_review(ref, ref.team.handle)  # type: ignore[attr-defined]  # unsigned: a teammate's review carries the handle

    def action_sessions(self) -> None:
        """Your sessions; pressed again there, the team's (and back)."""
        if not (self.sessions or self.team_sessions) or not self.query("#sessions"):
            return  # not read yet, or none, or their tables not mounted yet
        own = self.query_one("#sessions")
        team = self.query_one("#team-sessions")
        if self.team_sessions and (self.focused is own or not self.sessions):
            team.focus()
        elif self.sessions:
            own.focus()

    # The learner's state comes right after the title: it is what they scan for, and what a
    # narrow table must not cut ("in progress · step 3/11 · best 83%").
    COLUMNS = (("#", "number"), ("Lesson", "title"), ("Your state", "state"), ("Level", "level"), ("Min", "minutes"), ("Origin", "origin"))

    def _columns(self, widths: list[tuple[int, ...]]) -> list[Column]:
        """Columns sized to their content (`widths`: each row's, cell by cell), so nothing is cut off and the state
        column keeps its room."""
        return [
            Column(key, label, min(max([len(label), *(row[index] for row in widths)]), MAX_COLUMN_WIDTH))
            for index, (label, key) in enumerate(self.COLUMNS)
        ]

    @classmethod
    def _widths(cls, entry: LessonEntry) -> tuple[int, ...]:
        """The width of each of `_cells(entry)` on screen, without making them."""
        lesson = entry.lesson
        if lesson is None:
            return _cell_widths(cls._cells(entry))  # a broken lesson: few, and made of several parts
        minutes = str(lesson.minutes) if lesson.minutes else ""
        return (len(str(entry.number)), line_width(lesson.title), line_width(entry.state_label), line_width(lesson.level), len(minutes), line_width(lesson.origin))

    @staticmethod
    def _first_lesson_row(table: LineTable) -> int:
        for index, key in enumerate(table.row_keys()):
            if not key.startswith("curriculum:"):
                return index
        return 0

    @staticmethod
    def _state_cell(entry: LessonEntry) -> Text:
        return plain(entry.state_label, "dim" if entry.state == UNREAD else STATE_STYLES.get(entry.state, ""))

    @classmethod
    def _cells(cls, entry: LessonEntry) -> tuple:
        lesson = entry.lesson
        state = cls._state_cell(entry)
        if lesson is None:
            reason = assemble(line(entry.folder, "strike"), line(f"  {entry.problem}", "italic"))
            return (str(entry.number), reason, plain("broken", STATE_STYLES[BROKEN]), "", "", "")
        # Text from a lesson is cleaned into a Text (`line`); only Tutor's own digits stay str.
        return (
            str(entry.number),
            line(lesson.title),
            state,
            line(lesson.level),
            str(lesson.minutes) if lesson.minutes else "",
            line(lesson.origin),
        )

    def _entry_at_cursor(self) -> LessonEntry | None:
        table = self.query_one("#lessons", LineTable)
        key = table.key_at(table.cursor_row)
        if self.listing is None or key is None:
            return None
        return self.listing.find(key) if not key.startswith("curriculum:") else None

    def _details(self, markdown: str) -> None:
        """Show `markdown` in the details pane (not again when it is there already: each update rebuilds the pane)."""
        if markdown != self._details_shown:
            self._details_shown = markdown
            self.query_one("#details", Prose).show(markdown)

    @on(LineTable.RowHighlighted, "#lessons")
    def _highlighted(self) -> None:
        entry = self._entry_at_cursor()
        if entry is None:
            self._details("")
            return
        if entry.lesson is None:
            self._details(
                f"## {markdown_literal(entry.folder)}\n\n**This lesson is broken** and cannot be opened:\n\n{markdown_literal(entry.problem, limit=2000)}\n\n"
                f"Run `tutor validate` on {markdown_literal(entry.path, limit=2000)} for every problem."
            )
            return
        lesson = entry.lesson
        origin = {"scripted": "a scripted lesson, built by running its commands for real", "recorded": "recorded from a real session", "imported": "imported from a real agent transcript"}.get(lesson.origin, lesson.origin)
        tags = " · ".join(markdown_literal(tag) for tag in lesson.tags)
        attempts = f"\n\n{plural(entry.attempts, 'attempt')} so far." if entry.attempts else ""
        if entry.best is not None:
            attempts += f" Best score: {entry.best:.0%}."
        if entry.same_id:
            attempts += f"\n\nAnother lesson has this lesson's id ({markdown_literal(', '.join(entry.same_id), limit=2000)}): each keeps its own progress."
        # The title as written (not Markdown); the summary is lesson Markdown, cleaned and cut.
        self._details(f"## {markdown_literal(lesson.title)}\n\n{markdown_source(lesson.summary)}\n\n*{origin}*" + (f"\n\n{tags}" if tags else "") + attempts)

    @on(LineTable.RowSelected, "#lessons")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        entry = self._entry_at_cursor()
        if entry is None:
            return
        if entry.lesson is None:
            self.notify(f"{entry.folder} is broken: {entry.problem}", severity="error", timeout=6)
            return
        self.app.open_lesson(entry.path, curriculum=entry.curriculum)  # type: ignore[attr-defined]

    def action_continue(self) -> None:
        if self.library is None:
            self._wait_for_progress("continue")
        elif self.library.last is not None:
            self.app.open_lesson(self.library.last.path, curriculum=self.library.last.curriculum)  # type: ignore[attr-defined]
        else:
            self.notify("Nothing started yet: pick a lesson (enter).", timeout=4)

    def action_review(self) -> None:
        if self.library is None:
            self._wait_for_progress("review")
        elif self.library.due_reviews:
            self.app.open_review()  # type: ignore[attr-defined]

    def _wait_for_progress(self, action: str) -> None:
        """`action` needs the learner's progress, still being read: it runs once it is in (the key is not lost)."""
        if action not in self._waiting:
            self._waiting.append(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "continue":
            return True  # with nothing to continue, it says so (a key that does nothing silently confuses)
        if action == "review":
            return True if self.library is None or self.library.due_reviews else None
        if action == "sessions":
            return bool(self.sessions or self.team_sessions)
        return True

    @on(Button.Pressed, "#continue")
    def _continue_pressed(self) -> None:
        self.action_continue()

    @on(Button.Pressed, "#review")
    def _review_pressed(self) -> None:
        self.action_review()
