"""No spoilers, checked from outside: at every ask of every example lesson, the screen shows
nothing of the hidden step (nor of any later step) until the learner answers or skips.

The walk skips each ask (ctrl+g) and moves on (n), like a learner who only wants to look.
At each ask it reads the whole terminal, timeline included, and looks for distinctive
pieces of every step not revealed yet: its text, output, why, annotation, criteria,
rubric, key points, explanation. A piece counts as distinctive when it is at least 12
characters long and appears nowhere the learner may already see (the task, the revealed
steps, the ask's own prompt, options and proposal). After the skip, the step must show.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.support import example_lesson_paths
from tests.helpers.tmux_driver import Tmux, flat

pytestmark = pytest.mark.e2e

KIND_ICONS = {"goal": "◎", "prompt": "›", "agent": "◆", "result": "▣", "correction": "✋", "note": "✎"}
KIND_LABELS = {"goal": "Goal", "prompt": "Prompt", "agent": "Agent", "result": "Result", "correction": "Correction", "note": "Note"}
ASK_LABELS = {"goal": "Set the goal", "outcome": "Predict the outcome", "intervene": "Let it run, or step in?", "choice": "Choose"}
# What only a revealed step or a grade puts in the frame.
REVEAL_MARKERS = ["Senior's note", "The senior stepped in", "Skipped: scores zero", "Goal score", "You predicted", "You would", "You chose", "✓ worked", "✗ failed"]
MIN_PIECE = 12


def plain(text: str) -> str:
    """Text as the terminal shows it: Markdown emphasis and code marks gone, whitespace collapsed."""
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", text)
    return " ".join(text.split())


def step_texts(step: dict[str, Any]) -> list[str]:
    """Everything of a step that is shown only once it is revealed (or graded)."""
    texts = [step.get(key) or "" for key in ("text", "output", "why", "annotation", "commit")]
    texts += step.get("criteria") or []
    ask = step.get("ask") or {}
    texts += ask.get("rubric") or []
    texts += ask.get("key_points") or []
    texts.append(ask.get("explain") or "")
    for call in step.get("calls") or []:
        texts += [str(value) for value in call.get("input", {}).values()]
    return [text for text in texts if text]


@functools.cache
def interface_strings() -> tuple[str, ...]:
    """Every string literal of the user interface (labels, placeholders, hints): words the app shows anyway.

    Read from the source rather than copied here, so the check follows the interface as it changes.
    """
    import tutor

    package = Path(tutor.__file__).parent
    sources = [*sorted((package / "ui").rglob("*.py")), package / "lesson" / "taxonomy.py"]
    found = []
    for source in sources:
        try:
            tree = ast.parse(source.read_text(encoding="utf-8"))
        except (OSError, SyntaxError):
            continue  # a file being edited: its words are simply not excused
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= MIN_PIECE:
                found.append(plain(node.value))
    return tuple(found)


def visible_texts(lesson: dict[str, Any], index: int, asking: bool = True) -> list[str]:
    """What the learner may see at the ask of step INDEX (or before it, not ASKING): the task, the steps before it, the ask."""
    steps = lesson["steps"]
    texts = [lesson["title"], lesson["task"], lesson.get("summary", "")]
    for step in steps[:index]:
        texts += step_texts(step)
        ask = step.get("ask") or {}
        texts += [ask.get("prompt", "")] + list(ask.get("options") or [])
    if asking:
        ask = steps[index]["ask"]
        texts += [ask["prompt"], *(ask.get("options") or [])]
    return [plain(text) for text in texts if text] + list(interface_strings())


def pieces(text: str) -> list[str]:
    """Distinctive pieces of TEXT: each line of it, and runs of four words, at least MIN_PIECE long."""
    found: list[str] = []
    for line in text.splitlines():
        line = plain(line)
        if len(line) >= MIN_PIECE:
            found.append(line[:60])
    words = plain(text).split()
    for start in range(0, max(1, len(words) - 3), 2):
        piece = " ".join(words[start : start + 4])
        if len(piece) >= MIN_PIECE:
            found.append(piece)
    return list(dict.fromkeys(found))


def hidden_pieces(lesson: dict[str, Any], index: int, asking: bool = True) -> dict[str, list[str]]:
    """For each step from INDEX on (none revealed yet), its pieces that are not visible anywhere else."""
    allowed = "\n".join(visible_texts(lesson, index, asking))
    result: dict[str, list[str]] = {}
    for step in lesson["steps"][index:]:
        own = [piece for text in step_texts(step) for piece in pieces(text) if piece not in allowed]
        if own:
            result[step["id"]] = own
    return result


def leaks(tmux: Tmux, screen: str, hidden: dict[str, list[str]]) -> list[str]:
    """Hidden pieces found on SCREEN, as `step id: piece` lines."""
    frame, timeline = flat(tmux.frame(screen)), flat(tmux.timeline(screen))
    rows = [" ".join(row.split()) for row in screen.splitlines()]
    found = []
    for step_id, own in hidden.items():
        for piece in own:
            if piece in frame or piece in timeline or any(piece in row for row in rows):
                found.append(f"{step_id}: {piece!r}")
    return found


def primary_piece(step: dict[str, Any]) -> str:
    """A piece of the step that must be on screen once it is revealed (near its top)."""
    if step.get("text"):
        return plain(step["text"])[:40]
    first = next(line for line in step.get("output", "").splitlines() if line.strip())
    return " ".join(first.split())[:40]


@pytest.mark.parametrize("lesson_path", example_lesson_paths(), ids=lambda path: path.name)
def test_no_ask_shows_its_hidden_step(tmux: Tmux, lesson_path: Path) -> None:
    lesson = json.loads((lesson_path / "lesson.json").read_text(encoding="utf-8"))
    steps = lesson["steps"]
    total = len(steps)
    asks = [index for index, step in enumerate(steps) if step.get("ask")]
    assert asks, "an example lesson without asks tests nothing"

    tmux.start("learn", str(lesson_path), width=160, height=60)
    screen = tmux.wait_for("The task", f"{total} steps")
    found = leaks(tmux, screen, hidden_pieces(lesson, 0, asking=False))
    assert not found, "the task frame shows steps:\n" + "\n".join(found)

    problems: list[str] = []
    checked = 0
    for index, step in enumerate(steps):
        number = index + 1
        tmux.press_next()
        if not step.get("ask"):
            tmux.wait_for(f"{KIND_LABELS[step['kind']]}   step {number} of {total}", where="frame")
            continue

        ask = step["ask"]
        screen = tmux.wait_for(f"? {ASK_LABELS[ask['type']]}   step {number} of {total}", where="frame")
        hidden = hidden_pieces(lesson, index)
        assert hidden.get(step["id"]), f"step {step['id']} has nothing distinctive to look for: the check would be empty"
        for found in leaks(tmux, screen, hidden):
            problems.append(f"at the ask of step {number} ({step['id']}, {ask['type']}): {found}")

        # The timeline lists revealed steps only: none numbered from this step on.
        listed = [int(n) for n in re.findall(r"^\s*(\d+) \S", tmux.timeline(screen), re.M)]
        if any(n >= number for n in listed):
            problems.append(f"at the ask of step {number}: the timeline lists steps {listed}")
        if f"{total - index} step" not in tmux.timeline(screen):
            problems.append(f"at the ask of step {number}: the timeline does not count {total - index} hidden steps")

        frame = tmux.frame(screen)
        for marker in REVEAL_MARKERS + [f"{KIND_ICONS[step['kind']]} {KIND_LABELS[step['kind']]}"]:
            if marker in frame:
                problems.append(f"at the ask of step {number}: the frame shows {marker!r} before the answer")

        # Skip: the step is revealed, with the skip's verdict.
        tmux.press("C-g")
        screen = tmux.wait_for(f"{KIND_ICONS[step['kind']]} {KIND_LABELS[step['kind']]}   step {number} of {total}", "Skipped: scores zero", where="frame")
        screen = tmux.wait_for(primary_piece(step), where="frame")
        # The same detector that found nothing before the skip finds the step now: it can see a leak.
        shown = leaks(tmux, screen, {step["id"]: hidden[step["id"]]})
        assert shown, f"after the skip, none of step {step['id']}'s pieces are found on screen: the check is blind\n{screen}"
        assert f"{number} {KIND_ICONS[step['kind']]} {KIND_LABELS[step['kind']]} [skipped]" in tmux.timeline(screen), tmux.timeline(screen)
        checked += 1

    tmux.press_next()
    screen = tmux.wait_for("Overall", where="frame")
    assert f"0 answered, {len(asks)} skipped of {len(asks)} questions" in flat(tmux.frame(screen))
    assert checked == len(asks)
    assert not problems, "spoilers on screen:\n" + "\n".join(problems)
