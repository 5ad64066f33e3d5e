"""`tutor team report`: one row per question the team answered, the most often wrong and sure first.

The table is the whole report (`tutor.team.report`, loaded by `tutor.services.team_report` in a
worker); the pane under it is the highlighted question: its figures, the spread of answers, the
key points, the step as learners saw it before answering, the senior's step and note, and the
team's own words grouped so that each distinct answer is read once. Everything from the team
folder (lessons, words, file names in problems) is shown through `tutor.ui.plain`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tutor.services.team_report import LoadedReport, problem_lines
from tutor.team.report import AskReport, TeamReport
from tutor.team.report_text import (
    agreed_line,
    discrimination_text,
    fraction,
    hidden_note,
    key_point_line,
    look_text,
    paired_bars,
    round_heading,
    sessions_line,
    spread_line,
    version_line,
)
from tutor.words import plural

from ..plain import assemble, line, plain
from ..widgets.footer import TutorFooter
from ..widgets.prose import markdown_renderable

COLUMNS = ("Lesson", "Question", "Type", "Answered", "Skipped", "Facility", "Wrong & sure", "Discr.", "Look", "Answers")
BAR_WIDTH = 24  # the longest bar in the detail pane, in cells
TEXT_LIMIT = 4000  # a step's text in the detail pane


class TeamReportScreen(Screen):
    DEFAULT_CSS = """
    TeamReportScreen #report-status { height: auto; padding: 0 1; color: $text-muted; }
    TeamReportScreen #report-rows { height: auto; max-height: 45%; }
    TeamReportScreen #report-detail { height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1; }
    TeamReportScreen #report-detail:focus { border-top: solid $accent; }
    """

    BINDINGS = [
        Binding("enter", "open_detail", "Read", id="read-question", tooltip="Move to the question's detail (scroll it with the arrows)", show=True),
        Binding("escape", "back", "Back", id="report-back", tooltip="Back to the table; from the table, leave the report"),
        Binding("q", "leave", "Quit", id="report-quit", tooltip="Leave the report"),
    ]

    @dataclass
    class Loaded(Message):
        loaded: LoadedReport

    @dataclass
    class Failed(Message):
        error: str

    def __init__(self, team: str | None = None, lesson: str | None = None, *, loaded: LoadedReport | None = None) -> None:
        """`team` and `lesson` as `tutor team report` takes them; `loaded`: a report already loaded (nothing is read)."""
        super().__init__()
        self.team = team
        self.lesson = lesson
        self.loaded: LoadedReport | None = None
        self._given = loaded
        self.rows: list[AskReport] = []
        self.shown: AskReport | None = None  # the question the detail pane shows
        self.failed = False

    @property
    def report(self) -> TeamReport | None:
        return self.loaded.report if self.loaded is not None else None

    @property
    def holds_keys(self) -> bool:
        """Until the rows are there, keys wait (TutorApp holds them): `down enter` typed early reads the row meant."""
        return self.loaded is None and not self.failed

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain("Loading the team's results…", "italic"), id="report-status")
        table: DataTable[Text] = DataTable(id="report-rows", cursor_type="row", zebra_stripes=True)
        yield table
        detail = VerticalScroll(Static("", id="report-detail-text"), id="report-detail")
        detail.can_focus = True
        yield detail
        yield TutorFooter()

    def on_mount(self) -> None:
        self.sub_title = "Team report"
        table = self.query_one("#report-rows", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        if self._given is not None:
            self.post_message(self.Loaded(self._given))
        else:
            self.load()

    @work(thread=True, exclusive=True, group="team-report")
    def load(self) -> None:
        from tutor.errors import UserError
        from tutor.services.team_report import load_team_report

        try:
            loaded = load_team_report(self.team, self.lesson)
        except UserError as error:
            self.post_message(self.Failed(str(error)))
            return
        self.post_message(self.Loaded(loaded))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.failed = True
        self.query_one("#report-status", Static).update(assemble(("Cannot show the report: ", "bold red"), event.error))
        self.app.release_keys()  # type: ignore[attr-defined]

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.loaded = event.loaded
        report = event.loaded.report
        self.sub_title = f"Team report · {event.loaded.team}"
        self.rows = report.rows()
        table = self.query_one("#report-rows", DataTable)
        table.clear()
        for number, ask in enumerate(self.rows):
            table.add_row(*self._cells(ask), key=str(number))
        self.query_one("#report-status", Static).update(self._status(report))
        if self.rows:
            table.move_cursor(row=0)
            self._show(self.rows[0])
        else:
            empty = "No results yet: nobody in the team has shared an answer" + (f" to {self.lesson}" if self.lesson else "") + "."
            self.query_one("#report-detail-text", Static).update(plain(empty, "italic"))
        self.app.release_keys()  # type: ignore[attr-defined]

    def _status(self, report: TeamReport) -> Text:
        questions = plural(len(self.rows), "question")
        lessons = plural(len(report.versions), "lesson version")
        text = assemble((f"{questions} in {lessons}", "bold"), f" · distributions of fewer than {plural(report.min_group, 'answer')} are hidden")
        sessions = tuple(session for version in report.versions for session in version.group_sessions)
        if sessions:
            text.append(f" · {sessions_line(sessions)}")
        problems = problem_lines(report.problems, limit=3)
        if problems:
            text.append(f"\n{plural(len(report.problems), 'problem')} with the team's files (skipped):", "yellow")
            for problem in problems:
                text.append("\n  " + problem)
        return text

    def _cells(self, ask: AskReport) -> tuple[Text, ...]:
        report = self.report
        assert report is not None
        look = line(look_text(ask), "bold red" if ask.worth_a_look else "")
        wrong = f"{ask.confidently_wrong}" + (f" ({ask.sure_and_wrong:.0%})" if ask.n else "")
        return (
            line(ask.lesson, limit=40),
            line(ask.step, limit=60),
            line(ask.type.value),
            line(str(ask.n)),
            line(str(ask.skipped)),
            line(fraction(ask.facility)),
            line(wrong, "bold" if ask.confidently_wrong else ""),
            line(fraction(ask.discrimination)),
            look,
            line(spread_line(ask.spread, report.min_group), "dim" if ask.spread is None else "", limit=120),
        )

    @on(DataTable.RowHighlighted, "#report-rows")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and self.rows:
            self._show(self.rows[int(event.row_key.value)])

    @on(DataTable.RowSelected, "#report-rows")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None and self.rows:
            self._show(self.rows[int(event.row_key.value)])
            self.query_one("#report-detail").focus()

    def _show(self, ask: AskReport) -> None:
        self.shown = ask
        self.query_one("#report-detail-text", Static).update(self.detail(ask))
        self.query_one("#report-detail", VerticalScroll).scroll_home(animate=False)

    def detail(self, ask: AskReport) -> Group:
        """Everything the pane shows of `ask`: the figures, then the lesson's own Markdown, then the team's words."""
        report = self.report
        assert report is not None
        version = report.version_of(ask)
        facts = ask.facts
        text = assemble((version.title or version.lesson, "bold"), (f"  {version.lesson} · {version_line(version, report.min_group)}", "dim"))
        text.append_text(assemble("\n\n", (f"Question {ask.step}", "bold"), f" ({ask.type.value})"))
        if facts is not None and facts.prompt:
            text.append_text(assemble(": ", plain(facts.prompt, limit=TEXT_LIMIT)))
        share = f" ({ask.sure_and_wrong:.0%} of answers)" if ask.n else ""
        text.append(
            f"\nAnswered {ask.n} · skipped {ask.skipped} · facility {fraction(ask.facility)} · wrong and sure {ask.confidently_wrong}{share}"
            f" · discrimination {discrimination_text(ask)} · senior's look: {look_text(ask)}"
        )
        if ask.worth_a_look:
            text.append("\nWorth a senior's look: most of the strongest third answered otherwise than the senior.", "bold red")
        self._spread(text, ask, report.min_group)
        self._key_points(text, ask, report.min_group)
        self._revote(text, ask, report.min_group)
        parts: list[RenderableType] = [text]
        if facts is None:
            parts.append(plain("\nThis version of the lesson is not in the team's curricula: the figures come from the result files alone.", "italic"))
        else:
            parts += self._section("What learners saw before answering", facts.before, facts.question)
            parts += self._section("The senior's step", facts.revealed)
            if facts.note:
                parts += self._section("The senior's note", facts.note)
        parts.append(self._words(ask, report.min_group))
        return Group(*parts)

    def _spread(self, text: Text, ask: AskReport, min_group: int) -> None:
        text.append("\n\nAnswers", "bold underline")
        if ask.spread is None:
            text.append(f"\n{hidden_note(min_group)}", "italic")
            return
        bars = ask.spread.bars()
        top = max((bar.count for bar in bars), default=0) or 1
        width = max(len(bar.label) for bar in bars)
        options = ask.facts.options if ask.facts is not None else ()
        for index, bar in enumerate(bars):
            text.append(f"\n  {bar.label:<{width}} ")
            text.append("█" * round(BAR_WIDTH * bar.count / top) or "·", "green" if bar.senior else "blue")
            text.append(f" {bar.count}")
            if bar.senior:
                text.append("  ✓ the senior's", "green")
            if bar.note:
                text.append(f"  ({bar.note})", "dim")
            if ask.type.value == "choice" and index < len(options):
                text.append_text(assemble("  ", line(options[index], "dim", limit=100)))

    def _revote(self, text: Text, ask: AskReport, min_group: int) -> None:
        """The group sessions' first vote beside their revote (pooled over the sessions that took one), and what the discussion changed."""
        revote = ask.revote
        if revote is None:
            return
        text.append(f"\n\nGroup sessions: the first vote and the revote ({plural(revote.sessions, 'session')})", "bold underline")
        first, second = revote.first, revote.second
        if first.hidden or second.hidden or first.spread is None:
            text.append(f"\n  {round_heading(first)} → {round_heading(second)}")
            text.append(f"\n  {agreed_line(revote, min_group)}", "italic" if first.hidden or second.hidden else "")
            return
        rows = paired_bars(revote)
        width = max(len(label) for label, *_ in rows)
        top = max((max(one, two) for _, one, two, _ in rows), default=0) or 1
        half = BAR_WIDTH // 2
        column = max(half + 6, len(round_heading(first)) + 1)  # a bar, its count, a space: under the first vote's heading
        text.append(f"\n  {'':<{width}} {round_heading(first):<{column}}{round_heading(second)}", "dim")
        for label, one, two, senior in rows:
            style = "green" if senior else "blue"
            text.append(f"\n  {label:<{width}} ")
            text.append("█" * round(half * one / top) or "·", style)
            text.append(f" {one}".ljust(column - (round(half * one / top) or 1)))
            text.append("█" * round(half * two / top) or "·", style)
            text.append(f" {two}")
            if senior:
                text.append("  ✓ the senior's", "green")
        text.append(f"\n  {agreed_line(revote, min_group)}", "bold")

    def _key_points(self, text: Text, ask: AskReport, min_group: int) -> None:
        if ask.key_points is None:
            if ask.facts is not None and ask.facts.key_points:
                text.append("\n\nKey points", "bold underline")
                text.append(f"\n{hidden_note(min_group)}", "italic")
            return
        if not ask.key_points:
            return
        text.append("\n\nKey points", "bold underline")
        for point in ask.key_points:
            words = point.text if point.text is not None else f"point {point.index + 1} (the lesson is not at hand)"
            text.append_text(assemble("\n  • ", line(words, limit=300), (f"  {key_point_line(point)}", "dim")))

    def _section(self, title: str, *bodies: str) -> list[RenderableType]:
        """A heading and the lesson's Markdown under it (rendered in the lesson dialect, links inert)."""
        parts: list[RenderableType] = [plain(f"\n{title}", "bold underline")]
        parts += [markdown_renderable(body) for body in bodies if body]
        return parts

    def _words(self, ask: AskReport, min_group: int) -> Text:
        """The team's own words, each distinct answer once with how many gave it: typed text, never Markdown."""
        text = plain()
        if ask.words is None:
            if ask.n:
                text.append("\nThe team's words", "bold underline")
                text.append(f"\n{hidden_note(min_group)}", "italic")
            return text
        if not ask.words:
            return text
        text.append(f"\nThe team's words ({plural(len(ask.words), 'distinct answer')})", "bold underline")
        for group in ask.words:
            text.append(f"\n  ×{group.count}  ", "bold")
            text.append_text(plain(group.text, limit=TEXT_LIMIT))
        return text

    def action_open_detail(self) -> None:
        table = self.query_one("#report-rows", DataTable)
        if table.has_focus and self.rows and table.cursor_row >= 0:
            self._show(self.rows[table.cursor_row])
            self.query_one("#report-detail").focus()

    def action_back(self) -> None:
        table = self.query_one("#report-rows", DataTable)
        if not table.has_focus:
            table.focus()
            return
        self.action_leave()

    def action_leave(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()


__all__ = ["TeamReportScreen"]
