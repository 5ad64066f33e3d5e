"""The pieces both group replay screens show (`tutor host`, `tutor join`): a question as everyone
sees it before its reveal, how many have answered, the spread of a closed round (beside the
first when there was a revote), and who is in the room.

Names, answers and the lesson's words come from other people: every string reaches the screen
through `tutor.ui.plain` (or lesson Markdown through `Prose` and `inline_markdown`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from tutor.learn import AskFrame
from tutor.lesson import AnyStep, AskType, ChoiceAsk, CorrectionStep, InterveneAsk, ResultStep
from tutor.services.group_host import Participant
from tutor.team.tallies import FAILS, LET_RUN, STEP_IN, WORKS, ask_labels, read_label
from tutor.words import plural

from ..glyphs import ASK_LABELS
from ..plain import CELL_LIMIT, assemble, line, plain
from .ask_panel import AskPanel
from .form_rows import FormActions
from .prose import Prose, inline_markdown
from .step_view import call_widgets, step_body

BAR_WIDTH = 24  # the longest bar of a spread, in cells
BESIDE_BAR_WIDTH = 14  # the same with a revote's column beside the first: both fit a narrow frame
NAME_LIMIT = 40  # a participant's name in the list
PROBLEMS_SHOWN = 5  # the newest problem lines in the room's column

# What each phase is called on screen (the protocol's words are for machines).
PHASE_NAMES = {
    "lobby": "Waiting to start",
    "open": "Question open",
    "closed": "Answers closed",
    "discuss": "Discussion",
    "revote-open": "Revote open",
    "revote-closed": "Revote closed",
    "revealed": "Revealed",
    "ended": "Ended",
}
DISCUSS_HINT = "Talk to someone who answered differently: why did they choose what they chose? Then vote again."


class Spread(Protocol):
    """One round's spread as the screens show it: `tutor.group.Distribution` (a hosted session's,
    counts as pairs) or `tutor.services.facilitate.RoomRound` (a room's, counts as a mapping)."""

    @property
    def n(self) -> int: ...

    @property
    def counts(self) -> Mapping[str, int] | tuple[tuple[str, int], ...] | None: ...


def phase_name(phase: str) -> str:
    return PHASE_NAMES.get(phase, phase)


def answered_text(answered: int, expected: int, *, round_number: int | None = 1) -> Text:
    """"2 of 3 answered": the only figure of an open round (never a spread, so nobody follows the crowd)."""
    text = assemble((f"{answered} of {expected}", "bold"), " answered")
    if round_number == 2:
        text.append("  (revote)", "dim")
    return text


def ask_card(frame: AskFrame, total: int) -> list[Widget]:
    """The question standing in for a hidden step, read-only: what every screen may show before the reveal.

    Built from the `AskFrame` alone (as the answer form is), so nothing of the hidden step can be in it.
    """
    widgets: list[Widget] = [
        Static(
            assemble(("? ", "bold"), (ASK_LABELS[frame.ask_type.value], "bold"), (f"   step {frame.number} of {total}", "dim")),
            classes="step-title ask-title",
        )
    ]
    if frame.proposal is not None:
        widgets.append(Static("The agent proposes:", classes="label"))
        widgets.extend(step_body(frame.proposal))
    if frame.call is not None:
        widgets.append(Static("The agent runs:", classes="label"))
        widgets.extend(call_widgets(frame.call))
    widgets.append(Static(inline_markdown(frame.prompt, "bold"), classes="prompt-text"))
    for index, option in enumerate(frame.options):
        widgets.append(Static(inline_markdown(f"{index + 1}. {option}"), classes="group-option"))
    return widgets


class GroupAskPanel(AskPanel):
    """Solo replay's answer form, for a question the host opened: no skip (not answering is the
    same in a room), and the hint names the keys this screen has."""

    def on_mount(self) -> None:
        self.query_one(FormActions).skip_shown = False

    def _hint(self, *, in_form: bool) -> str:
        if in_form:
            return "ctrl+s sends your answer · escape leaves the form (then q leaves the session) · your text is kept"
        return "Out of the form: q leaves the session · tab goes back in · your text is kept"


def options_of(shown: AskFrame | AnyStep | None) -> tuple[str, ...]:
    """A choice's options, from the question or (after the reveal) the step: to name the spread's rows."""
    if isinstance(shown, AskFrame):
        return shown.options
    ask = shown.ask if shown is not None else None
    return tuple(ask.options) if isinstance(ask, ChoiceAsk) else ()


def label_text(ask_type: AskType, label: str, options: Sequence[str] = ()) -> Text:
    """A label of the tally format as a person reads it: `option 1` is the option's own words."""
    read = read_label(ask_type, label)
    if read is not None and read.choice is not None:
        words = options[read.choice] if read.choice < len(options) else ""
        return line(f"{read.choice + 1}. {words}".rstrip(), limit=60)
    names = {WORKS: "It works", FAILS: "It fails", LET_RUN: "Let it run", STEP_IN: "Step in"}
    if label in names:
        return plain(names[label])
    if read is not None and read.category is not None:
        return assemble("Step in: ", (read.category.value, "bold"))
    return line(label, limit=60)


def senior_labels(step: AnyStep | None) -> frozenset[str]:
    """The labels that are what the senior did, once the step is revealed (none before)."""
    if step is None or step.ask is None:
        return frozenset()
    ask_type = AskType(step.ask.type)
    if ask_type is AskType.OUTCOME and isinstance(step, ResultStep):
        return frozenset({WORKS if step.ok else FAILS})
    if ask_type is AskType.CHOICE and isinstance(step.ask, ChoiceAsk):
        return frozenset({f"option {step.ask.answer}"})
    if ask_type is AskType.INTERVENE:
        if isinstance(step, CorrectionStep):
            return frozenset({STEP_IN, f"{STEP_IN}: {step.category.value}"})
        return frozenset({LET_RUN})
    return frozenset()


def senior_answer(step: AnyStep) -> list[Widget]:
    """What a revealed ask's own grade would say of the senior's answer, for a screen with no grade to show
    (the host's; a participant who did not answer): a choice's explanation, an intervene ask's key points."""
    ask = step.ask
    if isinstance(ask, ChoiceAsk) and ask.explain:
        return [Static("The senior's answer", classes="label"), Prose(f"{ask.answer + 1}. {ask.options[ask.answer]}\n\n{ask.explain}", classes="prose")]
    if isinstance(ask, InterveneAsk) and ask.key_points:
        return [Static("The senior's points", classes="label"), Prose("\n".join(f"- {point}" for point in ask.key_points), classes="prose")]
    return []


def _bar(count: int, largest: int, n: int, bar_width: int) -> Text:
    width = round(bar_width * count / largest) if largest else 0
    share = f" {count / n:.0%}" if n else ""
    return assemble(("█" * width, "cyan"), (" " * (bar_width - width)), (f" {count}", "bold"), (share, "dim"))


def counts_of(distribution: Spread) -> dict[str, int] | None:
    """A round's counts as a dict (a `tutor.group.Distribution` keeps them as pairs); None when hidden."""
    return None if distribution.counts is None else dict(distribution.counts)


def _hidden(distribution: Spread, min_group: int) -> Text:
    return plain(f"hidden: {plural(distribution.n, 'answer')}, fewer than {min_group}", "italic dim")


def distribution_renderable(
    ask_type: AskType, first: Spread | None, second: Spread | None = None, *, min_group: int, options: Sequence[str] = (), senior: Iterable[str] = ()
) -> RenderableType:
    """The spread of a closed round: one row per answer, a bar and a count each; a revote's column beside the first.

    `first` and `second` have `counts` (label and count pairs, None when hidden: fewer than
    `min_group` answered) and `n`. A goal has no spread, only how many wrote one.
    """
    named = [(heading, held) for heading, held in (("First vote", first), ("Revote", second)) if held is not None]
    headings = [heading for heading, _ in named]
    rounds = [held for _, held in named]
    if not rounds:
        return plain("No answers counted yet.", "italic dim")
    if ask_type is AskType.GOAL:
        parts = [f"{heading}: {plural(held.n, 'goal')} written" for heading, held in zip(headings, rounds, strict=True)]
        return plain(" · ".join(parts) + "  (a goal is free text: it has no spread)", "dim")
    if all(held.counts is None for held in rounds):
        return Group(*(assemble((f"{heading}: ", "bold"), _hidden(held, min_group)) for heading, held in zip(headings, rounds, strict=True)))
    labels = list(ask_labels(ask_type, options=len(options)))
    spreads = [counts_of(held) for held in rounds]
    for counts in spreads:
        for label in counts or {}:
            if label not in labels:
                labels.append(label)
    if ask_type is AskType.INTERVENE and STEP_IN in labels and not any(counts and counts.get(STEP_IN) for counts in spreads) and len(labels) > 2:
        labels.remove(STEP_IN)  # plain "step in" stands for a category nobody left out
    marked = frozenset(senior)
    bar_width = BAR_WIDTH if len(rounds) == 1 else BESIDE_BAR_WIDTH
    table = Table(box=None, show_header=True, header_style="bold", padding=(0, 2, 0, 0), expand=False)
    table.add_column("Answer", min_width=8, max_width=CELL_LIMIT)
    for heading, held in zip(headings, rounds, strict=True):
        table.add_column(f"{heading} ({plural(held.n, 'answer')})", no_wrap=True)
    if marked:
        table.add_column("", no_wrap=True)
    for label in labels:
        cells: list[RenderableType] = [label_text(ask_type, label, options)]
        for held, counts in zip(rounds, spreads, strict=True):
            if counts is None:
                cells.append(_hidden(held, min_group))
            else:
                cells.append(_bar(counts.get(label, 0), max(counts.values(), default=0), held.n, bar_width))
        if marked:
            cells.append(plain("✓ senior", "bold green") if label in marked else plain(""))
        table.add_row(*cells)
    return table


def distribution_widget(ask_type: AskType, first: Spread | None, second: Spread | None = None, *, min_group: int, options: Sequence[str] = (), senior: Iterable[str] = ()) -> Static:
    title = "How the room answered" + (": the first vote beside the revote" if second is not None else "")
    body = distribution_renderable(ask_type, first, second, min_group=min_group, options=options, senior=senior)
    return Static(Group(plain(title, "bold"), body), classes="group-spread")


def participant_lines(participants: Iterable[Participant], problems: Sequence[str] = ()) -> Text:
    """Who is in the room (● connected, ○ dropped) and the newest problems (a client dropped, and why)."""
    people = list(participants)
    present = sum(1 for person in people if person.connected)
    text = assemble((f"In the room: {present}", "bold"), (f" of {len(people)}" if present != len(people) else "", "bold"), "\n")
    if not people:
        text.append("nobody yet", "italic dim")
    for person in people:
        mark, style = ("● ", "green") if person.connected else ("○ ", "dim")
        text.append(mark, style)
        text.append_text(line(person.name, "" if person.connected else "dim", limit=NAME_LIMIT))
        if not person.connected:
            text.append(" (left)" if person.left else " (dropped)", "dim")
        text.append("\n")
    shown = list(problems)[-PROBLEMS_SHOWN:]
    if shown:
        text.append("\nProblems\n", "bold yellow")
        for problem in shown:
            text.append_text(line(problem, "yellow", limit=CELL_LIMIT))
            text.append("\n")
    text.rstrip()
    return text


__all__ = [
    "DISCUSS_HINT",
    "GroupAskPanel",
    "Spread",
    "answered_text",
    "ask_card",
    "distribution_renderable",
    "distribution_widget",
    "label_text",
    "options_of",
    "participant_lines",
    "phase_name",
    "senior_answer",
    "senior_labels",
]
