"""A live session's state, as a pure fold over its journal records.

Nothing here does I/O: `SessionState.apply(record)` is the only way state changes, both
while a session runs (each record is applied right after it is journaled) and when it is
resumed (the journal is replayed). So what a resumed session shows and sends to the
model is, by construction, what the crashed one had.

Records (`kind`, then fields):

- `session`: id, mode (pair | record), repo, task, agent, model, workspace, base, ungated_reads,
  and (newer journals) sandboxed, sandbox (the line the screens show), shared_objects
  (the user's object folders the workspace borrows, read-only in the sandbox)
- `goal_draft` text · `mentor` about, comment · `goal` text (the contract; starts the agent)
- `prompt` text: the human's next message once the agent has ended its turn
- `stream` text: a piece of the reply being streamed (shown; dropped if the reply never completes)
- `assistant` id, content (API blocks), calls, stop_reason, usage: one finished reply
- `prediction` call, outcome (works | fails), confidence (low | medium | high)
- `run` call, gated: the call is about to execute (a result without it means it was interrupted)
- `process` call, pgid, pid, start, boot, sandboxed: a command's process group, written as it
  starts, so that a resume kills what a crash left running (`tutor.agent.processes`); no
  state (older readers skip it, as they skip any kind they do not know)
- `result` call, ok, text, output, exit_code, error, truncated, timed_out, cancelled, commit (a
  command's, an interrupted call's, and every call's in older journals: the snapshot in the result)
- `snapshot` call, commit: the workspace after a write or an edit, taken once its result was shown
  (None: it failed); the fold puts the commit into the call's result, so readers see one result
- `correction` call, category, message, why, stopped (the call ids it answers)
- `failure` message, retryable, partial · `retry` · `cancelled` what
- `annotation` target, text: the recording senior's comment on a step
- `ask` target, ask (a `tutor.lesson/1` ask): a checkpoint the senior marked for learners
- `end` summary · `saved` path, lesson: the recording was written as a lesson

A `target` names a step of the trajectory: `{"seq": N}` is the step a record made (goal,
prompt, assistant, result, correction), `{"call": ID}` the step that settles a call (its
result, or the correction that stopped it), which may not exist yet when the senior marks
a call waiting at the gate, and `{"proposal": ID}` the agent's step that proposes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .records import (
    PHASES, STEP_KINDS, Annotation, AskMark, Assistant, Base, Cancelled, Correction, End, Failure, Goal, GoalDraft, Header,
    Phase, Prediction, Prompt, Record, Result, Retry, Run, Snapshot, Stream, parse_record,
)
from .scripted import ToolCall

__all__ = ["PHASES", "STEP_KINDS", "CallState", "Phase", "SessionState", "Tally", "correction_text"]
STOPPED_TEXT = "The user stopped this call before it ran; it did not execute."
OUTCOMES = ("works", "fails")


@dataclass
class CallState:
    call: ToolCall
    turn: int  # which assistant message proposed it (1-based)
    proposed_seq: int = 0  # the journal seq of that assistant message (its step in a lesson)
    settled_seq: int = 0  # the journal seq of the result or correction that settled it
    prediction: dict[str, Any] | None = None
    started: bool = False  # a `run` record exists
    gated: bool = True
    result: dict[str, Any] | None = None
    correction: dict[str, Any] | None = None  # the correction that stopped it (it never ran)
    outcome: Result | None = None  # the result record, typed (its commit filled in by a later `snapshot` record)
    snapshot_taken: bool = False  # a `snapshot` record came for it (its commit may still be None: the snapshot failed)

    @property
    def resolved(self) -> bool:
        return self.result is not None or self.correction is not None

    @property
    def prediction_right(self) -> bool | None:
        """Whether the learner's works/fails prediction matched what happened (None: nothing to grade)."""
        if self.prediction is None or self.result is None or self.result.get("interrupted"):
            return None
        return (self.prediction["outcome"] == "works") == bool(self.result.get("ok"))


@dataclass(frozen=True)
class Tally:
    predicted: int  # predictions made
    graded: int  # of those, calls that ran (a corrected call has no outcome to grade)
    right: int
    brier: float | None
    ran: int
    corrected: int

    def line(self) -> str:
        if not self.predicted:
            return f"{self.ran} ran · {self.corrected} corrected · no predictions yet"
        score = f"{self.right}/{self.graded} predictions right" if self.graded else f"{self.predicted} predicted"
        calibration = f" · Brier {self.brier:.2f}" if self.brier is not None else ""
        return f"{score}{calibration} · {self.ran} ran · {self.corrected} corrected"


@dataclass
class SessionState:
    header: dict[str, Any] = field(default_factory=dict)
    info: Header = field(default_factory=Header)  # the header, typed
    goal: str | None = None
    goal_draft: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, CallState] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    turn_calls: list[str] = field(default_factory=list)  # the calls of the latest reply, in order
    turns: int = 0
    partial: str = ""  # streamed text of a reply that has not completed
    failure: dict[str, Any] | None = None
    annotations: list[dict[str, Any]] = field(default_factory=list)  # `annotation` records, in order
    asks: list[dict[str, Any]] = field(default_factory=list)  # `ask` records, in order
    steps: list[tuple[int, str]] = field(default_factory=list)  # (seq, kind) of every record that makes a lesson step
    ended: bool = False
    records: int = 0
    last_seq: int = 0

    @classmethod
    def from_records(cls, records: list[dict[str, Any]] | list[Record]) -> SessionState:
        state = cls()
        for record in records:
            state.apply(record)
        return state

    # -- the fold

    def apply(self, record: Mapping[str, object] | Record) -> None:
        """Fold one record in (a raw journal object is parsed first; `MalformedRecord` if it cannot be read)."""
        if not isinstance(record, Base):
            record = parse_record(record)
        self.records += 1
        self.last_seq = max(self.last_seq, record.seq)
        self._fold(record)
        if record.kind in STEP_KINDS and record.seq:
            self.steps.append((record.seq, record.kind))

    def _fold(self, record: Record) -> None:  # noqa: C901 - one case per kind
        match record:
            case Header():
                self.header = dict(record.data)
                self.info = record
            case GoalDraft():
                self.goal_draft = record.text
            case Goal():
                self._on_goal(record.text)
            case Prompt():
                self.failure = None
                self._user_text(record.text)
            case Stream():
                self.partial += record.text
            case Assistant():
                self._on_assistant(record)
            case Prediction():
                state = self.calls.get(record.call)
                if state is not None and not state.resolved:
                    state.prediction = {"outcome": record.outcome, "confidence": record.confidence}
            case Run():
                state = self.calls.get(record.call)
                if state is not None:
                    state.started = True
                    state.gated = record.gated
            case Result():
                state = self.calls.get(record.call)
                if state is None or state.resolved:
                    return
                state.result = {k: v for k, v in record.data.items() if k != "call"}
                state.outcome = record
                state.settled_seq = record.seq
                self._close_turn_if_done()
            case Snapshot():
                state = self.calls.get(record.call)
                if state is None or state.result is None or state.outcome is None:
                    return
                state.snapshot_taken = True
                if record.commit:
                    state.result["commit"] = record.commit
                    state.outcome = replace(state.outcome, commit=record.commit)
            case Correction():
                for call_id in record.stopped:
                    state = self.calls.get(call_id)
                    if state is not None and not state.resolved:
                        state.correction = dict(record.data)
                        state.settled_seq = record.seq
                self._close_turn_if_done()
            case Failure():
                self.failure = dict(record.data)
                self.partial = ""
            case Cancelled() if record.what == "reply":
                self.failure = {"message": "You stopped the reply.", "retryable": True, "partial": True, "cancelled": True}
                self.partial = ""
            case Retry():
                self.failure = None
            case End():
                self.ended = True
            case Annotation():
                self.annotations.append(record.as_dict())
            case AskMark():
                self.asks.append(record.as_dict())
            case _:
                pass  # `process`, `mentor`, `saved` and kinds this version does not know: no state

    def _on_goal(self, text: str) -> None:
        if self.goal is not None:
            return
        self.goal = text
        self.goal_draft = self.goal
        task = str(self.header.get("task") or "").strip()
        opening = f"Task: {task}\n\nMy goal for this session (the contract):\n{self.goal}" if task else self.goal
        self._user_text(opening)

    def _on_assistant(self, record: Assistant) -> None:
        self.partial = ""
        self.failure = None
        self.turns += 1
        self.messages.append({"role": "assistant", "content": [dict(block) for block in record.content]})
        self.turn_calls = []
        for proposed in record.calls:
            call = ToolCall(id=proposed.id, tool=proposed.tool, input=dict(proposed.input), input_error=proposed.input_error)
            self.calls[call.id] = CallState(call=call, turn=self.turns, proposed_seq=record.seq)
            self.order.append(call.id)
            self.turn_calls.append(call.id)

    # -- helpers of the fold

    def _user_text(self, text: str) -> None:
        block = {"type": "text", "text": text}
        if self.messages and self.messages[-1]["role"] == "user":
            self.messages[-1]["content"].append(block)  # the API wants roles to alternate
        else:
            self.messages.append({"role": "user", "content": [block]})

    def _close_turn_if_done(self) -> None:
        if not self.turn_calls or not all(self.calls[i].resolved for i in self.turn_calls):
            return
        blocks: list[dict[str, Any]] = []
        corrections: list[dict[str, Any]] = []
        for call_id in self.turn_calls:
            state = self.calls[call_id]
            if state.result is not None:
                text = str(state.result.get("text") or "(no output)")
                blocks.append({"type": "tool_result", "tool_use_id": call_id, "content": text, "is_error": not state.result.get("ok")})
            else:
                blocks.append({"type": "tool_result", "tool_use_id": call_id, "content": STOPPED_TEXT, "is_error": True})
                if state.correction is not None and state.correction not in corrections:
                    corrections.append(state.correction)
        for correction in corrections:
            blocks.append({"type": "text", "text": correction_text(correction)})
        self.messages.append({"role": "user", "content": blocks})
        self.turn_calls = []

    # -- what the session is waiting for

    @property
    def pending(self) -> list[CallState]:
        """The latest reply's calls that have neither run nor been stopped, in the order proposed."""
        return [self.calls[i] for i in self.turn_calls if not self.calls[i].resolved]

    @property
    def phase(self) -> Phase:
        if self.ended:
            return "ended"
        if self.goal is None:
            return "goal"
        pending = self.pending
        if pending:
            return "running" if pending[0].started else "gate"
        if self.failure is not None:
            return "failed"
        if self.messages and self.messages[-1]["role"] == "user":
            return "agent"
        return "human"

    @property
    def current(self) -> CallState | None:
        """The call at the gate (or running): the first pending one."""
        pending = self.pending
        return pending[0] if pending else None

    def tally(self) -> Tally:
        from tutor.learn.scoring import brier_score
        from tutor.lesson.taxonomy import CONFIDENCE_PROBABILITY, Confidence

        predicted = graded = right = ran = corrected = 0
        pairs: list[tuple[float, bool]] = []
        for call_id in self.order:
            state = self.calls[call_id]
            ran += state.result is not None and state.started
            corrected += state.correction is not None
            if state.prediction is None:
                continue
            predicted += 1
            verdict = state.prediction_right
            if verdict is None:
                continue
            graded += 1
            right += verdict
            try:
                probability = CONFIDENCE_PROBABILITY[Confidence(state.prediction.get("confidence", "medium"))]
            except ValueError:
                probability = CONFIDENCE_PROBABILITY[Confidence.MEDIUM]
            pairs.append((probability, verdict))
        return Tally(predicted=predicted, graded=graded, right=right, brier=brier_score(pairs), ran=ran, corrected=corrected)


def correction_text(correction: dict[str, Any]) -> str:
    """How a correction reads to the model: the human's words, labelled with what kind of correction it is."""
    category = str(correction.get("category") or "").strip()
    message = str(correction.get("message") or "").strip()
    label = f" ({category})" if category else ""
    return f"Correction from the human{label}: {message}" if message else f"The human stopped you{label}."
