"""The learner's whole flow through the real app, driven by Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import RadioSet, TextArea

from support import EXAMPLE_CURRICULUM
from tutor.cli import make_app
from tutor.paths import progress_dir
from tutor.store import open_progress
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.screens.review import ReviewScreen
from ui_support import dom_text, screen_text, squash, use_example_library

TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"
SCOPE_CREEP = EXAMPLE_CURRICULUM / "scope-creep"
SIZE = (120, 50)


def frame(app):
    return app.screen._view.frame  # noqa: SLF001


def cursor(app) -> int:
    return app.screen._view.cursor  # noqa: SLF001


async def choose(pilot, radio_id: str, index: int) -> None:
    radio = pilot.app.screen.query_one(f"#{radio_id}", RadioSet)
    radio.focus()
    await pilot.pause()
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")


async def type_text(pilot, text: str) -> None:
    """Type into the focused text field: the first keys for real, the rest inserted (Pilot types slowly)."""
    await pilot.press(*text[:3])
    focused = pilot.app.focused
    assert isinstance(focused, TextArea), f"expected a text field to have focus, not {focused!r}"
    focused.insert(text[3:])
    await pilot.pause()


async def next_until_ask(pilot) -> None:
    app = pilot.app
    while not app.screen._view.awaiting_answer and app.screen._view.can_next:  # noqa: SLF001
        await pilot.press("n")
        await pilot.pause()


async def test_goal_is_answered_then_revealed_and_n_works_at_once() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert "The task" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.focused, TextArea), "the answer field takes focus"
        assert "Set the goal" in screen_text(app)
        await type_text(pilot, "Fix invoice_total in totals.py so the coupon test passes; do not edit tests.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = squash(screen_text(app))
        assert "Your goal" in text and "Goal score" in text
        assert "Make test_coupon_never_makes_total_negative pass" in text  # the senior's goal, revealed
        assert not isinstance(app.focused, TextArea), "focus leaves the answer field after submitting"
        before = cursor(app)
        await pilot.press("n")
        await pilot.pause()
        assert cursor(app) == before + 1


async def test_every_ask_type_answered_through_the_widgets() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # goal
        await next_until_ask(pilot)
        await type_text(pilot, "Make the coupon test pass without editing tests; done when pytest -q is green.")
        await pilot.press("3")  # typed into the text area, not a confidence key
        await pilot.press("ctrl+s")
        await pilot.pause()
        # outcome (step 4): it fails
        await next_until_ask(pilot)
        assert frame(app).ask_type.value == "outcome"
        await choose(pilot, "outcome", 1)
        await pilot.press("3")  # high confidence: the RadioSet has focus, not a text field
        await pilot.press("ctrl+s")
        await pilot.pause()
        grade = app.screen.run.replay.grade_of("s4")
        assert grade.correct and grade.confidence.value == "high"
        # intervene on a correction (step 6): step in, category test, say why
        await next_until_ask(pilot)
        assert frame(app).ask_type.value == "intervene"
        assert "The agent proposes" in screen_text(app)
        await choose(pilot, "decision", 1)
        await choose(pilot, "category", 4)  # goal, scope, approach, verify, test
        app.screen.query_one("#say", TextArea).focus()
        await type_text(pilot, "Stop: the test encodes the requirement, fix the code not the test")
        await pilot.press("ctrl+s")
        await pilot.pause()
        grade = app.screen.run.replay.grade_of("s6")
        assert grade.decision_correct and grade.category_correct
        assert grade.key_points_covered
        text = squash(screen_text(app))
        assert "The senior stepped in" in text and "Key points" in text
        # intervene on a result (step 8): let it run
        await next_until_ask(pilot)
        await choose(pilot, "decision", 0)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.run.replay.grade_of("s8").correct
        # outcome (step 10): it works
        await next_until_ask(pilot)
        await choose(pilot, "outcome", 0)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.run.replay.grade_of("s10").correct
        # choice (step 11): option 1 is right
        await next_until_ask(pilot)
        assert frame(app).ask_type.value == "choice"
        await choose(pilot, "choice", 0)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.run.replay.grade_of("s11").correct
        await pilot.press("n")
        await pilot.pause()
        text = squash(screen_text(app))
        assert "Score card" in text and "Overall" in text and "Calibration" in text


async def test_every_ask_type_can_be_skipped_even_while_typing() -> None:
    app = make_app(lesson=SCOPE_CREEP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen = set()
        while app.screen._view.frame.__class__.__name__ != "EndFrame":  # noqa: SLF001
            await next_until_ask(pilot)
            if not app.screen._view.awaiting_answer:  # noqa: SLF001
                break
            kind = frame(app).ask_type.value
            seen.add(kind)
            if kind == "goal":
                await pilot.press(*"half a thought")
                assert isinstance(app.focused, TextArea)
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert not app.screen._view.awaiting_answer  # noqa: SLF001
            assert not isinstance(app.focused, TextArea)
        await pilot.press("n")
        await pilot.pause()
        assert seen == {"goal", "intervene", "choice", "outcome"}
        card = app.screen.run.replay.score_card()
        assert card.skipped == card.asks and card.overall == 0


async def test_submit_without_an_answer_says_what_is_missing() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "ctrl+s")
        await pilot.pause()
        assert app.screen._view.awaiting_answer  # noqa: SLF001
        assert any("Write the goal" in str(n.message) for n in app._notifications)  # noqa: SLF001


async def test_next_is_refused_at_an_open_question_and_back_and_arrows_move() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert cursor(app) == 1 and app.screen._view.awaiting_answer  # noqa: SLF001
        app.screen.query_one("#frame").focus()
        await pilot.press("n")
        await pilot.pause()
        assert cursor(app) == 1, "an open question blocks the way"
        await pilot.press("ctrl+g", "n", "n")
        await pilot.pause()
        assert cursor(app) == 3
        await pilot.press("p")
        await pilot.pause()
        assert cursor(app) == 2
        await pilot.press("left")
        await pilot.pause()
        assert cursor(app) == 1
        assert "Skipped" in screen_text(app)  # the earlier reveal, with its grade


async def test_progress_survives_quitting_midway(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Fix the bug; do not edit tests; pytest -q green.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await next_until_ask(pilot)
        await choose(pilot, "outcome", 1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        where = cursor(app)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0

    again = make_app(lesson=TESTS_THAT_LIE)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cursor(again) == where
        replay = again.screen.run.replay
        assert replay.grade_of("s1") is not None and replay.grade_of("s4").correct
        assert "Goal [" in screen_text(again)  # the timeline shows the earlier answer's grade


async def test_retry_starts_a_new_attempt(tutor_home: Path) -> None:
    app = make_app(lesson=SCOPE_CREEP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        while not app.screen._view.finished:  # noqa: SLF001
            await next_until_ask(pilot)
            if app.screen._view.awaiting_answer:  # noqa: SLF001
                await pilot.press("ctrl+g")
                await pilot.pause()
            else:
                await pilot.press("n")
                await pilot.pause()
        assert "Score card" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert cursor(app) == 0 and not app.screen._view.finished  # noqa: SLF001
    with open_progress(progress_dir()) as store:
        attempts = store.attempts("example-scope-creep")
        assert len(attempts) == 2
        assert attempts[0].finished and not attempts[1].finished
        assert len(store.cards()) == 5  # every skipped ask joined the review queue


async def test_review_queue_asks_again_and_reschedules(tutor_home: Path) -> None:
    from datetime import date

    use_example_library(tutor_home)
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        while not app.screen._view.finished:  # noqa: SLF001
            await next_until_ask(pilot)
            await pilot.press("ctrl+g" if app.screen._view.awaiting_answer else "n")  # noqa: SLF001
            await pilot.pause()
    with open_progress(progress_dir()) as store:
        cards = store.cards()
        assert {card["step"] for card in cards} == {"s1", "s4", "s6", "s8", "s10", "s11"}
        for card in cards:  # make them due now
            store.save_card({**card, "due": date.today().isoformat()})

    review = make_app(review=True)
    async with review.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(review.screen, ReviewScreen)
        assert "Review 1 of 6" in review.screen.sub_title
        assert review.screen._view.awaiting_answer  # noqa: SLF001
        await type_text(pilot, "Fix the coupon code in totals.py; do not edit tests; done when pytest -q passes.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Goal score" in squash(screen_text(review))
        await pilot.press("n")
        await pilot.pause()
        assert "Review 2 of 6" in review.screen.sub_title
        for _ in range(5):
            await pilot.press("ctrl+g")
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
        assert "Review done" in screen_text(review)
    with open_progress(progress_dir()) as store:
        due = {card["step"]: card["due"] for card in store.cards()}
        assert all(day > date.today().isoformat() for day in due.values())


async def test_library_lists_lessons_and_opens_and_continues(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        text = screen_text(app)
        assert "Steering basics (example)" in text
        assert "Tests that lie" in text and "scripted" in text and "new" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("n", "ctrl+g", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert "in progress" in screen_text(app)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and cursor(app) == 1


async def test_a_broken_lesson_is_listed_with_its_reason(tmp_path: Path, tutor_home: Path) -> None:
    import shutil

    curriculum = tmp_path / "mine"
    shutil.copytree(EXAMPLE_CURRICULUM, curriculum)
    (curriculum / "scope-creep" / "lesson.json").write_text('{"format": "tutor.lesson/1", "id": "example-scope-creep"}')
    (tutor_home / "config.toml").write_text(f'curricula = ["{curriculum.as_posix()}"]\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        entry = app.screen.library.find("mine/scope-creep")
        assert entry.state == "broken" and "missing field" in entry.problem
        table = app.screen.query_one("#lessons")
        table.move_cursor(row=table.get_row_index("mine/scope-creep"))
        await pilot.pause()
        text = screen_text(app)
        assert "scope-creep  missing field" in text and "broken" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen), "a broken lesson does not open"


async def test_keys_q_quits_only_outside_text_fields_and_help_shows() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "ctrl+g" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n", "q")
        await pilot.pause()
        assert app.is_running and app.screen.query_one("#goal-text", TextArea).text == "q"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


async def test_command_palette_opens_lessons_and_runs_screen_actions(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Next")
        await pilot.pause(0.5)
        assert "Next" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert cursor(app) == 1
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"here")
        await pilot.pause(0.8)
        assert "Open lesson: While I'm in here" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen.run.lesson.id == "example-scope-creep"


async def test_theme_choice_is_remembered(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = "nord"
        await pilot.pause()
    assert 'theme = "nord"' in (tutor_home / "config.toml").read_text()
    again = make_app(lesson=TESTS_THAT_LIE)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_readable_at_small_and_large_sizes(size: tuple[int, int]) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        text = screen_text(app)
        assert "Set the goal" in text and "^s Submit" in text
