"""The command line a newcomer meets (issue 11, section 4): every wrong turn is one clear line.

Wrong paths for `tutor build`, a curriculum where a lesson is wanted, a `--repo`
that is not a repository, the summary line of `tutor validate`, and counted nouns
that agree with their numbers ("1 step", "2 steps").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from tutor.cli import cli

from tests.helpers.support import EXAMPLE_CURRICULUM

TUTOR = [sys.executable, "-m", "tutor.cli"]
BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "steering-101"


def run_tutor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "TUTOR_FORCE_TUI")}
    environment.update(env)
    return subprocess.run([*TUTOR, *args], capture_output=True, text=True, timeout=120, env=environment)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failing command printed: exit 1, no traceback, nothing else on stderr."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tutor: ")
    return lines[0]


# ---------------------------------------------------------------- tutor build: wrong paths


def test_build_of_a_file_says_it_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("not a lesson source\n")
    line = one_error_line(run_tutor("build", str(file)))
    assert f"{file} is a file" in line and "lesson source folder" in line and "lesson.toml" in line


def test_build_of_a_missing_path_says_it_does_not_exist(tmp_path: Path) -> None:
    line = one_error_line(run_tutor("build", str(tmp_path / "nowhere")))
    assert f"{tmp_path / 'nowhere'} does not exist" in line


def test_build_of_a_curriculum_says_how_to_build_or_check_it() -> None:
    line = one_error_line(run_tutor("build", str(EXAMPLE_CURRICULUM)))
    assert "is a curriculum" in line and "--check" in line


def test_reading_a_file_as_a_source_is_a_source_error_not_a_crash(tmp_path: Path) -> None:
    from tutor.build.source import SourceError, read_source

    file = tmp_path / "notes.txt"
    file.write_text("x")
    with pytest.raises(SourceError) as error:
        read_source(file)
    assert "not a folder" in str(error.value)


@pytest.mark.parametrize("kind", ["missing", "file", "plain folder"])
def test_build_check_of_a_path_that_is_not_a_lesson_is_one_line_not_a_difference(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "thing"
    if kind == "file":
        path.write_text("x")
    elif kind == "plain folder":
        path.mkdir()
    line = one_error_line(run_tutor("build", "--check", str(path)))
    assert "differ" not in line
    expected = {"missing": "does not exist", "file": "is a file", "plain folder": "not a curriculum, lesson or lesson source"}[kind]
    assert expected in line, line


def test_build_check_of_the_nonexistent_root_path() -> None:
    line = one_error_line(run_tutor("build", "--check", "/nonexistent"))
    assert "/nonexistent does not exist" in line


# ---------------------------------------------------------------- tutor pair / record: --repo first


@pytest.mark.parametrize("mode", ["pair", "record"])
@pytest.mark.parametrize("kind", ["missing", "file", "not git"])
def test_a_bad_repo_is_refused_before_anything_else(tmp_path: Path, mode: str, kind: str) -> None:
    repo = tmp_path / "project"
    if kind == "file":
        repo.write_text("x")
    elif kind == "not git":
        repo.mkdir()
    # No key and no terminal: the repository is still what the user hears about first.
    line = one_error_line(run_tutor(mode, "--repo", str(repo)))
    expected = {"missing": "no such folder", "file": "not a folder", "not git": "not a git repository"}[kind]
    assert str(repo) in line and expected in line, line


@pytest.mark.parametrize("mode", ["pair", "record"])
def test_a_bad_repo_is_refused_before_the_no_key_screen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mode: str) -> None:
    import tutor.ui.app

    opened: list[dict] = []

    class NoScreen:
        return_code = 0

        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(kwargs)

        def run(self) -> None:
            pass

    monkeypatch.setattr(tutor.ui.app, "TutorApp", NoScreen)
    monkeypatch.setenv("TUTOR_FORCE_TUI", "1")
    result = CliRunner().invoke(cli, [mode, "--repo", str(tmp_path / "nowhere")])
    assert result.exit_code == 1, result.output
    assert "no such folder" in result.output
    assert opened == [], "no screen opens for a repository that does not exist"


# ---------------------------------------------------------------- tutor learn CURRICULUM


def test_learn_a_bundled_curriculum_lists_its_lessons() -> None:
    result = run_tutor("learn", "steering-101")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("tutor: steering-101 is a curriculum, not a lesson")
    assert "tutor learn steering-101/<id>" in lines[0]
    from tutor.lesson.curriculum import read_curriculum

    curriculum = read_curriculum(BUNDLED)
    listed = lines[1:]
    assert len(listed) == len(curriculum.lesson_folders)
    for line, read in zip(listed, curriculum.read_lessons()):
        assert read.lesson is not None
        assert line.split()[0] == read.path.name and line.rstrip().endswith(read.lesson.title)


def test_learn_a_curriculum_folder_lists_its_lessons() -> None:
    result = run_tutor("learn", str(EXAMPLE_CURRICULUM))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "is a curriculum, not a lesson" in lines[0] and f"tutor learn {EXAMPLE_CURRICULUM}/<id>" in lines[0]
    names = sorted(path.parent.name for path in EXAMPLE_CURRICULUM.glob("*/lesson.json"))
    assert sorted(line.split()[0] for line in lines[1:]) == names


def test_an_unknown_lesson_is_still_one_line() -> None:
    line = one_error_line(run_tutor("learn", "no-such-lesson-anywhere"))
    assert "no lesson 'no-such-lesson-anywhere'" in line


# ---------------------------------------------------------------- tutor validate: the summary line


@pytest.mark.parametrize("quiet", [False, True])
def test_validate_summary_ends_with_a_newline(tmp_path: Path, quiet: bool) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "lesson.json").write_text("{")
    for path, code in ((EXAMPLE_CURRICULUM, 0), (broken, 1)):
        result = run_tutor("validate", *(["-q"] if quiet else []), str(path))
        assert result.returncode == code, result.stderr
        assert result.stderr.endswith("\n") and not result.stderr.endswith("\n\n"), repr(result.stderr)
        assert re.fullmatch(r"\d+ lessons?( in \d+ curricul(um|a))?: .+", result.stderr.splitlines()[-1]), result.stderr


# ---------------------------------------------------------------- counted nouns agree


def test_build_line_counts_agree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import tutor.build.builder
    import tutor.build.source

    source = SimpleNamespace(id="one", folder=tmp_path / "one")
    monkeypatch.setattr(tutor.build.source, "read_source", lambda path: source)
    report = SimpleNamespace(out=tmp_path / "one", lesson=SimpleNamespace(steps=[object()]), calls_run=1, seconds=0.5, missing=[])
    monkeypatch.setattr(tutor.build.builder, "build_lesson", lambda *args, **kwargs: report)
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "lesson.toml").write_text("")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "one")])
    assert result.exit_code == 0, result.output
    assert "(1 step, 1 call run, 0.5 s)" in result.output


def test_import_line_counts_agree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import tutor.record.claude_code as claude_code

    result = SimpleNamespace(lesson_data={"id": "one"}, notes=[])
    monkeypatch.setattr(claude_code, "import_claude_code", lambda file, session=None: result)
    monkeypatch.setattr(claude_code, "write_imported_lesson", lambda result, target: SimpleNamespace(steps=[object()], asks=[object()]))
    ran = CliRunner().invoke(cli, ["import", "claude-code", str(tmp_path / "t.jsonl"), "--out", str(tmp_path / "one")])
    assert ran.exit_code == 0, ran.output
    assert "1 step, 1 ask." in ran.output


@pytest.mark.parametrize("mode", ["pair", "record"])
def test_saved_lesson_line_counts_agree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mode: str) -> None:
    import tutor.services.live
    import tutor.ui.app

    class Session:
        id = "s-1"
        ready = True  # made (a session started `later` is made by the screen, or on closing)
        state = SimpleNamespace(header={"agent": "demo"})
        loop = SimpleNamespace(state=state)

        def close(self) -> None:
            pass

    class App:
        return_code = 0

        def __init__(self, *args: object, **kwargs: object) -> None:
            self.saved_lesson = SimpleNamespace(folder=tmp_path / "one", steps=1, asks=1, warnings=[])

        def run(self) -> None:
            pass

    monkeypatch.setattr(tutor.services.live, "start_session", lambda **kwargs: Session())
    monkeypatch.setattr(tutor.ui.app, "TutorApp", App)
    monkeypatch.setenv("TUTOR_FORCE_TUI", "1")
    result = CliRunner().invoke(cli, [mode, "--demo"])
    assert result.exit_code == 0, result.output
    assert "(1 step, 1 question for learners)" in result.output


def test_progress_counts_agree(tutor_home: Path) -> None:
    from tutor.learn import Replay
    from tutor.lesson import load_lesson
    from tutor.paths import progress_dir
    from tutor.store import open_progress

    lesson_dir = sorted(path.parent for path in EXAMPLE_CURRICULUM.glob("*/lesson.json"))[0]
    lesson = load_lesson(lesson_dir)
    with open_progress(progress_dir()) as store:
        record = store.start_attempt(lesson.id, Replay(lesson).digest, title=lesson.title, total=len(lesson.steps))
        store.save_position(record.id, cursor=1, frontier=1, finished=False)
    result = run_tutor("progress", TUTOR_HOME=str(tutor_home))
    assert result.returncode == 0, result.stderr
    assert "(1 attempt)" in result.stdout and "1 attempts" not in result.stdout
    assert "of 0 cards" in result.stdout
