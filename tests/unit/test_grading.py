"""Offline grading, goal lint, typo-tolerant key points, and the score card."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tutor.learn import (
    AnswerMismatch,
    ChoiceAnswer,
    GoalAnswer,
    Grade,
    InterveneAnswer,
    OutcomeAnswer,
    Judge,
    Judgement,
    PointVerdict,
    Replay,
    Verdict,
    grade,
    score_card,
    skipped,
)
from tutor.learn.fuzzy import content_words, coverage, edit_distance, word_matches
from tutor.learn.goal_lint import lint_goal
from tutor.learn.scoring import Tally, brier_score
from tutor.lesson import (
    AskType,
    Category,
    Confidence,
    NoteStep,
    OutcomeAsk,
)

from tests.helpers.hand_made import KEY_POINTS, choice_step, correction_step, goal_step, marks, result_step
from tests.helpers.strategies import answer_specs, lessons, make_answer

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# ---------------------------------------------------------------- every grader


@PROPERTY
@given(lesson=lessons(), spec=answer_specs)
def test_grades_are_deterministic(lesson, spec) -> None:
    for step in lesson.asks:
        answer = make_answer(step.ask, spec)
        first = grade(step, answer)
        assert grade(step, answer) == first
        assert 0.0 <= first.score <= 1.0
        assert first.step_id == step.id and first.ask_type is AskType(step.ask.type)
        assert first.confidence is spec.confidence and not first.skipped
        skip = skipped(step)
        assert skipped(step) == skip
        # A skip reveals the same truth an answer would have been graded against.
        assert (skip.senior_intervened, skip.senior_category) == (first.senior_intervened, first.senior_category)
        if step.ask.type == "goal" or first.decision_correct:
            assert skip.points == first.points
        # Judged by the learner's own marks, every point at every verdict, the grade stays in range
        # and the judgement is kept as given.
        if first.pending:
            for verdict in Verdict:
                judged = grade(step, answer, marks(*[verdict] * len(first.points)))
                assert 0.0 <= judged.score <= 1.0 and not judged.pending and judged.judgement.judge is Judge.SELF
                assert judged.score >= first.score


@PROPERTY
@given(lesson=lessons(), spec=answer_specs)
def test_a_skip_scores_zero_and_is_missed(lesson, spec) -> None:
    for step in lesson.asks:
        result = skipped(step)
        assert result.score == 0.0 and result.skipped and result.missed
        assert result.confidence is None and result.correct is None
        assert grade(step, make_answer(step.ask, spec)).score >= result.score


def test_an_answer_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(AnswerMismatch):
        grade(result_step(ok=True), ChoiceAnswer(index=0))
    with pytest.raises(AnswerMismatch):
        grade(goal_step(), OutcomeAnswer(works=True))
    plain = NoteStep(id="p", text="no ask")
    with pytest.raises(AnswerMismatch, match="no ask"):
        grade(plain, ChoiceAnswer(index=0))
    with pytest.raises(AnswerMismatch, match="no ask"):
        skipped(plain)


# ---------------------------------------------------------------- outcome


def test_outcome_is_graded_against_ok_exactly() -> None:
    failed = result_step(ok=False, exit_code=1)
    right = grade(failed, OutcomeAnswer(works=False, confidence=Confidence.HIGH))
    assert (right.score, right.correct, right.missed) == (1.0, True, False)
    assert right.reasons == ("Right: it failed (exit code 1).",)
    wrong = grade(failed, OutcomeAnswer(works=True))
    assert (wrong.score, wrong.correct, wrong.missed) == (0.0, False, True)
    assert wrong.reasons == ("Wrong: it failed (exit code 1).",)
    worked = grade(result_step(ok=True, exit_code=None), OutcomeAnswer(works=True))
    assert worked.correct and worked.reasons == ("Right: it worked.",)


def test_an_outcome_ask_needs_a_result_step() -> None:
    odd = NoteStep(id="n", text="…", annotation=None, ask=OutcomeAsk())  # structs are not validated when built
    with pytest.raises(AnswerMismatch, match="result step"):
        grade(odd, OutcomeAnswer(works=True))


# ---------------------------------------------------------------- choice


def test_choice_is_graded_exactly() -> None:
    step = choice_step()
    right = grade(step, ChoiceAnswer(index=1))
    assert (right.score, right.correct) == (1.0, True)
    assert right.reasons == ("Right: the answer is “the code”.", "The code let totals go negative.")
    for index in (0, 2):
        wrong = grade(step, ChoiceAnswer(index=index))
        assert (wrong.score, wrong.correct, wrong.missed) == (0.0, False, True)
        assert wrong.reasons[0] == "Wrong: the answer is “the code”."


@pytest.mark.parametrize("index", [-1, 3, 99])
def test_a_choice_out_of_range_is_refused(index: int) -> None:
    with pytest.raises(AnswerMismatch, match="out of range"):
        grade(choice_step(), ChoiceAnswer(index=index))


# ---------------------------------------------------------------- intervene


def test_intervening_with_the_seniors_category_and_points_scores_full_once_judged() -> None:
    answer = InterveneAnswer(intervene=True, category=Category.TEST, text="The test encodes the requirement: fix the code, not the test.")
    pending = grade(correction_step(), answer)
    assert pending.pending and pending.points == tuple(KEY_POINTS) and pending.judgement is None
    assert pending.score == 0.75  # the decision and the category; the points count once judged
    assert pending.decision_correct and pending.category_correct and pending.senior_intervened and not pending.missed
    result = grade(correction_step(), answer, marks(Verdict.COVERED, Verdict.COVERED))
    assert result.score == 1.0 and result.correct and not result.missed and not result.pending
    assert result.key_points_covered == tuple(KEY_POINTS) and result.key_points_missed == ()


def test_intervene_weights_decision_category_and_points() -> None:
    step = correction_step()
    decision_only = grade(step, InterveneAnswer(intervene=True, category=Category.STYLE, text="this looks off"), marks(Verdict.MISSED, Verdict.MISSED))
    assert decision_only.score == 0.5
    assert decision_only.decision_correct and not decision_only.category_correct
    assert decision_only.missed  # the points are mostly missed (never the category alone)
    assert "not style" in decision_only.reasons[1]

    category_only_wrong = grade(step, InterveneAnswer(intervene=True, category=Category.STYLE, text="…"), marks(Verdict.COVERED, Verdict.COVERED))
    assert category_only_wrong.score == 0.75 and not category_only_wrong.missed  # a different category alone is not a miss

    half = grade(step, InterveneAnswer(intervene=True, category=Category.TEST, text="fix the code instead"), marks(Verdict.COVERED, Verdict.MISSED))
    assert half.score == 0.875 and half.correct and not half.missed
    partly = grade(step, InterveneAnswer(intervene=True, category=Category.TEST, text="…"), marks(Verdict.PARTLY, Verdict.PARTLY))
    assert partly.score == 0.875 and not partly.missed
    one_of_two = grade(step, InterveneAnswer(intervene=True, category=Category.TEST, text="…"), marks(Verdict.CONTRADICTED, Verdict.PARTLY))
    assert one_of_two.score == 0.75 + 0.25 * 0.25 and not one_of_two.missed  # half missed is not mostly
    contradicted = grade(step, InterveneAnswer(intervene=True, category=Category.TEST, text="…"), marks(Verdict.CONTRADICTED, Verdict.MISSED))
    assert contradicted.score == 0.75 and contradicted.missed


def test_letting_it_run_when_the_senior_stopped_it_scores_zero() -> None:
    result = grade(correction_step(), InterveneAnswer(intervene=False, category=Category.TEST, text="the test encodes the requirement"))
    assert result.score == 0.0 and not result.correct and result.missed and not result.pending
    assert result.decision_correct is False
    assert result.key_points_covered == () and result.key_points_missed == tuple(KEY_POINTS)
    assert result.senior_category is Category.TEST
    assert "test: tests missing, or gamed to pass" in result.reasons[0]


def test_without_key_points_the_words_do_not_count_against() -> None:
    result = grade(correction_step(key_points=[]), InterveneAnswer(intervene=True, category=Category.TEST))
    assert result.score == 1.0 and not result.pending


def test_let_it_run_is_the_truth_on_a_result() -> None:
    step = result_step(ok=True, ask="intervene")
    right = grade(step, InterveneAnswer(intervene=False, confidence=Confidence.LOW))
    assert (right.score, right.correct, right.decision_correct, right.senior_intervened) == (1.0, True, True, False)
    assert right.reasons == ("Right: the senior let it run.",)
    assert right.category_correct is None and right.senior_category is None
    wrong = grade(step, InterveneAnswer(intervene=True, category=Category.SAFETY, text="ignored"))
    assert (wrong.score, wrong.correct, wrong.decision_correct) == (0.0, False, False)
    assert wrong.points == () and not wrong.pending  # key points are about a correction; there was none
    skip = skipped(step)
    assert skip.senior_intervened is False and skip.key_points_missed == () and skip.missed


# ---------------------------------------------------------------- key points, typo-tolerant


@pytest.mark.parametrize(
    "words",
    [
        "the test encodes the requirement",
        "the tset encodes the requirment",
        "The TEST encodes the REQUIREMENTS!",
        "that test is encoding a requirement",
    ],
)
def test_a_key_point_is_covered_despite_typos_and_inflection(words: str) -> None:
    assert coverage("the test encodes the requirement", content_words(words))


@pytest.mark.parametrize(
    "words",
    ["", "let me refactor the logging module", "looks fine, let it run", "the parser needs a cache"],
)
def test_a_key_point_is_not_covered_by_unrelated_words(words: str) -> None:
    assert not coverage("the test encodes the requirement", content_words(words))


def test_fuzzy_matching_is_strict_on_short_words() -> None:
    assert not word_matches("cat", "car")  # no edits allowed for short words
    assert word_matches("test", "tset")  # one transposition
    assert not word_matches("test", "best")  # a different word, not a typo
    assert word_matches("requirement", "requiremnet")
    assert not word_matches("requirement", "refinement")
    assert edit_distance("abcdef", "abcdef", 1) == 0
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("a", "abcdefgh", 2) == 3  # capped at limit + 1
    assert content_words("Don't touch the tests") == ["not", "touch", "test"]
    assert not coverage("the a an", content_words("the a an"))  # no content words: never covered


# ---------------------------------------------------------------- goal lint and self-check


@pytest.mark.parametrize(
    ("text", "done", "scope", "concrete"),
    [
        ("Make test_parse pass", True, False, False),
        ("Refactor the parser in parse.py", False, False, False),
        ("Keep the change minimal", False, True, False),
        ("Only touch parse.py", False, True, False),
        ("Fix the parser and make tests pass", True, False, False),
        ("Fix parse_date() in dates.py so tests pass", True, False, True),
        ("Traceback in the parser on empty input: fix it", False, False, True),
        ("Exception raised by the parser on empty input", False, False, True),
        ("Make the code nicer and cleaner for everybody", False, False, False),
        ("fix parse_date()", False, False, False),  # concrete, but too short to be a goal
        (
            "Make `test_coupon_never_makes_total_negative` pass by fixing invoice_total in ledger/totals.py; "
            "do not edit any test. Done when python -m pytest -q is green.",
            True,
            True,
            True,
        ),
    ],
)
def test_goal_lint(text: str, done: bool, scope: bool, concrete: bool) -> None:
    checks = {check.name: check for check in lint_goal(text)}
    assert list(checks) == ["done", "scope", "concrete"]
    assert (checks["done"].passed, checks["scope"].passed, checks["concrete"].passed) == (done, scope, concrete)
    for check in checks.values():
        assert check.hint  # a failing check says what to add; a passing one says what it saw
        assert (check.hint.split()[0] in ("Say", "Bound", "Name")) != check.passed


def test_a_goal_is_judged_on_the_seniors_criteria_and_the_lint_only_hints() -> None:
    cue_words = GoalAnswer("Just make it faster so that it works. Don't break anything.", Confidence.HIGH)
    pending = grade(goal_step(), cue_words)
    assert pending.pending and pending.points == ("names the failing test", "keeps the tests")
    assert pending.score == 0.0 and pending.lint  # the cue checks are listed, and score nothing
    judged = grade(goal_step(), cue_words, marks(Verdict.MISSED, Verdict.PARTLY))
    assert judged.score == 0.25 and judged.missed
    good = grade(goal_step(), GoalAnswer("Make test_parse pass; keep every test"), marks(Verdict.COVERED, Verdict.COVERED))
    assert good.score == 1.0 and good.correct is None and not good.missed
    # Without criteria the ask's rubric is judged; with neither, the cue checks are all there is, and it says so.
    assert grade(goal_step(criteria=[]), GoalAnswer("x")).points == ("says how we will know it is done", "bounds the scope")
    bare = grade(goal_step(rubric=[], criteria=[]), GoalAnswer("Make test_parse pass"))
    assert not bare.pending and bare.score == pytest.approx(1 / 3) and "no criteria" in bare.reasons[0]


def test_a_self_check_must_mark_every_point_once() -> None:
    with pytest.raises(AnswerMismatch):
        grade(goal_step(), GoalAnswer("x"), marks(Verdict.COVERED))
    with pytest.raises(AnswerMismatch):
        grade(goal_step(), GoalAnswer("x"), Judgement(Judge.SELF, (PointVerdict(0, Verdict.COVERED), PointVerdict(0, Verdict.MISSED))))


def test_a_skipped_ask_carries_the_truth_to_show() -> None:
    intervene = skipped(correction_step())
    assert intervene.senior_intervened and intervene.senior_category is Category.TEST
    assert intervene.key_points_missed == tuple(KEY_POINTS)
    assert intervene.reasons == ("Skipped: scores zero; the step is revealed.",)
    assert skipped(goal_step()).points == ("names the failing test", "keeps the tests") and not skipped(goal_step()).pending
    choice_on_correction = correction_step().replaced(ask=choice_step().ask)
    assert skipped(choice_on_correction).senior_category is None  # as when answered: a choice has no category
    assert grade(choice_on_correction, ChoiceAnswer(index=0)).senior_category is None


# ---------------------------------------------------------------- the score card


def test_brier_score_on_a_hand_example() -> None:
    grades = [
        grade(result_step(ok=False), OutcomeAnswer(works=False, confidence=Confidence.HIGH)),  # hit at 0.95
        grade(choice_step(), ChoiceAnswer(index=0, confidence=Confidence.LOW)),  # miss at 0.55
        # Right decision, wrong category: calibration is about the decision, so a hit at 0.75.
        grade(correction_step(), InterveneAnswer(intervene=True, category=Category.STYLE, confidence=Confidence.MEDIUM)),
        grade(goal_step(), GoalAnswer("make it better", Confidence.HIGH)),  # a goal has no yes/no: not counted
        skipped(result_step(ok=True)),  # a skip claims no confidence: not counted
    ]
    card = score_card(grades, total_asks=5)
    expected = ((0.95 - 1) ** 2 + (0.55 - 0) ** 2 + (0.75 - 1) ** 2) / 3
    assert expected == pytest.approx(0.1225)
    assert card.brier == pytest.approx(expected)
    assert card.calibration_n == 3
    assert card.calibration_label == "fairly calibrated"
    assert brier_score([(0.95, True)]) == pytest.approx(0.0025)
    assert brier_score([]) is None


def test_the_score_card_tallies_each_skill() -> None:
    grades = [
        grade(goal_step(), GoalAnswer("Make test_parse pass"), marks(Verdict.COVERED, Verdict.MISSED)),  # 1/2
        grade(result_step(ok=False), OutcomeAnswer(works=False)),  # hit
        grade(result_step(ok=True), OutcomeAnswer(works=False)),  # miss
        grade(correction_step(), InterveneAnswer(intervene=True, category=Category.TEST, text="fix the code instead"), marks(Verdict.MISSED, Verdict.COVERED)),  # 0.875
        grade(result_step(ok=True, ask="intervene"), InterveneAnswer(intervene=False)),  # let it run: right
        skipped(correction_step()),
        grade(choice_step(), ChoiceAnswer(index=1)),
    ]
    card = score_card(grades, total_asks=8)  # one ask not reached
    assert (card.asks, card.answered, card.skipped) == (8, 6, 1)
    assert card.goal == Tally(0.5, 1)
    assert card.outcome == Tally(1, 2)
    assert card.decision == Tally(2, 3)
    assert card.category == Tally(1, 2)  # only where the senior corrected; the skip counts as a miss
    assert card.key_points == Tally(1, 4)
    assert card.choice == Tally(1, 1)
    assert card.overall == pytest.approx((0.5 + 1 + 0 + 0.875 + 1 + 0 + 1) / 8)
    assert card.missed == ("r", "x")  # the wrong outcome, the skip (the goal covered half its criteria)
    assert str(card.outcome) == "1/2" and str(card.goal) == "0.5/1" and str(Tally(0, 0)) == "–"
    assert Tally(0, 0).ratio is None and card.choice.ratio == 1.0


def test_an_empty_score_card() -> None:
    card = score_card([], total_asks=0)
    assert card.overall == 0.0 and card.brier is None and card.missed == ()
    assert card.calibration_label == "not enough answers"


@pytest.mark.parametrize(("brier", "label"), [(0.0, "well calibrated"), (0.1, "well calibrated"), (0.2, "fairly calibrated"), (0.3, "overconfident")])
def test_calibration_labels(brier: float, label: str) -> None:
    card = score_card([], total_asks=0)
    from msgspec.structs import replace

    assert replace(card, brier=brier).calibration_label.startswith(label)


def test_a_replayed_lesson_scores_what_was_graded() -> None:
    from tests.helpers.hand_made import make_lesson, play_through

    replay = Replay(make_lesson())
    play_through(replay)
    card = replay.score_card()
    assert card.asks == 4 and card.answered == 4
    assert card.outcome == Tally(1, 1) and card.decision == Tally(1, 1) and card.choice == Tally(0, 1)
    assert card.missed == ("s7",)
    assert all(isinstance(g, Grade) for g in replay.grades())
