"""The question standing in for a hidden step, and the fields to answer it.

It is built from an `AskFrame` only, which carries nothing of the hidden step, so
the panel cannot leak what it does not have.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, RadioButton, RadioSet, Static, TextArea

from tutor.lesson import Category, Confidence
from tutor.learn import Answer, AskFrame, ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer

from ..glyphs import ASK_LABELS
from .step_view import call_widgets, step_body

CONFIDENCES = (Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH)


class AnswerIncomplete(Exception):
    """The learner has not given enough to submit; says what is missing and which field to focus."""

    def __init__(self, message: str, field_id: str):
        super().__init__(message)
        self.field_id = field_id


class AskPanel(Vertical):
    DEFAULT_CLASSES = "ask-panel"

    def __init__(self, frame: AskFrame, total: int) -> None:
        super().__init__()
        self.frame = frame
        self.total = total

    def compose(self) -> ComposeResult:
        frame = self.frame
        yield Static(
            Text.assemble(("? ", "bold"), (ASK_LABELS[frame.ask_type.value], "bold"), (f"   step {frame.number} of {self.total}", "dim")),
            classes="step-title ask-title",
        )
        if frame.proposal is not None:
            yield Static("The agent proposes:", classes="label")
            with Vertical(classes="proposal"):
                yield from step_body(frame.proposal)
        if frame.call is not None:
            yield Static("The agent runs:", classes="label")
            yield from call_widgets(frame.call)
        yield Static(Text(frame.prompt, "bold"), classes="prompt-text")
        yield from self._fields()
        yield Static("How sure are you?", classes="label")
        with RadioSet(id="confidence", classes="horizontal"):
            for confidence in CONFIDENCES:
                yield RadioButton(confidence.value.capitalize(), value=confidence is Confidence.MEDIUM, id=f"confidence-{confidence.value}")
        with Horizontal(classes="buttons"):
            yield Button("Submit  ctrl+s", id="submit", variant="primary", tooltip="Commit your answer; the step is then revealed")
            yield Button("Skip  ctrl+g", id="skip", tooltip="Reveal without answering (scores zero)")

    def _fields(self) -> ComposeResult:
        kind = self.frame.ask_type.value
        if kind == "goal":
            yield TextArea(id="goal-text", classes="answer-text", placeholder="The goal you would give the agent: what, how we will know it is done, what to leave alone…")
        elif kind == "outcome":
            with RadioSet(id="outcome"):
                yield RadioButton("It works", id="outcome-works")
                yield RadioButton("It fails", id="outcome-fails")
        elif kind == "intervene":
            with RadioSet(id="decision"):
                yield RadioButton("Let it run", id="decision-run")
                yield RadioButton("Step in and correct it", id="decision-correct")
            yield Static("If you step in: what kind of correction?", classes="label")
            with RadioSet(id="category"):
                for category in self.frame.categories:
                    yield RadioButton(Text.assemble((f"{category.value:<12}", "bold"), category.meaning), id=f"category-{category.value}")
            yield Static("What would you say to the agent?", classes="label")
            yield TextArea(id="say", classes="answer-text", placeholder="Your message to the agent…")
        elif kind == "choice":
            with RadioSet(id="choice"):
                for index, option in enumerate(self.frame.options):
                    yield RadioButton(Text(f"{index + 1}. {option}"), id=f"choice-{index}")

    def first_field(self) -> Widget:
        kind = self.frame.ask_type.value
        return self.query_one({"goal": "#goal-text", "outcome": "#outcome", "intervene": "#decision", "choice": "#choice"}[kind])

    def set_confidence(self, confidence: Confidence) -> None:
        self.query_one(f"#confidence-{confidence.value}", RadioButton).value = True

    def _pressed(self, radio_set_id: str) -> str | None:
        button = self.query_one(f"#{radio_set_id}", RadioSet).pressed_button
        return button.id if button is not None else None

    def collect(self) -> Answer:
        """The learner's answer, or AnswerIncomplete saying what is missing."""
        pressed = self._pressed("confidence") or "confidence-medium"
        confidence = Confidence(pressed.removeprefix("confidence-"))
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
