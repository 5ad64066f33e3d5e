"""A learner with nothing stored: the library's states are known without reading progress (`known_without_progress`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor import paths
from tutor.lesson.index import LessonIndex
from tutor.services.library import NEW, UNREAD, known_without_progress, lesson_key, list_library, with_progress
from tutor.store import open_progress
from tutor.store.overview import holds_progress, read_overview


def listed(tmp_path: Path, curriculum: Path = EXAMPLE_CURRICULUM):  # noqa: ANN201 - a Library
    library = list_library([curriculum], LessonIndex(tmp_path / "index.json", version="1"))
    assert library is not None and {entry.state for entry in library.lessons()} == {UNREAD}
    return library


def test_nothing_stored_gives_every_lesson_new_as_reading_would(tmp_path: Path, tutor_home: Path) -> None:
    library = listed(tmp_path)
    assert not holds_progress(paths.progress_dir())
    known = known_without_progress(library)
    assert known is not None and known.progress_read
    assert known == with_progress(library, read_overview(paths.progress_dir()))
    assert {entry.state for entry in known.lessons()} == {NEW}


def test_an_empty_progress_folder_is_nothing_stored(tmp_path: Path, tutor_home: Path) -> None:
    paths.progress_dir().mkdir(parents=True)
    assert known_without_progress(listed(tmp_path)) is not None


def test_any_stored_attempt_means_reading(tmp_path: Path, tutor_home: Path) -> None:
    library = listed(tmp_path)
    folder = EXAMPLE_CURRICULUM / "tests-that-lie"
    with open_progress(paths.progress_dir()) as store:
        store.start_attempt("tests-that-lie", "d", title="t", total=3, key=lesson_key(folder, "tests-that-lie"))
    assert holds_progress(paths.progress_dir())
    assert known_without_progress(library) is None


def test_a_teams_curriculum_means_reading_its_standings(tmp_path: Path, tutor_home: Path) -> None:
    team = tmp_path / "team"
    shutil.copytree(EXAMPLE_CURRICULUM, team / "curricula" / "example")
    (team / "team.toml").write_text('name = "Team"\n', encoding="utf-8")
    assert known_without_progress(listed(tmp_path, team / "curricula" / "example")) is None
