"""A learner's live session as a trajectory to review, and a senior's review of it.

The trajectory is read from the journal alone: the goal, each prompt, each agent
message, each call with the learner's decision beside it (their prediction, whether
they let it run or corrected it, what really happened), mentor comments, failures and
the end. A step's id comes from the journal record that made it (`agent-12`,
`call-12-2` for the second call of the message at seq 12), so a review stays attached
to its step however long the session goes on after it: the journal is append-only.

A review is the senior's, never the learner's record: it is stored beside the journal
(`reviews/<reviewer-slug>.json`), not in it. Pure: no I/O, no Textual, no git.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tutor.agent.records import (
    Annotation, Assistant, Correction, End, Failure, Goal, MentorNote, Prediction, Prompt, ProposedCall, Record, Result, Run,
    json_float, json_int, parse_record,
)
from tutor.agent.session import SessionState
from tutor.lesson.taxonomy import Category

REVIEW_FORMAT = "tutor.session-review/1"
CALL_DECISIONS = ("ran", "read", "corrected", "stopped", "interrupted", "waiting")


@dataclass(frozen=True)
class CallStep:
    """One proposed call and what the learner made of it."""

    call_id: str
    tool: str
    input: dict[str, Any]
    input_error: str | None
    gated: bool
    decision: str  # one of CALL_DECISIONS
    prediction: dict[str, Any] | None = None  # outcome (works | fails), confidence
    correction: dict[str, Any] | None = None  # category, message, why, call (the call it was made on)
    result: dict[str, Any] | None = None  # ok, exit_code, output, error, timed_out, cancelled, interrupted, commit
    prediction_right: bool | None = None

    @property
    def command(self) -> str:
        return str(self.input.get("command", "")) if self.tool == "run" else ""


@dataclass(frozen=True)
class Step:
    id: str
    kind: str  # goal, prompt, agent, call, mentor, failure, end
    seq: int  # the journal record that made it
    text: str = ""
    call: CallStep | None = None
    notes: tuple[str, ...] = ()  # the recording senior's annotations on this step
    at: float = 0.0


@dataclass(frozen=True)
class Trajectory:
    session_id: str
    mode: str
    task: str
    repo: str
    goal: str
    tally: str
    started: float
    ended: bool
    last_seq: int
    steps: tuple[Step, ...]
    problems: tuple[str, ...] = ()

    def index(self, step_id: str) -> int | None:
        return next((number for number, step in enumerate(self.steps) if step.id == step_id), None)

    def find(self, step_id: str) -> Step | None:
        number = self.index(step_id)
        return None if number is None else self.steps[number]


def call_step_id(assistant_seq: int, position: int) -> str:
    return f"call-{assistant_seq}-{position}"


def trajectory_from_records(records: list[dict[str, Any]], *, session_id: str = "") -> Trajectory:
    """The reviewable steps of a session, in journal order; records it does not know are left out."""
    # The state fold decides what a prediction, a run and a correction mean, exactly as the
    # live screen did: the review must show the learner the session they lived.
    state = SessionState()
    typed: list[Record] = []
    problems: list[str] = []
    for raw in records:
        try:
            record = parse_record(raw)
            state.apply(record)
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            # A hand-edited or foreign journal must not keep the rest of the session from review.
            problems.append(f"record {raw.get('seq', '?')} ({raw.get('kind')}): unreadable ({error}), left out")
            continue
        typed.append(record)
    header = state.header
    steps: list[Step] = []
    call_steps: dict[str, str] = {}  # API call id -> step id
    seq_steps: dict[int, str] = {}  # a record's seq -> the step it belongs to (for annotations)
    notes: dict[str, list[str]] = {}
    goal_seen = False
    for record in typed:
        seq, at = record.seq, record.at
        match record:
            case Goal() if not goal_seen:
                goal_seen = True
                steps.append(Step(f"goal-{seq}", "goal", seq, record.text, at=at))
            case Prompt():
                steps.append(Step(f"prompt-{seq}", "prompt", seq, record.text, at=at))
            case MentorNote():
                steps.append(Step(f"mentor-{seq}", "mentor", seq, _mentor_text(record.comment), at=at))
            case Assistant():
                text = record.text.strip()
                if text:
                    steps.append(Step(f"agent-{seq}", "agent", seq, text, at=at))
                    seq_steps[seq] = f"agent-{seq}"
                for position, proposed in enumerate(record.calls, start=1):
                    step_id = call_step_id(seq, position)
                    call_steps[proposed.id] = step_id
                    seq_steps.setdefault(seq, step_id)
                    steps.append(Step(step_id, "call", seq, call=_call_step(state, proposed), at=at))
            case Result() | Correction() | Run() | Prediction():
                owner = call_steps.get(record.call)
                if owner is not None:
                    seq_steps[seq] = owner
            case Failure():
                steps.append(Step(f"failure-{seq}", "failure", seq, record.message, at=at))
            case End():
                steps.append(Step(f"end-{seq}", "end", seq, _end_text(record.summary), at=at))
            case Annotation():
                target = record.target if "target" in record.data else {"call": record.data.get("call")}
                owner = call_steps.get(str(target.get("call"))) if target.get("call") is not None else seq_steps.get(json_int(target.get("seq")))
                if owner is None and target.get("seq") is not None:
                    owner = next((s.id for s in steps if s.seq == json_int(target.get("seq"))), None)
                if owner is not None and record.text.strip():
                    notes.setdefault(owner, []).append(record.text.strip())
        if record.kind in ("goal", "prompt", "mentor", "failure", "end") and steps and steps[-1].seq == seq:
            seq_steps[seq] = steps[-1].id
    if notes:
        steps = [replace(step, notes=tuple(notes[step.id])) if step.id in notes else step for step in steps]
    started = json_float(records[0].get("at")) if records else 0.0
    return Trajectory(
        session_id=session_id or str(header.get("id", "")),
        mode=str(header.get("mode", "?")),
        task=str(header.get("task") or ""),
        repo=str(header.get("repo") or ""),
        goal=state.goal or "",
        tally=state.tally().line(),
        started=started,
        ended=state.ended,
        last_seq=state.last_seq,
        steps=tuple(steps),
        problems=tuple(problems),
    )


def _call_step(state: SessionState, proposed: ProposedCall) -> CallStep:
    call_id, tool, data = proposed.id, proposed.tool, dict(proposed.input)
    live = state.calls.get(call_id)
    if live is None:  # the fold dropped it (a malformed record): show the proposal, no decision
        return CallStep(call_id, tool, data, proposed.input_error, True, "waiting")
    correction = live.correction
    if live.result is not None:
        interrupted = bool(live.result.get("interrupted"))
        decision = "interrupted" if interrupted else ("ran" if live.gated else "read")
    elif correction is not None:
        decision = "corrected" if str(correction.get("call")) == call_id else "stopped"
    elif live.started:
        decision = "interrupted"
    else:
        decision = "waiting"
    return CallStep(
        call_id=call_id, tool=tool, input=data, input_error=proposed.input_error, gated=live.gated, decision=decision,
        prediction=dict(live.prediction) if live.prediction else None,
        correction=dict(correction) if correction else None,
        result=dict(live.result) if live.result else None,
        prediction_right=live.prediction_right,
    )


def describe_decision(call: CallStep, *, who: str = "The learner") -> list[str]:
    """The learner's side of a call in plain lines: the prediction, the decision, the outcome."""
    lines: list[str] = []
    prediction = call.prediction
    if prediction:
        lines.append(f"{who} predicted: it {prediction.get('outcome')} ({prediction.get('confidence', 'medium')} confidence)")
    elif call.gated and call.decision not in ("read", "waiting"):
        lines.append(f"{who} made no prediction")
    correction = call.correction or {}
    if call.decision == "ran":
        lines.append(f"{who} let it run")
    elif call.decision == "read":
        lines.append("A read: it ran without stopping at the gate")
    elif call.decision == "corrected":
        lines.append(f"{who} corrected it ({correction.get('category', '?')}): {correction.get('message', '')}".rstrip())
        if correction.get("why"):
            lines.append(f"Why: {correction['why']}")
    elif call.decision == "stopped":
        lines.append("Stopped by the correction of an earlier call in the same message; it did not run")
    elif call.decision == "interrupted":
        lines.append("Interrupted: Tutor stopped while it ran")
    else:
        lines.append("Still waiting at the gate when the session stopped")
    result = call.result
    if result is not None and call.decision != "interrupted":
        if result.get("cancelled"):
            outcome = "stopped (escape)"
        elif result.get("timed_out"):
            outcome = "timed out"
        else:
            outcome = "it worked" if result.get("ok") else "it failed"
        if result.get("exit_code") is not None:
            outcome += f" (exit code {result['exit_code']})"
        verdict = {True: " · prediction right", False: " · prediction wrong", None: ""}[call.prediction_right]
        lines.append(f"Result: {outcome}{verdict}")
    return lines


def call_preview(call: CallStep) -> tuple[str, str]:
    """(kind, text) of what the agent proposed, as the gate showed it: `command`, `diff`, `read` or `error`.

    The file as it stood before the call is not in the journal: an edit that ran shows the
    diff its result recorded (the change in its context), one that did not shows the
    replaced text against its replacement, and a write shows the whole file it wrote.
    """
    from tutor.agent.preview import preview
    from tutor.agent.scripted import ToolCall

    output = str((call.result or {}).get("output") or "")
    if call.tool == "edit_file" and (call.result or {}).get("ok") and output.startswith("---"):
        return "diff", output
    tool_call = ToolCall(id=call.call_id, tool=call.tool, input=call.input, input_error=call.input_error)
    old = str(call.input.get("old", ""))
    kind, text = preview(tool_call, lambda path: old if call.tool == "edit_file" else "")
    if kind == "diff" and call.tool == "write_file":
        text = "(the whole file, as written)\n" + text
    return kind, text


def result_output(call: CallStep) -> str:
    result = call.result or {}
    body = str(result.get("output") or "")
    if result.get("error"):
        body = (body + "\n" if body else "") + f"error: {result['error']}"
    return body


def _mentor_text(comment: dict[str, Any]) -> str:
    lines = [str(comment.get("summary") or "")]
    lines += [f"- {question}" for question in comment.get("questions") or []]
    if comment.get("missing"):
        lines.append("Missing: " + "; ".join(str(item) for item in comment["missing"]))
    return "\n".join(line for line in lines if line)


def _end_text(summary: object) -> str:
    data = summary if isinstance(summary, dict) else {}
    text = f"{data.get('turns', 0)} agent turns · {data.get('ran', 0)} ran · {data.get('corrected', 0)} corrected"
    if data.get("predicted"):
        text += f" · {data.get('right', 0)}/{data.get('graded', 0)} predictions right"
    return text


# -- reviews


class ReviewFormatError(ValueError):
    """A stored review is not one; the message is one line."""


@dataclass(frozen=True)
class Mark:
    """"I would have intervened here": on which step, what kind of correction, and what the reviewer would have said."""

    step: str
    category: str
    comment: str = ""

    def __post_init__(self) -> None:
        Category(self.category)  # a closed set, so reviews can be counted per category

    @property
    def meaning(self) -> str:
        return Category(self.category).meaning


@dataclass(frozen=True)
class Review:
    session: str
    reviewer: str
    at: str  # ISO 8601, UTC: when it was last saved
    marks: tuple[Mark, ...] = ()
    comment: str = ""  # the overall comment
    seen_seq: int = 0  # the journal's last record when reviewed: later steps were not seen
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # keys a newer Tutor wrote; kept on save

    def mark_for(self, step_id: str) -> Mark | None:
        return next((mark for mark in self.marks if mark.step == step_id), None)

    def with_mark(self, mark: Mark) -> Review:
        """One mark per step: a new one replaces the old, in the trajectory's order of marking."""
        marks = [m for m in self.marks if m.step != mark.step]
        return replace(self, marks=(*marks, mark))

    def without_mark(self, step_id: str) -> Review:
        return replace(self, marks=tuple(m for m in self.marks if m.step != step_id))

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data.update({
            "format": REVIEW_FORMAT, "session": self.session, "reviewer": self.reviewer, "at": self.at,
            "seen_seq": self.seen_seq, "comment": self.comment,
            "marks": [{"step": m.step, "category": m.category, "comment": m.comment} for m in self.marks],
        })
        return data

    @classmethod
    def from_data(cls, data: object) -> Review:
        if not isinstance(data, dict):
            raise ReviewFormatError("not a JSON object")
        if data.get("format") != REVIEW_FORMAT:
            raise ReviewFormatError(f"format is {data.get('format')!r}, not {REVIEW_FORMAT!r}")
        reviewer = data.get("reviewer")
        if not isinstance(reviewer, str) or not reviewer.strip():
            raise ReviewFormatError("no reviewer")
        raw_marks = data.get("marks", [])
        if not isinstance(raw_marks, list):
            raise ReviewFormatError("marks is not a list")
        marks = []
        for number, raw in enumerate(raw_marks, start=1):
            if not isinstance(raw, dict) or not isinstance(raw.get("step"), str) or not isinstance(raw.get("comment", ""), str):
                raise ReviewFormatError(f"mark {number} is not a mark (step, category, comment)")
            try:
                marks.append(Mark(raw["step"], str(raw.get("category")), raw.get("comment", "")))
            except ValueError:
                raise ReviewFormatError(f"mark {number}: unknown category {raw.get('category')!r}") from None
        comment = data.get("comment", "")
        if not isinstance(comment, str):
            raise ReviewFormatError("comment is not text")
        known = {"format", "session", "reviewer", "at", "seen_seq", "comment", "marks"}
        return cls(
            session=str(data.get("session", "")), reviewer=reviewer.strip(), at=str(data.get("at", "")), marks=tuple(marks),
            comment=comment, seen_seq=json_int(data.get("seen_seq")), extra={k: v for k, v in data.items() if k not in known},
        )


def new_review(session_id: str, reviewer: str, *, seen_seq: int = 0) -> Review:
    return Review(session=session_id, reviewer=reviewer.strip() or "reviewer", at="", seen_seq=seen_seq)


def stamp(clock: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if clock is None else clock, tz=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def reviewer_slug(name: str) -> str:
    """The review's file name: one file per reviewer, whatever characters their name has."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:60].strip("-")
    return slug or "reviewer"
