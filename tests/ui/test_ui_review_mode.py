"""Review mode as the learner meets it: each card shows its own lesson's steps, and `p`/`n` move freely within a card."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tutor.cli import make_app
from tutor.paths import progress_dir
from tutor.store import open_progress
from tutor.ui.screens.review import ReviewScreen
from tutor.ui.widgets.timeline import Timeline
from tests.helpers.ui_support import screen_text, squash, use_example_library, wait_until

SIZE = (120, 50)


def due_today(*keys: tuple[str, str]) -> None:
    """Put review cards for (lesson id, step id) in the queue, due today."""
    today = date.today().isoformat()
    with open_progress(progress_dir()) as store:
        for lesson_id, step_id in keys:
            store.save_card({"key": f"{lesson_id}/{step_id}", "lesson": lesson_id, "step": step_id, "due": today})


def timeline_text(app) -> str:  # noqa: ANN001
    """Every line of the timeline, scrolled into view or not."""
    return "\n".join(str(shown.text) for shown in app.screen.query_one(Timeline).lines)


def view(app):  # noqa: ANN001, ANN201
    return app.screen._view  # noqa: SLF001


async def test_the_timeline_shows_only_the_current_cards_lesson_steps(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    # Ordered by key: scope-creep's intervene at step 10 first, then tests-that-lie's outcome at step 4.
    due_today(("example-scope-creep", "s10"), ("example-tests-that-lie", "s4"))
    app = make_app(review=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and view(app) is not None)
        assert "Review 1 of 2" in app.screen.sub_title
        assert "Fix #212" in timeline_text(app)  # scope-creep's goal, revealed as context
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: not view(app).awaiting_answer)
        await pilot.press("n")
        await wait_until(pilot, lambda: "Review 2 of 2" in app.screen.sub_title and view(app).awaiting_answer)
        shown = timeline_text(app)
        assert "Make test_coupon_never_makes_total_negative pass" in shown  # tests-that-lie's goal
        assert "Fix #212" not in shown, "the previous card's steps are gone from the timeline"
        assert "blogkit" not in squash(screen_text(app))
        # Exactly the task, this card's three context steps, and the hidden question.
        assert len(app.screen.query_one(Timeline).lines) == 1 + 3 + 1


async def test_back_then_next_returns_to_the_question_and_then_to_the_next_card(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    due_today(("example-tests-that-lie", "s4"), ("example-tests-that-lie", "s6"))
    app = make_app(review=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and view(app) is not None)
        question = view(app).cursor
        assert view(app).awaiting_answer
        # Back from the open question to re-read the context (escape leaves the form), then forward to it again.
        await pilot.press("escape", "p")
        await wait_until(pilot, lambda: view(app).cursor == question - 1 and f"step {question - 1} of {question}" in screen_text(app))
        assert view(app).can_next and "n: next step" in screen_text(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: "Will it pass?" in squash(screen_text(app)))
        assert view(app).cursor == question and view(app).awaiting_answer
        # Answered: back to the step before, forward to the revealed step, then on to the next card.
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: not view(app).awaiting_answer)
        await pilot.press("p")
        await wait_until(pilot, lambda: view(app).cursor == question - 1)
        await pilot.press("n")
        await wait_until(pilot, lambda: view(app).cursor == question)
        assert "Review 1 of 2" in app.screen.sub_title and not view(app).awaiting_answer
        await pilot.press("n")
        await wait_until(pilot, lambda: "Review 2 of 2" in app.screen.sub_title)
        assert view(app).awaiting_answer


async def test_a_card_left_out_is_counted_in_good_english(tutor_home: Path) -> None:
    use_example_library(tutor_home)
    due_today(("a-lesson-that-is-gone", "s1"))
    app = make_app(review=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "left out" in screen_text(app))
        text = squash(screen_text(app))
        assert "1 card was left out: its lesson or question no longer exists." in text


async def test_a_draft_typed_on_a_card_survives_back_and_next(tutor_home: Path) -> None:
    from textual.widgets import TextArea

    use_example_library(tutor_home)
    due_today(("example-tests-that-lie", "s1"))
    app = make_app(review=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and isinstance(app.focused, TextArea))
        await pilot.press(*"Fix it")
        await wait_until(pilot, lambda: app.focused.text == "Fix it")
        await pilot.press("escape")  # out of the form: single letters move again
        await pilot.press("p")
        await wait_until(pilot, lambda: view(app).cursor == 0 and "The task" in screen_text(app))
        await pilot.press("n")
        await wait_until(pilot, lambda: view(app).awaiting_answer and bool(app.screen.query("#goal-text")))
        assert app.screen.query_one("#goal-text", TextArea).text == "Fix it"
        assert "Fix it" in screen_text(app)
