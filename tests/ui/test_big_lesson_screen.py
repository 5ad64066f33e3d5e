"""A 10,000-step lesson on the lesson screen: it opens, n walks it, the timeline holds one line per revealed step, and a hidden step never shows."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.ui_support import screen_text, step_on, wait_for_view
from tests.unit.test_big_lessons import STEPS, big_lesson_data, write
from tutor.cli import make_app
from tutor.ui.widgets.timeline import Timeline


async def test_a_ten_thousand_step_lesson_opens_and_walks(tmp_path: Path) -> None:
    data = big_lesson_data()
    hidden = {step["id"]: step["text"] for step in data["steps"] if step.get("hidden")}
    folder = write(tmp_path / "big", data)
    app = make_app(lesson=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await wait_for_view(pilot, "the task frame", timeout=60)
        assert view.cursor == 0 and view.total == STEPS - len(hidden)
        view = await step_on(pilot)  # the goal's question
        view = await step_on(pilot)  # skipped: the goal shows
        for _ in range(3):
            view = await step_on(pilot)
        assert view.cursor == 4

        # Far into the lesson (the engine walked there, untimed), n still reveals the next step.
        screen = app.screen
        while screen.run.replay.cursor < view.total - 2:
            screen.run.replay.next()
        await screen.show_view()
        view = await wait_for_view(pilot, "the frame near the end", lambda now: now.cursor == now.total - 2)
        view = await step_on(pilot)
        assert view.cursor == view.total - 1
        timeline = screen.query_one(Timeline)
        assert len(timeline.lines) == 1 + len(view.timeline) + 1  # the task, each revealed step, the last line
        shown = "\n".join(str(shown.text) for shown in timeline.lines) + screen_text(app)
        assert not [text for text in hidden.values() if text in shown]
        view = await step_on(pilot)
        view = await step_on(pilot)
        assert view.finished
