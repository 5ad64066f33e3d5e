"""The gated loop: the agent proposes, the gate decides, the tools run in the workspace, the model hears back.

`GatedLoop` is the live-session engine that pair mode and recording share. It owns the
journal, the state (a fold over the journal), the agent, the tools and the workspace, and
offers the human's moves as methods: set the goal, predict, run, correct, prompt, retry,
end. Every move is journaled first and applied to the state second, and listeners hear
of a record only after it is on disk, so nothing is shown that a crash could lose.

It knows nothing of screens: `tutor.services.live_session` wraps it for them. Slow work
(commands, snapshots, and the journal's redact-write-fsync on the async paths: `write`,
`move`) runs in threads so the event loop (and the UI sharing it) is never held for long
(a small write or edit, see below, is held under 4 ms); one lock
keeps records applied and reported in the order they were written. The synchronous moves
(`predict`, `set_goal`, ...) write on the caller's thread, for scripts and tests.

A step costs what it does: a file tool's step (`_quick_step`) is one fsync (its `run`
record, a few dozen bytes, is written without; the `result` record's fsync makes both
durable), run on the event loop for a write or an edit of at most `INLINE_MAX_BYTES`
while this disk keeps such steps under `INLINE_STEP_SECONDS` (a trip to a thread and
back costs ~0.13 ms, as much as the rest of the step's overhead), else in one trip to a
thread. A command's `run` record is made
durable before it starts, so that nothing, not even a power cut, can make it run twice.

The workspace's snapshot after a write or an edit is taken once the result is shown,
when the session next waits (for the agent's reply, or for the human), and journaled as
a `snapshot` record (`tutor.agent.later_snapshots`); nothing that may change the
workspace runs before it is journaled (`settle_snapshots`). What the snapshot's redaction
would teach the session's redactor is known before the result is journaled all the same:
the tools pass an edit's whole file through it (`Tools`), and a write's file holds its
input, which it read in the agent's record. A command may have changed any file, so its
snapshot is still taken before its result.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import stat
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .later_snapshots import LaterSnapshots, changes_workspace, running_here
from .protocol import Agent, AgentError, AssistantMessage
from .session import OUTCOMES, CallState, SessionState
from .streaming import StreamFlusher

AUTO_RETRIES = 2  # only while nothing of the reply has been shown
# Calls whose `run` record is written without its own fsync (the `result`'s, a millisecond
# later, makes it durable): file tools, which finish at once. A command's `run` is made
# durable before it starts, so a power cut mid-command can never let it run twice.
_QUICK_TOOLS = frozenset({"write_file", "edit_file", "read_file", "list_files"})
# A small write or edit runs on the event loop while the last few file steps took less
# than this (a quarter of a frame at 60 Hz: keys and paints are not held up); a slow
# disk's fsync sends it to a thread, as it does the first step, with nothing measured yet.
INLINE_STEP_SECONDS = 0.004
# and only an edit of a file of at most this many bytes, or a write of at most this many characters (the content's
# length, not encoded again to count its bytes: up to four times as many)
INLINE_MAX_BYTES = 256 * 1024
_STEPS_WEIGHED = 8


class GateError(Exception):
    """A move the gate does not allow now (run before predicting, correct an unknown call, ...)."""


class Snapshotter(Protocol):
    def snapshot(self, ref_name: str, message: str = "snapshot", *, paths: tuple[str, ...] | None = None) -> str: ...


class Journal(Protocol):
    def append(self, kind: str, **data: Any) -> dict[str, Any]: ...

    def append_unsynced(self, kind: str, **data: Any) -> dict[str, Any]: ...


RecordListener = Callable[[dict[str, Any]], Awaitable[None] | None]
TextListener = Callable[[str], Awaitable[None] | None]


class GatedLoop:
    def __init__(
        self,
        *,
        journal: Journal,
        state: SessionState,
        agent: Agent,
        tools: Any,
        workspace: Snapshotter,
        system: str,
        require_prediction: bool,
        ungated_reads: bool = True,
    ) -> None:
        self.journal = journal
        self.state = state
        self.agent = agent
        self.tools = tools
        self.workspace = workspace
        self.system = system
        self.require_prediction = require_prediction
        self.ungated_reads = ungated_reads
        self.on_record: RecordListener = lambda record: None
        self.on_text: TextListener = lambda text: None
        self._running: str | None = None
        self._write_lock = asyncio.Lock()  # records reach the state and listeners in the order they were written
        self._planned: list[tuple[str, dict[str, Any]]] | None = None
        self.event_loop: asyncio.AbstractEventLoop | None = None
        self._listening: set[asyncio.Future[None]] = set()  # async listeners' tasks, until they finish
        self.snapshots = LaterSnapshots(self)
        self._step_seconds: deque[float] = deque(maxlen=_STEPS_WEIGHED)  # the last file steps' call and result record
        self.retry_delay = 0.5  # seconds, doubled per attempt; only before anything of the reply is shown

    # -- the journal, then the state, then the screen

    def record(self, kind: str, **data: Any) -> dict[str, Any]:
        if self._planned is not None:  # `move` is asking what this would write
            self._planned.append((kind, data))
            return {"kind": kind, **data}
        record = self.journal.append(kind, **data)
        self.state.apply(record)
        self._heard(self.on_record(record))
        return record

    async def write(self, kind: str, **data: Any) -> dict[str, Any]:
        """`record` with the redaction, the write and the fsync in a thread: on disk, then applied, then reported.

        Shielded: a cancelled caller (escape during a reply) still gets its record applied and
        reported once it is on disk, so the state never falls behind the journal.
        """
        return await asyncio.shield(self._written(None, kind, data))

    async def move(self, move: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        """One of the human's synchronous moves (`predict`, `set_goal`, ...), checked now, written off the event loop."""
        return await asyncio.shield(self._written((move, args), "", {}))

    async def _written(self, move: tuple[Callable[..., dict[str, Any]], tuple[Any, ...]] | None, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        async with self._write_lock:
            if move is not None:  # checked against the state as it is now, under the lock: nothing can come between
                self._planned = []
                try:
                    move[0](*move[1])
                finally:
                    planned, self._planned = self._planned, None
                (kind, data), = planned
            record = await asyncio.to_thread(self.journal.append, kind, **data)
            await self._applied_now(record)
            return record

    # -- the human's moves

    def draft_goal(self, text: str) -> dict[str, Any]:
        self._expect("goal")
        return self.record("goal_draft", text=text)

    def set_goal(self, text: str) -> dict[str, Any]:
        self._expect("goal")
        if not text.strip():
            raise GateError("write a goal first")
        return self.record("goal", text=text.strip())

    def prompt(self, text: str) -> dict[str, Any]:
        if self.state.phase not in ("human", "failed"):
            raise GateError("the agent is still working; wait for it to finish its turn")
        if not text.strip():
            raise GateError("write a message first")
        return self.record("prompt", text=text.strip())

    def predict(self, call_id: str, outcome: str, confidence: str = "medium") -> dict[str, Any]:
        call = self._at_gate(call_id)
        if outcome not in OUTCOMES:
            raise GateError(f"a prediction is one of {', '.join(OUTCOMES)}")
        if confidence not in ("low", "medium", "high"):
            raise GateError("confidence is low, medium or high")
        return self.record("prediction", call=call.call.id, outcome=outcome, confidence=confidence)

    def correct(self, call_id: str, category: str, message: str, why: str = "") -> dict[str, Any]:
        from tutor.lesson.taxonomy import Category

        call = self._at_gate(call_id)
        self._need_prediction(call)
        try:
            Category(category)
        except ValueError:
            raise GateError(f"unknown correction category {category!r}") from None
        if not message.strip():
            raise GateError("say what the agent should do instead")
        stopped = [state.call.id for state in self.state.pending]
        data: dict[str, Any] = {"call": call.call.id, "category": category, "message": message.strip(), "stopped": stopped}
        if why.strip():
            data["why"] = why.strip()
        return self.record("correction", **data)

    async def run(self, call_id: str) -> dict[str, Any]:
        call = self._at_gate(call_id)
        self._need_prediction(call)
        return await self._execute(call, gated=True)

    def retry(self) -> dict[str, Any]:
        if self.state.phase != "failed":
            raise GateError("nothing to retry")
        return self.record("retry")

    def cancel_command(self) -> bool:
        """Stop the running command (its whole process group); False when none is running."""
        if self._running is None:
            return False
        self.tools.cancel()
        return True

    def annotate(self, target: dict[str, Any], text: str) -> dict[str, Any]:
        """The senior's comment on a step (Markdown): why it matters, what to notice."""
        self._known_target(target)
        if not text.strip():
            raise GateError("write the annotation first")
        return self.record("annotation", target=target, text=text.strip())

    def mark_ask(self, target: dict[str, Any], ask: dict[str, Any]) -> dict[str, Any]:
        """A checkpoint for learners on a step; where it may stand is checked when the lesson is written."""
        from tutor.lesson.models import Ask, ShapeError, parse
        from tutor.lesson.shape import problem_line

        self._known_target(target)
        try:
            parse(ask, Ask)
        except ShapeError as error:
            raise GateError(f"the ask is not valid: {problem_line(ask, Ask, error)}") from None
        return self.record("ask", target=target, ask=ask)

    def end(self) -> dict[str, Any]:
        tally = self.state.tally()
        return self.record(
            "end",
            summary={"predicted": tally.predicted, "graded": tally.graded, "right": tally.right, "brier": tally.brier,
                     "ran": tally.ran, "corrected": tally.corrected, "turns": self.state.turns},
        )

    # -- the machine's moves

    async def advance(self) -> str:
        """Run the agent and the ungated calls until the human must act; returns the phase it stops at."""
        await self.recover_interrupted()
        while True:
            phase = self.state.phase
            if phase == "agent":
                await self.reply()
                continue
            if phase == "gate":
                call = self.state.current
                assert call is not None
                if call.call.input_error:
                    await self.write("result", call=call.call.id, ok=False, output="", error=call.call.input_error,
                                text=f"error: {call.call.input_error}; send the call again with a JSON object as input")
                    continue
                if self._ungated(call):
                    await self._execute(call, gated=False)
                    continue
            self.snapshots.start()  # the human has the floor
            return phase

    async def recover_interrupted(self) -> None:
        """A call that started but has no result was cut off by a crash: say so, and keep what it left."""
        self.event_loop = asyncio.get_running_loop()
        call = self.state.current
        if call is None or not call.started or self._running is not None:
            return
        await self.settle_snapshots()
        commit = await asyncio.to_thread(self.snapshots.take_now, call)
        await self.write("result", call=call.call.id, ok=False, output="", interrupted=True, commit=commit,
                    error="interrupted: Tutor stopped while this ran; whatever it changed is kept in the workspace",
                    text="error: interrupted before it finished (the session was stopped); check the workspace state")

    async def reply(self) -> AssistantMessage | None:
        """Ask the agent for its next message, streaming it to the journal and the screen; None if it failed."""
        attempt = 0
        while True:
            stream = StreamFlusher(self, write=self.write)
            self.snapshots.start()  # while the agent composes its reply
            try:
                message = await self.agent.reply(self.system, self.state.messages, stream.add)
            except asyncio.CancelledError:
                await stream.flush(final=True)
                self.record("cancelled", what="reply")
                raise
            except AgentError as error:
                await stream.flush(final=True)
                if error.retryable and not error.retried and not stream.shown and not error.partial and attempt < AUTO_RETRIES:
                    attempt += 1
                    await asyncio.sleep(self.retry_delay * attempt)
                    continue
                await self.write("failure", message=error.message, retryable=error.retryable, partial=error.partial or stream.shown)
                return None
            await stream.flush(final=True)
            calls = [
                {"id": c.id, "tool": c.tool, "input": c.input, **({"input_error": c.input_error} if c.input_error else {})}
                for c in message.calls
            ]
            await self.write("assistant", id=message.id, content=list(message.content), calls=calls,
                        stop_reason=message.stop_reason, usage=message.usage)
            return message

    # -- helpers

    def _expect(self, phase: str) -> None:
        if self.state.phase != phase:
            raise GateError(f"not now: the session is at {self.state.phase!r}, not {phase!r}")

    def _known_target(self, target: dict[str, Any]) -> None:
        call = target.get("call", target.get("proposal"))
        if call is not None:
            if str(call) not in self.state.calls:
                raise GateError(f"no call {call} in this session")
        elif int(target.get("seq", -1)) not in {seq for seq, _ in self.state.steps}:
            raise GateError("no such step in this session")

    def _at_gate(self, call_id: str) -> CallState:
        current = self.state.current
        if self.state.phase != "gate" or current is None:
            raise GateError("no call is waiting at the gate")
        if current.call.id != call_id:
            raise GateError(f"call {call_id} is not the one at the gate ({current.call.id} is)")
        return current

    def _need_prediction(self, call: CallState) -> None:
        if self.require_prediction and call.prediction is None:
            raise GateError("predict first: w (works) or f (fails)")

    def _ungated(self, call: CallState) -> bool:
        return not changes_workspace(call) and self.ungated_reads

    def note_process(self, info: dict[str, Any]) -> None:
        """Journal a command's process group as it starts (`Tools.on_start`; called from the tool's thread).

        Written at once, so a crash right after leaves it on disk for the resume to clean
        up (`tutor.agent.processes.kill_leftovers`); applied to the state on the event loop.
        """
        record = self.journal.append("process", call=self._running, **info)
        self.on_event_loop(lambda: self.applied(record))

    def on_event_loop(self, apply: Callable[[], None]) -> None:
        """Run `apply` (a record written off the event loop, applied and reported) on the event loop if one runs the session, else here."""
        event_loop = self.event_loop
        if event_loop is not None and not event_loop.is_closed() and not running_here(event_loop):
            event_loop.call_soon_threadsafe(apply)
        else:  # on the event loop, or no loop runs the session any more (closing after it ended)
            apply()

    def applied(self, record: dict[str, Any]) -> None:
        self.state.apply(record)
        self._heard(self.on_record(record))

    def _heard(self, heard: Awaitable[None] | None) -> None:
        """Run an async listener's answer on the event loop, held until it is done (the loop keeps only a weak reference to a task)."""
        if inspect.isawaitable(heard):
            task = asyncio.ensure_future(heard)
            self._listening.add(task)
            task.add_done_callback(self._listening.discard)

    async def _execute(self, call: CallState, *, gated: bool) -> dict[str, Any]:
        self.event_loop = asyncio.get_running_loop()
        if changes_workspace(call):
            await self.settle_snapshots()  # the last call's snapshot first: it must not hold this call's changes
        if call.call.tool in _QUICK_TOOLS:
            return await asyncio.shield(self._quick_step(call, gated))
        await self.write("run", call=call.call.id, gated=gated)  # durable before a command starts: it must never run twice
        self._running = call.call.id
        try:
            result, commit = await asyncio.to_thread(self._command, call)
        finally:
            self._running = None
        return await self.write("result", **_result_data(call, result, commit))

    def _command(self, call: CallState) -> tuple[Any, str | None]:
        """A command, then its snapshot, in one trip to a thread: before the result is journaled, because a command
        may have put anywhere a secret it printed encoded, and redacting the files it changed is how the
        session's redactor learns it (a command is slow anyway: the snapshot adds little to its wait)."""
        result = self._call(call)
        return result, self.snapshots.take_now(call, result.touched)

    async def _quick_step(self, call: CallState, gated: bool) -> dict[str, Any]:
        """A file tool's whole step, under the lock: a small write or edit on the event loop while steps are quick here,
        anything else with one trip to a thread.

        The `run` record is written without fsync (a few dozen bytes: no disk wait), then
        the call and the durable `result` record (whose fsync covers the `run` too). On the
        event loop nothing can observe the state between them, so both are applied after
        the call; in a thread, `run` is applied first, while the call runs. The lock is held
        for the millisecond this takes, so the two records reach the state and the
        listeners in journal order. Shielded by the caller: once started, the result is
        applied even if the caller is cancelled.
        """
        async with self._write_lock:
            run = self.journal.append_unsynced("run", call=call.call.id, gated=gated)
            if self._step_seconds and max(self._step_seconds) < INLINE_STEP_SECONDS and _small_change(call, self.tools):
                try:
                    record, touched = self._quick_call(call)
                finally:
                    await self._applied_now(run)
            else:
                await self._applied_now(run)
                record, touched = await asyncio.to_thread(self._quick_call, call)
            await self._applied_now(record)
        if changes_workspace(call):
            self.snapshots.want(call, touched)
        return record

    def _quick_call(self, call: CallState) -> tuple[dict[str, Any], tuple[str, ...] | None]:
        """The call and its durable `result` record, timed (`INLINE_STEP_SECONDS` weighs the last few)."""
        began = time.perf_counter()
        result = self._call(call)
        record = self.journal.append("result", **_result_data(call, result, None))
        self._step_seconds.append(time.perf_counter() - began)
        return record, result.touched

    async def _applied_now(self, record: dict[str, Any]) -> None:
        """A record on disk applied to the state, then reported (an async listener awaited): the journal's order kept."""
        self.state.apply(record)
        heard = self.on_record(record)
        if inspect.isawaitable(heard):
            await heard

    def _call(self, call: CallState) -> Any:
        """The tool call (in a thread); its `ToolResult`."""
        try:
            return self.tools.execute(call.call.tool, call.call.input)
        finally:
            self._running = None  # the command is over: nothing left for `cancel_command` to stop

    # -- snapshots, after the result (`LaterSnapshots`)

    async def settle_snapshots(self) -> None:
        """Wait until the snapshot after the last call that may have changed the workspace is journaled."""
        await self.snapshots.settle()

    def settle_snapshots_blocking(self) -> None:
        """`settle_snapshots` off the event loop (saving the lesson in a worker), or blocking it (closing)."""
        self.snapshots.settle_blocking()

    def close(self) -> None:
        """Journal the snapshot still being taken and stop its thread (the engine is not used after this)."""
        self.snapshots.close()


def _small_change(call: CallState, tools: Any) -> bool:
    """Whether the call is a write or an edit of at most `INLINE_MAX_BYTES` (reads and listings may be large: a thread)."""
    arguments = call.call.input
    if call.call.tool == "write_file":
        content = arguments.get("content")
        return isinstance(content, str) and len(content) <= INLINE_MAX_BYTES
    if call.call.tool != "edit_file" or not isinstance(arguments.get("path"), str):
        return False
    try:  # only sizes the file up: the tool itself confines the path
        info = os.lstat(os.path.join(tools.root, arguments["path"]))
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= INLINE_MAX_BYTES


def _result_data(call: CallState, result: Any, commit: str | None) -> dict[str, Any]:
    return {
        "call": call.call.id, "ok": result.ok, "text": result.text, "output": result.output, "exit_code": result.exit_code,
        "error": result.error, "truncated": result.truncated, "timed_out": result.timed_out, "cancelled": result.cancelled,
        "commit": commit,
    }
