"""Offline graders, one per ask type. Deterministic: the same answer always gets the same grade."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tutor.lesson import (
    AnyStep,
    AskType,
    Category,
    ChoiceAsk,
    Confidence,
    CorrectionStep,
    GoalAsk,
    GoalStep,
    InterveneAsk,
    ResultStep,
)

from .answers import Answer, ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer
from .fuzzy import content_words, coverage
from .goal_lint import LintCheck, lint_goal

# Weights of an intervene grade when the senior did intervene: deciding to stop the
# agent is what matters most; naming why and saying it well come after.
DECISION_WEIGHT, CATEGORY_WEIGHT, KEY_POINTS_WEIGHT = 0.5, 0.25, 0.25
GOAL_PASS = 0.5


class AnswerMismatch(ValueError):
    """An answer of the wrong type for the ask, or out of range."""


@dataclass(frozen=True)
class Grade:
    step_id: str
    ask_type: AskType
    score: float  # 0..1
    skipped: bool = False
    # A yes/no verdict where the ask has one (outcome, choice, intervene: decision and
    # category); None for a goal, which is judged on a scale.
    correct: bool | None = None
    confidence: Confidence | None = None
    decision_correct: bool | None = None
    category_correct: bool | None = None
    senior_intervened: bool | None = None
    senior_category: Category | None = None
    key_points_covered: tuple[str, ...] = ()
    key_points_missed: tuple[str, ...] = ()
    lint: tuple[LintCheck, ...] = ()
    rubric: tuple[str, ...] = ()
    rubric_checked: tuple[int, ...] | None = None
    reasons: tuple[str, ...] = field(default=())

    @property
    def missed(self) -> bool:
        """Whether this ask should come back for review."""
        if self.skipped:
            return True
        if self.correct is not None:
            return not self.correct
        return self.score < GOAL_PASS


def grade(step: AnyStep, answer: Answer) -> Grade:
    ask = step.ask
    if ask is None:
        raise AnswerMismatch(f"step {step.id} has no ask")
    if answer.type.value != ask.type:
        raise AnswerMismatch(f"step {step.id} asks {ask.type}, got a {answer.type.value} answer")
    if isinstance(answer, GoalAnswer):
        return _grade_goal(step, ask, answer)
    if isinstance(answer, OutcomeAnswer):
        return _grade_outcome(step, answer)
    if isinstance(answer, InterveneAnswer):
        return _grade_intervene(step, ask, answer)
    return _grade_choice(step, ask, answer)


def skipped(step: AnyStep) -> Grade:
    ask = step.ask
    if ask is None:
        raise AnswerMismatch(f"step {step.id} has no ask")
    # Like `grade`: the senior's decision and category belong to an intervene ask only.
    senior_category = step.category if isinstance(step, CorrectionStep) and ask.type == "intervene" else None
    return Grade(
        step_id=step.id,
        ask_type=AskType(ask.type),
        score=0.0,
        skipped=True,
        senior_intervened=_senior_intervened(step) if ask.type == "intervene" else None,
        senior_category=senior_category,
        # Key points are what the senior said when stepping in; where they let it run there were none to miss.
        key_points_missed=tuple(ask.key_points) if isinstance(ask, InterveneAsk) and _senior_intervened(step) else (),
        rubric=_rubric(step, ask) if isinstance(ask, GoalAsk) else (),
        reasons=("Skipped: scores zero; the step is revealed.",),
    )


def _senior_intervened(step: AnyStep) -> bool:
    return isinstance(step, CorrectionStep)


# ---------------------------------------------------------------- goal


def _rubric(step: AnyStep, ask: GoalAsk) -> tuple[str, ...]:
    if ask.rubric:
        return tuple(ask.rubric)
    return tuple(step.criteria) if isinstance(step, GoalStep) else ()


def _grade_goal(step: AnyStep, ask: GoalAsk, answer: GoalAnswer) -> Grade:
    checks = lint_goal(answer.text)
    lint_score = sum(check.passed for check in checks) / len(checks)
    reasons = tuple(check.hint for check in checks)
    return Grade(
        step_id=step.id,
        ask_type=AskType.GOAL,
        score=lint_score,
        confidence=answer.confidence,
        lint=checks,
        rubric=_rubric(step, ask),
        reasons=reasons,
    )


def apply_self_check(grade_: Grade, checked: tuple[int, ...]) -> Grade:
    """The learner ticks which rubric items their goal met; the score becomes half lint, half rubric."""
    if grade_.ask_type is not AskType.GOAL or grade_.skipped:
        raise AnswerMismatch("only an answered goal ask has a rubric to tick")
    ticks = tuple(sorted({index for index in checked if 0 <= index < len(grade_.rubric)}))
    lint_score = sum(check.passed for check in grade_.lint) / len(grade_.lint) if grade_.lint else 0.0
    rubric_score = len(ticks) / len(grade_.rubric) if grade_.rubric else lint_score
    return replace(grade_, rubric_checked=ticks, score=(lint_score + rubric_score) / 2)


# ---------------------------------------------------------------- outcome and choice


def _grade_outcome(step: AnyStep, answer: OutcomeAnswer) -> Grade:
    if not isinstance(step, ResultStep):
        raise AnswerMismatch(f"step {step.id}: an outcome ask stands on a result step")
    right = answer.works == step.ok
    actual = "worked" if step.ok else "failed"
    code = f" (exit code {step.exit_code})" if step.exit_code is not None else ""
    return Grade(
        step_id=step.id,
        ask_type=AskType.OUTCOME,
        score=1.0 if right else 0.0,
        correct=right,
        confidence=answer.confidence,
        reasons=(f"{'Right' if right else 'Wrong'}: it {actual}{code}.",),
    )


def _grade_choice(step: AnyStep, ask: ChoiceAsk, answer: ChoiceAnswer) -> Grade:
    if not 0 <= answer.index < len(ask.options):
        raise AnswerMismatch(f"choice {answer.index} is out of range (0 to {len(ask.options) - 1})")
    right = answer.index == ask.answer
    reasons = [f"{'Right' if right else 'Wrong'}: the answer is “{ask.options[ask.answer]}”."]
    if ask.explain:
        reasons.append(ask.explain)
    return Grade(
        step_id=step.id,
        ask_type=AskType.CHOICE,
        score=1.0 if right else 0.0,
        correct=right,
        confidence=answer.confidence,
        reasons=tuple(reasons),
    )


# ---------------------------------------------------------------- intervene


def _grade_intervene(step: AnyStep, ask: InterveneAsk, answer: InterveneAnswer) -> Grade:
    senior = _senior_intervened(step)
    decision_right = answer.intervene == senior
    senior_category = step.category if isinstance(step, CorrectionStep) else None
    if not senior:
        reason = "Right: the senior let it run." if decision_right else "The senior let it run: this proposal was fine."
        return Grade(
            step_id=step.id,
            ask_type=AskType.INTERVENE,
            score=1.0 if decision_right else 0.0,
            correct=decision_right,
            confidence=answer.confidence,
            decision_correct=decision_right,
            senior_intervened=False,
            reasons=(reason,),
        )
    if not decision_right:
        return Grade(
            step_id=step.id,
            ask_type=AskType.INTERVENE,
            score=0.0,
            correct=False,
            confidence=answer.confidence,
            decision_correct=False,
            category_correct=False,
            senior_intervened=True,
            senior_category=senior_category,
            key_points_missed=tuple(ask.key_points),
            reasons=(f"The senior stopped the agent here ({senior_category.value}: {senior_category.meaning}).",),
        )
    answer_words = content_words(answer.text)
    covered = tuple(point for point in ask.key_points if coverage(point, answer_words))
    missed = tuple(point for point in ask.key_points if point not in covered)
    category_right = answer.category == senior_category
    points_score = len(covered) / len(ask.key_points) if ask.key_points else 1.0
    score = DECISION_WEIGHT + CATEGORY_WEIGHT * category_right + KEY_POINTS_WEIGHT * points_score
    reasons = ["Right to stop it."]
    if category_right:
        reasons.append(f"Same category as the senior: {senior_category.value}.")
    else:
        given = answer.category.value if answer.category else "none"
        reasons.append(f"The senior chose {senior_category.value} ({senior_category.meaning}); you chose {given}.")
    if ask.key_points:
        reasons.append(f"Your words covered {len(covered)} of {len(ask.key_points)} key points.")
    return Grade(
        step_id=step.id,
        ask_type=AskType.INTERVENE,
        score=round(score, 6),
        correct=category_right,
        confidence=answer.confidence,
        decision_correct=True,
        category_correct=category_right,
        senior_intervened=True,
        senior_category=senior_category,
        key_points_covered=covered,
        key_points_missed=missed,
        reasons=tuple(reasons),
    )
