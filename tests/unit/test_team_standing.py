"""The library shows a team member where they stand on each team lesson (issue 15, item 6): the
median of the other members' first scores on the same version, hidden below the team's minimum
group, and never anyone's answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.team_support import bare_team, git_sandbox, take_lesson
from tutor.lesson import AskType, Confidence
from tutor.lesson.io import lesson_digest, load_lesson
from tutor.services.library import load_library
from tutor.services.team_standing import TeamStandings, result_score
from tutor.settings import load_settings, load_teams
from tutor.store.progress import Progress
from tutor.paths import progress_dir
from tutor.team import ResultAnswer, ResultFile, TeamLayout, to_json


@pytest.fixture(autouse=True)
def _git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    git_sandbox(monkeypatch, tmp_path)


def answer(step: str, score: float | None, *, skipped: bool = False) -> ResultAnswer:
    return ResultAnswer(step, AskType.OUTCOME, skipped, None if skipped else Confidence.HIGH, score, missed=skipped or (score or 0) < 1)


def put(team: Path, lesson: str, digest: str, handle: str, attempt: str, finished: str, scores: list[float | None]) -> None:
    result = ResultFile(lesson, digest, handle, attempt, finished, tuple(answer(f"s{i}", s, skipped=s is None) for i, s in enumerate(scores)))
    path = TeamLayout(team).result_path(lesson, digest, handle, attempt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(result), encoding="utf-8")


def test_a_result_scores_as_the_score_card_does_skips_zero_pending_left_out() -> None:
    result = ResultFile("l", "a" * 64, "m-a", "x", "2026-12-06T10:00:00+00:00", (answer("a", 1.0), answer("b", None, skipped=True), answer("c", 0.5)))
    assert result_score(result) == pytest.approx(0.5)
    pending = ResultAnswer("d", AskType.GOAL, False, Confidence.LOW, None, False)
    assert result_score(ResultFile("l", "a" * 64, "m-a", "x", "2026-12-06T10:00:00+00:00", (pending,))) is None


def test_the_median_of_the_others_first_attempts_shown_from_the_minimum_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch, lessons=("vague-goal",))
    folder = ada.clone / "curricula" / "vague-goal"
    digest = lesson_digest(load_lesson(folder))
    with ada.acting():
        (membership,) = load_teams()
        mine = membership.handle
        put(ada.clone, "vague-goal", digest, mine, "a1", "2026-12-06T09:00:00+00:00", [0.0, 0.0])  # mine: never in the team's figure
        put(ada.clone, "vague-goal", digest, "m-bob", "b1", "2026-12-06T10:00:00+00:00", [1.0, 0.0])  # 0.5
        # Carl's first attempt finished earlier as a moment, though its clock text sorts later.
        put(ada.clone, "vague-goal", digest, "m-carl", "c2", "2026-12-06T11:30:00+02:00", [0.0, 0.0])
        put(ada.clone, "vague-goal", digest, "m-carl", "c1", "2026-12-06T10:00:00+00:00", [1.0, 1.0])
        put(ada.clone, "vague-goal", "f" * 64, "m-dan", "d1", "2026-12-06T10:00:00+00:00", [1.0, 1.0])  # another version
        standing = TeamStandings.of_member().standing(ada.clone, "vague-goal", digest)
        assert standing is not None and standing.members == 2 and standing.median is None
        assert standing.label() == "team: 2 of 3 needed"
        put(ada.clone, "vague-goal", digest, "m-eve", "e1", "2026-12-06T10:00:00+00:00", [1.0, 1.0])
        standing = TeamStandings.of_member().standing(ada.clone, "vague-goal", digest)
        assert standing is not None and standing.members == 3
        # Bob 0.5, Carl's first (c2, at 09:30 UTC) 0.0, Eve 1.0: the median is 0.5.
        assert standing.median == pytest.approx(0.5)
        assert standing.label() == "team median 50% of 3"


def test_the_library_row_of_a_team_lesson_says_where_the_member_stands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch, lessons=("vague-goal",))
    folder = ada.clone / "curricula" / "vague-goal"
    digest = lesson_digest(load_lesson(folder))
    take_lesson(ada, folder)
    with ada.acting():
        for number, handle in enumerate(("m-bob", "m-carl", "m-dan")):
            put(ada.clone, "vague-goal", digest, handle, f"x{number}", "2026-12-06T10:00:00+00:00", [number / 2])
        with Progress(progress_dir()) as progress:
            library = load_library(load_settings().curriculum_roots(), progress)
    (entry,) = [entry for entry in library.lessons() if entry.path.resolve() == folder.resolve()]
    assert entry.state_label.startswith("done · ")
    assert " · team median 50% of 3 (your first " in entry.state_label
    bundled = next(entry for entry in library.lessons() if entry.curriculum == "steering-101")
    assert "team" not in bundled.state_label
