"""Finding which of many texts hold a secret with one scan of them all: `clean_texts`.

An import redacts thousands of distinct strings, most of them short (a command, a file
name, a line of the agent's) and nearly all without a secret. `Redactor.found` costs
about a hundred substring searches and the triggered patterns per call, whatever the
text's length, so most of an import's redaction was fixed cost per string. Here the
texts are joined at blank lines and scanned as one: a text no finding of the joined scan
touches is clean as it is; a text one touches is redacted alone, as before. The result is
what redacting each text alone gives (tested against it, hypothesis and the redaction
corpus).

Why the joined scan sees each text as the text alone would: no rule finds a secret that
spans a blank line, and none looks around a match at a character a line break is not
(`paragraphs` says which rules do otherwise; a text that holds what such a rule starts
from is left out of the joined scan and redacted alone):

- a private key block (`-----BEGIN`: its END is looked for far on, a block cut short runs
  to the end of the text);
- a `.netrc` entry start (`machine h`, or `default` at the start of a line: its tokens run
  over blank lines);
- a Twilio account SID (its auth token may follow after newlines);
- a character that lower-cases to several (the keywords are then looked for in a text
  lower-cased otherwise, and that choice is the whole scan's).

A known value (`Redactor.from_environment`, `knowing`) found across two texts, or any
finding that reaches into the blank line around a text, marks the texts it touches, which
are then redacted alone: a wrong mark costs time, never a missed secret. A redactor that
learns as it goes (`RememberingRedactor`) is not batched: what one text teaches it must
reach the texts after it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from .assignments import netrc_starts
from .redactor import Redactor

__all__ = ["SEPARATOR", "batchable", "clean_texts"]

SEPARATOR = "\n\n"
# The joined texts are scanned this much at a time: the scan's copies (joined, lower-cased) stay small.
_CHUNK_CHARS = 1 << 14
_TWILIO_SID = re.compile(r"AC[0-9a-fA-F]{32}")


def batchable(text: str, lowered: str | None = None) -> bool:
    """Whether `text` may be scanned joined with others (see the module docstring); `lowered`: `text.lower()`, when made."""
    if "-----BEGIN" in text:
        return False
    if "AC" in text and _TWILIO_SID.search(text) is not None:
        return False
    if lowered is None:
        lowered = text.lower()
    if len(lowered) != len(text):
        return False
    return next(netrc_starts(lowered), None) is None


def clean_texts(redactor: Redactor, texts: Sequence[str]) -> list[bool]:
    """For each of `texts`, whether `redactor.redact` leaves it as it is.

    False means "may hold a secret", or "not `batchable`": redact that text alone. The
    redactor must be a plain `Redactor` (one that does not learn as it goes).
    """
    clean = [True] * len(texts)
    # ASCII texts apart: one wider character makes a whole joined string wider (2 or 4 bytes a character).
    for group in ([i for i, text in enumerate(texts) if text.isascii()], [i for i, text in enumerate(texts) if not text.isascii()]):
        chunk: list[int] = []
        size = 0
        for index in group:
            if chunk and size + len(texts[index]) > _CHUNK_CHARS:
                _mark(redactor, texts, chunk, clean)
                chunk, size = [], 0
            chunk.append(index)
            size += len(texts[index]) + len(SEPARATOR)
        if chunk:
            _mark(redactor, texts, chunk, clean)
    return clean


def _mark(redactor: Redactor, texts: Sequence[str], chunk: list[int], clean: list[bool]) -> None:
    """Scan the texts of `chunk` joined; mark as not clean each text a finding touches, or comes within a separator of
    (and each text that is not `batchable`, left out of the scan)."""
    joined = SEPARATOR.join([texts[index] for index in chunk])
    lowered = joined.lower()  # asked by both checks below
    if not batchable(joined, lowered):
        # What makes a text not batchable shows in the texts joined too (a line start stays one; the separator is
        # blank): only then is each text asked.
        for index in chunk:
            if not batchable(texts[index]):
                clean[index] = False
        chunk = [index for index in chunk if clean[index]]
        if not chunk:
            return
        joined = SEPARATOR.join([texts[index] for index in chunk])
        lowered = joined.lower()
    starts: list[int] = []
    pos = 0
    for index in chunk:
        starts.append(pos)
        pos += len(texts[index]) + len(SEPARATOR)
    for finding in redactor.found(joined, lowered):
        # The text a finding starts in, and every text up to the one it ends in: reaching into the separator after
        # a text, or past it, marks the next text too (it may have shadowed a match there).
        k = bisect_right(starts, finding.start) - 1
        while k < len(starts) and starts[k] < finding.end + len(SEPARATOR):
            clean[chunk[k]] = False
            k += 1
