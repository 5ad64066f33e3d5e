"""A lesson's first frame waits for no progress store (issue 18): the attempt is resumed from the attempts index
and the store (TinyDB) is opened in a worker once something is to be written. Here that opening is held until
the test lets it go: a key sent before the store is open still acts, once it is; what was typed is saved; a
resumed attempt is the same one; and nothing is written before the store is open.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from textual.widgets import TextArea

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.ui_support import drained, wait_for_text, wait_for_view, wait_until
from tutor.cli import make_app
from tutor.lesson import lesson_digest, read_lesson
from tutor.paths import progress_dir
from tutor.services.library import lesson_key
from tutor.store import open_progress
from tutor.store.resume import hold_attempt

TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"
SIZE = (120, 50)
LESSON = read_lesson(TESTS_THAT_LIE).lesson
assert LESSON is not None
KEY = lesson_key(TESTS_THAT_LIE.resolve(), LESSON.id)


def held_store(app: Any) -> tuple[threading.Event, list[str]]:
    """Make the app's opening of the progress store wait until the returned event is set; the list names the
    threads that opened it (asked while it was not open yet)."""
    opening = app.progress_opening
    real = opening.open
    go_on = threading.Event()
    asked: list[str] = []

    def slow() -> Any:
        if not opening.tried:
            asked.append(threading.current_thread().name)
        go_on.wait(30)  # a test that fails before letting it open still ends
        return real()

    opening.open = slow
    return go_on, asked


def stored_attempt(cursor: int) -> str:
    """An attempt at tests-that-lie with its goal skipped, at `cursor`; its id."""
    with open_progress(progress_dir()) as store:
        attempt = store.start_attempt(LESSON.id, lesson_digest(LESSON), title=LESSON.title, total=len(LESSON.steps), key=KEY)
        store.save_answer(attempt.id, {"step": "s1", "skipped": True}, score=0.0)
        store.save_position(attempt.id, cursor=cursor, frontier=cursor, finished=False)
    return attempt.id


def files(folder: Path) -> dict[str, tuple[int, int]]:
    """What the store holds on disk, but the lock files (taken, not written)."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            if name == ".lock" or name.startswith(".open-"):
                continue
            info = os.stat(os.path.join(root, name))
            found[os.path.relpath(os.path.join(root, name), folder)] = (info.st_size, info.st_mtime_ns)
    return found


async def test_a_skip_and_a_key_sent_before_the_store_is_open_act_once_it_is(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    go_on, asked = held_store(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
        assert app.screen.run.store_pending and not asked, "the first frame opens no store"
        await pilot.press("n")
        await wait_for_view(pilot, "the goal question", lambda view: view.awaiting_answer)
        await wait_until(pilot, lambda: asked, "a move to open the store")
        await pilot.press("ctrl+g", "n")  # skip, and the next step at once: both before the store is open
        await wait_until(pilot, lambda: app.screen.store.waiting, "the skip to wait for the store")
        await drained(pilot)
        assert app.screen.run.view().awaiting_answer, "nothing is committed before it can be saved"
        go_on.set()
        await wait_for_view(pilot, "the skip, then the next step", lambda view: view.cursor == 2)
        attempt = app.screen.run.attempt_id
        assert attempt is not None and not app.screen.run.store_pending
        assert "MainThread" not in asked, "the store is opened off the event loop"
    with open_progress(progress_dir()) as store:
        assert store.answer_scores(attempt) == {"s1": 0.0}
        assert store.latest_attempt(LESSON.id, KEY).cursor == 2  # the move after, saved on the way out


async def test_an_answer_typed_before_the_store_is_open_is_saved_once_it_is(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    go_on, _ = held_store(app)
    text = "Fix invoice_total; do not edit tests; done when pytest -q passes."
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea), "the answer field to take focus")
        app.focused.insert(text)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen.store.waiting, "the answer to wait for the store")
        go_on.set()
        await wait_for_view(pilot, "the answer revealed", lambda view: not view.awaiting_answer)
        attempt = app.screen.run.attempt_id
    with open_progress(progress_dir()) as store:
        state = store.load_state(attempt)
    assert [entry["answer"]["text"] for entry in state["committed"]] == [text]


async def test_a_resumed_attempt_is_the_same_one_and_nothing_is_written_before_the_store_opens(tutor_home: Path) -> None:
    attempt = stored_attempt(cursor=3)
    before = files(progress_dir())
    app = make_app(lesson=TESTS_THAT_LIE)
    go_on, asked = held_store(app)
    async with app.run_test(size=SIZE) as pilot:
        view = await wait_for_view(pilot, "the resumed lesson", lambda view: view.cursor == 3)
        assert app.screen.run.attempt_id == attempt and app.screen.run.replay.grade_of("s1") is not None
        await wait_for_text(pilot, "Goal [")  # the earlier answer, in the timeline
        assert not asked and files(progress_dir()) == before, "a crash now would find the store as it was"
        assert view.frontier == 3
        go_on.set()
    with open_progress(progress_dir()) as store:
        assert [record.id for record in store.attempts(LESSON.id)] == [attempt]


async def test_an_attempt_open_in_another_tutor_is_said_at_once_and_needs_no_store(tutor_home: Path) -> None:
    attempt = stored_attempt(cursor=2)
    other = hold_attempt(progress_dir(), attempt)
    assert other is not None
    app = make_app(lesson=TESTS_THAT_LIE)
    _, asked = held_store(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_view(pilot, "the resumed lesson", lambda view: view.cursor == 2)
            await wait_until(pilot, lambda: any("open in another Tutor" in str(note.message) for note in app._notifications), "the note")  # noqa: SLF001
            assert not app.screen.run.store_pending
            await pilot.press("n")
            await wait_for_view(pilot, "a step on, unsaved", lambda view: view.cursor == 3)
        assert not asked, "nothing is saved here, so no store is opened"
    finally:
        other.release()


async def test_the_review_queue_opens_without_the_store_and_a_skip_before_it_is_open_is_saved_once_it_is(tutor_home: Path) -> None:
    from datetime import date

    from tests.helpers.ui_support import use_example_library
    from tutor.ui.screens.review import ReviewScreen

    use_example_library(tutor_home)
    today = date.today().isoformat()
    with open_progress(progress_dir()) as store:
        for step in ("s4", "s6"):
            store.save_card({"key": f"example-tests-that-lie/{step}", "lesson": "example-tests-that-lie", "step": step, "due": today})
    app = make_app(review=True)
    go_on, asked = held_store(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_view(pilot, "the first card's question", lambda view: view.awaiting_answer)
        assert isinstance(app.screen, ReviewScreen) and "Review 1 of 2" in app.screen.sub_title
        assert app.screen.run.store_pending and not asked, "the review's first frame opens no store"
        await pilot.press("ctrl+g", "n")  # skip the first card, and on to the next: before the store is open
        await wait_until(pilot, lambda: app.screen.store.waiting and asked, "the skip to wait for the store")
        await drained(pilot)
        assert app.screen.run.view().awaiting_answer and "Review 1 of 2" in app.screen.sub_title
        go_on.set()
        await wait_until(pilot, lambda: "Review 2 of 2" in app.screen.sub_title, "the second card, after the skip")
        assert "MainThread" not in asked
    with open_progress(progress_dir()) as store:
        due = {card["step"]: card["due"] for card in store.cards()}
    assert due["s4"] > today and due["s6"] == today  # the skipped card rescheduled (tomorrow), the other untouched


async def test_a_lesson_left_at_once_for_the_library_shows_there_as_in_progress(tutor_home: Path) -> None:
    """No key in the lesson, so no store opened in it: leaving starts the attempt before the library reads progress."""
    from tests.helpers.ui_support import use_example_library
    from tutor.ui.screens.lesson import LessonScreen
    from tutor.ui.screens.library import LibraryScreen

    use_example_library(tutor_home)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.library is not None, "the library")
        await pilot.press("enter")
        await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
        assert isinstance(app.screen, LessonScreen) and app.screen.run.store_pending
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "back in the library")
        await wait_for_text(pilot, "in progress")
