"""Text from outside on screen: always plain text, never markup, never a byte for the terminal.

Every string that comes from a lesson, a bundle, a transcript, a journal, the progress store,
a settings file or a command's output reaches a widget through one of these, as a Rich `Text`
built from `tutor.lesson.untrusted` (escape sequences and controls shown as `�`, bidi
controls as `⟨RLO⟩`, long fields cut with a note). Textual reads a `str` handed to a
Static, a Label, a Button, a DataTable cell, a Tree node, a Select option or a notification
as markup (`[@click=app.screenshot(...)]` would be an action, `[/]` a crash, `dict[str, int]`
would lose `[str, int]`); a `Text` it shows as it is. Markup stays for Tutor's own literals.

Behind this boundary the app keeps two guards of its own (`TutorApp`): no click ever runs an
action carried in text (Tutor writes none), and notifications, window titles and sub-titles
are cleaned and shown without markup whatever their caller passed.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tutor.lesson import untrusted
from tutor.lesson.untrusted import FIELD_LIMIT, LINE_LIMIT

StyleType = str | Style
Part = str | Text | tuple

# The widest a title or a table cell's text is before it is cut (a cell is narrower still on screen).
CELL_LIMIT = 200


class Plain(Text):
    """A Rich `Text` that takes only shown text: what it is built from and every string appended to it is cleaned.

    So `assemble(...)` followed by `.append(data)` cannot bring an escape byte back in.
    Cleaning here has no limit (it is idempotent, so Rich's own copies stay the same); the
    helpers below cut long fields first.
    """

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(untrusted.shown(text), *args, **kwargs)

    def append(self, text: str | Text, style: StyleType | None = None) -> Plain:
        if isinstance(text, str):
            text = untrusted.shown(text)
        super().append(text, style)
        return self


def plain(text: object = "", style: StyleType = "", *, limit: int | None = FIELD_LIMIT, **options: Any) -> Text:
    """Text from outside as plain text: controls and escapes visible, never markup, cut at `limit` with a note.

    `options` are `Text`'s own (`no_wrap`, `overflow`, `end`, `justify`).
    """
    return Plain(untrusted.shown(_str(text), limit=limit), style=style, **options)


def line(text: object, style: StyleType = "", *, limit: int | None = CELL_LIMIT, exact: bool = False) -> Text:
    """Text from outside on one line (a title, a table cell, a tree node, an option): breaks read as spaces.

    With `exact`, invisible characters are marked too (a command, a path).
    """
    return Plain(untrusted.one_line(_str(text), limit=limit, exact_text=exact), style=style)


def line_width(text: object) -> int:
    """The cells `line(text)` takes on screen, measured without making it where nothing in the text needs cleaning
    or cutting (most titles): a long list sizes its columns before it makes the rows it shows."""
    raw = _str(text)
    if len(raw) <= CELL_LIMIT and "\n" not in raw and "\t" not in raw and untrusted.is_safe(raw):
        return cell_len(raw)
    return line(raw).cell_len


def command(text: object, style: StyleType = "", *, limit: int | None = FIELD_LIMIT) -> Text:
    """A command or a path: as `plain`, and every invisible character shown, so what is read is what runs."""
    return Plain(untrusted.exact(_str(text), limit=limit), style=style)


def assemble(*parts: Part, style: StyleType = "", **options: Any) -> Text:
    """`Text.assemble` with every string part (and every `(string, style)` part) cleaned as `plain` cleans it.

    `Text` parts are taken as they are: build them with the helpers here.
    """
    cleaned: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            cleaned.append(untrusted.shown(part, limit=FIELD_LIMIT))
        elif isinstance(part, tuple):
            cleaned.append((untrusted.shown(_str(part[0]), limit=FIELD_LIMIT), *part[1:]))
        else:
            cleaned.append(part)
    return Plain.assemble(*cleaned, style=style, **options)


def text_of(text: object, *, limit: int | None = FIELD_LIMIT) -> str:
    """Text from outside as a clean `str` (for a widget that takes a str as plain text, like a Log or a TextArea)."""
    return untrusted.shown(_str(text), limit=limit)


def markdown_source(markdown: object, *, limit: int | None = FIELD_LIMIT) -> str:
    """Lesson Markdown made safe to parse and show: controls and escapes visible, cut at `limit` with a note."""
    return untrusted.shown(_str(markdown), limit=limit)


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_literal(text: object, *, limit: int | None = CELL_LIMIT) -> str:
    """One line of text from outside placed in Tutor's own Markdown: every Markdown character escaped, so it reads as written."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", untrusted.one_line(_str(text), limit=limit))


def _str(text: object) -> str:
    if isinstance(text, Text):
        return text.plain
    return "" if text is None else str(text)


__all__ = ["CELL_LIMIT", "FIELD_LIMIT", "LINE_LIMIT", "assemble", "command", "line", "line_width", "markdown_literal", "markdown_source", "plain", "text_of"]
