"""Where a member stands against their team on one lesson: the team's median score, never anyone's answers.

For the library (issue 15, item 6). The team's figure is the median of the *other* members'
scores on the same version of the lesson (pooled by digest), each member counted once, by their
first finished attempt (as in the team report: later attempts come after seeing the reveal).
It is shown only when at least `min_group` other members have one, so that no member's score
can be worked out from it; below that the library says how many more are needed, not the figure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from tutor.team import ResultFile, TeamFormatError, load_results, read_team_config


@dataclass(frozen=True)
class TeamStanding:
    members: int  # other members with a finished attempt at this version
    min_group: int
    median: float | None  # None while fewer than `min_group` members have one (hidden)

    def label(self) -> str:
        if self.median is None:
            return f"team: {self.members} of {self.min_group} needed"
        return f"team median {self.median:.0%} of {self.members}"


def result_score(result: ResultFile) -> float | None:
    """One attempt's overall score as Tutor's score card counts it: the mean over its asks, a skip
    counting zero; an ask still awaiting its judgement is left out. None when nothing counts."""
    counted = [0.0 if answer.skipped else answer.score for answer in result.answers if answer.skipped or answer.score is not None]
    scores = [score for score in counted if score is not None]
    return sum(scores) / len(scores) if scores else None


class TeamStandings:
    """Each team's pooled results, read once per library load (a team folder is read lazily, when one of its lessons is listed)."""

    def __init__(self, handles: dict[Path, str]) -> None:
        self._handles = {root.resolve(): handle for root, handle in handles.items()}  # the member's own handle in each team
        self._first_scores: dict[Path, dict[tuple[str, str], dict[str, float]]] = {}
        self._min_group: dict[Path, int] = {}
        self.problems: list[str] = []

    @classmethod
    def of_member(cls) -> TeamStandings:
        from tutor.settings import TeamsFileError, load_teams

        try:
            teams = load_teams()
        except TeamsFileError:
            teams = []
        return cls({team.path: team.handle for team in teams})

    def standing(self, team_root: Path, lesson_id: str, digest: str) -> TeamStanding | None:
        """The team's figure for this version of the lesson; None for a team this member has not joined."""
        root = team_root.resolve()
        mine = self._handles.get(root)
        if mine is None:
            return None
        if root not in self._first_scores:
            self._read(root)
        by_handle = self._first_scores[root].get((lesson_id, digest), {})
        others = [score for handle, score in by_handle.items() if handle != mine]
        min_group = self._min_group[root]
        median = statistics.median(others) if others and len(others) >= min_group else None
        return TeamStanding(len(others), min_group, median)

    def _read(self, root: Path) -> None:
        try:
            self._min_group[root] = read_team_config(root).min_group
        except TeamFormatError as error:
            self.problems.append(str(error))
            self._min_group[root] = 10**9  # an unreadable team.toml: show no figure at all
        scores: dict[tuple[str, str], dict[str, float]] = {}
        for version, members in load_results(root).first_attempts().items():
            for handle, result in members.items():
                score = result_score(result)
                if score is not None:
                    scores.setdefault(version, {})[handle] = score
        self._first_scores[root] = scores
