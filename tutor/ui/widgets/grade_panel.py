"""The learner's committed answer beside the truth: the grade, and why."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, SelectionList, Static

from tutor.learn import ChoiceAnswer, Committed, GoalAnswer, Grade, InterveneAnswer, OutcomeAnswer
from tutor.lesson import AnyStep, ChoiceAsk

from .prose import LearnerWords, Prose, inline_markdown


def describe_answer(committed: Committed, step: AnyStep) -> str:
    answer = committed.answer
    if answer is None:
        return "You skipped this one."
    sure = f" ({answer.confidence.value} confidence)"
    if isinstance(answer, GoalAnswer):
        return "Your goal" + sure + ":"
    if isinstance(answer, OutcomeAnswer):
        return ("You predicted it works" if answer.works else "You predicted it fails") + sure + "."
    if isinstance(answer, InterveneAnswer):
        if not answer.intervene:
            return "You would let it run" + sure + "."
        category = answer.category.value if answer.category else "?"
        return f"You would step in ({category})" + sure + ":"
    if isinstance(answer, ChoiceAnswer) and isinstance(step.ask, ChoiceAsk):
        options = step.ask.options
        picked = options[answer.index] if 0 <= answer.index < len(options) else str(answer.index)
        return f"You chose {answer.index + 1}. {picked}" + sure + "."
    return ""


class GradePanel(Vertical):
    """The grade of a revealed answer, verdict first: shown above the step it grades."""

    DEFAULT_CLASSES = "grade-panel"

    def __init__(self, step: AnyStep, committed: Committed, grade: Grade) -> None:
        super().__init__()
        self.step, self.committed, self.grade = step, committed, grade

    def compose(self) -> ComposeResult:
        grade, committed = self.grade, self.committed
        yield Static(self._verdict(), classes="verdict")
        # Only app words and a choice's option (lesson Markdown) are in this line.
        yield Static(inline_markdown(describe_answer(committed, self.step), "bold"), classes="your-answer")
        answer = committed.answer
        words = getattr(answer, "text", "") if answer is not None else ""
        if words:
            yield LearnerWords(words)  # what the learner typed, exactly as typed
        if grade.ask_type.value != "goal":  # a goal's lint is listed item by item below
            yield from self._reasons()
        if grade.key_points_covered or grade.key_points_missed:
            yield Static("Key points the senior made:", classes="label")
            for point in grade.key_points_covered:
                yield Static(Text.assemble(("  ✓ ", "bold green"), inline_markdown(point)), classes="key-point covered")
            for point in grade.key_points_missed:
                yield Static(Text.assemble(("  ✗ ", "bold red"), inline_markdown(point)), classes="key-point missed")
        if grade.lint:
            yield Static("Checks on your goal:", classes="label")
            for check in grade.lint:
                mark = ("  ✓ ", "bold green") if check.passed else ("  ✗ ", "bold red")
                yield Static(Text.assemble(mark, (check.name + ": ", "bold"), check.hint), classes="lint")

    def _reasons(self) -> ComposeResult:
        grade = self.grade
        if grade.ask_type.value == "choice" and not grade.skipped:
            # A choice is graded as one line naming the right option (lesson Markdown inside
            # Tutor's words), then the senior's explanation: Markdown prose of any length.
            first, *explanation = grade.reasons or ("",)
            if first:
                yield Static(inline_markdown("· " + first), classes="reason")
            for text in explanation:
                yield Prose(text, classes="reason explain")
            return
        for reason in grade.reasons:
            yield Static(Text("· " + reason), classes="reason")

    def _verdict(self) -> Text:
        grade = self.grade
        if grade.skipped:
            return Text("Skipped: scores zero.", "bold yellow")
        if grade.ask_type.value == "goal":
            checked = "" if grade.rubric_checked is None else " (with your self-check)"
            return Text(f"Goal score {grade.score:.0%}{checked}", "bold")
        if grade.correct:
            return Text(f"✓ Right  ·  {grade.score:.0%}", "bold green")
        if grade.decision_correct:
            return Text(f"◐ Right to step in  ·  {grade.score:.0%}", "bold yellow")
        return Text(f"✗ Not what the senior did  ·  {grade.score:.0%}", "bold red")


class SelfCheck(Vertical):
    """A goal's rubric, ticked by the learner once the senior's goal is on screen above it."""

    DEFAULT_CLASSES = "self-check"

    @dataclass
    class SelfChecked(Message):
        step_id: str
        ticks: tuple[int, ...]

    def __init__(self, step: AnyStep, grade: Grade) -> None:
        super().__init__()
        self.step, self.grade = step, grade

    @staticmethod
    def applies(grade: Grade) -> bool:
        return bool(grade.rubric) and not grade.skipped

    def compose(self) -> ComposeResult:
        grade = self.grade
        if grade.rubric_checked is None:
            yield Static("Compare with the senior's goal, then tick what your goal did (space), and record (enter on the button or ctrl+s):", classes="label")
            # Text, not str: a str prompt would be read as Textual markup.
            yield SelectionList[int](*[(inline_markdown(item), index) for index, item in enumerate(grade.rubric)], id="rubric")
            yield Button("Record ticks", id="record-ticks", tooltip="Your ticks count for half of the goal score")
        else:
            yield Static("Your self-check:", classes="label")
            for index, item in enumerate(grade.rubric):
                ticked = index in grade.rubric_checked
                yield Static(Text.assemble(("  ☑ " if ticked else "  ☐ ", "bold"), inline_markdown(item)), classes="rubric-item")

    def pending_ticks(self) -> tuple[int, ...] | None:
        """The ticks to record, when the rubric is still open."""
        lists = self.query("#rubric")
        if not lists:
            return None
        return tuple(sorted(lists.first(SelectionList).selected))

    @on(Button.Pressed, "#record-ticks")
    def _record(self, event: Button.Pressed) -> None:
        event.stop()
        ticks = self.pending_ticks()
        if ticks is not None:
            self.post_message(self.SelfChecked(self.step.id, ticks))
