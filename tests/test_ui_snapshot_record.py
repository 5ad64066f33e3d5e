"""SVG snapshot of record mode: a senior at the gate, marking a question for learners (regenerate with --snapshot-update)."""

from __future__ import annotations

import time

SIZE = (110, 40)


def test_record_marking_an_ask(snap_compare) -> None:
    """The demo session recorded: the goal, the agent's reads, a command at the gate, the ask-type picker open."""
    from tutor.services.live import start_session
    from tutor.settings import Settings
    from tutor.ui.app import TutorApp

    settings = Settings(learner="senior")
    session = start_session(mode="record", settings=settings, demo=True, session_id="20260101-090000-snap02")
    app = TutorApp(settings=settings, record=session)

    async def marking(pilot) -> None:
        screen = pilot.app.screen
        await pilot.pause()
        await pilot.press(*"slugify keeps digits; done when python3 -m unittest passes; only touch slug.py")
        await pilot.press("ctrl+s")
        deadline = time.monotonic() + 20
        while screen.busy or not screen.drawn or session.loop.state.phase != "gate":
            assert time.monotonic() < deadline, f"not at the gate: {session.loop.state.phase}"
            await pilot.pause(0.02)
        await pilot.press("m")
        while screen.form != "ask-type" or pilot.app.focused is None or pilot.app.focused.id != "ask-types":
            assert time.monotonic() < deadline, "the ask-type picker did not open"
            await pilot.pause(0.02)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=marking)
    finally:
        session.close()
