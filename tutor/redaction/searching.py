"""Where words and line-start patterns stand in a long text: what `str.find` and `re` give, without a pass per place.

Redaction and the importer's home-path scrubbing look through long outputs for a few words
(`places`) and for lines of a given form (`AtLineStarts`). A pattern written `(?m)^...` is
tried by `re` at every place of the text, since it starts with no character to search for;
searched as "the first line, then each newline and what follows it", it starts with one, and
`re` skips to it (three times quicker on code).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

__all__ = ["AtLineStarts", "places"]


def places(text: str, word: str) -> list[int]:
    """Every place `word` starts in `text`, in order (overlapping ones too)."""
    found = []
    at = text.find(word)
    while at != -1:
        found.append(at)
        at = text.find(word, at + 1)
    return found


class AtLineStarts:
    """A pattern written `(?m)^...` whose matches never hold a line break nor are empty, searched for as `pattern` would
    be: `finditer` and `sub` give what `pattern`'s do. A match on a line after the first starts at the newline before
    it: read its groups, not its whole text."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        if not pattern.pattern.startswith("(?m)^"):
            raise ValueError(f"not a pattern anchored at line starts: {pattern.pattern[:40]!r}")
        self.pattern = pattern
        body = pattern.pattern.removeprefix("(?m)^")
        self._first = re.compile(body)
        self._after_newline = re.compile("\n" + body)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        first = self._first.match(text)
        if first is not None:
            yield first
        yield from self._after_newline.finditer(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        """`pattern.sub(repl, text)`. The later lines first: what they become cannot change the first line's match."""
        after: str | Callable[[re.Match[str]], str] = "\n" + repl if isinstance(repl, str) else (lambda match: "\n" + repl(match))
        text = self._after_newline.sub(after, text)
        first = self._first.match(text)
        if first is None:
            return text
        return (first.expand(repl) if isinstance(repl, str) else repl(first)) + text[first.end() :]
