"""One room, one screen (`tutor learn LESSON --facilitate`, issue 16) under Pilot: the facilitator
enters the room's counts at a question, takes a discussion and a revote, reveals, and the counts
are in the tally file; nothing of a hidden step is on screen before its reveal."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tests.helpers.hand_made import make_lesson
from tests.helpers.ui_support import dom_text, screen_text, squash, wait_until
from tutor.cli import make_app
from tutor.services.facilitate import CLOSED, DISCUSS, OPEN, REVEALED, REVOTE_CLOSED, REVOTE_OPEN, Facilitation, TallyPlace
from tutor.team.tallies import TallyMode, read_tally
from tutor.ui.screens.facilitate import FacilitateScreen
from tutor.ui.start import FacilitateStart

SIZE = (110, 44)
LESSON = make_lesson()  # a goal s1, an outcome s4 (the command failed), an intervene s6, a choice s7
HIDDEN = "Stop: the test is the requirement."  # s6's own words


def session(tmp_path: Path, *, min_group: int = 3) -> Facilitation:
    root = tmp_path / "team"
    root.mkdir()
    return Facilitation(LESSON, TallyPlace(root, "m-aaaaaaaa", "Platform team", min_group=min_group))


async def opened(pilot) -> FacilitateScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, FacilitateScreen) and pilot.app.screen.state is not None, "the screen to open")
    screen = pilot.app.screen
    assert isinstance(screen, FacilitateScreen)
    return screen


def phase(screen: FacilitateScreen) -> str | None:
    return screen.state.phase if screen.state is not None and not screen.transitioning else None


def at_step(screen: FacilitateScreen) -> int | None:
    return screen.state.replay.cursor if screen.state is not None and not screen.transitioning else None


async def type_counts(pilot, *values: str) -> None:
    """Type one count into each field of the form, in order (tab moves on)."""
    for index, value in enumerate(values):
        if index:
            await pilot.press("tab")
        await pilot.press(*value)


async def test_counts_a_discussion_a_revote_and_the_reveal(tmp_path: Path) -> None:
    facilitation = session(tmp_path)
    app = make_app(FacilitateStart(facilitation))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        assert "You are facilitating" in squash(dom_text(app))
        await pilot.press("space")  # begin: the goal question
        await wait_until(pilot, lambda: phase(screen) == OPEN, "the goal's count form")
        assert isinstance(app.focused, Input), "the count form takes the keys at once"
        assert "Goals written" in dom_text(app)
        await pilot.press("4", "enter")
        await wait_until(pilot, lambda: phase(screen) == CLOSED, "the goal's round to close")
        assert "4 goals written" in squash(dom_text(app))
        await pilot.press("space")  # reveal
        await wait_until(pilot, lambda: phase(screen) == REVEALED, "the goal revealed")
        assert "Make the failing coupon test pass" in squash(dom_text(app))
        assert facilitation.saved is not None, "saved at the reveal"
        for _ in range(3):  # the prompt, the agent's run, then the outcome question
            await pilot.press("space")
        await wait_until(pilot, lambda: phase(screen) == OPEN and at_step(screen) == 4, "the outcome question")
        text = squash(dom_text(app))
        assert "It works" in text and "It fails" in text
        assert "1 failed, 11 passed" not in text, "the command's output is the hidden step"
        await type_counts(pilot, "5", "2")
        await wait_until(pilot, lambda: "Total: 7 answers" in dom_text(app), "the total as typed")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: phase(screen) == CLOSED, "the first round to close")
        await wait_until(pilot, lambda: "First vote (7 answers)" in screen_text(app), "the first vote painted")
        await pilot.press("d")
        await wait_until(pilot, lambda: phase(screen) == DISCUSS, "the discussion")
        assert "Talk to someone who answered differently" in squash(dom_text(app))
        await pilot.press("space")
        await wait_until(pilot, lambda: phase(screen) == REVOTE_OPEN, "the revote's form")
        await type_counts(pilot, "1", "6")
        await pilot.press("enter")
        await wait_until(pilot, lambda: phase(screen) == REVOTE_CLOSED, "the revote to close")
        shown = screen_text(app)
        assert "First vote (7 answers)" in shown and "Revote (7 answers)" in shown
        assert "senior" not in shown, "the senior's answer waits for the reveal"
        await pilot.press("space")
        await wait_until(pilot, lambda: phase(screen) == REVEALED, "the outcome revealed")
        shown = screen_text(app)
        assert "✓ senior" in shown and "1 failed, 11 passed" in squash(dom_text(app))
        assert "Revote (7 answers)" in shown
        assert "score" not in squash(dom_text(app)).lower(), "nothing graded for anyone"
        tally = read_tally(facilitation.place.root, facilitation.saved)
        assert tally.mode is TallyMode.FACILITATED
        assert [[dict(held.counts) for held in ask.rounds] for ask in tally.asks] == [[{}], [{"works": 5, "fails": 2}, {"works": 1, "fails": 6}]]
        # On to the intervene question: the senior's correction is nowhere on the screen yet.
        await pilot.press("space", "space")
        await wait_until(pilot, lambda: phase(screen) == OPEN and at_step(screen) == 6, "the intervene question")
        assert HIDDEN not in dom_text(app)
        assert "Step in: test" in dom_text(app)
        await pilot.press("escape")  # out of the form
        await wait_until(pilot, lambda: not isinstance(app.focused, Input), "the form to let go")
        await pilot.press("escape")  # end the session: asked first
        await wait_until(pilot, lambda: "End the session now?" in screen_text(app), "the question before ending")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_code is not None, "y to end the session")
    tally = read_tally(facilitation.place.root, facilitation.saved)
    assert tally.finished is not None, "ending saves the end time"


async def test_a_count_that_is_not_one_is_said_and_the_form_stays(tmp_path: Path) -> None:
    facilitation = session(tmp_path, min_group=5)
    app = make_app(FacilitateStart(facilitation))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("space")
        await wait_until(pilot, lambda: phase(screen) == OPEN, "the goal's count form")
        await pilot.press("ctrl+g")  # reveal without counting
        await wait_until(pilot, lambda: phase(screen) == REVEALED, "the goal revealed uncounted")
        assert "were not counted" in squash(dom_text(app))
        for _ in range(3):
            await pilot.press("space")
        await wait_until(pilot, lambda: phase(screen) == OPEN and at_step(screen) == 4, "the outcome question")
        field = app.focused
        assert isinstance(field, Input)
        field.value = "-3"  # typed by hand past the field's own filter (a paste, say)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any("enter a whole number" in str(n.message) for n in app._notifications), "a one-line note")  # noqa: SLF001
        assert phase(screen) == OPEN
        field.value = "2"
        await pilot.press("tab", "2", "enter")
        await wait_until(pilot, lambda: phase(screen) == CLOSED, "the round to close")
        # Fewer than min_group: no spread on the projector (waited for once painted, not read from the first frame).
        await wait_until(pilot, lambda: "hidden: 4 answers, fewer than 5" in squash(screen_text(app)), "the hidden spread painted")
        await pilot.press("c")  # count again: the form comes back filled
        await wait_until(pilot, lambda: phase(screen) == OPEN, "the form again")
        assert [field.value for field in screen.query(Input)] == ["2", "2"]
