"""Redacting long text a paragraph at a time, each distinct paragraph once: `Redaction`.

An imported session's code is committed version after version, each a whole file that
differs from the one before by one edit; its steps read the same files again. Redacting
each version whole searches the same unchanged paragraphs again and again. A text split at
its blank lines (`\\n\\n`) can be redacted piece by piece, each piece remembered, when no
rule can find a secret that spans a blank line. None can, unless the text holds:

- a private key block (`-----BEGIN`: its END is looked for up to 64 KiB on, and a block cut
  short is its base64 up to the end);
- a `.netrc` entry start (`machine h`, or `default` at the start of a line: its tokens run over any blank);
- a Twilio account SID (`AC` and 32 hex digits: its auth token may follow after newlines);
- a character that lower-cases to several (the keywords are then looked for in a text
  lower-cased otherwise, whole);
- and the redactor must know no values (`Redactor.from_environment`'s, learned ones): a known
  value is also found with whitespace anywhere inside it; nor learn any (`RememberingRedactor`).

Every other rule matches within a line, or across single line breaks (base64 blocks, PuTTY
keys), and looks around a match only at characters a line break is not (a letter, a digit,
a token character), so at a blank line a piece sees what the whole text would: the same
findings, the same markers, pass after pass. Texts that hold any of the above are redacted
whole, as before. Tested against redacting whole (hypothesis, the redaction corpus).

`redact_obj` also finds which strings and paragraphs it has not seen yet are clean with one
scan of them joined (`batch`), instead of one scan each: most of an import's strings are
short, and a scan's cost was mostly fixed per string.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .assignments import _field_kind
from .batch import batchable, clean_texts
from .redactor import Redactor, _Seen

__all__ = ["Redaction"]

_BREAK = "\n\n"
SHORTEST = 2_000  # shorter texts are redacted whole: splitting them saves nothing


def splittable(text: str) -> bool:
    """Whether `text` may be redacted a paragraph at a time (see the module docstring; the redactor's values apart)."""
    return len(text) >= SHORTEST and _BREAK in text and batchable(text)


class Redaction:
    """One redactor's work over many texts (an import): each distinct string redacted once, long ones a paragraph at a time.

    Offers what an import asks of a redactor, `redact(text)` and `redact_obj(value)`, with
    the same results as the redactor's own.
    """

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._seen = _Seen(redactor._values)  # noqa: SLF001 - the redactor's own memo, kept for the whole import
        self._seen.whole = self._whole

    def redact(self, text: str) -> str:
        if not isinstance(text, str):
            raise TypeError(f"redact() takes str, not {type(text).__name__}")
        return self.redactor._text(text, self._seen)  # noqa: SLF001 - as its redact_obj redacts a string

    def redact_obj(self, value: Any) -> Any:
        if type(self.redactor) is Redactor:  # one that learns as it goes must see the strings one after another
            self._prime(_strings(value))
        return self.redactor._obj(value, None, self._seen)  # noqa: SLF001 - its redact_obj, with this memo

    def redact_in_place(self, value: dict[str, Any] | list[Any]) -> None:
        """`redact_obj(value)`, written into `value` itself: for data the caller owns (an import's draft), not copied
        (only a dict whose keys change is rebuilt, in order)."""
        if type(self.redactor) is Redactor:  # one that learns as it goes must see the strings one after another
            keys: set[str] = set()
            self._prime(_strings(value, keys))
            if not self.longest_change() and not any(_field_kind(key) for key in keys):
                return  # no string of it changes and no key names a secret: the walk below would change nothing
        redactor, seen = self.redactor, self._seen
        stack: list[Any] = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                keys_change = False
                for key, inner in item.items():
                    if isinstance(inner, str):
                        done = redactor._field(key if isinstance(key, str) else None, inner, seen)  # noqa: SLF001
                        if done is not inner:
                            item[key] = done  # a value replaced: the dict's size does not change
                    elif isinstance(inner, (dict, list)):
                        stack.append(inner)
                    elif isinstance(inner, tuple):
                        item[key] = redactor._obj(inner, None, seen)  # noqa: SLF001
                    if isinstance(key, str) and redactor._text(key, seen) != key:  # noqa: SLF001
                        keys_change = True
                if keys_change:
                    renamed = {(redactor._text(k, seen) if isinstance(k, str) else k): v for k, v in item.items()}  # noqa: SLF001
                    item.clear()
                    item.update(renamed)
            elif isinstance(item, list):
                for index, inner in enumerate(item):
                    if isinstance(inner, str):
                        done = redactor._text(inner, seen)  # noqa: SLF001
                        if done is not inner:
                            item[index] = done
                    elif isinstance(inner, (dict, list)):
                        stack.append(inner)
                    elif isinstance(inner, tuple):
                        item[index] = redactor._obj(inner, None, seen)  # noqa: SLF001

    def longest_change(self) -> int:
        """The length of the longest string this redaction changed (0: none): only those can have grown."""
        return max((len(done) for text, done in self._seen.texts.items() if done is not text and done != text), default=0)

    def _prime(self, strings: Iterator[str]) -> None:
        """Redact the strings not seen yet into the memo: those (or their paragraphs) a joined scan finds clean kept as
        they are, the rest redacted alone."""
        redactor, texts = self.redactor, self._seen.texts
        by_paragraph = not redactor._values  # noqa: SLF001 - known values span blank lines (see the module docstring)
        scan: dict[str, None] = {}  # what the joined scan looks at: whole strings and paragraphs, each once
        split: list[tuple[str, list[str]]] = []
        for text in strings:
            if text in texts or text in scan:
                continue
            pieces = text.split(_BREAK) if by_paragraph and splittable(text) else None
            if pieces is None:
                scan[text] = None  # one that is not batchable is found so by the scan's own check, and redacted alone
                continue
            split.append((text, pieces))
            for piece in pieces:
                if piece not in texts:
                    scan[piece] = None  # a splittable text's paragraphs are all batchable
        units = list(scan)
        for unit, clean in zip(units, clean_texts(redactor, units)):
            texts[unit] = unit if clean else redactor.redact(unit)
        for text, pieces in split:
            texts[text] = _BREAK.join(texts[piece] for piece in pieces)

    def _whole(self, text: str) -> str:
        """`redactor.redact(text)`, by paragraphs where that gives the same."""
        redactor = self.redactor
        # Known values span blank lines; a redactor that learns as it goes (`RememberingRedactor`) would apply what
        # one paragraph taught it to the next only: both redact whole.
        if type(redactor) is not Redactor or redactor._values or not splittable(text):  # noqa: SLF001
            return redactor.redact(text)
        texts = self._seen.texts
        out = []
        for piece in text.split(_BREAK):
            done = texts.get(piece)
            if done is None:
                done = texts[piece] = redactor.redact(piece)
            out.append(done)
        return _BREAK.join(out)


def _strings(value: Any, keys: set[str] | None = None) -> Iterator[str]:
    """Every string in a JSON-like value, dict keys included, depth first; the keys also added to `keys`, when given."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str):
                    if keys is not None:
                        keys.add(key)
                    yield key
                stack.append(inner)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
