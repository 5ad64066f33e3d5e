"""A bundled lesson from its task to the score card, past its first command output, in a real terminal.

Revealing the first output once ended `tutor learn` on Python 3.12 and 3.13 (text written to
a Log before it was mounted), and reopening the lesson ended it again at once; `.ci/run` runs
this file on every supported Python.
"""

from __future__ import annotations

import pytest

from tests.helpers.lesson_walk import at_question, current_step, go_to_step, lessons, start_afresh
from tests.helpers.tmux_driver import Tmux

pytestmark = pytest.mark.e2e


def first_output() -> tuple:
    """The first bundled lesson (in curriculum order) with a command's output, that step's number, and a line of it."""
    for folder, data in lessons():
        for index, step in enumerate(data["steps"]):
            if step["kind"] == "result" and not step.get("hidden"):
                line = next((line.strip() for line in (step.get("output") or "").splitlines() if len(line.strip()) >= 8), None)
                if line:
                    return folder, data, index + 1, line[:40]
    pytest.skip("no bundled lesson shows a command's output")


def test_a_bundled_lesson_past_its_first_output_to_the_score_card_and_reopened(tmux: Tmux) -> None:
    folder, data, number, line = first_output()
    start_afresh(tmux, folder)
    go_to_step(tmux, number)
    if at_question(tmux):
        tmux.wait_answerable()
        tmux.press("C-g")
    tmux.wait_for(line, where="frame")

    # Leave and come back: the lesson reopens at that step, its output drawn again.
    tmux.press("q")
    assert tmux.wait_dead() == 0
    tmux.start("learn", str(folder), width=120, height=40)
    tmux.wait_for(line, where="frame", timeout=20)

    total = len([step for step in data["steps"] if not step.get("hidden")])
    for _ in range(total + 1):
        if "Score card" in tmux.screen():
            break
        if at_question(tmux):
            tmux.wait_answerable()
            tmux.press("C-g")
            tmux.wait_until(lambda s: not at_question(tmux), "the skipped step revealed")
        step = current_step(tmux)
        tmux.press_next()
        tmux.wait_until(lambda s, before=step: "Score card" in s or current_step(tmux) > before, f"the step after {step}")
    screen = tmux.wait_for("Score card", "Overall")
    assert not tmux.dead(), screen
