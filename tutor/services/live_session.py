"""A live session as the screens see it: typed moves, typed records, in order, off the event loop.

`LiveSessionService` wraps one running session (`tutor.services.live.LiveSession`, whose
engine is `tutor.agent.loop.GatedLoop`). The screen hands it one `RecordSink` and from
then on hears of every journal record as a `LiveRecord` (the typed record, and for an
agent's message the preview of each call it proposes), in journal order, and only once
the record is on disk: the redaction, write and fsync run in a thread, and so do the
previews (reading a file to diff against). The human's moves are coroutines that raise
`Refused` (the gate does not allow it now) or `NotSaved` (the journal could not be
written), each with a message for the screen.

The screens reach the agent's side only through this module: the journal's record types and
the session's folded state (`SessionState`) are re-exported here, and `sandbox_line` says where
commands run (an import contract in .importlinter keeps `tutor.agent` out of `tutor.ui`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tutor.agent.records import (
    Annotation, AskMark, Assistant, Cancelled, Correction, End, Failure, Goal, MentorNote, Phase, Prediction, Prompt, ProposedCall,
    Record, Result, Run, Saved, Stream, parse_record,
)
from tutor.agent.session import SessionState

if TYPE_CHECKING:
    from .live import LiveSession

__all__ = [
    "Annotation", "AskMark", "Assistant", "Cancelled", "Correction", "End", "Failure", "Goal", "LiveRecord", "LiveSessionService",
    "Mentor", "MentorComment", "MentorNote", "NotSaved", "Phase", "Prediction", "Preview", "Prompt", "ProposedCall", "Record",
    "RecordSink", "Refused", "Result", "Run", "Saved", "SessionState", "Stream",
]


class Refused(Exception):
    """A move the gate does not allow now; the message says why, for the screen."""


class NotSaved(Exception):
    """The journal could not be written, so the move did not happen; the message is one line."""


@dataclass(frozen=True)
class Preview:
    """What a proposed call would do, as the gate shows it: `command`, `diff`, `read` or `error`, and the text."""

    call: ProposedCall
    kind: str
    text: str
    gated: bool  # it stops at the gate (a write or a command); a read runs without stopping


@dataclass(frozen=True)
class LiveRecord:
    record: Record
    previews: tuple[Preview, ...] = ()  # an agent's message: one per proposed call, in order


RecordSink = Callable[[LiveRecord], object]


class MentorComment(Protocol):
    @property
    def label(self) -> str: ...


class Mentor(Protocol):
    def on_goal(self, goal: str, task: str = "") -> MentorComment | Awaitable[MentorComment]: ...

    def on_correction(self, category: str, message: str, proposal: str) -> MentorComment | Awaitable[MentorComment]: ...


class LiveSessionService:
    """The narrow face of a live session: state to read, moves to make, records to hear."""

    def __init__(self, session: LiveSession, *, mentor: Mentor | None = None) -> None:
        self._session = session
        self._mentor = mentor
        self._sink: RecordSink | None = None

    @property
    def _loop(self) -> Any:
        """The engine (`tutor.agent.loop.GatedLoop`); a session started `later` has one once `prepare` is done."""
        return self._session.loop

    @property
    def ready(self) -> bool:
        """Whether the session's workspace, journal and engine are made (see `tutor.services.live`)."""
        return bool(self._session.ready)

    async def prepare(self) -> None:
        """Make them if they are not (in a thread: git), once; every move waits for this. `SessionError`, one line."""
        if not self._session.ready:
            await asyncio.to_thread(self._session.prepare)
        if self._sink is not None and self._loop.on_record != self._heard:
            self._loop.on_record = self._heard

    # -- what the screen reads

    @property
    def id(self) -> str:
        return self._session.id

    @property
    def state(self) -> SessionState:
        state: SessionState = self._session.state
        return state

    @property
    def phase(self) -> Phase:
        return self.state.phase

    @property
    def problems(self) -> list[str]:
        return list(self._session.problems)

    @property
    def agent_label(self) -> str:
        return str(getattr(self._session.agent, "label", ""))

    @property
    def sandbox_line(self) -> tuple[str, bool]:
        """Where the agent's commands run, in one line, and whether that is a sandbox (never more than is true)."""
        status = self._session.sandbox
        if status is None:
            from tutor.agent.sandbox import UNSANDBOXED

            return f"The agent's {UNSANDBOXED}.", False
        return str(status.line), bool(status.active)

    # -- records, in order, after they are on disk

    def listen(self, sink: RecordSink) -> None:
        """Every record written from now on reaches `sink` once, in journal order, after it is on disk."""
        self._sink = sink
        if self.ready:
            self._loop.on_record = self._heard

    def _heard(self, raw: dict[str, object]) -> Awaitable[None] | None:
        record = parse_record(raw)
        if isinstance(record, Assistant) and record.calls:
            return self._post_with_previews(record)  # awaited by the engine before the next record
        self._post(LiveRecord(record))
        return None

    async def _post_with_previews(self, record: Assistant) -> None:
        self._post(LiveRecord(record, await asyncio.to_thread(self._previews, record)))

    def _post(self, live: LiveRecord) -> None:
        if self._sink is not None:
            self._sink(live)

    async def history(self) -> list[LiveRecord]:
        """What the journal held when the session was resumed, with previews (read in a thread)."""
        return await asyncio.to_thread(self._history)

    def _history(self) -> list[LiveRecord]:
        out: list[LiveRecord] = []
        for raw in self._session.records:
            record = parse_record(raw)
            out.append(LiveRecord(record, self._previews(record) if isinstance(record, Assistant) else ()))
        return out

    def _previews(self, record: Assistant) -> tuple[Preview, ...]:
        from tutor.agent.preview import preview
        from tutor.agent.scripted import ToolCall

        tools = self._loop.tools

        def read(path: str) -> str | None:
            result = tools.execute("read_file", {"path": path})
            return str(result.output) if result.ok else None

        out = []
        for call in record.calls:
            kind, text = preview(ToolCall(id=call.id, tool=call.tool, input=dict(call.input), input_error=call.input_error), read)
            out.append(Preview(call, kind, text, gated=self.gates(call) and not call.input_error))
        return tuple(out)

    def gates(self, call: ProposedCall) -> bool:
        """Whether a call of this tool stops at the gate."""
        from tutor.agent.tools import WRITE_TOOLS

        return call.tool in WRITE_TOOLS or not self._loop.ungated_reads

    # -- the human's moves

    async def goal(self, text: str, *, draft: bool = False) -> None:
        """Set the goal contract (it starts the agent), or with `draft` only write it down for the mentor to read first."""
        await self._move("draft_goal" if draft else "set_goal", text)

    async def prompt(self, text: str) -> None:
        await self._move("prompt", text)

    async def predict(self, call_id: str, outcome: str, confidence: str) -> None:
        await self._move("predict", call_id, outcome, confidence)

    async def correct(self, call_id: str, category: str, message: str, why: str = "") -> None:
        await self._move("correct", call_id, category, message, why)

    async def retry(self) -> None:
        await self._move("retry")

    async def annotate(self, target: Mapping[str, str | int], text: str) -> None:
        await self._move("annotate", dict(target), text)

    async def mark_ask(self, target: Mapping[str, str | int], ask: Mapping[str, object]) -> None:
        await self._move("mark_ask", dict(target), dict(ask))

    async def end(self) -> None:
        await self._move("end")

    async def _move(self, name: str, *args: object) -> None:
        """The engine's move `name` (named: a session started `later` has its engine once `prepare` is done)."""
        from tutor.agent.loop import GateError
        from tutor.record.journal import JournalError

        await self.prepare()
        try:
            await self._loop.move(getattr(self._loop, name), *args)
        except GateError as error:
            raise Refused(str(error)) from None
        except JournalError as error:
            raise NotSaved(str(error)) from None

    # -- the machine's moves

    async def advance(self, run: str | None = None) -> Phase:
        """Run the call `run` (predicted, at the gate) if given, then the agent until the human must act."""
        from tutor.agent.loop import GateError

        await self.prepare()
        if run is not None:
            try:
                await self._loop.run(run)
            except GateError as error:
                raise Refused(str(error)) from None
        phase: Phase = await self._loop.advance()
        return phase

    def cancel_command(self) -> bool:
        """Stop the running command (its whole process group); False when none is running."""
        return self.ready and bool(self._loop.cancel_command())

    # -- the mentor

    async def mentor_on_goal(self, goal: str) -> None:
        await self._ask_mentor("goal", "on_goal", goal, str(self.state.header.get("task") or ""))

    async def mentor_on_correction(self, category: str, message: str, proposal: str) -> None:
        await self._ask_mentor("correction", "on_correction", category, message, proposal)

    async def _ask_mentor(self, about: str, method: str, *args: str) -> None:
        from tutor.record.journal import JournalError

        mentor = self._mentor
        if mentor is None:
            from tutor.agent.mentor import RuleMentor

            mentor = RuleMentor()
        comment = getattr(mentor, method)(*args)
        if inspect.isawaitable(comment):
            comment = await comment
        data = asdict(comment)
        data["label"] = comment.label
        await self.prepare()
        try:
            await self._loop.write("mentor", about=about, comment=data)
        except JournalError as error:
            raise NotSaved(str(error)) from None
