"""The footer shows the keys that act, and is rebuilt only when they change (Pilot)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.ui_support import wait_until
from tutor.cli import make_app
from tutor.ui.widgets.footer import TutorFooter


class Keys(App[None]):
    BINDINGS = [Binding("f2", "next", "Next"), Binding("f3", "save", "Save")]

    def __init__(self) -> None:
        super().__init__()
        self.can_save = True

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield TutorFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return True if self.can_save else None  # None: shown, greyed out
        return True

    def action_next(self) -> None: ...

    def action_save(self) -> None: ...


def footer_keys(app: App) -> list[FooterKey]:
    return list(app.screen.query_one(TutorFooter).query(FooterKey))


def shown(app: App) -> dict[str, bool]:
    """Each key's label on the footer, and whether it is enabled."""
    return {key.description: not key.disabled for key in footer_keys(app) if key.description}


async def test_a_focus_move_that_changes_no_key_keeps_the_footer_as_it_is() -> None:
    app = Keys()
    async with app.run_test(size=(120, 10)) as pilot:
        await wait_until(pilot, lambda: "Save" in shown(app), "the footer's keys")
        before = footer_keys(app)
        app.query_one("#second", Input).focus()
        await pilot.pause()
        app.query_one("#first", Input).focus()
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert footer_keys(app) == before  # the same widgets: nothing was rebuilt
        assert shown(app) == {"Next": True, "Save": True, "palette": True}


async def test_the_footer_follows_the_lesson_from_the_task_to_the_question_and_past_it(tutor_home: Path) -> None:
    app = make_app(lesson=EXAMPLE_CURRICULUM / "tests-that-lie")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: shown(app).get("Next") is True and "Submit" not in shown(app), "the task's keys")
        await pilot.press("n")  # the goal question, typed into: submit and skip offered, not n (it types)
        await wait_until(pilot, lambda: shown(app).get("Submit") is True and "Next" not in shown(app), "the question's keys")
        await pilot.press("ctrl+g")  # skipped: the step is revealed, next acts again
        await wait_until(pilot, lambda: shown(app).get("Next") is True and "Submit" not in shown(app), "the revealed step's keys")


async def test_the_palette_key_goes_when_the_terminal_narrows_and_comes_back_when_it_widens() -> None:
    app = Keys()
    async with app.run_test(size=(120, 10)) as pilot:
        await wait_until(pilot, lambda: "palette" in shown(app), "the palette key")
        await pilot.resize_terminal(80, 10)
        await wait_until(pilot, lambda: "palette" not in shown(app) and "Save" in shown(app), "the palette key gone")
        await pilot.resize_terminal(120, 10)
        await wait_until(pilot, lambda: "palette" in shown(app), "the palette key back")
