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

from .prose import Prose


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
    DEFAULT_CLASSES = "grade-panel"

    @dataclass
    class SelfChecked(Message):
        step_id: str
        ticks: tuple[int, ...]

    def __init__(self, step: AnyStep, committed: Committed, grade: Grade) -> None:
        super().__init__()
        self.step, self.committed, self.grade = step, committed, grade

    def compose(self) -> ComposeResult:
        grade, committed = self.grade, self.committed
        yield Static(Text(describe_answer(committed, self.step), "bold"), classes="your-answer")
        answer = committed.answer
        words = getattr(answer, "text", "") if answer is not None else ""
        if words:
            yield Prose("> " + "\n> ".join(words.splitlines()), classes="prose learner-words")
        verdict = self._verdict()
        yield Static(verdict, classes="verdict")
        for reason in grade.reasons:
            if grade.ask_type.value == "goal":
                continue  # the lint is listed item by item below
            yield Static(Text("· " + reason), classes="reason")
        if grade.key_points_covered or grade.key_points_missed:
            yield Static("Key points the senior made:", classes="label")
            for point in grade.key_points_covered:
                yield Static(Text.assemble(("  ✓ ", "bold green"), point), classes="key-point covered")
            for point in grade.key_points_missed:
                yield Static(Text.assemble(("  ✗ ", "bold red"), point), classes="key-point missed")
        if grade.lint:
            yield Static("Checks on your goal:", classes="label")
            for check in grade.lint:
                mark = ("  ✓ ", "bold green") if check.passed else ("  ✗ ", "bold red")
                yield Static(Text.assemble(mark, (check.name + ": ", "bold"), check.hint), classes="lint")
        if grade.rubric and not grade.skipped:
            if grade.rubric_checked is None:
                yield Static("Compare with the senior's goal, then tick what your goal did (space), and record (enter on the button or ctrl+s):", classes="label")
                yield SelectionList[int](*[(item, index) for index, item in enumerate(grade.rubric)], id="rubric")
                yield Button("Record ticks", id="record-ticks", tooltip="Your ticks count for half of the goal score")
            else:
                yield Static("Your self-check:", classes="label")
                for index, item in enumerate(grade.rubric):
                    ticked = index in grade.rubric_checked
                    yield Static(Text.assemble(("  ☑ " if ticked else "  ☐ ", "bold"), item), classes="rubric-item")

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
