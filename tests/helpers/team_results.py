"""Synthetic teams for the team report's tests: result files written with `tutor.team.to_json` at the
documented paths (`results/<lesson>/<digest12>/<handle>/<attempt>.json`), and the hand-made lesson
(`tests.helpers.hand_made.make_lesson`: a goal s1, an outcome s4, an intervene s6, a choice s7)
published in the team's curricula."""

from __future__ import annotations

import random
from pathlib import Path

from tests.helpers.hand_made import make_lesson
from tutor.lesson import Category, Confidence, Lesson, lesson_digest, save_lesson
from tutor.lesson.taxonomy import AskType
from tutor.team import KeyPointVerdict, ResultAnswer, ResultFile, TeamConfig, TeamLayout, to_json, write_team_config

LESSON = make_lesson()
DIGEST = lesson_digest(LESSON)
OTHER_DIGEST = "0" * 64  # a version whose lesson the team does not hold


def team_folder(root: Path, *, min_group: int = 3, share_words: bool = True, name: str = "Platform team") -> Path:
    """A team folder with its `team.toml` (no git: the report reads files only)."""
    root.mkdir(parents=True, exist_ok=True)
    write_team_config(root, TeamConfig(name=name, min_group=min_group, share_words=share_words))
    return root


def publish(team: Path, lesson: Lesson = LESSON) -> Path:
    """The lesson in the team's curricula, as `tutor team publish` would leave it (a folder in `curricula/`)."""
    folder = TeamLayout(team).curricula / lesson.id
    folder.mkdir(parents=True, exist_ok=True)
    save_lesson(lesson, folder)
    return folder


def handle(number: int) -> str:
    return f"m-{number:08d}"


def write(team: Path, result: ResultFile) -> Path:
    path = TeamLayout(team).result_path(result.lesson, result.digest, result.handle, result.attempt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(result), encoding="utf-8")
    return path


def result(who: str, answers: list[ResultAnswer], *, attempt: str = "a1", finished: str = "2026-03-01T10:00:00+00:00", digest: str = DIGEST, lesson: str = "tests-that-lie") -> ResultFile:
    return ResultFile(lesson=lesson, digest=digest, handle=who, attempt=attempt, finished=finished, answers=tuple(answers))


def goal(score: float | None, *, points: tuple[str, ...] = (), confidence: Confidence = Confidence.MEDIUM, text: str | None = None, skipped: bool = False) -> ResultAnswer:
    return ResultAnswer(
        step="s1", type=AskType.GOAL, skipped=skipped, confidence=None if skipped else confidence,
        score=None if skipped else score, missed=skipped or (score is not None and score < 0.5),
        key_points=tuple(KeyPointVerdict(index, verdict) for index, verdict in enumerate(points)), text=text,
    )


def outcome(works: bool, confidence: Confidence = Confidence.MEDIUM) -> ResultAnswer:
    right = works is False  # the hand-made lesson's command fails
    return ResultAnswer(step="s4", type=AskType.OUTCOME, skipped=False, confidence=confidence, score=1.0 if right else 0.0, missed=not right, works=works)


def intervene(steps_in: bool, category: Category | None = None, *, points: tuple[str, ...] = (), confidence: Confidence = Confidence.MEDIUM, text: str | None = None) -> ResultAnswer:
    """An answer to s6, where the senior stepped in (test)."""
    right = steps_in
    score = (0.5 + (0.25 if category is Category.TEST else 0.0) + 0.25 * sum(verdict == "covered" for verdict in points) / 2) if right else 0.0
    return ResultAnswer(
        step="s6", type=AskType.INTERVENE, skipped=False, confidence=confidence, score=score, missed=not right,
        intervene=steps_in, category=category if steps_in else None, decision_correct=right,
        key_points=tuple(KeyPointVerdict(index, verdict) for index, verdict in enumerate(points)), text=text,
    )


def choice(index: int, confidence: Confidence = Confidence.MEDIUM) -> ResultAnswer:
    right = index == 1
    return ResultAnswer(step="s7", type=AskType.CHOICE, skipped=False, confidence=confidence, score=1.0 if right else 0.0, missed=not right, choice=index)


def skipped(step: str, kind: AskType) -> ResultAnswer:
    return ResultAnswer(step=step, type=kind, skipped=True, confidence=None, score=None, missed=True)


def random_team(team: Path, members: int, *, seed: int = 15) -> list[Path]:
    """`members` learners with one or two attempts each, every ask answered at random (the first attempt written last, to check ordering)."""
    rng = random.Random(seed)
    written = []
    confidences = list(Confidence)
    for number in range(members):
        who = handle(number)
        for attempt, finished in (("b2", "2026-03-02T09:00:00+00:00"), ("a1", "2026-03-01T09:00:00+01:00"))[rng.randrange(2):]:
            answers = [
                goal(rng.choice([0.0, 0.3, 0.6, 1.0]), points=(rng.choice(["covered", "partly", "missed"]),), confidence=rng.choice(confidences)),
                outcome(rng.random() < 0.6, rng.choice(confidences)),
                intervene(steps_in := rng.random() < 0.5, rng.choice(list(Category)) if steps_in else None, confidence=rng.choice(confidences)),
                choice(rng.randrange(3), rng.choice(confidences)),
            ]
            written.append(write(team, result(who, answers, attempt=attempt, finished=finished)))
    return written


def small_team(team: Path) -> None:
    """Three learners, figured by hand in tests/unit/test_team_report.py (`test_a_small_team_by_hand`)."""
    write(team, result(handle(0), [
        goal(1.0, points=("covered",)),
        outcome(True, Confidence.HIGH),  # wrong and sure
        intervene(True, Category.TEST, points=("covered", "covered"), text="Fix the code,  not the TEST."),
        choice(1),
    ]))
    write(team, result(handle(1), [
        goal(0.3, points=("missed",), confidence=Confidence.HIGH),  # wrong and sure
        outcome(False),
        intervene(False, confidence=Confidence.HIGH),  # wrong and sure
        choice(2, Confidence.HIGH),  # wrong and sure
    ]))
    write(team, result(handle(2), [
        skipped("s1", AskType.GOAL),
        outcome(True, Confidence.HIGH),  # wrong and sure
        intervene(True, Category.SCOPE, points=("covered", "missed"), text="fix the code,\nnot the test."),
        choice(1, Confidence.LOW),
    ]))


def join(team: Path, name: str = "Platform team") -> None:
    """This member joined `team` (its entry in `teams.toml`, as `tutor team join` writes it; no git needed to read results)."""
    from tutor.settings import TeamMembership, save_teams

    save_teams([TeamMembership(team.resolve(), "m-aaaaaaaa", name)])
