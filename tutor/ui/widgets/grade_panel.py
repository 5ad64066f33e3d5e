"""The learner's committed answer beside the truth: the grade, who judged it, and why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tutor.learn import ChoiceAnswer, Committed, GoalAnswer, Grade, InterveneAnswer, OutcomeAnswer, Verdict
from tutor.lesson import AnyStep, ChoiceAsk

from .prose import LearnerWords, Prose, inline_markdown
from ..plain import assemble, plain


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


VERDICT_MARKS = {
    Verdict.COVERED: ("  ✓ ", "bold green", "you said this"),
    Verdict.PARTLY: ("  ◐ ", "bold yellow", "partly"),
    Verdict.MISSED: ("  ✗ ", "bold red", "missed"),
    Verdict.CONTRADICTED: ("  ⊘ ", "bold red", "you said the opposite"),
    Verdict.UNSURE: ("  ? ", "bold", "not credited"),
}


class GradePanel(Vertical):
    """The grade of a revealed answer, verdict first (shown above the step it grades): who judged,
    and for each of the senior's points its verdict with the learner's own words as evidence."""

    DEFAULT_CLASSES = "grade-panel"

    def __init__(self, step: AnyStep, committed: Committed, grade: Grade, *, judging: bool = False) -> None:
        super().__init__()
        self.step, self.committed, self.grade = step, committed, grade
        self.judging = judging  # Claude is judging this answer now

    def compose(self) -> ComposeResult:
        grade, committed = self.grade, self.committed
        yield Static(self._verdict(), classes="verdict")
        # Only app words and a choice's option (lesson Markdown) are in this line.
        yield Static(inline_markdown(describe_answer(committed, self.step), "bold"), classes="your-answer")
        answer = committed.answer
        words = getattr(answer, "text", "") if answer is not None else ""
        if words:
            yield LearnerWords(words)  # what the learner typed, exactly as typed
        yield from self._reasons()
        if grade.accepted:
            yield Prose("**The senior accepts this too:** " + grade.accepted, classes="prose accepted")
        judgement = grade.judgement
        if judgement is not None and judgement.notice:
            yield Static(plain(judgement.notice, "italic"), classes="judge-notice")
        if grade.points and not grade.pending:
            label = "The senior's points" + (f" ({judgement.judge.label}):" if judgement is not None else ":")
            yield Static(plain(label), classes="label")
            yield from self._points()
            if judgement is not None and judgement.feedback:
                yield Static(plain(judgement.feedback), classes="judge-feedback")
        if grade.lint:
            yield Static("Tutor's checks on your goal (hints, not the score):", classes="label")
            for check in grade.lint:
                mark = ("  ✓ ", "bold green") if check.passed else ("  · ", "bold")
                yield Static(assemble(mark, (check.name + ": ", "bold"), check.hint), classes="lint")

    def _points(self) -> ComposeResult:
        grade = self.grade
        for index, (point, verdict) in enumerate(zip(grade.points, grade.verdicts(), strict=True)):
            mark, style, meaning = VERDICT_MARKS.get(verdict, ("  ✗ ", "bold red", "missed")) if verdict else ("  ✗ ", "bold red", "missed")
            line = assemble((mark, style), inline_markdown(point), (f"  ({meaning})", "dim"))
            yield Static(line, classes=f"key-point {verdict.value if verdict else 'missed'}")
            detail = self._detail(index)
            if detail is not None:
                yield Static(detail, classes="point-evidence")

    def _detail(self, index: int) -> Text | None:
        judgement = self.grade.judgement
        found = next((point for point in judgement.points if point.index == index), None) if judgement else None
        if found is None or not (found.evidence or found.note):
            return None
        text = plain("      ")
        if found.evidence:
            text.append("“" + " ".join(found.evidence.split()) + "”", "italic")
        if found.note:
            text.append(("  " if found.evidence else "") + found.note, "dim")
        return text

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
            # Tutor's words, with the senior's (lesson Markdown) quoted in them.
            yield Static(inline_markdown("· " + reason), classes="reason")

    def _verdict(self) -> Text:
        grade = self.grade
        if grade.skipped:
            return plain("Skipped: scores zero.", "bold yellow")
        who = ""
        if grade.judgement is not None and grade.points:
            who = f"  ·  {grade.judgement.judge.label}"
        elif grade.pending:
            who = "  ·  Claude is judging your answer…" if self.judging else "  ·  mark the senior's points below to finish"
        if grade.ask_type.value == "goal":
            score = "pending" if grade.pending else f"{grade.score:.0%}"
            return plain(f"Goal score {score}{who}", "bold")
        if grade.pending:
            return plain(f"◐ Right to step in{who}" if grade.decision_correct else f"◐ Waiting{who}", "bold yellow")
        if grade.correct and not grade.missed:
            return plain(f"✓ Right  ·  {grade.score:.0%}{who}", "bold green")
        if grade.decision_correct:
            return plain(f"◐ Right to step in  ·  {grade.score:.0%}{who}", "bold yellow")
        return plain(f"✗ Not what the senior did  ·  {grade.score:.0%}{who}", "bold red")
