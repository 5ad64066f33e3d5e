"""The records in a transcript's text, however they were written: JSON lines, pretty-printed, one array, several to a line.

The text comes as UTF-8 chunks (`transcript_text`: encodings, lines). Layouts:

- one object a line, as Claude Code writes them (the fast path: one strict msgspec decode a line, `json` where
  msgspec refuses the line);
- an object spread over lines (`json.dumps(record, indent=2)`), gathered line by line until
  its brackets close, then decoded once; a line that starts a new record at the margin
  while one is open ends the open one as cut short (a crash mid-write);
- objects concatenated on one line, and arrays on a line of their own;
- a file that is one JSON array (`[` first), on one line or pretty-printed, of any length:
  streamed element by element from a window of the text (`array_records`).

Values JSON does not have: `NaN`, `Infinity` and `-Infinity` become null, and a lone
surrogate escape (`"\\ud800"`) U+FFFD, so that nothing read can fail later when the lesson
is written as strict JSON or as UTF-8.

Bounds: the text is never held whole; no record may be longer than `MAX_RECORD_BYTES` (it
is skipped and the reading goes on after it) nor nest deeper than `MAX_RECORD_DEPTH`. What
could not be read, and how the records were laid out, is counted in `Tally`.
"""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from tutor.lesson.limits import MAX_RECORD_BYTES, MAX_RECORD_DEPTH

from .transcript_text import CHUNK, lines

__all__ = ["Tally", "array_records", "json_values", "records_in"]

@dataclass
class Tally:
    """What the reading met besides plain JSON lines: line numbers of what was skipped, counts of layouts."""

    bad: list[int] = field(default_factory=list)  # not JSON objects
    huge: list[int] = field(default_factory=list)  # longer than MAX_RECORD_BYTES
    deep: list[int] = field(default_factory=list)  # nested deeper than MAX_RECORD_DEPTH
    spread: int = 0  # values spread over several lines (pretty-printed)
    in_array: int = 0  # values that were elements of an array
    shared_line: int = 0  # values that shared their line with others
    constants: int = 0  # NaN, Infinity and -Infinity made null
    surrogates: int = 0  # records whose lone surrogates were made U+FFFD


_SKIP = re.compile(r"[\s,]*")  # between values: blanks, and the commas of an array
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_STRING_BYTES = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")  # every byte but the brackets, to delete
_SURROGATE = re.compile("[\ud800-\udfff]")
_BRACKET_OR_QUOTE = re.compile(r'[\[\]{}"]')
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*+')  # a string's characters after its opening quote, up to its closing one
_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # what `bytes.strip` keeps


# msgspec refuses what `json` would read otherwise (NaN, a lone surrogate escape, a number too large for a float,
# invalid UTF-8, trailing values): such a line is then read by `json`, with the repairs below. On what both accept they
# agree (a duplicate key's last value wins in both); msgspec decodes a line in about a third of `json`'s time.
_strict_decode = msgspec.json.Decoder().decode


def _rest_of_string(text: str, pos: int) -> int:
    """Where the string whose characters start at `pos` ends (its closing quote), or the end of `text`."""
    match = _STRING_REST.match(text, pos)
    return match.end() if match else pos


class _Reader:
    """The state of one reading: the decoder (NaN and Infinity become null, counted), the tally."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.decoder = json.JSONDecoder(parse_constant=self._constant)

    def _constant(self, name: str) -> None:
        self.tally.constants += 1  # NaN, Infinity, -Infinity: not JSON, refused when the lesson is written
        return None

    def record(self, value: Any, text: str, number: int) -> dict[str, Any] | None:
        """`value` (decoded from `text`, at line `number`) as a record, its lone surrogates made U+FFFD; None (tallied) if it is none."""
        if not isinstance(value, dict) or not isinstance(value.get("type", ""), str):
            self.tally.bad.append(number)
            return None
        if "\\u" in text and ("\\ud" in text or "\\uD" in text):  # only an escape gives a lone surrogate
            fixed = [0]
            value = _without_surrogates(value, fixed)
            self.tally.surrogates += fixed[0] > 0
        return value

    def records(self, value: list[Any], text: str, number: int) -> list[dict[str, Any]]:
        """An array found alone on its line: its records (its other elements tallied as one bad line)."""
        items = [item for item in value if isinstance(item, dict) and isinstance(item.get("type", ""), str)]
        if len(items) < len(value):
            self.tally.bad.append(number)
        self.tally.in_array += len(items)
        return [r for r in (self.record(item, text, number) for item in items) if r is not None]

    def values_in(self, text: str, number: int, spread: bool = False) -> tuple[list[dict[str, Any]], str | None]:
        """The records in `text` (from line `number`), one after the other: (them; the unfinished value
        at its end if the text stops inside one, else None).

        `spread`: `text` is one value's lines joined, complete: stopping inside a value is an error.
        """
        tally = self.tally
        found: list[dict[str, Any]] = []
        pos = 0
        rest: str | None = None
        end = len(text)
        while True:
            pos = _after_blanks(text, pos)
            if pos >= end:
                break
            try:
                value, pos = self.decoder.raw_decode(text, pos)
            except RecursionError:
                tally.deep.append(number)
                break
            except json.JSONDecodeError as error:
                if not spread and error.pos >= len(text.rstrip()):
                    rest = text[pos:]  # it goes on on the next lines
                else:
                    tally.bad.append(number)
                break
            record = self.record(value, text, number)
            if record is not None:
                found.append(record)
        if spread:
            tally.spread += len(found)
        elif len(found) > 1:
            tally.shared_line += len(found)
        return found, rest

    def whole_record(self, text: str) -> bool:
        """Whether `text` alone is a Claude Code record (an object with a type and an id or a session)."""
        try:
            value = self.decoder.decode(text)
        except (ValueError, RecursionError):
            return False
        return isinstance(value, dict) and isinstance(value.get("type"), str) and ("uuid" in value or "sessionId" in value)


def json_values(line_iter: Iterator[bytes | None], tally: Tally, strict: Callable[[bytes], Any] = _strict_decode) -> Iterator[dict[str, Any]]:
    """Each record (a JSON object) in the lines, in order (an array's elements one by one); what cannot be read is tallied.

    `strict` decodes a line as Claude Code writes them (strict JSON, one object); it may leave out keys nobody reads
    (a typed msgspec decoder), or raise `msgspec.DecodeError` to have the line read as it always was."""
    reader = _Reader(tally)
    decode = reader.decoder.decode
    pending: list[str] = []  # the lines of a value spread over several, so far
    pending_size = 0
    depth = 0  # of the pending value's brackets, so far
    start = 0  # its first line
    skip_depth = 0  # > 0: inside a value too long, dropped until its brackets close
    indented = False  # the pending value's lines after its first are indented (pretty-printed with an indent)
    for number, raw in enumerate(line_iter, 1):
        if raw is None:
            tally.huge.append(number)
            if pending:
                pending, pending_size, skip_depth = [], 0, depth  # its end is in the line dropped: guess it closes
            continue
        if skip_depth:
            skip_depth += _delta(raw.decode("utf-8", "replace"))
            continue
        if pending:
            text = raw.decode("utf-8", "replace")
            if raw[:1] in (b"{", b"[") and depth > 0 and (indented or reader.whole_record(text)):
                # A value starting at the margin while another is open (and indented: not its part),
                # or a whole record on its line: the open one was cut short (a crash mid-write).
                tally.bad.append(start)
                pending, pending_size = [], 0
            else:
                pending.append(text)
                pending_size += len(raw) + 1
                depth += _delta(text)
                indented = indented or raw[:1] in (b" ", b"\t")
                if pending_size > MAX_RECORD_BYTES:
                    tally.huge.append(start)
                    pending, pending_size, skip_depth = [], 0, max(depth, 0)
                    continue
                if depth > 0:
                    continue
                whole = "\n".join(pending)
                pending, pending_size = [], 0
                if _too_deep_text(whole):
                    tally.deep.append(start)
                    continue
                found, _ = reader.values_in(whole, start, spread=True)
                yield from found
                continue
        if not raw or raw.isspace():
            continue
        if _too_deep(raw):
            tally.deep.append(number)
            continue
        try:  # the fastest path: a record alone on its line, strict JSON in valid UTF-8, as Claude Code writes them
            value = strict(raw)
        except (msgspec.DecodeError, RecursionError):
            pass  # NaN, a lone surrogate, invalid UTF-8, several values: read below as they always were
        else:
            if isinstance(value, dict) and isinstance(value.get("type", ""), str):
                yield value
                continue
        text = raw.decode("utf-8", "replace")
        try:  # the fast path: a whole record on its line
            value = decode(text)
        except ValueError:
            pass
        else:
            if isinstance(value, list):
                yield from reader.records(value, text, number)
                continue
            record = reader.record(value, text, number)
            if record is not None:
                yield record
            continue
        found, rest = reader.values_in(text, number)
        yield from found
        if rest is not None:
            pending, pending_size, depth, start, indented = [rest], len(rest), _delta(rest), number, False
    if pending:
        tally.bad.append(start)  # the file ends inside a value


def records_in(chunks: Iterator[bytes], tally: Tally, strict: Callable[[bytes], Any] = _strict_decode) -> Iterator[dict[str, Any]]:
    """Each record in the text (UTF-8 chunks): a file that is one JSON array is streamed element by
    element (`array_records`), any other line by line (`json_values`)."""
    opening, peeked = _opening(chunks)
    rest = _again(peeked, chunks)  # the chunks peeked at are handed on, not kept: each goes once read
    if opening == b"[":
        yield from array_records(rest, tally)
    else:
        yield from json_values(lines(rest), tally, strict)


def _opening(chunks: Iterator[bytes]) -> tuple[bytes, list[bytes]]:
    """The text's first byte that is not white space (b"": none), and the chunks read to find it."""
    peeked: list[bytes] = []
    for chunk in chunks:
        peeked.append(chunk)
        found = _NOT_SPACE.search(chunk)  # not `lstrip`: a chunk starting with white space would be copied whole
        if found is not None:
            return chunk[found.start() : found.start() + 1], peeked
    return b"", peeked


def _again(peeked: list[bytes], chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks already read (emptying `peeked`: none is held once handed on), then the rest."""
    peeked.reverse()
    while peeked:
        yield peeked.pop()
    yield from chunks


def array_records(chunks: Iterator[bytes], tally: Tally) -> Iterator[dict[str, Any]]:
    """The records of a file that is one JSON array, on one line or pretty-printed, of any length,
    decoded one element at a time from a window of the text (never the whole file at once).

    An element longer than `MAX_RECORD_BYTES` is skipped; one that is not JSON ends the reading
    (an array gives no line to start again from), with what came before it kept.
    """
    reader = _Reader(tally)
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    window = ""
    pos = 0
    line = 1  # the line `window[pos]` is on
    ended = False
    opened = False

    def more(least: int) -> bool:
        """Read on until the window holds `least` characters from `pos` (or the text ends); False at the end."""
        nonlocal window, pos, ended
        if ended:
            return False
        parts = [window[pos:]]
        size = len(parts[0])
        while size < least:
            chunk = next(chunks, None)
            if chunk is None:
                parts.append(decoder.decode(b"", final=True))
                ended = True
                break
            text = decoder.decode(chunk)
            parts.append(text)
            size += len(text)
        window, pos = "".join(parts), 0
        return True

    def skip_past() -> bool:
        """Move `pos` past the value starting there, reading on with a window of about `CHUNK`; False if the text ends first."""
        nonlocal pos, line
        depth = 0
        in_string = False
        while True:
            if in_string:
                end = _rest_of_string(window, pos)
                if end < len(window) and window[end] == '"':
                    pos, in_string = end + 1, False
                else:
                    pos = end  # what is left (a backslash at the very end) is read again with what follows
                    if not more(len(window) - pos + CHUNK):
                        return False
                    continue
            for token in _BRACKET_OR_QUOTE.finditer(window, pos):
                line += window.count("\n", pos, token.start())
                pos = token.end()
                mark = token.group()
                if mark == '"':
                    in_string = True
                    break
                depth += 1 if mark in "[{" else -1
                if depth == 0:
                    return True
            else:
                line += window.count("\n", pos)
                pos = len(window)
                if not more(CHUNK):
                    return False

    while True:
        start = _after_blanks(window, pos)
        line += window.count("\n", pos, start)
        pos = start
        if pos >= len(window):
            if not more(CHUNK):
                return
            continue
        if not opened or window[pos] == "]":
            opened = window[pos] == "["  # `[` opens the array, `]` closes it (another may follow)
            if window[pos] not in "[]":
                tally.bad.append(line)
                return
            pos += 1
            continue
        try:
            value, end = reader.decoder.raw_decode(window, pos)
        except RecursionError:
            tally.deep.append(line)
            return
        except json.JSONDecodeError:
            if len(window) - pos > MAX_RECORD_BYTES:
                tally.huge.append(line)
                if not skip_past():  # the element is too long to hold: passed over, token by token
                    return
                continue
            if more(2 * (len(window) - pos) + CHUNK):  # the element may go on past the window: read twice as far
                continue
            tally.bad.append(line)
            return
        text = window[pos:end]
        if len(text) > MAX_RECORD_BYTES:
            tally.huge.append(line)
        elif _too_deep_text(text):
            tally.deep.append(line)
        else:
            record = reader.record(value, text, line)
            if record is not None:
                tally.in_array += 1
                if "\n" in text:
                    tally.spread += 1
                yield record
        line += text.count("\n")
        pos = end


def _after_blanks(text: str, pos: int) -> int:
    skipped = _SKIP.match(text, pos)
    return skipped.end() if skipped else pos


def _delta(text: str) -> int:
    """How much deeper the brackets of `text` (a line of JSON) leave the value: opened minus closed, strings left out."""
    if '"' in text:
        text = _STRING.sub("", text)
    return text.count("{") + text.count("[") - text.count("}") - text.count("]")


def _too_deep_text(text: str) -> bool:
    return text.count("{") + text.count("[") > MAX_RECORD_DEPTH and _too_deep(text.encode("utf-8", "surrogatepass"))


def _too_deep(line: bytes) -> bool:
    """Whether the JSON text `line` nests deeper than `MAX_RECORD_DEPTH`."""
    if line.count(b"[") + line.count(b"{") <= MAX_RECORD_DEPTH:
        return False
    try:  # strict JSON (most lines): its containers nest as its brackets do, and walking them is quicker than the text
        return _deeper_than(_strict_decode(line), MAX_RECORD_DEPTH)
    except RecursionError:
        return True  # deeper than the interpreter's recursion limit allows: far deeper than the limit
    except msgspec.DecodeError:
        pass
    brackets = _STRING_BYTES.sub(b"", line).translate(None, _BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_RECORD_DEPTH:
                return True
        else:
            depth -= 1
    return False


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a decoded JSON value nests its containers more than `limit` deep (the outermost is 1); iterative."""
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def _without_surrogates(value: Any, fixed: list[int]) -> Any:
    """`value` with every lone surrogate (from a `\\ud800` escape) in its strings, keys too, replaced by U+FFFD (`fixed[0]` counts them)."""
    if isinstance(value, str):
        replaced, count = _SURROGATE.subn("\ufffd", value)
        fixed[0] += count
        return replaced
    if isinstance(value, dict):
        return {_without_surrogates(k, fixed): _without_surrogates(v, fixed) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v, fixed) for v in value]
    return value
