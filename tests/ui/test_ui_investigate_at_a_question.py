"""Investigate at an open question: offered, it shows only the code as of the steps revealed, and fits 80x24."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Select

from tutor.cli import make_app
from tutor.lesson import load_lesson
from tutor.paths import bundled_curricula_dir
from tutor.ui.screens.investigate import InvestigateScreen
from tests.helpers.ui_support import screen_text, wait_until

TESTS_THAT_LIE = bundled_curricula_dir() / "steering-101" / "tests-that-lie"


def ready(app) -> bool:  # noqa: ANN001
    return getattr(app.screen, "_view", None) is not None and not app.screen.holds_keys


async def test_investigate_at_a_question_offers_only_revealed_code_and_fits_80x24(tutor_home: Path) -> None:
    lesson = load_lesson(TESTS_THAT_LIE)
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: ready(app), "the lesson")
        # Walk to the first question whose step is past a commit the learner has not seen yet.
        while not (app.screen._view.awaiting_answer and app.screen._view.cursor > 3):  # noqa: SLF001
            before = app.screen._view  # noqa: SLF001
            await pilot.press("ctrl+g" if before.awaiting_answer else "n")
            await wait_until(pilot, lambda: ready(app) and app.screen._view is not before, "the next frame")  # noqa: SLF001
        view = app.screen._view  # noqa: SLF001
        lesson_screen = app.screen
        await pilot.press("ctrl+o")  # from inside the answer form
        await wait_until(pilot, lambda: isinstance(app.screen, InvestigateScreen) and app.screen.checkpoints, "the code browser")
        screen = app.screen
        shown_ids = {point.step_id for point in screen.checkpoints if point.step_id}
        revealed_ids = {step.id for index, step in enumerate(lesson_screen.run.lesson.steps) if lesson_screen.run.replay.is_revealed(index)}
        assert shown_ids <= revealed_ids
        hidden = lesson.steps[view.cursor - 1]
        assert hidden.id not in shown_ids
        offered = {value for select in screen.query(Select) for _, value in select._options if value is not Select.NULL}  # noqa: SLF001
        seen = {point.commit for point in screen.checkpoints}
        assert offered == seen
        # The code of steps not revealed yet (the question's own included) is nowhere, unless
        # it is the same code as a revealed step's (a command that changed nothing).
        steps = lesson_screen.run.lesson.steps
        unseen = {step.commit for index, step in enumerate(steps) if getattr(step, "commit", None) and not lesson_screen.run.replay.is_revealed(index)} - seen
        assert unseen, "the walk should stop where later code exists"
        assert not unseen & offered
        # Every control of the bar is inside the 80 columns.
        for widget in [*screen.query(Select), *screen.query(Button)]:
            region = widget.region
            assert region.right <= 80 and region.width > 0, f"{widget} is cut off at 80 columns: {region}"
        assert "Back to the lesson" in screen_text(app).splitlines()[-1]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is lesson_screen and ready(app), "back at the question")
        assert app.screen._view.awaiting_answer  # noqa: SLF001
