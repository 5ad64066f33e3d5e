"""The score card at the end of a lesson."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static

from tutor.learn import ScoreCard, Tally
from tutor.words import plural
from ..plain import assemble, plain


def _ratio(tally: Tally) -> str:
    return "–" if tally.ratio is None else f"{tally}  ({tally.ratio:.0%})"


def score_table(card: ScoreCard) -> Table:
    table = Table(show_header=True, header_style="bold", expand=False, box=None, padding=(0, 2))
    table.add_column("Skill")
    table.add_column("Score", justify="right")
    if card.goal.total:
        table.add_row("Goal setting", f"{card.goal.ratio:.0%}")
    table.add_row("Outcome predictions", _ratio(card.outcome))
    table.add_row("Intervention decisions", _ratio(card.decision))
    table.add_row("Correction categories", _ratio(card.category))
    table.add_row("Key points covered", _ratio(card.key_points))
    if card.choice.total:
        table.add_row("Questions", _ratio(card.choice))
    calibration = "–" if card.brier is None else f"Brier {card.brier:.2f} ({card.calibration_label})"
    table.add_row("Calibration", calibration)
    return table


class ScoreCardView(Vertical):
    """The end of a lesson: how it went, and where to go from here (the next lesson, a retry, the library).

    It takes the keys when it appears (its "Next lesson" button has focus), so `n` and
    `enter` lead on to the next lesson; the screen finds that lesson (NextLesson).
    """

    DEFAULT_CLASSES = "score-card"
    BINDINGS = [Binding("n", "next_lesson", "Next lesson", tooltip="Open the next lesson of this curriculum")]

    @dataclass
    class NextLesson(Message):
        """The learner asked for the next lesson; answer with `show_last` when this one was the last."""

        card: ScoreCardView

    def __init__(self, card: ScoreCard, title: str) -> None:
        super().__init__()
        self.card, self.title = card, title

    def compose(self) -> ComposeResult:
        card = self.card
        yield Static(assemble(("★ ", "bold"), (f"Score card: {self.title}", "bold")), classes="step-title")
        tally = f"{card.answered} answered, {card.skipped} skipped of {plural(card.asks, 'question')}"
        yield Static(plain(f"Overall {card.overall:.0%}  ·  {tally}", "bold"), classes="overall")
        yield Static(score_table(card), classes="score-table")
        if card.missed:
            missed = len(card.missed)
            joins = "joins" if missed == 1 else "join"
            yield Static(f"{plural(missed, 'question')} you missed {joins} your review queue (tutor review).", classes="label")
        else:
            yield Static("Nothing missed: nothing joins your review queue.", classes="label")
        yield Static("Calibration: 0 is perfect; below 0.1 your confidence matched your hits.", classes="hint")
        yield Static("", id="last-lesson", classes="label")
        with Horizontal(classes="buttons"):
            yield Button("Next lesson  n", id="next-lesson", variant="primary", tooltip="Open the next lesson of this curriculum")
            yield Button("Retry  r", id="retry", tooltip="Start a new attempt at this lesson")
            yield Button("Library  escape", id="library", tooltip="Back to the library")

    def on_mount(self) -> None:
        self.query_one("#last-lesson").display = False
        # While the card is shown its buttons take the keys, not the scroll area holding it: the
        # learner's `n` and `enter` reach "Next lesson", and shift+tab does not stop on the frame.
        self._lent_focus = [node for node in self.ancestors if isinstance(node, Widget) and not isinstance(node, Screen) and node.can_focus]
        for node in self._lent_focus:
            node.can_focus = False
        self._take_focus()  # at once: an `n` pressed the moment the card appears must find it

    def on_unmount(self) -> None:
        for node in self._lent_focus:
            node.can_focus = True

    def _take_focus(self) -> None:
        """Focus "Next lesson", unless the learner is browsing the timeline (or anything else) on purpose."""
        screen = self.screen
        focused = screen.focused
        if focused is None or focused in self._lent_focus or not focused.is_attached:
            target = self.query_one("#next-lesson", Button)
            screen.set_focus(target if target.display else self.query_one("#library", Button), scroll_visible=False)

    def action_next_lesson(self) -> None:
        self.post_message(self.NextLesson(self))

    @on(Button.Pressed, "#next-lesson")
    def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_next_lesson()

    def show_last(self, curriculum_title: str | None) -> None:
        """There is no next lesson: say so, and offer the library instead."""
        said = f"That was the last lesson of {curriculum_title}" if curriculum_title else "This lesson belongs to no curriculum"
        note = self.query_one("#last-lesson", Static)
        note.update(plain(f"{said}: pick another in the library (escape).", "bold"))
        note.display = True
        self.query_one("#next-lesson", Button).display = False
        self.query_one("#library", Button).focus()
