"""`tutor build`: lesson sources run for real into lessons, reproducibly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.build.builder import BuildError, build_lesson
from tutor.build.check import check_lesson
from tutor.build.source import SourceError, read_source
from tutor.lesson import load_lesson

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SOURCE = '''
id = "calc"
title = "Calc"
task = "`add` subtracts."

[[steps]]
kind = "goal"
text = "Make add add; done when pytest -q passes; touch nothing else."
criteria = ["pytest passes"]
ask = { type = "goal" }

[[steps]]
kind = "agent"
text = "Run the tests."
calls = [{ tool = "run", input = { command = "python -m pytest -q" } }]

[[steps]]
kind = "result"
expect = "fail"
ask = { type = "outcome", prompt = "Will it pass?" }

[[steps]]
kind = "agent"
text = "I'll delete the test."
calls = [{ tool = "run", input = { command = "rm tests/test_calc.py && touch STOPPED_CALL_RAN" } }]

[[steps]]
kind = "correction"
category = "test"
text = "No: fix the code."
why = "The test is the requirement."
ask = { type = "intervene", key_points = ["fix the code not the test"] }

[[steps]]
kind = "agent"
text = "Fixing add."
calls = [
  { tool = "edit_file", input = { path = "calc/__init__.py", old = "a - b", new = "a + b" } },
  { tool = "run", input = { command = "python -m pytest -q" } },
]

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "result"
expect = "ok"
annotation = "Green, for the right reason."
'''


def make_source(root: Path, text: str = SOURCE) -> Path:
    source = root / "calc" / "source"
    (source / "seed" / "calc").mkdir(parents=True)
    (source / "seed" / "tests").mkdir()
    (source / "seed" / "calc" / "__init__.py").write_text("def add(a, b):\n    return a - b\n")
    (source / "seed" / "tests" / "test_calc.py").write_text("from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n")
    (source / "lesson.toml").write_text(text)
    return source


def test_build_runs_the_calls_and_records_what_happened(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    report = build_lesson(read_source(source), source.parent)
    lesson = load_lesson(source.parent)
    assert lesson.origin.value == "scripted" and lesson.repo is not None
    results = [step for step in lesson.steps if step.kind == "result"]
    assert [r.ok for r in results] == [False, True, True]
    assert "1 failed" in results[0].output and "assert -1 == 5" in results[0].output
    assert "+    return a + b" in results[1].output  # the real diff of the edit
    assert "1 passed" in results[2].output
    assert all(r.commit and len(r.commit) == 40 for r in results)
    assert results[0].commit == lesson.repo.base  # running tests changes no code
    assert results[1].commit != lesson.repo.base
    assert report.calls_run == 3
    assert (source.parent / "repo.bundle").is_file()


def test_a_corrected_call_never_runs(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    build_lesson(read_source(source), source.parent)
    from tutor.vcs.lesson_repo import LessonRepo

    lesson = load_lesson(source.parent)
    repo = LessonRepo.for_lesson(source.parent, lesson.repo, cache_dir=tmp_path / "cache")
    last = [s for s in lesson.steps if s.kind == "result"][-1].commit
    files = repo.list_files(last)
    assert "tests/test_calc.py" in files and "STOPPED_CALL_RAN" not in files


def test_builds_are_reproducible_to_the_commit(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    build_lesson(read_source(source), tmp_path / "one")
    build_lesson(read_source(source), tmp_path / "two")
    one, two = load_lesson(tmp_path / "one"), load_lesson(tmp_path / "two")
    assert one.repo == two.repo
    assert [getattr(s, "commit", None) for s in one.steps] == [getattr(s, "commit", None) for s in two.steps]


def test_reality_contradicting_the_source_stops_the_build(tmp_path: Path) -> None:
    source = make_source(tmp_path, SOURCE.replace('expect = "fail"', 'expect = "ok"', 1))
    (tmp_path / "calc" / "lesson.json").write_text("previous")
    with pytest.raises(BuildError) as error:
        build_lesson(read_source(source), source.parent)
    message = str(error.value)
    assert "steps[2]" in message and "expects run `python -m pytest -q` to succeed, but it failed (exit 1)" in message
    assert "\n" not in message
    assert (tmp_path / "calc" / "lesson.json").read_text() == "previous", "a failed build leaves the old lesson alone"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda s: s.replace('title = "Calc"\n', ""), "title: missing"),
        (lambda s: s.replace('expect = "ok"\nannotation', 'annotation'), 'expect = "ok" or expect = "fail"'),
        (lambda s: s.replace('kind = "note"', 'kind = "nope"') + '\n[[steps]]\nkind = "nope"\ntext = "x"\n', "unknown kind 'nope'"),
        (lambda s: s + '\n[[steps]]\nkind = "result"\nexpect = "ok"\n', "no one left"),
        (lambda s: s.replace('why = "The test is the requirement."', 'why = "x"\nwhy2 = "y"'), "not a field of a correction step"),
        (lambda s: "surprise = 1\n" + s, "surprise: unknown key"),
        (lambda s: "id = [", "not valid TOML"),
    ],
)
def test_bad_sources_are_reported_in_one_line(tmp_path: Path, edit, expected: str) -> None:
    source = make_source(tmp_path, edit(SOURCE))
    with pytest.raises(SourceError) as error:
        read_source(source)
    lines = [str(problem) for problem in error.value.problems]
    assert any(expected.replace("no one left", "there is none left") in line for line in lines), lines
    assert all("\n" not in line for line in lines)


def test_a_built_lesson_validates_and_replays(tmp_path: Path) -> None:
    from tutor.learn import Replay

    source = make_source(tmp_path)
    build_lesson(read_source(source), source.parent)
    replay = Replay(load_lesson(source.parent))
    while not replay.finished:
        if replay.awaiting_answer():
            replay.skip()
        else:
            replay.next()
    assert replay.score_card().asks == 3


def test_check_passes_when_unchanged_and_catches_drift(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    lesson_dir = source.parent
    build_lesson(read_source(source), lesson_dir)
    assert check_lesson(lesson_dir, source).ok
    data = json.loads((lesson_dir / "lesson.json").read_text())
    data["steps"][2]["output"] = data["steps"][2]["output"].replace("1 failed", "2 failed")
    (lesson_dir / "lesson.json").write_text(json.dumps(data, indent=2))
    result = check_lesson(lesson_dir, source)
    assert not result.ok and "differs from a fresh build" in result.problems[0]
    # a source edit that changes the story is caught too
    build_lesson(read_source(source), lesson_dir)
    (source / "lesson.toml").write_text(SOURCE.replace("Green, for the right reason.", "Green."))
    assert not check_lesson(lesson_dir, source).ok


def test_build_command_line(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    env = dict(os.environ, TUTOR_HOME=str(tmp_path / "home"))
    tutor = [sys.executable, "-m", "tutor.cli"]
    built = subprocess.run([*tutor, "build", str(source)], capture_output=True, text=True, env=env, timeout=120)
    assert built.returncode == 0, built.stderr
    assert (source.parent / "lesson.json").is_file()
    checked = subprocess.run([*tutor, "build", "--check", str(source.parent)], capture_output=True, text=True, env=env, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (source / "lesson.toml").write_text(SOURCE.replace('expect = "fail"', 'expect = "ok"', 1))
    broken = subprocess.run([*tutor, "build", str(source)], capture_output=True, text=True, env=env, timeout=120)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert broken.stderr.strip().splitlines()[-1].startswith("tutor: ")


# ---------------------------------------------------------------- a tool the source needs is missing

TOOL_SOURCE = '''
id = "tool"
title = "Tool"
task = "Run the tool."

[[steps]]
kind = "goal"
text = "Run the tool; done when it prints its version."
ask = { type = "goal" }

[[steps]]
kind = "agent"
text = "Running it."
calls = [{ tool = "run", input = { command = "no-such-tool-for-tutor --version" } }]

[[steps]]
kind = "result"
expect = "EXPECT"
'''


def python_without_pytest(tmp_path: Path) -> Path:
    """A throwaway interpreter that has no pytest: a venv made without pip, not seeing the system's packages."""
    venv = tmp_path / "no-pytest"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import pytest"], capture_output=True, timeout=60)
    assert probe.returncode != 0, "the throwaway venv should not see pytest"
    return python


def test_a_missing_python_module_is_named_and_is_not_a_difference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.build.builder import MissingToolError

    source = make_source(tmp_path)
    build_lesson(read_source(source), source.parent)  # checked in, built where pytest is installed
    # Lesson commands run on the interpreter Tutor runs on (first on PATH): here, one without pytest.
    monkeypatch.setattr(sys, "executable", str(python_without_pytest(tmp_path)))
    with pytest.raises(MissingToolError) as error:
        build_lesson(read_source(source), tmp_path / "elsewhere")
    message = str(error.value)
    assert "pytest is not installed" in message and "python -m pytest -q" in message and "\n" not in message
    result = check_lesson(source.parent, source)
    assert not result.ok and not result.differs
    assert result.could_not_check is not None and "pytest is not installed" in result.could_not_check
    assert not any("differ" in problem for problem in result.problems)


def test_build_check_names_the_missing_tool_on_an_install_without_pytest(tmp_path: Path) -> None:
    """As on a wheel install without pytest: `tutor build --check` says what is missing, not that lessons differ."""
    import site

    import tutor

    source = make_source(tmp_path)
    build_lesson(read_source(source), source.parent)
    python = python_without_pytest(tmp_path)
    # Tutor itself (and its dependencies) importable by that interpreter; lesson commands get no PYTHONPATH.
    path = os.pathsep.join([str(Path(tutor.__file__).resolve().parent.parent), *site.getsitepackages()])
    env = dict(os.environ, TUTOR_HOME=str(tmp_path / "home"), PYTHONPATH=path)
    checked = subprocess.run([str(python), "-m", "tutor.cli", "build", "--check", str(source.parent)], capture_output=True, text=True, env=env, timeout=120)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
    output = checked.stdout + checked.stderr
    assert "could not check" in output and "pytest is not installed" in output
    assert "differ" not in output
    summary = checked.stderr.strip().splitlines()[-1]
    assert summary.startswith("1 lesson: could not be checked") or "1 could not be checked" in summary, summary
    built = subprocess.run([str(python), "-m", "tutor.cli", "build", str(source), "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    last = built.stderr.strip().splitlines()[-1]
    assert last.startswith("tutor: ") and "pytest is not installed" in last, built.stderr


def test_a_command_not_found_is_named(tmp_path: Path) -> None:
    from tutor.build.builder import MissingToolError

    source = make_source(tmp_path, TOOL_SOURCE.replace("EXPECT", "ok"))
    with pytest.raises(MissingToolError) as error:
        build_lesson(read_source(source), source.parent)
    assert "no-such-tool-for-tutor is not installed" in str(error.value)


def test_a_lesson_that_shows_a_missing_command_on_purpose_still_builds_and_checks(tmp_path: Path) -> None:
    source = make_source(tmp_path, TOOL_SOURCE.replace("EXPECT", "fail"))
    report = build_lesson(read_source(source), source.parent)
    assert [m for m in report.missing if "no-such-tool-for-tutor" in m]
    result = next(step for step in load_lesson(source.parent).steps if step.kind == "result")
    assert result.exit_code == 127 and "not found" in result.output
    assert check_lesson(source.parent, source).ok, "what is checked in shows the same missing command: nothing differs"


def test_check_tells_differs_from_could_not_check(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    lesson_dir = source.parent
    build_lesson(read_source(source), lesson_dir)
    data = json.loads((lesson_dir / "lesson.json").read_text())
    data["steps"][2]["output"] = "something else"
    (lesson_dir / "lesson.json").write_text(json.dumps(data, indent=2))
    drifted = check_lesson(lesson_dir, source)
    assert drifted.differs and drifted.could_not_check is None
    (source / "lesson.toml").write_text("id = [")
    broken = check_lesson(lesson_dir, source)
    assert not broken.ok and not broken.differs and broken.could_not_check
