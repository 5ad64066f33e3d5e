"""The terminal reporting the size the app already has changes nothing (`TutorApp._on_resize`); a real resize still lays out again."""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.message import Message

from tests.helpers.ui_support import wait_for_text, wait_until
from tutor.cli import make_app
from tests.helpers.support import EXAMPLE_CURRICULUM


async def test_a_report_of_the_same_size_lays_nothing_out_again_and_a_new_size_does() -> None:
    resizes: list[events.Resize] = []  # every Resize handled: the app's, then its screen's (Textual hands the screen the same event)

    def heard(message: Message) -> None:
        if isinstance(message, events.Resize):
            resizes.append(message)

    app = make_app(lesson=EXAMPLE_CURRICULUM / "tests-that-lie")
    async with app.run_test(size=(100, 30), message_hook=heard) as pilot:
        await wait_for_text(pilot, "Press n")
        await pilot.pause()
        report = events.Resize(Size(100, 30), Size(100, 30))  # what the terminal's first report says
        app.post_message(report)
        await wait_until(pilot, lambda: report in resizes, "the app heard the report")
        await pilot.pause()
        await pilot.pause()
        assert [r for r in resizes if r is report] == [report]  # the app's, and not the screen's
        await pilot.resize_terminal(90, 30)
        await wait_until(pilot, lambda: any(r.size.width == 90 and r is not resizes[-1] for r in resizes), "the screen laid out at the new size")
        await wait_for_text(pilot, "Press n")
