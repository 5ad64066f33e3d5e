"""A lesson read ahead (`tutor.lesson.read_ahead`: its checks in a child process) reads exactly as it reads here.

The size rule is lowered so that the small lessons here are read ahead; the child is a real
`python -m tutor.lesson.read_ahead`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tutor.lesson import read_ahead
from tutor.lesson.io import LESSON_FILE, LessonRead, read_lesson

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "data" / "curriculum-example" / "tests-that-lie"


@pytest.fixture(autouse=True)
def every_lesson_is_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_ahead, "AHEAD_BYTES", 0)
    monkeypatch.setattr(read_ahead, "_processors", lambda: 2)
    monkeypatch.setattr(read_ahead, "VERDICT_SECONDS", 60.0)  # a busy machine's child starts slowly: these tests want its verdict


def _read_ahead(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[LessonRead, bool]:
    """`folder` read with a read-ahead begun; and whether the child's verdict gave the read."""
    results: list[LessonRead | None] = []
    result = read_ahead.ReadAhead.result

    def kept(self: read_ahead.ReadAhead) -> LessonRead | None:
        results.append(result(self))
        return results[-1]

    monkeypatch.setattr(read_ahead.ReadAhead, "result", kept)
    read_ahead.start(folder)
    read = read_lesson(folder)
    assert read_ahead.take(folder) is None  # taken once: a later read reads the file again
    return read, bool(results) and results[0] is not None


def _lesson_with(tmp_path: Path, change) -> Path:  # noqa: ANN001
    folder = tmp_path / "lesson"
    shutil.copytree(EXAMPLE, folder)
    file = folder / LESSON_FILE
    file.write_text(change(file.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def _folders() -> list[Path]:
    return sorted(path.parent for base in (ROOT / "curricula", ROOT / "tests" / "data") for path in base.rglob(LESSON_FILE))


@pytest.mark.parametrize("folder", _folders(), ids=lambda folder: folder.name)
def test_a_lesson_read_ahead_is_the_lesson_read_here(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = read_lesson(folder)
    ahead, by_the_child = _read_ahead(folder, monkeypatch)
    assert by_the_child
    assert ahead.lesson == here.lesson and ahead.problems == here.problems and ahead.path == here.path


BROKEN = {
    "a repeated key": lambda text: text.replace('"level": "beginner",', '"level": "beginner", "level": "advanced",', 1),
    "a repeated step id": lambda text: text.replace('"id": "s2"', '"id": "s1"', 1),
    "a bundle that is not there": lambda text: text.replace('"origin": "scripted",', '"origin": "scripted", "repo": {"bundle": "repo.bundle", "base": "' + "a" * 40 + '"},', 1),
    "not JSON": lambda text: text[:-30],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_lesson_read_ahead_has_the_problems_it_has_here(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _lesson_with(tmp_path, BROKEN[name])
    here = read_lesson(folder)
    assert here.lesson is None and here.problems, "the change must break the lesson"
    ahead, by_the_child = _read_ahead(folder, monkeypatch)
    assert by_the_child
    assert ahead.lesson is None and ahead.problems == here.problems


def test_the_lesson_is_read_here_when_the_child_cannot_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    read_ahead.start(EXAMPLE)
    assert read_ahead.take(EXAMPLE) is None
    assert read_lesson(EXAMPLE).ok


def test_the_lesson_is_read_here_when_the_child_says_nothing_readable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\ncat > /dev/null\necho 'not a verdict'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    folder = _lesson_with(tmp_path, BROKEN["a repeated step id"])
    ahead, by_the_child = _read_ahead(folder, monkeypatch)
    assert not by_the_child
    assert ahead.problems == read_lesson(folder).problems and ahead.problems


def test_a_child_that_passes_a_broken_lesson_is_not_believed_where_the_structs_refuse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\ncat > /dev/null\necho '[]'\n")  # "no problems", whatever it was given
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    folder = _lesson_with(tmp_path, lambda text: text.replace('"kind": "goal"', '"kind": "wish"', 1))
    ahead, by_the_child = _read_ahead(folder, monkeypatch)
    assert not by_the_child
    assert ahead.lesson is None and ahead.problems == read_lesson(folder).problems


def test_no_child_on_a_single_processor_nor_for_a_short_lesson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_ahead, "_processors", lambda: 1)
    read_ahead.start(EXAMPLE)
    assert read_ahead.take(EXAMPLE) is None
    monkeypatch.setattr(read_ahead, "_processors", lambda: 2)
    monkeypatch.setattr(read_ahead, "AHEAD_BYTES", (EXAMPLE / LESSON_FILE).stat().st_size + 1)
    read_ahead.start(EXAMPLE)
    assert read_ahead.take(EXAMPLE) is None


def test_the_childs_verdict_is_the_problems_as_json(tmp_path: Path) -> None:
    import subprocess

    folder = _lesson_with(tmp_path, BROKEN["a repeated step id"])
    done = subprocess.run([sys.executable, "-m", "tutor.lesson.read_ahead", str(folder)], input=(folder / LESSON_FILE).read_bytes(),
                          capture_output=True, check=True, cwd=ROOT)
    assert json.loads(done.stdout) == [[p.path, p.where, p.what] for p in read_lesson(folder).problems]


def test_a_silent_child_is_given_up_on_and_the_lesson_read_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    monkeypatch.setattr(read_ahead, "VERDICT_SECONDS", 0.3)
    ahead, by_the_child = _read_ahead(EXAMPLE, monkeypatch)
    assert not by_the_child
    assert ahead.ok and ahead.lesson == read_lesson(EXAMPLE).lesson


def test_a_lesson_read_before_the_child_was_given_its_bytes_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    feed = read_ahead.ReadAhead._feed

    def late(self: read_ahead.ReadAhead, raw: bytes) -> None:
        time.sleep(0.3)  # the app asks for the lesson before the child has it
        feed(self, raw)

    monkeypatch.setattr(read_ahead.ReadAhead, "_feed", late)
    ahead, by_the_child = _read_ahead(EXAMPLE, monkeypatch)
    assert by_the_child and ahead.ok and ahead.lesson == read_lesson(EXAMPLE).lesson


def test_a_tutor_in_the_working_folder_is_not_the_one_that_checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    impostor = tmp_path / "project" / "tutor" / "lesson"
    impostor.mkdir(parents=True)
    for package in (impostor.parent, impostor):
        (package / "__init__.py").write_text("")
    (impostor / "read_ahead.py").write_text("import sys\nsys.stdin.buffer.read()\nprint('[]')\n")  # "no problems"
    (tmp_path / "project" / "tutor.py").write_text("raise SystemExit('imported')\n")
    folder = _lesson_with(tmp_path, BROKEN["a repeated step id"])
    monkeypatch.chdir(tmp_path / "project")
    ahead, by_the_child = _read_ahead(folder, monkeypatch)
    assert by_the_child
    assert ahead.lesson is None and ahead.problems == read_lesson(folder).problems and ahead.problems


def test_the_child_finds_this_tutor_first_unless_it_is_installed_among_site_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    import site

    here = str(Path(read_ahead.__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert read_ahead._child_environment()["PYTHONPATH"].split(":") == [here, "/elsewhere"]
    monkeypatch.setattr(site, "getsitepackages", lambda: [here])
    assert read_ahead._child_environment()["PYTHONPATH"] == "/elsewhere"
