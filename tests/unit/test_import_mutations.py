"""Real transcripts, damaged at random: every import is a valid lesson or one clear line, never a crash.

Transcripts met in the wild are cut short, concatenated, edited by hand, written by other
versions of Claude Code or by other tools. Each variant here is a real transcript (the
corpus's, read in place, and one written in Claude Code's format here, so the test runs
without the corpus) with one to four random changes: a line dropped, doubled, moved, cut
mid-way or joined to the next; a line of something else (not JSON, JSON that is not an
object, a record of an unknown type); a field of a record deleted or given a value of
another type. The import must then either write a draft that `tutor validate` accepts or
refuse with `ClaudeCodeImportError`, one line.

The seed is today's date unless `TUTOR_CORPUS_SEED` says otherwise; a failure prints the seed
and the changes, which replay the same variant.
"""

from __future__ import annotations

import copy
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from tutor.lesson import read_lesson
from tutor.record.claude_code import ClaudeCodeImportError, import_claude_code, write_imported_lesson

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "claude-code"
SEED = int(os.environ.get("TUTOR_CORPUS_SEED", "0")) or int(time.strftime("%Y%m%d"))
# Variants per transcript: the large corpus session costs ~50 ms an import, the others a few.
VARIANTS = {"session-ae4a77f8.jsonl": 6}
DEFAULT_VARIANTS = 40

ODD_VALUES: list[Any] = [None, True, 0, -1, 2**70, 1.5e308, "", "x" * 5000, "\u202e\ud800", [], [None], {}, {"type": None}, [[[[[]]]]]]
ODD_LINES = ["", "   ", "not json at all", "{", "[]", "42", '"a string"', "null", '{"type": "mystery", "message": 7}', '{"type": "user"}',
             '{"type": "assistant", "message": {"content": "plain text, not blocks"}}', "[" * 300 + "]" * 300, "\ufeff{}"]


def _written_session() -> list[str]:
    """A short session in Claude Code's format: a prompt, a reply with a Bash call, its result, an edit, a thank-you."""
    base = {"isSidechain": False, "cwd": "/home/u/proj", "sessionId": "5f0c1d2e-0000-4000-8000-000000000001", "version": "2.0.14"}
    records: list[dict[str, Any]] = [
        {**base, "type": "user", "uuid": "u1", "parentUuid": None, "message": {"role": "user", "content": "The slug test fails: keep digits in slugify."}},
        {**base, "type": "assistant", "uuid": "a1", "parentUuid": "u1", "message": {"id": "msg_1", "role": "assistant", "content": [
            {"type": "text", "text": "Let me run the tests."},
            {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "python -m pytest -q"}}]}},
        {**base, "type": "user", "uuid": "u2", "parentUuid": "a1", "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "F.\nFAILED test_slug.py::test_digits", "is_error": True}]}},
        {**base, "type": "assistant", "uuid": "a2", "parentUuid": "u2", "message": {"id": "msg_2", "role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_2", "name": "Edit", "input": {"file_path": "/home/u/proj/slug.py", "old_string": "[^a-z]", "new_string": "[^a-z0-9]"}}]}},
        {**base, "type": "user", "uuid": "u3", "parentUuid": "a2", "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "The file /home/u/proj/slug.py has been updated.", "is_error": False}]}},
        {**base, "type": "assistant", "uuid": "a3", "parentUuid": "u3", "message": {"id": "msg_3", "role": "assistant", "content": [
            {"type": "text", "text": "Digits are kept now; the suite passes."}]}},
        {**base, "type": "user", "uuid": "u4", "parentUuid": "a3", "message": {"role": "user", "content": "Thanks. Add a test for dashes too."}},
    ]
    return [json.dumps(record) for record in records]


def _paths(value: Any, at: tuple = ()) -> list[tuple]:
    """Every path to a value inside a decoded record (keys and indexes), the record itself excluded."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found.append((*at, key))
        found.extend(_paths(inner, (*at, key)))
    return found


def _changed_record(line: str, rng: random.Random) -> tuple[str, str]:
    try:
        record = json.loads(line)
    except ValueError:
        return line, "a record left alone (not JSON)"
    paths = _paths(record)
    if not paths:
        return line, "a record left alone (empty)"
    path = rng.choice(paths)
    record = copy.deepcopy(record)
    parent = record
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and rng.random() < 0.3:
        del parent[path[-1]]
        return json.dumps(record), f"deleted {list(path)}"
    odd = rng.choice(ODD_VALUES)
    parent[path[-1]] = odd
    return json.dumps(record), f"set {list(path)} to {json.dumps(odd)[:40]}"


def _mutated(lines: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    lines = list(lines)
    what = []
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        at = rng.randrange(len(lines))
        change = rng.choice(["drop", "double", "move", "cut", "join", "insert", "record", "record", "record"])
        if change == "drop":
            del lines[at]
        elif change == "double":
            lines.insert(at, lines[at])
        elif change == "move":
            lines.insert(rng.randrange(len(lines)), lines.pop(at))
        elif change == "cut":
            lines[at] = lines[at][: rng.randrange(len(lines[at]) + 1)]
        elif change == "join" and at + 1 < len(lines):
            lines[at : at + 2] = [lines[at] + lines[at + 1]]
        elif change == "insert":
            lines.insert(at, rng.choice(ODD_LINES))
        else:
            lines[at], described = _changed_record(lines[at], rng)
            change = f"record {at}: {described}"
        what.append(change if change.startswith("record") else f"{change} line {at}")
    return lines, what


def _sources() -> list[tuple[str, list[str] | None]]:
    sources: list[tuple[str, list[str] | None]] = [("written here", _written_session())]
    for name in ("agent-sessions-schema-drift.jsonl", "agentic-wallet-nonanthropic.jsonl", "tool_heavy.jsonl", "session-ae4a77f8.jsonl"):
        path = CORPUS / name
        sources.append((name, path.read_text(encoding="utf-8", errors="surrogateescape").splitlines() if path.is_file() else None))
    return sources


@pytest.mark.parametrize(("name", "lines"), _sources(), ids=[name for name, _ in _sources()])
def test_a_damaged_transcript_imports_as_a_valid_lesson_or_is_refused_in_one_line(name: str, lines: list[str] | None, tmp_path: Path) -> None:
    if lines is None:
        pytest.skip(f"the Claude Code corpus is not here ({CORPUS / name}); it lives in ../shared/corpus/ beside the project")
    rng = random.Random(f"{SEED}:{name}")
    imported = refused = 0
    for number in range(VARIANTS.get(name, DEFAULT_VARIANTS)):
        variant, changes = _mutated(lines, rng)
        source = tmp_path / f"variant-{number}.jsonl"
        source.write_bytes(("\n".join(variant) + "\n").encode("utf-8", "surrogateescape"))
        where = f"{name}, variant {number} (TUTOR_CORPUS_SEED={SEED}): {changes}"
        try:
            result = import_claude_code(source)
            out = tmp_path / f"lesson-{number}"
            write_imported_lesson(result, out)
        except ClaudeCodeImportError as error:
            message = str(error)
            assert message.strip() and "\n" not in message and len(message) <= 300, f"{where}: refused with {message!r}"
            refused += 1
            continue
        except Exception as error:  # noqa: BLE001 - anything else is the bug this test is for
            raise AssertionError(f"{where}: {type(error).__name__}: {error}") from error
        read = read_lesson(out)
        assert read.lesson is not None and not read.problems, f"{where}: the draft written does not validate: {[str(p) for p in read.problems]}"
        imported += 1
    assert imported, f"{name}: no variant imported (seed {SEED}): the changes are too harsh to test anything"
