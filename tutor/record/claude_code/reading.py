"""Reading records: a transcript file, checked and streamed, into Claude Code's own record dicts (bounded, slimmed; bad parts skipped with a note).

`read_records(path, notes)` gives the records in file order, each a dict with Claude
Code's own keys, slimmed as they are read (`slimming`: what is kept, key by key). How the
bytes become records (encodings, pretty-printed JSON, arrays, NaN and lone surrogates,
the limits) is `transcript_text` (bytes to UTF-8 lines) and `json_values` (lines to records). A file that cannot be read as a transcript raises
`ClaudeCodeImportError` with one line; parts of it that cannot be read are skipped, each
kind with one note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from tutor.lesson.limits import MAX_RECORD_BYTES, MAX_RECORD_DEPTH, Refused, open_regular, problem_text, size_text

from .common import KNOWN_TYPES, MAX_FILE_BYTES, ClaudeCodeImportError
from .json_values import Tally, records_in
from .transcript_text import HEAD_BYTES, Grew, NotText, detect_encoding, utf8_chunks
from .slimming import KeptKeys, Slimmer

__all__ = ["read_records"]

# Record types this importer reads besides those in `KNOWN_TYPES` (titles, attachments, newer machinery).
_ALSO_KNOWN = frozenset(("ai-title", "custom-title", "attachment", "last-prompt", "permission-mode", "agent-name", "pr-link", "tag"))


_KEPT_DECODER = msgspec.json.Decoder(KeptKeys)  # a line's keys the slimming drops are skipped as it is parsed


def read_records(path: Path, notes: list[str]) -> list[dict[str, Any]]:
    """The transcript's records, in file order, as Claude Code's record dicts (slimmed: see `slimming`).

    The file must be a regular file of at most `MAX_TRANSCRIPT_BYTES` (never a FIFO, a
    device or a folder), in UTF-8 (a byte-order mark allowed), UTF-16 or UTF-32: JSON
    lines, or records pretty-printed, in one array, or several to a line. A record longer
    than `MAX_RECORD_BYTES` or nested deeper than `MAX_RECORD_DEPTH` is skipped with a
    note, not the import; NaN and Infinity become null, a lone surrogate U+FFFD.
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
    tally = Tally()
    slimmer = Slimmer()
    try:
        with stream:
            head = _head(stream)
            try:
                codec, mark, named = detect_encoding(head)
            except NotText as error:
                raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript ({error})") from None
            chunks = utf8_chunks(stream, codec, mark, MAX_FILE_BYTES, head)
            del head  # held by the reading alone from here, which lets it go once its lines are read
            for value in records_in(chunks, tally, _KEPT_DECODER.decode):
                records.append(slimmer.record(value))
    except Grew:
        raise ClaudeCodeImportError(
            f"{path}: grew past {size_text(MAX_FILE_BYTES)} while being read; a transcript may be at most {size_text(MAX_FILE_BYTES)}"
        ) from None
    except OSError as error:
        raise ClaudeCodeImportError(f"{path}: cannot read it ({error.strerror or error})") from None
    if not any(r.get("type") in ("user", "assistant") and isinstance(r.get("message"), dict) for r in records):
        if not records and tally.huge:
            raise ClaudeCodeImportError(
                f"{path}: cannot read it: its records are on lines longer than {size_text(MAX_RECORD_BYTES)} (a transcript has one record a line)"
            )
        if not records:
            raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (no JSON records, one a line)")
        raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (no user or assistant messages)")
    _note(notes, tally, named, records)
    return records


def _head(stream: Any) -> bytes:
    """The file's first `HEAD_BYTES` (fewer if it is shorter), read whole however the reads come back."""
    parts: list[bytes] = []
    size = 0
    while size < HEAD_BYTES:
        part = stream.read(HEAD_BYTES - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _note(notes: list[str], tally: Tally, named: str, records: list[dict[str, Any]]) -> None:
    if named:
        notes.append(f"read the file as {named}")
    if tally.spread:
        notes.append(f"read {tally.spread} pretty-printed record(s) (spread over several lines)")
    if tally.in_array:
        notes.append(f"read {tally.in_array} record(s) from a JSON array")
    if tally.shared_line:
        notes.append(f"read {tally.shared_line} record(s) written several to a line")
    if tally.constants:
        notes.append(f"read {tally.constants} NaN or Infinity value(s), which JSON does not have, as null")
    if tally.surrogates:
        notes.append(f"replaced lone surrogates (half a character, invalid in UTF-8) with U+FFFD in {tally.surrogates} record(s)")
    if tally.bad:
        notes.append(f"skipped {len(tally.bad)} corrupt line(s) or part(s) that are not JSON records (line {_numbers(tally.bad)})")
    if tally.huge:
        notes.append(f"skipped {len(tally.huge)} record(s) longer than {size_text(MAX_RECORD_BYTES)} (line {_numbers(tally.huge)})")
    if tally.deep:
        notes.append(f"skipped {len(tally.deep)} record(s) nested deeper than {MAX_RECORD_DEPTH} levels (line {_numbers(tally.deep)})")
    unknown = sum(1 for r in records if r.get("type") not in KNOWN_TYPES and r.get("type") not in _ALSO_KNOWN)
    if unknown:
        notes.append(f"skipped {unknown} record(s) of a kind this importer does not know")


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:5]) + (" ..." if len(numbers) > 5 else "")
