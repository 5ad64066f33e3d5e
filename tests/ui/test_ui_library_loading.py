"""The library takes keys as soon as its list is on screen, while the learner's progress is still being read.

The learner's states come second (`TutorApp.library_progress`, in a worker); here that read is held
until the test lets it go, so what a key does before it is seen for certain: moving and opening act
at once, `continue` waits for the progress and then continues the lesson last opened.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.ui_support import screen_text, squash, use_example_library, wait_for_view, wait_until
from tutor.cli import make_app
from tutor.lesson import read_lesson
from tutor.paths import progress_dir
from tutor.services.library import lesson_key
from tutor.store import open_progress
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.library import LibraryScreen

SIZE = (120, 40)
SCOPE_CREEP = EXAMPLE_CURRICULUM / "scope-creep"


def started(lesson_dir: Path, cursor: int) -> None:
    lesson = read_lesson(lesson_dir).lesson
    assert lesson is not None
    with open_progress(progress_dir()) as store:
        record = store.start_attempt(lesson.id, "digest", title=lesson.title, total=len(lesson.steps), key=lesson_key(lesson_dir, lesson.id))
        store.save_position(record.id, cursor=cursor, frontier=cursor, finished=False)


def held_progress(app: Any) -> threading.Event:
    """Make the app's read of the learner's progress wait until the returned event is set."""
    go_on = threading.Event()
    read = app.library_progress

    def slow(library: Any) -> Any:
        assert go_on.wait(30), "the test never let the progress be read"
        return read(library)

    app.library_progress = slow
    app.library_progress_at_once = lambda library: None  # as when the store is being written: read in a worker
    return go_on


def library(app: Any) -> LibraryScreen:
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


def indexed(warm: bool) -> None:
    """Warm: every lesson already in the learner's lesson index (listed before), so the list is the first frame."""
    if warm:
        from tutor.services.library import list_library
        from tutor.settings import load_settings

        list_library(load_settings().curriculum_roots())


@pytest.mark.parametrize("warm", [False, True], ids=["listed in a worker", "listed from the index in the first frame"])
async def test_continue_pressed_before_the_progress_is_read_continues_once_it_is(tutor_home: Path, warm: bool) -> None:
    use_example_library(tutor_home)
    indexed(warm)
    started(SCOPE_CREEP, cursor=2)
    app = make_app()
    go_on = held_progress(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.listing is not None, "the list on screen")
        screen = library(app)
        await wait_until(pilot, lambda: "…" in squash(screen_text(app)), "the list painted, its states not read yet")
        assert screen.library is None
        table = screen.query_one("#lessons")
        start = table.cursor_row  # type: ignore[attr-defined]
        await pilot.press("down")  # moving acts now, on the list
        await wait_until(pilot, lambda: table.cursor_row == start + 1, "the cursor moved")  # type: ignore[attr-defined]
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen), "continue waits for the progress it needs"
        go_on.set()
        await wait_for_view(pilot, "the lesson last opened, continued")
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson_title == read_lesson(SCOPE_CREEP).lesson.title  # type: ignore[union-attr]


async def test_enter_before_the_progress_is_read_opens_the_lesson_at_once(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    app = make_app()
    go_on = held_progress(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.listing is not None, "the list on screen")
            screen = library(app)
            first = screen.listing.lessons()[0]  # type: ignore[union-attr]
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson opened while the progress was still being read")
            assert screen.library is None and app.screen.lesson_title == first.title
            go_on.set()
            await wait_until(pilot, lambda: screen.library is not None, "the library's states read after all")
    finally:
        go_on.set()


async def test_the_states_fill_the_rows_in_where_the_learner_is(tutor_home: Path) -> None:
    """Once read, the states appear in the rows on screen; the cursor stays where the learner moved it, not on the lesson last opened."""
    use_example_library(tutor_home)
    started(SCOPE_CREEP, cursor=3)
    app = make_app()
    go_on = held_progress(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.listing is not None, "the list on screen")
        screen = library(app)
        table = screen.query_one("#lessons")
        start = table.cursor_row  # type: ignore[attr-defined]
        await pilot.press("up")
        await wait_until(pilot, lambda: table.cursor_row != start, "the cursor moved")  # type: ignore[attr-defined]
        moved_to = table.cursor_row  # type: ignore[attr-defined]
        go_on.set()
        await wait_until(pilot, lambda: screen.library is not None and "in progress · step 3" in squash(screen_text(app)), "the states in the rows")
        assert table.cursor_row == moved_to  # type: ignore[attr-defined]


async def test_a_lesson_changed_while_listed_shows_as_changed_on_reload(tmp_path: Path, tutor_home: Path) -> None:
    """The rows on screen are refreshed from the index: a retitled lesson is read again and shown with its new title."""
    import json
    import shutil

    curriculum = tmp_path / "mine"
    shutil.copytree(EXAMPLE_CURRICULUM, curriculum)
    (tutor_home / "config.toml").write_text(f'curricula = ["{curriculum.as_posix()}"]\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.library is not None, "the library")
        lesson = curriculum / "scope-creep" / "lesson.json"
        data = json.loads(lesson.read_text(encoding="utf-8"))
        data["title"] = "Retitled while listed"
        lesson.write_text(json.dumps(data), encoding="utf-8")
        await pilot.press("f5")
        await wait_until(pilot, lambda: "Retitled while listed" in squash(screen_text(app)), "the new title in its row")


def session_entry(number: int) -> Any:
    """A live session as the library lists it (`SessionEntry`'s fields that the list and details read)."""
    from types import SimpleNamespace

    summary = SimpleNamespace(id=f"s{number}", started=0.0, mode="pair", goal=f"goal number {number}", task="", tally="", phase="")
    return SimpleNamespace(id=f"s{number}", summary=summary, reviewers=[], marks=0, problems=[])


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
async def test_sessions_read_while_tutor_quits_are_dropped_quietly(tutor_home: Path, turns: int) -> None:
    # The session lists come from a worker: they may arrive as Tutor is quitting, while the library
    # is still the current screen but being taken apart. Each moment of the quit is tried.
    use_example_library(tutor_home)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.library is not None, "the library listed")
        library(app).post_message(LibraryScreen.SessionsLoaded([session_entry(1)]))
        for _ in range(turns):
            await pilot.pause(0)
        app.exit()
    assert app.return_code == 0, "quitting as the sessions arrived raised an error"


async def test_sessions_read_twice_before_their_lists_are_mounted_show_the_later_read(tutor_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_example_library(tutor_home)
    # The library's own read (none stored here) would replace the lists this test sends.
    monkeypatch.setattr(LibraryScreen, "load_sessions", lambda self: None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.library is not None, "the library listed")
        screen = library(app)
        # Both in one turn of the screen's queue: the second finds the lists made, their tables not yet mounted.
        screen.post_message(LibraryScreen.SessionsLoaded([session_entry(1)]))
        screen.post_message(LibraryScreen.SessionsLoaded([session_entry(1), session_entry(2)]))
        await wait_until(pilot, lambda: "goal number 2" in screen_text(app), "the later read of the sessions on screen")
        assert [entry.id for entry in screen.sessions] == ["s1", "s2"]
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.focused is not None and screen.focused.id == "sessions", "s moved to the sessions")
