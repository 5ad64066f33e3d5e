"""Teams in tests: members with their own `$TUTOR_HOME` and git identity, clones of one bare
repository, and lessons taken through the same service the lesson screen uses."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tutor.learn.answers import ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer
from tutor.learn.judging import Judge, Judgement, PointVerdict, Verdict
from tutor.lesson import AskType, Confidence
from tutor.lesson.io import load_lesson
from tutor.services.library import lesson_key
from tutor.services.lesson_run import LessonRun
from tutor.store.progress import Progress
from tutor.paths import bundled_curricula_dir, progress_dir

STEERING = bundled_curricula_dir() / "steering-101"


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@dataclass
class Member:
    """One person: their Tutor home, their git identity, their clone of the team."""

    name: str
    home: Path
    clone: Path
    monkeypatch: pytest.MonkeyPatch

    @contextmanager
    def acting(self) -> Iterator[Member]:
        """Everything inside runs as this member: their `$TUTOR_HOME` and git identity."""
        with self.monkeypatch.context() as patch:
            patch.setenv("TUTOR_HOME", str(self.home))
            for who in ("AUTHOR", "COMMITTER"):
                patch.setenv(f"GIT_{who}_NAME", self.name)
                patch.setenv(f"GIT_{who}_EMAIL", f"{self.name.lower()}@example.invalid")
            yield self

    @property
    def handle(self) -> str:
        from tutor.settings import load_teams

        with self.acting():
            return load_teams()[0].handle


def git_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No global or system git configuration: the test's git is the same on every machine."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (tmp_path / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")


def bare_team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, lessons: tuple[str, ...] = ("vague-goal", "scope-creep")) -> tuple[Path, Member]:
    """A bare team repository made by its first member (who joins it), holding copies of bundled lessons."""
    from tutor.services.team import init_team, join_team

    bare = tmp_path / "team.git"
    git("init", "--quiet", "--bare", str(bare))
    first = Member("Ada", tmp_path / "home-ada", tmp_path / "ada" / "team", monkeypatch)
    with first.acting():
        init_team(first.clone, "Platform team")
        curriculum = first.clone / "curricula"
        for name in lessons:
            shutil.copytree(STEERING / name, curriculum / name)
        names = ", ".join(f'"{name}"' for name in lessons)
        (curriculum / "curriculum.toml").write_text(f'title = "Platform team"\nlessons = [{names}]\n', encoding="utf-8")
        git("add", "--all", cwd=first.clone)
        git("commit", "--quiet", "-m", "lessons", cwd=first.clone)
        git("remote", "add", "origin", bare.as_uri(), cwd=first.clone)
        git("push", "--quiet", "-u", "origin", "main", cwd=first.clone)
        join_team(str(first.clone))
    return bare, first


def new_member(name: str, bare: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Member:
    from tutor.services.team import join_team

    member = Member(name, tmp_path / f"home-{name.lower()}", tmp_path / name.lower() / "team", monkeypatch)
    with member.acting():
        join_team(bare.as_uri(), dest=member.clone)
    return member


Answerer = Callable[[AskType, int], object]


def right_ish(ask_type: AskType, number: int) -> object:
    """Plain answers, the same for every ask of a type (so some are right and some wrong)."""
    if ask_type is AskType.OUTCOME:
        return OutcomeAnswer(works=True, confidence=Confidence.HIGH)
    if ask_type is AskType.CHOICE:
        return ChoiceAnswer(0, confidence=Confidence.MEDIUM)
    if ask_type is AskType.INTERVENE:
        return InterveneAnswer(intervene=False, confidence=Confidence.LOW)
    return GoalAnswer("Fix the failing test, change nothing else, and show the test output.", confidence=Confidence.MEDIUM)


def take_lesson(member: Member, lesson_folder: Path, answer: Answerer = right_ish) -> str:
    """`member` takes the lesson from start to finish as the lesson screen would save it; the attempt id."""
    with member.acting():
        lesson = load_lesson(lesson_folder)
        progress = Progress(progress_dir())
        run = LessonRun(lesson, progress, key=lesson_key(lesson_folder, lesson.id), fresh=True)
        number = 0
        while not run.replay.finished:
            replay = run.replay
            if replay.awaiting_answer():
                step = lesson.steps[replay.current_step_index()]  # type: ignore[index]
                number += 1
                run.question_shown()
                grade = run.answer(answer(AskType(step.ask.type), number))  # type: ignore[union-attr, arg-type]
                if grade.pending:
                    verdicts = tuple(PointVerdict(index, Verdict.COVERED if index % 2 == 0 else Verdict.MISSED) for index in range(len(grade.points)))
                    run.judge(step.id, Judgement(Judge.SELF, verdicts))
            elif replay.can_next():
                run.next()
            else:
                raise AssertionError("the lesson can neither go on nor finish")
        attempt = run.attempt_id
        run.close()
        progress.close()
        assert attempt is not None
        return attempt
