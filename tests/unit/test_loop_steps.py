"""A recorded step's records (`tutor.agent.loop.GatedLoop._execute`): one fsync for a file tool, a command's `run` durable first.

A file tool's step writes its `run` record without fsync and its `result` record with
one (which makes both durable), in one trip to a thread; a command's `run` record is
fsynced before the command starts, so that nothing can make it run twice. Either way
the records reach the state and the listeners in journal order, and a caller cancelled
mid-step still leaves the result applied. A file step runs on the event loop only while
such steps are quick: a slow disk never holds the loop through one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.live_support import make_user_repo
from tutor.agent import loop as loop_module
from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
from tutor.services.live import start_session
from tutor.settings import Settings

CALLS = (
    ToolCall("c1", "write_file", {"path": "notes/a.txt", "content": "first\n"}),
    ToolCall("c2", "edit_file", {"path": "notes/a.txt", "old": "first", "new": "second"}),
    ToolCall("c3", "run", {"command": "cat notes/a.txt"}),
)


@contextlib.asynccontextmanager
async def slow_calls_beside_a_ticker(loop: Any, seconds: float = 0.05) -> AsyncIterator[list[int]]:
    """Every tool call made `seconds` slower (a slow disk) while a task ticks on the event loop; yields, per call,
    how many times it ticked during the call (0: the call held the event loop)."""
    execute = loop.tools.execute
    ticks = 0
    ticked_during: list[int] = []

    def slow(tool: str, arguments: dict[str, Any]) -> Any:
        at_start = ticks
        time.sleep(seconds)
        ticked_during.append(ticks - at_start)
        return execute(tool, arguments)

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    loop.tools.execute = slow
    ticking = asyncio.ensure_future(ticker())
    try:
        yield ticked_during
    finally:
        ticking.cancel()
        loop.tools.execute = execute


def session_with(tmp_path: Path, calls: tuple[ToolCall, ...] = CALLS) -> Any:
    agent = ScriptedAgent([AgentTurn("Working.", calls), AgentTurn("Done.")])
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent)
    session.loop.set_goal("Write, edit and run; done when all three ran.")
    return session


async def test_a_file_step_fsyncs_once_and_a_command_is_durable_before_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = session_with(tmp_path)
    loop = session.loop
    journal_fd = loop.journal._fd
    synced: list[int] = []
    real_fsync = os.fsync

    def counted(fd: int) -> None:
        if fd == journal_fd:
            synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counted)
    execute = loop.tools.execute
    synced_at_start: dict[str, int] = {}

    def watched(tool: str, arguments: dict[str, Any]) -> Any:
        synced_at_start[tool] = len(synced) - before  # journal fsyncs in this step before the call started
        return execute(tool, arguments)

    loop.tools.execute = watched
    heard: list[tuple[int, str]] = []
    loop.on_record = lambda record: heard.append((record["seq"], record["kind"]))
    fsyncs, before = {}, 0
    for call in CALLS:
        assert await loop.advance() == "gate"
        heard.clear()
        before = len(synced)
        result = await loop.run(call.id)
        assert result["ok"], result
        steps = [kind for _, kind in heard]
        fsyncs[call.tool] = len(synced) - before
        await loop.settle_snapshots()  # a write's snapshot, taken after the result was shown, is journaled
        if call.tool == "run":  # a command's snapshot comes before its result, in it
            assert steps == ["run", "process", "result"] and result["commit"]
        else:
            assert steps == ["run", "result"] and [kind for _, kind in heard] == [*steps, "snapshot"]
        assert [seq for seq, _ in heard] == list(range(heard[0][0], heard[0][0] + len(heard)))
        assert loop.state.calls[call.id].result["commit"], "the snapshot's commit is in the result, or folded into it"
    assert fsyncs == {"write_file": 1, "edit_file": 1, "run": 3}  # a command's run, its process group, its result
    assert synced_at_start == {"write_file": 0, "edit_file": 0, "run": 1}  # only the command's run record was synced before it started
    session.close()


async def test_a_caller_cancelled_mid_step_still_gets_the_result_applied(tmp_path: Path) -> None:
    session = session_with(tmp_path, CALLS[:1])
    loop = session.loop
    assert await loop.advance() == "gate"
    started, release = threading.Event(), threading.Event()
    execute = loop.tools.execute

    def held(tool: str, arguments: dict[str, Any]) -> Any:
        started.set()
        release.wait(30)
        return execute(tool, arguments)

    loop.tools.execute = held
    task = asyncio.ensure_future(loop.run("c1"))
    await asyncio.to_thread(started.wait, 30)
    task.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(3000):  # the shielded step goes on: wait for its result to be applied
        if loop.state.calls["c1"].resolved:
            break
        await asyncio.sleep(0.01)
    assert loop.state.calls["c1"].resolved
    assert loop.state.last_seq == loop.journal.last_seq
    session.close()


async def test_a_slow_disk_never_holds_the_event_loop_through_a_file_step(tmp_path: Path) -> None:
    """File steps may run on the event loop while they are quick; where they are slow (an fsync on a network disk),
    every step runs in a thread and the event loop (the screen, the keys) goes on meanwhile."""
    calls = tuple(ToolCall(f"w{i}", "write_file", {"path": f"notes/{i}.txt", "content": f"{i}\n"}) for i in range(4))
    session = session_with(tmp_path, calls)
    loop = session.loop
    async with slow_calls_beside_a_ticker(loop) as ticked_during:  # the disk's fsync
        for call in calls:
            assert await loop.advance() == "gate"
            assert (await loop.run(call.id))["ok"]
    assert len(ticked_during) == len(calls) and all(ticked_during), f"the event loop was held through a step: {ticked_during}"
    session.close()


async def test_a_read_never_holds_the_event_loop_even_after_quick_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a small write or edit runs on the event loop; a read (up to 256 KB) or a listing (up to 2,000 entries)
    may take long whatever the steps before it took, so it always runs in a thread."""
    writes = tuple(ToolCall(f"w{i}", "write_file", {"path": f"notes/{i}.txt", "content": f"{i}\n"}) for i in range(9))
    read = ToolCall("r1", "read_file", {"path": "notes/0.txt"})
    agent = ScriptedAgent([AgentTurn("Writing.", writes), AgentTurn("Reading.", (read,)), AgentTurn("Done.")])
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent)
    loop = session.loop
    loop.set_goal("Write notes, then read one back.")
    monkeypatch.setattr(loop_module, "INLINE_STEP_SECONDS", 60.0)  # every step counts as quick: only the kind of call decides
    for call in writes:  # quick steps: the next small write would run on the event loop
        assert await loop.advance() == "gate"
        await loop.run(call.id)
    async with slow_calls_beside_a_ticker(loop) as ticked_during:  # a large file on a slow disk
        assert await loop.advance() == "human"  # the read is ungated: it ran on the way
    assert ticked_during and all(ticked_during), f"the event loop was held through the read: {ticked_during}"
    session.close()
