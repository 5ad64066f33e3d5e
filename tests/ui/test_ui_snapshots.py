"""SVG snapshots of the main screens (regenerate with `pytest --snapshot-update` after a deliberate change)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import RadioSet

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.cli import make_app
from tutor.ui.widgets.ask_panel import AskPanel
from tutor.ui.widgets.grade_panel import GradePanel
from tests.helpers.ui_support import settled, step_on, type_fast, use_example_library, wait_for_text, wait_for_view, wait_until

LESSON = EXAMPLE_CURRICULUM / "tests-that-lie"
SIZE = (110, 40)


async def settle(pilot) -> None:
    """Let workers and animations finish, so the snapshot is of a screen at rest."""
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    # A toast in a snapshot means the test pressed a key the screen refused: say so plainly.
    assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001


async def _to_question(pilot, number: int) -> None:
    """Skip and go on, each move waited for (a key sent too early would be refused, with a toast), to the question of step `number`."""
    view = await wait_for_view(pilot, "the lesson's task")
    while view.cursor < number:
        view = await step_on(pilot)
    assert view.awaiting_answer, f"step {number} asks nothing"
    await wait_until(pilot, lambda: pilot.app.focused is not None and any(isinstance(node, AskPanel) for node in pilot.app.focused.ancestors), "the answer form to take focus")
    await wait_for_text(pilot, f"step {number} of")


def test_library(snap_compare, tutor_home: Path) -> None:
    use_example_library(tutor_home)

    async def loaded(pilot) -> None:
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "library", None) is not None, "the library to load")
        await settle(pilot)
        await wait_for_text(pilot, "Tests that lie")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=loaded)


def test_intervene_question(snap_compare) -> None:
    async def at_question(pilot) -> None:
        await _to_question(pilot, 6)
        await settle(pilot)

    assert snap_compare(make_app(lesson=LESSON), terminal_size=SIZE, run_before=at_question)


def test_reveal_with_grade(snap_compare) -> None:
    async def answered(pilot) -> None:
        await _to_question(pilot, 4)
        radio = pilot.app.screen.query_one("#outcome", RadioSet)
        radio.focus()
        await wait_until(pilot, lambda: radio.has_focus, "the outcome's choices to take focus")
        await pilot.press("down", "enter", "3", "ctrl+s")
        await wait_for_view(pilot, "step 4 revealed", lambda view: view.cursor == 4 and not view.awaiting_answer)
        await wait_until(pilot, lambda: pilot.app.screen.query(GradePanel), "the grade")
        await settle(pilot)
        await wait_for_text(pilot, "step 4 of")

    assert snap_compare(make_app(lesson=LESSON), terminal_size=SIZE, run_before=answered)


def test_score_card(snap_compare) -> None:
    async def finished(pilot) -> None:
        view = await wait_for_view(pilot, "the lesson's task")
        while not view.finished:
            view = await step_on(pilot)
        await settle(pilot)
        await wait_for_text(pilot, "Score card")

    assert snap_compare(make_app(lesson=LESSON), terminal_size=SIZE, run_before=finished)


def test_pair_gate(snap_compare) -> None:
    """Pair mode at the gate: the goal, the agent's words, two reads that ran, the command waiting for a prediction."""
    from textual.widgets import TextArea

    from tutor.services.live import start_session
    from tutor.settings import Settings
    from tutor.ui.app import TutorApp
    from tutor.ui.start import PairStart

    settings = Settings(sandbox_bwrap="/nonexistent/bwrap")  # the same status line on every machine
    session = start_session(mode="pair", settings=settings, demo=True, session_id="20260101-090000-snap01")
    app = TutorApp(PairStart(session), settings=settings)

    async def at_gate(pilot) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.focused, TextArea), "the goal's field to take focus")
        screen = pilot.app.screen  # the first screen, once it is up
        await type_fast(pilot, "slugify keeps digits; done when python3 -m unittest passes; only touch slug.py")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.query("#mentor MentorCard"), "the mentor's comment", timeout=20)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: session.loop.state.phase == "gate" and not screen.busy and screen.drawn, "the gate", timeout=20)
        await pilot.press("w")
        await wait_until(pilot, lambda: session.loop.state.current.prediction is not None, "the prediction")
        await settled(pilot, screen)
        await pilot.wait_for_scheduled_animations()
        assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=at_gate)
    finally:
        session.close()
