"""Spoilers are impossible: at every question, nothing of a hidden step is on screen or in the widget tree."""

from __future__ import annotations

import re

import pytest

from support import example_lesson_paths
from tutor.paths import bundled_curricula_dir
from tutor.ui.widgets.step_view import edit_diff
from tutor.cli import make_app
from tutor.lesson import load_lesson
from ui_support import dom_text, screen_text, squash

MIN_CHUNK = 16


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


STEERING = sorted(path.parent for path in (bundled_curricula_dir() / "steering-101").glob("*/lesson.json"))
CASES = [
    (path, index)
    for path in [*example_lesson_paths(), *STEERING]
    for index, step in enumerate(load_lesson(path).steps)
    if step.ask is not None
]


@pytest.mark.parametrize(("path", "index"), CASES, ids=[f"{p.name}-step{i + 1}" for p, i in CASES])
async def test_nothing_of_a_hidden_step_is_rendered_before_the_answer(path, index: int) -> None:
    lesson = load_lesson(path)
    app = make_app(lesson=path)
    async with app.run_test(size=(160, 200)) as pilot:
        await pilot.pause()
        while app.screen._view.cursor < index + 1:  # noqa: SLF001
            if app.screen._view.awaiting_answer:  # noqa: SLF001
                await pilot.press("ctrl+g")
            else:
                await pilot.press("n")
            await pilot.pause()
        assert app.screen._view.awaiting_answer  # noqa: SLF001
        on_screen = squash(screen_text(app))
        anywhere = squash(dom_text(app))
        allowed = _visible_before(lesson, index)
        hidden = [step for later, step in enumerate(lesson.steps) if later >= index]
        checked = 0
        for step in hidden:
            for text in _texts(step):
                for chunk in _chunks(text):
                    if chunk in allowed:
                        continue  # also legitimately visible (repeated in the task or an earlier step)
                    checked += 1
                    assert chunk not in on_screen, f"hidden step {step.id} leaked onto the screen: {chunk!r}"
                    assert chunk not in anywhere, f"hidden step {step.id} is in the widget tree: {chunk!r}"
        assert checked, "the test checked nothing"
        question = squash(dom_text(app, app.screen.query_one("#frame")))
        for verdict in ("The senior stepped in", "The senior let it run", "Right:", "Wrong:", "worked", "failed", "Key points"):
            assert verdict not in question, f"a verdict is shown before the answer: {verdict!r}"
        # and once skipped, the step is there
        await pilot.press("ctrl+g")
        await pilot.pause()
        revealed = squash(dom_text(app))
        own = [chunk for text in _texts(lesson.steps[index]) for chunk in _chunks(text)]
        assert any(chunk in revealed for chunk in own)
