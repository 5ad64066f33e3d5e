"""A live session's journal records, typed: one frozen dataclass per kind, parsed once.

The journal on disk stays what it was (`tutor.record.journal`: one JSON object a line,
`seq`, `at`, `kind`, then the kind's fields); `parse_record` turns each line's object
into one of the classes below, and every reader (the state fold, the lesson draft, the
review trajectory, the live screen) works on those. Pure: no I/O, nothing but the standard
library.

Tolerant by design, because journals outlive the code that wrote them: a kind this
version does not know becomes an `UnknownRecord` (kept, never a crash), a field it does
not know is kept in `data`, and a missing field takes its default. A record of a known
kind whose fields cannot mean what they must (a proposed call that is not an object with
an id) raises `MalformedRecord`, for the reader to skip and report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, TypedDict

Phase = Literal["goal", "agent", "gate", "running", "human", "failed", "ended"]
PHASES: tuple[Phase, ...] = ("goal", "agent", "gate", "running", "human", "failed", "ended")

JsonObject: TypeAlias = dict[str, object]
_ENVELOPE = ("seq", "at", "kind")


class _Envelope(TypedDict):
    """What every record takes besides its kind's fields: `Base`'s fields, as keyword arguments."""

    seq: int
    at: float
    data: JsonObject


class MalformedRecord(ValueError):
    """A record of a known kind whose fields cannot be read; the message is one line."""


@dataclass(frozen=True, kw_only=True)
class Base:
    seq: int = 0
    at: float = 0.0
    data: JsonObject = field(default_factory=dict, compare=False, repr=False)  # the fields as written, but seq, at, kind

    kind = "?"

    def as_dict(self) -> JsonObject:
        """The record as it is on disk (what a listener of the raw journal sees)."""
        return {"seq": self.seq, "at": self.at, "kind": self.kind, **self.data}


@dataclass(frozen=True, kw_only=True)
class Header(Base):
    """`session`: what the session is, where it works, whether commands are sandboxed."""

    kind = "session"
    id: str = ""
    mode: str = ""
    repo: str = ""
    task: str = ""
    agent: str = ""
    model: str = ""
    workspace: str = ""
    base: str = ""
    ungated_reads: bool = True
    sandboxed: bool | None = None
    sandbox: str = ""
    shared_objects: tuple[str, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class GoalDraft(Base):
    kind = "goal_draft"
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class Goal(Base):
    kind = "goal"
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class Prompt(Base):
    kind = "prompt"
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class MentorNote(Base):
    """`mentor`: the mentor's comment on the goal or on a correction."""

    kind = "mentor"
    about: str = ""
    comment: JsonObject = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Stream(Base):
    kind = "stream"
    text: str = ""


@dataclass(frozen=True)
class ProposedCall:
    id: str
    tool: str
    input: JsonObject
    input_error: str | None = None

    def as_dict(self) -> JsonObject:
        data: JsonObject = {"id": self.id, "tool": self.tool, "input": dict(self.input)}
        if self.input_error:
            data["input_error"] = self.input_error
        return data


@dataclass(frozen=True, kw_only=True)
class Assistant(Base):
    """`assistant`: one finished reply, its content blocks (API form) and the calls it proposes."""

    kind = "assistant"
    id: str = ""
    content: tuple[JsonObject, ...] = ()
    calls: tuple[ProposedCall, ...] = ()
    stop_reason: str | None = None

    @property
    def text(self) -> str:
        return "".join(str(block.get("text", "")) for block in self.content if block.get("type") == "text")


@dataclass(frozen=True, kw_only=True)
class Prediction(Base):
    kind = "prediction"
    call: str = ""
    outcome: str = ""
    confidence: str = "medium"


@dataclass(frozen=True, kw_only=True)
class Run(Base):
    """`run`: the call is about to execute (a result without it means it was interrupted)."""

    kind = "run"
    call: str = ""
    gated: bool = True


@dataclass(frozen=True, kw_only=True)
class Process(Base):
    """`process`: a command's process group, as it starts (for a resume to clean up); no state."""

    kind = "process"
    call: str | None = None


@dataclass(frozen=True, kw_only=True)
class Result(Base):
    kind = "result"
    call: str = ""
    ok: bool = False
    text: str = ""
    output: str = ""
    exit_code: int | None = None
    error: str | None = None
    truncated: bool = False
    timed_out: bool = False
    cancelled: bool = False
    interrupted: bool = False
    commit: str | None = None

    @property
    def body(self) -> str:
        """The output, with the error after it: what a result shows."""
        body = self.output
        if self.error:
            body = (body + "\n" if body else "") + f"error: {self.error}"
        return body


@dataclass(frozen=True, kw_only=True)
class Snapshot(Base):
    """`snapshot`: the workspace after `call`, committed once its result was shown (commit None: the snapshot failed)."""

    kind = "snapshot"
    call: str = ""
    commit: str | None = None


@dataclass(frozen=True, kw_only=True)
class Correction(Base):
    """`correction`: the human stopped `call` (and the pending calls in `stopped`) and said what to do instead."""

    kind = "correction"
    call: str = ""
    category: str = ""
    message: str = ""
    why: str = ""
    stopped: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Failure(Base):
    kind = "failure"
    message: str = ""
    retryable: bool = False
    partial: bool = False


@dataclass(frozen=True, kw_only=True)
class Retry(Base):
    kind = "retry"


@dataclass(frozen=True, kw_only=True)
class Cancelled(Base):
    kind = "cancelled"
    what: str = ""


@dataclass(frozen=True, kw_only=True)
class Annotation(Base):
    """`annotation`: the recording senior's comment on a step (`target`: seq, call or proposal)."""

    kind = "annotation"
    target: JsonObject = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class AskMark(Base):
    """`ask`: a checkpoint the senior marked for learners (`ask`: a `tutor.lesson/1` ask)."""

    kind = "ask"
    target: JsonObject = field(default_factory=dict)
    ask: JsonObject = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class End(Base):
    kind = "end"
    summary: JsonObject = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Saved(Base):
    kind = "saved"
    path: str = ""
    lesson: str = ""


@dataclass(frozen=True, kw_only=True)
class UnknownRecord(Base):
    """A kind this version does not know (a newer Tutor's, or a foreign line): kept, never acted on."""

    name: str = "?"

    @property
    def kind(self) -> str:  # type: ignore[override]
        return self.name


Record: TypeAlias = (
    Header | GoalDraft | Goal | Prompt | MentorNote | Stream | Assistant | Prediction | Run | Process | Result | Snapshot | Correction
    | Failure | Retry | Cancelled | Annotation | AskMark | End | Saved | UnknownRecord
)
STEP_KINDS = ("goal", "prompt", "assistant", "result", "correction")  # the records that become lesson steps


# -- parsing


def parse_record(raw: Mapping[str, object]) -> Record:
    """The typed record for one journal object; unknown kinds become `UnknownRecord`, unknown fields stay in `data`."""
    kind = raw.get("kind")
    data: JsonObject = {k: v for k, v in raw.items() if k not in _ENVELOPE}
    envelope: _Envelope = {"seq": json_int(raw.get("seq")), "at": json_float(raw.get("at")), "data": data}
    parse = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parse is None:
        return UnknownRecord(name=str(kind), **envelope)
    try:
        return parse(data, envelope)
    except MalformedRecord:
        raise
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        raise MalformedRecord(f"{kind}: {error}") from None


def parse_records(raws: list[JsonObject]) -> list[Record]:
    return [parse_record(raw) for raw in raws]


def _header(d: JsonObject, e: _Envelope) -> Record:
    shared = d.get("shared_objects")
    return Header(
        id=_str(d.get("id")), mode=_str(d.get("mode")), repo=_str(d.get("repo")), task=_str(d.get("task")),
        agent=_str(d.get("agent")), model=_str(d.get("model")), workspace=_str(d.get("workspace")), base=_str(d.get("base")),
        ungated_reads=bool(d.get("ungated_reads", True)),
        sandboxed=None if d.get("sandboxed") is None else bool(d.get("sandboxed")), sandbox=_str(d.get("sandbox")),
        shared_objects=tuple(str(p) for p in shared) if isinstance(shared, list) else None, **e,
    )


def _call(raw: object) -> ProposedCall:
    if not isinstance(raw, dict) or "id" not in raw or "tool" not in raw:
        raise MalformedRecord(f"a proposed call is not an object with an id and a tool: {str(raw)[:40]!r}")
    data = raw.get("input")
    error = raw.get("input_error")
    return ProposedCall(id=str(raw["id"]), tool=str(raw["tool"]), input=dict(data) if isinstance(data, dict) else {},
                        input_error=str(error) if error else None)


def _assistant(d: JsonObject, e: _Envelope) -> Record:
    content = d.get("content")
    calls = d.get("calls")
    return Assistant(
        id=_str(d.get("id")),
        content=tuple(dict(b) for b in content if isinstance(b, dict)) if isinstance(content, list) else (),
        calls=tuple(_call(c) for c in calls) if isinstance(calls, list) else (),
        stop_reason=None if d.get("stop_reason") is None else str(d.get("stop_reason")), **e,
    )


def _result(d: JsonObject, e: _Envelope) -> Record:
    exit_code = d.get("exit_code")
    return Result(
        call=_str(d.get("call")), ok=bool(d.get("ok")), text=_str(d.get("text")), output=_str(d.get("output")),
        exit_code=exit_code if isinstance(exit_code, int) and not isinstance(exit_code, bool) else None,
        error=_str(d.get("error")) or None, truncated=bool(d.get("truncated")), timed_out=bool(d.get("timed_out")),
        cancelled=bool(d.get("cancelled")), interrupted=bool(d.get("interrupted")), commit=_str(d.get("commit")) or None,
        **e,
    )


def _correction(d: JsonObject, e: _Envelope) -> Record:
    stopped = d.get("stopped")
    ids = tuple(str(i) for i in stopped) if isinstance(stopped, list) and stopped else (_str(d.get("call")),)
    return Correction(call=_str(d.get("call")), category=_str(d.get("category")), message=_str(d.get("message")),
                      why=_str(d.get("why")), stopped=ids, **e)


def _obj(value: object) -> JsonObject:
    return dict(value) if isinstance(value, dict) else {}


_PARSERS: dict[str, Callable[[JsonObject, _Envelope], Record]] = {
    "session": _header,
    "goal_draft": lambda d, e: GoalDraft(text=_str(d.get("text")), **e),
    "goal": lambda d, e: Goal(text=_str(d.get("text")), **e),
    "prompt": lambda d, e: Prompt(text=_str(d.get("text")), **e),
    "mentor": lambda d, e: MentorNote(about=_str(d.get("about")), comment=_obj(d.get("comment")), **e),
    "stream": lambda d, e: Stream(text=_str(d.get("text")), **e),
    "assistant": _assistant,
    "prediction": lambda d, e: Prediction(call=_str(d.get("call")), outcome=_str(d.get("outcome")),
                                          confidence=_str(d.get("confidence", "medium")), **e),
    "run": lambda d, e: Run(call=_str(d.get("call")), gated=bool(d.get("gated", True)), **e),
    "process": lambda d, e: Process(call=None if d.get("call") is None else str(d.get("call")), **e),
    "result": _result,
    "snapshot": lambda d, e: Snapshot(call=_str(d.get("call")), commit=_str(d.get("commit")) or None, **e),
    "correction": _correction,
    "failure": lambda d, e: Failure(message=_str(d.get("message")), retryable=bool(d.get("retryable")),
                                    partial=bool(d.get("partial")), **e),
    "retry": lambda d, e: Retry(**e),
    "cancelled": lambda d, e: Cancelled(what=_str(d.get("what")), **e),
    "annotation": lambda d, e: Annotation(target=_obj(d.get("target")), text=_str(d.get("text")), **e),
    "ask": lambda d, e: AskMark(target=_obj(d.get("target")), ask=_obj(d.get("ask")), **e),
    "end": lambda d, e: End(summary=_obj(d.get("summary")), **e),
    "saved": lambda d, e: Saved(path=_str(d.get("path")), lesson=_str(d.get("lesson")), **e),
}


def _str(value: object) -> str:
    return "" if value is None else str(value)


def json_int(value: object) -> int:
    """A number from a journal (hostile JSON) as an int; 0 for anything that is not one."""
    if not isinstance(value, str | int | float):  # None, a list, an object: int() would raise TypeError
        return 0
    try:
        return int(value)
    except (ValueError, OverflowError):  # "12x", or Infinity (Python's JSON reader accepts it)
        return 0


def json_float(value: object) -> float:
    """A number from a journal (hostile JSON) as a float; 0.0 for anything that is not one."""
    if not isinstance(value, str | int | float):  # None, a list, an object: float() would raise TypeError
        return 0.0
    try:
        return float(value)
    except (ValueError, OverflowError):
        return 0.0
