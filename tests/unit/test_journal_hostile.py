"""A journal is hostile input too: numbers that Python's JSON reader accepts but no record means
(Infinity, NaN, 1e400) are read as absent, never a crash, and never make a resume kill anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.agent.processes import kill_leftovers
from tutor.agent.records import parse_record
from tutor.agent.session import SessionState

ODD_NUMBERS = ["Infinity", "-Infinity", "NaN", "1e400", "-1e400", "123456789012345678901234567890"]


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_odd_numbers_in_a_journal_are_read_as_absent(number: str, tmp_path: Path) -> None:
    records = [
        json.loads(f'{{"kind": "process", "seq": {number}, "at": {number}, "pgid": {number}, "pid": {number}, "start": {number}, "call": "c1"}}'),
        json.loads(f'{{"kind": "result", "seq": {number}, "at": 1.0, "call": "c1", "ok": true, "exit_code": {number}}}'),
    ]
    for record in records:
        parse_record(record)
    SessionState.from_records(records)
    assert kill_leftovers(records, tmp_path, grace=0.1) == 0


def test_a_line_nested_too_deeply_is_skipped_with_a_note(tmp_path: Path) -> None:
    from tutor.record.journal import read_journal

    path = tmp_path / "journal.jsonl"
    deep = "[" * 200_000 + "]" * 200_000
    path.write_text('{"kind": "session", "seq": 1}\n' + deep + "\n" + '{"kind": "goal", "seq": 2}\n', encoding="utf-8")
    read = read_journal(path)
    assert [record["kind"] for record in read.records] == ["session", "goal"]
    assert read.problems == ["line 2: nested too deeply to read, skipped"]
