"""The snapshot after a call (`tutor.agent.loop.GatedLoop`): taken once the result is shown, never lost, never late.

A write's or a command's result is journaled and shown first; the workspace's snapshot
follows as a `snapshot` record when the session next waits. These tests hold the promises
that make that safe: the next call that may change the workspace waits for it (so a
snapshot never holds a later call's changes), a crash between a result and its snapshot
is made good on resume (nothing ran since), and a lesson saved at once has every commit.
"""

from __future__ import annotations

import asyncio
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


def files_at(workspace: Any, commit: str) -> list[str]:
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", commit], cwd=workspace.root, capture_output=True, text=True, check=True)
    return listed.stdout.split()


def kinds_after(records: list[dict[str, Any]], call: str) -> list[str]:
    return [r["kind"] for r in records if r.get("call") == call and r["kind"] in ("run", "result", "snapshot")]


async def test_the_next_write_waits_for_the_last_snapshot_which_holds_only_its_own_call(tmp_path: Path) -> None:
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent())
    loop = session.loop
    loop.set_goal("Write two notes; done when both exist.")
    assert await loop.advance() == "gate"
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
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent(),
                            session_id="lost-snapshot")
    loop = session.loop
    loop.set_goal("Write two notes; done when both exist.")
    assert await loop.advance() == "gate"
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

    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent())
    loop = session.loop
    loop.set_goal("Write two notes; done when both exist.")
    assert await loop.advance() == "gate"
    await loop.run("w1")
    assert loop.state.calls["w1"].result.get("commit") is None
    saved = await asyncio.to_thread(save_recording, session, out=tmp_path / "lesson")  # as the record screen saves: in a worker
    lesson = read_lesson(saved.folder)
    assert lesson.ok, lesson.problems
    results = [step for step in lesson.lesson.steps if step.kind == "result"]
    assert len(results) == 1 and results[0].commit
    session.close()
    assert kinds_after(session_records(session.id), "w1") == ["run", "result", "snapshot"]
