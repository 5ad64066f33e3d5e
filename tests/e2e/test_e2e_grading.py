"""The learner's own check of a free-text answer, in a real terminal: reveal, mark each of the senior's points, move on."""

from __future__ import annotations

import pytest

from tests.helpers.lesson_walk import current_step, go_to_step, lessons, shown_step, start_afresh
from tests.helpers.tmux_driver import Tmux, flat
from tutor.lesson import Category

pytestmark = pytest.mark.e2e


def an_intervene_correction() -> tuple:
    """A bundled lesson, the number of its first intervene ask on a correction with key points, the senior's category, the point count."""
    for folder, data in lessons():
        for number, step in enumerate(data["steps"], 1):
            ask = step.get("ask") or {}
            if step["kind"] == "correction" and ask.get("type") == "intervene" and len(ask.get("key_points") or []) >= 2:
                return folder, number, step["category"], len(ask["key_points"])
    pytest.skip("no bundled intervene ask on a correction with key points")


def test_marking_each_point_sets_the_score_and_lets_the_learner_move_on(tmux: Tmux) -> None:
    folder, number, category, count = an_intervene_correction()
    start_afresh(tmux, folder)
    go_to_step(tmux, number)
    tmux.wait_answerable()
    tmux.press("Down", "Enter", "Tab")  # step in; on to the categories
    tmux.press(*["Down"] * list(Category).index(Category(category)), "Enter", "Tab")  # the senior's category
    tmux.type("Leave that alone: the fix belongs in the code, and say what you checked.")
    tmux.submit("Your own check", "mark the senior's points below")
    # n is held back until every point is marked (at the check, n means "no"): marks y, then p, the rest n.
    marks = ("y", "p") + ("n",) * (count - 2)
    tmux.press(*marks)
    tmux.wait_for("All marked", where="frame")
    tmux.press("Enter")
    score = 0.5 + 0.25 + 0.25 * 1.5 / count
    screen = tmux.wait_for(f"{score:.0%}", "your own check", where="frame")
    assert "The senior's points (your own check)" in flat(tmux.frame(screen))
    assert "(you said this)" in flat(screen) and "(partly)" in flat(screen)
    tmux.press_next()
    tmux.wait_until(lambda s: current_step(tmux) == number + 1, "the next step after the check")
    assert shown_step(tmux, tmux.screen()) in (None, number + 1)
