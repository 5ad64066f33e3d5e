"""Investigate a lesson's code: only what has been revealed, off the UI thread, throwaway shells."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from textual.widgets import Select, Static, Tree

from tests.helpers.bundle_lesson import build_bundle_lesson
from tutor.cli import make_app
from tutor.ui.screens.investigate import InvestigateScreen
from tutor.ui.screens.lesson import LessonScreen
from tests.helpers.ui_support import dom_text, screen_text, squash, wait_for_text, wait_for_view, wait_until

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


async def _reveal_until(pilot, cursor: int) -> None:
    view = await wait_for_view(pilot, "the lesson's frame")
    while view.cursor < cursor:
        before = view.cursor
        await pilot.press("n")
        view = await wait_for_view(pilot, f"step {before + 1}", lambda view: view.cursor == before + 1)


def _notes(app) -> list[str]:
    return [str(note.message) for note in app._notifications]  # noqa: SLF001


async def _investigate_loaded(pilot) -> InvestigateScreen:
    """Wait until the investigate screen is up with the lesson's repository read."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, InvestigateScreen), "the investigate screen")
    screen = app.screen
    await wait_until(pilot, lambda: screen.repo is not None and isinstance(screen.query_one("#at", Select).value, str), "the lesson's repository to be read")
    return screen


async def test_result_step_shows_the_diff_from_the_bundle(tmp_path: Path) -> None:
    folder = build_bundle_lesson(tmp_path)
    app = make_app(lesson=folder)
    async with app.run_test(size=(120, 50)) as pilot:
        await _reveal_until(pilot, 4)
        await wait_for_text(pilot, "The code changed at this step")
        await wait_until(
            pilot,
            lambda: "+ return a + b" in squash(screen_text(app)) or "+    return a + b" in screen_text(app),
            "the step's diff on screen",
        )


async def test_investigate_offers_only_revealed_steps_and_shows_files_and_diffs(tmp_path: Path) -> None:
    folder = build_bundle_lesson(tmp_path)
    app = make_app(lesson=folder)
    async with app.run_test(size=(140, 50)) as pilot:
        await _reveal_until(pilot, 5)  # step 5; step 6 is still a hidden question
        await pilot.press("n")
        await wait_for_view(pilot, "the question of step 6", lambda view: view.cursor == 6 and view.awaiting_answer)
        frame = app.screen.query_one("#frame")
        frame.focus()
        await wait_until(pilot, lambda: frame.has_focus, "the frame to take focus")
        await pilot.press("p")
        await wait_for_view(pilot, "back at step 5", lambda view: view.cursor == 5)
        await pilot.press("i")
        screen = await _investigate_loaded(pilot)
        labels = [str(option[0]) for option in screen.query_one("#at", Select)._options]  # noqa: SLF001
        assert any("start" in label for label in labels) and any("step 4" in label for label in labels)
        assert not any("step 6" in label for label in labels), "a hidden step's code is never offered"

        def labels_in_tree() -> set[str]:
            labels, stack = [], [screen.query_one("#files", Tree).root]
            while stack:
                node = stack.pop()
                labels.append(str(node.label))
                stack.extend(node.children)
            return set(labels)

        await wait_until(pilot, lambda: {"calc/", "core.py", "README.md"} <= labels_in_tree(), "the files of the step in the tree")
        screen.show_file(screen.checkpoints[-1].commit, "calc/core.py")
        await wait_until(pilot, lambda: "calc/core.py" in str(screen.query_one("#viewer-title", Static).content), "calc/core.py to be shown")
        await app.workers.wait_for_complete()
        assert "return a + b" in dom_text(app)
        assert "HIDDENFIXQZ" not in dom_text(app)
        await pilot.press("d")
        await wait_until(pilot, lambda: str(screen.query_one("#viewer-title", Static).content).startswith("Diff:"), "the diff to be shown")
        await app.workers.wait_for_complete()
        text = dom_text(app)
        assert "-    return a - b" in text and "+    return a + b" in text
        assert "HIDDENFIXQZ" not in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen), "back to the lesson")


async def test_shell_runs_in_a_throwaway_copy_that_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = build_bundle_lesson(tmp_path)
    record = tmp_path / "shell-saw.txt"
    shell = tmp_path / "fake-shell.sh"
    shell.write_text(f'#!/bin/sh\npwd > "{record}"\ncat calc/core.py >> "{record}"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    app = make_app(lesson=folder)
    monkeypatch.setattr(type(app), "suspend", lambda self: contextlib.nullcontext())
    async with app.run_test(size=(140, 50)) as pilot:
        await _reveal_until(pilot, 4)
        await pilot.press("i")
        await _investigate_loaded(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: "The throwaway copy was removed." in _notes(app), "the shell to end and its copy to be removed")
    seen = record.read_text().splitlines()
    copy = Path(seen[0])
    assert "return a + b" in "\n".join(seen[1:])
    assert not copy.exists(), "the throwaway copy is removed after the shell exits"
    assert "HIDDENFIXQZ" not in record.read_text()
