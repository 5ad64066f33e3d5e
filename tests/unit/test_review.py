"""Spaced review of missed asks: SM-2 scheduling and the quality of a grade."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.learn import (
    AskFrame,
    ChoiceAnswer,
    GoalAnswer,
    InterveneAnswer,
    OutcomeAnswer,
    grade,
    new_card,
    quality,
    schedule,
    skipped,
)
from tutor.learn import review as review_module
from tutor.learn.review import MIN_EASE, Card, is_retired
from tutor.lesson import Category, Confidence

from tests.helpers.strategies import answer_specs, lessons, make_answer

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TODAY = date(2026, 11, 24)


def test_a_new_card_is_due_tomorrow() -> None:
    card = new_card("tests-that-lie", "s6", TODAY)
    assert card == Card("tests-that-lie", "s6", due=date(2026, 11, 25), ease=2.5, interval=0, repetitions=0, lapses=0)
    assert card.key == "tests-that-lie/s6"
    assert not card.is_due(TODAY) and card.is_due(TODAY + timedelta(days=1)) and card.is_due(TODAY + timedelta(days=30))


def test_successes_stretch_the_interval_1_6_then_by_the_ease() -> None:
    card = new_card("l", "s", TODAY)
    first = schedule(card, 5, TODAY)
    assert (first.interval, first.repetitions, first.due) == (1, 1, TODAY + timedelta(days=1))
    assert first.ease == pytest.approx(2.6)
    second = schedule(first, 5, first.due)
    assert (second.interval, second.repetitions, second.due) == (6, 2, first.due + timedelta(days=6))
    assert second.ease == pytest.approx(2.7)
    third = schedule(second, 5, second.due)
    assert third.ease == pytest.approx(2.8)
    assert third.interval == round(6 * third.ease) == 17
    assert third.due == second.due + timedelta(days=17)
    fourth = schedule(third, 4, third.due)  # a 4 keeps the ease
    assert fourth.ease == pytest.approx(2.8) and fourth.interval == round(17 * 2.8) == 48
    assert third.lapses == fourth.lapses == 0


def test_a_hesitant_success_lowers_the_ease() -> None:
    card = schedule(new_card("l", "s", TODAY), 3, TODAY)
    assert card.ease == pytest.approx(2.5 - 0.14) and card.interval == 1 and card.repetitions == 1


@pytest.mark.parametrize("q", [0, 1, 2])
def test_a_lapse_restarts_the_repetitions_and_keeps_the_ease(q: int) -> None:
    card = schedule(schedule(schedule(new_card("l", "s", TODAY), 5, TODAY), 3, TODAY), 5, TODAY)
    assert card.repetitions == 3 and card.interval > 6
    lapsed = schedule(card, q, TODAY)
    assert (lapsed.repetitions, lapsed.interval, lapsed.lapses) == (0, 1, 1)
    assert lapsed.ease == card.ease
    assert lapsed.due == TODAY + timedelta(days=1)
    again = schedule(lapsed, 5, TODAY)
    assert (again.interval, again.repetitions, again.lapses) == (1, 1, 1)
    assert schedule(again, 5, TODAY).interval == 6


@pytest.mark.parametrize("q", [-1, 6, 10])
def test_quality_must_be_0_to_5(q: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.5"):
        schedule(new_card("l", "s", TODAY), q, TODAY)


@PROPERTY
@given(qualities=st.lists(st.integers(0, 5), max_size=40), gaps=st.lists(st.integers(0, 60), min_size=40, max_size=40))
def test_the_ease_never_drops_below_its_floor(qualities: list[int], gaps: list[int]) -> None:
    card = new_card("l", "s", TODAY)
    today = TODAY
    successes = 0
    for q, gap in zip(qualities, gaps):
        today += timedelta(days=gap)
        before = card
        card = schedule(card, q, today)
        assert card.ease >= MIN_EASE
        assert card.interval >= 1 and card.due == today + timedelta(days=card.interval)
        successes = successes + 1 if q >= 3 else 0
        assert card.repetitions == successes
        assert card.lapses == before.lapses + (q < 3)
        assert (card.lesson_id, card.step_id) == ("l", "s")
        if q < 3:
            assert card.ease == before.ease
        if card.repetitions > 2:
            assert card.interval >= before.interval  # a success never shortens the wait


def test_the_ease_floor_is_reached_and_held() -> None:
    card = new_card("l", "s", TODAY)
    for _ in range(20):
        card = schedule(card, 3, TODAY)
    assert card.ease == MIN_EASE


def test_a_card_is_retired_after_a_month_long_interval() -> None:
    card = new_card("l", "s", TODAY)
    for _ in range(3):
        card = schedule(card, 5, TODAY)
    assert not is_retired(card)  # interval 17
    card = schedule(card, 5, TODAY)
    assert is_retired(card)
    assert not is_retired(schedule(card, 1, TODAY))


# ---------------------------------------------------------------- quality of a grade


def test_quality_maps_grades_to_sm2() -> None:
    from tests.helpers.hand_made import choice_step, correction_step, goal_step, marks, result_step
    from tutor.learn import Verdict

    assert quality(skipped(result_step(ok=True))) == 0
    assert quality(grade(result_step(ok=True), OutcomeAnswer(works=True))) == 5
    assert quality(grade(result_step(ok=True), OutcomeAnswer(works=False))) == 0
    assert quality(grade(choice_step(), ChoiceAnswer(index=1))) == 5
    assert quality(grade(choice_step(), ChoiceAnswer(index=2))) == 0
    # A goal: judged on its criteria, passing from half of them up.
    goal = GoalAnswer("Fix parse_date() in dates.py so tests pass; only touch dates.py")
    assert quality(grade(goal_step(), goal, marks(Verdict.COVERED, Verdict.COVERED))) == 5
    assert quality(grade(goal_step(), goal, marks(Verdict.PARTLY, Verdict.MISSED))) == 1  # 1/4: missed
    assert quality(grade(goal_step(), goal, marks(Verdict.MISSED, Verdict.CONTRADICTED))) == 0
    # Intervene: the right category, half the key points -> 0.875 -> 4.
    half = grade(correction_step(), InterveneAnswer(intervene=True, category=Category.TEST, text="fix the code instead"), marks(Verdict.MISSED, Verdict.COVERED))
    assert quality(half) == 4
    # Right to stop it, every point made, another category: not missed (never on the category alone).
    wrong_category = grade(
        correction_step(),
        InterveneAnswer(intervene=True, category=Category.SCOPE, text="the test encodes the requirement; fix the code, not the test"),
        marks(Verdict.COVERED, Verdict.COVERED),
    )
    assert wrong_category.score == 0.75 and not wrong_category.missed and quality(wrong_category) == 4
    assert quality(grade(correction_step(), InterveneAnswer(intervene=False))) == 0


@PROPERTY
@given(lesson=lessons(), spec=answer_specs)
def test_quality_agrees_with_missed(lesson, spec) -> None:
    for step in lesson.asks:
        for result in (grade(step, make_answer(step.ask, spec)), skipped(step)):
            q = quality(result)
            assert 0 <= q <= 5
            assert (q < 3) == result.missed  # a missed ask lapses; a good one moves on


# ---------------------------------------------------------------- posing a reviewed ask again


def test_a_review_stands_at_the_question_with_its_context_revealed() -> None:
    from tests.helpers.hand_made import make_lesson

    lesson = make_lesson()
    replay = review_module.review_replay(lesson, "s6")
    view = replay.view()
    assert isinstance(view.frame, AskFrame) and view.awaiting_answer
    assert view.frame.proposal == lesson.steps[4]
    assert [entry.number for entry in view.timeline] == [1, 2, 3, 4, 5] and view.hidden == 1
    assert "Stop: the test is the requirement" not in repr(view)
    result = replay.answer(InterveneAnswer(intervene=True, category=Category.TEST, confidence=Confidence.HIGH))
    assert result.category_correct and [g.step_id for g in replay.grades()] == ["s6"]
