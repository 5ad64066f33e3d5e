"""A senior reviews a learner's real pair session on the review screen; the learner reads it from the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, TextArea

from live_support import make_user_repo, play_learner_session
from pair_support import until
from tutor.agent.scripted import AgentTurn, ToolCall
from tutor.services.live import journal_path
from tutor.settings import Settings
from tutor.ui.app import TutorApp
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.screens.confirm import Confirm
from tutor.ui.screens.session_review import SessionReviewScreen, StepCard
from tutor.ui.widgets.live import CategoryPicker
from ui_support import dom_text, screen_text, squash

TEST_COMMENT = "Stop it here: the test is the requirement. Fix add in app.py instead."
VERIFY_COMMENT = "Ask it to run the test before claiming it works."


async def learner_session(repo: Path) -> str:
    """A real pair session (ScriptedAgent, real workspace and tools): a correction and two runs."""
    return await play_learner_session(repo, [
        AgentTurn("I'll make the test pass.", (ToolCall("bad", "write_file", {"path": "test_app.py", "content": "print('ok')\n"}),)),
        AgentTurn("Fixing add instead.", (ToolCall("fix", "edit_file", {"path": "app.py", "old": "return a - b", "new": "return a + b"}),)),
        AgentTurn("Checking.", (ToolCall("check", "run", {"command": "python3 test_app.py"}),)),
        AgentTurn("Done: add adds."),
    ])


def card_for(screen: SessionReviewScreen, call_id: str) -> StepCard:
    return next(card for card in screen.query(StepCard) if card.step.call is not None and card.step.call.call_id == call_id)


async def select(pilot, screen: SessionReviewScreen, call_id: str) -> None:  # noqa: ANN001
    target = screen.trajectory.index(card_for(screen, call_id).step.id)
    key = "j" if target > screen.index else "k"
    while screen.index != target:
        await pilot.press(key)
    await pilot.pause()


async def mark(pilot, screen: SessionReviewScreen, call_id: str, category_key: str, comment: str) -> None:  # noqa: ANN001
    await select(pilot, screen, call_id)
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(pilot.app.focused, CategoryPicker)
    await pilot.press(category_key)
    await pilot.pause()
    assert isinstance(pilot.app.focused, TextArea) and screen.form == "comment"
    pilot.app.focused.insert(comment)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert screen.form is None


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_user_repo(tmp_path)


async def test_a_senior_marks_two_steps_and_the_learner_sees_them_from_the_library(repo: Path) -> None:
    session_id = await learner_session(repo)
    journal_before = journal_path(session_id).read_bytes()

    # The senior: `tutor review-session ID --reviewer "Sam Senior"`.
    app = TutorApp(settings=Settings(learner="Lee Learner"), review_session=(session_id, "Sam Senior"))
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionReviewScreen) and not screen.read_only
        text = dom_text(app)
        assert "The learner predicted: it works (high confidence)" in text
        assert "The learner corrected it (test): Do not touch the test" in text
        assert "$ python3 test_app.py" in text and "+    return a + b" in text
        assert "prediction wrong" in text

        await mark(pilot, screen, "bad", "t", TEST_COMMENT)
        await mark(pilot, screen, "check", "v", VERIFY_COMMENT)
        assert screen.dirty and [m.category for m in screen.review.marks] == ["test", "verify"]
        assert "reviewed by Sam Senior" in squash(dom_text(app, card_for(screen, "bad")))

        # escape leaves a form without a mark; d removes one.
        await select(pilot, screen, "fix")
        await pilot.press("i", "escape")
        await pilot.pause()
        assert screen.form is None and screen.review.mark_for(card_for(screen, "fix").step.id) is None
        await pilot.press("i", "s")
        app.focused.insert("too much")
        await pilot.press("ctrl+s", "d")
        await pilot.pause()
        assert len(screen.review.marks) == 2

        await pilot.press("o")
        app.focused.insert("Good instinct on the test; trust the test run over your guess.")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+s")  # no form open: the review is saved
        await pilot.pause()
        assert not screen.dirty
        stored = json.loads((journal_path(session_id).parent / "reviews" / "sam-senior.json").read_text())
        assert stored["reviewer"] == "Sam Senior" and [m["comment"] for m in stored["marks"]] == [TEST_COMMENT, VERIFY_COMMENT]
        assert stored["comment"].startswith("Good instinct")

        # Unsaved marks: leaving asks first; n stays.
        await select(pilot, screen, "fix")
        await pilot.press("i", "a")
        app.focused.insert("wrong layer")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and screen.dirty
        await pilot.press("d", "escape")  # still unsaved (a removal is a change): asks again; y leaves
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code in (0, None)
    assert journal_path(session_id).read_bytes() == journal_before  # the learner's record is untouched

    # The learner: the library lists the session as reviewed; enter opens the read-only view.
    app = TutorApp(settings=Settings(learner="Lee Learner"))
    async with app.run_test(size=(130, 45)) as pilot:
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await until(pilot, lambda: bool(library.sessions), what="the sessions to load")
        await pilot.pause()
        table = library.query_one("#sessions", DataTable)
        row = " ".join(str(cell) for cell in table.get_row(session_id))
        assert "reviewed by Sam Senior" in row and "add() returns the sum" in row
        assert "Your sessions" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert app.focused is table
        assert "Reviewed by Sam Senior" in library.query_one("#details").source
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SessionReviewScreen), what="the review view")
        await pilot.pause()
        view = app.screen
        assert view.read_only and "reviewed by Sam Senior" in str(view.query_one("#review-status").render())
        assert view.selected.id == card_for(view, "bad").step.id  # it opens at the first marked step
        bad = squash(dom_text(app, card_for(view, "bad")))
        assert "You predicted: it works (high confidence)" in bad and "You corrected it (test)" in bad
        assert "reviewed by Sam Senior · would have intervened: test" in bad and squash(TEST_COMMENT) in bad
        check = squash(dom_text(app, card_for(view, "check")))
        assert "You let it run" in check and "prediction wrong" in check and squash(VERIFY_COMMENT) in check
        assert "would have intervened" not in squash(dom_text(app, card_for(view, "fix")))
        assert "Good instinct on the test" in dom_text(app)
        await pilot.press("n")
        assert view.selected.id == card_for(view, "check").step.id
        await pilot.press("i", "ctrl+s")  # read-only: no marks, no saving
        await pilot.pause()
        assert view.form is None
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is library, what="back to the library")

        # From the same list a senior starts a review of their own with v (as the settings' learner).
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, SessionReviewScreen), what="the review screen")
        assert not app.screen.read_only and app.screen.review.reviewer == "Lee Learner"
        assert "reviewed by Sam Senior" in squash(dom_text(app, card_for(app.screen, "bad")))


async def test_a_bad_session_id_from_the_app_is_one_line_and_exit_1() -> None:
    app = TutorApp(settings=Settings(learner="x"), review_session=("no-such-session", "Sam"))
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.return_code == 1


async def test_a_corrupt_review_is_reported_and_skipped(repo: Path) -> None:
    session_id = await learner_session(repo)
    folder = journal_path(session_id).parent / "reviews"
    folder.mkdir()
    (folder / "torn.json").write_text("{")
    app = TutorApp(settings=Settings(learner="x"), review_session=(session_id, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionReviewScreen)
        assert any("torn.json: not valid JSON" in note.message for note in app._notifications)  # noqa: SLF001
        assert "not reviewed yet" in str(app.screen.query_one("#review-status").render())
