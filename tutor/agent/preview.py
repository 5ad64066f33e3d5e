"""What a proposed call would do, shown at the gate before anything runs: the command, or the diff of a write.

Previews only read: the current file comes through the tools' own `read_file` (so the
same path checks and redaction apply), and the new text is computed in memory.
"""

from __future__ import annotations

from collections.abc import Callable

from tutor.lesson.diffs import file_diff

from .scripted import ToolCall

PREVIEW_LINES = 400


def preview(call: ToolCall, read: Callable[[str], str | None]) -> tuple[str, str]:
    """(kind, text): kind is `command`, `diff`, `read` or `error`; `read(path)` gives a file's text or None."""
    data = call.input
    if call.input_error:
        return "error", call.input_error
    if call.tool == "run":
        return "command", str(data.get("command", ""))
    if call.tool in ("read_file", "list_files"):
        return "read", f"{call.tool} {data.get('path', '.')}"
    if call.tool not in ("write_file", "edit_file"):
        return "error", f"unknown tool {call.tool!r}"
    path = str(data.get("path", ""))
    before = read(path)
    if call.tool == "write_file":
        after = str(data.get("content", ""))
        label = "(new file)" if before is None else ""
        return "diff", _diff(path, before or "", after, label)
    if before is None:
        return "error", f"edit_file {path}: the file does not exist (the edit will fail)"
    old, new = str(data.get("old", "")), str(data.get("new", ""))
    count = before.count(old) if old else 0
    if count != 1:
        why = "does not occur" if count == 0 else f"occurs {count} times"
        return "error", f"edit_file {path}: the text to replace {why} (the edit will fail)"
    return "diff", _diff(path, before, before.replace(old, new, 1), "")


def _diff(path: str, before: str, after: str, label: str) -> str:
    lines = file_diff(path, before, after)
    if not lines:
        return f"{path}: no change"
    text = "".join(line + "\n" for line in lines[:PREVIEW_LINES])
    if len(lines) > PREVIEW_LINES:
        text += f"... {len(lines) - PREVIEW_LINES} more diff lines\n"
    return (f"{label}\n" if label else "") + text.rstrip("\n")
