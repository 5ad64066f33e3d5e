"""The library's states had at once (`progress_at_once`): with nothing stored or a current index of attempts,
the same as reading the progress; when it cannot be had at once (being written, a team's standings), None."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor import paths
from tutor.lesson.index import LessonIndex
from tutor.services.library import IN_PROGRESS, NEW, UNREAD, lesson_key, list_library, progress_at_once, with_progress
from tutor.store import open_progress
from tutor.store.overview import holds_progress, read_overview

LESSON = EXAMPLE_CURRICULUM / "tests-that-lie"


def listed(tmp_path: Path, curriculum: Path = EXAMPLE_CURRICULUM):  # noqa: ANN201 - a Library
    library = list_library([curriculum], LessonIndex(tmp_path / "index.json", version="1"))
    assert library is not None and {entry.state for entry in library.lessons()} == {UNREAD}
    return library


def started() -> None:
    lesson_id = json.loads((LESSON / "lesson.json").read_text(encoding="utf-8"))["id"]
    with open_progress(paths.progress_dir()) as store:
        record = store.start_attempt(lesson_id, "d", title="t", total=5, key=lesson_key(LESSON, lesson_id))
        store.save_position(record.id, cursor=2, frontier=2, finished=False)


def test_nothing_stored_gives_every_lesson_new_as_reading_would(tmp_path: Path, tutor_home: Path) -> None:
    library = listed(tmp_path)
    assert not holds_progress(paths.progress_dir())
    known = progress_at_once(library)
    assert known is not None and known.progress_read
    assert known == with_progress(library, read_overview(paths.progress_dir()))
    assert {entry.state for entry in known.lessons()} == {NEW}


def test_an_empty_progress_folder_is_nothing_stored(tmp_path: Path, tutor_home: Path) -> None:
    paths.progress_dir().mkdir(parents=True)
    assert progress_at_once(listed(tmp_path)) is not None


def test_stored_attempts_are_had_at_once_from_the_current_index(tmp_path: Path, tutor_home: Path) -> None:
    library = listed(tmp_path)
    started()
    assert holds_progress(paths.progress_dir())
    known = progress_at_once(library)
    assert known is not None and known == with_progress(library, read_overview(paths.progress_dir()))
    assert IN_PROGRESS in {entry.state for entry in known.lessons()} and known.last is not None


def test_a_store_being_written_is_not_waited_for(tmp_path: Path, tutor_home: Path) -> None:
    library = listed(tmp_path)
    started()
    fd = os.open(paths.progress_dir() / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as another Tutor writing an answer holds it
        assert progress_at_once(library) is None
    finally:
        os.close(fd)
    assert progress_at_once(library) is not None


def test_a_teams_curriculum_means_reading_its_standings(tmp_path: Path, tutor_home: Path) -> None:
    team = tmp_path / "team"
    shutil.copytree(EXAMPLE_CURRICULUM, team / "curricula" / "example")
    (team / "team.toml").write_text('name = "Team"\n', encoding="utf-8")
    assert progress_at_once(listed(tmp_path, team / "curricula" / "example")) is None
