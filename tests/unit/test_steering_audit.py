"""Steering 101, read as a learner would (issue 12): no answer given away before its question,
and the other answers a senior would also accept written down with the senior's reasons.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from tutor.lesson import Category, Lesson, read_curriculum
from tutor.paths import bundled_curricula_dir

STEERING = bundled_curricula_dir() / "steering-101"
CATEGORIES = {category.value for category in Category}


def _lessons() -> dict[str, Lesson]:
    reads = read_curriculum(STEERING).read_lessons()
    assert all(read.ok for read in reads), [read.problems for read in reads]
    return {read.lesson.id: read.lesson for read in reads if read.lesson is not None}


LESSONS = _lessons()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_']+", text.lower())


def _runs(text: str, length: int = 4) -> set[str]:
    words = _words(text)
    return {" ".join(words[i : i + length]) for i in range(len(words) - length + 1)}


def _senior_answer(step) -> str:  # noqa: ANN001 - any step with an ask
    """Everything of an asked step that the learner must not have seen before answering."""
    parts = [getattr(step, "text", ""), getattr(step, "why", ""), step.annotation or ""]
    ask = step.ask
    parts += list(getattr(ask, "key_points", []))
    for accept in getattr(ask, "accept", []):
        parts += [accept.why, *accept.key_points]
    return " ".join(parts)


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_the_library_text_gives_no_answer_away(lesson_id: str) -> None:
    """Title, summary and tags are read before the lesson opens: none of them says the senior's words or categories."""
    lesson = LESSONS[lesson_id]
    shown = " ".join([lesson.title, lesson.summary, " ".join(lesson.tags)])
    assert not CATEGORIES & set(lesson.tags), f"{lesson_id}: a tag names a correction category"
    for step in lesson.steps:
        if step.ask is None or step.kind == "goal":
            continue
        leaked = _runs(_senior_answer(step)) & _runs(shown) - _runs(lesson.task)
        assert not leaked, f"{lesson_id}: the library text quotes {step.id}'s answer: {sorted(leaked)}"
    goal = next(step for step in lesson.steps if step.kind == "goal")
    leaked = _runs(goal.text + " " + " ".join(goal.criteria)) & _runs(shown) - _runs(lesson.task)  # the situation is the task's
    assert not leaked, f"{lesson_id}: the library text quotes the senior's goal: {sorted(leaked)}"


def test_the_curriculum_description_is_not_a_list_of_answers() -> None:
    description = tomllib.loads((STEERING / "curriculum.toml").read_text(encoding="utf-8"))["description"]
    named = CATEGORIES & set(_words(description))
    assert not named - {"goal"}, f"the description names the lessons' categories: {sorted(named)}"
    for phrase in ("demand evidence", "guard the tests", "hold the scope", "invented api", "question the approach", "unsafe", "revert"):
        assert phrase not in description.lower()


# Each pair: a lesson, the first step of it that asks about something, and words that must not be
# shown (title, summary, or any step's annotation) before that ask: the spoilers issue 12 found.
SPOILERS = [
    ("hallucinated-api", "s5", ["isn't there", "does not exist", "doesn't exist", "fails loudly"]),
    ("hallucinated-api", "s7", ["does not exist in the library", "whatever it remembers"]),
    ("done-without-evidence", "s9", ["says who", "this lesson is about"]),
    ("tests-that-lie", "s9", ["never pays for shipping", "no test checks it"]),
    ("hand-rolled-dates", "s9", ["say so in a minute"]),
    ("vague-goal", "s6", ["wrong loop", "once per line"]),
    ("vague-goal", "s11", ["fails the same way"]),
    ("flaky-sleeps", "s7", ["take back", "means nothing", "cannot tell you the change"]),
]


@pytest.mark.parametrize(("lesson_id", "ask_step", "phrases"), SPOILERS, ids=[f"{lesson}/{step}" for lesson, step, _ in SPOILERS])
def test_nothing_shown_before_an_ask_gives_it_away(lesson_id: str, ask_step: str, phrases: list[str]) -> None:
    lesson = LESSONS[lesson_id]
    index = next(i for i, step in enumerate(lesson.steps) if step.id == ask_step)
    assert lesson.steps[index].ask is not None
    before = [lesson.title, lesson.summary, lesson.task]
    for step in lesson.steps[:index]:
        before += [getattr(step, "text", ""), step.annotation or "", getattr(step, "why", "")]
        if step.kind == "goal":
            before += step.criteria
    shown = " ".join(before).lower()
    for phrase in phrases:
        assert phrase not in shown, f"{lesson_id}: {phrase!r} is shown before {ask_step}"


def test_the_hallucinated_api_title_no_longer_names_the_answer() -> None:
    title = LESSONS["hallucinated-api"].title.lower()
    assert "isn't there" not in title and "function" not in title


# ---------------------------------------------------------------- other right answers


def _ask(lesson_id: str, step_id: str):  # noqa: ANN202
    step = next(step for step in LESSONS[lesson_id].steps if step.id == step_id)
    assert step.ask is not None and step.ask.type == "intervene"
    return step, step.ask


def test_done_without_evidence_step_6_accepts_the_zero_results_catch() -> None:
    step, ask = _ask("done-without-evidence", "s6")
    assert step.kind == "result"  # the senior let it run
    [catch] = ask.accept
    assert catch.intervene is True
    points = " ".join(catch.key_points).lower()
    assert "0 pages" in points and "no results" in points and "one page" in points


def test_unsafe_shell_step_9_accepts_the_path_traversal_catch() -> None:
    step, ask = _ask("unsafe-shell", "s9")
    assert step.kind == "result"
    [catch] = ask.accept
    assert catch.intervene is True and catch.category == Category.SAFETY
    assert "path traversal" in " ".join(catch.key_points)
    # and the senior's closing note is the concession the accept rests on
    assert "Path traversal" in (LESSONS["unsafe-shell"].steps[-1].annotation or "")


def test_vague_goal_step_6_counts_approach_as_related() -> None:
    step, ask = _ask("vague-goal", "s6")
    assert step.category == Category.GOAL
    assert Category.APPROACH in ask.related


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_every_other_right_answer_says_when_and_why(lesson_id: str) -> None:
    for step in LESSONS[lesson_id].steps:
        ask = step.ask
        if ask is None or ask.type != "intervene":
            continue
        for accept in ask.accept:
            assert len(accept.why) >= 80, f"{lesson_id}/{step.id}: the senior's why is a sentence or more"
            assert accept.key_points, f"{lesson_id}/{step.id}: an accepted answer says what it must cover"
            assert not set(_words(" ".join(accept.key_points))) <= set(_words(" ".join(ask.key_points))), (
                f"{lesson_id}/{step.id}: an accepted answer has points of its own"
            )
        if step.kind == "correction":
            assert step.category not in ask.related
            assert len(ask.related) <= 2, f"{lesson_id}/{step.id}: related is for the near neighbours, not every category"


def test_the_curriculum_still_teaches_the_seniors_answers() -> None:
    """Accepting more than one answer must not water a lesson down: most asks keep one answer."""
    intervene = [step.ask for lesson in LESSONS.values() for step in lesson.steps if step.ask is not None and step.ask.type == "intervene"]
    with_accept = [ask for ask in intervene if ask.accept]
    assert 2 <= len(with_accept) <= len(intervene) // 2
    assert all(len(ask.accept) == 1 for ask in with_accept)
