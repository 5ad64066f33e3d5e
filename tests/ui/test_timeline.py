"""The lesson's timeline: a key that reveals a step redraws only the lines that changed; keys and clicks choose a step."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from textual import on
from textual.app import App, ComposeResult

from tests.helpers.ui_support import screen_text, wait_until
from tutor.ui.widgets.timeline import Timeline


def view(revealed: int, *, cursor: int | None = None, hidden: int = 3, finished: bool = False) -> SimpleNamespace:
    """What `Timeline.show` reads of a lesson's view: REVEALED notes, the current one CURSOR (else the last)."""
    entries = [ENTRIES[n] for n in range(1, revealed + 1)]
    return SimpleNamespace(timeline=entries, hidden=hidden, finished=finished, cursor=revealed if cursor is None else cursor, total=revealed + hidden)


# The engine hands back the same entry objects while they read the same.
ENTRIES = {n: SimpleNamespace(number=n, step=SimpleNamespace(kind="note", text=f"note number {n}"), grade=None) for n in range(1, 1001)}


class Host(App[None]):
    CSS = "Timeline { height: 1fr; width: 40; }"  # as on the lesson screen: the height of the screen, not of its lines

    def __init__(self, first: SimpleNamespace) -> None:
        super().__init__()
        self.first = first
        self.jumps: list[int] = []

    def compose(self) -> ComposeResult:
        yield Timeline(id="timeline")

    def on_mount(self) -> None:
        timeline = self.query_one(Timeline)
        timeline.show(self.first)  # type: ignore[arg-type]
        timeline.focus()

    @on(Timeline.Jump)
    def _jump(self, event: Timeline.Jump) -> None:
        self.jumps.append(event.cursor)


def counting_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lines Textual asks the timeline to draw (a scroll asks for every line on screen)."""
    asked: list[int] = []
    render_line = Timeline.render_line

    def counted(self: Timeline, y: int) -> object:
        asked.append(y)
        return render_line(self, y)

    monkeypatch.setattr(Timeline, "render_line", counted)
    return asked


def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines the timeline draws anew (not those it drew before, as they were)."""
    drawn: list[str] = []
    strip = Timeline._strip  # noqa: SLF001 - what is drawn is what this is about

    def counted(self: Timeline, text: object, *args: object) -> object:
        drawn.append(str(text))
        return strip(self, text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Timeline, "_strip", counted)
    return drawn


@pytest.mark.parametrize("revealed", [5, 600])
async def test_revealing_a_step_redraws_only_the_lines_that_changed(monkeypatch: pytest.MonkeyPatch, revealed: int) -> None:
    drawn = counting(monkeypatch)
    app = Host(view(revealed, cursor=revealed - 1))
    async with app.run_test(size=(40, 30)) as pilot:
        timeline = app.query_one(Timeline)
        await wait_until(pilot, lambda: f"note number {revealed - 1}" in screen_text(app), "the timeline drawn")
        await pilot.pause()
        drawn.clear()
        timeline.show(view(revealed + 1))  # type: ignore[arg-type]
        await wait_until(pilot, lambda: f"note number {revealed + 1}" in screen_text(app), "the new step's line")
        await pilot.pause()
        # The highlight's old and new lines, and the new last one: not the lines above, however many.
        assert sorted(drawn) == sorted({*drawn}) and len(drawn) <= 4, drawn
        assert any(f"note number {revealed + 1}" in text for text in drawn)
        assert any("3 steps hidden" in text for text in drawn)
        assert timeline.highlighted == revealed + 1


async def test_walking_past_the_bottom_keeps_the_current_step_and_what_is_hidden_in_view(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = counting_lines(monkeypatch)
    app = Host(view(1))
    async with app.run_test(size=(40, 12)) as pilot:
        timeline = app.query_one(Timeline)
        redrawn_whole = 0
        for revealed in range(2, 60):
            drawn.clear()
            timeline.show(view(revealed))  # type: ignore[arg-type]
            await pilot.pause()
            shown = screen_text(app)
            assert f"note number {revealed}" in shown and "3 steps hidden" in shown, shown
            assert f"note number {revealed - 1}" in shown  # the step before stays in view
            redrawn_whole += len(drawn) > 4
        # A scroll redraws every line on screen: by half pages (6 lines here), not a line at every step.
        assert redrawn_whole <= 60 // 5, redrawn_whole
        assert len(timeline._drawn) <= 4 * 12, "the lines drawn long ago are kept"  # noqa: SLF001 - bounded memory


async def test_keys_move_the_highlight_over_the_steps_and_enter_jumps() -> None:
    app = Host(view(6))
    async with app.run_test(size=(40, 20)) as pilot:
        timeline = app.query_one(Timeline)
        await pilot.press("down")  # the last line ("3 steps hidden") cannot be chosen: the highlight stays
        assert timeline.highlighted == 6
        await pilot.press("up", "up", "enter")
        await wait_until(pilot, lambda: app.jumps == [4], "a jump to step 4")
        await pilot.press("home", "enter")
        await wait_until(pilot, lambda: app.jumps == [4, 0], "a jump to the task")
        await pilot.press("end")
        assert timeline.highlighted == 6


async def test_a_finished_lessons_score_card_line_can_be_highlighted_and_jumps_nowhere() -> None:
    app = Host(view(4, cursor=5, hidden=0, finished=True))
    async with app.run_test(size=(40, 20)) as pilot:
        timeline = app.query_one(Timeline)
        assert "Score card" in screen_text(app) and timeline.highlighted == 5
        await pilot.press("enter", "up", "enter")
        await wait_until(pilot, lambda: app.jumps == [4], "a jump to step 4 only")


async def test_a_click_on_a_step_jumps_there() -> None:
    app = Host(view(6))
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.click(Timeline, offset=(5, 2))  # the lines: the task, then step 1, step 2
        await wait_until(pilot, lambda: app.jumps == [2], "a jump to step 2")
        await pilot.click(Timeline, offset=(5, 7))  # "3 steps hidden": nothing
        await pilot.pause()
        assert app.jumps == [2]
