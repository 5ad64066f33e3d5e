"""The learner's whole flow through the real app, driven by Textual's Pilot.

Every key is followed by a wait on what it must bring about (a frame, a focus, a text on
screen), never by a fixed pause: under load a single `pilot.pause()` does not guarantee a
new frame has been drawn.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, RadioSet, TextArea

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.cli import make_app
from tutor.paths import progress_dir
from tutor.store import open_progress
from tutor.ui.screens.confirm import Confirm
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.screens.review import ReviewScreen
from tutor.ui.widgets.ask_panel import AskPanel
from tests.helpers.ui_support import (
    check_points,
    player_view,
    screen_text,
    squash,
    step_on,
    use_example_library,
    wait_for_text,
    wait_for_view,
    wait_until,
)

TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"
SCOPE_CREEP = EXAMPLE_CURRICULUM / "scope-creep"
SIZE = (120, 50)


def frame(app):
    return app.screen._view.frame  # noqa: SLF001


def cursor(app) -> int:
    return app.screen._view.cursor  # noqa: SLF001


def in_answer_form(app) -> bool:
    focused = app.focused
    return focused is not None and any(isinstance(node, AskPanel) for node in focused.ancestors)


async def at_question(pilot, number: int | None = None):
    """Wait until a question is open (step `number`, if given) and its form has the focus."""
    what = f"the question of step {number}" if number else "an open question"
    view = await wait_for_view(pilot, what, lambda view: view.awaiting_answer and (number is None or view.cursor == number))
    await wait_until(pilot, lambda: in_answer_form(pilot.app), f"{what}: its answer field to take focus")
    return view


async def answered(pilot):
    """Wait until the open question has been answered (or skipped) and its step revealed."""
    return await wait_for_view(pilot, "the step revealed", lambda view: not view.awaiting_answer)


async def focus(pilot, widget) -> None:
    widget.focus()
    await wait_until(pilot, lambda: widget.has_focus, f"{widget!r} to take focus")


async def choose(pilot, radio_id: str, index: int) -> None:
    radio = pilot.app.screen.query_one(f"#{radio_id}", RadioSet)
    await focus(pilot, radio)
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_until(pilot, lambda: radio.pressed_index == index, f"option {index} of #{radio_id} to be chosen")


async def type_text(pilot, text: str) -> None:
    """Type into the focused text field: the first keys for real, the rest inserted (Pilot types slowly)."""
    focused = pilot.app.focused
    assert isinstance(focused, TextArea), f"expected a text field to have focus, not {focused!r}"
    before = focused.text
    await pilot.press(*text[:3])
    await wait_until(pilot, lambda: focused.text == before + text[:3], f"{text[:3]!r} typed into the field")
    focused.insert(text[3:])


async def next_until_ask(pilot) -> None:
    """Go on (n) until a question is open, or to the end."""
    view = await wait_for_view(pilot, "the lesson's frame")
    while not view.awaiting_answer and view.can_next:
        view = await step_on(pilot)
    if view.awaiting_answer:
        await at_question(pilot, view.cursor)


async def to_the_end(pilot) -> None:
    """Skip every question and go on, until the score card."""
    view = await wait_for_view(pilot, "the lesson's frame")
    while not view.finished:
        view = await step_on(pilot)


async def test_goal_is_answered_then_revealed_and_n_works_at_once() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
        assert isinstance(app.screen, LessonScreen)
        await wait_for_text(pilot, "The task")
        await pilot.press("n")
        await at_question(pilot, 1)
        assert isinstance(app.focused, TextArea), "the answer field takes focus"
        await wait_for_text(pilot, "Set the goal")
        await type_text(pilot, "Fix invoice_total in totals.py so the coupon test passes; do not edit tests.")
        await pilot.press("ctrl+s")
        await answered(pilot)
        text = squash(await wait_for_text(pilot, "Your goal", "Goal score pending"))
        assert "Make test_coupon_never_makes_total_negative pass" in text  # the senior's goal, revealed
        # Before moving on the learner marks each of the senior's criteria: n is held back till then.
        await check_points(pilot, "yn")  # the first criterion said, the others not
        await wait_for_text(pilot, "Goal score 33%", "your own check")
        await wait_until(pilot, lambda: app.focused is not None and not isinstance(app.focused, TextArea), "focus to leave the answer field after submitting")
        before = cursor(app)
        await pilot.press("n")
        await wait_for_view(pilot, "the next step", lambda view: view.cursor == before + 1)


async def test_every_ask_type_answered_through_the_widgets() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        # goal
        await next_until_ask(pilot)
        await type_text(pilot, "Make the coupon test pass without editing tests; done when pytest -q is green.")
        await pilot.press("3")  # typed into the text area, not a confidence key
        await wait_until(pilot, lambda: app.focused.text.endswith("green.3"), "the 3 typed into the goal")
        await pilot.press("ctrl+s")
        await answered(pilot)
        await check_points(pilot, "yp")
        # outcome (step 4): it fails
        await next_until_ask(pilot)
        assert frame(app).ask_type.value == "outcome"
        await choose(pilot, "outcome", 1)
        await pilot.press("3")  # high confidence: the RadioSet has focus, not a text field
        await pilot.press("ctrl+s")
        await answered(pilot)
        grade = app.screen.run.replay.grade_of("s4")
        assert grade.correct and grade.confidence.value == "high"
        # intervene on a correction (step 6): step in, category test, say why
        await next_until_ask(pilot)
        assert frame(app).ask_type.value == "intervene"
        await wait_for_text(pilot, "The agent proposes")
        await choose(pilot, "decision", 1)
        await choose(pilot, "category", 4)  # goal, scope, approach, verify, test
        await focus(pilot, app.screen.query_one("#say", TextArea))
        await type_text(pilot, "Stop: the test encodes the requirement, fix the code not the test")
        await pilot.press("ctrl+s")
        await answered(pilot)
        assert app.screen.run.replay.grade_of("s6").pending
        await check_points(pilot, "yyn")
        grade = app.screen.run.replay.grade_of("s6")
        assert grade.decision_correct and grade.category_correct and not grade.pending
        assert grade.key_points_covered
        await wait_for_text(pilot, "The senior stepped in", "The senior's points (your own check)")
        # intervene on a result (step 8): let it run
        await next_until_ask(pilot)
        await choose(pilot, "decision", 0)
        await pilot.press("ctrl+s")
        await answered(pilot)
        assert app.screen.run.replay.grade_of("s8").correct
        # outcome (step 10): it works
        await next_until_ask(pilot)
        await choose(pilot, "outcome", 0)
        await pilot.press("ctrl+s")
        await answered(pilot)
        assert app.screen.run.replay.grade_of("s10").correct
        # choice (step 11): option 1 is right
        await next_until_ask(pilot)
        assert frame(app).ask_type.value == "choice"
        await choose(pilot, "choice", 0)
        await pilot.press("ctrl+s")
        await answered(pilot)
        assert app.screen.run.replay.grade_of("s11").correct
        await pilot.press("n")
        await wait_for_view(pilot, "the score card", lambda view: view.finished)
        await wait_for_text(pilot, "Score card", "Overall", "Calibration")


async def test_every_ask_type_can_be_skipped_even_while_typing() -> None:
    app = make_app(lesson=SCOPE_CREEP)
    async with app.run_test(size=SIZE) as pilot:
        seen = set()
        await next_until_ask(pilot)
        while app.screen._view.awaiting_answer:  # noqa: SLF001
            kind = frame(app).ask_type.value
            seen.add(kind)
            if kind == "goal":
                await pilot.press(*"half a thought")
                assert isinstance(app.focused, TextArea)
                await wait_until(pilot, lambda: app.focused.text == "half a thought", "the half thought typed")
            await pilot.press("ctrl+g")
            await answered(pilot)
            await wait_until(pilot, lambda: app.focused is not None and not isinstance(app.focused, TextArea), "focus to leave the answer field")
            await next_until_ask(pilot)
        await wait_for_view(pilot, "the score card", lambda view: view.finished)
        assert seen == {"goal", "intervene", "choice", "outcome"}
        card = app.screen.run.replay.score_card()
        assert card.skipped == card.asks and card.overall == 0


async def test_submit_without_an_answer_says_what_is_missing() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_lesson(pilot)
        await pilot.press("n", "ctrl+s")
        await wait_until(pilot, lambda: any("Write the goal" in str(n.message) for n in app._notifications), "the note of what is missing")  # noqa: SLF001
        assert app.screen._view.awaiting_answer  # noqa: SLF001


async def test_next_is_refused_at_an_open_question_and_back_and_arrows_move() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
        await pilot.press("right")
        await at_question(pilot, 1)
        await focus(pilot, app.screen.query_one("#frame"))
        await pilot.press("n")
        await wait_until(pilot, lambda: any("Answer first" in str(n.message) for n in app._notifications), "n to be refused with a note")  # noqa: SLF001
        assert cursor(app) == 1, "an open question blocks the way"
        await pilot.press("ctrl+g", "n", "n")
        await wait_for_view(pilot, "step 3", lambda view: view.cursor == 3)
        await pilot.press("p")
        await wait_for_view(pilot, "back at step 2", lambda view: view.cursor == 2)
        await pilot.press("left")
        await wait_for_view(pilot, "back at step 1", lambda view: view.cursor == 1)
        await wait_for_text(pilot, "Skipped")  # the earlier reveal, with its grade


async def test_progress_survives_quitting_midway(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await next_until_ask(pilot)
        await type_text(pilot, "Fix the bug; do not edit tests; pytest -q green.")
        await pilot.press("ctrl+s")
        await answered(pilot)
        await check_points(pilot, "p")
        await next_until_ask(pilot)
        await choose(pilot, "outcome", 1)
        await pilot.press("ctrl+s")
        await answered(pilot)
        where = (await step_on(pilot)).cursor
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code is not None, "q to quit")
    assert app.return_code == 0

    again = make_app(lesson=TESTS_THAT_LIE)
    async with again.run_test(size=SIZE) as pilot:
        view = await wait_for_view(pilot, "the resumed lesson")
        assert view.cursor == where
        replay = again.screen.run.replay
        assert replay.grade_of("s1") is not None and replay.grade_of("s4").correct
        await wait_for_text(pilot, "Goal [")  # the timeline shows the earlier answer's grade


async def test_retry_starts_a_new_attempt(tutor_home: Path) -> None:
    app = make_app(lesson=SCOPE_CREEP)
    async with app.run_test(size=SIZE) as pilot:
        await to_the_end(pilot)
        await wait_for_text(pilot, "Score card")
        await pilot.press("r")
        await wait_for_view(pilot, "a new attempt at the task", lambda view: view.cursor == 0 and not view.finished)
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
        await to_the_end(pilot)
    with open_progress(progress_dir()) as store:
        cards = store.cards()
        assert {card["step"] for card in cards} == {"s1", "s4", "s6", "s8", "s10", "s11"}
        for card in cards:  # make them due now
            store.save_card({**card, "due": date.today().isoformat()})

    review = make_app(review=True)
    async with review.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        assert isinstance(review.screen, ReviewScreen)
        assert "Review 1 of 6" in review.screen.sub_title
        await type_text(pilot, "Fix the coupon code in totals.py; do not edit tests; done when pytest -q passes.")
        await pilot.press("ctrl+s")
        await answered(pilot)
        await check_points(pilot, "y")
        await wait_for_text(pilot, "Goal score 100%")
        for number in range(2, 7):
            await pilot.press("n")
            await wait_until(pilot, lambda number=number: f"Review {number} of 6" in review.screen.sub_title, f"review card {number}")
            await at_question(pilot)
            await pilot.press("ctrl+g")
            await answered(pilot)
        await pilot.press("n")
        await wait_for_text(pilot, "Review done")
    with open_progress(progress_dir()) as store:
        due = {card["step"]: card["due"] for card in store.cards()}
        assert all(day > date.today().isoformat() for day in due.values())


async def test_library_lists_lessons_and_opens_and_continues(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.library is not None, "the library to load")
        text = await wait_for_text(pilot, "Steering basics (example)", "Tests that lie")
        assert "scripted" in text and "new" in text
        await pilot.press("enter")
        await wait_for_view(pilot, "the lesson opened from the library")
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("n", "ctrl+g", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "back in the library")
        await wait_for_text(pilot, "in progress")
        await pilot.press("c")
        await wait_for_view(pilot, "the lesson continued where it was left", lambda view: view.cursor == 1)
        assert isinstance(app.screen, LessonScreen)


async def test_a_broken_lesson_is_listed_with_its_reason(tmp_path: Path, tutor_home: Path) -> None:
    import shutil

    curriculum = tmp_path / "mine"
    shutil.copytree(EXAMPLE_CURRICULUM, curriculum)
    (curriculum / "scope-creep" / "lesson.json").write_text('{"format": "tutor.lesson/1", "id": "example-scope-creep"}')
    (tutor_home / "config.toml").write_text(f'curricula = ["{curriculum.as_posix()}"]\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.library is not None, "the library to load")
        entry = app.screen.library.find("mine/scope-creep")
        assert entry.state == "broken" and "missing field" in entry.problem
        table = app.screen.query_one("#lessons")
        table.move_cursor(row=table.row_index("mine/scope-creep"))
        await wait_until(pilot, lambda: "scope-creep  missing field" in screen_text(app) and "broken" in screen_text(app), "the broken lesson and its reason on screen")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("is broken" in str(n.message) for n in app._notifications), "enter on a broken lesson to say why")  # noqa: SLF001
        assert isinstance(app.screen, LibraryScreen), "a broken lesson does not open"


async def test_keys_q_quits_only_outside_text_fields_and_help_shows() -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        lesson = await wait_until_lesson(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        await wait_for_text(pilot, "ctrl+g")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is lesson, "back from the help")
        await pilot.press("n", "q")
        await at_question(pilot, 1)
        field = app.screen.query_one("#goal-text", TextArea)
        await wait_until(pilot, lambda: field.text == "q", "the q typed into the goal")
        assert app.is_running and app.return_code is None
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "ctrl+q to ask first: the goal has a draft")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_code is not None, "y to quit")
    assert app.return_code == 0


async def wait_until_lesson(pilot) -> LessonScreen:
    await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
    assert isinstance(pilot.app.screen, LessonScreen)
    return pilot.app.screen


async def run_from_palette(pilot, query: str, wanted: str) -> None:
    """Open the command palette, type `query`, wait until `wanted` is the highlighted result, and run it."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
    palette = app.screen
    await pilot.press(*query)

    def ready() -> bool:
        if palette.query_one(Input).value != query:
            return False
        if any(worker.group == palette._GATHER_COMMANDS_GROUP and not worker.is_finished for worker in app.workers):  # noqa: SLF001
            return False  # still searching: the order may change
        results = palette.query_one(CommandList)
        return results.highlighted is not None and wanted in str(results.get_option_at_index(results.highlighted).prompt)

    await wait_until(pilot, ready, f"{wanted!r} highlighted in the palette for {query!r}")
    await pilot.press("enter")


async def test_command_palette_opens_lessons_and_runs_screen_actions(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_lesson(pilot)
        await run_from_palette(pilot, "Next", "Next")
        await wait_for_view(pilot, "step 1, from the palette's Next", lambda view: view.cursor == 1)
        await pilot.press("ctrl+g")
        await answered(pilot)
        await run_from_palette(pilot, "here", "Open lesson: While I'm in here")
        await wait_until(
            pilot,
            lambda: player_view(app) is not None and app.screen.run.lesson.id == "example-scope-creep",
            "the lesson opened from the palette",
        )


async def test_theme_choice_is_remembered(tutor_home: Path) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_lesson(pilot)
        app.theme = "nord"
        config = tutor_home / "config.toml"
        await wait_until(pilot, lambda: config.exists() and 'theme = "nord"' in config.read_text(), "the theme saved in config.toml")
    again = make_app(lesson=TESTS_THAT_LIE)
    async with again.run_test(size=SIZE) as pilot:
        await wait_until_lesson(pilot)
        assert again.theme == "nord"


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_readable_at_small_and_large_sizes(size: tuple[int, int]) -> None:
    app = make_app(lesson=TESTS_THAT_LIE)
    async with app.run_test(size=size) as pilot:
        await wait_until_lesson(pilot)
        await pilot.press("n")
        await at_question(pilot, 1)
        await wait_for_text(pilot, "Set the goal", "^s Submit")
