"""A learner's typing is never lost or misread, checked in a real terminal as a person types.

- `n` pressed the moment the lesson's title shows reaches the first step;
- a drafted answer survives going back and forth, and quitting and starting again;
- quitting with a draft on screen asks first;
- a word typed with focus anywhere in an answer form is the form's, never the app's keys;
- every option of a choice is on screen, whole, at 80x24.

The lessons are the bundled curriculum's, read from their lesson.json: nothing here is
tied to one lesson's wording.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.helpers.lesson_walk import current_step, first_lesson_with, go_to_step, lessons, shown_step, start_afresh
from tests.helpers.tmux_driver import Tmux, flat
from tutor.ui.widgets.prose import inline_markdown

pytestmark = pytest.mark.e2e

def test_n_pressed_as_soon_as_the_title_shows_reaches_the_first_step(tmux: Tmux) -> None:
    folder, data = lessons()[0]
    for attempt in range(5):
        shutil.rmtree(Path(tmux.env["TUTOR_HOME"]) / "progress", ignore_errors=True)
        tmux.start("learn", str(folder), width=120, height=40)
        # No settling: the key goes in the moment the title is drawn, as an eager person's would.
        deadline = time.monotonic() + 20
        while data["title"] not in tmux.screen():
            assert time.monotonic() < deadline, f"the title never showed:\n{tmux.screen()}"
        tmux._tmux("send-keys", "-t", "e2e", "n")  # noqa: SLF001 - a raw key, not waiting for the screen to settle
        tmux.wait_until(lambda s: current_step(tmux) == 1, f"step 1 after the early n (start {attempt + 1})")
        tmux.kill()


def test_a_draft_survives_back_and_next_and_a_quit_and_restart(tmux: Tmux) -> None:
    folder, _data, number = first_lesson_with("goal")
    draft = "Serve uploads from [/tmp]; keep dict[str, int] as is; quick check: pytest -q"
    tmux.start("learn", str(folder), width=120, height=40)
    tmux.wait_for("The task")
    go_to_step(tmux, number)
    tmux.wait_answerable()
    tmux.type(draft)
    # tab moves on within the form; single letters there are the form's, so p does not navigate.
    tmux.press("Tab", "p")
    assert shown_step(tmux, tmux.screen()) == number
    # escape leaves the form; then p goes back, n comes back to the question with the draft in it.
    tmux.press("Escape")
    tmux.wait_for("Out of the form", where="frame")
    tmux.press("p")
    tmux.wait_until(lambda s: shown_step(tmux, s) != number, "the step before the question")
    tmux.press("n")
    screen = tmux.wait_for(f"step {number} of", where="frame")
    tmux.wait_for(draft[-30:], where="frame")

    tmux.press("C-q")
    tmux.wait_for("Quit now?")
    tmux.press("y")
    assert tmux.wait_dead() == 0

    tmux.start("learn", str(folder), width=120, height=40)
    screen = tmux.wait_for(f"step {number} of", where="frame", timeout=20)
    assert draft[-30:] in flat(tmux.frame(screen)), screen


def test_quitting_with_a_draft_asks_and_n_stays(tmux: Tmux) -> None:
    folder, _data, number = first_lesson_with("intervene")
    tmux.start("learn", str(folder), width=120, height=40)
    tmux.wait_for("The task")
    go_to_step(tmux, number)
    tmux.wait_answerable()
    tmux.press("Down", "Enter")  # step in: a decision is a draft too
    for key in ("C-q", "q"):
        if key == "q":
            tmux.press("Escape")  # out of the form, where q is the app's quit key
            tmux.wait_for("Out of the form", where="frame")
        tmux.press(key)
        tmux.wait_for("Quit now?")
        tmux.press("n")
        tmux.wait_gone("Quit now?")
        assert not tmux.dead()
        assert shown_step(tmux, tmux.screen()) == number


# The tab stops of each form, from its first field: its fields, the confidence, Submit and Skip.
# One more tab leaves the form, where single letters are the app's keys again.
FORM_TAB_STOPS = {"intervene": 5, "goal": 3, "outcome": 3, "choice": 3}  # the fields, how sure, submit and skip


# One test per form, so that they run side by side (one test walking the four ran for 26 s).
@pytest.mark.parametrize("ask_type", list(FORM_TAB_STOPS))
def test_a_word_with_q_typed_anywhere_in_an_answer_form_never_quits(tmux: Tmux, ask_type: str) -> None:
    folder, _data, number = first_lesson_with(ask_type)
    start_afresh(tmux, folder)
    go_to_step(tmux, number)
    tmux.wait_answerable()
    timeline = tmux.timeline()
    for stop in range(FORM_TAB_STOPS[ask_type]):
        tmux._tmux("send-keys", "-t", "e2e", "-l", "quip")  # noqa: SLF001 - typed as a burst, as a person types
        tmux.settle()
        assert not tmux.dead(), f"{ask_type} form, tab stop {stop}: typing 'quip' ended the app"
        screen = tmux.screen()
        # The question may be scrolled out of view; a move would show another step's title (p), the
        # code browser (i), or change the timeline (n, after a reveal).
        assert shown_step(tmux, screen) in (None, number), f"{ask_type} form, tab stop {stop}: the keys navigated:\n{screen}"
        assert "Investigate ·" not in screen, f"{ask_type} form, tab stop {stop}: i opened investigate"
        assert tmux.timeline(screen) == timeline, f"{ask_type} form, tab stop {stop}: the timeline changed:\n{screen}"
        if stop < FORM_TAB_STOPS[ask_type] - 1:
            tmux.press("Tab")
    tmux.press("Escape")
    tmux.wait_for("Out of the form")
    tmux.press("p")
    tmux.wait_until(lambda s, n=number: shown_step(tmux, s) != n, "the frame before, after escape and p (the keys act again)")


def _choice_asks() -> list:
    """Each choice question of the bundled curriculum: its lesson's folder, its step's number, the ask."""
    return [pytest.param(folder, index + 1, step["ask"], id=f"{folder.name}-step-{index + 1}")
            for folder, data in lessons() for index, step in enumerate(data["steps"]) if (step.get("ask") or {}).get("type") == "choice"]


# One test per question, so that they run side by side (one test walking them all ran for 40 s).
@pytest.mark.parametrize(("folder", "number", "ask"), _choice_asks())
def test_every_choice_option_is_whole_on_screen_at_80x24(tmux: Tmux, folder: Path, number: int, ask: dict) -> None:
    start_afresh(tmux, folder, width=80, height=24)
    go_to_step(tmux, number)
    tmux.wait_answerable()
    screen = flat(tmux.frame(tmux.screen()))
    for option_number, option in enumerate(ask["options"], start=1):
        shown = inline_markdown(f"{option_number}. {option}").plain  # an option is a line of lesson Markdown
        assert " ".join(shown.split()) in screen, f"{folder.name} step {number}: option {option_number} is not whole on screen:\n{tmux.screen()}"
    footer = tmux.screen().rstrip("\n").split("\n")[-1]
    assert "Quit" in footer and "Keys" in footer, f"the footer is cut at 80 columns: {footer!r}"
