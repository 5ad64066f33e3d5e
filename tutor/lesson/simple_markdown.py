"""Lesson Markdown simple enough to read without a Markdown parser: paragraphs and headings of words, `code`, **strong** and *emphasis*.

Most lesson text (a task, a prompt, an agent's message, a question, the library's details
of a lesson) is just that. Reading it with markdown-it, and drawing it with Rich's
Markdown, costs importing both with Pygments (~40 ms before a lesson's first screen can
take a key, issue 18). What this module accepts is read here instead, into the same
pieces the lesson dialect's parser (`tutor.lesson.markdown`) makes of it; anything else,
or anything it is not sure of, gives None and goes to that parser.
`tests/unit/test_simple_markdown.py` holds the two drawings equal on every text this
module accepts (hypothesis draws them from Markdown's own punctuation).

Accepted, and nothing more:

- blocks separated by empty lines, each line with no space at either end: a paragraph
  (a line break inside it is a soft break, a space on screen), or a heading alone on its
  line (`#` to `######`, a space, its words, no closing `#`);
- no other line starts as a block would: not with `#`, `>`, `-`, `+`, `=`, `_`, `:`,
  three backticks, or a number followed by `.` or `)`;
- a backslash only before ASCII punctuation, which it makes plain (as `markdown_literal`
  writes a title); no other `&`, `<`, `[`, `]`, `|`, `~`, no tab, no control character;
- code spans (a run of backticks closed by a run of the same length);
- `**strong**` and `*emphasis*`, not nested in each other: each opening run after the
  start, a space or a line break and before a character that is not a space; each closing
  run after a character that is not a space and before the end, a space, a line break, or
  (after a letter or digit) one of `.,;:!?)`. Any other `*` gives None.

In the lesson dialect `_` never emphasises, so underscores are plain text here too.
"""

from __future__ import annotations

import re
import string
from typing import Any

# One piece of a block: its text and the inline styles around it, outermost first ("strong", "em", "code").
Piece = tuple[str, tuple[str, ...]]
# One block: "p" (a paragraph) or "h1" to "h6" (a heading), and its pieces.
Block = tuple[str, list[Piece]]
# What the text is read into first: ("text", words, None), ("code", content, None) or ("star", start, end).
_Atom = tuple[str, Any, Any]

_NOT_SIMPLE = re.compile(r"[\t\r\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEVER_PLAIN = frozenset("&<[]|~")  # unless escaped
_ESCAPABLE = frozenset(string.punctuation)
_HEADING = re.compile(r"(#{1,6}) (\S(?:[^\n]*\S)?)")
_BLOCK_START = re.compile(r"^(?:[#>+\-=_:]|```|\d{1,9}[.)](?:\s|$))", re.MULTILINE)
_SPACE_AT_LINE_END = re.compile(r"^\s|\s$", re.MULTILINE)
_CLOSING_PUNCTUATION = frozenset(".,;:!?)")
# Characters that are only ever text here (no escape, code span, emphasis or refusal): taken a run at a time.
_PLAIN_RUN = re.compile("[^" + re.escape("\\`*" + "".join(sorted(_NEVER_PLAIN))) + "]+")
_STYLES = {1: "em", 2: "strong"}


def simple_blocks(markdown: str) -> list[Block] | None:
    """The blocks of `markdown` as pieces, if it is simple in the sense above; else None."""
    if _NOT_SIMPLE.search(markdown):
        return None
    blocks: list[Block] = []
    if not markdown.strip(" \n"):
        return blocks  # nothing to draw
    for source in re.split(r"\n{2,}", markdown.strip("\n")):  # a space at a line's end: refused by `simple_inline`
        heading = _HEADING.fullmatch(source)
        if heading is not None and not heading.group(2).endswith("#"):
            kind, source = f"h{len(heading.group(1))}", heading.group(2)
        elif _BLOCK_START.search(source):
            return None
        else:
            kind = "p"
        pieces = simple_inline(source)
        if pieces is None:
            return None
        blocks.append((kind, pieces))
    return blocks


def simple_inline(text: str) -> list[Piece] | None:
    """The pieces of one block's (or one line's) text, if simple; else None. A line break stays in its piece."""
    if not text or text[0].isspace() or text[-1].isspace() or _NOT_SIMPLE.search(text) or _SPACE_AT_LINE_END.search(text):
        return None
    atoms = _atoms(text)
    if atoms is None:
        return None
    stars = [atom for atom in atoms if atom[0] == "star"]
    if len(stars) % 2:
        return None
    for (_, open_start, open_end), (_, close_start, close_end) in zip(stars[::2], stars[1::2]):
        width = open_end - open_start
        if width not in _STYLES or close_end - close_start != width:
            return None
        if not _opens(text, open_start, open_end) or not _closes(text, close_start, close_end):
            return None
    pieces: list[Piece] = []
    outer: tuple[str, ...] = ()
    for kind, first, second in atoms:
        if kind == "star":
            outer = () if outer else (_STYLES[second - first],)
        elif kind == "code":
            pieces.append((first, (*outer, "code")))
        elif pieces and pieces[-1][1] == outer and pieces[-1][1][-1:] != ("code",):
            pieces[-1] = (pieces[-1][0] + first, outer)
        else:
            pieces.append((first, outer))
    return [piece for piece in pieces if piece[0]]


def _atoms(text: str) -> list[_Atom] | None:
    """The text read left to right as markdown-it reads it: ("text", words, _), ("code", content, _), ("star", start, end)."""
    atoms: list[_Atom] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            atoms.append(("text", "".join(words), None))
            words.clear()

    position, length = 0, len(text)
    while position < length:
        plain = _PLAIN_RUN.match(text, position)
        if plain is not None:
            words.append(plain.group())
            position = plain.end()
            continue
        character = text[position]
        if character == "\\":
            escaped = text[position + 1 : position + 2]
            if not escaped or escaped not in _ESCAPABLE:
                return None
            words.append(escaped)
            position += 2
        elif character == "`":
            end = position
            while end < length and text[end] == "`":
                end += 1
            closing = _closing_run(text, end, end - position)
            if closing is None:
                return None
            content = text[end:closing].replace("\n", " ")
            if len(content) > 1 and content[0] == " " and content[-1] == " " and content.strip(" "):
                content = content[1:-1]
            flush()
            atoms.append(("code", content, None))
            position = closing + end - position
        elif character == "*":
            end = position
            while end < length and text[end] == "*":
                end += 1
            flush()
            atoms.append(("star", position, end))
            position = end
        else:  # one of _NEVER_PLAIN
            return None
    flush()
    return atoms


def _closing_run(text: str, start: int, width: int) -> int | None:
    """Where the first run of exactly `width` backticks from `start` begins, or None."""
    for run in re.finditer(r"`+", text[start:]):
        if len(run.group()) == width:
            return start + run.start()
    return None


def _opens(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return before in " \n" and not after.isspace() and after != "*"


def _closes(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before.isspace() or before == "*":
        return False
    return after in " \n" or (after in _CLOSING_PUNCTUATION and before.isalnum())
