"""Lesson Markdown simple enough to read without a Markdown parser: paragraphs of words, `code`, **strong** and *emphasis*.

Most lesson text (a task, a prompt, an agent's message, a question) is just that. Reading
it with markdown-it, and drawing it with Rich's Markdown, costs importing both with
Pygments (~40 ms before a lesson's first screen can take a key, issue 18). What this
module accepts is read here instead, into the same pieces the lesson dialect's parser
(`tutor.lesson.markdown`) would make of it; anything else, or anything it is not sure of,
gives None and goes to that parser. `tests/unit/test_simple_markdown.py` holds the two
equal, piece for piece, on every text this module accepts (hypothesis draws them from
Markdown's own punctuation).

Accepted, and nothing more:

- paragraphs: lines with no space at either end, separated by empty lines; a line break
  inside a paragraph is a soft break (a space on screen);
- a line never starts as a block would (a heading, quote, list, rule, fence, table or
  setext underline): not with `#`, `>`, `-`, `+`, `=`, `_`, `~`, three backticks, or a
  number followed by `.` or `)`;
- no character that opens anything else: no `\\`, `&`, `<`, `[`, `]`, `|`, `~`, no tab,
  no control character;
- code spans (a run of backticks closed by a run of the same length);
- `**strong**` and `*emphasis*`, not nested in each other: each opening run of `*` after
  the start, a space or a line break and before a character that is not a space; each
  closing run after a character that is not a space and before the end, a space, a line
  break, or (after a letter or digit) one of `.,;:!?)`. Any other `*` gives None.

In the lesson dialect `_` never emphasises, so underscores are plain text here too.
"""

from __future__ import annotations

import re

# One piece of a paragraph: its text and the inline styles around it, outermost first ("strong", "em", "code").
Piece = tuple[str, tuple[str, ...]]

_NOT_SIMPLE = re.compile(r"[\\&<\[\]|~\t\r\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLOCK_START = re.compile(r"^(?:[#>+\-=_]|```|\d{1,9}[.)](?:\s|$))", re.MULTILINE)
_SPACE_AT_LINE_END = re.compile(r"^\s|\s$", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")
_STARS = re.compile(r"\*+")
_CLOSING_PUNCTUATION = frozenset(".,;:!?)")
_STYLES = {1: "em", 2: "strong"}


def simple_paragraphs(markdown: str) -> list[list[Piece]] | None:
    """The paragraphs of `markdown` as pieces, if it is simple in the sense above; else None."""
    if not markdown.strip() or _NOT_SIMPLE.search(markdown) or _BLOCK_START.search(markdown):
        return None
    paragraphs = [block for block in re.split(r"\n{2,}", markdown.strip("\n")) if block]
    if any(_SPACE_AT_LINE_END.search(block) for block in paragraphs):
        return None
    pieces = [simple_inline(block) for block in paragraphs]
    if any(piece is None for piece in pieces):
        return None
    return pieces  # type: ignore[return-value]  # no None left


def simple_inline(text: str) -> list[Piece] | None:
    """The pieces of one paragraph's (or one line's) text, if simple; else None. A line break stays in its piece."""
    if not text or _NOT_SIMPLE.search(text) or text[0].isspace() or text[-1].isspace() or _SPACE_AT_LINE_END.search(text):
        return None
    spans = _code_spans(text)
    if spans is None:
        return None
    styles = _emphasis(text, spans)
    if styles is None:
        return None
    return _pieces(text, spans, styles)


def _code_spans(text: str) -> list[tuple[int, int, str]] | None:
    """(start, end, content) of each code span; None when a run of backticks is left unclosed."""
    spans: list[tuple[int, int, str]] = []
    runs = list(_BACKTICKS.finditer(text))
    index = 0
    while index < len(runs):
        opening = runs[index]
        closing_index = next((later for later in range(index + 1, len(runs)) if len(runs[later].group()) == len(opening.group())), None)
        if closing_index is None:
            return None
        closing = runs[closing_index]
        content = text[opening.end() : closing.start()].replace("\n", " ")
        if len(content) > 1 and content[0] == " " and content[-1] == " " and content.strip(" "):
            content = content[1:-1]
        spans.append((opening.start(), closing.end(), content))
        index = closing_index + 1
    return spans


def _emphasis(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, int, int, str]] | None:
    """Each emphasis as (open start, open end, close start, close end, style); None if a `*` is anything else."""

    def in_code(position: int) -> bool:
        return any(start <= position < end for start, end, _ in spans)

    runs = [run for run in _STARS.finditer(text) if not in_code(run.start())]
    if len(runs) % 2:
        return None
    found = []
    for opening, closing in zip(runs[::2], runs[1::2]):
        width = len(opening.group())
        if width not in _STYLES or len(closing.group()) != width:
            return None
        if not _opens(text, opening.start(), opening.end()) or not _closes(text, closing.start(), closing.end()):
            return None
        found.append((opening.start(), opening.end(), closing.start(), closing.end(), _STYLES[width]))
    return found


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


def _pieces(text: str, spans: list[tuple[int, int, str]], emphasis: list[tuple[int, int, int, int, str]]) -> list[Piece]:
    """The text cut at every code span and emphasis mark, each piece with the styles it stands in."""
    marks = sorted([(start, end, "code", content) for start, end, content in spans]
                   + [(o_start, o_end, "open", style) for o_start, o_end, _, _, style in emphasis]
                   + [(c_start, c_end, "close", style) for _, _, c_start, c_end, style in emphasis])
    pieces: list[Piece] = []
    outer: tuple[str, ...] = ()
    position = 0
    for start, end, kind, value in marks:
        if start > position:
            pieces.append((text[position:start], outer))
        if kind == "code":
            pieces.append((value, (*outer, "code")))
        elif kind == "open":
            outer = (value,)
        else:
            outer = ()
        position = end
    if position < len(text):
        pieces.append((text[position:], outer))
    return [piece for piece in pieces if piece[0]]
