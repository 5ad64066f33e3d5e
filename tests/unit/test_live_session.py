"""The live-session engine without a screen: the journal, the state fold, the gate, resume."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from tests.helpers.live_support import fingerprint, make_user_repo
from tutor.agent.loop import GateError
from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
from tutor.agent.session import STOPPED_TEXT, SessionState
from tutor.record.journal import Journal, JournalError, read_journal
from tutor.services.live import SessionError, journal_path, list_sessions, resume_session, start_session
from tutor.settings import Settings

GOAL = "add() returns the sum; done when python3 test_app.py prints ok; only touch app.py"


def scripted(*turns: AgentTurn) -> ScriptedAgent:
    return ScriptedAgent(list(turns))


def write_call(call_id: str, path: str, content: str) -> ToolCall:
    return ToolCall(call_id, "write_file", {"path": path, "content": content})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_user_repo(tmp_path)


def start(repo: Path, *turns: AgentTurn, mode: str = "pair") -> object:
    return start_session(mode=mode, settings=Settings(), repo=repo, task="fix add", agent=scripted(*turns))


async def test_a_call_does_nothing_before_it_runs_and_acts_only_in_the_workspace(repo: Path, tutor_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "x" * 40)
    before = fingerprint(repo)
    session = start(
        repo,
        AgentTurn("I'll create a marker and check my environment.", (
            write_call("c1", "created-by-agent.txt", "hello\n"),
            ToolCall("c2", "run", {"command": 'test -z "$ANTHROPIC_API_KEY" && echo key-absent; pwd'}),
        )),
        AgentTurn("Done."),
    )
    loop = session.loop
    loop.set_goal(GOAL)
    assert await loop.advance() == "gate"
    workspace = Path(loop.state.header["workspace"])
    assert workspace.is_relative_to(tutor_home / "workspaces")
    # Proposed, not run: the file exists nowhere.
    assert not (workspace / "created-by-agent.txt").exists()
    assert not (repo / "created-by-agent.txt").exists()
    assert not list(tutor_home.rglob("created-by-agent.txt"))
    with pytest.raises(GateError, match="predict first"):
        await loop.run("c1")
    loop.predict("c1", "works", "high")
    await loop.run("c1")
    assert (workspace / "created-by-agent.txt").read_text() == "hello\n"
    assert await loop.advance() == "gate"
    loop.predict("c2", "works")
    await loop.run("c2")
    result = loop.state.calls["c2"].result
    assert result is not None and "key-absent" in result["output"]
    assert str(workspace) in result["output"]
    assert await loop.advance() == "human"
    assert fingerprint(repo) == before
    assert loop.state.tally().right == 2
    session.close()


async def test_the_workspace_starts_from_head_plus_uncommitted_changes_without_ignored_files(repo: Path) -> None:
    session = start(repo, AgentTurn("ok"))
    workspace = Path(session.loop.state.header["workspace"])
    assert (workspace / "notes.md").read_text() == "uncommitted notes\n"
    assert not (workspace / ".env").exists()
    session.close()


async def test_a_correction_stops_the_pending_calls_and_reaches_the_model(repo: Path) -> None:
    session = start(
        repo,
        AgentTurn("Two edits.", (write_call("c1", "a.txt", "a"), write_call("c2", "b.txt", "b"), ToolCall("c3", "read_file", {"path": "app.py"}))),
        AgentTurn("Understood."),
    )
    loop = session.loop
    loop.set_goal(GOAL)
    await loop.advance()
    loop.predict("c1", "works")
    await loop.run("c1")
    await loop.advance()
    loop.predict("c2", "works")
    with pytest.raises(GateError):
        loop.correct("c2", "not-a-category", "no")
    loop.correct("c2", "scope", "Only touch app.py.")
    assert [c.call.id for c in loop.state.pending] == []
    assert loop.state.calls["c3"].correction is not None  # a later call is stopped too
    user = loop.state.messages[-1]
    assert user["role"] == "user"
    results = [b for b in user["content"] if b["type"] == "tool_result"]
    assert [b["tool_use_id"] for b in results] == ["c1", "c2", "c3"]
    assert results[1]["content"] == STOPPED_TEXT and results[1]["is_error"]
    assert user["content"][-1] == {"type": "text", "text": "Correction from the human (scope): Only touch app.py."}
    workspace = Path(loop.state.header["workspace"])
    assert (workspace / "a.txt").exists() and not (workspace / "b.txt").exists()
    assert await loop.advance() == "human"
    session.close()


async def test_record_mode_needs_no_prediction(repo: Path) -> None:
    session = start(repo, AgentTurn("x", (write_call("c1", "a.txt", "a"),)), AgentTurn("done"), mode="record")
    loop = session.loop
    loop.set_goal(GOAL)
    await loop.advance()
    await loop.run("c1")
    assert await loop.advance() == "human"
    session.close()


async def test_malformed_tool_input_is_answered_with_an_error_and_never_runs(repo: Path) -> None:
    bad = ToolCall("c1", "write_file", {}, input_error="the tool input is not valid JSON (Expecting value)")
    session = start(repo, AgentTurn("oops", (bad,)), AgentTurn("retrying"))
    loop = session.loop
    loop.set_goal(GOAL)
    assert await loop.advance() == "human"
    result = loop.state.calls["c1"].result
    assert result is not None and not result["ok"] and "not valid JSON" in result["error"]
    session.close()


async def test_resume_rebuilds_the_state_and_reports_a_call_cut_off_mid_run(repo: Path) -> None:
    session = start(repo, AgentTurn("run it", (ToolCall("c1", "run", {"command": "echo hi > out.txt"}),)), AgentTurn("done"))
    loop = session.loop
    loop.set_goal(GOAL)
    await loop.advance()
    loop.predict("c1", "works", "low")
    loop.record("run", call="c1", gated=True)  # the process dies here, before the result is journaled
    messages = json.dumps(loop.state.messages)
    session.close()

    resumed = resume_session(session.id, settings=Settings(), agent=scripted(AgentTurn("done")))
    assert json.dumps(resumed.loop.state.messages) == messages
    assert resumed.state.phase == "running"
    assert await resumed.loop.advance() == "human"
    result = resumed.state.calls["c1"].result
    assert result is not None and result["interrupted"] and result["commit"]
    assert resumed.state.calls["c1"].prediction_right is None  # nothing to grade
    resumed.close()
    assert [s.id for s in list_sessions()] == [session.id]


async def test_resume_refuses_bad_ids_and_missing_sessions() -> None:
    with pytest.raises(SessionError, match="not a session id"):
        resume_session("../etc", settings=Settings())
    with pytest.raises(SessionError, match="no session"):
        resume_session("20260101-000000-abcdef", settings=Settings())


async def test_a_session_open_twice_is_refused(repo: Path) -> None:
    session = start(repo, AgentTurn("hi"))
    with pytest.raises(SessionError, match="another Tutor window"):
        resume_session(session.id, settings=Settings(), agent=scripted())
    session.close()


async def test_secrets_never_reach_the_journal(repo: Path, monkeypatch) -> None:
    planted = "sk-ant-api03-" + "Q" * 20 + "w" * 20 + "-AA"
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok_9f8e7d6c5b4a3921")
    session = start(
        repo,
        AgentTurn(f"My key is {planted}", (ToolCall("c1", "run", {"command": "echo $HOME; echo tok_9f8e7d6c5b4a3921; cat .env || true"}),)),
        AgentTurn("done"),
    )
    loop = session.loop
    loop.set_goal(GOAL + " password=hunter2hunter2")
    await loop.advance()
    loop.predict("c1", "works")
    await loop.run("c1")
    await loop.advance()
    session.close()
    text = journal_path(session.id).read_text()
    assert planted not in text and "tok_9f8e7d6c5b4a3921" not in text and "hunter2hunter2" not in text
    assert "[REDACTED:" in text


def test_journal_cuts_a_torn_tail_and_skips_corrupt_lines(tmp_path: Path) -> None:
    path = tmp_path / "s" / "journal.jsonl"
    journal = Journal.create(path)
    journal.append("session", id="s")
    journal.append("goal", text="g")
    journal.close()
    with open(path, "ab") as handle:
        handle.write(b'{"seq": 3, "kind": "prompt", "te')  # a crash mid-write
    read = read_journal(path)
    assert read.torn_tail and [r["kind"] for r in read.records] == ["session", "goal"]
    again = Journal.reopen(path, last_seq=2)
    record = again.append("prompt", text="next")
    again.close()
    assert record["seq"] == 3
    assert [r["kind"] for r in read_journal(path).records] == ["session", "goal", "prompt"]
    path.write_text(path.read_text() + "not json\n")
    read = read_journal(path)
    assert read.problems and len(read.records) == 3
    with pytest.raises(JournalError):
        Journal.create(path)


def test_state_fold_merges_consecutive_user_text_and_grades_predictions() -> None:
    records = [
        {"kind": "session", "seq": 1, "task": "t", "mode": "pair"},
        {"kind": "goal", "seq": 2, "text": "g"},
        {"kind": "cancelled", "seq": 3, "what": "reply"},
        {"kind": "prompt", "seq": 4, "text": "go on"},
        {"kind": "assistant", "seq": 5, "content": [{"type": "tool_use", "id": "a", "name": "run", "input": {"command": "false"}}],
         "calls": [{"id": "a", "tool": "run", "input": {"command": "false"}}]},
        {"kind": "prediction", "seq": 6, "call": "a", "outcome": "fails", "confidence": "high"},
        {"kind": "run", "seq": 7, "call": "a", "gated": True},
        {"kind": "result", "seq": 8, "call": "a", "ok": False, "text": "[exit code 1]"},
    ]
    state = SessionState.from_records(records)
    assert [m["role"] for m in state.messages] == ["user", "assistant", "user"]
    assert [b["text"] for b in state.messages[0]["content"]] == ["Task: t\n\nMy goal for this session (the contract):\ng", "go on"]
    assert state.phase == "agent"
    tally = state.tally()
    assert (tally.predicted, tally.graded, tally.right) == (1, 1, 1)
    assert tally.brier == pytest.approx((0.95 - 1) ** 2)


class _RecordingLoop:
    """Stands in for GatedLoop under the flusher: journals through a real redactor, keeps what was shown."""

    def __init__(self) -> None:
        from tutor.record.redact import Redactor

        self.redactor = Redactor()
        self.records: list[dict] = []
        self.shown: list[str] = []

    def record(self, kind: str, **data):  # noqa: ANN003, ANN201
        record = {"kind": kind, **self.redactor.redact_obj(data)}
        self.records.append(record)
        return record

    def on_text(self, text: str) -> None:
        self.shown.append(text)


SECRET_LINES = [
    "export GITHUB_TOKEN=ghp_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    'password = "correct-horse-battery-9"',
    "key: sk-ant-api03-" + "R" * 30 + "t" * 30 + "-AA",
]


@pytest.mark.parametrize("secret_line", SECRET_LINES)
def test_a_secret_split_across_streamed_pieces_never_reaches_the_journal(secret_line: str) -> None:
    from hypothesis import given, settings as hsettings, strategies as st

    from tutor.agent.streaming import StreamFlusher

    text = f"Here is what I found in the config:\n{secret_line}\nI will not use it.\n"
    secret = secret_line.split("=", 1)[-1].split(": ", 1)[-1].strip('"').split(" ")[-1]

    @hsettings(max_examples=60, deadline=None)
    @given(st.lists(st.integers(min_value=1, max_value=len(text) - 1), unique=True, max_size=25))
    def check(cuts: list[int]) -> None:
        import asyncio

        from tutor.agent import streaming

        bounds = [0, *sorted(cuts), len(text)]
        pieces = [text[a:b] for a, b in pairwise(bounds) if b > a]
        fake = _RecordingLoop()
        flusher = StreamFlusher(fake)  # type: ignore[arg-type]
        original = streaming.STREAM_FLUSH_SECONDS
        streaming.STREAM_FLUSH_SECONDS = 0.0  # flush at every piece: the worst case
        try:
            async def play() -> None:
                for piece in pieces:
                    await flusher.add(piece)
                await flusher.flush(final=True)

            asyncio.run(play())
        finally:
            streaming.STREAM_FLUSH_SECONDS = original
        journaled = "".join(r["text"] for r in fake.records)
        assert secret not in journaled and secret not in "".join(fake.shown)
        assert journaled.startswith("Here is what I found") and journaled.endswith("I will not use it.\n")

    check()


async def test_a_pair_session_becomes_a_valid_lesson_with_its_snapshots(repo: Path, tmp_path: Path) -> None:
    from tutor.lesson import read_lesson
    from tutor.record.session_lesson import write_session_lesson
    from tutor.services.live import session_records, session_workspace
    from tutor.vcs.lesson_repo import LessonRepo

    session = start(
        repo,
        AgentTurn("Gut the test.", (write_call("toolu_01AbC", "test_app.py", "print('ok')\n"),)),
        AgentTurn("Fix add.", (ToolCall("toolu_02XyZ", "edit_file", {"path": "app.py", "old": "a - b", "new": "a + b"}),)),
        AgentTurn("Check.", (ToolCall("toolu_03Run", "run", {"command": "python3 test_app.py"}),)),
        AgentTurn("Done."),
    )
    loop = session.loop
    loop.set_goal(GOAL)
    await loop.advance()
    loop.predict("toolu_01AbC", "works")
    loop.correct("toolu_01AbC", "test", "Leave the test alone; fix add.")
    await loop.advance()
    loop.predict("toolu_02XyZ", "works", "high")
    await loop.run("toolu_02XyZ")
    await loop.advance()
    loop.predict("toolu_03Run", "works")
    await loop.run("toolu_03Run")
    await loop.advance()
    session.close()
    records = session_records(session.id)
    out = tmp_path / "lesson"
    write_session_lesson(records, session_workspace(records), out, lesson_id="from-a-session")
    read = read_lesson(out)
    assert read.lesson is not None and not read.problems, read.problems
    kinds = [step.kind.value if hasattr(step.kind, "value") else step.kind for step in read.lesson.steps]
    assert kinds == ["goal", "agent", "correction", "agent", "result", "agent", "result", "agent"]
    correction = read.lesson.steps[2]
    assert correction.ask is not None and correction.category.value == "test"
    last_result = read.lesson.steps[6]
    assert last_result.ok and "ok" in last_result.output and "predicted it works" in (last_result.annotation or "")
    lesson_repo = LessonRepo.for_lesson(out, read.lesson.repo)  # the bundle holds every step's snapshot
    commit = lesson_repo.commit_for_step(read.lesson.steps[4].id)
    assert commit is not None and b"a + b" in lesson_repo.read_file(commit, "app.py")


async def test_the_stream_reader_takes_a_whole_input_sent_at_block_start() -> None:
    """Some servers send a tool's input in `content_block_start` and no JSON deltas: it must not be lost."""
    from types import SimpleNamespace as NS  # noqa: N814

    from tutor.agent.anthropic_agent import _StreamReader

    async def ignore(text: str) -> None:
        pass

    reader = _StreamReader(ignore)
    events = [
        NS(type="message_start", message=NS(id="msg_1", usage=None)),
        NS(type="content_block_start", index=0, content_block=NS(type="tool_use", id="toolu_1", name="run", input={"command": "ls"})),
        NS(type="content_block_stop", index=0),
        NS(type="content_block_start", index=1, content_block=NS(type="tool_use", id="toolu_2", name="read_file", input={})),
        NS(type="content_block_delta", index=1, delta=NS(type="input_json_delta", partial_json='{"path": "a.py"}')),
        NS(type="message_delta", delta=NS(stop_reason="tool_use"), usage=None),
        NS(type="message_stop"),
    ]
    for event in events:
        await reader.feed(event)
    message = reader.message()
    assert [(c.tool, c.input) for c in message.calls] == [("run", {"command": "ls"}), ("read_file", {"path": "a.py"})]
    assert message.stop_reason == "tool_use" and reader.finished
