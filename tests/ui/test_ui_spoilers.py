"""Spoilers are impossible: at every question, nothing of a hidden step is on screen or in the widget tree.

Each lesson is walked once, as a learner who skips every question: at each question on the
way the screen and the whole widget tree are searched for every hidden step (the asked one
and all later ones), then the question is skipped and its step must show.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.support import example_lesson_paths
from tutor.cli import make_app
from tutor.lesson import load_lesson
from tutor.paths import bundled_curricula_dir
from tutor.ui.glyphs import ASK_LABELS
from tutor.ui.widgets.step_view import edit_diff
from tests.helpers.ui_support import dom_text, screen_text, squash, wait_for_text, wait_for_view, wait_until

MIN_CHUNK = 16
VERDICTS = ("The senior stepped in", "The senior let it run", "Right:", "Wrong:", "worked", "failed", "Key points")


def _texts(step) -> list[str]:
    texts = [getattr(step, "text", "") or "", getattr(step, "output", "") or "", getattr(step, "why", "") or "", step.annotation or ""]
    texts += list(getattr(step, "criteria", []) or [])
    if step.ask is not None:
        texts += list(getattr(step.ask, "key_points", []) or [])
        texts.append(getattr(step.ask, "explain", "") or "")
    return [t for t in texts if t]


def _chunks(text: str) -> list[str]:
    """Pieces of a hidden text long enough to be distinctive, split where markdown or wrapping could break them."""
    plain = re.sub(r"[`*_>#\[\]]", " ", text)
    pieces = re.split(r"[.\n:;!?()\"“”]+", plain)
    return [squash(piece) for piece in pieces if len(squash(piece)) >= MIN_CHUNK]


def _visible_before(lesson, index: int) -> str:
    """Everything legitimately shown at the question of step `index`: task, earlier steps, the ask itself."""
    shown = [lesson.title, lesson.task, lesson.summary]
    for step in lesson.steps[:index]:
        shown += _texts(step)
        for call in getattr(step, "calls", []) or []:
            shown.append(str(call.input))
            if call.tool in ("edit_file", "write_file"):
                shown.append(edit_diff(call))  # the proposal is drawn as a diff, headers included
    ask = lesson.steps[index].ask
    shown += [ask.prompt, *getattr(ask, "options", [])]
    return squash(" ".join(shown))


def leaks_at_question(app, lesson, index: int) -> tuple[int, list[str]]:
    """At the open question of step `index`: how many hidden pieces were looked for, and every one found."""
    step = lesson.steps[index]
    where = f"at the question of step {index + 1} ({step.id}, {step.ask.type})"
    on_screen = squash(screen_text(app))
    anywhere = squash(dom_text(app))
    allowed = _visible_before(lesson, index)
    checked, found = 0, []
    for hidden in lesson.steps[index:]:  # the asked step and every later one
        for text in _texts(hidden):
            for chunk in _chunks(text):
                if chunk in allowed:
                    continue  # also legitimately visible (repeated in the task or an earlier step)
                checked += 1
                if chunk in on_screen:
                    found.append(f"{where}: hidden step {hidden.id} leaked onto the screen: {chunk!r}")
                elif chunk in anywhere:
                    found.append(f"{where}: hidden step {hidden.id} is in the widget tree: {chunk!r}")
    if not checked:
        found.append(f"{where}: the test checked nothing")
    question = squash(dom_text(app, app.screen.query_one("#frame")))
    found += [f"{where}: a verdict is shown before the answer: {verdict!r}" for verdict in VERDICTS if verdict in question]
    return checked, found


STEERING = sorted(path.parent for path in (bundled_curricula_dir() / "steering-101").glob("*/lesson.json"))
LESSONS = [*example_lesson_paths(), *STEERING]


@pytest.mark.parametrize("path", LESSONS, ids=[f"{p.parent.name}/{p.name}" for p in LESSONS])
async def test_nothing_of_a_hidden_step_is_rendered_before_the_answer(path: Path) -> None:
    lesson = load_lesson(path)
    steps = lesson.steps
    assert not any(step.hidden for step in steps), "step numbers below assume every step is replayed"
    asks = [index for index, step in enumerate(steps) if step.ask is not None]
    assert asks, "a lesson without questions tests nothing"
    total = len(steps)
    problems: list[str] = []
    app = make_app(lesson=path)
    async with app.run_test(size=(160, 200)) as pilot:
        await wait_for_view(pilot, "the lesson's task", lambda view: view.cursor == 0)
        for index, step in enumerate(steps):
            number = index + 1
            await pilot.press("n")
            view = await wait_for_view(pilot, f"step {number} ({step.id})", lambda view, number=number: view.cursor == number)
            if step.ask is None:
                assert not view.awaiting_answer, f"step {number} ({step.id}) has no question, yet one is open"
                continue
            assert view.awaiting_answer, f"step {number} ({step.id}) asks, yet it was revealed without an answer"
            await wait_for_text(pilot, f"{ASK_LABELS[step.ask.type]} step {number} of {total}")  # the question is drawn
            _checked, found = leaks_at_question(app, lesson, index)
            problems += found
            # and once skipped, the step is there
            await pilot.press("ctrl+g")
            own = [chunk for text in _texts(step) for chunk in _chunks(text)]
            await wait_until(
                pilot,
                lambda: (view := app.screen._view) is not None and not view.awaiting_answer  # noqa: SLF001
                and any(chunk in squash(dom_text(app)) for chunk in own),
                f"step {number} ({step.id}) to be shown after the skip",
            )
        await pilot.press("n")
        await wait_for_view(pilot, "the score card", lambda view: view.finished)
    assert not problems, f"{len(problems)} problem(s) in {lesson.id}:\n" + "\n".join(problems[:40])
