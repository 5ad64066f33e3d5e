"""Keys a learner types are acted on, in order, however early or fast they come (Pilot: the app's own key path)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.cli import make_app
from tests.helpers.ui_support import wait_until

TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"


def cursor(app) -> int | None:  # noqa: ANN001
    view = getattr(app.screen, "_view", None)
    return None if view is None else view.cursor


async def test_n_pressed_while_the_lesson_opens_reaches_the_first_step(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(120, 40)) as pilot:
        # At once: the title and task are painted before the lesson's engine is loaded.
        await pilot.press("n")
        await wait_until(pilot, lambda: cursor(app) == 1 and not getattr(app.screen, "holds_keys", False), "the first step after an early n")


async def test_keys_typed_while_a_frame_is_replaced_act_in_order(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: cursor(app) == 0 and not getattr(app.screen, "holds_keys", False), "the task")
        # Skip the goal question, then two quick n's: the second arrives while the first frame is replaced.
        await pilot.press("n")
        await wait_until(pilot, lambda: cursor(app) == 1 and not getattr(app.screen, "holds_keys", False), "the goal question")
        await pilot.press("ctrl+g", "n", "n")
        await wait_until(pilot, lambda: cursor(app) == 3 and not getattr(app.screen, "holds_keys", False), "step 3 after skip, n, n")


async def test_keys_pressed_while_the_library_loads_act_on_the_list(tutor_home: Path) -> None:
    from tutor.ui.screens.lesson import LessonScreen
    from tests.helpers.ui_support import use_example_library

    use_example_library(tutor_home)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # At once, before the lessons are listed: the second lesson of the list, opened.
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen), "a lesson opened by keys typed while the library loaded")
        library = app.screen_stack[-2]
        assert app.screen.lesson_title == library.library.lessons()[1].title


async def test_keys_typed_after_tab_reach_the_field_tab_moved_to(tutor_home: Path) -> None:
    """Tab moves the focus when it arrives, not once it has bubbled up to the screen: the keys typed
    right after it (sent in one burst here, as a fast typist on a busy machine does) land in the next field."""
    from textual import events
    from textual.widgets import RadioSet, TextArea

    from tutor.ui.widgets.ask_panel import AskPanel

    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: cursor(app) == 0 and not getattr(app.screen, "holds_keys", False), "the task")

        def at_the_intervene_ask() -> bool:
            return bool(app.screen.query("#decision")) and not app.screen.holds_keys

        for _ in range(12):
            if at_the_intervene_ask():
                break
            await pilot.press("ctrl+g" if app.screen.query(AskPanel) else "n")
            await wait_until(pilot, lambda: not app.screen.holds_keys, "the next frame")
        assert at_the_intervene_ask(), "no intervene question in the lesson's first steps"
        assert app.focused is app.screen.query_one("#decision", RadioSet)

        for key, character in (("down", None), ("enter", "\r"), ("tab", None), ("enter", "\r"), ("tab", None), ("o", "o"), ("k", "k")):
            app.post_message(events.Key(key, character))
        say = app.screen.query_one("#say", TextArea)
        await wait_until(pilot, lambda: say.text == "ok", f"the typed text in the message field (focus on {app.focused!r})")
        draft = app.screen.query_one(AskPanel).current_draft()
        assert draft.intervene is True and draft.category is not None
