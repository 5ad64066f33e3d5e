"""The progress store under damage, a full disk, a clock set back and a second Tutor: never a crash, never silent."""

from __future__ import annotations

import errno
import json
from datetime import date, datetime, timedelta, UTC
from pathlib import Path

import pytest

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.learn import GoalAnswer
from tutor.lesson import load_lesson
from tutor.services.lesson_run import LessonRun
from tutor.store.progress import Progress, StoreError

LESSON = load_lesson(EXAMPLE_CURRICULUM / "tests-that-lie")


def stored(folder: Path) -> tuple[Progress, str]:
    store = Progress(folder)
    record = store.start_attempt("lesson-a", "d", title="A")
    store.save_answer(record.id, {"step": "s1", "skipped": True})
    store.save_card({"key": "lesson-a/s1", "lesson": "lesson-a", "step": "s1", "due": "2026-01-01"})
    return store, record.id


def edit_json(path: Path, change) -> None:  # noqa: ANN001
    data = json.loads(path.read_text())
    path.write_text(json.dumps(change(data)))


DAMAGE = {
    "a cursor that is not a number": lambda folder, aid: edit_json(folder / f"attempt-{aid}.json", lambda d: {**d, "1": {**d["1"], "cursor": "abc"}}),
    "document ids that are not numbers": lambda folder, aid: edit_json(folder / f"attempt-{aid}.json", lambda d: {"x": v for v in d.values()}),  # noqa: B035 - one key "x", on purpose
    "the change marker a folder": lambda folder, aid: ((folder / ".generation").unlink(missing_ok=True), (folder / ".generation").mkdir()),
    "a schema mark that is text": lambda folder, aid: edit_json(folder / "meta.json", lambda d: {**d, "1": {**d["1"], "schema_version": "1"}}),
    "an attempt without its id": lambda folder, aid: edit_json(folder / f"attempt-{aid}.json", lambda d: {**d, "1": {k: v for k, v in d["1"].items() if k != "id"}}),
    "store meta of the wrong types": lambda folder, aid: (folder / "meta.json").write_text(json.dumps({"1": {"last_lesson": 5, "last_attempt": ["x"]}})),
    "the lock a folder": lambda folder, aid: ((folder / ".lock").unlink(missing_ok=True), (folder / ".lock").mkdir()),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_progress_is_set_aside_or_read_around_never_a_crash(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "progress"
    store, attempt = stored(folder)
    store.close()
    DAMAGE[damage](folder, attempt)
    again = Progress(folder)
    again.attempts()
    again.latest_attempt("lesson-a")
    again.cards()
    again.due_cards(date.today())
    again.last_opened()
    try:
        again.load_state(attempt)
    except StoreError as error:  # the attempt itself was set aside: said in one line
        assert "\n" not in str(error)
    # and the store goes on working
    record = again.start_attempt("lesson-b", "d")
    assert again.latest_attempt("lesson-b").id == record.id


def test_a_clock_set_back_does_not_hide_the_newest_attempt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Progress(tmp_path / "progress")
    first = store.start_attempt("lesson-a", "d")
    import tutor.store.progress as progress_module

    earlier = datetime.now(UTC) - timedelta(days=3)

    class BackInTime(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206
            return earlier

    monkeypatch.setattr(progress_module, "datetime", BackInTime)
    retry = store.start_attempt("lesson-a", "d")
    assert retry.started < first.started  # the clock went back
    assert store.latest_attempt("lesson-a").id == retry.id


def test_a_full_disk_at_lesson_start_runs_the_lesson_without_saving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Progress(tmp_path / "progress")
    import tutor.store.sharded_storage as storage

    def full(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "write_atomic", full)
    run = LessonRun(LESSON, store)
    assert run.progress is None and any("cannot be saved" in note and "No space left" in note for note in run.notes)
    run.next()
    run.answer(GoalAnswer("Fix it; keep the tests; done when green."))  # the lesson goes on


def test_a_second_tutor_on_the_same_lesson_is_told_and_saves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    first = LessonRun(LESSON, Progress(folder))
    second = LessonRun(LESSON, Progress(folder))
    assert first.progress is not None and second.progress is None
    assert any("open in another Tutor" in note for note in second.notes)
    first.next()
    first.answer(GoalAnswer("Fix it; keep the tests; done when green."))
    first.close()
    third = LessonRun(LESSON, Progress(folder))  # once the first lets go, a new one resumes it
    assert third.progress is not None and third.record.id == first.record.id and "s1" in third.replay.state.committed


def test_another_curriculums_lesson_with_the_same_id_cannot_touch_its_progress(tmp_path: Path) -> None:
    import shutil

    from tutor.services.library import lesson_key, load_library

    mine = tmp_path / "mine"
    theirs = tmp_path / "theirs"
    for folder, title in ((mine, "Mine"), (theirs, "Theirs")):
        shutil.copytree(EXAMPLE_CURRICULUM / "tests-that-lie", folder / "tests-that-lie")
        (folder / "curriculum.toml").write_text(f'title = "{title}"\nlessons = ["tests-that-lie"]\n', encoding="utf-8")
    store = Progress(tmp_path / "progress")
    own_key = lesson_key(mine / "tests-that-lie", LESSON.id)
    other_key = lesson_key(theirs / "tests-that-lie", LESSON.id)
    assert own_key != other_key
    run = LessonRun(LESSON, store, key=own_key)
    run.next()
    run.answer(GoalAnswer("Fix the code; keep the tests; done when the suite is green."))
    run.close()
    stranger = LessonRun(LESSON, store, key=other_key)
    assert stranger.record.id != run.record.id and stranger.replay.state.committed == {}
    stranger.close()
    library = load_library([mine, theirs], store)
    entries = {entry.curriculum: entry for curriculum in library.curricula for entry in curriculum.lessons}
    assert entries["mine"].attempt.id == run.record.id and entries["theirs"].attempt.id == stranger.record.id
    assert entries["mine"].same_id == ("theirs/tests-that-lie",) and entries["theirs"].same_id == ("mine/tests-that-lie",)


def test_validate_warns_about_lessons_sharing_an_id(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    for name in ("mine", "theirs"):
        shutil.copytree(EXAMPLE_CURRICULUM / "tests-that-lie", tmp_path / name / "tests-that-lie")
        (tmp_path / name / "curriculum.toml").write_text(f'title = "{name}"\nlessons = ["tests-that-lie"]\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tutor.cli", "validate", str(tmp_path / "mine"), str(tmp_path / "theirs")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr  # a warning, not an error
    assert "warning: the id 'example-tests-that-lie' is also the id of" in result.stdout
