"""The score card at the end of a lesson."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tutor.learn import ScoreCard, Tally


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
    DEFAULT_CLASSES = "score-card"

    def __init__(self, card: ScoreCard, title: str) -> None:
        super().__init__()
        self.card, self.title = card, title

    def compose(self) -> ComposeResult:
        card = self.card
        yield Static(Text.assemble(("★ ", "bold"), (f"Score card: {self.title}", "bold")), classes="step-title")
        yield Static(Text(f"Overall {card.overall:.0%}  ·  {card.answered} answered, {card.skipped} skipped of {card.asks} questions", "bold"), classes="overall")
        yield Static(score_table(card), classes="score-table")
        if card.missed:
            yield Static(
                f"{len(card.missed)} question{'s' if len(card.missed) != 1 else ''} you missed join your review queue (tutor review).",
                classes="label",
            )
        else:
            yield Static("Nothing missed: nothing joins your review queue.", classes="label")
        yield Static("Calibration: 0 is perfect; below 0.1 your confidence matched your hits.", classes="hint")
        with Horizontal(classes="buttons"):
            yield Button("Retry  r", id="retry", variant="primary", tooltip="Start a new attempt at this lesson")
            yield Button("Library  escape", id="library", tooltip="Back to the library")
