"""Walking a bundled lesson in a real terminal: which step is on screen, and getting to a given one.

The lessons are the bundled curriculum's, read from their lesson.json, so a test says
"the first goal question" rather than copying one lesson's wording.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.tmux_driver import Tmux
from tutor.paths import bundled_curricula_dir

STEERING = bundled_curricula_dir() / "steering-101"


def lessons() -> list[tuple[Path, dict[str, Any]]]:
    """The bundled lessons in the curriculum's order, each with its lesson.json."""
    order = tomllib.loads((STEERING / "curriculum.toml").read_text(encoding="utf-8"))["lessons"]
    return [(STEERING / name, json.loads((STEERING / name / "lesson.json").read_text(encoding="utf-8"))) for name in order]


def first_lesson_with(ask_type: str) -> tuple[Path, dict[str, Any], int]:
    """A bundled lesson with an ask of this type, and the 1-based step number of the first such ask."""
    for folder, data in lessons():
        for index, step in enumerate(data["steps"]):
            if (step.get("ask") or {}).get("type") == ask_type:
                return folder, data, index + 1
    pytest.skip(f"no bundled lesson has a {ask_type} question")


def start_afresh(tmux: Tmux, folder: Path, *, width: int = 120, height: int = 40) -> None:
    """`tutor learn FOLDER` with no progress kept from an earlier start: the lesson opens at its task."""
    shutil.rmtree(Path(tmux.env["TUTOR_HOME"]) / "progress", ignore_errors=True)
    tmux.start("learn", str(folder), width=width, height=height)
    tmux.wait_for("The task")


def shown_step(tmux: Tmux, screen: str) -> int | None:
    match = re.search(r"step (\d+) of \d+", tmux.frame(screen))
    return int(match.group(1)) if match else None


def last_revealed(tmux: Tmux, screen: str) -> int:
    """The number of the last step listed in the timeline (0 at the task)."""
    numbers = [int(match.group(1)) for match in re.finditer(r"^\s*(\d+) \S", tmux.timeline(screen), re.MULTILINE)]
    return max(numbers, default=0)


# An open question's title, "? Will this command succeed?   step 6 of 15": drawn only while it is open.
ASK_TITLE = re.compile(r"^\s*\? \S.*   step \d+ of \d+\s*$", re.MULTILINE)


def at_question(tmux: Tmux) -> bool:
    """Whether an open question is on screen: skip (^g) is offered only there.

    The lesson screen paints a question before it moves the focus and refreshes its footer, so a
    question's title drawn above a footer without ^g is waited out, not read as "no question".
    A footer can show ^g for a moment while the lesson screen settles (reopened at a revealed
    step, say): seen, it is confirmed by waiting until the question takes the keyboard or ^g goes.
    """
    if ASK_TITLE.search(tmux.frame(tmux.screen())):
        tmux.wait_answerable()
    if "^g" not in tmux.footer_keys():
        return False
    settled = tmux.wait_footer(lambda keys: "^g" not in keys or ("esc" in keys and keys.get("n") != keys["esc"]), "the footer to settle")
    return "^g" in settled


def current_step(tmux: Tmux) -> int:
    """The step on screen: a question stands for the step after the last one revealed; a revealed
    step's title may be scrolled away on a small terminal, so the timeline says which it is."""
    screen = tmux.screen()
    if at_question(tmux):
        return last_revealed(tmux, screen) + 1
    return shown_step(tmux, screen) or last_revealed(tmux, screen)


def go_to_step(tmux: Tmux, number: int) -> None:
    """From the task, skip every question before step NUMBER and stop at it (its question, if it has one)."""
    tmux.press_next()
    while True:
        step = _wait_for_step(tmux, lambda: current_step(tmux) > 0, "a step") or current_step(tmux)
        if step == number:
            return
        if at_question(tmux):
            tmux.wait_answerable()
            tmux.press("C-g")
            tmux.wait_until(lambda s: not at_question(tmux), f"step {step} revealed after skipping")
        tmux.press_next()
        tmux.wait_until(lambda s, before=step: current_step(tmux) > before, f"the step after {step}")


def _wait_for_step(tmux: Tmux, ready, what: str) -> int:  # noqa: ANN001
    tmux.wait_until(lambda s: ready(), what)
    return current_step(tmux)
