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


async def test_a_footer_drawn_while_a_step_is_replaced_shows_the_keys_once_the_step_is_on_screen(tutor_home: Path) -> None:
    """A busy machine can redraw the footer mid-swap, when every key is hidden: the keys must come back (CI saw only ^p)."""
    app = make_app(lesson=EXAMPLE_CURRICULUM / "tests-that-lie")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: shown(app).get("Next") is True, "the task's keys")
        await pilot.press("n")
        await wait_until(pilot, lambda: shown(app).get("Submit") is True, "the question's keys")
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: shown(app).get("Next") is True and "Submit" not in shown(app), "the revealed step's keys")
        screen = app.screen
        footer = screen.query_one(TutorFooter)
        frame = screen.query_one("#frame")
        swapped = []
        remove_children = frame.remove_children

        async def remove_with_the_footer_drawn_meanwhile() -> None:
            await footer.recompose()  # what a slow machine can do between two paints
            swapped.append(dict(shown(app)))
            await remove_children()

        for _ in range(2):  # the revealed goal to step 2, step 2 to step 3
            keys_before = shown(app)
            frame.remove_children = remove_with_the_footer_drawn_meanwhile  # type: ignore[method-assign]
            await pilot.press("n")
            await wait_until(pilot, lambda: len(swapped) == 1, "the next step's swap")
            assert swapped.pop() == {"palette": True}  # drawn mid-swap: no key but the palette
            await wait_until(pilot, lambda: shown(app) == keys_before, "the step's keys back in the footer")
