"""A team's `curricula/curriculum.toml`, extended by one lesson without rewriting the rest.

`tutor team publish` lists each published lesson in the team's `curriculum.toml`, after the
lessons already there. The file is the team's, often edited by hand: its comments, its layout
and the order of its lessons are kept byte for byte; only the new id is inserted, just before
the `]` that closes `lessons`. The edit is checked by parsing the result: it must read as the
old file with one more lesson at the end, or nothing is written (`TeamFormatError`).

Pure: text in, text out. Reading and writing the file is the caller's (bounded reads through
`tutor.lesson.limits`).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from tutor.lesson.limits import MAX_CURRICULUM_BYTES, size_text
from tutor.lesson.untrusted import one_line

from .folder import TeamFormatError, toml_string

__all__ = ["listed_lessons", "new_curriculum_toml", "with_lesson_listed"]

# A top-level `lessons = [` at the start of a line, the key bare or quoted. Each match is only
# a candidate (the same words may sit inside a multi-line description): parsing the edited
# text decides which one is the real key.
_LESSONS_KEY = re.compile(r"""^[ \t]*(?:lessons|"lessons"|'lessons')[ \t]*=[ \t]*\[""", re.MULTILINE)
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def new_curriculum_toml(title: str, lesson_ids: list[str]) -> str:
    """The text of a new `curriculum.toml` titled `title`, listing `lesson_ids` in order (as `tutor team init` writes it)."""
    listed = ", ".join(toml_string(lesson_id) for lesson_id in lesson_ids)
    return f"title = {toml_string(title)}\ndescription = {toml_string(f'The lessons of {title}.')}\nlessons = [{listed}]\n"


def _parsed(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TeamFormatError(f"{one_line(source, limit=200)}: not valid TOML ({one_line(str(error), limit=200)}); fix it first") from None
    except RecursionError:
        raise TeamFormatError(f"{one_line(source, limit=200)}: nesting is absurdly deep; fix it first") from None


def listed_lessons(text: str, *, source: str = "curriculum.toml") -> list[str]:
    """The lesson folders `text` lists, in order (none when it has no `lessons` yet); `TeamFormatError`
    when it is not TOML or `lessons` is not a list of names."""
    lessons = _parsed(text, source).get("lessons", [])
    if not isinstance(lessons, list) or not all(isinstance(name, str) for name in lessons):
        raise TeamFormatError(f"{one_line(source, limit=200)}: lessons must be a list of lesson folder names; fix it first")
    return lessons


def with_lesson_listed(text: str, lesson_id: str, *, source: str = "curriculum.toml") -> str | None:
    """`text` with `lesson_id` appended to its `lessons`, everything else as it was; None when it is listed already.

    A file without `lessons` gains the line `lessons = ["<id>"]` (before its first table, if it has one).
    """
    data = _parsed(text, source)
    lessons = listed_lessons(text, source=source)
    if lesson_id in lessons:
        return None
    entry = toml_string(lesson_id)
    expected = {**data, "lessons": [*lessons, lesson_id]}
    candidates: list[str | None]
    if "lessons" not in data:
        line = f"lessons = [{entry}]\n"
        table = _TABLE_HEADER.search(text)
        if table is not None:
            candidates = [text[: table.start()] + line + text[table.start() :]]
        else:
            candidates = [text + ("" if text.endswith("\n") or not text else "\n") + line]
    else:
        candidates = [_insert(text, match.end() - 1, entry) for match in _LESSONS_KEY.finditer(text)]
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            if tomllib.loads(candidate) == expected:
                return _within_limit(candidate, source)
        except (tomllib.TOMLDecodeError, RecursionError):
            continue
    raise TeamFormatError(f"{one_line(source, limit=200)}: cannot find where its lessons list ends; add {lesson_id!r} to it by hand")


def _within_limit(text: str, source: str) -> str:
    if len(text.encode("utf-8")) > MAX_CURRICULUM_BYTES:
        raise TeamFormatError(f"{one_line(source, limit=200)}: one more lesson would make it larger than {size_text(MAX_CURRICULUM_BYTES)}, the most Tutor reads")
    return text


def _insert(text: str, opening: int, entry: str) -> str | None:
    """`text` with `entry` added as the last element of the array opened at `opening` (a `[`), or None
    when that array does not close (then `opening` was not the real key: it was inside a string)."""
    found = _array_end(text, opening)
    if found is None:
        return None
    closing, last_end = found
    spans_lines = "\n" in text[opening:closing]
    comma = text[last_end - 1] == ","  # a trailing comma: keep the style, the new entry ends with one too
    if last_end == opening + 1:  # empty: `[]`, or only comments and blank lines inside
        return text[: opening + 1] + entry + text[opening + 1 :]
    line_end = text.find("\n", last_end)
    if not spans_lines or line_end == -1 or line_end > closing:  # `]` on the last element's line
        addition = f" {entry}," if comma else f", {entry}"
        return text[:last_end] + addition + text[last_end:]
    # One element a line: the new one on a line of its own, after the last one's comment (if any).
    indent = _indent(text, last_end)
    if comma:
        return text[:line_end] + f"\n{indent}{entry}," + text[line_end:]
    return text[:last_end] + "," + text[last_end:line_end] + f"\n{indent}{entry}" + text[line_end:]


def _indent(text: str, position: int) -> str:
    """The whitespace that starts the line holding `text[position - 1]` (the last element's line)."""
    start = text.rfind("\n", 0, position - 1) + 1
    line = text[start:position]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _array_end(text: str, opening: int) -> tuple[int, int] | None:
    """Where the array opened at `opening` closes, and the end of its last element or comma
    (comments and whitespace skipped): `(index of the closing ], end of the last token)`."""
    depth = 0
    last_end = opening + 1
    index = opening
    size = len(text)
    while index < size:
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            index = size if newline == -1 else newline
            continue
        if char in "\"'":
            end = _string_end(text, index)
            if end is None:
                return None
            index = last_end = end
            continue
        if char in "[{":
            depth += 1
            if index != opening:
                last_end = index + 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return (index, last_end) if char == "]" else None
            last_end = index + 1
        elif not char.isspace():
            last_end = index + 1
        index += 1
    return None


def _string_end(text: str, start: int) -> int | None:
    """The index just after the TOML string starting at `start` (basic or literal, one line or three quotes)."""
    quote = text[start]
    triple = text.startswith(quote * 3, start)
    delimiter = quote * 3 if triple else quote
    index = start + len(delimiter)
    size = len(text)
    while index < size:
        char = text[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if not triple and char == "\n":
            return None
        if text.startswith(delimiter, index):
            end = index + len(delimiter)
            # A multi-line string may end in up to two more quotes of its own (`""""` is one `"` and the end).
            while triple and end < size and text[end] == quote and end - index < 5:
                end += 1
            return end
        index += 1
    return None
