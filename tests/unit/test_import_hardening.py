"""`tutor import claude-code` on hostile transcripts: one bad record costs that record, never the import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tutor.lesson.limits import MAX_RECORD_BYTES, MAX_RECORD_DEPTH
from tutor.record.claude_code import ClaudeCodeImportError, import_claude_code, write_imported_lesson

ROOT = Path(__file__).resolve().parents[2]


class _Keep:
    """A redactor that changes nothing: these tests are about reading, not redaction."""

    def redact(self, text: str) -> str:
        return text

    def redact_obj(self, value: Any) -> Any:
        return value


def _user(text: Any) -> dict[str, Any]:
    return {"type": "user", "isSidechain": False, "cwd": "/home/u/proj", "message": {"role": "user", "content": text}}


def _assistant(msg_id: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "assistant", "isSidechain": False, "cwd": "/home/u/proj", "message": {"id": msg_id, "role": "assistant", "content": list(blocks)}}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _use(use_id: str, name: str, **data: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": use_id, "name": name, "input": data}


def _result(use_id: str, content: str) -> dict[str, Any]:
    return _user([{"type": "tool_result", "tool_use_id": use_id, "content": content, "is_error": False}])


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


def _session(middle: list[str]) -> list[str]:
    """A small real-looking session with `middle` (raw JSON lines) between its first and last messages."""
    return [
        json.dumps(_user("Fix the failing slug test without touching the test.")),
        json.dumps(_assistant("msg_1", _text("Let me run the tests first."), _use("toolu_1", "Bash", command="pytest -q"))),
        json.dumps(_result("toolu_1", "Exit code 1\nFAILED test_slug.py::test_digits")),
        *middle,
        json.dumps(_assistant("msg_9", _text("Fixed the regex: digits are kept now."))),
        json.dumps(_user("Thanks, now run the whole suite.")),
    ]


def _write(tmp_path: Path, lines: list[str], name: str = "session.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    return path


def _texts(data: dict[str, Any]) -> str:
    return json.dumps(data["steps"], ensure_ascii=False)


def _import(path: Path, tmp_path: Path) -> tuple[dict[str, Any], list[str]]:
    result = import_claude_code(path, redactor=_Keep())  # type: ignore[arg-type]
    write_imported_lesson(result, tmp_path / "out")  # the draft validates and is written
    return result.lesson_data, result.notes


def test_raw_line_separators_inside_a_record_keep_the_record(tmp_path: Path) -> None:
    # Node's JSON.stringify leaves U+2028/U+2029 raw; NEL, form feed and \x1c-\x1e are not line ends in JSONL either.
    odd = "before\u2028after\u2029para\x85nel\x0cff\x1cfs\x1dgs\x1ers\rcr end"
    middle = [json.dumps(_assistant("msg_odd", _text(odd)), ensure_ascii=False)]
    data, notes = _import(_write(tmp_path, _session(middle)), tmp_path)
    assert "before" in _texts(data) and "cr end" in _texts(data)
    assert not [note for note in notes if "corrupt" in note], notes


def test_a_tool_input_nested_30_deep_imports(tmp_path: Path) -> None:
    middle = [json.dumps(_assistant("msg_deep", _text("Calling a tool with a deep argument."), _use("toolu_d", "mcp__thing", payload=_nested(30)))),
              json.dumps(_result("toolu_d", "done"))]
    data, notes = _import(_write(tmp_path, _session(middle)), tmp_path)
    assert "Calling a tool with a deep argument." in _texts(data)
    call = next(c for s in data["steps"] for c in s.get("calls", []) if c["tool"] == "mcp__thing")
    assert "leaf" in json.dumps(call["input"])  # the deep part is kept, as JSON text
    assert any("nested deeper than" in note and "JSON text" in note for note in notes), notes


def test_a_record_nested_2000_deep_is_skipped_with_a_note_and_the_rest_imports(tmp_path: Path) -> None:
    middle = ["[" * 2000 + "]" * 2000,
              json.dumps(_assistant("msg_900", _use("toolu_x", "mcp__thing", payload=_nested(900)))),
              json.dumps(_assistant("msg_ok", _text("Still here after the deep records.")))]
    data, notes = _import(_write(tmp_path, _session(middle)), tmp_path)
    assert "Still here after the deep records." in _texts(data)
    assert any(f"skipped 2 record(s) nested deeper than {MAX_RECORD_DEPTH} levels" in note for note in notes), notes


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    middle = [json.dumps(_assistant("msg_b", _text("[" * 5000 + "{" * 5000 + " brackets in text")))]
    data, notes = _import(_write(tmp_path, _session(middle)), tmp_path)
    assert "brackets in text" in _texts(data)
    assert not [note for note in notes if "nested deeper" in note], notes


def test_a_lone_surrogate_is_replaced_not_an_abort(tmp_path: Path) -> None:
    middle = [json.dumps(_assistant("msg_s", _text("broken \ud800 emoji and \udfff too"))),  # json.dumps writes \\ud800 escapes
              json.dumps({**_assistant("msg_k", _text("a key too")), "\udc80key": "x"})]
    data, _notes = _import(_write(tmp_path, _session(middle)), tmp_path)
    text = _texts(data)
    assert "broken \ufffd emoji and \ufffd too" in text
    text.encode("utf-8")  # nothing unencodable is left
    # a real pair written as two escapes is one character, not two replacements
    middle = [json.dumps(_assistant("msg_p", _text("pair \U0001F600 ok")))]
    data, _notes = _import(_write(tmp_path, _session(middle), "pair.jsonl"), tmp_path)
    assert "pair \U0001F600 ok" in _texts(data)


def test_an_oversized_record_is_skipped_with_a_note(tmp_path: Path) -> None:
    big = json.dumps(_assistant("msg_big", _text("x" * (MAX_RECORD_BYTES + 10))))
    middle = [big, json.dumps(_assistant("msg_after", _text("After the giant record.")))]
    data, notes = _import(_write(tmp_path, _session(middle)), tmp_path)
    assert "After the giant record." in _texts(data)
    assert any("skipped 1 record(s) longer than 8 MiB" in note for note in notes), notes


def test_a_giant_last_line_without_newline_is_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, _session([]))
    with path.open("ab") as stream:
        stream.write(b'{"type": "user", "message": {"content": "' + b"y" * (MAX_RECORD_BYTES + 5))
    data, notes = _import(path, tmp_path)
    assert any("longer than" in note for note in notes), notes
    assert "Thanks, now run the whole suite." in _texts(data)


def _cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tutor.cli", *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


@pytest.mark.parametrize("kind", ["dev-zero", "link-to-dev-zero", "fifo", "folder"])
def test_not_a_regular_file_is_one_clear_error(tmp_path: Path, kind: str) -> None:
    if kind == "dev-zero":
        path = Path("/dev/zero")
    elif kind == "link-to-dev-zero":
        path = tmp_path / "session.jsonl"
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "session.jsonl"
        os.mkfifo(path)
    else:
        path = tmp_path / "folder"
        path.mkdir()
    with pytest.raises(ClaudeCodeImportError):
        import_claude_code(path, redactor=_Keep())  # type: ignore[arg-type]
    result = _cli("import", "claude-code", str(path), "--out", str(tmp_path / "out"), timeout=20)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    expected = {"dev-zero": "character device", "link-to-dev-zero": "character device", "fifo": "named pipe", "folder": "folder"}[kind]
    assert expected in lines[0]
    assert not (tmp_path / "out").exists()


def _nesting(depth: int, strict: bool) -> str:
    """A JSON object nested `depth` deep, its brackets mixed, some in strings; NaN (not strict JSON) inside when not `strict`."""
    text = '{"leaf": ' + ("1" if strict else "NaN") + ', "s": "[[{{"}'
    for level in range(depth - 1):
        text = f'{{"k": {text}, "b": "]]}}"}}' if level % 2 else f'[{text}, "{{[[", [], {{}}]'
    return text


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("depth", [MAX_RECORD_DEPTH - 1, MAX_RECORD_DEPTH, MAX_RECORD_DEPTH + 1, 2 * MAX_RECORD_DEPTH])
def test_depth_is_judged_the_same_by_the_walk_and_by_the_text(depth: int, strict: bool) -> None:
    """A strict line is judged by walking what msgspec made of it, any other by its text: the same limit, exactly."""
    from tutor.record.claude_code.json_values import _too_deep

    line = _nesting(depth, strict).encode()
    assert _too_deep(line) is (depth > MAX_RECORD_DEPTH)
