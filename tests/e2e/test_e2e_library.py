"""The library as `tutor` opens it, the help, quitting; and a broken lesson refused on the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.support import DATA, EXAMPLE_CURRICULUM
from tests.helpers.tmux_driver import Tmux

pytestmark = pytest.mark.e2e


EXAMPLE_TITLE = "Steering basics (example)"


def example_rows(screen: str) -> list[str]:
    """The table rows of the example curriculum: those after its heading, up to the next heading.

    Other curricula (the bundled one) may be listed too, before it; the config adds
    tests/data last, so its curriculum comes last.
    """
    rows = screen.splitlines()
    start = next((index for index, row in enumerate(rows) if EXAMPLE_TITLE in row), None)
    if start is None:
        return []
    found = []
    for row in rows[start + 1 :]:
        if not re.match(r"\s*\d+\s+\S", row):
            break
        found.append(row)
    return found


def lesson_row(screen: str, title: str) -> str:
    """The example curriculum's table row of the lesson titled TITLE."""
    return next((row for row in example_rows(screen) if re.match(rf"\s*\d+\s+{re.escape(title)}\s", row)), "")


def test_library_lists_opens_helps_and_quits(tmux: Tmux) -> None:
    tmux.start(width=150, height=50)
    tmux.wait_for(EXAMPLE_TITLE, "Origin")
    # The example curriculum is listed last: go to its last lesson, then up to its first.
    tmux.press("C-End")
    screen = tmux.wait_until(lambda s: len(example_rows(s)) == 2, "both example lessons listed")
    assert "Library" in screen
    for column in ("Lesson", "Level", "Min", "Origin", "Your state"):
        assert column in screen, screen
    for title, minutes in (("Tests that lie", "8"), ("While I'm in here", "12")):
        row = lesson_row(screen, title)
        # Your state comes right after the title: it is what a returning learner looks for.
        assert re.search(rf"{re.escape(title)}\s+new\s+beginner\s+{minutes}\s+scripted", row), (row, screen)
    # The curriculum heads its lessons, in the curriculum's order.
    rows = example_rows(screen)
    assert "Tests that lie" in rows[0] and "While I'm in here" in rows[1], rows
    # The highlighted lesson is described beside the list.
    tmux.wait_for("A one-line bug fix turns into")
    tmux.press("Up")
    tmux.wait_for("A failing test is a requirement")

    tmux.press("Enter")
    screen = tmux.wait_for("The task", "11 steps", "WELCOME15")
    assert "Tests that lie" in screen

    tmux.press("Escape")
    tmux.wait_for(EXAMPLE_TITLE, "Origin")
    tmux.wait_until(lambda s: "in progress" in lesson_row(s, "Tests that lie"), "the opened lesson to show as in progress")

    tmux.press("?")  # the library's keys, not a lesson's
    screen = tmux.wait_for("Keys", "Resume the lesson you were last in")
    assert "skip the current question" not in screen, screen
    tmux.press("Escape")
    tmux.wait_gone("Resume the lesson you were last in")

    tmux.press("q")
    assert tmux.wait_dead() == 0


def test_help_and_quit_from_a_lesson(tmux: Tmux) -> None:
    tmux.start("learn", str(EXAMPLE_CURRICULUM / "scope-creep"), width=120, height=40)
    tmux.wait_for("The task", "Issue #212")
    tmux.press("?")
    tmux.wait_for("ctrl+g", "submit the current answer")
    tmux.press("q")  # closes the help, not the app
    tmux.wait_gone("submit the current answer")
    screen = tmux.wait_for("The task")
    assert not tmux.dead(), screen
    tmux.press("q")
    assert tmux.wait_dead() == 0


@pytest.mark.parametrize("broken", ["missing-bundle", "bad-base-sha"])
def test_learn_refuses_a_broken_lesson_folder(run_tutor, broken: str) -> None:  # noqa: ANN001
    folder = DATA / "broken-folders" / broken
    result = run_tutor("learn", str(folder), timeout=30)
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    # One line for the one problem (naming the file), then one line saying what to do.
    assert len(lines) == 2, lines
    assert lines[0].startswith(str(folder / "lesson.json") + ": repo."), lines
    assert lines[1].startswith("tutor: ") and "validate" in lines[1], lines


def test_learn_refuses_unparsable_lesson_json(run_tutor, tmp_path: Path) -> None:  # noqa: ANN001
    folder = tmp_path / "half-written"
    folder.mkdir()
    text = (EXAMPLE_CURRICULUM / "tests-that-lie" / "lesson.json").read_text(encoding="utf-8")
    (folder / "lesson.json").write_text(text[: len(text) // 2], encoding="utf-8")
    result = run_tutor("learn", str(folder), timeout=30)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and "not valid JSON" in lines[0], lines


def test_learn_refuses_a_missing_lesson_in_one_line(run_tutor, tmp_path: Path) -> None:  # noqa: ANN001
    result = run_tutor("learn", str(tmp_path / "no-such-lesson"), timeout=30)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tutor: no lesson"), result.stderr


def test_learn_without_a_terminal_says_so(run_tutor) -> None:  # noqa: ANN001
    result = run_tutor("learn", str(EXAMPLE_CURRICULUM / "tests-that-lie"), timeout=30)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "need a terminal" in result.stderr, result.stderr
