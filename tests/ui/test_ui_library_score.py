"""The library and the score card as the learner meets them: best scores, the next lesson, and counted words."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.widgets import Button

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.cli import make_app
from tutor.learn.scoring import ScoreCard, Tally
from tutor.lesson import read_lesson
from tutor.paths import progress_dir
from tutor.store import open_progress
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.widgets.prose import Prose
from tutor.ui.widgets.score_card import ScoreCardView
from tests.helpers.ui_support import dom_text, screen_text, squash, use_example_library, wait_until

SIZE = (120, 50)
TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"


def seen(app: App, text: str) -> Callable[[], bool]:
    def predicate() -> bool:
        return text in squash(screen_text(app))

    predicate.__name__ = f"{text!r} on screen"
    return predicate


def details(app: App) -> str:
    """The lesson details beside the table (wrapped on screen, so read whole)."""
    return squash(app.screen.query_one("#details", Prose).markdown)


def said(app: App) -> list[str]:
    """The messages the app has shown the learner (its toasts)."""
    return [str(note.message) for note in app._notifications]  # noqa: SLF001


def add_attempt(lesson_dir: Path, *, score: float | None = None, cursor: int = 0) -> None:
    """One attempt at the lesson: finished with `score`, or (no score) left open at `cursor`."""
    lesson = read_lesson(lesson_dir).lesson
    assert lesson is not None
    with open_progress(progress_dir()) as store:
        from tutor.services.library import lesson_key

        record = store.start_attempt(lesson.id, "digest", title=lesson.title, total=len(lesson.steps), key=lesson_key(lesson_dir, lesson.id))
        finished = score is not None
        store.save_position(record.id, cursor=len(lesson.steps) + 1 if finished else cursor, frontier=cursor, finished=finished, score=score)


def library_row(app: App, title: str) -> str:
    """The row of lesson `title` in the example curriculum (the bundled one has a lesson of that name too)."""
    rows = screen_text(app).split("Steering basics (example)", 1)[-1].splitlines()
    return next((line for line in rows if title in line), "")


async def play_to_the_last_step(pilot) -> None:  # noqa: ANN001
    """Skip every question and step on until the lesson's last step is revealed."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen._view is not None)  # noqa: SLF001
    while True:
        view = app.screen._view  # noqa: SLF001
        if view.cursor == view.total and not view.awaiting_answer:
            return
        await pilot.press("ctrl+g" if view.awaiting_answer else "n")
        await wait_until(pilot, lambda view=view: app.screen._view is not view and not app.screen.transitioning)  # noqa: SLF001


async def play_to_the_score_card(pilot) -> None:  # noqa: ANN001
    await play_to_the_last_step(pilot)
    await pilot.press("n")
    await wait_until(pilot, seen(pilot.app, "Score card:"))


# ---------------------------------------------------------------- the library


async def test_the_library_shows_the_best_score_after_a_retry_and_the_retry_under_way(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    add_attempt(TESTS_THAT_LIE, score=0.83)
    add_attempt(TESTS_THAT_LIE, score=0.4)  # a worse retry
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, seen(app, "Tests that lie"))
        await wait_until(pilot, lambda: "done" in library_row(app, "Tests that lie"))
        row = library_row(app, "Tests that lie")
        assert "done · best 83%" in row and "40%" not in row
        add_attempt(TESTS_THAT_LIE, cursor=3)  # a third attempt, open at step 3
        await pilot.press("f5")
        await wait_until(pilot, lambda: "in progress" in library_row(app, "Tests that lie"))
        assert "in progress · step 3/11 · best 83%" in library_row(app, "Tests that lie")
        assert "3 attempts so far. Best score: 83%." in details(app)


async def test_continue_with_nothing_started_says_so(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, seen(app, "Tests that lie"))
        await wait_until(pilot, lambda: app.screen.library is not None)
        await pilot.press("c")
        await wait_until(pilot, lambda: said(app) == ["Nothing started yet: pick a lesson (enter)."])
        assert isinstance(app.screen, LibraryScreen)
        await pilot.click("#continue")  # the button says it too
        await wait_until(pilot, lambda: len(said(app)) == 2)
        assert isinstance(app.screen, LibraryScreen) and said(app)[1] == said(app)[0]


async def test_the_library_counts_in_good_english(tmp_path: Path, tutor_home: Path, monkeypatch) -> None:  # noqa: ANN001
    from tutor import paths

    monkeypatch.setattr(paths, "bundled_curricula_dir", lambda: tmp_path / "no-bundled-curricula")
    curriculum = tmp_path / "solo"
    shutil.copytree(TESTS_THAT_LIE, curriculum / "tests-that-lie")
    (curriculum / "curriculum.toml").write_text('title = "Solo"\nlessons = ["tests-that-lie"]\n', encoding="utf-8")
    (tutor_home / "config.toml").write_text(f'curricula = ["{curriculum.as_posix()}"]\n', encoding="utf-8")
    add_attempt(curriculum / "tests-that-lie", cursor=2)
    with open_progress(progress_dir()) as store:
        key = "example-tests-that-lie/s4"
        store.save_card({"key": key, "lesson": "example-tests-that-lie", "step": "s4", "due": date.today().isoformat()})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, seen(app, "in progress"))
        text = squash(screen_text(app))
        assert "1 lesson · 1 review due" in text
        # the details pane is filled once the standings are read (in a worker): wait for it as a person would
        await wait_until(pilot, lambda: "1 attempt so far." in details(app), "the lesson's details")


# ---------------------------------------------------------------- the score card


async def test_next_lesson_from_the_score_card_then_the_last_one_says_so(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await play_to_the_last_step(pilot)
        # `n` to the score card, and `n` again the moment it appears: the next lesson, in curriculum.toml's order.
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.run.lesson.id == "example-scope-creep")
        await wait_until(pilot, seen(app, "While I'm in here"))
        await play_to_the_score_card(pilot)
        assert "Next lesson n" in squash(screen_text(app))
        await pilot.click("#next-lesson")  # the button does what `n` does
        await wait_until(pilot, seen(app, "That was the last lesson of Steering basics (example)"))
        assert "That was the last lesson of Steering basics (example): pick another in the library (escape)." in squash(dom_text(app))
        assert app.screen.run.lesson.id == "example-scope-creep"
        assert not app.screen.query_one("#next-lesson", Button).display
        assert app.focused is app.screen.query_one("#library", Button)  # the library is offered
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))


def card_with(asks: int, missed: int) -> ScoreCard:
    none = Tally(0, 0)
    return ScoreCard(
        asks=asks,
        answered=asks,
        skipped=0,
        overall=0.5,
        goal=none,
        outcome=Tally(asks - missed, asks),
        decision=none,
        category=none,
        key_points=none,
        choice=none,
        brier=None,
        calibration_n=0,
        missed=tuple(f"s{index}" for index in range(missed)),
    )


class CardApp(App[None]):
    def __init__(self, card: ScoreCard) -> None:
        super().__init__()
        self.card = card

    def compose(self) -> ComposeResult:
        yield ScoreCardView(self.card, "A lesson")


async def test_the_score_card_counts_in_good_english() -> None:
    for card, lines in (
        (card_with(1, 1), ["1 answered, 0 skipped of 1 question", "1 question you missed joins your review queue"]),
        (card_with(3, 2), ["3 answered, 0 skipped of 3 questions", "2 questions you missed join your review queue"]),
    ):
        app = CardApp(card)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, seen(app, "Score card: A lesson"))
            text = squash(screen_text(app))
            for line in lines:
                assert line in text
