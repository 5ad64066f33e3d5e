"""The bundled curriculum: valid, built from its sources, and teaching what it says it teaches."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.lesson import AskType, Category, read_curriculum
from tutor.paths import bundled_curricula_dir

STEERING = bundled_curricula_dir() / "steering-101"
TUTOR = [sys.executable, "-m", "tutor.cli"]


def _tutor(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TUTOR_HOME=str(home))
    return subprocess.run([*TUTOR, *args], capture_output=True, text=True, env=env, timeout=600)


def _lessons():
    curriculum = read_curriculum(STEERING)
    assert not curriculum.problems, curriculum.problems
    reads = curriculum.read_lessons()
    for read in reads:
        assert read.ok, read.problems
    return [read.lesson for read in reads]


def test_tutor_validate_passes(tutor_home: Path) -> None:
    result = _tutor("validate", str(STEERING), home=tutor_home)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_every_lesson_is_what_its_source_builds(tutor_home: Path) -> None:
    result = _tutor("build", "--check", str(STEERING), home=tutor_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all match their sources" in result.stderr


def test_at_least_eight_lessons_each_with_four_asks_the_first_a_goal() -> None:
    lessons = _lessons()
    assert len(lessons) >= 8
    for lesson in lessons:
        asks = [step.ask for step in lesson.steps if step.ask is not None]
        assert len(asks) >= 4, lesson.id
        assert asks[0].type == "goal", lesson.id
        assert lesson.origin.value == "scripted" and lesson.repo is not None
        assert sum(step.annotation is not None for step in lesson.steps) >= 3, f"{lesson.id}: annotations carry the reasoning"
        goal = next(step for step in lesson.steps if step.kind == "goal")
        assert goal.criteria, f"{lesson.id}: the senior's goal has criteria"


def test_the_curriculum_covers_every_ask_type_and_most_categories() -> None:
    lessons = _lessons()
    ask_types = {step.ask.type for lesson in lessons for step in lesson.steps if step.ask is not None}
    assert ask_types == {kind.value for kind in AskType}
    categories = {step.category for lesson in lessons for step in lesson.steps if step.kind == "correction"}
    assert len(categories) >= 8, sorted(c.value for c in categories)
    assert categories <= set(Category)


def test_intervening_is_not_always_right() -> None:
    for lesson in _lessons():
        truths = [step.kind for step in lesson.steps if step.ask is not None and step.ask.type == "intervene"]
        assert "correction" in truths and "result" in truths, f"{lesson.id}: needs both a stop and a let-it-run question"
