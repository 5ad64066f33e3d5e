"""A lesson from the first key to the score card, and a lesson left and resumed, in a real terminal."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.tmux_driver import Tmux, flat

pytestmark = pytest.mark.e2e

TESTS_THAT_LIE = EXAMPLE_CURRICULUM / "tests-that-lie"
ASK_TITLE = re.compile(r"^\s*\? .+ step \d+ of \d+", re.MULTILINE)  # "? Let it run, or step in?   step 6 of 11"

# Distinctive phrases of step 1, the senior's goal (its text, its criteria, its annotation).
SENIOR_GOAL = [
    "a coupon worth more than the order brings the total to exactly 0.00",
    "Do not edit or delete any existing test",
    "says the fix belongs in the code",
    "A goal is a contract you can check the agent against later",
]
MY_GOAL = "Fix invoice_total in ledger/totals.py so a coupon never makes the total negative; leave the tests alone; done when pytest -q passes."


def current_step(tmux: Tmux, screen: str) -> tuple[int, int] | None:
    match = re.search(r"step (\d+) of (\d+)", tmux.frame(screen))
    return (int(match.group(1)), int(match.group(2))) if match else None


def progress_line(run_tutor, lesson_id: str) -> str:  # noqa: ANN001
    """The line `tutor progress` prints for LESSON_ID."""
    result = run_tutor("progress")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    line = next((line for line in result.stdout.splitlines() if line.startswith(lesson_id + " ")), "")
    assert line, result.stdout
    return line


LESSON = json.loads((TESTS_THAT_LIE / "lesson.json").read_text(encoding="utf-8"))


def points_of(step_id: str) -> int:
    """How many points the learner marks after this step's reveal: a goal's criteria, or an ask's key points."""
    step = next(step for step in LESSON["steps"] if step["id"] == step_id)
    return len(step.get("criteria") or (step.get("ask") or {}).get("key_points") or (step.get("ask") or {}).get("rubric") or [])


def mark_points(tmux: Tmux, marks: str) -> str:
    """The learner's own check after a reveal: one key per point (y said it, p partly, n no), then enter."""
    tmux.wait_for("Your own check", where="frame")
    tmux.press(*marks)
    tmux.wait_for("All marked", where="frame")
    tmux.press("Enter")
    return tmux.wait_for("(your own check)", where="frame")


def answer_goal(tmux: Tmux, text: str = MY_GOAL, marks: str = "") -> str:
    tmux.wait_for("Set the goal", where="frame")
    tmux.wait_answerable()
    tmux.type(text)
    tmux.submit("Goal score pending")
    return mark_points(tmux, marks or "y" * points_of("s1"))


def test_a_lesson_from_task_to_score_card(tmux: Tmux) -> None:
    tmux.start("learn", str(TESTS_THAT_LIE), width=160, height=50)
    screen = tmux.wait_for("The task", "WELCOME15")
    assert "Tests that lie" in screen

    tmux.press_next()
    screen = tmux.wait_for("Set the goal", "what goal would you give it?", where="frame")
    for phrase in SENIOR_GOAL:
        assert phrase not in flat(screen), f"the senior's goal shows before the learner answered: {phrase!r}\n{screen}"
    assert "1 ◎ Goal" not in tmux.timeline(screen)

    answer_goal(tmux)
    screen = tmux.wait_for(*SENIOR_GOAL, where="frame")
    shown = flat(tmux.frame(screen))
    for phrase in SENIOR_GOAL:
        assert phrase in shown, f"the senior's goal is not revealed after submitting: {phrase!r}\n{screen}"
    assert re.search(r"Goal score \d+%", shown)
    assert re.search(r"1 ◎ Goal \[\d+%\]", tmux.timeline(screen))

    answered = {"outcome": 0, "intervene": 0, "choice": 0}
    step = 1
    for _ in range(20):
        tmux.press_next()
        screen = tmux.wait_until(
            lambda s: "Overall" in s or (current_step(tmux, s) or (0, 0))[0] > step, f"the step after {step}"
        )
        if "Overall" in screen:
            break
        step = current_step(tmux, screen)[0]  # type: ignore[index]
        frame = tmux.frame(screen)
        if ASK_TITLE.search(frame):  # a question (its Submit button may be below the screen's last row)
            tmux.wait_answerable()
        if "Predict the outcome" in frame:
            # The first run fails (the bug), the second works (the fix): predict both right.
            tmux.press(*(("Down", "Enter") if answered["outcome"] == 0 else ("Enter",)))
            tmux.submit("You predicted it fails" if answered["outcome"] == 0 else "You predicted it works")
            answered["outcome"] += 1
        elif "Let it run, or step in?" in frame:
            if answered["intervene"] == 0:
                # Step in, pick the first kind of correction offered, say why.
                tmux.press("Down", "Enter", "Tab", "Enter", "Tab")
                tmux.type("Leave the test alone; fix invoice_total instead.")
                tmux.submit("You would step in (", "Leave the test alone")
                mark_points(tmux, "n" * points_of(f"s{step}"))
            else:
                tmux.press("Enter")
                tmux.submit("You would let it run")
            answered["intervene"] += 1
        elif "? Choose" in frame:
            tmux.press("Enter")
            tmux.submit("You chose 1.")
            answered["choice"] += 1
    else:
        pytest.fail(f"no score card after 20 presses of n; the screen was:\n{screen}")

    assert answered == {"outcome": 2, "intervene": 2, "choice": 1}, answered
    frame = flat(tmux.frame(screen))
    assert "Score card: Tests that lie" in frame
    assert re.search(r"Overall \d+% · 6 answered, 0 skipped of 6 questions", frame), frame
    for row in ("Goal setting", "Outcome predictions", "Intervention decisions", "Calibration"):
        assert row in frame
    assert "★ Score card" in tmux.timeline(screen)


def test_b_progress_survives_quitting(tmux: Tmux, run_tutor) -> None:  # noqa: ANN001
    tmux.start("learn", str(TESTS_THAT_LIE), width=140, height=45)
    tmux.wait_for("The task")
    tmux.press_next()
    answer_goal(tmux, "Fix the negative total in invoice_total; keep every test as it is; done when the suite passes.")
    tmux.press_next()
    tmux.wait_for("Prompt", "step 2 of 11", where="frame")
    tmux.press_next()
    screen = tmux.wait_for("Agent", "step 3 of 11", where="frame")
    goal_line = re.search(r"1 ◎ Goal \[(\d+)%\]", tmux.timeline(screen))
    assert goal_line, screen
    tmux.press("q")
    assert tmux.wait_dead() == 0
    assert "in progress, step 3 of 11" in progress_line(run_tutor, "example-tests-that-lie")

    tmux.start("learn", str(TESTS_THAT_LIE), width=140, height=45)
    screen = tmux.wait_for("step 3 of 11", where="frame")
    assert "I'll reproduce the failure first" in flat(tmux.frame(screen))
    timeline = tmux.timeline(screen)
    assert f"1 ◎ Goal [{goal_line.group(1)}%]" in timeline, timeline
    assert "8 steps hidden" in timeline
    # The earlier answer is still there to look at: back to the goal step.
    tmux.press("p", "p")
    screen = tmux.wait_for("step 1 of 11", "Goal score", where="frame")
    assert "keep every test as it is" in flat(tmux.frame(screen))
    tmux.press("q")
    assert tmux.wait_dead() == 0

    line = progress_line(run_tutor, "example-tests-that-lie")
    assert "in progress" in line and "(1 attempt)" in line and "Tests that lie" in line, line
