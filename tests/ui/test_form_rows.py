"""A question's last two rows (`widgets.form_rows`): how sure, by keys and clicks; submit and skip, by keys and clicks.

Driven in a real lesson (Pilot), at its goal question, and in a bare app for what a group's
form changes (no skip; submit off while the round is closed).
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.ui_support import wait_until
from tutor.cli import make_app
from tutor.lesson import Confidence
from tutor.ui.widgets.ask_panel import AskPanel
from tutor.ui.widgets.form_rows import ConfidenceRow, FormActions

TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"


def cursor(app) -> int | None:  # noqa: ANN001
    view = getattr(app.screen, "_view", None)
    return None if view is None else view.cursor


async def _at_the_goal_question(pilot, app) -> AskPanel:  # noqa: ANN001
    await wait_until(pilot, lambda: cursor(app) == 0 and not app.screen.holds_keys, "the task")
    await pilot.press("n")
    await wait_until(pilot, lambda: bool(app.screen.query(AskPanel)) and not app.screen.holds_keys, "the goal question")
    return app.screen.query_one(AskPanel)


async def test_how_sure_moves_with_left_and_right_and_a_click_and_is_kept_in_the_draft(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _at_the_goal_question(pilot, app)
        row = panel.query_one(ConfidenceRow)
        assert row.chosen is Confidence.MEDIUM and "(•) Medium" in str(row.render())
        await pilot.press("tab")
        await wait_until(pilot, lambda: app.focused is row, "tab from the goal's text to how sure")
        await pilot.press("right")
        await wait_until(pilot, lambda: panel.draft.confidence is Confidence.HIGH, "right: high, in the kept draft")
        await pilot.press("right")  # the last stays the last
        await pilot.press("left", "left")
        await wait_until(pilot, lambda: panel.draft.confidence is Confidence.LOW, "left twice: low")
        await pilot.click(ConfidenceRow, offset=(len("( ) Low   ") + 1, 0))
        await wait_until(pilot, lambda: panel.draft.confidence is Confidence.MEDIUM, "a click on Medium")
        await pilot.press("3")
        await wait_until(pilot, lambda: row.chosen is Confidence.HIGH, "3 anywhere: high")
        assert "(•) High" in str(row.render())


async def test_submit_is_done_with_enter_on_the_actions(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _at_the_goal_question(pilot, app)
        await pilot.press(*"Fix the coupon total; keep the test.")
        await pilot.press("tab", "tab")
        actions = panel.query_one(FormActions)
        await wait_until(pilot, lambda: app.focused is actions, "tab twice: the actions")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.screen.query(AskPanel) and not app.screen.holds_keys, "the answer submitted")
        grades = app.screen.run.replay.grades()
        assert len(grades) == 1 and not grades[0].skipped and grades[0].confidence is Confidence.MEDIUM


async def test_skip_is_done_with_a_click_on_it(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(120, 40)) as pilot:
        await _at_the_goal_question(pilot, app)
        await pilot.click(FormActions, offset=(len(" Submit  ctrl+s ") + len("   ") + 2, 0))
        await wait_until(pilot, lambda: not app.screen.query(AskPanel) and not app.screen.holds_keys, "skipped by a click")
        grades = app.screen.run.replay.grades()
        assert len(grades) == 1 and grades[0].skipped


class _Form(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield FormActions()

    def on_form_actions_pressed(self, event: FormActions.Pressed) -> None:
        self.pressed.append(event.action)


async def test_a_groups_form_has_no_skip_and_no_submit_while_its_round_is_closed() -> None:
    app = _Form()
    async with app.run_test(size=(60, 5)) as pilot:
        actions = app.query_one(FormActions)
        actions.focus()
        await pilot.press("right", "enter")
        await wait_until(pilot, lambda: app.pressed == ["skip"], "right, enter: skip")
        actions.skip_shown = False
        await pilot.pause()
        assert "Skip" not in str(actions.render()) and actions.cursor == 0
        actions.submit_off = True
        await pilot.press("enter", "space")
        await pilot.click(FormActions, offset=(2, 0))
        await pilot.pause()
        assert app.pressed == ["skip"]
        actions.submit_off = False
        await pilot.press("space")
        await wait_until(pilot, lambda: app.pressed == ["skip", "submit"], "submit on again")
