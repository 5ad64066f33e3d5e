"""SVG snapshot of record mode: a senior at the gate, marking a question for learners (regenerate with --snapshot-update)."""

from __future__ import annotations

from textual.widgets import TextArea

from tests.helpers.ui_support import type_fast, wait_until

SIZE = (110, 40)


def test_record_marking_an_ask(snap_compare) -> None:
    """The demo session recorded: the goal, the agent's reads, a command at the gate, the ask-type picker open."""
    from tutor.services.live import start_session
    from tutor.settings import Settings
    from tutor.ui.app import TutorApp
    from tutor.ui.start import RecordStart

    settings = Settings(learner="senior", sandbox_bwrap="/nonexistent/bwrap")  # the same status line on every machine
    session = start_session(mode="record", settings=settings, demo=True, session_id="20260101-090000-snap02")
    app = TutorApp(RecordStart(session), settings=settings)

    async def marking(pilot) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.focused, TextArea), "the goal's field to take focus")
        screen = pilot.app.screen  # the first screen, once it is up
        await type_fast(pilot, "slugify keeps digits; done when python3 -m unittest passes; only touch slug.py")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: session.loop.state.phase == "gate" and not screen.busy and screen.drawn, "the gate", timeout=20)
        await pilot.press("m")
        await wait_until(
            pilot,
            lambda: screen.form == "ask-type" and pilot.app.focused is not None and pilot.app.focused.id == "ask-types",
            "the ask-type picker to open",
        )
        await pilot.wait_for_scheduled_animations()
        assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=marking)
    finally:
        session.close()
