"""The score card at the end of a lesson: how well the learner set goals, predicted and intervened."""

from __future__ import annotations

import msgspec

from tutor.lesson import AskType

from .grading import Grade


class Tally(msgspec.Struct, frozen=True):
    hits: float
    total: int

    @property
    def ratio(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        if not self.total:
            return "–"
        hits = f"{self.hits:g}" if self.hits != int(self.hits) else str(int(self.hits))
        return f"{hits}/{self.total}"


class ScoreCard(msgspec.Struct, frozen=True):
    asks: int
    answered: int
    skipped: int
    overall: float  # mean score over every ask, skips counting zero
    goal: Tally  # sum of goal scores over goal asks
    outcome: Tally
    decision: Tally  # intervene: let it run vs correct
    category: Tally  # of the asks where the senior corrected: same category chosen
    key_points: Tally  # of those asks' key points: how many the learner's words covered
    choice: Tally
    brier: float | None  # mean squared gap between stated confidence and being right; 0 is perfect
    calibration_n: int
    missed: tuple[str, ...]  # step ids that go to the review queue

    @property
    def calibration_label(self) -> str:
        if self.brier is None:
            return "not enough answers"
        if self.brier <= 0.1:
            return "well calibrated"
        if self.brier <= 0.25:
            return "fairly calibrated"
        return "overconfident or underconfident: compare your confidence with your hits"


def verdict_for_calibration(grade: Grade) -> bool | None:
    """What the learner's confidence was about: the outcome, the choice, or the decision to intervene."""
    if grade.skipped or grade.confidence is None:
        return None
    if grade.ask_type is AskType.INTERVENE:
        return grade.decision_correct
    if grade.ask_type in (AskType.OUTCOME, AskType.CHOICE):
        return grade.correct
    return None


def brier_score(pairs: list[tuple[float, bool]]) -> float | None:
    if not pairs:
        return None
    return sum((p - (1.0 if hit else 0.0)) ** 2 for p, hit in pairs) / len(pairs)


def score_card(grades: list[Grade], total_asks: int) -> ScoreCard:
    by_type: dict[AskType, list[Grade]] = {kind: [] for kind in AskType}
    for grade in grades:
        by_type[grade.ask_type].append(grade)

    interventions = by_type[AskType.INTERVENE]
    corrected = [g for g in interventions if g.senior_intervened]
    # Points judged so far, each counted by its credit (a partly is half), and a skip's points as
    # missed; a wrong decision's points and pending ones are not counted (nothing was said to judge).
    judged = [g for g in corrected if g.points and (g.judgement is not None or g.skipped)]
    key_points_total = sum(len(g.points) for g in judged)
    key_points_hits = round(sum(g.judgement.credit() * len(g.points) for g in judged if g.judgement is not None), 6)
    calibration = [
        (grade.confidence.probability, verdict)
        for grade in grades
        if grade.confidence is not None and (verdict := verdict_for_calibration(grade)) is not None
    ]
    return ScoreCard(
        asks=total_asks,
        answered=sum(not g.skipped for g in grades),
        skipped=sum(g.skipped for g in grades),
        overall=sum(g.score for g in grades) / total_asks if total_asks else 0.0,
        goal=Tally(round(sum(g.score for g in by_type[AskType.GOAL]), 6), len(by_type[AskType.GOAL])),
        outcome=Tally(sum(bool(g.correct) for g in by_type[AskType.OUTCOME]), len(by_type[AskType.OUTCOME])),
        decision=Tally(sum(bool(g.decision_correct) for g in interventions), len(interventions)),
        category=Tally(sum(bool(g.category_correct) for g in corrected), len(corrected)),
        key_points=Tally(key_points_hits, key_points_total),
        choice=Tally(sum(bool(g.correct) for g in by_type[AskType.CHOICE]), len(by_type[AskType.CHOICE])),
        brier=brier_score(calibration),
        calibration_n=len(calibration),
        missed=tuple(g.step_id for g in grades if g.missed),
    )
