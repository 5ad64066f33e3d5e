"""A senior reviews a learner's real pair session on the review screen; the learner reads it from the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, TextArea

from tests.helpers.live_support import make_user_repo, play_learner_session
from tutor.agent.scripted import AgentTurn, ToolCall
from tutor.services.live import journal_path
from tutor.settings import Settings
from tutor.ui.app import TutorApp
from tutor.ui.start import SessionReviewStart
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.screens.confirm import Confirm
from tutor.ui.screens.session_review import SessionReviewScreen, StepCard
from tutor.ui.widgets.live import CategoryPicker
from tutor.ui.widgets.prose import Prose
from tests.helpers.ui_support import dom_text, drained, squash, wait_for_text, wait_until

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
    while screen.index != target:
        key, before = ("j" if target > screen.index else "k"), screen.index
        await pilot.press(key)
        await wait_until(pilot, lambda: screen.index != before, f"{key} to move the selection")


async def open_comment(pilot, screen: SessionReviewScreen, form: str = "comment") -> TextArea:  # noqa: ANN001
    """Wait until the form's text field is open and focused; returns it."""
    await wait_until(pilot, lambda: screen.form == form and isinstance(pilot.app.focused, TextArea), f"the {form} field")
    return pilot.app.focused


async def mark(pilot, screen: SessionReviewScreen, call_id: str, category_key: str, comment: str) -> None:  # noqa: ANN001
    await select(pilot, screen, call_id)
    await pilot.press("i")
    await wait_until(pilot, lambda: isinstance(pilot.app.focused, CategoryPicker), "the category picker")
    await pilot.press(category_key)
    (await open_comment(pilot, screen)).insert(comment)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: screen.form is None, "the mark kept and its form closed")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_user_repo(tmp_path)


async def test_a_senior_marks_two_steps_and_the_learner_sees_them_from_the_library(repo: Path) -> None:
    session_id = await learner_session(repo)
    journal_before = journal_path(session_id).read_bytes()

    # The senior: `tutor review-session ID --reviewer "Sam Senior"`.
    app = TutorApp(SessionReviewStart(session_id, "Sam Senior"), settings=Settings(learner="Lee Learner"))
    async with app.run_test(size=(130, 45)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SessionReviewScreen) and app.screen.query(StepCard), "the session's steps")
        screen = app.screen
        assert not screen.read_only
        shown = (
            "The learner predicted: it works (high confidence)",
            "The learner corrected it (test): Do not touch the test",
            "$ python3 test_app.py",
            "+    return a + b",
            "prediction wrong",
        )
        await wait_until(pilot, lambda: all(piece in dom_text(app) for piece in shown), "the learner's session, with their predictions and correction")

        await mark(pilot, screen, "bad", "t", TEST_COMMENT)
        await mark(pilot, screen, "check", "v", VERIFY_COMMENT)
        assert screen.dirty and [m.category for m in screen.review.marks] == ["test", "verify"]
        assert "reviewed by Sam Senior" in squash(dom_text(app, card_for(screen, "bad")))

        # escape leaves a form without a mark; d removes one.
        await select(pilot, screen, "fix")
        await pilot.press("i", "escape")
        await drained(pilot, app, screen)
        assert screen.form is None and screen.review.mark_for(card_for(screen, "fix").step.id) is None
        await pilot.press("i", "s")
        (await open_comment(pilot, screen)).insert("too much")
        await pilot.press("ctrl+s", "d")
        await wait_until(
            pilot,
            lambda: screen.form is None and len(screen.review.marks) == 2 and screen.review.mark_for(card_for(screen, "fix").step.id) is None,
            "the mark kept, then removed with d",
        )

        await pilot.press("o")
        (await open_comment(pilot, screen, "overall")).insert("Good instinct on the test; trust the test run over your guess.")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+s")  # no form open: the review is saved
        await wait_until(pilot, lambda: not screen.dirty, "the review saved")
        stored = json.loads((journal_path(session_id).parent / "reviews" / "sam-senior.json").read_text())
        assert stored["reviewer"] == "Sam Senior" and [m["comment"] for m in stored["marks"]] == [TEST_COMMENT, VERIFY_COMMENT]
        assert stored["comment"].startswith("Good instinct")

        # Unsaved marks: leaving asks first; n stays.
        await select(pilot, screen, "fix")
        await pilot.press("i", "a")
        (await open_comment(pilot, screen)).insert("wrong layer")
        await pilot.press("ctrl+s", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "leaving to ask first")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, "n to stay")
        assert screen.dirty
        await pilot.press("d", "escape")  # still unsaved (a removal is a change): asks again; y leaves
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "leaving to ask again")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_code is not None, "y to leave")
    assert app.return_code == 0
    assert journal_path(session_id).read_bytes() == journal_before  # the learner's record is untouched

    # The learner: the library lists the session as reviewed; enter opens the read-only view.
    app = TutorApp(settings=Settings(learner="Lee Learner"))
    async with app.run_test(size=(130, 45)) as pilot:
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await wait_until(pilot, lambda: bool(library.sessions), "the sessions to load")
        table = library.query_one("#sessions", DataTable)
        row = " ".join(str(cell) for cell in table.get_row(session_id))
        assert "reviewed by Sam Senior" in row and "add() returns the sum" in row
        await wait_for_text(pilot, "Your sessions")
        await pilot.press("s")
        await wait_until(pilot, lambda: app.focused is table, "s to go to the sessions")
        await wait_until(pilot, lambda: "Reviewed by Sam Senior" in library.query_one("#details", Prose).markdown, "the session's details")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionReviewScreen) and app.screen.query(StepCard), "the review view")
        view = app.screen
        assert view.read_only
        await wait_until(pilot, lambda: "reviewed by Sam Senior" in str(view.query_one("#review-status").render()), "the review's status")
        await wait_until(pilot, lambda: view.selected.id == card_for(view, "bad").step.id, "the first marked step selected")
        bad = squash(dom_text(app, card_for(view, "bad")))
        assert "You predicted: it works (high confidence)" in bad and "You corrected it (test)" in bad
        assert "reviewed by Sam Senior · would have intervened: test" in bad and squash(TEST_COMMENT) in bad
        check = squash(dom_text(app, card_for(view, "check")))
        assert "You let it run" in check and "prediction wrong" in check and squash(VERIFY_COMMENT) in check
        assert "would have intervened" not in squash(dom_text(app, card_for(view, "fix")))
        assert "Good instinct on the test" in dom_text(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: view.selected.id == card_for(view, "check").step.id, "n to the next marked step")
        await pilot.press("i", "ctrl+s")  # read-only: no marks, no saving
        await drained(pilot, app, view)
        assert view.form is None
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is library, "back to the library")

        # From the same list a senior starts a review of their own with v (as the settings' learner).
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionReviewScreen) and app.screen.query(StepCard), "the review screen")
        assert not app.screen.read_only and app.screen.review.reviewer == "Lee Learner"
        await wait_until(pilot, lambda: "reviewed by Sam Senior" in squash(dom_text(app, card_for(app.screen, "bad"))), "the other senior's marks")


async def test_a_bad_session_id_from_the_app_is_one_line_and_exit_1() -> None:
    app = TutorApp(SessionReviewStart("no-such-session", "Sam"), settings=Settings(learner="x"))
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: app.return_code is not None, "the app to end")
    assert app.return_code == 1


async def test_a_corrupt_review_is_reported_and_skipped(repo: Path) -> None:
    session_id = await learner_session(repo)
    folder = journal_path(session_id).parent / "reviews"
    folder.mkdir()
    (folder / "torn.json").write_text("{")
    app = TutorApp(SessionReviewStart(session_id, None), settings=Settings(learner="x"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SessionReviewScreen), "the review screen")
        await wait_until(pilot, lambda: any("torn.json: not valid JSON" in note.message for note in app._notifications), "the torn review reported")  # noqa: SLF001
        await wait_until(pilot, lambda: "not reviewed yet" in str(app.screen.query_one("#review-status").render()), "the status: not reviewed")
