"""One room, one screen (`tutor learn LESSON --facilitate`): the lesson for a group around one
projector, the facilitator entering the room's answers as counts.

The frame is solo replay's (the task, a question, a revealed step, the end), drawn with the same
pieces (`step_view`, the group replay's `group_parts`): a question shows nothing of its hidden step.
At a question the facilitator types how many gave each answer (`ctrl+s` or `enter` records the
round), may start a discussion and a revote (`d`, then `space`), and reveals (`space`); the
senior's step then comes with the room's counts beside it, the senior's answer marked. No grade
is shown or kept for anyone. The service (`tutor.services.facilitate`) saves the tally file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Input, Static

from tutor.learn import AskFrame, EndFrame, ReplayError, StepFrame, TaskFrame
from tutor.lesson import AskType
from tutor.team.tallies import STEP_IN
from tutor.services.facilitate import (
    CLOSED,
    DISCUSS,
    OPEN,
    REVEALED,
    REVOTE_CLOSED,
    REVOTE_OPEN,
    CountError,
    Facilitation,
    FacilitationView,
    read_count,
)
from tutor.words import plural

from ..plain import assemble, plain
from ..widgets.footer import TutorFooter
from ..widgets.group_parts import DISCUSS_HINT, ask_card, distribution_widget, label_text, options_of, senior_labels
from ..widgets.prose import Prose
from ..widgets.step_view import StepView

HOW = (
    "You are facilitating: at each question the room answers (hands, cards), you enter how many gave "
    "each answer (enter or ctrl+s records them), then reveal the senior's step with space. After the "
    "first count, d starts a discussion and a revote. Nobody's answer is kept or graded: only the counts."
)


class CountForm(Vertical):
    """How many in the room gave each answer: one whole-number field per answer (a goal: one field,
    how many wrote one), the total kept up to date as the facilitator types."""

    DEFAULT_CSS = """
    CountForm { height: auto; margin-top: 1; }
    CountForm .count-row { height: 1; }
    CountForm .count-label { width: 1fr; max-width: 50; }
    CountForm Input { width: 10; height: 1; border: none; padding: 0 1; background: $boost; }
    CountForm Input:focus { border: none; background: $accent 40%; }
    CountForm #count-total { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, ask_type: AskType, labels: tuple[str, ...], options: tuple[str, ...], filled: Mapping[str, int] | None) -> None:
        super().__init__(id="count-form")
        self.ask_type = ask_type
        self.labels = labels if ask_type is not AskType.GOAL else ("n",)
        self.options = options
        self.filled = dict(filled or {})

    def compose(self) -> ComposeResult:
        for index, label in enumerate(self.labels):
            if self.ask_type is AskType.GOAL:
                shown = plain("Goals written")
            elif label == STEP_IN:
                shown = plain("Step in (no reason given)")
            else:
                shown = label_text(self.ask_type, label, self.options)
            value = self.filled.get(label)
            with Horizontal(classes="count-row"):
                yield Static(shown, classes="count-label")
                yield Input(value="" if value is None else str(value), placeholder="0", type="integer", id=f"count-{index}", max_length=6)
        if self.ask_type is not AskType.GOAL:
            yield Static("", id="count-total")

    def on_mount(self) -> None:
        self._show_total()

    def fields(self) -> list[Input]:
        return [self.query_one(f"#count-{index}", Input) for index in range(len(self.labels))]

    def counts(self) -> dict[str, int]:
        """What is typed, label by label (blank is 0); `CountError` names the field that is not a count."""
        return {label: read_count(field.value, what=label) for label, field in zip(self.labels, self.fields(), strict=True)}

    @on(Input.Changed)
    def _show_total(self) -> None:
        if self.ask_type is AskType.GOAL:
            return
        try:
            total = sum(self.counts().values())
        except CountError:
            return
        self.query_one("#count-total", Static).update(f"Total: {plural(total, 'answer')}")


FACILITATE_KEYS = """\
# Keys

At each question the room answers (hands, cards), you type how many gave each answer, and the
room sees the spread; then the senior's step is revealed with the counts beside it. While the
count form has focus, digits type into it; `tab` moves between its fields.

| key | what it does |
| --- | --- |
| `enter` or `ctrl+s` | record the counts typed: the round closes and its spread is shown |
| `d` | after the first count: a discussion ("talk to someone who answered differently"), then a revote |
| `space` | go on: open the revote after a discussion, reveal the senior's step, or the next step |
| `c` | count this round again (a count mistyped, a late hand): the form comes back filled |
| `ctrl+g` | reveal without counting: the question is not tallied |
| `n` or `→` / `p` or `←` | the next step (once revealed) / back to an earlier one |
| `escape` | out of the count form; outside it, end the session (asked first before the last step) |
| `q` | quit (outside the count form) |

A spread of fewer answers than the team's minimum group is hidden. The counts are saved after
each reveal and when the session ends; nobody's answer is kept or graded.
"""


class FacilitateScreen(Screen):
    HELP = FACILITATE_KEYS
    BINDINGS = [
        Binding("ctrl+s", "record", "Record", priority=True, id="record", tooltip="Record the room's counts (works while typing)"),
        Binding("space", "advance", "Go on", id="advance", tooltip="Reveal, open the revote, or go to the next step"),
        Binding("d", "discuss", "Discuss", id="discuss", tooltip="After the first count: a discussion, then a revote"),
        Binding("c", "count_again", "Count again", id="count-again", tooltip="Enter the counts of this round again"),
        Binding("ctrl+g", "reveal_uncounted", "Reveal uncounted", priority=True, id="reveal-uncounted", tooltip="Reveal without counting: the question is not tallied"),
        Binding("n,right", "next", "Next", id="next", tooltip="The next step (once the question is revealed)"),
        Binding("p,left", "back", "Back", id="back", tooltip="Back to an earlier step"),
        Binding("escape", "leave", "End", id="leave", tooltip="End the session: the counts so far are saved"),
    ]

    DEFAULT_CSS = """
    FacilitateScreen #facilitate-frame { height: 1fr; padding: 0 2; }
    FacilitateScreen #facilitate-status { height: auto; padding: 0 2; color: $text-muted; }
    FacilitateScreen .group-spread { margin-top: 1; height: auto; }
    FacilitateScreen .discuss { margin-top: 1; text-style: bold; }
    """

    def __init__(self, facilitation: Facilitation) -> None:
        super().__init__()
        self.facilitation = facilitation
        self.state: FacilitationView | None = None
        self.transitioning = False

    @property
    def holds_keys(self) -> bool:
        """Keys wait (in TutorApp) while a frame is replaced: none lands on the frame going away."""
        return self.state is None or self.transitioning

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="facilitate-frame", can_focus=True)
        yield Static("", id="facilitate-status")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Facilitating · {self.facilitation.lesson.title}"
        self.call_after_refresh(self.show)

    def on_unmount(self) -> None:
        self.facilitation.end()  # leaving, quitting: the counts so far are saved, with the end time

    # -- drawing

    async def show(self) -> None:
        self.transitioning = True
        try:
            state = self.facilitation.view()
            self.state = state
            frame = self.query_one("#facilitate-frame", VerticalScroll)
            await frame.remove_children()
            await frame.mount_all(self.frame_widgets(state))
            frame.scroll_home(animate=False)
            forms = self.query(CountForm)
            if forms:
                forms.first().fields()[0].focus(scroll_visible=False)
            else:
                frame.focus()
            self.query_one("#facilitate-status", Static).update(self.status(state))
        finally:
            self.transitioning = False
        self.refresh_bindings()
        self.app.release_keys()  # type: ignore[attr-defined]

    def status(self, state: FacilitationView) -> Any:
        place = self.facilitation.place
        text = assemble(("The counts are saved to ", "dim"), plain(place.where, "dim", limit=300))
        if place.note:
            text.append_text(plain("\n" + place.note, "yellow", limit=300))
        if state.problem:
            text.append_text(plain("\n" + state.problem, "bold red", limit=400))
        return text

    def frame_widgets(self, state: FacilitationView) -> list[Widget]:
        view = state.replay
        frame = view.frame
        if isinstance(frame, TaskFrame):
            return [
                Static(assemble(("⌂ The task", "bold"), (f"   {plural(view.total, 'step')}", "dim")), classes="step-title"),
                Prose(frame.task, classes="task"),
                Static(HOW, classes="hint"),
                Static("space or n: begin.", classes="hint"),
            ]
        if isinstance(frame, AskFrame):
            return [*ask_card(frame, view.total), *self.ask_widgets(state, frame)]
        if isinstance(frame, StepFrame):
            widgets: list[Widget] = [StepView(frame.number, view.total, frame.step, frame.call)]
            if state.phase == REVEALED and state.ask_type is not None:
                if state.first is None:
                    widgets.append(Static("The room's answers were not counted at this question.", classes="hint"))
                else:
                    widgets.append(self.spread(state, senior=senior_labels(frame.step), options=options_of(frame.step)))
            if view.can_next:
                widgets.append(Static("space or n: next step.", classes="hint"))
            return widgets
        if isinstance(frame, EndFrame):
            return self.end_widgets(state)
        return []

    def spread(self, state: FacilitationView, *, senior: frozenset[str] = frozenset(), options: tuple[str, ...] = ()) -> Widget:
        assert state.ask_type is not None and state.first is not None  # shown only once the first round is counted
        return distribution_widget(state.ask_type, state.first, state.second, min_group=state.min_group, options=options, senior=senior)

    def ask_widgets(self, state: FacilitationView, frame: AskFrame) -> list[Widget]:
        assert state.ask_type is not None
        phase = state.phase
        if phase in (OPEN, REVOTE_OPEN):
            heading = "The room answers" if phase == OPEN else "The revote"
            ask = "how many wrote a goal" if state.ask_type is AskType.GOAL else "how many gave each answer"
            widgets: list[Widget] = []
            if phase == REVOTE_OPEN:
                widgets.append(self.spread(state))
            widgets += [
                Static(assemble((heading, "bold"), f": enter {ask}, then enter or ctrl+s."), classes="label"),
                CountForm(state.ask_type, state.labels, frame.options, self.facilitation.entered()),
                Static("ctrl+g: reveal without counting.", classes="hint"),
            ]
            return widgets
        widgets = [self.spread(state, options=frame.options)]
        if phase == CLOSED:
            widgets.append(Static("space: reveal · d: discuss, then revote · c: count again", classes="hint"))
        elif phase == DISCUSS:
            widgets.append(Static(DISCUSS_HINT, classes="discuss"))
            widgets.append(Static("space: open the revote · ctrl+g: reveal without a revote", classes="hint"))
        elif phase == REVOTE_CLOSED:
            widgets.append(Static("space: reveal · c: count the revote again", classes="hint"))
        return widgets

    def end_widgets(self, state: FacilitationView) -> list[Widget]:
        lines: list[Widget] = [
            Static(assemble(("The end", "bold"), "   ", plain(self.facilitation.lesson.title, "dim", limit=200)), classes="step-title"),
            Static(f"{plural(state.tallied, 'question')} counted, {plural(state.revotes, 'revote')}.", classes="label"),
        ]
        if state.saved is not None:
            lines.append(Static(assemble("Saved to ", plain(str(state.saved), limit=400)), classes="label"))
        lines.append(Static("escape: leave.", classes="hint"))
        return lines

    # -- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.state
        if state is None or self.transitioning:
            return action == "leave"
        phase = state.phase
        if action == "record":
            return phase in (OPEN, REVOTE_OPEN)
        # The keys of a phase are in the footer only in that phase; moving on and back are always there.
        if action == "discuss":
            return phase == CLOSED
        if action == "count_again":
            return phase in (CLOSED, REVOTE_CLOSED)
        if action == "reveal_uncounted":
            return phase in (OPEN, DISCUSS, REVOTE_OPEN)
        if action == "next":
            return True if state.replay.can_next else None
        if action == "back":
            return True if state.replay.can_back else None
        if action == "advance":
            return phase in (CLOSED, DISCUSS, REVOTE_CLOSED) or (phase not in (OPEN, REVOTE_OPEN) and state.replay.can_next)
        return True

    async def _do(self, move: str, *args: Any, **kwargs: Any) -> None:
        try:
            getattr(self.facilitation, move)(*args, **kwargs)
        except (ReplayError, CountError) as error:
            self.notify(str(error)[:1].upper() + str(error)[1:] + ".", severity="warning", timeout=4)
            return
        await self.show()

    async def action_record(self) -> None:
        forms = self.query(CountForm)
        if not forms:
            return
        form = forms.first()
        try:
            counts = form.counts()
        except CountError as error:
            self.notify(str(error), severity="warning", timeout=4)
            return
        if form.ask_type is AskType.GOAL:
            await self._do("record", {}, n=counts["n"])
        else:
            await self._do("record", counts)

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.action_record()

    async def action_advance(self) -> None:
        state = self.state
        if state is None:
            return
        if state.phase in (CLOSED, REVOTE_CLOSED):
            await self._do("reveal")
        elif state.phase == DISCUSS:
            await self._do("revote")
        elif state.phase not in (OPEN, REVOTE_OPEN) and state.replay.can_next:
            await self._do("next")

    async def action_discuss(self) -> None:
        await self._do("discuss")

    async def action_count_again(self) -> None:
        await self._do("count_again")

    async def action_reveal_uncounted(self) -> None:
        await self._do("reveal")

    async def action_next(self) -> None:
        await self._do("next")

    async def action_back(self) -> None:
        await self._do("back")

    def action_leave(self) -> None:
        """Out of the count form first; then, before the last step, ask: the counts so far are saved either way."""
        if isinstance(self.focused, Input):
            self.query_one("#facilitate-frame").focus()
            return
        if self.state is not None and not self.state.replay.finished:
            from .confirm import Confirm

            question = "End the session now? The counts so far are saved."
            self.app.push_screen(Confirm(question, yes="end it", no="go on"), lambda leave: self._leave() if leave else None)
            return
        self._leave()

    def _leave(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()


__all__ = ["CountForm", "FacilitateScreen"]
