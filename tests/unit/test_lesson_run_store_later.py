"""A lesson run started before its store is open (issue 18): resumed without TinyDB, the same attempt as the store
would resume, nothing written until the store is attached, and then everything that waited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.lesson import lesson_digest, load_lesson
from tutor.services.lesson_run import LessonRun
from tutor.services.progress import ProgressOpening
from tutor.store.progress import Progress
from tutor.store.resume import ResumePoint, resume_point

LESSON = load_lesson(EXAMPLE_CURRICULUM / "tests-that-lie")


class CountedOpening(ProgressOpening):
    """An opening that counts how often the store was really opened."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.opened = 0

    def open(self) -> Progress | None:
        if not self.tried:
            self.opened += 1
        return super().open()


def attempts_at(folder: Path, keys: list[str | None]) -> list[str]:
    """An attempt at LESSON for each key (None: from before keys, bundled), the first answered; their ids."""
    ids = []
    with Progress(folder) as store:
        for number, key in enumerate(keys):
            record = store.start_attempt(LESSON.id, lesson_digest(LESSON), title=LESSON.title, total=11, key=key, curriculum="steering-101")
            if number == 0:
                store.save_answer(record.id, {"step": "s1", "skipped": True}, score=0.0)
                store.save_draft(record.id, "s4", {"type": "outcome", "works": True})
                store.save_position(record.id, cursor=4, frontier=4, finished=False)
            ids.append(record.id)
    return ids


@pytest.mark.parametrize("key", ["bundled:steering-101/tests-that-lie", "curriculum:/else/where/tests-that-lie", None])
def test_the_resume_point_is_what_the_store_would_resume(tmp_path: Path, key: str | None) -> None:
    folder = tmp_path / "progress"
    attempts_at(folder, ["bundled:steering-101/tests-that-lie", None, "curriculum:/else/where/tests-that-lie"])
    with Progress(folder) as store:
        latest = store.latest_attempt(LESSON.id, key)
        assert latest is not None
        expected = store.load_state(latest.id)
    point = resume_point(folder, LESSON.id, key)
    assert point is not None and point.record is not None
    assert point.record.id == latest.id and point.state == expected


def test_no_progress_resumes_nothing_and_creates_nothing(tmp_path: Path) -> None:
    assert resume_point(tmp_path / "progress", LESSON.id, None) == ResumePoint()
    assert not (tmp_path / "progress").exists()


def test_a_damaged_attempt_file_is_left_to_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    attempt = attempts_at(folder, [None])[0]
    (folder / f"attempt-{attempt}.json").write_text("{not json", encoding="utf-8")
    assert resume_point(folder, LESSON.id, None) is None  # the store sets it aside and says so
    opening = CountedOpening(folder)
    run = LessonRun(LESSON, None, opening=opening)
    assert opening.opened == 1 and not run.store_pending  # opened at once, as before


def test_a_run_resumes_without_the_store_and_writes_nothing_until_it_is_attached(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    attempt = attempts_at(folder, [None])[0]
    before = json.loads((folder / f"attempt-{attempt}.json").read_text())
    opening = CountedOpening(folder)
    run = LessonRun(LESSON, None, opening=opening, key="bundled:steering-101/tests-that-lie")
    assert run.store_pending and opening.opened == 0
    assert run.attempt_id == attempt and run.view().cursor == 4 and "s1" in run.replay.state.committed
    assert run.replay.draft_of("s4") is not None  # the draft typed before, back in its form
    run.back()
    run.next()
    assert json.loads((folder / f"attempt-{attempt}.json").read_text()) == before
    run.open_store()  # as a worker does
    run.attach_store()
    assert not run.store_pending and opening.opened == 1 and not run.unsaved
    with Progress(folder) as store:
        assert [record.id for record in store.attempts(LESSON.id)] == [attempt]


def test_a_new_attempt_is_started_once_the_store_is_attached_or_on_leaving(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    run = LessonRun(LESSON, None, opening=CountedOpening(folder))
    assert run.store_pending and run.attempt_id is None
    run.close()  # left without a key pressed: the attempt is there, as when the store was opened first
    with Progress(folder) as store:
        assert [record.id for record in store.attempts(LESSON.id)] == [run.attempt_id]


def test_finishing_before_the_store_is_attached_adds_the_missed_asks_once_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    run = LessonRun(LESSON, None, opening=CountedOpening(folder))
    while not run.replay.finished:
        if run.view().awaiting_answer:
            run.skip()
        else:
            run.next()
    assert run.store_pending and run.unsaved
    run.attach_store()
    with Progress(folder) as store:
        [record] = store.attempts(LESSON.id)
        assert record.finished and record.answers == 6
        assert {card["step"] for card in store.cards()} == {"s1", "s4", "s6", "s8", "s10", "s11"}


def test_a_second_tutor_is_told_at_once_and_no_store_is_opened(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    attempts_at(folder, [None])
    first = LessonRun(LESSON, Progress(folder), key="bundled:steering-101/tests-that-lie")
    opening = CountedOpening(folder)
    second = LessonRun(LESSON, None, opening=opening, key="bundled:steering-101/tests-that-lie")
    assert any("open in another Tutor" in note for note in second.notes)
    assert not second.store_pending and second.attempt_id is None
    second.skip()  # answered here, saved nowhere
    second.close()
    assert opening.opened == 0
    first.close()
