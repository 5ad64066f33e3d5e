"""`tutor team report` as a person runs it in a terminal: the rows, moving between them, reading one,
going back, quitting; and `--format json` from a script, in the same team."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import team_results as tr
from tests.helpers.tmux_driver import Tmux

pytestmark = pytest.mark.e2e


@pytest.fixture
def team(tmp_path: Path) -> Path:
    folder = tr.team_folder(tmp_path / "team", min_group=3)
    tr.publish(folder)
    tr.small_team(folder)
    tr.join(folder)
    return folder


def rows(screen: str) -> list[str]:
    """The question column of the table's rows, top to bottom."""
    return [match.group(1) for match in re.finditer(r"^\s*tests-that-lie\s+(s\d)\s", screen, re.M)]


def test_the_report_in_a_terminal(tmux: Tmux, team: Path) -> None:
    tmux.start("team", "report", width=150, height=50)
    screen = tmux.wait_for("Wrong & sure", "Team report · Platform team", "4 questions in 1 lesson version")
    assert rows(screen) == ["s4", "s1", "s6", "s7"], screen
    assert re.search(r"s4\s+outcome\s+3\s+0\s+0\.33\s+2 \(67%\)", screen), screen
    assert re.search(r"s1\s+goal\s+2\s+1\s+0\.65\s+1 \(50%\).*hidden: fewer than 3 answers", screen), screen
    tmux.wait_for("Question s4 (outcome)", "✓ the senior's")
    # Move down to the correction and open it.
    tmux.press("Down", "Down")
    tmux.wait_for("Question s6 (intervene)")
    tmux.press("Enter")
    screen = tmux.wait_for("What learners saw before answering", "I'll update the expected value in the test.")
    # The detail has the focus: scroll it to its end, the team's words.
    tmux.press("End")
    tmux.wait_for("The team's words (1 distinct answer)", "×2  Fix the code,  not the TEST.")
    # Back to the table (its keys are back when the footer no longer offers to read), then leave.
    tmux.press("Escape")
    tmux.wait_until(lambda s: "⏎ Read" not in s, "the table to take the keys back")
    tmux.press("Up")
    tmux.wait_for("Question s1 (goal)")
    tmux.press("q")
    assert tmux.wait_dead() == 0


def test_json_for_a_script(run_tutor, team: Path) -> None:  # noqa: ANN001
    result = run_tutor("team", "report", "--format", "json")
    assert result.returncode == 0, result.stderr
    (lesson,) = json.loads(result.stdout)["lessons"]
    assert lesson["learners"] == 3
    assert {ask["step"]: ask["distribution"] for ask in lesson["asks"]}["s1"] is None  # two answers: hidden
    result = run_tutor("team", "report")
    assert result.returncode == 1 and "needs a terminal; use --format json or --format html" in result.stderr
