"""The code behind a lesson, limited to what the learner has already seen.

Only the base and the commits of *revealed* steps are offered, so investigating can
never show the code of a step still hidden behind its question.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.lesson import Lesson, ResultStep

if TYPE_CHECKING:
    from tutor.learn import Replay
    from tutor.vcs.lesson_repo import LessonRepo


@dataclass(frozen=True)
class Checkpoint:
    label: str
    commit: str
    step_id: str | None = None


def open_lesson_repo(lesson: Lesson, folder: Path) -> LessonRepo:
    """Unpack (once) the lesson's bundle into the cache. Slow the first time: call it from a worker."""
    from tutor.vcs.lesson_repo import LessonRepo
    from tutor.vcs.shell_copy import sweep_stale_shell_copies

    sweep_stale_shell_copies()  # shell copies a killed Tutor left behind: one scandir, here rather than at start-up
    return LessonRepo.for_lesson(folder, lesson.repo)


def revealed_checkpoints(lesson: Lesson, replay: Replay, step_commits: dict[str, str]) -> list[Checkpoint]:
    """The base, then each revealed step that has code after it, in lesson order, without repeats."""
    if lesson.repo is None:
        return []
    points = [Checkpoint("start (before the agent)", lesson.repo.base)]
    seen = {lesson.repo.base}
    for index, step in enumerate(lesson.steps):
        if not replay.is_revealed(index):
            continue
        commit = step.commit if isinstance(step, ResultStep) and step.commit else step_commits.get(step.id)
        if commit and commit not in seen:
            seen.add(commit)
            points.append(Checkpoint(f"after step {index + 1} ({step.kind})", commit, step.id))
    return points


def commit_before(lesson: Lesson, step_id: str, step_commits: dict[str, str]) -> str | None:
    """The code as it stood before this step: the last earlier commit, or the base."""
    if lesson.repo is None:
        return None
    previous = lesson.repo.base
    for step in lesson.steps:
        if step.id == step_id:
            return previous
        commit = step.commit if isinstance(step, ResultStep) and step.commit else step_commits.get(step.id)
        if commit:
            previous = commit
    return previous
