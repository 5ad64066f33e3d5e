"""The lesson index (tutor.lesson.index) and the library listed through it (tutor.services.library).

A lesson whose files are unchanged is listed from the index (no full read); one that changed is
read again, whether it changed its title, broke, was mended, or lost or gained its bundle; the
index file is a cache that may be missing or damaged. Listing and then adding the learner's
progress gives the library `load_library` gives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.lesson.index import LessonIndex
from tutor.services.library import BROKEN, IN_PROGRESS, NEW, UNREAD, lesson_key, list_library, load_library, with_progress
from tutor.store import open_progress
from tutor.store.overview import read_overview

LESSON = "tests-that-lie"
BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "steering-101"


def aged(folder: Path) -> None:
    """Date the lesson's files a minute back: older than the index's window for a change in the same clock tick."""
    past = time.time() - 60
    for path in [*folder.iterdir(), folder]:
        os.utime(path, (past, past), follow_symlinks=False)


@pytest.fixture
def curriculum(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    shutil.copytree(EXAMPLE_CURRICULUM, folder)
    for lesson in folder.iterdir():
        if lesson.is_dir():
            aged(lesson)
    return folder


def edit(folder: Path, change: dict) -> None:
    data = json.loads((folder / "lesson.json").read_text(encoding="utf-8"))
    data.update(change)
    (folder / "lesson.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    aged(folder)


def test_an_unchanged_lesson_is_listed_from_the_index(tmp_path: Path, curriculum: Path) -> None:
    file = tmp_path / "index.json"
    first = LessonIndex(file, version="1")
    read = first.read(curriculum / LESSON)
    first.save()
    assert first.full_reads == 1 and read.info is not None and read.info.title == "Tests that lie"

    again = LessonIndex(file, version="1")
    assert again.read(curriculum / LESSON) == read
    assert again.full_reads == 0


def test_a_changed_lesson_is_read_again_whatever_changed(tmp_path: Path, curriculum: Path) -> None:
    file = tmp_path / "index.json"
    folder = curriculum / LESSON

    def listed() -> tuple[object, int]:
        index = LessonIndex(file, version="1")
        read = index.read(folder)
        index.save()
        return read, index.full_reads

    listed()
    edit(folder, {"title": "Tests that lie, retitled"})  # a change of size and time
    read, full = listed()
    assert full == 1 and read.info.title == "Tests that lie, retitled"  # type: ignore[attr-defined]

    # The same size, the same second: the inode of a file replaced by a rename still tells.
    text = (folder / "lesson.json").read_text(encoding="utf-8").replace("retitled", "RETITLED")
    stamp = os.stat(folder / "lesson.json")
    folder_stamp = os.stat(folder)
    (folder / "replacement.json").write_text(text, encoding="utf-8")
    os.utime(folder / "replacement.json", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    os.replace(folder / "replacement.json", folder / "lesson.json")
    os.utime(folder, ns=(folder_stamp.st_atime_ns, folder_stamp.st_mtime_ns))
    read, full = listed()
    assert full == 1 and read.info.title == "Tests that lie, RETITLED"  # type: ignore[attr-defined]

    edit(folder, {"steps": []})  # broken: still shown as broken, from the index too
    for _ in range(2):
        read, _ = listed()
        assert read.info is None and read.problems  # type: ignore[attr-defined]

    edit(folder, {"steps": json.loads((EXAMPLE_CURRICULUM / LESSON / "lesson.json").read_text(encoding="utf-8"))["steps"]})
    read, full = listed()
    assert full == 1 and read.info is not None  # type: ignore[attr-defined]


def test_a_lesson_whose_bundle_went_or_came_back_is_read_again(tmp_path: Path) -> None:
    folder = tmp_path / LESSON
    shutil.copytree(BUNDLED / LESSON, folder)
    aged(folder)
    file = tmp_path / "index.json"

    def listed() -> tuple[object, int]:
        index = LessonIndex(file, version="1")
        read = index.read(folder)
        index.save()
        return read, index.full_reads

    read, _ = listed()
    assert read.info is not None  # type: ignore[attr-defined]
    (folder / "repo.bundle").rename(tmp_path / "bundle")  # the bundle it names is gone: broken, though lesson.json is as it was
    aged(folder)
    read, full = listed()
    assert full == 1 and read.info is None and "repo.bundle" in " ".join(read.problems)  # type: ignore[attr-defined]
    (tmp_path / "bundle").rename(folder / "repo.bundle")
    aged(folder)
    read, full = listed()
    assert full == 1 and read.info is not None  # type: ignore[attr-defined]
    assert listed()[1] == 0


def test_a_lesson_changed_just_now_is_not_trusted_to_the_index(tmp_path: Path, curriculum: Path) -> None:
    folder = curriculum / LESSON
    os.utime(folder / "lesson.json")  # modified now: a same-size edit in this clock tick would keep its stamp
    index = LessonIndex(tmp_path / "index.json", version="1")
    index.read(folder)
    index.save()
    again = LessonIndex(tmp_path / "index.json", version="1")
    again.read(folder)
    assert again.full_reads == 1


def test_a_damaged_or_foreign_index_is_an_empty_one(tmp_path: Path, curriculum: Path) -> None:
    file = tmp_path / "index.json"
    first = LessonIndex(file, version="1")
    first.read(curriculum / LESSON)
    first.save()
    assert LessonIndex(file, version="2").read(curriculum / LESSON).info is not None  # another Tutor's: read in full
    data = json.loads(file.read_text(encoding="utf-8"))
    data["lessons"][str(curriculum / LESSON)]["info"]["title"] = 7
    file.write_text(json.dumps(data), encoding="utf-8")
    damaged = LessonIndex(file, version="1")
    assert damaged.read(curriculum / LESSON).info.title == "Tests that lie"  # type: ignore[union-attr]
    assert damaged.full_reads == 1
    file.write_text("{not json", encoding="utf-8")
    assert LessonIndex(file, version="1").read(curriculum / LESSON).info is not None


def test_a_lesson_file_that_is_a_link_is_read_in_full_every_time(tmp_path: Path, curriculum: Path) -> None:
    folder = curriculum / LESSON
    (folder / "lesson.json").rename(folder / "real.json")
    (folder / "lesson.json").symlink_to("real.json")
    for _ in range(2):
        index = LessonIndex(tmp_path / "index.json", version="1")
        index.read(folder)
        index.save()
        assert index.full_reads == 1


def test_listing_then_adding_progress_is_the_library(tmp_path: Path, tutor_home: Path, curriculum: Path) -> None:
    shutil.copytree(curriculum / LESSON, curriculum / "twin")  # the same id twice in one curriculum: the second is broken
    (curriculum / "curriculum.toml").write_text('title = "Mine"\nlessons = ["tests-that-lie", "scope-creep", "twin"]\n', encoding="utf-8")
    from tutor import paths

    with open_progress(paths.progress_dir()) as store:
        lesson_id = json.loads((curriculum / LESSON / "lesson.json").read_text(encoding="utf-8"))["id"]
        record = store.start_attempt(lesson_id, "d", title="t", total=11, key=lesson_key(curriculum / LESSON, lesson_id))
        store.save_position(record.id, cursor=3, frontier=3, finished=False)

    index = LessonIndex(tmp_path / "index.json", version="1")
    listed = list_library([curriculum], index)
    (mine,) = listed.curricula
    assert [entry.state for entry in mine.lessons] == [UNREAD, UNREAD, BROKEN]
    assert "is also used by tests-that-lie" in (mine.lessons[2].problem or "")
    assert [entry.state_label for entry in mine.lessons[:2]] == ["…", "…"] and not listed.progress_read

    full = with_progress(listed, read_overview(paths.progress_dir()))
    assert [entry.state for entry in full.lessons()] == [IN_PROGRESS, NEW, BROKEN]
    assert full.lessons()[0].state_label == "in progress · step 3/11" and full.last is not None and full.last.folder == LESSON
    with open_progress(paths.progress_dir()) as store:
        whole = load_library([curriculum], store, index=LessonIndex(None))
    assert [(entry.ref, entry.state_label, entry.lesson) for entry in whole.lessons()] == [(entry.ref, entry.state_label, entry.lesson) for entry in full.lessons()]
    assert whole.last == full.last


def test_a_library_listed_from_its_index_loads_no_lesson_models(tmp_path: Path, tutor_home: Path, curriculum: Path) -> None:
    """Listing does not parse a lesson it has indexed: the lesson models stay unloaded."""
    code = (
        "import sys; from pathlib import Path; from tutor.services.library import list_library, learner_index\n"
        f"index = learner_index(); library = list_library([Path({str(curriculum)!r})], index)\n"
        "print(index.full_reads, 'tutor.lesson.models' in sys.modules, len(library.lessons()))\n"
    )
    env = dict(os.environ, TUTOR_HOME=str(tutor_home))
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.split()
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.split()
    assert first == ["2", "True", "2"]
    assert second == ["0", "False", "2"]


def test_a_library_in_a_hurry_is_listed_only_when_every_lesson_is_indexed(tmp_path: Path, curriculum: Path) -> None:
    """`indexed_only`: the library's first frame lists the lessons only when that costs no full read."""
    file = tmp_path / "index.json"
    cold = LessonIndex(file, version="1")
    assert list_library([curriculum], cold, indexed_only=True) is None and cold.full_reads == 0
    listed = list_library([curriculum], LessonIndex(file, version="1"))
    warm = LessonIndex(file, version="1")
    assert list_library([curriculum], warm, indexed_only=True) == listed and warm.full_reads == 0
    edit(curriculum / LESSON, {"title": "Changed"})
    assert list_library([curriculum], LessonIndex(file, version="1"), indexed_only=True) is None


def test_the_states_are_matched_by_each_lessons_own_key_a_linked_lesson_too(tmp_path: Path, tutor_home: Path, curriculum: Path) -> None:
    """The library works out a curriculum's part of the progress keys once; a lesson folder that is a link is keyed as `lesson_key` keys it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (curriculum / "scope-creep").rename(elsewhere / "scope-creep")
    (curriculum / "scope-creep").symlink_to(elsewhere / "scope-creep")
    from tutor import paths

    with open_progress(paths.progress_dir()) as store:
        for folder in (curriculum / LESSON, elsewhere / "scope-creep"):
            lesson_id = json.loads((folder / "lesson.json").read_text(encoding="utf-8"))["id"]
            store.start_attempt(lesson_id, "d", title="t", total=9, key=lesson_key(folder, lesson_id))
    library = with_progress(list_library([curriculum], LessonIndex(None)), read_overview(paths.progress_dir()))
    assert [entry.state for entry in library.lessons()] == [IN_PROGRESS, IN_PROGRESS]
