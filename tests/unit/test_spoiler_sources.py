"""Spoilers built into the machinery: what a generated lesson shows before its first question.

A recorded lesson's summary (the library shows it before the lesson opens) never holds the
senior's goal; an imported lesson's task never quotes the first prompt (see
test_import_claude_code.py); and `tutor validate` warns about a lesson with no goal ask.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tutor.lesson.check import check_paths
from tutor.lesson.validate import check_lesson_data, lesson_warnings
from tutor.record.session_lesson import lesson_data

GOAL = (
    "Make parse_amount in money/parse.py accept a comma as the decimal separator, so '3,50' is 3.50.\n"
    "Leave every existing test as it is; done when python -m pytest -q is green."
)
TUTOR = [sys.executable, "-m", "tutor.cli"]


def _runs(text: str, length: int = 4) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + length]) for i in range(max(1, len(words) - length + 1))]


def _journal(mode: str, task: str = "") -> list[dict[str, Any]]:
    header: dict[str, Any] = {"seq": 0, "kind": "session", "mode": mode}
    if task:
        header["task"] = task
    return [
        header,
        {"seq": 1, "kind": "goal", "text": GOAL},
        {"seq": 2, "kind": "assistant", "content": [{"type": "text", "text": "I'll run the tests first."}],
         "calls": [{"id": "toolu_1", "tool": "run", "input": {"command": "python -m pytest -q"}}]},
        {"seq": 3, "kind": "result", "call": "toolu_1", "ok": False, "exit_code": 1, "output": "1 failed"},
        {"seq": 4, "kind": "assistant", "content": [{"type": "text", "text": "I'll change the test."}],
         "calls": [{"id": "toolu_2", "tool": "edit_file", "input": {"path": "tests/test_parse.py", "old": "3.50", "new": "350"}}]},
        {"seq": 5, "kind": "correction", "call": "toolu_2", "category": "test", "message": "Leave the test alone.", "why": "It is the spec."},
    ]


@pytest.mark.parametrize("mode", ["record", "pair"])
@pytest.mark.parametrize("author", ["", "Ada"])
@pytest.mark.parametrize("task", ["", "Customers in Germany type amounts with a comma."])
def test_a_recorded_lessons_summary_never_holds_the_goal(mode: str, author: str, task: str) -> None:
    data = lesson_data(_journal(mode, task), lesson_id="comma", author=author)
    summary = data["summary"]
    for run in _runs(GOAL):
        assert run not in summary, (run, summary)
    assert "parse_amount" not in summary and "comma" not in summary.lower()
    # the goal is still the lesson's first question, and its answer is the goal step
    goal = data["steps"][0]
    assert goal["kind"] == "goal" and goal["text"] == GOAL and goal["ask"]["type"] == "goal"
    assert (author in summary) if author else " by " not in summary
    assert "recorded" in summary.lower() if mode == "record" else "pair session" in summary.lower()
    assert check_lesson_data(data, "lesson.json")[1] == []


def test_the_title_comes_from_the_task_not_the_goal() -> None:
    data = lesson_data(_journal("record"), lesson_id="comma")
    assert data["title"] == "A live session with the agent"
    assert all(run not in data["title"] + data["task"] for run in _runs(GOAL))


# ---------------------------------------------------------------- validate warns: no goal ask


def _lesson(tmp_path: Path, *, goal_ask: bool, goal_step: bool = True, name: str = "lesson") -> Path:
    steps: list[dict[str, Any]] = []
    if goal_step:
        goal: dict[str, Any] = {"id": "s1", "kind": "goal", "text": "Fix the sum.", "criteria": ["the suite passes"]}
        if goal_ask:
            goal["ask"] = {"type": "goal"}
        steps.append(goal)
    steps += [
        {"id": "s2", "kind": "agent", "text": "Running the tests.", "calls": [{"id": "c1", "tool": "run", "input": {"command": "pytest"}}]},
        {"id": "s3", "kind": "result", "call": "c1", "ok": True, "exit_code": 0, "output": "1 passed",
         "ask": {"type": "outcome", "prompt": "Will it pass?"}},
    ]
    data = {"format": "tutor.lesson/1", "id": name, "title": "Sum", "origin": "scripted", "task": "A sum is wrong.", "steps": steps}
    folder = tmp_path / name
    folder.mkdir()
    (folder / "lesson.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_a_lesson_without_a_goal_ask_gets_a_warning_not_an_error(tmp_path: Path) -> None:
    folder = _lesson(tmp_path, goal_ask=False)
    report = check_paths([folder])
    assert report.ok and report.problems == []
    assert report.passed == [folder]
    lines = report.lines(quiet=True)
    assert lines == [f"{folder / 'lesson.json'}: steps: warning: no goal ask: learners never set the goal themselves (give the goal step a goal ask)"]
    assert report.summary() == "1 lesson: all valid, 1 warning"


def test_a_lesson_without_a_goal_step_is_told_to_add_one(tmp_path: Path) -> None:
    report = check_paths([_lesson(tmp_path, goal_ask=False, goal_step=False)])
    assert report.ok
    assert [w.what for w in report.warnings] == ["no goal ask: learners never set the goal themselves (add a goal step with a goal ask)"]


def test_a_lesson_with_a_goal_ask_gets_no_warning(tmp_path: Path) -> None:
    report = check_paths([_lesson(tmp_path, goal_ask=True)])
    assert report.ok and report.warnings == []
    assert report.summary() == "1 lesson: all valid"


def test_warnings_are_for_valid_lessons_only(tmp_path: Path) -> None:
    folder = _lesson(tmp_path, goal_ask=False)
    data = json.loads((folder / "lesson.json").read_text(encoding="utf-8"))
    data["steps"][1]["kind"] = "mystery"
    (folder / "lesson.json").write_text(json.dumps(data), encoding="utf-8")
    report = check_paths([folder])
    assert not report.ok and report.warnings == []
    assert report.summary().startswith("1 lesson: ") and "warning" not in report.summary()


def test_lesson_warnings_is_one_line_per_warning_in_the_problem_style(tmp_path: Path) -> None:
    data = json.loads((_lesson(tmp_path, goal_ask=False) / "lesson.json").read_text(encoding="utf-8"))
    lesson, problems = check_lesson_data(data, "p")
    assert lesson is not None and problems == []
    assert [str(w) for w in lesson_warnings(lesson, "p")] == ["p: steps: no goal ask: learners never set the goal themselves (give the goal step a goal ask)"]
    data["steps"][0]["ask"] = {"type": "goal"}
    assert lesson_warnings(check_lesson_data(data, "p")[0], "p") == []


def test_the_bundled_curriculum_has_no_warnings() -> None:
    from tutor.paths import bundled_curricula_dir

    report = check_paths([bundled_curricula_dir() / "steering-101"])
    assert report.ok and report.warnings == [], report.lines(quiet=True)


def test_tutor_validate_prints_the_warning_and_exits_0(tmp_path: Path) -> None:
    without = _lesson(tmp_path, goal_ask=False, name="without")
    with_ask = _lesson(tmp_path, goal_ask=True, name="with")
    env = dict(os.environ, TUTOR_HOME=str(tmp_path / "home"))
    result = subprocess.run([*TUTOR, "validate", "-q", str(without), str(with_ask)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{without / 'lesson.json'}: steps: warning: no goal ask")
    assert "2 lessons: all valid, 1 warning" in result.stderr
    # and a real problem beside a warning still fails
    broken = _lesson(tmp_path, goal_ask=True, name="broken")
    (broken / "lesson.json").write_text("{}", encoding="utf-8")
    failed = subprocess.run([*TUTOR, "validate", "-q", str(without), str(broken)], capture_output=True, text=True, env=env, timeout=120)
    assert failed.returncode == 1
    assert any("warning: no goal ask" in line for line in failed.stdout.splitlines())
    assert "1 problem, 1 warning" in failed.stderr
