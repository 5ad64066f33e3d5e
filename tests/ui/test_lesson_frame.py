"""The lesson's frame: styled again alone when its focus moves (not all it holds), and looking as if all had been."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.ui_support import wait_until
from tutor.cli import make_app


async def at_rest(pilot) -> None:  # noqa: ANN001
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def test_moving_focus_in_and_out_of_a_question_styles_the_frame_alone_as_styling_everything_would(tutor_home: Path) -> None:
    app = make_app(lesson=EXAMPLE_CURRICULUM / "tests-that-lie")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: getattr(screen, "run", None) is not None and not screen.holds_keys, "the task")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea) and not screen.holds_keys, "the goal question, its field focused")
        await at_rest(pilot)
        frame = screen.query_one("#frame")
        held = {id(node) for node in frame.walk_children()}
        styled: list = []
        apply = app.stylesheet.apply

        def counted(node, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            styled.append(node)
            return apply(node, *args, **kwargs)

        app.stylesheet.apply = counted  # type: ignore[method-assign]
        for key, frame_focused in (("escape", True), ("tab", False), ("escape", True)):
            styled.clear()
            await pilot.press(key)
            await wait_until(pilot, lambda want=frame_focused: frame.has_focus is want, f"the frame {'focused' if frame_focused else 'left'} after {key}")
            await at_rest(pilot)
            assert frame in styled, f"{key}: the frame was not styled for its focus"
            again = [node for node in styled if id(node) in held and not isinstance(node, TextArea)]
            assert len(again) <= 3, f"{key}: {len(again)} widgets of the question styled again: {again[:5]}"
            assert (frame.styles.background_tint.a > 0) is frame_focused, "the frame's focus tint"
            drawn = app.export_screenshot()
            app.update_styles(screen)  # what Textual would do: every widget styled again, and drawn again
            for widget in screen.walk_children():
                widget.refresh()
            await at_rest(pilot)
            assert app.export_screenshot() == drawn, f"after {key}, the screen is not as styling everything again draws it"
