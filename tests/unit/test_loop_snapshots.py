"""The snapshot after a call (`tutor.agent.loop.GatedLoop`): taken once the result is shown, never lost, never late.

A write's or an edit's result is journaled and shown first; the workspace's snapshot
follows as a `snapshot` record when the session next waits. These tests hold the promises
that make that safe: the next call that may change the workspace waits for it (so a
snapshot never holds a later call's changes), a crash between a result and its snapshot
is made good on resume (nothing ran since), a lesson saved at once has every commit, a
snapshot is never taken twice, and no secret that the snapshot's redaction would learn
reaches the journal first (a command's snapshot comes before its result; the tools pass
an edit's whole file through the redactor before its diff is redacted).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.helpers.live_support import make_user_repo
from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
from tutor.services.live import resume_session, session_records, start_session
from tutor.settings import Settings

WRITES = (
    ToolCall("w1", "write_file", {"path": "notes/one.txt", "content": "one\n"}),
    ToolCall("w2", "write_file", {"path": "notes/two.txt", "content": "two\n"}),
)


def agent() -> ScriptedAgent:
    return ScriptedAgent([AgentTurn("Writing.", WRITES), AgentTurn("Done.")])


async def at_the_first_write(tmp_path: Path, **options: Any) -> Any:
    """A record session of `agent()` on a new repository, its first write waiting at the gate."""
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent(), **options)
    session.loop.set_goal("Write two notes; done when both exist.")
    assert await session.loop.advance() == "gate"
    return session


def files_at(workspace: Any, commit: str) -> list[str]:
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", commit], cwd=workspace.root, capture_output=True, text=True, check=True)
    return listed.stdout.split()


def kinds_after(records: list[dict[str, Any]], call: str) -> list[str]:
    return [r["kind"] for r in records if r.get("call") == call and r["kind"] in ("run", "result", "snapshot")]


async def test_the_next_write_waits_for_the_last_snapshot_which_holds_only_its_own_call(tmp_path: Path) -> None:
    session = await at_the_first_write(tmp_path)
    loop = session.loop
    release = threading.Event()
    snapshot = loop.workspace.snapshot

    def held(*args: Any, **kwargs: Any) -> str:
        release.wait(30)
        return snapshot(*args, **kwargs)

    loop.workspace.snapshot = held
    executed: list[str] = []
    execute = loop.tools.execute
    loop.tools.execute = lambda tool, arguments: (executed.append(arguments["path"]), execute(tool, arguments))[1]

    first = await loop.run("w1")
    assert first["ok"] and first.get("commit") is None  # shown before any snapshot
    assert await loop.advance() == "gate"  # the human has the floor: the snapshot starts, and is held
    second = asyncio.ensure_future(loop.run("w2"))
    for _ in range(20):
        await asyncio.sleep(0.01)  # give the second step every chance to run early
    assert executed == ["notes/one.txt"] and not second.done(), "the second write ran before the first snapshot"
    release.set()
    await second
    await loop.settle_snapshots()
    one, two = (loop.state.calls[c].result["commit"] for c in ("w1", "w2"))
    assert "notes/one.txt" in files_at(loop.workspace, one) and "notes/two.txt" not in files_at(loop.workspace, one)
    assert "notes/two.txt" in files_at(loop.workspace, two)
    records = session_records(session.id)
    assert kinds_after(records, "w1") == ["run", "result", "snapshot"] and kinds_after(records, "w2") == ["run", "result", "snapshot"]
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    session.close()


async def test_a_snapshot_lost_to_a_crash_is_taken_on_resume(tmp_path: Path) -> None:
    session = await at_the_first_write(tmp_path, session_id="lost-snapshot")
    loop = session.loop
    assert (await loop.run("w1"))["ok"]
    session.journal.close()  # killed here: the result is on disk, its snapshot never started
    session.workspace.close()
    assert kinds_after(session_records(session.id), "w1") == ["run", "result"]

    resumed = resume_session("lost-snapshot", settings=Settings(), mode="record", agent=agent())
    assert resumed.state.calls["w1"].result.get("commit") is None
    resumed.loop.agent.skip(resumed.state.turns)
    assert await resumed.loop.advance() == "gate"  # w2 is next; w1's snapshot is started while the human decides
    assert (await resumed.loop.run("w2"))["ok"]  # and journaled before w2 runs
    commit = resumed.state.calls["w1"].result["commit"]
    assert commit and "notes/one.txt" in files_at(resumed.workspace, commit) and "notes/two.txt" not in files_at(resumed.workspace, commit)
    assert kinds_after(session_records(resumed.id), "w1") == ["run", "result", "snapshot"]
    resumed.close()


async def test_closing_and_saving_right_after_a_write_keep_its_snapshot(tmp_path: Path) -> None:
    from tutor.lesson.io import read_lesson
    from tutor.services.recording import save_recording

    session = await at_the_first_write(tmp_path)
    loop = session.loop
    await loop.run("w1")
    assert loop.state.calls["w1"].result.get("commit") is None
    saved = await asyncio.to_thread(save_recording, session, out=tmp_path / "lesson")  # as the record screen saves: in a worker
    lesson = read_lesson(saved.folder)
    assert lesson.ok, lesson.problems
    results = [step for step in lesson.lesson.steps if step.kind == "result"]
    assert len(results) == 1 and results[0].commit
    session.close()
    assert kinds_after(session_records(session.id), "w1") == ["run", "result", "snapshot"]


TOKEN_PARTS = ("ghp_", "a1B2c3D4e5F6g7H8i9J0", "k1L2m3N4o5P6q7R8")  # built at run time: no token in this file


async def test_a_secret_a_command_leaves_in_a_file_is_known_before_its_result_is_journaled(tmp_path: Path) -> None:
    """The snapshot's redaction of the files a call changed teaches the session's redactor their secrets, in any
    encoding. A command may change any file, so its snapshot comes before its result: the token it wrote to a
    file and printed hex-encoded is redacted from the journal and from what the model is sent."""
    token = "".join(TOKEN_PARTS)
    write = f"python3 -c \"open('tok.txt','w').write({' + '.join(repr(p) for p in TOKEN_PARTS)})\""
    command = f"{write} && python3 -c \"print(open('tok.txt').read().encode().hex())\""
    agent = ScriptedAgent([AgentTurn("Run.", (ToolCall("c1", "run", {"command": command}),)), AgentTurn("Done.")])
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent)
    loop = session.loop
    loop.set_goal("Make a token file; done when it exists.")
    assert await loop.advance() == "gate"
    await loop.run("c1")
    await loop.advance()
    hexed = token.encode().hex()
    journal = json.dumps(session_records(session.id))
    assert hexed not in journal and hexed not in json.dumps(loop.state.messages, default=str)
    assert "[REDACTED:" in loop.state.calls["c1"].result["output"]
    session.close()


async def test_a_secret_beside_an_edit_is_known_before_the_diff_is_journaled(tmp_path: Path) -> None:
    """An edit's snapshot comes after its result; the tools pass the whole file it wrote through the redactor, so
    a secret the file held away from the edit (here plain at its end) is known, encoded too, when the diff
    (whose context shows the hex-encoded form) is journaled and sent to the model. The file is put in the
    workspace behind the session's back (as a process left running, or a person, could): nothing read it yet."""
    token = "".join(TOKEN_PARTS)
    encoded = token.encode().hex()  # no pattern knows it: only a redactor that has seen the token finds it
    edit = ToolCall("e1", "edit_file", {"path": "settings.py", "old": "x = 1", "new": "x = 2"})
    agent = ScriptedAgent([AgentTurn("Edit.", (edit,)), AgentTurn("Done.")])
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent)
    loop = session.loop
    loop.set_goal("Set x to 2; done when it is.")
    assert await loop.advance() == "gate"
    lines = [f"# {encoded}", "x = 1", *[f"# line {n}" for n in range(30)], f"GITHUB_TOKEN = '{token}'"]
    (session.workspace.root / "settings.py").write_text("\n".join(lines) + "\n")
    result = await loop.run("e1")
    assert result["ok"] and "x = 2" in result["output"]
    assert encoded not in json.dumps(session_records(session.id)) and encoded not in json.dumps(loop.state.messages, default=str)
    session.close()


async def test_a_caller_cancelled_while_waiting_for_a_snapshot_does_not_make_it_twice(tmp_path: Path) -> None:
    session = await at_the_first_write(tmp_path)
    loop = session.loop
    release = threading.Event()
    snapshot = loop.workspace.snapshot
    taken: list[str] = []

    def held(name: str, *args: Any, **kwargs: Any) -> str:
        taken.append(name)
        release.wait(30)
        return snapshot(name, *args, **kwargs)

    loop.workspace.snapshot = held
    await loop.run("w1")
    waiting = asyncio.ensure_future(loop.settle_snapshots())
    await asyncio.sleep(0.05)
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    second = asyncio.ensure_future(loop.run("w2"))  # waits for the snapshot still being taken: does not start another
    await asyncio.sleep(0.05)
    release.set()
    await second
    await loop.settle_snapshots()
    assert taken == ["calls/0001", "calls/0002"]
    assert [r["call"] for r in session_records(session.id) if r["kind"] == "snapshot"] == ["w1", "w2"]
    session.close()
