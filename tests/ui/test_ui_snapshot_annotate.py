"""SVG snapshot of the annotate screen (regenerate with `pytest --snapshot-update` after a deliberate change)."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import OptionList

from tutor.services.annotate import AnnotateSession
from tutor.settings import load_settings
from tutor.ui.app import TutorApp
from tutor.ui.start import AnnotateStart
from tutor.ui.screens.annotate import AnnotateScreen
from tests.helpers.ui_support import wait_until

LESSON = Path(__file__).parents[2] / "curricula" / "steering-101" / "done-without-evidence"
SIZE = (110, 40)


def test_annotate_a_correction(snap_compare, tmp_path: Path) -> None:
    folder = tmp_path / "lesson"
    shutil.copytree(LESSON, folder, ignore=shutil.ignore_patterns("source"))
    app = TutorApp(AnnotateStart(AnnotateSession.open(folder)), settings=load_settings())

    async def at_correction(pilot) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, AnnotateScreen) and pilot.app.screen.step_id is not None, "the annotate screen")
        screen = pilot.app.screen
        steps = screen.query_one("#annotate-steps", OptionList)
        steps.highlighted = steps.get_option_index("s3")
        await wait_until(pilot, lambda: screen.step_id == "s3" and not screen._building, "the side to show s3")  # noqa: SLF001
        await pilot.press("h")  # s3 and its result s4 hidden: the list marks both
        await wait_until(pilot, lambda: screen.editor.step("s4").hidden and not screen._building, "s3 hidden with s4")  # noqa: SLF001
        steps.highlighted = steps.get_option_index("s9")
        await wait_until(pilot, lambda: screen.step_id == "s9" and not screen._building, "the side to show s9")  # noqa: SLF001
        await pilot.app.workers.wait_for_complete()
        await pilot.wait_for_scheduled_animations()
        assert not pilot.app._notifications or all("with its results" in n.message for n in pilot.app._notifications)  # noqa: SLF001
        pilot.app.clear_notifications()
        await wait_until(pilot, lambda: not pilot.app.screen.query("Toast"), "the note to go")

    assert snap_compare(app, terminal_size=SIZE, run_before=at_correction)
