"""A transcript written in Claude Code's format, imported as `tutor import claude-code` does: the lesson a learner gets."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tests.helpers.claude_code_format import Session
from tutor.record.claude_code import import_claude_code, write_imported_lesson


def imported_lesson(session: Session) -> tuple[dict[str, Any], str]:
    """The lesson `session` imports into, and its `lesson.json` as written (read back whole, in a folder removed after)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        write_imported_lesson(import_claude_code(session.write(Path(folder) / "s.jsonl")), out)
        text = (out / "lesson.json").read_text(encoding="utf-8")
    return json.loads(text), text
