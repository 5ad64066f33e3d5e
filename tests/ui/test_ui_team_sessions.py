"""Reviews across people in the library: a teammate's shared session in "Team sessions", reviewed with v;
after a sync the learner's own row says "reviewed by <handle>" and opening it shows the mark."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from textual.widgets import DataTable, TextArea

from tests.helpers.live_support import make_user_repo, play_learner_session
from tests.helpers.ui_support import dom_text, squash, wait_until
from tutor.agent.scripted import AgentTurn, ToolCall
from tutor.services.team import init_team, join_team
from tutor.services.team_share import share_session
from tutor.settings import Settings
from tutor.ui.app import TutorApp
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.screens.session_review import SessionReviewScreen, StepCard
from tutor.ui.widgets.live import CategoryPicker
from tutor.ui.widgets.prose import Prose

COMMENT = "Stop here: the test is the requirement."


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Member")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "member@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def card_for(screen: SessionReviewScreen, call_id: str) -> StepCard:
    return next(card for card in screen.query(StepCard) if card.step.call is not None and card.step.call.call_id == call_id)


def copy_tree(source: Path, target: Path) -> None:
    """What a sync brings: the teammate's files, into this member's clone."""
    shutil.copytree(source, target, dirs_exist_ok=True)


async def test_a_teammates_session_is_reviewed_from_the_library_and_the_learner_sees_the_review(
    tmp_path: Path, tutor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source"
    init_team(source, "Platform team")
    clones = {name: tmp_path / f"{name}-clone" for name in ("learner", "reviewer")}
    homes = {"learner": tutor_home, "reviewer": tmp_path / "reviewer-home"}
    handles = {}
    for name, clone in clones.items():
        subprocess.run(["git", "clone", "-q", str(source), str(clone)], check=True, capture_output=True)
        monkeypatch.setenv("TUTOR_HOME", str(homes[name]))
        handles[name] = join_team(str(clone)).membership.handle

    monkeypatch.setenv("TUTOR_HOME", str(homes["learner"]))
    session_id = await play_learner_session(make_user_repo(tmp_path), [
        AgentTurn("I'll make the test pass.", (ToolCall("bad", "write_file", {"path": "test_app.py", "content": "print('ok')\n"}),)),
        AgentTurn("Fixing add instead.", (ToolCall("fix", "edit_file", {"path": "app.py", "old": "return a - b", "new": "return a + b"}),)),
        AgentTurn("Checking.", (ToolCall("check", "run", {"command": "python3 test_app.py"}),)),
        AgentTurn("Done: add adds."),
    ])
    share_session(session_id)
    copy_tree(clones["learner"] / "sessions", clones["reviewer"] / "sessions")

    # The reviewer: the library's "Team sessions" lists it; v starts a review under their handle.
    monkeypatch.setenv("TUTOR_HOME", str(homes["reviewer"]))
    app = TutorApp(settings=Settings(learner="Sam Senior"))
    async with app.run_test(size=(140, 50)) as pilot:
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await wait_until(pilot, lambda: bool(library.team_sessions), "the team's sessions to load")
        assert library.sessions == []
        team_table = library.query_one("#team-sessions", DataTable)
        row = " ".join(str(cell) for cell in team_table.get_row_at(0))
        assert "Platform team" in row and handles["learner"] in row and "add() returns the sum" in row and "not reviewed" in row
        assert "Team sessions" in dom_text(app) and not library.query_one("#sessions", DataTable).display
        await pilot.press("s")
        await wait_until(pilot, lambda: app.focused is team_table, "s to go to the team's sessions")
        await wait_until(pilot, lambda: "Shared by" in library.query_one("#details", Prose).markdown, "the shared session's details")
        assert "reviews it as " + handles["reviewer"].replace("-", "\\-") in library.query_one("#details", Prose).markdown  # as whom
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionReviewScreen) and app.screen.query(StepCard), "the review screen")
        screen = app.screen
        assert not screen.read_only and screen.review.reviewer == handles["reviewer"]
        await wait_until(pilot, lambda: f"shared by {handles['learner']}" in squash(dom_text(app)), "whose session it is")
        target = screen.trajectory.index(card_for(screen, "bad").step.id)
        while screen.index != target:
            before = screen.index
            await pilot.press("j")
            await wait_until(pilot, lambda: screen.index != before, "j to move")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.focused, CategoryPicker), "the category picker")
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea), "the comment field")
        app.focused.insert(COMMENT)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.form is None and screen.dirty, "the mark kept")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not screen.dirty, "the review saved")
        saved = clones["reviewer"] / "reviews" / handles["reviewer"] / handles["learner"] / f"{session_id}.json"
        assert json.loads(saved.read_text(encoding="utf-8"))["reviewer"] == handles["reviewer"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is library, "back to the library")
        await wait_until(
            pilot, lambda: "reviewed by" in " ".join(str(cell) for cell in team_table.get_row_at(0)), "the team's list to say it is reviewed"
        )

    # The learner, after a sync: their own row says who reviewed it; enter shows the mark beside their decision.
    copy_tree(clones["reviewer"] / "reviews", clones["learner"] / "reviews")
    monkeypatch.setenv("TUTOR_HOME", str(homes["learner"]))
    app = TutorApp(settings=Settings(learner="Lee Learner"))
    async with app.run_test(size=(140, 50)) as pilot:
        library = app.screen
        await wait_until(pilot, lambda: bool(library.sessions), "the learner's sessions to load")
        assert library.team_sessions == []  # their own share is theirs, not a team session
        table = library.query_one("#sessions", DataTable)
        row = " ".join(str(cell) for cell in table.get_row(session_id))
        assert f"reviewed by {handles['reviewer']}" in row
        await pilot.press("s")
        await wait_until(pilot, lambda: app.focused is table, "s to go to the sessions")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionReviewScreen) and app.screen.query(StepCard), "the learner's view")
        view = app.screen
        assert view.read_only
        await wait_until(
            pilot, lambda: f"reviewed by {handles['reviewer']} · would have intervened: test" in squash(dom_text(app, card_for(view, "bad"))),
            "the teammate's mark beside the learner's decision",
        )
        bad = squash(dom_text(app, card_for(view, "bad")))
        assert "You corrected it (test)" in bad and squash(COMMENT) in bad
