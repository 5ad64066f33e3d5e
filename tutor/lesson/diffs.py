"""The one way Tutor writes a unified diff of two texts: a proposal at the gate, an edit's result,
a step on the lesson screen, a rebuilt lesson against the one checked in.

Pure, standard library only. Lines are compared with their line ends, so a change that only adds
or drops a final newline is shown, and written without them (`-foo`, `+foo`).
"""

from __future__ import annotations

import difflib
import re

__all__ = ["file_diff", "unified_diff"]

_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def unified_diff(before: str, after: str, old_name: str, new_name: str, *, context: int = 3, first_line: int = 0) -> list[str]:
    """The diff's lines, without line ends; [] when the texts are equal.

    `first_line`: how many lines of the file come before `before` (a diff of a window of a large
    file), added to the hunk headers' line numbers so they number the whole file.
    """
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), old_name, new_name, n=context)
    out = [line.rstrip("\r\n") for line in lines]
    return [_shift(line, first_line) for line in out] if first_line else out


def file_diff(path: str, before: str, after: str, *, context: int = 3, first_line: int = 0) -> list[str]:
    """`unified_diff` of one file, named `a/PATH` and `b/PATH` as git names them."""
    return unified_diff(before, after, f"a/{path}", f"b/{path}", context=context, first_line=first_line)


def _shift(line: str, by: int) -> str:
    match = _HUNK.match(line)
    if not match:
        return line
    old_start, old_len, new_start, new_len = match.groups()
    return f"@@ -{int(old_start) + by}{old_len or ''} +{int(new_start) + by}{new_len or ''} @@" + line[match.end() :]
