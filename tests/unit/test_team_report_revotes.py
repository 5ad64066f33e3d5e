"""The team report's revote deltas (issue 16): the group sessions' tally files of a version, pooled by
digest like results; per ask with a revote, the first vote and the revote side by side and the change
in the share that agreed with the senior; hidden below min_group; in the JSON, the HTML page and the
text the screen shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import team_results as tr
from tutor.cli import cli
from tutor.lesson import AskType
from tutor.services.team_report import load_team_report
from tutor.team.report import ChoiceSpread, InterveneSpread, OutcomeSpread, TeamReport, VersionReport
from tutor.team.report_html import report_html
from tutor.team.report_json import report_data
from tutor.team.report_text import agreed_line, change_text, paired_bars, revote_line, sessions_line
from tutor.team.tallies import TallyAsk, TallyFile, TallyMode, TallyRound, write_tally

# The hand-made lesson (tests.helpers.hand_made): a goal s1, an outcome s4 (the command failed), an
# intervene s6 (the senior stepped in: test), a choice s7 (the senior's option: 1).


def tally(session: str, *asks: TallyAsk, mode: TallyMode = TallyMode.FACILITATED, digest: str = tr.DIGEST, handle: str = "m-aaaaaaaa", started: str = "2026-12-06T14:00:00+00:00") -> TallyFile:
    return TallyFile("tests-that-lie", digest, handle, session, mode, started, "2026-12-06T15:00:00+00:00", 9, asks)


def rounds(*counts: dict[str, int], goal_n: tuple[int, ...] = ()) -> tuple[TallyRound, ...]:
    if goal_n:
        return tuple(TallyRound(number, n, {}) for number, n in enumerate(goal_n, start=1))
    return tuple(TallyRound(number, sum(held.values()), held) for number, held in enumerate(counts, start=1))


@pytest.fixture
def team(tmp_path: Path) -> Path:
    folder = tr.team_folder(tmp_path / "team", min_group=3)
    tr.publish(folder)
    tr.join(folder)
    return folder


def version_of(report: TeamReport) -> VersionReport:
    (version,) = report.versions
    return version


def test_two_sessions_pooled_side_by_side_with_the_change_by_hand(team: Path) -> None:
    write_tally(team, tally(
        "20261206140000-aaaaaa",
        TallyAsk("s1", AskType.GOAL, rounds(goal_n=(6, 7))),
        TallyAsk("s4", AskType.OUTCOME, rounds({"works": 4, "fails": 2}, {"works": 1, "fails": 5})),
        TallyAsk("s6", AskType.INTERVENE, rounds({"let it run": 3, "step in: scope": 1}, {"let it run": 1, "step in: test": 2, "step in": 1})),
    ))
    write_tally(team, tally(
        "20261207100000-bbbbbb",
        TallyAsk("s4", AskType.OUTCOME, rounds({"works": 2, "fails": 1}, {"works": 0, "fails": 3})),
        TallyAsk("s6", AskType.INTERVENE, rounds({"let it run": 2, "step in: test": 1})),  # no revote here: in neither column
        TallyAsk("s7", AskType.CHOICE, rounds({"option 0": 2, "option 2": 1})),
        mode=TallyMode.HOSTED, handle="m-bbbbbbbb", started="2026-12-07T10:00:00+00:00",
    ))
    report = load_team_report().report
    assert report.problems == ()
    version = version_of(report)  # no result file at all: the version is there for its group sessions
    assert version.learners == 0 and version.title == "Tests that lie"
    assert [session.session for session in version.group_sessions] == ["20261206140000-aaaaaa", "20261207100000-bbbbbb"]
    goal, outcome, intervene, choice = version.asks
    assert choice.revote is None  # one round only
    # The outcome: 9 answers in each round, the senior's "fails" from 3 of 9 to 8 of 9.
    revote = outcome.revote
    assert revote is not None and revote.sessions == 2
    assert (revote.first.n, revote.second.n) == (9, 9)
    assert revote.first.spread == OutcomeSpread(works=6, fails=3, senior_works=False)
    assert revote.second.spread == OutcomeSpread(works=1, fails=8, senior_works=False)
    assert revote.first.agreed == pytest.approx(3 / 9) and revote.second.agreed == pytest.approx(8 / 9)
    assert revote.change == pytest.approx(5 / 9)
    assert agreed_line(revote, 3) == "agreed with the senior 33% → 89% (+56 points)"
    assert paired_bars(revote) == [("works", 6, 1, False), ("fails", 3, 8, True)]
    # The intervene ask: only the first session revoted it; agreeing is the decision (step in), any category.
    revote = intervene.revote
    assert revote is not None and revote.sessions == 1
    first, second = revote.first.spread, revote.second.spread
    assert isinstance(first, InterveneSpread) and isinstance(second, InterveneSpread)
    assert (first.let_run, first.step_in, dict(first.categories)) == (3, 1, {"scope": 1, "test": 0})  # the senior's category shown even at 0
    assert (second.let_run, second.step_in, dict(second.categories)) == (1, 3, {"test": 2})
    assert revote.first.agreed == pytest.approx(1 / 4) and revote.second.agreed == pytest.approx(3 / 4)
    assert change_text(revote.change) == "+50 points"
    # A goal: how many wrote one, no share.
    assert goal.revote is not None and (goal.revote.first.n, goal.revote.second.n) == (6, 7)
    assert goal.revote.first.spread is None and goal.revote.change is None
    assert "compare the goals" in agreed_line(goal.revote, 3)
    assert sessions_line(version.group_sessions) == "2 group sessions (1 hosted, 1 facilitated), 4 revotes"


def test_small_rounds_are_hidden_and_so_is_the_change(team: Path) -> None:
    write_tally(team, tally("20261206140000-aaaaaa", TallyAsk("s4", AskType.OUTCOME, rounds({"works": 1, "fails": 1}, {"fails": 2}))))
    (_, outcome, *_) = version_of(load_team_report().report).asks
    revote = outcome.revote
    assert revote is not None and revote.first.hidden and revote.second.hidden
    assert revote.first.spread is None and revote.first.agreed is None and revote.change is None
    assert revote_line(revote, 3) == "revote in 1 group session: agreed with the senior: hidden: fewer than 3 answers"
    data = report_data(load_team_report().report)["lessons"][0]["asks"][1]["revote"]
    assert data["rounds"][0] == {"round": 1, "n": 2, "distribution": None, "agreed": None}
    assert data["agreed_change"] is None
    page = report_html(load_team_report().report)
    assert "hidden: fewer than 3 answers" in page and "works" not in page.split("Group sessions")[1]


def test_without_the_lesson_the_counts_are_shown_but_no_share(team: Path) -> None:
    write_tally(team, tally(
        "20261206140000-aaaaaa",
        TallyAsk("s7", AskType.CHOICE, rounds({"option 0": 3, "option 2": 1}, {"option 1": 3, "option 2": 1})),
        digest=tr.OTHER_DIGEST,
    ))
    version = version_of(load_team_report().report)
    assert version.title is None
    (ask,) = version.asks  # the asks the tallies name, without the lesson
    assert ask.step == "s7" and ask.revote is not None
    assert ask.revote.first.spread == ChoiceSpread(counts=(3, 0, 1), answer=None)
    assert ask.revote.second.spread == ChoiceSpread(counts=(0, 3, 1), answer=None)
    assert ask.revote.change is None and "not in the team's curricula" in agreed_line(ask.revote, 3)


def test_tallies_and_results_of_a_version_are_one_report_and_versions_never_mix(team: Path) -> None:
    tr.small_team(team)
    write_tally(team, tally("20261206140000-aaaaaa", TallyAsk("s7", AskType.CHOICE, rounds({"option 0": 3}, {"option 1": 3}))))
    write_tally(team, tally("20261206150000-cccccc", TallyAsk("s7", AskType.CHOICE, rounds({"option 0": 5}, {"option 0": 5})), digest=tr.OTHER_DIGEST))
    report = load_team_report().report
    assert len(report.versions) == 2
    mine = next(version for version in report.versions if version.digest == tr.DIGEST)
    assert mine.learners == 3  # the results' figures are as they were
    choice = mine.asks[3]
    assert choice.n == 3 and choice.revote is not None
    assert choice.revote.first.agreed == 0.0 and choice.revote.second.agreed == 1.0 and choice.revote.change == 1.0
    other = next(version for version in report.versions if version.digest == tr.OTHER_DIGEST)
    assert other.asks[0].revote is not None and other.asks[0].revote.first.n == 5


def test_an_ask_the_version_does_not_have_is_one_problem_line(team: Path) -> None:
    write_tally(team, tally(
        "20261206140000-aaaaaa",
        TallyAsk("s4", AskType.CHOICE, rounds({"option 0": 3}, {"option 0": 3})),  # s4 is an outcome
        TallyAsk("s9", AskType.OUTCOME, rounds({"works": 3}, {"works": 3})),  # no such ask
    ))
    broken = team / "tallies" / "tests-that-lie" / tr.DIGEST[:12] / "m-aaaaaaaa" / "20261206150000-ffffff.json"
    broken.write_text("{", encoding="utf-8")
    report = load_team_report().report
    assert all(ask.revote is None for ask in version_of(report).asks)
    assert len(report.problems) == 2
    assert any("2 tallied asks name a step this version does not ask at" in problem for problem in report.problems)
    assert any("not valid JSON" in problem for problem in report.problems)


def test_the_json_has_the_revote_and_the_sessions(team: Path) -> None:
    write_tally(team, tally("20261206140000-aaaaaa", TallyAsk("s4", AskType.OUTCOME, rounds({"works": 6, "fails": 3}, {"works": 2, "fails": 7}))))
    printed = json.loads(CliRunner().invoke(cli, ["team", "report", "--format", "json"]).stdout)
    (lesson,) = printed["lessons"]
    assert lesson["group_sessions"] == [{
        "session": "20261206140000-aaaaaa", "mode": "facilitated", "started": "2026-12-06T14:00:00+00:00",
        "finished": "2026-12-06T15:00:00+00:00", "participants": 9, "asks": 1, "revotes": 1,
    }]
    assert "m-aaaaaaaa" not in json.dumps(printed), "who ran a session is not in the report"
    outcome = lesson["asks"][1]
    assert outcome["revote"] == {
        "sessions": 1,
        "rounds": [
            {"round": 1, "n": 9, "distribution": {"works": 6, "fails": 3, "senior": "fails"}, "agreed": 0.3333},
            {"round": 2, "n": 9, "distribution": {"works": 2, "fails": 7, "senior": "fails"}, "agreed": 0.7778},
        ],
        "agreed_change": 0.4444,
    }
    assert lesson["asks"][0]["revote"] is None


def test_the_page_shows_both_votes_and_stays_inert(team: Path) -> None:
    write_tally(team, tally("20261206140000-aaaaaa", TallyAsk("s4", AskType.OUTCOME, rounds({"works": 6, "fails": 3}, {"works": 2, "fails": 7}))))
    page = report_html(load_team_report().report, team="Platform team")
    section = page.split("Group sessions: the first vote and the revote")[1]
    assert "1 group session (1 facilitated), 1 revote" in section
    assert "first vote (9 answers)" in section and "revote (9 answers)" in section
    assert section.count("<svg") == 2
    assert "agreed with the senior 33% → 78% (+44 points)" in section
    assert "http" not in page and "<script" not in page.lower()


def test_a_report_with_no_group_session_is_as_it_was(team: Path) -> None:
    tr.small_team(team)
    report = load_team_report().report
    assert all(ask.revote is None for ask in version_of(report).asks) and version_of(report).group_sessions == ()
    assert "Group sessions" not in report_html(report)
    assert report_data(report)["lessons"][0]["group_sessions"] == []
