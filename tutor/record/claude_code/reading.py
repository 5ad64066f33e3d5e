"""Reading records: a transcript file, checked and streamed, into Claude Code's own record dicts (bounded; bad lines skipped with a note)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from tutor.lesson.limits import CHUNK, MAX_RECORD_BYTES, MAX_RECORD_DEPTH, Refused, open_regular, problem_text, size_text

from .common import KNOWN_TYPES, MAX_FILE_BYTES, ClaudeCodeImportError


def read_records(path: Path, notes: list[str]) -> list[dict[str, Any]]:
    """The JSON objects of the transcript, one a line, read as a stream.

    The file must be a regular file of at most `MAX_TRANSCRIPT_BYTES` (never a FIFO, a
    device or a folder). Lines are split on `\\n` only: a raw U+2028, NEL or form feed
    inside a record (Node writes them unescaped) is part of the record. A record longer
    than `MAX_RECORD_BYTES` or nested deeper than `MAX_RECORD_DEPTH` is skipped with a
    note, not the import; a lone surrogate escape becomes U+FFFD.
    """
    try:
        stream = open_regular(path, limit=MAX_FILE_BYTES, name="a transcript", place="its folder")
    except FileNotFoundError:
        raise ClaudeCodeImportError(f"{path}: no such file") from None
    except (Refused, OSError) as error:
        what = problem_text(error)
        if "is a folder" in what:
            what = "is a folder; give a Claude Code transcript (.jsonl)"
        raise ClaudeCodeImportError(f"{path}: {what}") from None
    records: list[dict[str, Any]] = []
    bad: list[int] = []
    huge: list[int] = []
    deep: list[int] = []
    try:
        raw = cast("io.RawIOBase", stream)  # open_regular opens unbuffered: a FileIO, typed as a BinaryIO
        with stream, io.BufferedReader(raw, CHUNK) as reader:
            head = reader.peek(8192)[:8192]
            if b"\x00" in head:
                raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (a binary file, not JSON lines)")
            for number, line in enumerate(_lines(reader), 1):
                if reader.tell() > MAX_FILE_BYTES:
                    raise ClaudeCodeImportError(f"{path}: grew past {size_text(MAX_FILE_BYTES)} while being read; a transcript may be at most {size_text(MAX_FILE_BYTES)}")
                if line is None:
                    huge.append(number)
                    continue
                if not line.strip():
                    continue
                if _too_deep(line, MAX_RECORD_DEPTH):
                    deep.append(number)
                    continue
                try:
                    record = json.loads(line.decode("utf-8", "replace"))
                except (ValueError, RecursionError):
                    bad.append(number)
                    continue
                if _SURROGATE_ESCAPE.search(line):
                    record = _without_surrogates(record)
                if not isinstance(record, dict) or not isinstance(record.get("type", ""), str):
                    bad.append(number)
                    continue
                records.append(record)
    except OSError as error:
        raise ClaudeCodeImportError(f"{path}: cannot read it ({error.strerror or error})") from None
    conversation = [r for r in records if r.get("type") in ("user", "assistant") and isinstance(r.get("message"), dict)]
    if not conversation:
        if not records:
            raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (no JSON records, one a line)")
        raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (no user or assistant messages)")
    if bad:
        notes.append(f"skipped {len(bad)} corrupt line(s) that are not JSON objects (line {_numbers(bad)})")
    if huge:
        notes.append(f"skipped {len(huge)} record(s) longer than {size_text(MAX_RECORD_BYTES)} (line {_numbers(huge)})")
    if deep:
        notes.append(f"skipped {len(deep)} record(s) nested deeper than {MAX_RECORD_DEPTH} levels (line {_numbers(deep)})")
    unknown = sum(1 for r in records if r.get("type") not in KNOWN_TYPES)
    if unknown:
        notes.append(f"skipped {unknown} record(s) of a kind this importer does not know")
    return records


_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")  # every byte but the brackets, to delete


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:5]) + (" ..." if len(numbers) > 5 else "")


def _lines(reader: BinaryIO) -> Iterator[bytes | None]:
    """Each line of `reader` (split on `\\n` only), or None for one over `MAX_RECORD_BYTES` (never held whole)."""
    while True:
        line = reader.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the record, a chunk at a time
                rest = reader.readline(CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def _too_deep(line: bytes, limit: int) -> bool:
    """Whether the JSON text `line` nests deeper than `limit`, judged without parsing it."""
    if line.count(b"[") + line.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", line).translate(None, _BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _without_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate (from a `\\ud800` escape) in its strings, keys too, replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


