"""A hostile lesson in a real terminal: its escape sequences never reach the terminal.

The tmux server here honours OSC 52 (`set-clipboard on`: a sequence that gets through fills
a paste buffer) and OSC 0/2 (they set the pane's title). A control run first shows the
harness sees both when they do get through; then `tutor learn` on a lesson whose title and
task carry them, and the library listing it, must leave the title and the buffers alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.hostile_lessons import PAYLOADS, hostile_lesson, write_lesson
from tests.helpers.tmux_driver import Tmux

pytestmark = pytest.mark.e2e

MARK = "PWNED-TITLE"


def _honour_sequences(tmux: Tmux) -> None:
    tmux.conf.write_text(tmux.conf.read_text() + "set -g set-clipboard on\nset -g allow-rename on\n")


def _title(tmux: Tmux) -> str:
    return tmux._tmux("display-message", "-p", "-t", "e2e", "#{pane_title}").stdout  # noqa: SLF001


def _buffers(tmux: Tmux) -> str:
    return tmux._tmux("list-buffers", check=False).stdout  # noqa: SLF001


def _lesson(root: Path) -> Path:
    payload = " ".join(PAYLOADS[kind] for kind in ("osc52-clipboard", "osc0-title", "c1-osc", "osc8-link", "csi-clear", "markup-action", "bidi-rlo", "honest-dict"))
    lesson = hostile_lesson("osc52-clipboard", payload, outside=str(root / "outside"))
    lesson["title"] = f"Use dict[str, int] \x1b]0;{MARK}\x07\x1b]52;c;ZWNobyBwd25lZA==\x07 [/]"
    lesson["task"] = f"\x1b]2;{MARK}\x1b\\The task\x1b]52;c;ZWNobyBwd25lZA==\x1b\\ says {payload}"
    return write_lesson(root / "hostile", lesson)


def test_the_harness_sees_sequences_that_get_through(tmux: Tmux) -> None:
    _honour_sequences(tmux)
    tmux.start(command=["sh", "-c", f"printf '\\033]0;{MARK}\\007\\033]52;c;ZWNobyBwd25lZA==\\007shown'; sleep 30"])
    tmux.wait_until(lambda screen: MARK in _title(tmux) and _buffers(tmux).strip() != "", "the control's title and buffer")


def test_learn_on_a_hostile_lesson_sets_neither_title_nor_clipboard(tmux: Tmux, tmp_path: Path) -> None:
    _honour_sequences(tmux)
    folder = _lesson(tmp_path)
    tmux.start("learn", str(folder))
    screen = tmux.wait_for("The task", "Use dict[str, int]")
    assert MARK not in _title(tmux)
    assert _buffers(tmux).strip() == ""
    tmux.press("n")
    tmux.wait_for("step 1 of")
    tmux.press("C-g")
    tmux.wait_for("Goal")
    assert MARK not in _title(tmux), "the window title was set by the lesson"
    assert _buffers(tmux).strip() == "", "the clipboard (OSC 52) was set by the lesson"
    assert "�" in tmux.screen() or "⟨RLO⟩" in tmux.screen() or "�" in screen
    assert not (tmp_path / "outside").exists()


def test_the_library_listing_a_hostile_lesson_sets_neither(tmux: Tmux, tmp_path: Path) -> None:
    _honour_sequences(tmux)
    curriculum = tmp_path / "hostile-curriculum"
    folder = _lesson(curriculum)
    (curriculum / "curriculum.toml").write_text(f'title = "Hostile \\u001b]0;{MARK}\\u0007 [/]"\nlessons = ["{folder.name}"]\n', encoding="utf-8")
    home = Path(tmux.env["TUTOR_HOME"])
    (home / "config.toml").write_text(f"curricula = [{json.dumps(str(tmp_path))}]\n", encoding="utf-8")
    tmux.start()
    tmux.wait_for("Use dict[str, int]", "Hostile")
    assert MARK not in _title(tmux)
    assert _buffers(tmux).strip() == ""
    assert tmux.dead() is False, "the library crashed on `[/]`"
