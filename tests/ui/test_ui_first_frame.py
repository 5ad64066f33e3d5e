"""A screen's first frame is drawn as it will stay: its size classes, its focus and its states are in it, so the
first key does not wait while everything is restyled and drawn again."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen

from tests.helpers.ui_support import use_example_library, wait_for_text, wait_until
from tutor.cli import make_app
from tutor.ui.app import TutorApp
from tutor.ui.focus import focus_at_once
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.widgets.line_table import LineTable
from tutor.ui.widgets.timeline import Timeline


class Plain(Screen[None]):
    pass


@pytest.mark.parametrize(("width", "expected", "other"), [(120, "-wide", "-narrow"), (100, "-narrow", "-wide")])
async def test_a_screen_has_the_classes_of_the_terminals_size_as_it_is_pushed(width: int, expected: str, other: str) -> None:
    app = TutorApp()
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        screen = Plain()
        app.push_screen(screen)
        assert expected in screen.classes and other not in screen.classes  # before Textual's first Resize reaches it
        await pilot.pause()
        assert expected in screen.classes and other not in screen.classes


class Focused(App[None]):
    def compose(self) -> ComposeResult:
        yield LineTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(LineTable)
        focus_at_once(table)
        assert table.has_focus and self.screen.focused is table  # at once, not after the next message


async def test_focus_at_once_focuses_before_the_first_frame() -> None:
    app = Focused()
    async with app.run_test(size=(60, 20)):
        assert app.screen.focused is app.query_one(LineTable)


def timeline_view(count: int) -> SimpleNamespace:
    """What `Timeline.show` reads of a lesson's view: COUNT revealed notes, the last one current."""
    entries = [SimpleNamespace(number=n, step=SimpleNamespace(kind="note", text=f"step {n}"), grade=None) for n in range(1, count + 1)]
    return SimpleNamespace(timeline=entries, hidden=3, finished=False, cursor=count, total=count + 3)


class Lines(App[None]):
    def compose(self) -> ComposeResult:
        yield Timeline(id="timeline")

    def on_mount(self) -> None:
        self.query_one(Timeline).show(timeline_view(20))  # type: ignore[arg-type]


async def test_a_timeline_told_the_size_it_drew_at_keeps_its_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[object] = []
    strip = Timeline._strip  # noqa: SLF001 - what is drawn again is what this is about

    def counted(self: Timeline, text: object, *args: object) -> object:
        drawn.append(text)
        return strip(self, text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Timeline, "_strip", counted)
    app = Lines()
    async with app.run_test(size=(40, 12)) as pilot:
        timeline = app.query_one(Timeline)
        await wait_until(pilot, lambda: len(drawn) > 0, "drawn")
        await pilot.pause()
        drawn.clear()
        # Textual's Resize after the first frame, and a redraw of the whole widget: the lines are kept.
        timeline.post_message(events.Resize(timeline.size, timeline.size))
        timeline.refresh()
        await pilot.pause()
        await pilot.pause()
        assert drawn == []
        timeline.styles.width = timeline.size.width - 5
        await wait_until(pilot, lambda: len(drawn) > 0, "drawn again at another width")


async def test_with_nothing_stored_the_library_shows_its_states_without_reading_progress(tutor_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_example_library(tutor_home)
    never = threading.Event()

    def reading_that_never_ends(self: TutorApp, library: object) -> object:
        never.wait(10)
        raise AssertionError("read the learner's progress")

    monkeypatch.setattr(TutorApp, "library_progress", reading_that_never_ends)
    try:
        for _ in ("listed in a worker (the lesson index is new)", "listed in the first frame (from the index)"):
            app = make_app()
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for_text(pilot, "Tests that lie")
                screen = app.screen
                assert isinstance(screen, LibraryScreen)
                await wait_until(pilot, lambda: screen.library is not None, "the states, with the read of progress never ending")
                assert screen.library is not None and screen.library.progress_read
                table = screen.query_one("#lessons", LineTable)
                states = [str(table.cells_at(row)[2]) for row in range(table.row_count) if str(table.cells_at(row)[1])]
                assert "new" in states and "…" not in states
    finally:
        never.set()


async def test_the_library_reads_the_learners_states_once_as_it_opens(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    for _ in ("listed in a worker (the lesson index is new)", "listed in the first frame (from the index)"):
        app = make_app()
        reads: list[str] = []
        for name in ("library_progress", "library_progress_at_once"):
            read = getattr(app, name)

            def counted(library: object, read: object = read, name: str = name) -> object:
                reads.append(name)
                return read(library)  # type: ignore[operator]

            setattr(app, name, counted)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for_text(pilot, "Tests that lie")
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            await wait_until(pilot, lambda: screen.library is not None, "the states")
            await wait_until(pilot, lambda: screen._shown, "the screen's first showing handled")  # noqa: SLF001
            await wait_until(pilot, lambda: not any(worker.is_running for worker in app.workers), "every read it started done")
            assert reads == ["library_progress_at_once"]
