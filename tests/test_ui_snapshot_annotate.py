"""SVG snapshot of the annotate screen (regenerate with `pytest --snapshot-update` after a deliberate change)."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import OptionList

from tutor.services.annotate import AnnotateSession
from tutor.settings import load_settings
from tutor.ui.app import TutorApp

LESSON = Path(__file__).parent.parent / "curricula" / "steering-101" / "done-without-evidence"
SIZE = (110, 40)


def test_annotate_a_correction(snap_compare, tmp_path: Path) -> None:
    folder = tmp_path / "lesson"
    shutil.copytree(LESSON, folder, ignore=shutil.ignore_patterns("source"))
    app = TutorApp(settings=load_settings(), annotate=AnnotateSession.open(folder))

    async def at_correction(pilot) -> None:
        await pilot.pause()
        steps = pilot.app.screen.query_one("#annotate-steps", OptionList)
        steps.highlighted = steps.get_option_index("s3")
        await pilot.pause()
        await pilot.press("h")  # s3 and its result s4 hidden: the list marks both
        await pilot.pause()
        steps.highlighted = steps.get_option_index("s9")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        assert not pilot.app._notifications or all("with its results" in n.message for n in pilot.app._notifications)  # noqa: SLF001
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=at_correction)
