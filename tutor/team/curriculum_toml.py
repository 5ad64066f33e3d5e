"""A team's `curricula/curriculum.toml`, extended by one lesson without rewriting the rest.

`tutor team publish` lists each published lesson in the team's `curriculum.toml`, after the
lessons already there. Every publisher writes this one file, so its `lessons` array is kept in
a shape git can merge without a conflict: one id a line, each line ending with a comma, and the
closing `]` on a line of its own:

    lessons = [
      "first-lesson",
      "second-lesson",
    ]

A new lesson is one new line just before the `]`. Two members who publish between syncs each
add one such line at the same place, and git's union merge (`merge=union` in the team's
`.gitattributes`, `tutor.team.union_merge`) keeps both: with a comma ending every line, the two
lines side by side are still a valid array. An array in another shape (a one-line
`lessons = ["a", "b"]`, as people write it by hand) is rewritten into this one the first time a
lesson is added, keeping its comments; everything else in the file (comments, layout, the order
of the lessons) is kept byte for byte. Every edit is checked by parsing the result: it must read
as the old file with one more lesson at the end, or nothing is written (`TeamFormatError`).

Pure: text in, text out. Reading and writing the file is the caller's (bounded reads through
`tutor.lesson.limits`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
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
_ELEMENT_INDENT = "  "

# The lines of an array in the mergeable shape, as the kinds of their tokens (whitespace aside).
_SHAPED_FIRST_LINE = ((), ("comment",))  # after the `[`: nothing, or a comment
_SHAPED_LINE = ((), ("comment",), ("string", "comma"), ("string", "comma", "comment"))


def new_curriculum_toml(title: str, lesson_ids: list[str]) -> str:
    """The text of a new `curriculum.toml` titled `title`, listing `lesson_ids` in order, one a line
    (as `tutor team init` and `tutor team publish` write it)."""
    listed = "".join(f"{_ELEMENT_INDENT}{toml_string(lesson_id)},\n" for lesson_id in lesson_ids)
    return f"title = {toml_string(title)}\ndescription = {toml_string(f'The lessons of {title}.')}\nlessons = [\n{listed}]\n"


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
    """`text` with `lesson_id` on a new line at the end of its `lessons`, the array in the mergeable
    shape, everything else as it was; None when it is listed already.

    A file without `lessons` gains one listing the lesson (before its first table, if it has one).
    """
    data = _parsed(text, source)
    lessons = listed_lessons(text, source=source)
    if lesson_id in lessons:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    entry = toml_string(lesson_id)
    expected = {**data, "lessons": [*lessons, lesson_id]}
    candidates: list[str | None]
    if "lessons" not in data:
        listing = f"lessons = [{newline}{_ELEMENT_INDENT}{entry},{newline}]{newline}"
        table = _TABLE_HEADER.search(text)
        if table is not None:
            candidates = [text[: table.start()] + listing + text[table.start() :]]
        else:
            candidates = [text + ("" if text.endswith("\n") or not text else newline) + listing]
    else:
        candidates = [_appended(text, match.end() - 1, lessons, entry, newline) for match in _LESSONS_KEY.finditer(text)]
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


@dataclass(frozen=True)
class _Token:
    kind: str  # "string", "comma" or "comment" (a newline ends a line; whitespace is skipped)
    start: int
    end: int


@dataclass(frozen=True)
class _Array:
    closing: int  # the index of the `]`
    lines: list[list[_Token]]  # the tokens of each line, from just after the `[` to just before the `]`


def _appended(text: str, opening: int, lessons: list[str], entry: str, newline: str) -> str | None:
    """`text` with the array opened at `opening` (a `[`) in the mergeable shape and `entry` on a new
    line at its end; None when no array of `lessons` opens there (then `opening` was not the real key)."""
    shaped = _in_shape(text, opening, lessons, newline)
    if shaped is None:
        return None
    array = _array(shaped, opening)
    if array is None:
        return None
    strings = [token for line in array.lines for token in line if token.kind == "string"]
    indent = _indent(shaped, strings[-1].start) if strings else _indent(shaped, opening) + _ELEMENT_INDENT
    closing_line = shaped.rfind("\n", 0, array.closing) + 1
    return shaped[:closing_line] + f"{indent}{entry},{newline}" + shaped[closing_line:]


def _in_shape(text: str, opening: int, lessons: list[str], newline: str) -> str | None:
    """`text` with the array opened at `opening` in the mergeable shape (unchanged when it is already),
    or None when that is not an array of the strings `lessons`."""
    array = _array(text, opening)
    if array is None:
        return None
    strings = [token for line in array.lines for token in line if token.kind == "string"]
    if len(strings) != len(lessons):
        return None
    if _shaped(text, array):
        return text
    # Rewritten once: each id on its own line with a comma, its comments kept beside it.
    indent = _element_indent(text, opening, array)
    first = ["["]
    body: list[str] = []
    number = 0
    for index, line in enumerate(array.lines):
        comment = next((text[token.start : token.end].rstrip() for token in line if token.kind == "comment"), None)
        on_line = [token for token in line if token.kind == "string"]
        for position in range(len(on_line)):
            element = f"{indent}{toml_string(lessons[number])},"
            number += 1
            if comment is not None and position == len(on_line) - 1:
                element += f"  {comment}"
            body.append(element)
        if comment is not None and not on_line:
            if index == 0:
                first.append(f"  {comment}")
            else:
                body.append(f"{indent}{comment}")
    rewritten = "".join(first) + newline + "".join(line + newline for line in body) + _indent(text, opening) + "]"
    return text[:opening] + rewritten + text[array.closing + 1 :]


def _shaped(text: str, array: _Array) -> bool:
    """Whether the array is one id a line, each ending with a comma, and `]` on its own line."""
    if len(array.lines) < 2 or array.lines[-1]:
        return False
    if tuple(token.kind for token in array.lines[0]) not in _SHAPED_FIRST_LINE:
        return False
    for line in array.lines[1:-1]:
        if tuple(token.kind for token in line) not in _SHAPED_LINE:
            return False
        if any(token.kind == "string" and "\n" in text[token.start : token.end] for token in line):
            return False
    return True


def _element_indent(text: str, opening: int, array: _Array) -> str:
    """The indent of the array's elements: that of the first element opening a line, else the key's and two spaces."""
    for line in array.lines[1:]:
        if line and line[0].kind == "string":
            return _indent(text, line[0].start)
    return _indent(text, opening) + _ELEMENT_INDENT


def _indent(text: str, position: int) -> str:
    """The whitespace that starts the line holding `text[position]`."""
    start = text.rfind("\n", 0, position) + 1
    before = text[start:position]
    return before[: len(before) - len(before.lstrip(" \t"))]


def _array(text: str, opening: int) -> _Array | None:
    """The tokens of the array of strings opened at `opening`, line by line, and where it closes; None
    when it does not close or holds anything but strings (then `opening` was not the real key)."""
    lines: list[list[_Token]] = [[]]
    index = opening + 1
    size = len(text)
    while index < size:
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            end = size if newline == -1 else newline
            lines[-1].append(_Token("comment", index, end))
            index = end
        elif char == "\n":
            lines.append([])
            index += 1
        elif char in " \t\r":
            index += 1
        elif char in "\"'":
            string_end = _string_end(text, index)
            if string_end is None:
                return None
            lines[-1].append(_Token("string", index, string_end))
            lines.extend([] for _ in range(text.count("\n", index, string_end)))  # a multi-line string's lines
            index = string_end
        elif char == ",":
            lines[-1].append(_Token("comma", index, index + 1))
            index += 1
        elif char == "]":
            return _Array(index, lines)
        else:
            return None
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
