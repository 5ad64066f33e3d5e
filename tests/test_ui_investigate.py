"""Investigate a lesson's code: only what has been revealed, off the UI thread, throwaway shells."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from textual.widgets import Select, Tree

from bundle_lesson import build_bundle_lesson
from tutor.cli import make_app
from tutor.ui.screens.investigate import InvestigateScreen
from tutor.ui.screens.lesson import LessonScreen
from ui_support import dom_text, screen_text, squash

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


async def _reveal_until(pilot, cursor: int) -> None:
    while pilot.app.screen._view.cursor < cursor:  # noqa: SLF001
        await pilot.press("n")
        await pilot.pause()


async def test_result_step_shows_the_diff_from_the_bundle(tmp_path: Path) -> None:
    folder = build_bundle_lesson(tmp_path)
    app = make_app(lesson=folder)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await _reveal_until(pilot, 4)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = squash(screen_text(app))
        assert "The code changed at this step" in text
        assert "+ return a + b" in text or "+    return a + b" in screen_text(app)


async def test_investigate_offers_only_revealed_steps_and_shows_files_and_diffs(tmp_path: Path) -> None:
    folder = build_bundle_lesson(tmp_path)
    app = make_app(lesson=folder)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await _reveal_until(pilot, 4)
        await pilot.press("n")  # step 5; step 6 is still a hidden question
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen._view.awaiting_answer  # noqa: SLF001
        app.screen.query_one("#frame").focus()
        await pilot.press("p")  # investigate is not offered on an open question
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InvestigateScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        labels = [str(option[0]) for option in app.screen.query_one("#at", Select)._options]  # noqa: SLF001
        assert any("start" in label for label in labels) and any("step 4" in label for label in labels)
        assert not any("step 6" in label for label in labels), "a hidden step's code is never offered"
        await app.workers.wait_for_complete()
        await pilot.pause()
        tree = app.screen.query_one("#files", Tree)
        labels_in_tree = []
        stack = [tree.root]
        while stack:
            node = stack.pop()
            labels_in_tree.append(str(node.label))
            stack.extend(node.children)
        assert {"calc/", "core.py", "README.md"} <= set(labels_in_tree)
        app.screen.show_file(app.screen.checkpoints[-1].commit, "calc/core.py")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "return a + b" in dom_text(app)
        assert "HIDDENFIXQZ" not in dom_text(app)
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = dom_text(app)
        assert "-    return a - b" in text and "+    return a + b" in text
        assert "HIDDENFIXQZ" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


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
        await pilot.pause()
        await _reveal_until(pilot, 4)
        await pilot.press("i")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    seen = record.read_text().splitlines()
    copy = Path(seen[0])
    assert "return a + b" in "\n".join(seen[1:])
    assert not copy.exists(), "the throwaway copy is removed after the shell exits"
    assert "HIDDENFIXQZ" not in record.read_text()
