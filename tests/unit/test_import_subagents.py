"""Subagents in imported Claude Code sessions: each Task's run found wherever Claude Code wrote it, told as a note with details; a subagent's own file refused with one line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from tests.helpers.claude_code_corpus import corpus_file
from tests.helpers.claude_code_format import Session, text_block
from tutor.cli import cli
from tutor.lesson import NoteStep
from tutor.lesson.markdown import lesson_markdown_parser
from tutor.lesson.models import parse, to_data
from tutor.lesson.limits import MAX_FIELD_CHARS
from tutor.lesson.validate import check_lesson_data, lesson_warnings
from tutor.record.claude_code import import_claude_code
from tutor.record.claude_code.reading import read_records
from tutor.record.claude_code.subagent_account import MAX_DETAILS_CHARS
from tutor.record.claude_code.subagents import describe_run, subagent_refusal, subagent_runs

SESSION_ID = "5f0c2a9e-7d41-4e4b-9a57-3c1d2b8e6f10"
CWD = "/home/alice/projects/shop"
PROMPT = "Find every caller of cart.total() in src/ and report which ones pass a discount."



# ---------------------------------------------------------------- writing sessions with subagents


class Run:
    """A subagent's records, written one at a time into `session` (so parallel runs can interleave), chained from their own root."""

    def __init__(self, session: Session, prompt: str, *, agent_id: str | None = None) -> None:
        self.session, self.extra = session, ({"agentId": agent_id} if agent_id else {})
        self.last: str | None = session.user(prompt, parent=None, sidechain=True, **self.extra)["uuid"]
        self.calls = 0

    def call(self, tool: str, output: str, *, is_error: bool = False, **tool_input: Any) -> None:
        self.calls += 1
        use_id = f"toolu_sub_{id(self) % 10_000:04d}_{self.calls:03d}"
        record = self.session.assistant({"type": "tool_use", "id": use_id, "name": tool, "input": tool_input},
                                        parent=self.last, sidechain=True, **self.extra)[-1]
        self.last = self.session.tool_result(use_id, output, is_error=is_error, parent=record["uuid"], sidechain=True, **self.extra)["uuid"]

    def say(self, text: str) -> None:
        self.last = self.session.assistant(text_block(text), parent=self.last, sidechain=True, **self.extra)[-1]["uuid"]


def task(session: Session, prompt: str = PROMPT, description: str = "Find total() callers", *, name: str = "Task") -> str:
    return session.tool_use(name, text="I'll hand the search to a subagent.", description=description, prompt=prompt,
                            subagent_type="general-purpose")


def task_result(session: Session, use_id: str, report: str, *, agent_id: str | None = None, prompt: str = PROMPT) -> None:
    account: dict[str, Any] = {"status": "completed", "prompt": prompt, "content": [text_block(report)],
                               "totalDurationMs": 5400, "totalTokens": 9100, "totalToolUseCount": 2}
    if agent_id:
        account["agentId"] = agent_id
    session.tool_result(use_id, [text_block(report)], tool_use_result=account)


def main_session(*, version: str = "2.1.20", agent_id: str | None = "a1b2c3d") -> tuple[Session, str]:
    """A session whose agent hands one search to a subagent; its work is written elsewhere by the caller."""
    s = Session(cwd=CWD, version=version, session_id=SESSION_ID)
    s.user("Which callers of cart.total() pass a discount? I want to drop the parameter.")
    use_id = task(s)
    task_result(s, use_id, "Two callers pass a discount: checkout.py and admin/refunds.py.", agent_id=agent_id)
    s.say("Two callers pass a discount; I'll leave the parameter.")
    return s, use_id


def subagent_file(agent_id: str, *, session_id: str = SESSION_ID, prompt: str = PROMPT, version: str = "2.1.20") -> Session:
    """A subagent's own transcript: every record a sidechain carrying its agentId, in the parent's sessionId."""
    s = Session(cwd=CWD, version=version, session_id=session_id)
    run = Run(s, prompt, agent_id=agent_id)
    run.call("Grep", f"{CWD}/src/checkout.py:12: total(discount=code)\n{CWD}/src/admin/refunds.py:40: total(discount=0)",
             pattern=r"total\(", path=f"{CWD}/src")
    run.call("Read", "     1\tdef refund(order):\n     2\t    return order.total(discount=0)", file_path=f"{CWD}/src/admin/refunds.py")
    run.say("Two callers pass a discount: checkout.py and admin/refunds.py.")
    return s


def tools_of(run: list[dict[str, Any]]) -> list[str]:
    return [b["name"] for r in run if r["type"] == "assistant" for b in r["message"]["content"] if b["type"] == "tool_use"]


def read(path: Path) -> list[dict[str, Any]]:
    return read_records(path, [])


# ---------------------------------------------------------------- the three layouts


def test_newer_sessions_find_the_run_in_the_subagents_folder_by_the_results_agent_id(tmp_path: Path) -> None:
    s, use_id = main_session()
    path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    subagent_file("a1b2c3d").write(tmp_path / SESSION_ID / "subagents" / "agent-a1b2c3d.jsonl")
    # another run of the same session, for a Task not in this file: never taken for this one
    subagent_file("a9f9f9f", prompt="Summarise README.md").write(tmp_path / SESSION_ID / "subagents" / "agent-a9f9f9f.jsonl")
    notes: list[str] = []
    runs = subagent_runs(path, read(path), notes)
    assert list(runs) == [use_id]
    assert tools_of(runs[use_id]) == ["Grep", "Read"]
    assert {r.get("agentId") for r in runs[use_id]} == {"a1b2c3d"}
    assert notes == []


def test_a_run_in_the_subagents_folder_is_matched_by_its_prompt_when_the_result_names_no_agent(tmp_path: Path) -> None:
    s, use_id = main_session(agent_id=None)
    path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    subagent_file("a0000aa", prompt="Something else entirely").write(tmp_path / SESSION_ID / "subagents" / "agent-a0000aa.jsonl")
    subagent_file("a1b2c3d").write(tmp_path / SESSION_ID / "subagents" / "agent-a1b2c3d.jsonl")
    runs = subagent_runs(path, read(path), [])
    assert list(runs) == [use_id]
    assert runs[use_id][0]["agentId"] == "a1b2c3d"


def test_agent_files_beside_the_session_count_only_when_they_carry_its_session_id(tmp_path: Path) -> None:
    s, use_id = main_session(version="2.0.14", agent_id=None)
    path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    # the same prompt in another session's agent file, earlier in name order: not this session's run
    other = subagent_file("a0000aa", session_id="0e0e0e0e-1111-4222-8333-444444444444", version="2.0.14")
    other.records[1]["message"]["content"][0]["name"] = "Glob"
    other.write(tmp_path / "agent-a0000aa.jsonl")
    mine = subagent_file("b7c8d9e", version="2.0.14")
    mine.records.insert(0, {"type": "file-history-snapshot", "messageId": "m0", "snapshot": {"messageId": "m0", "trackedFileBackups": {}}})
    mine.write(tmp_path / "agent-b7c8d9e.jsonl")  # its sessionId is in its second record
    runs = subagent_runs(path, read(path), [])
    assert list(runs) == [use_id]
    assert tools_of(runs[use_id]) == ["Grep", "Read"]
    assert {r["sessionId"] for r in runs[use_id]} == {SESSION_ID}


def test_inline_sidechain_records_of_older_sessions_are_the_run(tmp_path: Path) -> None:
    s = Session(cwd=CWD, version="1.0.24", session_id=SESSION_ID)
    s.user("Which callers of cart.total() pass a discount?")
    use_id = task(s)
    run = Run(s, PROMPT)
    run.call("Grep", "src/checkout.py:12: total(discount=code)", pattern=r"total\(")
    run.say("One caller passes a discount: checkout.py.")
    s.tool_result(use_id, [text_block("One caller passes a discount: checkout.py.")])
    s.say("Only checkout.py passes one.")
    path = s.write(tmp_path / "session.jsonl")
    runs = subagent_runs(path, read(path), [])
    assert list(runs) == [use_id]
    assert [r["type"] for r in runs[use_id]] == ["user", "assistant", "user", "assistant"]
    assert all(r["isSidechain"] for r in runs[use_id])


def test_parallel_tasks_get_their_own_interleaved_runs(tmp_path: Path) -> None:
    s = Session(cwd=CWD, version="1.0.58", session_id=SESSION_ID)
    s.user("Audit the payment and the shipping modules.")
    calls = [{"type": "tool_use", "id": f"toolu_par_{n}", "name": "Task",
              "input": {"description": f"Audit {what}", "prompt": f"Audit src/{what}/ for unchecked errors.", "subagent_type": "general-purpose"}}
             for n, what in enumerate(("payment", "shipping"))]
    s.assistant(*calls, message_id="msg_01parallel")
    payment, shipping = Run(s, "Audit src/payment/ for unchecked errors."), Run(s, "Audit src/shipping/ for unchecked errors.")
    shipping.call("Glob", "src/shipping/rates.py", pattern="src/shipping/**/*.py")
    payment.call("Grep", "src/payment/charge.py:8: except Exception: pass", pattern="except")
    shipping.call("Read", "def rate(): ...", file_path=f"{CWD}/src/shipping/rates.py")
    payment.say("One swallowed exception in charge.py.")
    shipping.say("Nothing unchecked.")
    s.tool_result("toolu_par_0", [text_block("One swallowed exception in charge.py.")])
    s.tool_result("toolu_par_1", [text_block("Nothing unchecked.")])
    path = s.write(tmp_path / "session.jsonl")
    runs = subagent_runs(path, read(path), [])
    assert list(runs) == ["toolu_par_0", "toolu_par_1"]
    assert tools_of(runs["toolu_par_0"]) == ["Grep"]
    assert tools_of(runs["toolu_par_1"]) == ["Glob", "Read"]
    assert runs["toolu_par_1"][0]["message"]["content"] == "Audit src/shipping/ for unchecked errors."


def test_the_newer_agent_tool_and_agent_progress_records_give_the_run_without_a_folder(tmp_path: Path) -> None:
    s = Session(cwd=CWD, version="2.1.39", session_id=SESSION_ID)
    s.user("Which callers pass a discount?")
    use_id = task(s, name="Agent")
    inner = subagent_file("aac57f5").records
    for record in inner + inner[:1]:  # Claude Code repeats some: each is taken once
        s.add({"type": "progress", "parentUuid": s.last_uuid, "isSidechain": False, "sessionId": SESSION_ID, "uuid": f"p-{len(s.records)}",
               "toolUseID": "agent_msg_01", "parentToolUseID": use_id,
               "data": {"type": "agent_progress", "prompt": PROMPT, "agentId": "aac57f5", "normalizedMessages": [],
                        "message": {k: record[k] for k in ("type", "message", "uuid", "timestamp")}}})
    task_result(s, use_id, "Two callers.", agent_id="aac57f5")
    path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    runs = subagent_runs(path, read(path), [])
    assert list(runs) == [use_id]
    assert tools_of(runs[use_id]) == ["Grep", "Read"]
    assert len(runs[use_id]) == len(inner)


def test_the_real_session_with_a_task_yields_its_run_from_progress_records() -> None:
    path = corpus_file("session-ae4a77f8.jsonl")
    records = read(path)
    notes: list[str] = []
    runs = subagent_runs(path, records, notes)
    assert list(runs) == ["toolu_01Hf8v1Za7y4af8VUwSR4CXU"]
    call = next(b for r in records if r.get("type") == "assistant" for b in r["message"]["content"] if b.get("id") in runs)
    text, details = describe_run(call["input"], runs[call["id"]], next(r["cwd"] for r in records if "cwd" in r))
    assert text == ("The subagent (general-purpose: Check OTEL hex package versions) worked here: "
                    "2 messages, 12 tool calls; its report is the result below.")
    assert details.count("- **WebSearch**") == 6 and details.count("- **WebFetch**") == 6
    assert len(details) <= MAX_DETAILS_CHARS


def test_no_corpus_session_is_taken_for_a_subagent_file() -> None:
    for name in ("tool_heavy.jsonl", "session-ae4a77f8.jsonl", "agent-sessions-schema-drift.jsonl", "agentic-wallet-nonanthropic.jsonl"):
        path = corpus_file(name)
        assert subagent_refusal(read(path), path) is None, name


# ---------------------------------------------------------------- missing and unreadable files


def test_a_missing_subagent_file_is_a_note_and_the_task_is_left_to_its_report(tmp_path: Path) -> None:
    s, _use_id = main_session()
    path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    notes: list[str] = []
    assert subagent_runs(path, read(path), notes) == {}
    assert notes == ["1 subagent transcript(s) not found beside the session (agent a1b2c3d); their reports show, their steps do not"]


@pytest.mark.parametrize("damage", ["folder", "binary", "fifo", "link"])
def test_an_unreadable_subagent_file_is_a_note_never_a_failure(tmp_path: Path, damage: str) -> None:
    s, _use_id = main_session()
    path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    file = tmp_path / SESSION_ID / "subagents" / "agent-a1b2c3d.jsonl"
    file.parent.mkdir(parents=True)
    if damage == "folder":
        file.mkdir()
    elif damage == "binary":
        file.write_bytes(b"\x00\x01\x02 not json")
    elif damage == "fifo":
        os.mkfifo(file)
    else:
        file.symlink_to("/dev/zero")
    notes: list[str] = []
    assert subagent_runs(path, read(path), notes) == {}
    assert len(notes) == 1 and notes[0].startswith(f"could not read a subagent's transcript: {file}: "), notes
    assert "\n" not in notes[0]


# ---------------------------------------------------------------- a subagent's own file given to the importer


def test_a_subagents_own_file_is_refused_naming_its_parent_session(tmp_path: Path) -> None:
    s, _use_id = main_session()
    parent = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    file = subagent_file("a1b2c3d").write(tmp_path / SESSION_ID / "subagents" / "agent-a1b2c3d.jsonl")
    line = subagent_refusal(read(file), file)
    assert line == (f"{file}: a subagent's transcript (agent a1b2c3d) of session 5f0c2a9e, not a session; "
                    f"import that session's file, {parent}, instead")


def test_an_inline_subagent_file_without_agent_ids_is_refused_by_its_sidechain_records(tmp_path: Path) -> None:
    s = Session(cwd=CWD, version="2.0.14", session_id=SESSION_ID)
    Run(s, PROMPT).say("Nothing to do.")
    file = s.write(tmp_path / "agent-b7c8d9e.jsonl")
    assert subagent_refusal(read(file), file) == (
        f"{file}: a subagent's transcript (agent b7c8d9e) of session 5f0c2a9e, not a session; import that session's file, {SESSION_ID}.jsonl, instead")


def test_a_session_with_inline_subagents_is_not_refused(tmp_path: Path) -> None:
    s = Session(cwd=CWD, version="1.0.24", session_id=SESSION_ID)
    s.user("Which callers pass a discount?")
    task(s)
    Run(s, PROMPT).say("None.")
    path = s.write(tmp_path / "session.jsonl")
    assert subagent_refusal(read(path), path) is None


def test_the_cli_refuses_a_subagent_file_in_one_line(tmp_path: Path) -> None:
    file = subagent_file("a1b2c3d").write(tmp_path / SESSION_ID / "subagents" / "agent-a1b2c3d.jsonl")
    result = CliRunner().invoke(cli, ["import", "claude-code", str(file)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "a subagent's transcript (agent a1b2c3d) of session 5f0c2a9e" in result.output
    assert "no prompt" not in result.output


# ---------------------------------------------------------------- telling a run


def test_a_run_is_told_in_one_line_and_its_details_give_prompt_calls_and_results(tmp_path: Path) -> None:
    run = subagent_file("a1b2c3d").records
    text, details = describe_run({"subagent_type": "Explore", "description": "Find total() callers", "prompt": PROMPT}, run, CWD)
    assert text == "The subagent (Explore: Find total() callers) worked here: 3 messages, 2 tool calls; its report is the result below."
    assert "\n" not in text
    assert details.startswith("**Its prompt**\n\n" + PROMPT + "\n\n**What it did**\n\n")
    assert "- **Grep** `total\\( in src`\\\n  ✓ `src/checkout.py:12: total(discount=code)`\\\n  `src/admin/refunds.py:40: total(discount=0)`" in details
    assert "- **Read** `src/admin/refunds.py`" in details
    assert "- Two callers pass a discount: checkout.py and admin/refunds.py." in details
    assert CWD not in details  # paths relative to the session's folder


def test_a_failed_call_in_a_run_is_marked() -> None:
    s = Session(cwd=CWD, session_id=SESSION_ID)
    run = Run(s, "Run the tests.")
    run.call("Bash", "Exit code 1\nFAILED tests/test_cart.py::test_total", is_error=True, command="pytest -q")
    _text, details = describe_run({"prompt": "Run the tests."}, s.records, CWD)
    assert "- **Bash** `pytest -q`\\\n  ✗ failed `Exit code 1`\\\n  `FAILED tests/test_cart.py::test_total`" in details


HOSTILE = "[click](javascript:alert(1)) <script>x</script> **bold** `code` # heading\n# a heading\n1. a list\n> quote\n---\n[b]markup[/b] &amp;"


def test_hostile_text_in_a_run_stays_text_in_the_details() -> None:
    s = Session(cwd=CWD, session_id=SESSION_ID)
    run = Run(s, HOSTILE)
    run.call("Bash", HOSTILE, command="echo '``` `` `' " + HOSTILE)
    run.say(HOSTILE)
    text, details = describe_run({"subagent_type": "x**y**", "description": HOSTILE, "prompt": HOSTILE}, s.records, CWD)
    for markdown in (text, details):
        tokens = lesson_markdown_parser().parse(markdown)
        kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
        assert not kinds & {"link_open", "html_inline", "html_block", "heading_open", "ordered_list_open", "blockquote_open", "hr", "em_open", "fence"}
        strong = [c for t in tokens for c in (t.children or []) if c.type == "strong_open"]
        assert len(strong) == markdown.count("- **") + markdown.count("**Its prompt**") + markdown.count("**What it did**")
        assert [t.type for t in tokens if t.type == "bullet_list_open"] == (["bullet_list_open"] if markdown is details else [])
    assert "\\[click\\](javascript:alert(1))" in details


# Built from parts, so that the project's own sources hold no secret-shaped literal (the redaction corpus scans them).
SECRET = "hunter2" + "!<Pa$$|w0rd>&*~x"
PEM = "-----{} RSA PRIVATE " + "KEY-----"
PRIVATE_KEY = PEM.format("BEGIN") + "\n" + "\n".join("MIIEowIBAAKCAQEA" + "q" * 48 for _ in range(20)) + "\n" + PEM.format("END")


def test_secrets_are_redacted_before_the_details_cut_or_escape_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PASSWORD", SECRET)
    s = Session(cwd=CWD, session_id=SESSION_ID)
    run = Run(s, f"Log in with {SECRET} and list the keys.")
    run.call("Bash", PRIVATE_KEY, command=f"PGPASSWORD='{SECRET}' psql -c 'select 1'")
    run.say(f"The password {SECRET} works.")
    text, details = describe_run({"description": f"use {SECRET}", "prompt": f"Log in with {SECRET} and list the keys."}, s.records, CWD)
    for shown in (text, details):
        assert "hunter2" not in shown and "MIIEowIBAAKCAQEA" not in shown, shown
    assert details.count("\\[REDACTED:env:DB_PASSWORD\\]") == 2 and "PGPASSWORD=" in details  # the prompt, the words; the command
    assert "✓ `[REDACTED:private-key]`\n" in details  # one line: nothing more to say of it


def test_the_imports_own_redaction_is_used_when_given() -> None:
    s = Session(cwd=CWD, session_id=SESSION_ID)
    Run(s, "Say the word.").say("The word is swordfish.")
    _text, details = describe_run({"prompt": "Say the word."}, s.records, CWD, redact=lambda text: text.replace("swordfish", "[REDACTED:word]"))
    assert "swordfish" not in details and "\\[REDACTED:word\\]" in details


def test_the_details_of_a_long_run_are_capped() -> None:
    s = Session(cwd=CWD, session_id=SESSION_ID)
    run = Run(s, "Read everything.\n" * 200)
    for n in range(300):
        run.call("Read", ("x" * 500 + "\n") * 50, file_path=f"{CWD}/src/module_{n}.py")
    text, details = describe_run({"prompt": "Read everything.\n" * 200}, s.records, CWD)
    assert "300 tool calls" in text
    assert len(details) <= MAX_DETAILS_CHARS
    assert details.rstrip().endswith("more not shown")
    assert "… 188 more lines" in details


def test_a_run_told_is_a_note_step_that_saves_with_its_details(tmp_path: Path) -> None:
    s, use_id = main_session()
    path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    subagent_file("a1b2c3d").write(tmp_path / SESSION_ID / "subagents" / "agent-a1b2c3d.jsonl")
    runs = subagent_runs(path, read(path), [])
    text, details = describe_run({"prompt": PROMPT, "description": "Find total() callers", "subagent_type": "general-purpose"}, runs[use_id], CWD)
    note = parse(json.loads(json.dumps({"id": "note-1", "kind": "note", "text": text, "details": details})), NoteStep)
    assert to_data(note) == {"id": "note-1", "kind": "note", "text": text, "details": details}
    plain = parse({"id": "note-2", "kind": "note", "text": text}, NoteStep)
    assert "details" not in to_data(plain)  # a note without details saves as before


# ---------------------------------------------------------------- in the imported lesson


def _around_the_note(steps: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    index = next(n for n, step in enumerate(steps) if step["kind"] == "note" and step.get("details"))
    return steps[index - 1], steps[index], steps[index + 1]


@pytest.mark.parametrize("layout", ["folder", "beside", "inline"])
def test_the_imported_lesson_holds_the_run_as_a_note_with_details_where_the_task_call_stands(tmp_path: Path, layout: str) -> None:
    if layout == "inline":
        s = Session(cwd=CWD, version="1.0.24", session_id=SESSION_ID)
        s.user("Which callers of cart.total() pass a discount? I want to drop the parameter.")
        use_id = task(s)
        run = Run(s, PROMPT)
        run.call("Grep", f"{CWD}/src/checkout.py:12: total(discount=code)", pattern=r"total\(", path=f"{CWD}/src")
        run.say("One caller passes a discount: checkout.py.")
        s.tool_result(use_id, [text_block("One caller passes a discount: checkout.py.")])
        s.say("Only checkout.py passes one.")
        path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
    else:
        s, use_id = main_session(version="2.1.20" if layout == "folder" else "2.0.14")
        path = s.write(tmp_path / f"{SESSION_ID}.jsonl")
        where = tmp_path / SESSION_ID / "subagents" if layout == "folder" else tmp_path
        subagent_file("a1b2c3d").write(where / "agent-a1b2c3d.jsonl")
    result = import_claude_code(path)
    agent, note, report = _around_the_note(result.lesson_data["steps"])
    assert agent["kind"] == "agent" and [c["tool"] for c in agent["calls"]] == ["Task"]
    assert report["kind"] == "result" and report["call"] == agent["calls"][0]["id"]
    assert note["text"].startswith("The subagent (general-purpose: Find total() callers) worked here: ")
    assert "- **Grep** `total\\( in src`" in note["details"] and CWD not in note["details"]
    lesson, problems = check_lesson_data(result.lesson_data, "lesson.json")
    assert lesson is not None, problems
    assert not any("subagent transcript" in n for n in result.notes), result.notes


def test_the_real_session_imports_its_task_as_a_note_with_details_before_the_report() -> None:
    result = import_claude_code(corpus_file("session-ae4a77f8.jsonl"))
    agent, note, report = _around_the_note(result.lesson_data["steps"])
    task_call = next(c for c in agent["calls"] if c["tool"] == "Task")
    assert report["kind"] == "result" and report["call"] == task_call["id"]
    assert note["text"].endswith("worked here: 2 messages, 12 tool calls; its report is the result below.")
    assert note["details"].count("- **WebFetch**") == 6


def test_details_past_the_field_limit_are_valid_with_the_warning_every_long_field_gets() -> None:
    note: dict[str, Any] = {"id": "note-1", "kind": "note", "text": "A subagent worked here.", "details": "x" * (MAX_FIELD_CHARS + 1)}
    data = {"format": "tutor.lesson/1", "id": "long-details", "title": "Long details", "origin": "imported", "task": "A task.",
            "steps": [{"id": "goal", "kind": "goal", "text": "Find the callers.", "ask": {"type": "goal"}},
                      note]}
    lesson, problems = check_lesson_data(data, "lesson.json")
    assert lesson is not None, problems
    assert [w.where for w in lesson_warnings(lesson, "lesson.json")] == ["steps[1].details"]
    note["details"] = 42
    assert any(p.where == "steps[1].details" for p in check_lesson_data(data, "lesson.json")[1])


def test_warming_the_redaction_first_hands_it_every_text_the_account_cleans_and_changes_nothing() -> None:
    """`warm` gets, at once, every text `describe_run` then cleans one by one; the account is the same with or without."""
    run = subagent_file("a1b2c3d").records
    given = {"subagent_type": "Explore", "description": "Find total() callers", "prompt": PROMPT}
    warmed: list[str] = []
    cleaned: list[str] = []

    def redact(text: str) -> str:
        cleaned.append(text)
        return text

    with_warm = describe_run(given, run, CWD, redact=redact, warm=warmed.extend)
    assert set(cleaned) <= set(warmed) and len(cleaned) > 5
    assert with_warm == describe_run(given, run, CWD, redact=lambda text: text)


_LINE_PIECES = st.sampled_from(["", " ", "\t", "ok", "x" * 700, "\x00", "\x1f", "\x85", "\u2028", f"{CWD}/", CWD, "a`b", "  done  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_LINE_PIECES, max_size=3).map("".join), max_size=12), st.booleans(), st.integers(0, 20_000))
def test_a_result_shows_its_first_lines_and_counts_the_rest_as_before(lines: list[str], failed: bool, padding: int) -> None:
    """Only the first lines that show something are made one-line now; what is shown and counted is as when every
    line was (the reference below is the way it was written before)."""
    from tutor.record.claude_code import subagent_account as account

    output = "\n".join(lines) + ("\n" + "y " * padding if padding > 16_000 else "")
    entry = {"kind": "call", "tool": "Bash", "input": {"command": "make"}, "result": (failed, output)}
    clean = lambda text: text[: account.REDACTED_HEAD_CHARS]  # noqa: E731 - as describe_run's, without a redactor

    cleaned = clean(output)
    every = [one for one in (account._one_line(account._relative(raw, CWD), account.MAX_RESULT_LINE_CHARS) for raw in cleaned.splitlines()) if one]
    shown = [account._code(one) for one in every[: account.MAX_RESULT_LINES]]
    whole = every if len(output) <= account.REDACTED_HEAD_CHARS else [raw for raw in output.splitlines() if raw.strip()]
    more = len(whole) - len(shown)
    if more > 0:
        shown.append(f"… {more} more lines")
    expected = "- **Bash** `make`\\\n  " + ("✗ failed" if failed else "✓") + (" " + "\\\n  ".join(shown) if shown else "")
    assert account._entry_markdown(entry, CWD, clean) == expected
