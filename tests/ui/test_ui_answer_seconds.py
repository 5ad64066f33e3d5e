"""Issue 15: answering in the lesson screen stores the seconds from question shown to answer."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.ui_support import wait_for_view, wait_until
from tutor.cli import make_app
from tutor.paths import progress_dir
from tutor.store import open_progress

TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"


async def test_an_answer_in_the_lesson_screen_stores_its_seconds(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(120, 50)) as pilot:
        await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
        await pilot.press("n")
        await wait_for_view(pilot, "the goal question", lambda view: view.awaiting_answer)
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea), "the answer field to take focus")
        app.focused.insert("Fix invoice_total; do not edit tests; done when pytest -q passes.")
        await pilot.press("ctrl+s")
        await wait_for_view(pilot, "the step revealed", lambda view: not view.awaiting_answer)
        attempt = app.screen.run.attempt_id
    with open_progress(progress_dir()) as store:
        seconds = store.answer_seconds(attempt)
    assert set(seconds) == {"s1"}
    assert isinstance(seconds["s1"], float) and seconds["s1"] >= 0.0
