"""The team report's figures (`tutor.team.report`), loaded from synthetic teams' result files written
at the documented paths: a small team checked by hand, teams of 1, 2, 3 and 30 (figures of fewer
than min_group answers hidden), first attempts only, versions never mixed, hostile files skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import team_results as tr
from tests.helpers.hand_made import make_lesson
from tutor.lesson import Accept, Category, Confidence, CorrectionStep, InterveneAsk, lesson_digest
from tutor.lesson.taxonomy import AskType
from tutor.services.team import TeamError
from tutor.services.team_report import lessons_by_digest, load_team_report, problem_lines
from tutor.settings import TeamMembership, save_teams
from tutor.team import load_results
from tutor.team.report import ChoiceSpread, GoalSpread, InterveneSpread, OutcomeSpread, TeamReport, WordGroup, build_report, first_attempts
from tutor.team.report_json import report_data

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW


def report_of(team: Path, *, min_group: int = 3, lesson: str | None = None) -> TeamReport:
    pool = load_results(team, lesson=lesson)
    return build_report(pool, min_group, lessons_by_digest(team / "curricula", {digest for _, digest in pool.versions()}))


def test_a_small_team_by_hand(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team")
    tr.publish(team)
    tr.small_team(team)
    report = report_of(team)
    assert report.problems == ()
    (version,) = report.versions
    assert (version.lesson, version.digest, version.title, version.learners) == ("tests-that-lie", tr.DIGEST, "Tests that lie", 3)
    goal, outcome, intervene, choice = version.asks  # lesson order
    assert [ask.step for ask in version.asks] == ["s1", "s4", "s6", "s7"]

    # s1: two answered (1.0 and 0.3), one skipped; one wrong and sure; 2 < min_group: every distribution hidden.
    assert (goal.n, goal.skipped, goal.confidently_wrong) == (2, 1, 1)
    assert goal.facility == pytest.approx(0.65)
    assert goal.hidden and goal.spread is None and goal.key_points is None and goal.words is None

    # s4 (it fails): works, fails, works; both "works" were sure.
    assert (outcome.n, outcome.skipped, outcome.confidently_wrong) == (3, 0, 2)
    assert outcome.facility == pytest.approx(1 / 3)
    assert outcome.spread == OutcomeSpread(works=2, fails=1, senior_works=False)

    # s6 (the senior stepped in: test): 1.0, 0.0 (let it run, sure), 0.5 + 0.25 * 1/2 = 0.625 (scope, one point of two).
    assert (intervene.n, intervene.confidently_wrong) == (3, 1)
    assert intervene.facility == pytest.approx((1.0 + 0.0 + 0.625) / 3)
    assert intervene.spread == InterveneSpread(
        let_run=1, step_in=2, categories=((Category.SCOPE, 1), (Category.TEST, 1)), senior_steps_in=True, senior_category=Category.TEST
    )
    # Key points: the two who stepped in were judged on the ask's points; letting it run was judged on none.
    assert [(point.covered, point.partly, point.judged) for point in intervene.key_points or ()] == [(2, 0, 2), (1, 0, 2)]
    assert [point.text for point in intervene.key_points or ()] == ["the test encodes the requirement", "fix the code, not the test"]
    # The same words after whitespace and case are set aside are one answer, counted twice.
    assert intervene.words == (WordGroup(text="Fix the code,  not the TEST.", count=2),)

    # s7 (option 2 of 3 is right): two chose it, one chose option 3 (sure); option 1 nobody chose.
    assert (choice.n, choice.confidently_wrong) == (3, 1)
    assert choice.facility == pytest.approx(2 / 3)
    assert choice.spread == ChoiceSpread(counts=(0, 2, 1), answer=1, options=("nothing", "the code", "the test"))
    assert choice.spread.unchosen == (0,)

    # Sorted by the share wrong and sure: s4 2/3, s1 1/2, then s6 and s7 at 1/3 by facility (0.54 before 0.67).
    assert [ask.step for ask in report.rows()] == ["s4", "s1", "s6", "s7"]

    # Agreement over s4, s6, s7 (3 learners each), by hand from the coincidence matrix:
    # n = 9 pairable values; observed disagreements 2 (s4) + 3 (s6) + 2 (s7) = 7;
    # expected (81 - (2² + 1 + 1 + 1 + 1 + 2² + 1)) / 8 = 68 / 8; alpha = 1 - 7 / 8.5 = 3/17.
    assert version.agreement == pytest.approx(3 / 17)
    assert not version.agreement_hidden
    # Fewer than 10 learners: no discrimination, no senior's-look flag.
    assert all(ask.discrimination is None and ask.worth_a_look is None for ask in version.asks)


def answers_in(spread: OutcomeSpread | ChoiceSpread | InterveneSpread | GoalSpread) -> int:
    if isinstance(spread, OutcomeSpread):
        return spread.works + spread.fails
    if isinstance(spread, InterveneSpread):
        return spread.let_run + spread.step_in
    if isinstance(spread, ChoiceSpread):
        return sum(spread.counts)
    return sum(spread.buckets) + spread.pending


@pytest.mark.parametrize("members", [1, 2, 3, 30])
def test_teams_of_1_2_3_and_30(tmp_path: Path, members: int) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=3)
    tr.publish(team)
    tr.random_team(team, members)
    report = report_of(team)
    (version,) = report.versions
    assert version.learners == members
    data = report_data(report)["lessons"][0]
    for ask, figures in zip(version.asks, data["asks"], strict=True):
        assert ask.n == members and ask.skipped == 0
        if members < 3:
            assert ask.spread is None and ask.key_points is None and ask.words is None
            assert figures["distribution"] is None and figures["key_points"] is None
        else:
            assert ask.spread is not None and figures["distribution"] is not None
            assert answers_in(ask.spread) == members  # every answer is in its spread once
        assert (ask.discrimination is not None) == (members >= 10)
        assert (ask.worth_a_look is not None) == (members >= 10)
    assert version.agreement_hidden == (members < 3)
    assert (data["agreement"] is None) == (members < 3 or version.agreement is None)


def test_only_each_learners_first_attempt_counts(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=1)
    # The first attempt by the clock (08:30 UTC) has the later attempt id and the later local time.
    first = tr.result(tr.handle(0), [tr.choice(2, HIGH)], attempt="z9", finished="2026-03-01T10:30:00+02:00")
    later = tr.result(tr.handle(0), [tr.choice(1)], attempt="a1", finished="2026-03-01T09:00:00+00:00")
    tied = tr.result(tr.handle(1), [tr.choice(0)], attempt="b2", finished="2026-03-01T09:00:00+00:00")
    tied_first = tr.result(tr.handle(1), [tr.choice(1)], attempt="b1", finished="2026-03-01T09:00:00+00:00")
    for result in (first, later, tied, tied_first):
        tr.write(team, result)
    assert [result.attempt for result in first_attempts(load_results(team).results)] == ["z9", "b1"]
    (version,) = report_of(team, min_group=1).versions
    (ask,) = version.asks
    assert version.learners == 2 and ask.n == 2
    assert ask.spread == ChoiceSpread(counts=(0, 1, 1), answer=None)  # the lesson is not published: indexes seen
    assert ask.confidently_wrong == 1


def test_versions_are_never_mixed(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=1)
    tr.publish(team)
    tr.write(team, tr.result(tr.handle(0), [tr.choice(1)]))
    tr.write(team, tr.result(tr.handle(1), [tr.choice(3), tr.outcome(True)], digest=tr.OTHER_DIGEST, finished="2026-04-01T09:00:00+00:00"))
    report = report_of(team, min_group=1)
    unknown, known = report.versions  # the newest version first
    assert (unknown.digest, unknown.title, unknown.learners) == (tr.OTHER_DIGEST, None, 1)
    assert (known.digest, known.title, known.learners) == (tr.DIGEST, "Tests that lie", 1)
    assert unknown.asks[0].step == "s7" and unknown.asks[0].facts is None
    assert unknown.asks[0].spread == ChoiceSpread(counts=(0, 0, 0, 1), answer=None)  # options 1-3 exist (index 3 was chosen), nobody chose them
    assert [ask.step for ask in unknown.asks] == ["s7", "s4"]
    choice = next(ask for ask in known.asks if ask.step == "s7")
    assert choice.spread == ChoiceSpread(counts=(0, 1, 0), answer=1, options=("nothing", "the code", "the test"))
    assert sum(ask.n for ask in known.asks) == 1  # the other version's outcome answer is not here


def test_a_lesson_of_the_same_id_but_another_digest_is_not_used(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=1)
    edited = make_lesson(title="Tests that lie, edited")
    tr.publish(team, edited)
    tr.write(team, tr.result(tr.handle(0), [tr.choice(1)]))
    (version,) = report_of(team, min_group=1).versions
    assert version.title is None and version.asks[0].facts is None


def test_sorted_by_sure_and_wrong_then_facility_none_last(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=1)
    tr.publish(team)
    for number in range(2):
        tr.write(team, tr.result(tr.handle(number), [tr.goal(None), tr.outcome(False), tr.choice(1), tr.skipped("s6", AskType.INTERVENE)]))
    rows = report_of(team, min_group=1).rows()
    # Nobody wrong and sure anywhere: facility 1.0 (s4, s7) before none (s1 pending, s6 all skipped), each pair in lesson order.
    assert [(ask.step, ask.facility) for ask in rows] == [("s4", 1.0), ("s7", 1.0), ("s1", None), ("s6", None)]
    goal = rows[2]
    assert goal.spread == GoalSpread(buckets=(0, 0, 0, 0), pending=2)


def test_discrimination_and_a_seniors_look_on_twelve_learners(tmp_path: Path) -> None:
    """Learners 0-5 get the outcome right, 6-11 wrong; the choice is right for 4-11 only: the strongest
    third by the outcome (learners 0-3) all miss it, the weakest third (8-11) all get it."""
    team = tr.team_folder(tmp_path / "team", min_group=3)
    tr.publish(team)
    for number in range(12):
        tr.write(team, tr.result(tr.handle(number), [tr.outcome(number >= 6), tr.choice(1 if number >= 4 else 0)]))
    version = report_of(team).versions[0]
    outcome = next(ask for ask in version.asks if ask.step == "s4")
    choice = next(ask for ask in version.asks if ask.step == "s7")
    assert choice.discrimination == pytest.approx(-1.0)
    assert choice.worth_a_look is True
    # Ranked by the choice, the strongest third is learners 4-7 (4 and 5 right on the outcome) and the weakest 0-3 (all right).
    assert outcome.discrimination == pytest.approx(0.5 - 1.0)
    assert outcome.worth_a_look is False  # 2 of 4 is not more than half
    assert [ask.discrimination for ask in version.asks if ask.n == 0] == [None, None]


def test_key_points_of_an_accepted_answer_are_not_the_asks(tmp_path: Path) -> None:
    """An accept entry with points of its own: answers in its category are judged on those, so they do not count under the ask's points."""
    base = make_lesson()
    steps = list(base.steps)
    index = base.index_of("s6")
    correction = steps[index]
    assert isinstance(correction, CorrectionStep) and isinstance(correction.ask, InterveneAsk)
    ask = correction.ask.replaced(accept=[Accept(intervene=True, category=Category.CORRECTNESS, why="also a bug", key_points=["names the negative total"])])
    steps[index] = correction.replaced(ask=ask)
    lesson = base.replaced(steps=steps)
    team = tr.team_folder(tmp_path / "team", min_group=1)
    tr.publish(team, lesson)
    digest = lesson_digest(lesson)
    tr.write(team, tr.result(tr.handle(0), [tr.intervene(True, Category.TEST, points=("covered", "missed"))], digest=digest))
    tr.write(team, tr.result(tr.handle(1), [tr.intervene(True, Category.CORRECTNESS, points=("covered",))], digest=digest))
    (version,) = report_of(team, min_group=1).versions
    (intervene,) = [ask for ask in version.asks if ask.step == "s6"]
    assert [(point.covered, point.judged) for point in intervene.key_points or ()] == [(1, 1), (0, 1)]


def test_hostile_and_malformed_files_are_reported_and_skipped(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=1)
    tr.publish(team)
    good = tr.write(team, tr.result(tr.handle(0), [tr.choice(1)]))
    folder = good.parent
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "nan.json").write_text(good.read_text(encoding="utf-8").replace('"score": 1.0', '"score": NaN'), encoding="utf-8")
    # A file put under another member's handle does not count for them.
    stolen = folder.parent / tr.handle(7) / "a1.json"
    stolen.parent.mkdir()
    stolen.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    # A link to a file outside the team is not followed.
    outside = tmp_path / "outside.json"
    outside.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(outside, folder / "link.json")
    # An answer to a step the lesson does not ask at, and one of the wrong type, are ignored.
    odd = tr.result(tr.handle(1), [tr.choice(1), tr.skipped("nowhere", AskType.CHOICE), tr.skipped("s4", AskType.CHOICE)])
    tr.write(team, odd)
    report = report_of(team, min_group=1)
    assert len(report.problems) == 5, report.problems
    assert any("broken.json" in problem and "not valid JSON" in problem for problem in report.problems)
    assert any("nan.json" in problem for problem in report.problems)
    assert any(f"{tr.handle(7)}/a1.json" in problem and "handle" in problem for problem in report.problems)
    assert any("link.json" in problem for problem in report.problems)
    assert any("2 answers name a step" in problem for problem in report.problems)
    (version,) = report.versions
    assert version.learners == 2
    assert next(ask for ask in version.asks if ask.step == "s7").n == 2


def test_problem_lines_are_capped() -> None:
    lines = problem_lines([f"file {number}: bad\x1b[31m" for number in range(14)])
    assert len(lines) == 11 and lines[-1] == "and 4 more"
    assert "\x1b" not in "".join(lines)


@pytest.fixture
def joined(tmp_path: Path) -> Path:
    """A team folder this member joined (teams.toml written as `tutor team join` writes it)."""
    team = tr.team_folder(tmp_path / "team", min_group=1)
    save_teams([TeamMembership(team, "m-aaaaaaaa", "Platform team")])
    return team


def test_the_service_loads_the_joined_team_and_filters_by_lesson(joined: Path) -> None:
    tr.publish(joined)
    tr.write(joined, tr.result(tr.handle(0), [tr.choice(1)]))
    tr.write(joined, tr.result(tr.handle(0), [tr.outcome(True)], lesson="another-lesson", digest=tr.OTHER_DIGEST))
    loaded = load_team_report()
    assert loaded.team == "Platform team" and loaded.root == joined
    assert sorted(version.lesson for version in loaded.report.versions) == ["another-lesson", "tests-that-lie"]
    only = load_team_report("Platform team", "tests-that-lie").report
    assert [version.lesson for version in only.versions] == ["tests-that-lie"]
    assert only.versions[0].title == "Tests that lie"
    assert load_team_report(str(joined), "nothing-here").report.versions == ()
    with pytest.raises(TeamError, match="not a lesson id"):
        load_team_report(None, "../etc")
    with pytest.raises(TeamError, match="no team 'Elsewhere'"):
        load_team_report("Elsewhere")


def test_the_json_schema(joined: Path) -> None:
    tr.publish(joined)
    tr.small_team(joined)
    data = json.loads(json.dumps(report_data(load_team_report().report)))
    assert set(data) == {"min_group", "lessons"}
    (lesson,) = data["lessons"]
    assert {"lesson", "digest", "learners", "asks"} <= set(lesson)
    assert (lesson["lesson"], lesson["digest"], lesson["learners"]) == ("tests-that-lie", tr.DIGEST, 3)
    for ask in lesson["asks"]:
        assert {"step", "type", "n", "skipped", "facility", "confidently_wrong", "distribution"} <= set(ask)
        assert isinstance(ask["n"], int) and isinstance(ask["skipped"], int) and isinstance(ask["confidently_wrong"], int)
        assert ask["facility"] is None or 0 <= ask["facility"] <= 1
    by_step = {ask["step"]: ask for ask in lesson["asks"]}
    assert by_step["s4"]["distribution"] == {"works": 2, "fails": 1, "senior": "fails"}
    assert by_step["s7"]["distribution"] == {"options": [0, 2, 1], "unchosen": [0], "answer": 1}
    assert by_step["s6"]["distribution"] == {"let_run": 1, "step_in": 2, "categories": {"scope": 1, "test": 1}, "senior": {"step_in": True, "category": "test"}}
    assert by_step["s1"]["distribution"] == {"scores": {"0-0.25": 0, "0.25-0.5": 1, "0.5-0.75": 0, "0.75-1": 1}, "pending": 0}
    assert by_step["s1"]["facility"] == 0.65 and by_step["s1"]["skipped"] == 1
    assert "Fix the code" not in json.dumps(data)  # the team's words are never in it
