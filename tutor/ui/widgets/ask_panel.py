"""The question standing in for a hidden step, and the fields to answer it.

It is built from an `AskFrame` only, which carries nothing of the hidden step, so
the panel cannot leak what it does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import RadioButton, RadioSet, Static, TextArea

from tutor.lesson import Category, Confidence
from tutor.learn import Answer, AskFrame, ChoiceAnswer, Draft, GoalAnswer, InterveneAnswer, OutcomeAnswer

from ..glyphs import ASK_LABELS
from .form_rows import ConfidenceRow, FormActions
from .prose import inline_markdown
from .step_view import call_widgets, step_body
from ..plain import assemble, text_of

# Keys of the form itself: the confidence keys and what the radio sets and the actions row take.
FORM_CHARACTERS = frozenset("123 ")


class OptionButton(RadioButton):
    """A radio button whose label wraps, every line under the first: a long option is read whole, never cut."""

    def _label_lines(self, width: int) -> list[Content]:
        button = len(self.BUTTON_LEFT + self.BUTTON_INNER + self.BUTTON_RIGHT)
        return self._label.wrap(max(8, width - button - 1)) or [Content("")]

    def render(self) -> Content:
        button = self._button
        label_style = self.get_visual_style("toggle--label")
        lines = [line.stylize_before(label_style) for line in self._label_lines(self.content_region.width)]
        parts: list[Content | str] = [button, " ", lines[0]]
        for line in lines[1:]:
            parts += ["\n", " " * (button.cell_length + 1), line]
        return Content.assemble(*parts)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._label_lines(width))


class AnswerIncomplete(Exception):
    """The learner has not given enough to submit; says what is missing and which field to focus."""

    def __init__(self, message: str, field_id: str) -> None:
        super().__init__(message)
        self.field_id = field_id


def form_has_focus(screen: Any) -> bool:
    """Whether the focus is in a question's form (where keys are the learner's typing)."""
    focused = screen.focused
    return focused is not None and any(isinstance(node, AskPanel) for node in focused.ancestors)


class AskPanel(Vertical):
    """A question's form. It owns what the learner puts in it: built from the kept draft,
    it reports every change (`DraftChanged`) so that nothing typed is lost on the way out.

    While focus is in the form, a single letter never reaches the app's keys (a word typed
    with focus on a button must not quit or navigate); `escape` leaves the form.
    """

    DEFAULT_CLASSES = "ask-panel"

    @dataclass
    class DraftChanged(Message):
        draft: Draft

    class LeftForm(Message):
        """`escape` in the form: the screen takes the focus (and with it the single-letter keys)."""

    def __init__(self, frame: AskFrame, total: int, *, has_code: bool = False) -> None:
        super().__init__()
        self.frame = frame
        self.total = total
        self.has_code = has_code  # the lesson has a repository to investigate
        self.draft = frame.draft or Draft()

    def compose(self) -> ComposeResult:
        frame = self.frame
        yield Static(
            assemble(("? ", "bold"), (ASK_LABELS[frame.ask_type.value], "bold"), (f"   step {frame.number} of {self.total}", "dim")),
            classes="step-title ask-title",
        )
        if frame.proposal is not None:
            yield Static("The agent proposes:", classes="label")
            with Vertical(classes="proposal"):
                yield from step_body(frame.proposal)
        if frame.call is not None:
            yield Static("The agent runs:", classes="label")
            yield from call_widgets(frame.call)
        yield Static(inline_markdown(frame.prompt, "bold"), classes="prompt-text")
        yield from self._fields()
        yield Static("How sure are you?", classes="label")
        yield ConfidenceRow(self.draft.confidence or Confidence.MEDIUM, id="confidence")
        actions = FormActions(id="form-actions")
        actions.tooltip = "Submit (ctrl+s) commits your answer; the step is then revealed. Skip (ctrl+g) reveals it without one, for no points."
        yield actions
        yield Static(self._hint(in_form=True), id="form-hint", classes="hint")

    def _hint(self, *, in_form: bool) -> str:
        keys = "n, p, i and q" if self.has_code else "n, p and q"
        code = " · ctrl+o: the code so far" if self.has_code else ""
        if in_form:
            return f"escape leaves the form (then {keys} act){code} · your draft is kept"
        return f"Out of the form: {keys} act now · tab goes back in · your draft is kept"

    def _focus_within(self) -> bool:
        focused = self.screen.focused
        return focused is not None and (focused is self or self in focused.ancestors)

    def on_descendant_focus(self) -> None:
        self.query_one("#form-hint", Static).update(self._hint(in_form=True))

    def on_descendant_blur(self) -> None:
        # Focus moves after the blur: look once it has landed.
        def show_hint() -> None:
            if self.is_mounted:
                self.query_one("#form-hint", Static).update(self._hint(in_form=self._focus_within()))

        self.call_after_refresh(show_hint)

    def _fields(self) -> ComposeResult:
        kind, draft = self.frame.ask_type.value, self.draft
        if kind == "goal":
            yield TextArea(text_of(draft.text, limit=None), id="goal-text", classes="answer-text", placeholder="The goal you would give the agent: what, how we will know it is done, what to leave alone…")
        elif kind == "outcome":
            with RadioSet(id="outcome"):
                yield RadioButton("It works", value=draft.works is True, id="outcome-works")
                yield RadioButton("It fails", value=draft.works is False, id="outcome-fails")
        elif kind == "intervene":
            with RadioSet(id="decision"):
                yield RadioButton("Let it run", value=draft.intervene is False, id="decision-run")
                yield RadioButton("Step in and correct it", value=draft.intervene is True, id="decision-correct")
            yield Static("If you step in: what kind of correction?", classes="label")
            with RadioSet(id="category"):
                for category in self.frame.categories:
                    label = assemble((f"{category.value:<12}", "bold"), category.meaning)
                    yield RadioButton(label, value=draft.category is category, id=f"category-{category.value}")
            yield Static("What would you say to the agent?", classes="label")
            yield TextArea(text_of(draft.text, limit=None), id="say", classes="answer-text", placeholder="Your message to the agent…")
        elif kind == "choice":
            with RadioSet(id="choice"):
                for index, option in enumerate(self.frame.options):
                    yield OptionButton(inline_markdown(f"{index + 1}. {option}"), value=draft.choice == index, id=f"choice-{index}")

    # -- the draft

    def current_draft(self) -> Draft:
        """Whatever the form holds now, complete or not."""
        kind = self.frame.ask_type.value
        confidence = self.query_one(ConfidenceRow).chosen
        if kind == "goal":
            return Draft(text=self.query_one("#goal-text", TextArea).text, confidence=confidence)
        if kind == "outcome":
            outcome = self._pressed("outcome")
            return Draft(works=None if outcome is None else outcome == "outcome-works", confidence=confidence)
        if kind == "intervene":
            decision, category = self._pressed("decision"), self._pressed("category")
            return Draft(
                text=self.query_one("#say", TextArea).text,
                intervene=None if decision is None else decision == "decision-correct",
                category=Category(category.removeprefix("category-")) if category else None,
                confidence=confidence,
            )
        choice = self._pressed("choice")
        return Draft(choice=int(choice.removeprefix("choice-")) if choice else None, confidence=confidence)

    @on(TextArea.Changed)
    @on(RadioSet.Changed)
    @on(ConfidenceRow.Changed)
    def _changed(self) -> None:
        draft = self.current_draft()
        if draft != self.draft:
            self.draft = draft
            self.post_message(self.DraftChanged(draft))

    # -- keys

    def on_key(self, event: events.Key) -> None:
        # Reached only by keys the focused field did not take (a text field takes every character).
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.post_message(self.LeftForm())
            self.notify(self._hint(in_form=False), timeout=3)
            return
        if event.is_printable and event.character not in FORM_CHARACTERS:
            event.stop()
            event.prevent_default()

    def first_field(self) -> Widget:
        kind = self.frame.ask_type.value
        return self.query_one({"goal": "#goal-text", "outcome": "#outcome", "intervene": "#decision", "choice": "#choice"}[kind])

    def set_confidence(self, confidence: Confidence) -> None:
        self.query_one(ConfidenceRow).chosen = confidence

    def _pressed(self, radio_set_id: str) -> str | None:
        button = self.query_one(f"#{radio_set_id}", RadioSet).pressed_button
        return button.id if button is not None else None

    def submission(self) -> Answer | None:
        """The learner's answer; when it is incomplete, None, having said what is missing and focused that field."""
        try:
            return self.collect()
        except AnswerIncomplete as missing:
            self.notify(str(missing), severity="warning", timeout=4)
            self.query_one(f"#{missing.field_id}").focus()
            return None

    def collect(self) -> Answer:
        """The learner's answer, or AnswerIncomplete saying what is missing."""
        confidence = self.query_one(ConfidenceRow).chosen
        kind = self.frame.ask_type.value
        if kind == "goal":
            text = self.query_one("#goal-text", TextArea).text.strip()
            if not text:
                raise AnswerIncomplete("Write the goal you would give the agent first.", "goal-text")
            return GoalAnswer(text=text, confidence=confidence)
        if kind == "outcome":
            choice = self._pressed("outcome")
            if choice is None:
                raise AnswerIncomplete("Choose: does it work or fail?", "outcome")
            return OutcomeAnswer(works=choice == "outcome-works", confidence=confidence)
        if kind == "intervene":
            decision = self._pressed("decision")
            if decision is None:
                raise AnswerIncomplete("Choose: let it run, or step in?", "decision")
            if decision == "decision-run":
                return InterveneAnswer(intervene=False, confidence=confidence)
            category = self._pressed("category")
            if category is None:
                raise AnswerIncomplete("Pick the kind of correction you would make.", "category")
            text = self.query_one("#say", TextArea).text.strip()
            return InterveneAnswer(intervene=True, category=Category(category.removeprefix("category-")), text=text, confidence=confidence)
        choice = self._pressed("choice")
        if choice is None:
            raise AnswerIncomplete("Pick one of the options.", "choice")
        return ChoiceAnswer(index=int(choice.removeprefix("choice-")), confidence=confidence)
