"""SVG snapshots of the main screens (regenerate with `pytest --snapshot-update` after a deliberate change)."""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import RadioSet

from support import EXAMPLE_CURRICULUM
from tutor.cli import make_app
from ui_support import use_example_library

LESSON = EXAMPLE_CURRICULUM / "tests-that-lie"
SIZE = (110, 40)


async def settle(pilot) -> None:
    """Let workers, animations and layout finish, so the snapshot is of a screen at rest."""
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()
    # A toast in a snapshot means the test pressed a key the screen refused: say so plainly.
    assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001


async def _step(pilot) -> None:
    """One move (skip the ask, or next), waiting until the screen has really made it.

    Pressing again before the last move landed would send a key the screen refuses,
    and a refusal shows a toast: that made these snapshots flaky on a loaded machine.
    """
    screen = pilot.app.screen
    before = (screen._view.cursor, screen._view.awaiting_answer)  # noqa: SLF001
    await pilot.press("ctrl+g" if before[1] else "n")
    deadline = time.monotonic() + 20
    while screen.transitioning or (screen._view.cursor, screen._view.awaiting_answer) == before:  # noqa: SLF001
        assert time.monotonic() < deadline, f"the screen did not move from {before}"
        await pilot.pause(0.01)


async def _to_question(pilot, number: int) -> None:
    while pilot.app.screen._view.cursor < number:  # noqa: SLF001
        await _step(pilot)
    await settle(pilot)


def test_library(snap_compare, tutor_home: Path) -> None:
    use_example_library(tutor_home)

    async def loaded(pilot) -> None:
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=loaded)


def test_intervene_question(snap_compare) -> None:
    async def at_question(pilot) -> None:
        await pilot.pause()
        await _to_question(pilot, 6)

    assert snap_compare(make_app(lesson=LESSON), terminal_size=SIZE, run_before=at_question)


def test_reveal_with_grade(snap_compare) -> None:
    async def answered(pilot) -> None:
        await pilot.pause()
        await _to_question(pilot, 4)
        radio = pilot.app.screen.query_one("#outcome", RadioSet)
        radio.focus()
        await pilot.press("down", "enter", "3", "ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(lesson=LESSON), terminal_size=SIZE, run_before=answered)


def test_score_card(snap_compare) -> None:
    async def finished(pilot) -> None:
        await pilot.pause()
        while not pilot.app.screen._view.finished:  # noqa: SLF001
            await _step(pilot)
        await settle(pilot)

    assert snap_compare(make_app(lesson=LESSON), terminal_size=SIZE, run_before=finished)


def test_pair_gate(snap_compare) -> None:
    """Pair mode at the gate: the goal, the agent's words, two reads that ran, the command waiting for a prediction."""
    from tutor.services.live import start_session
    from tutor.settings import Settings
    from tutor.ui.app import TutorApp

    settings = Settings()
    session = start_session(mode="pair", settings=settings, demo=True, session_id="20260101-090000-snap01")
    app = TutorApp(settings=settings, pair=session)

    async def at_gate(pilot) -> None:
        screen = pilot.app.screen
        await pilot.pause()
        await pilot.press(*"slugify keeps digits; done when python3 -m unittest passes; only touch slug.py")
        await pilot.press("ctrl+s")
        deadline = time.monotonic() + 20
        while not screen.query("#mentor MentorCard"):
            assert time.monotonic() < deadline, "no mentor comment"
            await pilot.pause(0.02)
        await pilot.press("ctrl+s")
        while screen.busy or not screen.drawn or session.loop.state.phase != "gate":
            assert time.monotonic() < deadline, f"not at the gate: {session.loop.state.phase}"
            await pilot.pause(0.02)
        await pilot.press("w")
        while screen.busy or not screen.drawn:
            await pilot.pause(0.02)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=at_gate)
    finally:
        session.close()
