"""Reading a transcript: JSONL split on `\\n` only and streamed, oversized or too-deep records skipped with a note, records turned into events.

`_read_records` checks the file (a regular file within the size limit) and yields its
records; `_events` turns them into ("prompt" | "text" | "call" | "result" | ..., payload)
events in order, dropping Claude Code's own machinery and counting what it dropped.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from tutor.lesson.limits import CHUNK, MAX_RECORD_BYTES, MAX_RECORD_DEPTH, Refused, open_regular, problem_text, size_text

from .common import _BASH_INPUT, _COMMAND_ARGS, _COMMAND_NAME, _INTERRUPTED, _LOCAL_COMMAND, KNOWN_TYPES, MACHINERY_TYPES, MAX_FILE_BYTES, READ_ONLY_TOOLS, ClaudeCodeImportError


@dataclass
class _Message:
    """One assistant message, grouped from its streamed records."""

    key: str
    cwd: str = ""
    texts: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)  # tool_use blocks
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool_use_id -> result info

    @property
    def read_only(self) -> bool:
        return bool(self.calls) and all(c.get("name") in READ_ONLY_TOOLS for c in self.calls)


def _read_records(path: Path, notes: list[str]) -> list[dict[str, Any]]:
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


def _blocks(content: Any) -> list[dict[str, Any]]:
    """A content's blocks, only those of a sane shape: transcripts from other versions (or damaged ones) vary."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [b for b in content if isinstance(b, dict) and isinstance(b.get("type"), str) and _sane_block(b)]
    return []


def _sane_block(block: dict[str, Any]) -> bool:
    if block["type"] == "tool_use":
        return isinstance(block.get("name"), str) and isinstance(block.get("input", {}), dict)
    if block["type"] == "tool_result":
        return isinstance(block.get("tool_use_id"), str)
    return True


def _block_text(content: Any) -> str:
    """The text of a message's or tool result's content (a string or a list of blocks)."""
    parts: list[str] = []
    for block in _blocks(content):
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif kind == "image":
            parts.append("[image]")
        elif kind == "tool_reference" or kind == "document":
            parts.append(f"[{kind}]")
    return "\n".join(parts)


def _events(records: list[dict[str, Any]], notes: list[str]) -> list[tuple[str, Any]]:
    """The conversation, in order: ("prompt", text), ("note", text), ("agent", _Message)."""
    events: list[tuple[str, Any]] = []
    messages: dict[str, _Message] = {}
    owner: dict[str, _Message] = {}  # tool_use id -> its message
    counts = {"machinery": 0, "meta": 0, "sidechain": 0, "orphan": 0, "thinking": 0, "commands": 0}
    in_sidechain = False
    sidechain_note: list[int] = []  # [messages, calls] of the current sidechain run

    for index, record in enumerate(records):
        kind = record.get("type")
        if kind not in ("user", "assistant") or not isinstance(record.get("message"), dict):
            if kind in MACHINERY_TYPES:
                counts["machinery"] += 1
            continue
        if record.get("isSidechain") is True:
            counts["sidechain"] += 1
            if not in_sidechain:
                in_sidechain = True
                sidechain_note = [0, 0]
                events.append(("sidechain", sidechain_note))
            sidechain_note[0] += 1
            if kind == "assistant":
                sidechain_note[1] += sum(1 for b in _blocks(record["message"].get("content")) if b.get("type") == "tool_use")
            continue
        in_sidechain = False
        message = record["message"]
        content = message.get("content")
        if kind == "assistant":
            key = str(message.get("id") or record.get("uuid") or f"line-{index}")
            current = messages.get(key)
            if current is None:
                current = messages[key] = _Message(key, cwd=str(record.get("cwd") or ""))
                events.append(("agent", current))
            for block in _blocks(content):
                btype = block.get("type")
                if btype == "text" and isinstance(block.get("text"), str) and block["text"].strip():
                    current.texts.append(block["text"].strip())
                elif btype == "tool_use":
                    use_id = str(block.get("id") or f"{key}-{len(current.calls)}")
                    if use_id in owner:
                        continue  # the same block written twice
                    block = dict(block, id=use_id)
                    current.calls.append(block)
                    owner[use_id] = current
                elif btype in ("thinking", "redacted_thinking"):
                    counts["thinking"] += 1
            continue

        # a user record: tool results, or a prompt, or machinery dressed as a user message
        if record.get("isMeta") is True:
            counts["meta"] += 1
            continue
        blocks = _blocks(content)
        results = [b for b in blocks if b.get("type") == "tool_result"]
        if results:
            for block in results:
                use_id = str(block.get("tool_use_id"))
                target = owner.get(use_id)
                if target is None:
                    counts["orphan"] += 1
                    continue
                target.results[use_id] = {
                    "content": _block_text(block.get("content")),
                    "is_error": block.get("is_error") is True,
                    "extra": record.get("toolUseResult") if len(results) == 1 else None,
                }
            continue
        text = _block_text(content).strip()
        if not text:
            continue
        if record.get("isCompactSummary") is True:
            events.append(("note", "The conversation was compacted here: Claude Code went on from a summary of everything above."))
            continue
        if _INTERRUPTED.match(text):
            events.append(("note", "The user interrupted the agent here."))
            continue
        bash = _BASH_INPUT.match(text)
        if bash:
            events.append(("note", f"The user ran a shell command themselves: `{bash.group(1).strip()}`"))
            continue
        if _LOCAL_COMMAND.match(text):
            name = _COMMAND_NAME.search(text)
            if name:
                args = _COMMAND_ARGS.search(text)
                shown = (name.group(1).strip() + " " + (args.group(1).strip() if args else "")).strip()
                events.append(("note", f"The user ran the Claude Code command `{shown}`."))
            counts["commands"] += 1
            continue
        events.append(("prompt", text))

    _say_counts(counts, notes, {
        "machinery": "skipped {} progress, system, hook and snapshot record(s)",
        "meta": "skipped {} meta record(s) (skill text, command caveats)",
        "sidechain": "left out {} subagent (sidechain) record(s); a note marks where they were",
        "orphan": "skipped {} tool result(s) whose call is not in the transcript",
        "thinking": "left out {} thinking block(s)",
    })
    return events


def _say_counts(counts: dict[str, int], notes: list[str], sentences: dict[str, str]) -> None:
    """One note per count that is not zero, in the order of `sentences`."""
    notes.extend(sentence.format(counts[key]) for key, sentence in sentences.items() if counts.get(key))
