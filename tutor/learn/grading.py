"""Grades, one rule per ask type. Pure and deterministic: the same answer and judgement always give the same grade.

Exact where the truth is exact (an outcome, a choice, the decision to step in). Free text
(an intervene message, a goal) is judged point by point against the senior's points by a
judge (`tutor.learn.judging`): until a judgement is given, its grade is `pending` and its
points count for nothing. Tutor's own word matcher never judges.

An intervene answer is right when its decision is the senior's or one the ask `accept`s;
its category earns full credit when it is the senior's or an accepted one, half when the
ask names it `related`. An answer is *missed* (it goes to review) when the decision is
wrong, or when its points are mostly missed or contradicted: never on the category alone.
"""

from __future__ import annotations

from enum import Enum

import msgspec
from msgspec.structs import replace

from tutor.lesson import (
    Accept,
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
from .goal_lint import LintCheck, lint_goal
from .judging import Judge, Judgement, Verdict, checked

# Weights of an intervene grade when the senior did intervene: deciding to stop the
# agent is what matters most; naming why and saying it well come after.
DECISION_WEIGHT, CATEGORY_WEIGHT, KEY_POINTS_WEIGHT = 0.5, 0.25, 0.25
RELATED_CREDIT = 0.5
GOAL_PASS = 0.5


class AnswerMismatch(ValueError):
    """An answer of the wrong type for the ask, or out of range, or a judgement that does not fit."""


class CategoryMatch(str, Enum):
    SAME = "same"  # the senior's own category
    ACCEPTED = "accepted"  # another the ask accepts as right too
    RELATED = "related"  # one the ask names as near the senior's: half credit
    DIFFERENT = "different"


CATEGORY_CREDIT = {CategoryMatch.SAME: 1.0, CategoryMatch.ACCEPTED: 1.0, CategoryMatch.RELATED: RELATED_CREDIT, CategoryMatch.DIFFERENT: 0.0}


class Grade(msgspec.Struct, frozen=True):
    step_id: str
    ask_type: AskType
    score: float  # 0..1; a pending judgement counts its points as nothing yet
    skipped: bool = False
    # A yes/no verdict where the ask has one (outcome, choice, intervene: the decision and a
    # right category); None for a goal, which is judged on a scale.
    correct: bool | None = None
    confidence: Confidence | None = None
    decision_correct: bool | None = None
    category_match: CategoryMatch | None = None  # intervene, when the learner stepped in where stepping in was right
    senior_intervened: bool | None = None
    senior_category: Category | None = None
    accepted: str = ""  # the senior's words on why the learner's other answer is right too
    points: tuple[str, ...] = ()  # the senior's points the answer is judged against
    judgement: Judgement | None = None
    lint: tuple[LintCheck, ...] = ()  # a goal's cue checks: hints, never the score
    reasons: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        """The answer's points await a judge (Claude, or the learner's own check)."""
        return bool(self.points) and self.judgement is None and not self.skipped and self.decision_correct is not False

    @property
    def category_correct(self) -> bool | None:
        if self.category_match is None:
            return None
        return self.category_match in (CategoryMatch.SAME, CategoryMatch.ACCEPTED)

    def verdicts(self) -> tuple[Verdict | None, ...]:
        """Each point's verdict in order (None while pending)."""
        if self.judgement is None:
            return tuple(None for _ in self.points)
        by_index = {point.index: point.verdict for point in self.judgement.points}
        return tuple(by_index.get(index) for index in range(len(self.points)))

    @property
    def key_points_covered(self) -> tuple[str, ...]:
        return tuple(point for point, verdict in zip(self.points, self.verdicts(), strict=True) if verdict in (Verdict.COVERED, Verdict.PARTLY))

    @property
    def key_points_missed(self) -> tuple[str, ...]:
        return tuple(point for point, verdict in zip(self.points, self.verdicts(), strict=True) if verdict not in (Verdict.COVERED, Verdict.PARTLY))

    @property
    def missed(self) -> bool:
        """Whether this ask should come back for review."""
        if self.skipped:
            return True
        if self.ask_type in (AskType.OUTCOME, AskType.CHOICE):
            return not self.correct
        if self.ask_type is AskType.GOAL:
            return not self.pending and self.score < GOAL_PASS  # a goal is judged on a scale: below half
        if not self.decision_correct:
            return True
        return self.judgement is not None and bool(self.points) and self.judgement.mostly_missed()


def grade(step: AnyStep, answer: Answer, judgement: Judgement | None = None) -> Grade:
    """The grade of `answer`; with `judgement`, its points as judged (checked against the answer)."""
    ask = step.ask
    if ask is None:
        raise AnswerMismatch(f"step {step.id} has no ask")
    if answer.type.value != ask.type:
        raise AnswerMismatch(f"step {step.id} asks {ask.type}, got a {answer.type.value} answer")
    # The types agree (checked above); the isinstance pairs say so to the type checker.
    if isinstance(answer, GoalAnswer) and isinstance(ask, GoalAsk):
        return _judged(_grade_goal(step, ask, answer), answer.text, judgement)
    if isinstance(answer, OutcomeAnswer):
        return _grade_outcome(step, answer)
    if isinstance(answer, InterveneAnswer) and isinstance(ask, InterveneAsk):
        return _judged(_grade_intervene(step, ask, answer), answer.text, judgement)
    if isinstance(answer, ChoiceAnswer) and isinstance(ask, ChoiceAsk):
        return _grade_choice(step, ask, answer)
    raise AnswerMismatch(f"step {step.id} asks {ask.type}, got a {answer.type.value} answer")


def skipped(step: AnyStep) -> Grade:
    ask = step.ask
    if ask is None:
        raise AnswerMismatch(f"step {step.id} has no ask")
    intervene = ask.type == "intervene"
    senior_stepped_in = isinstance(step, CorrectionStep)
    points: tuple[str, ...] = ()
    if isinstance(ask, GoalAsk):
        points = goal_points(step, ask)
    elif isinstance(ask, InterveneAsk) and senior_stepped_in:
        points = tuple(ask.key_points)  # what the senior said when stepping in; letting it run had none
    return Grade(
        step_id=step.id,
        ask_type=AskType(ask.type),
        score=0.0,
        skipped=True,
        senior_intervened=senior_stepped_in if intervene else None,
        senior_category=step.category if intervene and isinstance(step, CorrectionStep) else None,
        points=points,
        reasons=("Skipped: scores zero; the step is revealed.",),
    )


def _judged(result: Grade, answer_text: str, judgement: Judgement | None) -> Grade:
    if judgement is None or not result.pending:
        return result  # nothing to judge: no points, or the decision was already wrong
    if judgement.judge is not Judge.SELF:
        # A judge's claim counts only where it quotes the learner; the learner's own marks need no quote.
        judgement = checked(judgement, answer_text, len(result.points))
    elif len(judgement.points) != len(result.points) or sorted(p.index for p in judgement.points) != list(range(len(result.points))):
        raise AnswerMismatch(f"a self-check marks {len(judgement.points)} points; this answer has {len(result.points)}")
    return _rescore(replace(result, judgement=judgement))


def _rescore(result: Grade) -> Grade:
    credit = result.judgement.credit() if result.judgement is not None else 0.0
    if result.ask_type is AskType.GOAL:
        return replace(result, score=round(credit, 6))
    if result.ask_type is AskType.INTERVENE and result.decision_correct and result.points:
        category = CATEGORY_CREDIT[result.category_match] if result.category_match is not None else 1.0
        return replace(result, score=round(DECISION_WEIGHT + CATEGORY_WEIGHT * category + KEY_POINTS_WEIGHT * credit, 6))
    return result


# ---------------------------------------------------------------- goal


def goal_points(step: AnyStep, ask: GoalAsk) -> tuple[str, ...]:
    """What a goal is judged against: the senior's criteria for it, else the ask's rubric."""
    if isinstance(step, GoalStep) and step.criteria:
        return tuple(step.criteria)
    return tuple(ask.rubric)


def _grade_goal(step: AnyStep, ask: GoalAsk, answer: GoalAnswer) -> Grade:
    checks = lint_goal(answer.text)
    points = goal_points(step, ask)
    if points:
        reasons: tuple[str, ...] = ()
        score = 0.0
    else:
        # Nothing of the senior's to judge against: the cue checks are all there is, and say so.
        score = sum(check.passed for check in checks) / len(checks)
        reasons = ("This lesson gives no criteria for its goal: the score is Tutor's goal checks only.",)
    return Grade(step_id=step.id, ask_type=AskType.GOAL, score=score, confidence=answer.confidence, points=points, lint=checks, reasons=reasons)


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


def accepted_entry(ask: InterveneAsk, answer: InterveneAnswer) -> Accept | None:
    """The ask's `accept` entry that makes this answer right, if any (a named category first)."""
    for entry in ask.accept:
        if entry.intervene == answer.intervene and entry.category is not None and entry.category == answer.category:
            return entry
    for entry in ask.accept:
        if entry.intervene == answer.intervene and entry.category is None:
            return entry
    return None


def _grade_intervene(step: AnyStep, ask: InterveneAsk, answer: InterveneAnswer) -> Grade:
    senior = isinstance(step, CorrectionStep)
    senior_category = step.category if isinstance(step, CorrectionStep) else None
    base = Grade(
        step_id=step.id,
        ask_type=AskType.INTERVENE,
        score=0.0,
        confidence=answer.confidence,
        senior_intervened=senior,
        senior_category=senior_category,
    )
    own_answer = answer.intervene == senior and (not senior or answer.category == senior_category)
    # The accept entry this answer takes: the one naming its category, else one for its decision.
    entry = None if own_answer else accepted_entry(ask, answer)
    if entry is None and answer.intervene != senior:
        entry = next((other for other in ask.accept if other.intervene == answer.intervene), None)
    decision_right = answer.intervene == senior or entry is not None
    if not decision_right:
        if senior_category is not None:
            why = f"The senior stopped the agent here ({senior_category.value}: {senior_category.meaning})."
        else:
            why = "The senior let it run: this proposal was fine."
        return replace(base, correct=False, decision_correct=False, points=tuple(ask.key_points) if senior else (), reasons=(why,))

    if not answer.intervene:
        # Letting it run, as the senior did, or as the ask accepts: nothing more to say.
        reasons = ("Right: the senior let it run.",) if not senior else ("Letting it run is right here too.",)
        return replace(base, score=1.0, correct=True, decision_correct=True, accepted=entry.why if entry else "", reasons=reasons)

    match = _category_match(ask, answer, senior_category, entry)
    points = tuple(entry.key_points) if entry is not None and entry.key_points else tuple(ask.key_points)
    said = ["Right to stop it." if senior else "Stepping in is right here too."]
    if senior and match is not CategoryMatch.SAME:
        said.append(_category_reason(answer.category, senior_category, match, getattr(step, "why", "")))
    elif not senior and match is CategoryMatch.DIFFERENT and entry is not None and entry.category is not None:
        said.append(f"The catch the senior means is one of {entry.category.value} ({entry.category.meaning}).")
    category_credit = CATEGORY_CREDIT[match]
    score = DECISION_WEIGHT + CATEGORY_WEIGHT * category_credit + (0.0 if points else KEY_POINTS_WEIGHT)
    return replace(
        base,
        score=round(score, 6),
        correct=match in (CategoryMatch.SAME, CategoryMatch.ACCEPTED),
        decision_correct=True,
        category_match=match,
        accepted=entry.why if entry else "",
        points=points,
        reasons=tuple(said),
    )


def _category_match(ask: InterveneAsk, answer: InterveneAnswer, senior: Category | None, entry: Accept | None) -> CategoryMatch:
    if senior is not None and answer.category == senior:
        return CategoryMatch.SAME
    if entry is not None and entry.intervene and entry.category in (None, answer.category):
        return CategoryMatch.ACCEPTED  # a category it names as right too, or a catch in any category
    if answer.category is not None and answer.category in ask.related:
        return CategoryMatch.RELATED
    return CategoryMatch.DIFFERENT


def _category_reason(given: Category | None, senior: Category | None, match: CategoryMatch, why: str = "") -> str:
    """One line on the categories when the learner's differs: why the senior's fits (their own first sentence, if they gave one)."""
    assert senior is not None
    mine = given.value if given else "no category"
    if match is CategoryMatch.ACCEPTED:
        return f"The senior filed it under {senior.value}; {mine} is right here too."
    because = _first_sentence(why)
    fits = f": {because}" if because else f" ({senior.meaning})."
    if match is CategoryMatch.RELATED:
        return f"The senior filed it under {senior.value}{fits} {mine.capitalize()} is close: half the category's credit."
    return f"The senior filed it under {senior.value}, not {mine}{fits} The category is a quarter of the grade; the decision counts most."


def _first_sentence(text: str, limit: int = 240) -> str:
    """The first sentence of the senior's why (lesson Markdown, as written), ending in its full stop."""
    plain = " ".join(text.split())
    if not plain:
        return ""
    end = next((i + 1 for i, char in enumerate(plain) if char in ".!?" and (i + 1 == len(plain) or plain[i + 1] == " ")), len(plain))
    sentence = plain[:end] if end <= limit else plain[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."
