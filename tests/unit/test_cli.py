"""The command line, run as a user runs it: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import cli
from tutor.lesson import load_lesson

from tests.helpers.support import EXAMPLE_CURRICULUM, example_lesson_paths

TUTOR = [sys.executable, "-m", "tutor.cli"]


def run_tutor(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ, TUTOR_HOME=str(env_home))
    return subprocess.run([*TUTOR, *args], capture_output=True, text=True, timeout=60, env=env)


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("learn", "validate", "export", "progress"):
        assert command in result.output


@pytest.mark.parametrize("command", ["learn", "validate", "export", "progress"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_validate_accepts_curriculum_and_lessons(tutor_home: Path) -> None:
    result = run_tutor("validate", str(EXAMPLE_CURRICULUM), *map(str, example_lesson_paths()), env_home=tutor_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all valid" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_rejects_broken_with_one_line_each(tmp_path: Path, tutor_home: Path) -> None:
    good = json.loads((example_lesson_paths()[0] / "lesson.json").read_text())
    broken = dict(good, steps=good["steps"] + [{"id": "zz", "kind": "mystery", "text": "?"}])
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "lesson.json").write_text(json.dumps(broken))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "lesson.json").write_bytes(b"\xff\xfe not json")
    result = run_tutor("validate", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "missing"), env_home=tutor_home)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line]
    assert len(lines) == 3, result.stdout
    assert re.match(r".*a/lesson\.json: steps\[\d+\]: unknown kind 'mystery'", lines[0])
    assert "not UTF-8" in lines[1]
    assert "no such file or folder" in lines[2]
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_needs_a_path() -> None:
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_export_markdown_asks_before_reveal(tutor_home: Path) -> None:
    for path in example_lesson_paths():
        lesson = load_lesson(path)
        result = run_tutor("export", str(path), "--format", "md", env_home=tutor_home)
        assert result.returncode == 0, result.stderr
        text = result.stdout
        assert text.startswith(f"# {lesson.title}")
        for number, step in enumerate(lesson.steps, 1):
            heading = text.index(f"## Step {number} ·")
            if step.ask is None:
                continue
            question = text.index(step.ask.prompt, heading)
            reveal = text.index(f"<summary>Reveal step {number}</summary>", heading)
            assert question < reveal
            # the step's own words come only after the reveal marker
            distinctive = getattr(step, "text", "") or getattr(step, "output", "")
            if distinctive:
                first_line = distinctive.strip().splitlines()[0][:40]
                assert text.index(first_line, heading) > reveal


def test_export_html_escapes_lesson_html(tmp_path: Path, tutor_home: Path) -> None:
    data = json.loads((example_lesson_paths()[0] / "lesson.json").read_text())
    data["task"] = "Fix it. <script>alert('x')</script>"
    (tmp_path / "l").mkdir()
    (tmp_path / "l" / "lesson.json").write_text(json.dumps(data))
    out = tmp_path / "out.html"
    result = run_tutor("export", str(tmp_path / "l"), "--format", "html", "-o", str(out), env_home=tutor_home)
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<details>" in page


def test_export_unknown_lesson_is_one_line(tutor_home: Path) -> None:
    result = run_tutor("export", "no-such-lesson", env_home=tutor_home)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("tutor: no lesson 'no-such-lesson'")


def test_export_broken_lesson_lists_problems(tmp_path: Path, tutor_home: Path) -> None:
    (tmp_path / "l").mkdir()
    (tmp_path / "l" / "lesson.json").write_text("[]")
    result = run_tutor("export", str(tmp_path / "l"), env_home=tutor_home)
    assert result.returncode == 1
    assert "a lesson must be a JSON object" in result.stderr
    assert "Traceback" not in result.stderr


def test_progress_empty_then_with_attempts(tutor_home: Path) -> None:
    result = run_tutor("progress", env_home=tutor_home)
    assert result.returncode == 0
    assert "No lessons started yet" in result.stdout

    from tutor.learn import Replay
    from tutor.store import open_progress
    from tutor.paths import progress_dir

    lesson = load_lesson(example_lesson_paths()[0])
    replay = Replay(lesson)
    with open_progress(progress_dir()) as store:
        record = store.start_attempt(lesson.id, replay.digest, title=lesson.title, total=len(lesson.steps))
        store.save_position(record.id, cursor=3, frontier=3, finished=False)
    result = run_tutor("progress", env_home=tutor_home)
    assert result.returncode == 0, result.stderr
    assert lesson.id in result.stdout
    assert f"in progress, step 3 of {len(lesson.steps)}" in result.stdout
    assert "Review queue: 0 due" in result.stdout


def test_progress_with_newer_schema_is_one_line(tutor_home: Path) -> None:
    folder = tutor_home / "progress"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps({"1": {"schema_version": 99}}))
    result = run_tutor("progress", env_home=tutor_home)
    assert result.returncode == 1
    assert "newer Tutor" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_console_script_is_installed() -> None:
    script = shutil.which("tutor", path=str(Path(sys.executable).parent))
    assert script is not None, "the `tutor` console script is missing: pip install -e ."
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "tutor" in result.stdout


def test_export_keeps_a_notes_details(tmp_path: Path, tutor_home: Path) -> None:
    data = json.loads((example_lesson_paths()[0] / "lesson.json").read_text())
    data["steps"].append({"id": "note-sub", "kind": "note", "text": "A subagent worked here.", "details": "- it searched `src/` for the discount"})
    (tmp_path / "l").mkdir()
    (tmp_path / "l" / "lesson.json").write_text(json.dumps(data))
    result = run_tutor("export", str(tmp_path / "l"), env_home=tutor_home)
    assert result.returncode == 0, result.stderr
    assert "A subagent worked here." in result.stdout and "searched `src/` for the discount" in result.stdout
