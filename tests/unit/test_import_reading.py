"""Reading a Claude Code transcript (`tutor.record.claude_code.reading`): every way a transcript is found in the
wild is read into the same records, bounded, and what the importer does not use is dropped as it is read.

End-to-end tests import through the command a senior runs (`tutor import claude-code`) and
check the written lesson with `tutor validate`.
"""

from __future__ import annotations

import gc
import json
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from tests.helpers.claude_code_format import Session, image_block, text_block
from tutor.cli import cli
from tutor.record.claude_code import ClaudeCodeImportError, import_claude_code, write_imported_lesson
from tutor.record.claude_code import json_values as values_module
from tutor.record.claude_code import transcript_text as text_module
from tutor.record.claude_code.transcript_text import detect_encoding, lines
from tutor.record.claude_code.reading import read_records
from tutor.record.claude_code.slimming import MAX_KEPT_CHARS

CWD = "/home/alice/projects/shop"


def _session() -> Session:
    """A short session in the real format: a prompt, a failing test run (with progress), a fix, an image, words."""
    s = Session(cwd=CWD)
    s.user("Fix the cart total: the discount is applied twice — see “test_total” ✓")
    use = s.tool_use("Bash", command="pytest -q tests/test_cart.py", text="Running the cart tests first.")
    s.progress(use)
    s.tool_result(use, "Exit code 1\nFAILED tests/test_cart.py::test_total", is_error=True,
                  tool_use_result={"stdout": "FAILED tests/test_cart.py::test_total", "stderr": "", "interrupted": False, "isImage": False})
    edit = s.tool_use("Edit", file_path=f"{CWD}/cart.py", old_string="total * d * d", new_string="total * d")
    s.tool_result(edit, f"The file {CWD}/cart.py has been updated.", tool_use_result={
        "filePath": f"{CWD}/cart.py", "oldString": "total * d * d", "newString": "total * d", "originalFile": "total * d * d\n",
        "structuredPatch": [{"oldStart": 1, "lines": ["-total * d * d", "+total * d"]}], "userModified": False})
    s.snapshot("msg-1")
    s.user([text_block("And this screenshot?"), image_block()])
    s.say("The discount is applied once now; the test passes.")
    return s


def _jsonl(s: Session) -> str:
    return "\n".join(s.lines()) + "\n"


def _read(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    notes: list[str] = []
    return read_records(path, notes), notes


def _import(path: Path, out: Path) -> dict[str, Any]:
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "claude-code", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    checked = runner.invoke(cli, ["validate", str(out)])
    assert checked.exit_code == 0, checked.output
    data: dict[str, Any] = json.loads((out / "lesson.json").read_text(encoding="utf-8"))
    return data


def _texts(data: dict[str, Any]) -> str:
    return json.dumps(data["steps"], ensure_ascii=False)


# ---------------------------------------------------------------- 1. encodings


ENCODINGS = {
    "utf-8 with a BOM": (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "UTF-8 with a byte-order mark"),
    "utf-16 LE with a BOM (PowerShell >)": (lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "UTF-16"),
    "utf-16 BE with a BOM": (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "UTF-16"),
    "utf-16 LE without a BOM": (lambda t: t.encode("utf-16-le"), "UTF-16 LE without"),
    "utf-16 BE without a BOM": (lambda t: t.encode("utf-16-be"), "UTF-16 BE without"),
    "utf-32 with a BOM": (lambda t: t.encode("utf-32"), "UTF-32"),
}


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_each_encoding_reads_as_the_same_records_as_utf8(name: str, tmp_path: Path) -> None:
    encode, named = ENCODINGS[name]
    text = _jsonl(_session())
    expected, plain_notes = _read(_write_bytes(tmp_path / "plain.jsonl", text.encode("utf-8")))
    records, notes = _read(_write_bytes(tmp_path / "encoded.jsonl", encode(text)))
    assert records == expected
    assert plain_notes == [] and any(named in note for note in notes), notes


def test_a_utf16_file_longer_than_a_chunk_decodes_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module, "CHUNK", 7)  # odd: every UTF-16 character and line is cut somewhere
    text = _jsonl(_session())
    expected, _ = _read(_write_bytes(tmp_path / "plain.jsonl", text.encode("utf-8")))
    records, _ = _read(_write_bytes(tmp_path / "wide.jsonl", text.encode("utf-16")))
    assert records == expected


def test_a_utf16_transcript_imports_into_a_lesson_that_validates(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path / "s.jsonl", b"\xff\xfe" + _jsonl(_session()).encode("utf-16-le"))
    data = _import(path, tmp_path / "out")
    assert data["steps"][0]["text"].startswith("Fix the cart total: the discount is applied twice — see “test_total” ✓")


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 40,  # NULs, not where UTF-16 has them
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(random.Random(3).randrange(256) for _ in range(5000)),
])
def test_a_binary_file_is_refused_in_one_line(tmp_path: Path, content: bytes) -> None:
    path = _write_bytes(tmp_path / "s.jsonl", content)
    with pytest.raises(ClaudeCodeImportError, match="binary") as raised:
        read_records(path, [])
    assert "\n" not in str(raised.value) and str(path) in str(raised.value)


def test_a_utf16_file_of_something_else_is_not_a_transcript(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path / "notes.jsonl", "Shopping list\r\nmilk\r\n".encode("utf-16"))
    with pytest.raises(ClaudeCodeImportError, match="not a Claude Code transcript"):
        read_records(path, [])


def test_encoding_detection_reads_the_nul_bytes() -> None:
    assert detect_encoding(b'{"type": "user"}') == ("utf-8", 0, "")
    assert detect_encoding('{"type"'.encode("utf-16-le"))[0] == "utf-16-le"
    assert detect_encoding('{"type"'.encode("utf-16-be"))[0] == "utf-16-be"
    assert detect_encoding(b"\xff\xfe\x00\x00")[0] == "utf-32-le"  # not UTF-16 LE, whose mark it starts with


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "claude-code"


def _corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"the Claude Code corpus is not here ({path}); it lives in ../shared/corpus/ beside the project")
    return path


@pytest.mark.parametrize("name", ["tool_heavy.jsonl", "agent-sessions-schema-drift.jsonl"])
def test_a_real_transcript_saved_otherwise_gives_the_same_lesson(name: str, tmp_path: Path) -> None:
    """Re-encoded by PowerShell, pretty-printed by a viewer, gathered into an array by `jq -s`: the same lesson."""
    source = _corpus_file(name)
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = import_claude_code(source).lesson_data
    saved = {
        "utf-16.jsonl": source.read_text(encoding="utf-8").encode("utf-16"),
        "pretty.json": "\n".join(json.dumps(r, indent=2, ensure_ascii=False) for r in records).encode("utf-8"),
        "array.json": json.dumps(records, ensure_ascii=False).encode("utf-8"),
    }
    for file, data in saved.items():
        assert import_claude_code(_write_bytes(tmp_path / file, data)).lesson_data == expected, file


# ---------------------------------------------------------------- 2. layouts


LAYOUTS = {
    "pretty-printed records": (lambda rs: "\n".join(json.dumps(r, indent=2, ensure_ascii=False) for r in rs) + "\n", "pretty-printed"),
    "pretty-printed, indent 0": (lambda rs: "\n".join(json.dumps(r, indent=0) for r in rs) + "\n", "pretty-printed"),
    "pretty-printed, nothing between": (lambda rs: "".join(json.dumps(r, indent=4) for r in rs), "pretty-printed"),
    "one array on one line": (lambda rs: json.dumps(rs), "JSON array"),
    "one array, pretty-printed": (lambda rs: json.dumps(rs, indent=2) + "\n", "JSON array"),
    "one array, a record a line": (lambda rs: "[\n" + ",\n".join(json.dumps(r) for r in rs) + "\n]\n", "JSON array"),
    "concatenated on one line": (lambda rs: "".join(json.dumps(r) for r in rs) + "\n", "several to a line"),
    "CRLF line ends": (lambda rs: "\r\n".join(json.dumps(r) for r in rs) + "\r\n", None),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_each_layout_reads_as_the_same_records(name: str, tmp_path: Path) -> None:
    write, said = LAYOUTS[name]
    s = _session()
    expected, _ = _read(_write_bytes(tmp_path / "plain.jsonl", _jsonl(s).encode("utf-8")))
    records, notes = _read(_write_bytes(tmp_path / "laid-out.jsonl", write(s.records).encode("utf-8")))
    assert records == expected
    if said:
        assert any(said in note and str(len(s.records)) in note for note in notes), notes
    assert not [note for note in notes if "corrupt" in note], notes


def test_pretty_printed_records_import_into_a_lesson_that_validates(tmp_path: Path) -> None:
    s = _session()
    path = _write_bytes(tmp_path / "s.json", "\n".join(json.dumps(r, indent=2) for r in s.records).encode("utf-8"))
    data = _import(path, tmp_path / "out")
    assert "The discount is applied once now" in _texts(data)
    assert any(step["kind"] == "result" and not step["ok"] for step in data["steps"])


def test_a_pretty_printed_record_cut_short_costs_that_record_only(tmp_path: Path) -> None:
    s = _session()
    pretty = [json.dumps(r, indent=2) for r in s.records]
    pretty[2] = pretty[2][: len(pretty[2]) // 2]  # a crash mid-write
    records, notes = _read(_write_bytes(tmp_path / "s.json", ("\n".join(pretty) + "\n").encode("utf-8")))
    assert [r.get("uuid") for r in records] == [r.get("uuid") for i, r in enumerate(s.records) if i != 2]
    assert any("corrupt" in note for note in notes), notes


def test_a_jsonl_line_cut_short_between_tokens_does_not_swallow_the_records_after_it(tmp_path: Path) -> None:
    s = _session()
    lines_ = s.lines()
    lines_[1] = lines_[1][: lines_[1].index('"message"')]  # ends right after a comma: looks unfinished
    records, notes = _read(_write_bytes(tmp_path / "s.jsonl", ("\n".join(lines_) + "\n").encode("utf-8")))
    assert len(records) == len(s.records) - 1
    assert any("corrupt" in note and "line 2" in note for note in notes), notes


def test_a_pretty_printed_record_over_the_limit_is_skipped_and_reading_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _limit_records_to(4096, monkeypatch)
    s = _session()
    s.say("word " * 2000)  # this record, pretty-printed, is over 4 KiB
    s.say("After the giant record.")
    text = "\n".join(json.dumps(r, indent=2) for r in s.records) + "\n"
    records, notes = _read(_write_bytes(tmp_path / "s.json", text.encode("utf-8")))
    said = [b.get("text") for r in records if r["type"] == "assistant" for b in r["message"]["content"]]
    assert "After the giant record." in said and not any(t and t.startswith("word word") for t in said)
    assert any("skipped 1 record(s) longer than" in note for note in notes), notes


def test_an_array_on_one_line_longer_than_the_line_limit_is_read_element_by_element(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _limit_records_to(4096, monkeypatch)
    monkeypatch.setattr(values_module, "CHUNK", 1000)  # elements straddle the window's edge
    s = _session()
    s.say("word " * 2000)  # one element over the limit: skipped, the reading goes on
    s.say("After the giant record.")
    path = _write_bytes(tmp_path / "s.json", json.dumps(s.records * 3).encode("utf-8"))
    records, notes = _read(path)
    assert len(records) == 3 * (len(s.records) - 1)
    assert any("skipped 3 record(s) longer than" in note for note in notes), notes


def test_a_file_of_one_line_over_the_limit_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _limit_records_to(4096, monkeypatch)
    s = Session(cwd=CWD)
    s.user("word " * 2000)
    with pytest.raises(ClaudeCodeImportError, match="lines longer than") as raised:
        read_records(s.write(tmp_path / "s.jsonl"), [])
    assert "\n" not in str(raised.value)


def test_an_array_cut_short_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    s = _session()
    text = json.dumps(s.records, indent=2)
    records, notes = _read(_write_bytes(tmp_path / "s.json", text[: len(text) * 2 // 3].encode("utf-8")))
    assert 0 < len(records) < len(s.records)
    assert records == _read(_write_bytes(tmp_path / "whole.json", text.encode("utf-8")))[0][: len(records)]
    assert any("corrupt" in note for note in notes), notes


def test_lines_are_split_on_newlines_only_and_bounded_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    _limit_records_to(10, monkeypatch)
    text = "ab\ncd\u2028e\r\n\n".encode() + b"x" * 25 + b"\nlast"
    rng = random.Random(7)
    for _ in range(50):
        cuts = sorted(rng.sample(range(1, len(text)), 6))
        chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
        assert list(lines(iter(chunks))) == [b"ab", "cd\u2028e\r".encode(), b"", None, b"last"]


# ---------------------------------------------------------------- 3. values JSON does not have


def test_nan_infinity_and_lone_surrogates_do_not_fail_the_import(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Fix the flaky timing test \ud800 in test_clock.py")  # json.dumps writes the escape "\\ud800"
    use = s.tool_use("Bash", command="pytest -q test_clock.py", timeout=120000, text="Running it \udfff now.")
    s.tool_result(use, "Exit code 1\nFAILED test_clock.py::test_tick", is_error=True)
    s.say("It fails on the tick.")
    text = "\n".join(json.dumps(r) for r in s.records) + "\n"  # ensure_ascii: the surrogates are escapes
    text = text.replace('"timeout": 120000', '"timeout": NaN').replace('"output_tokens": 12', '"output_tokens": Infinity')
    text = text.replace('"input_tokens": 4', '"input_tokens": -Infinity')
    raw = text.encode("utf-8").replace(b"on the tick", b"on the \xff\xfe tick")  # invalid UTF-8 too
    path = _write_bytes(tmp_path / "s.jsonl", raw)
    records, notes = _read(path)
    call = next(b for r in records if r["type"] == "assistant" for b in r["message"]["content"] if b["type"] == "tool_use")
    assert call["input"]["timeout"] is None
    assert any("NaN or Infinity" in note for note in notes) and any("lone surrogates" in note for note in notes), notes
    data = _import(path, tmp_path / "out")
    steps = _texts(data)
    assert "flaky timing test \ufffd in" in steps and "on the \ufffd\ufffd tick" in steps


def test_a_real_pair_of_surrogate_escapes_is_one_character(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Ship it \U0001F680")
    s.say("Shipped.")
    text = "\n".join(json.dumps(r) for r in s.records) + "\n"  # ensure_ascii: the rocket is "\\ud83d\\ude80"
    records, notes = _read(_write_bytes(tmp_path / "s.jsonl", text.encode("ascii")))
    assert records[0]["message"]["content"] == "Ship it \U0001F680"
    assert not [note for note in notes if "surrogate" in note], notes


# ---------------------------------------------------------------- 4. slimmed as read, memory


def test_records_keep_what_the_importer_reads_and_drop_the_rest(tmp_path: Path) -> None:
    s = _session()
    s.progress("toolu_task", {"type": "agent_progress", "agentId": "a1", "prompt": "look around" * 100,
                              "normalizedMessages": [{"huge": "x" * 1000}] * 20,
                              "message": {"type": "assistant", "uuid": "sub-1", "timestamp": "2026-03-02T09:16:00Z",
                                          "message": {"role": "assistant", "content": [{"type": "text", "text": "Found it."}],
                                                      "usage": {"input_tokens": 1}}}})
    records, _ = _read(s.write(tmp_path / "s.jsonl"))
    by_type = {r["type"]: r for r in records}
    first = records[0]
    for key in ("type", "uuid", "parentUuid", "isSidechain", "sessionId", "cwd", "gitBranch", "version", "timestamp", "message"):
        assert key in first, key
    assert "userType" not in first
    progress = next(r for r in records if r["type"] == "progress")
    assert progress["type"] == "progress" and set(progress) <= {
        "type", "uuid", "parentUuid", "isSidechain", "sessionId", "timestamp", "toolUseID", "parentToolUseID", "agentId", "data"}
    assert set(progress) == {"type", "uuid", "parentUuid", "isSidechain", "sessionId", "timestamp"}  # bash progress: the links only
    agent = records[-1]["data"]
    assert agent["agentId"] == "a1" and "normalizedMessages" not in agent and "prompt" not in agent
    assert agent["message"]["message"]["content"] == [{"type": "text", "text": "Found it."}]
    edit_result = next(r for r in records if isinstance(r.get("toolUseResult"), dict) and "originalFile" in r["toolUseResult"])
    assert edit_result["toolUseResult"] == {"filePath": f"{CWD}/cart.py", "originalFile": "total * d * d\n", "userModified": False}
    image = next(b for r in records if r["type"] == "user" for b in r["message"]["content"] if isinstance(b, dict) and b["type"] == "image")
    assert image == {"type": "image", "source": {"type": "base64", "media_type": "image/png"}}
    s2 = Session(cwd=CWD)
    s2.user("Tidy the cart")
    use = s2.tool_use("Edit", file_path=f"{CWD}/cart.py", old_string="a", new_string="b")
    s2.tool_result(use, "updated", tool_use_result={"filePath": f"{CWD}/cart.py", "oldString": "a", "newString": "b (changed by the senior)",
                                                   "originalFile": "a\n", "userModified": True, "structuredPatch": []})
    modified = _read(s2.write(tmp_path / "modified.jsonl"))[0][-1]["toolUseResult"]
    assert modified["newString"] == "b (changed by the senior)" and modified["oldString"] == "a"
    snapshot = by_type["file-history-snapshot"]
    assert snapshot["snapshot"]["trackedFileBackups"] == {} and snapshot["messageId"] == "msg-1"
    assert "usage" not in by_type["assistant"]["message"]


def test_long_tool_output_is_cut_as_it_is_read(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Run the build")
    use = s.tool_use("Bash", command="make")
    s.tool_result(use, "ok", tool_use_result={"stdout": "y" * (MAX_KEPT_CHARS * 3), "stderr": "", "interrupted": False})
    use = s.tool_use("Bash", command="make again")
    s.tool_result(use, "fail", is_error=True, tool_use_result="Error: " + "z" * (MAX_KEPT_CHARS * 2))
    records, _ = _read(s.write(tmp_path / "s.jsonl"))
    results = [r["toolUseResult"] for r in records if "toolUseResult" in r]
    assert len(results[0]["stdout"]) == MAX_KEPT_CHARS and len(results[1]) == MAX_KEPT_CHARS


def test_reading_a_long_session_holds_at_most_twice_its_size(tmp_path: Path) -> None:
    """Progress records are most of a long session's lines; slimmed as read, the records take less than the file."""
    s = Session(cwd=CWD)
    s.user("Keep the tests green while you refactor the cart")
    for turn in range(150):
        use = s.tool_use("Bash", command=f"pytest -q -k case_{turn}", text=f"Checking case {turn}.")
        for second in range(8):
            s.progress(use, {"type": "bash_progress", "output": "collecting", "fullOutput": "collecting\n" * second,
                             "elapsedTimeSeconds": second, "totalLines": second, "timeoutMs": 120000})
            s.progress("hook", {"type": "hook_progress", "hookEvent": "PostToolUse", "hookName": "PostToolUse:Bash",
                                "command": f"{CWD}/.claude/hooks/notify.sh"})
        s.tool_result(use, f"{turn} passed", tool_use_result={"stdout": f"{turn} passed\n" * 40, "stderr": "", "interrupted": False})
    path = s.write(tmp_path / "s.jsonl")
    read_records(path, [])  # warm: imports and caches are not the records
    gc.collect()
    tracemalloc.start()
    try:
        records = read_records(path, [])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(records) == len(s.records)
    assert peak <= 2 * path.stat().st_size, (peak, path.stat().st_size)


def test_reading_a_short_session_sets_aside_no_more_than_the_file_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read buffer sized for long files would be most of a short session's reading: reads ask for what the file
    still holds, so reading a few KiB peaks near the records they make (and the fixed cost of reading), whatever
    the chunk a long file is read in."""
    monkeypatch.setattr(text_module, "CHUNK", 1 << 20)
    path = _session().write(tmp_path / "s.jsonl")
    size = path.stat().st_size
    read_records(path, [])
    gc.collect()
    tracemalloc.start()
    try:
        read_records(path, [])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 6 * size, (peak, size)


def test_a_transcript_growing_while_it_is_read_is_read_to_its_end(tmp_path: Path) -> None:
    """A session still being written grows between reads: what it holds when the first reads end is not its end."""
    first, later = Session(cwd=CWD), Session(cwd=CWD)
    first.user("Fix the cart total")
    later.user("And keep the coupon rules as they are")
    path = tmp_path / "s.jsonl"
    path.write_text(_jsonl(first), encoding="utf-8")
    with path.open("rb") as stream:
        chunks = text_module.utf8_chunks(stream, "utf-8", 0, 10**6)
        read = [next(chunks)]  # all the file held when asked
        with path.open("a", encoding="utf-8") as out:
            out.write(_jsonl(later))
        read.extend(chunks)
    assert b"".join(read) == path.read_bytes()


def test_importing_a_long_session_holds_at_most_three_times_its_size(tmp_path: Path) -> None:
    """The whole import (read, thread, steps, code changes, draft, redaction) and writing the lesson, as `tutor import` runs them."""
    s = Session(cwd=CWD)
    s.user("Keep the tests green while you refactor the cart")
    source = "".join(f"def price_{n}(cart):\n    return sum(item.price for item in cart.items) * {n}\n" for n in range(60))
    for turn in range(40):
        file = f"{CWD}/src/cart_{turn % 12}.py"
        edit = s.tool_use("Edit", file_path=file, old_string=f"* {turn % 60}\n", new_string=f"* {turn % 60 + 1}\n", text=f"Refactoring step {turn}.")
        s.tool_result(edit, f"The file {file} has been updated.", tool_use_result={
            "filePath": file, "originalFile": source, "oldString": f"* {turn % 60}\n", "newString": f"* {turn % 60 + 1}\n",
            "structuredPatch": [{"oldStart": 2, "lines": ["-a", "+b"]}], "userModified": False})
        use = s.tool_use("Bash", command=f"pytest -q -k case_{turn}")
        for second in range(8):
            s.progress(use, {"type": "bash_progress", "output": "collecting", "fullOutput": "collecting\n" * second,
                             "elapsedTimeSeconds": second, "totalLines": second, "timeoutMs": 120000})
            s.progress("hook", {"type": "hook_progress", "hookEvent": "PostToolUse", "hookName": "PostToolUse:Bash",
                                "command": f"{CWD}/.claude/hooks/notify.sh"})
        s.tool_result(use, f"{turn} passed", tool_use_result={"stdout": f"{turn} passed\n" * 40, "stderr": "", "interrupted": False})
    path = s.write(tmp_path / "s.jsonl")
    write_imported_lesson(import_claude_code(path), tmp_path / "warm")  # imports and caches are not the import's
    gc.collect()
    tracemalloc.start()
    try:
        write_imported_lesson(import_claude_code(path), tmp_path / "out")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 3 * path.stat().st_size, (peak, path.stat().st_size)


# ---------------------------------------------------------------- helpers


def _limit_records_to(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (text_module, values_module):
        monkeypatch.setattr(module, "MAX_RECORD_BYTES", size)


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["tool_heavy.jsonl", "agent-sessions-schema-drift.jsonl", "agentic-wallet-nonanthropic.jsonl", "session-ae4a77f8.jsonl"])
def test_skipping_unread_keys_while_parsing_slims_to_the_same_records(name: str) -> None:
    """`read_records` parses a line with the slimming's keys only (the rest skipped by msgspec): each real record
    slims to what it slims to when parsed whole."""
    import msgspec

    from tutor.record.claude_code.slimming import KeptKeys, Slimmer

    typed = msgspec.json.Decoder(KeptKeys)
    lines_read = [line for line in _corpus_file(name).read_bytes().splitlines() if line.strip()]
    whole, skipping = Slimmer(), Slimmer()
    for line in lines_read:
        assert skipping.record(typed.decode(line)) == whole.record(json.loads(line))
    assert len(lines_read) > 10


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=120).map(lambda b: b.replace(b"\r", b"\n")), st.lists(st.integers(1, 25), min_size=1, max_size=40))
def test_lines_are_the_text_split_at_newlines_a_too_long_one_none(text: bytes, cuts: list[int]) -> None:
    """However the text comes in chunks (shorter or longer than the limit), the lines are its parts between newlines,
    one over the limit None (here the limit is 10 bytes)."""
    import unittest.mock

    chunks, at = [], 0
    for size in cuts * 10:
        if at >= len(text):
            break
        chunks.append(text[at : at + size])
        at += size
    if at < len(text):
        chunks.append(text[at:])
    parts = text.split(b"\n")
    if parts[-1] == b"":
        parts.pop()  # a last newline ends the last line
    with unittest.mock.patch.object(text_module, "MAX_RECORD_BYTES", 10):
        assert list(lines(iter(chunks))) == [part if len(part) <= 10 else None for part in parts]


def test_a_file_whose_size_says_less_than_it_holds_is_read_whole_in_whole_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Some files (procfs, some network file systems) give a size of 0 or less than they hold: reading goes on past
    it in whole chunks, not a byte at a time."""
    import io

    class Counted(io.BytesIO):
        reads = 0

        def read(self, size: int | None = -1) -> bytes:
            Counted.reads += 1
            return super().read(size)

    text = b"".join(b'{"type": "user", "n": %d}\n' % n for n in range(5000))
    monkeypatch.setattr(text_module, "_left", lambda _stream: 0)  # says it holds nothing more, whatever it holds
    assert b"".join(text_module.utf8_chunks(Counted(text), "utf-8", 0, 10**8)) == text
    assert Counted.reads <= len(text) // text_module.CHUNK + 3, Counted.reads
