"""What the importer's modules share: the limits, the kinds of record and tool, the errors, the result."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tutor.errors import UserError
from tutor.lesson.limits import MAX_TRANSCRIPT_BYTES

MAX_OUTPUT_LINES = 400
MAX_OUTPUT_BYTES = 64 * 1024
MAX_INPUT_CHARS = 64 * 1024
MAX_INPUT_DEPTH = 12  # levels inside one tool input; deeper parts are kept as JSON text
MAX_FILE_BYTES = MAX_TRANSCRIPT_BYTES  # documented in docs/lesson-format.md, "Limits"
MAX_OUTCOME_ASKS = 15
MAX_STEPS = 600

MACHINERY_TYPES = frozenset({"progress", "system", "summary", "file-history-snapshot", "queue-operation", "hook", "hooks"})
KNOWN_TYPES = MACHINERY_TYPES | {"user", "assistant"}
QUIET_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit", "TodoWrite"})  # a success says nothing: no result step
MAX_MERGED_EDITS = 8
READ_ONLY_TOOLS = frozenset({"Read", "Glob", "Grep", "LS", "NotebookRead"})
_EXIT_CODE = re.compile(r"^Exit code (-?\d+)\b")


class ClaudeCodeImportError(UserError):
    """The file cannot be imported as a Claude Code transcript; one line for the user."""


@dataclass
class ImportResult:
    """The draft, what was done to make it, and (when the session's code could be replayed) its `repo.bundle`'s bytes."""

    lesson_data: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    bundle: bytes | None = None
