"""Issue 15: each stored answer keeps `seconds`, the time from question shown to answer, measured outside the replay engine."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.learn import GoalAnswer
from tutor.lesson import load_lesson
from tutor.services.answer_clock import AnswerClock
from tutor.services.lesson_run import LessonRun
from tutor.store.progress import Progress

LESSON = load_lesson(EXAMPLE_CURRICULUM / "tests-that-lie")


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def answers(store: Progress, attempt_id: str) -> dict[str, dict]:
    table = store._attempt_table(attempt_id)  # noqa: SLF001
    return {doc["step"]: dict(doc) for doc in table.all() if doc.get("kind") == "answer"}


def at_first_question(tmp_path: Path, clock: FakeClock) -> tuple[Progress, LessonRun]:
    store = Progress(tmp_path / "progress")
    run = LessonRun(LESSON, store, clock=clock, fresh=True)
    run.next()  # the task, then the goal question (s1)
    assert run.view().awaiting_answer and run.replay.open_step_id() == "s1"
    return store, run


def test_an_answer_stores_the_seconds_from_question_shown(tmp_path: Path) -> None:
    clock = FakeClock()
    store, run = at_first_question(tmp_path, clock)
    clock.now = 10.0
    run.question_shown()
    clock.now = 13.25
    run.question_shown()  # shown again while it runs (a redraw): the clock goes on
    run.answer(GoalAnswer("Fix invoice_total; do not edit tests; done when pytest -q passes."))
    assert run.record is not None
    stored = answers(store, run.record.id)["s1"]
    assert stored["seconds"] in (3.2, 3.3)
    assert store.answer_seconds(run.record.id) == {"s1": stored["seconds"]}
    # The replay engine's state does not carry it: a resumed attempt loads as before.
    assert "seconds" not in store.load_state(run.record.id)["committed"][0]
    run.close()


def test_a_skip_stores_seconds_too(tmp_path: Path) -> None:
    clock = FakeClock(100.0)
    store, run = at_first_question(tmp_path, clock)
    run.question_shown()
    clock.now = 107.04
    run.skip()
    assert run.record is not None
    stored = answers(store, run.record.id)["s1"]
    assert stored["skipped"] and stored["seconds"] == 7.0
    run.close()


def test_time_off_screen_is_not_counted(tmp_path: Path) -> None:
    clock = FakeClock()
    store, run = at_first_question(tmp_path, clock)
    clock.now = 10.0
    run.question_shown()
    clock.now = 12.0
    run.question_hidden()  # the app suspended
    clock.now = 500.0
    run.question_shown()  # back
    clock.now = 501.0
    run.back()
    run.question_shown()  # the task on screen: the question's clock stops
    clock.now = 900.0
    run.next()
    run.question_shown()
    clock.now = 900.5
    run.skip()
    assert run.record is not None
    assert answers(store, run.record.id)["s1"]["seconds"] == 3.5  # 2 + 1 + 0.5
    run.close()


def test_an_answer_never_shown_in_this_run_has_no_seconds(tmp_path: Path) -> None:
    store, run = at_first_question(tmp_path, FakeClock())
    run.skip()  # never shown: unknown
    assert run.record is not None
    assert "seconds" not in answers(store, run.record.id)["s1"]
    assert store.answer_seconds(run.record.id) == {"s1": None}
    run.close()


def test_a_clock_going_back_never_gives_negative_seconds() -> None:
    clock = FakeClock(50.0)
    timer = AnswerClock(clock)
    timer.shown("s1")
    clock.now = 40.0
    assert timer.take("s1") == 0.0
    assert timer.take("s1") is None  # taken once


def test_an_old_answer_without_seconds_still_loads(tmp_path: Path) -> None:
    store = Progress(tmp_path / "progress")
    record = store.start_attempt(LESSON.id, "old", title=LESSON.title, total=len(LESSON.steps), key="id:" + LESSON.id)
    store.save_answer(record.id, {"step": "s1", "skipped": True}, score=0.0)  # as stored before `seconds`
    store.save_position(record.id, cursor=1, frontier=1, finished=False)
    assert store.answer_seconds(record.id) == {"s1": None}
    store.close()
    run = LessonRun(LESSON, Progress(tmp_path / "progress"))
    assert run.attempt_id == record.id
    assert run.replay.state.committed["s1"].answer is None  # the skip is back
    run.close()
