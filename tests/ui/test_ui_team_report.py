"""The team report screen (`tutor team report`) under Pilot: one row per question in the report's
order, the detail of the highlighted question, selecting a row to read it, hidden figures said
so, leaving; and an SVG snapshot of the screen at rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.helpers import team_results as tr
from tests.helpers.ui_support import dom_text, screen_text, squash, wait_until
from tutor.cli import make_app
from tutor.ui.screens.team_report import TeamReportScreen
from tutor.ui.start import TeamReportStart

SIZE = (110, 40)


@pytest.fixture
def team(tmp_path: Path) -> Path:
    folder = tr.team_folder(tmp_path / "team", min_group=3)
    tr.publish(folder)
    tr.small_team(folder)
    tr.join(folder)
    return folder


async def loaded(pilot) -> TeamReportScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, TeamReportScreen) and pilot.app.screen.loaded is not None, "the report to load")
    screen = pilot.app.screen
    assert isinstance(screen, TeamReportScreen)
    return screen


def detail(screen: TeamReportScreen) -> str:
    return squash(dom_text(screen.app, screen.query_one("#report-detail")))


async def test_rows_sorted_and_the_detail_of_a_selected_row(team: Path) -> None:
    app = make_app(TeamReportStart())
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        table = screen.query_one("#report-rows", DataTable)
        assert table.row_count == 4
        assert [str(table.get_row_at(row)[1]) for row in range(4)] == ["s4", "s1", "s6", "s7"]
        assert str(table.get_row_at(0)[6]) == "2 (67%)"  # wrong and sure
        assert str(table.get_row_at(1)[9]) == "hidden: fewer than 3 answers"  # s1: two answered
        # The first row is shown at once: the figures and the spread, the senior's answer marked.
        assert screen.shown is not None and screen.shown.step == "s4"
        assert "works ████████████████████████ 2" in detail(screen) and "fails" in detail(screen)
        assert "✓ the senior's" in detail(screen)
        # Down twice to s6 (the correction), then select it: its detail, with focus there.
        await pilot.press("down", "down", "enter")
        await wait_until(pilot, lambda: screen.shown is not None and screen.shown.step == "s6", "s6 to be shown")
        await wait_until(pilot, lambda: screen.query_one("#report-detail").has_focus, "the detail to take focus")
        text = detail(screen)
        assert "What learners saw before answering" in text
        assert "I'll update the expected value in the test." in text  # the agent's proposal, before the question
        assert "The senior's step" in text and "Stop: the test is the requirement." in text
        assert "the test encodes the requirement covered by 2 (0 partly) of 2 judged" in text
        assert "step in: test" in text and "step in: scope" in text
        assert "The team's words (1 distinct answer)" in text and "×2 Fix the code, not the TEST." in text
        # Escape goes back to the table; up to s1: its note, and its hidden figures said so.
        await pilot.press("escape")
        await wait_until(pilot, lambda: table.has_focus, "the table to take focus back")
        await pilot.press("up")
        await wait_until(pilot, lambda: screen.shown is not None and screen.shown.step == "s1", "s1 to be shown")
        text = detail(screen)
        assert "The senior's note A goal is a contract." in text
        assert text.count("hidden: fewer than 3 answers") == 3  # the spread, the key points, the words
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, "the report to close")


async def test_a_team_with_nothing_yet_and_a_broken_file(team: Path) -> None:
    for result in (team / "results").rglob("*.json"):
        result.unlink()
    bad = team / "results" / "tests-that-lie" / tr.DIGEST[:12] / tr.handle(0) / "a1.json"
    bad.write_text("[not a result", encoding="utf-8")
    app = make_app(TeamReportStart(lesson="tests-that-lie"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert screen.query_one("#report-rows", DataTable).row_count == 0
        wanted = ("No results yet: nobody in the team has shared an answer to tests-that-lie.", "1 problem with the team's files (skipped):", "a1.json: not valid JSON")
        # The notes are painted after the rows: wait for them rather than read the first frame.
        await wait_until(pilot, lambda: all(text in squash(screen_text(app)) for text in wanted), "the empty report and its problem line")


async def test_a_team_that_cannot_be_read_says_why(team: Path) -> None:
    (team / "team.toml").write_text("name = 3\n", encoding="utf-8")
    app = make_app(TeamReportStart(team=str(team)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, TeamReportScreen) and app.screen.failed, "the failure to show")
        said = ("Cannot show the report:", "name must be a non-empty string")
        await wait_until(pilot, lambda: all(text in squash(screen_text(app)) for text in said), "the failure painted")


async def test_a_revote_in_group_sessions_is_shown_beside_the_first_vote(team: Path) -> None:
    from tutor.lesson import AskType
    from tutor.team.tallies import TallyAsk, TallyFile, TallyMode, TallyRound, write_tally

    rounds = (TallyRound(1, 9, {"works": 6, "fails": 3}), TallyRound(2, 9, {"works": 2, "fails": 7}))
    asks = (TallyAsk("s4", AskType.OUTCOME, rounds),)
    write_tally(team, TallyFile("tests-that-lie", tr.DIGEST, "m-aaaaaaaa", "20261206140000-aaaaaa", TallyMode.FACILITATED, "2026-12-06T14:00:00+00:00", None, 9, asks))
    app = make_app(TeamReportStart())
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await wait_until(pilot, lambda: "1 group session (1 facilitated), 1 revote" in squash(screen_text(app)), "the sessions on the status line")
        assert screen.shown is not None and screen.shown.step == "s4"
        text = detail(screen)
        assert "Group sessions: the first vote and the revote (1 session)" in text
        assert "first vote (9 answers)" in text and "revote (9 answers)" in text
        assert "works ██████████ 6 ███ 2 fails █████ 3 ████████████ 7 ✓ the senior's" in text  # the first vote, then the revote
        assert "agreed with the senior 33% → 78% (+44 points)" in text
        await pilot.press("down")  # s1: no group session revoted it
        await wait_until(pilot, lambda: screen.shown is not None and screen.shown.step != "s4", "another question")
        assert "Group sessions" not in detail(screen)


def test_snapshot(snap_compare, team: Path) -> None:
    async def at_rest(pilot) -> None:
        await loaded(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.wait_for_scheduled_animations()
        assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001

    assert snap_compare(make_app(TeamReportStart()), terminal_size=SIZE, run_before=at_rest)
