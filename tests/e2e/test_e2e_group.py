"""A group replay in three real terminals: `tutor host` and two `tutor join`, each participant with
their own `$TUTOR_HOME`. They play every question of a lesson to the end (a discussion and a revote
at one of them), and each participant's progress then holds their own finished attempt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.group_support import spoiler_lesson_data, write_lesson
from tests.helpers.group_terminals import Terminals, join_code
from tests.helpers.tmux_driver import Tmux
from tutor.lesson import Category

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]

DUE = "your answer is due"  # the status line says so once the form below it holds the keys


@pytest.fixture
def terminals(tmp_path: Path, tutor_env: dict[str, str]) -> Iterator[Terminals]:
    opened = Terminals(tmp_path / "terminals", tutor_env)
    try:
        yield opened
    finally:
        opened.close()


def send(participant: Tmux, step: int, *keys: str) -> None:
    """At the form of the question at `step`, choose with `keys`, send, and wait for the screen to say it is in."""
    participant.wait_for(f"step {step} of 8", DUE)
    participant.press(*keys)
    participant.submit("✓ Answered", where="screen")


def test_a_host_and_two_participants_play_a_lesson_to_the_end(terminals: Terminals, tutor_home: Path, tmp_path: Path) -> None:
    lesson = write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())  # asks at steps 1 goal, 4 outcome, 6 intervene, 7 choice
    host = terminals.open("host", "host", str(lesson), "--min-group", "2", home=tutor_home, width=120, height=45)
    code = join_code(host.wait_for("Join code:", "Waiting to start"))
    ann = terminals.open("ann", "join", code, "--as", "Ann")
    bob = terminals.open("bob", "join", code, "--as", "Bob")
    host.wait_for("In the room: 2", "● Ann", "● Bob")
    for participant in (ann, bob):
        participant.wait_for("Waiting for the host to open the first question")

    # 1. The goal: typed by each, closed, revealed; Ann checks the senior's point herself.
    host.press("Space")
    host.wait_for("Step 1 of 8", "0 of 2 answered")
    for participant, goal in ((ann, "Fix ledger/totals.py so test_coupon passes; keep every test; run the suite"), (bob, "Make the coupon test pass")):
        participant.wait_for("Set the goal", DUE)
        participant.type(goal)
        participant.submit("✓ Answered", where="screen")
    host.wait_for("2 of 2 answered")
    host.press("Space")
    host.wait_for("First vote: 2 goals written")
    host.press("Space")
    host.wait_for("Revealed", "GOAL-TEXT-HIDDEN-1")
    ann.wait_for("Your own check", "CRITERION-HIDDEN-1")
    ann.press("y", "Enter")
    ann.wait_for("Goal score 100%")

    # 2. The outcome, with a discussion and a revote: the spread only once closed, the revote's beside it.
    host.press("Space")
    host.wait_for("Step 4 of 8", "Predict the outcome", "0 of 2 answered")
    send(ann, 4, "Enter")  # it works
    send(bob, 4, "Down", "Enter")  # it fails
    screen = host.wait_for("2 of 2 answered")
    assert "How the room answered" not in screen
    host.press("Space")
    host.wait_for("First vote (2 answers)", "It works", "It fails")
    host.press("d")
    for participant in (ann, bob):
        participant.wait_for("Talk to someone who answered differently")
    host.press("Space")
    host.wait_for("Revote open", "0 of 2 answered (revote)")
    send(ann, 4, "Down", "Enter")  # her form comes back with "it works" chosen: she moves to "it fails"
    send(bob, 4)  # he keeps "it fails"
    host.wait_for("2 of 2 answered (revote)")
    host.press("Space")
    host.wait_for("First vote (2 answers)", "Revote (2 answers)")
    host.press("Space")
    host.wait_for("Revealed", "OUTPUT-HIDDEN-4", "✓ senior")
    for participant in (ann, bob):
        participant.wait_for("✓ Right", "OUTPUT-HIDDEN-4")

    # 3. The intervene ask: Ann lets it run, Bob steps in (a test problem) and says why.
    host.press("Space")
    host.wait_for("Step 6 of 8", "Let it run, or step in?")
    send(ann, 6, "Enter")
    bob.wait_for("step 6 of 8", DUE)
    bob.press("Down", "Enter", "Tab")  # step in; on to the kinds of correction
    bob.press(*["Down"] * list(Category).index(Category.TEST), "Enter", "Tab")
    bob.type("The test is the requirement: fix the code, not the test")
    bob.submit("✓ Answered", where="screen")
    host.wait_for("2 of 2 answered")
    host.press("Space")
    host.press("Space")
    host.wait_for("Revealed", "TEXT-HIDDEN-6")
    ann.wait_for("✗ Not what the senior did")
    bob.wait_for("Right to step in")

    # 4. The choice, then the end.
    host.press("Space")
    host.wait_for("Step 7 of 8", "What was wrong?")
    send(ann, 7, "Down", "Enter")  # the code
    send(bob, 7, "Enter")  # nothing
    host.wait_for("2 of 2 answered")
    host.press("Space")
    host.press("Space")
    host.wait_for("Revealed", "EXPLAIN-HIDDEN-7")
    host.press("Space")
    host.wait_for("The session has ended", "The room's counts are saved in")
    for participant in (ann, bob):
        participant.wait_for("The session has ended", "TAIL-TEXT-HIDDEN-8")
        participant.press("q")
        assert participant.wait_dead() == 0
    host.press("q")
    assert host.wait_dead() == 0
    assert f"tutor join {code}" in host.screen()  # printed on standard error before the screen, and left there after it

    # Each participant's own progress holds their finished attempt, their revote kept.
    from tutor.store import open_progress

    steps = {}
    for name in ("ann", "bob"):
        with open_progress(terminals.homes[name] / "progress") as progress:
            (attempt,) = progress.attempts()
            assert attempt.key is not None and attempt.key.startswith("group:") and attempt.finished
            state = progress.load_state(attempt.id)
        steps[name] = {entry["step"]: entry.get("answer") for entry in state["committed"]}
    assert set(steps["ann"]) == set(steps["bob"]) == {"s1", "s4", "correction-id-hidden-six", "s8"}
    assert steps["ann"]["s4"]["works"] is False and steps["bob"]["s4"]["works"] is False  # Ann's revote, not her first vote
    assert steps["ann"]["correction-id-hidden-six"]["intervene"] is False and steps["bob"]["correction-id-hidden-six"]["category"] == "test"
    assert steps["ann"]["s8"]["index"] == 1 and steps["bob"]["s8"]["index"] == 0
