"""What a participant may send a host, and how the host reads it: `hello`, `answer`, `bye`. Nothing else.

Read strictly (a stranger's client is written from `docs/group-replay.md`, and a hostile one
from anything): every key known, every value typed and bounded. A host message type coming
from a participant is refused by name: a participant can only ever answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from msgspec.structs import replace
from typing import Any

from tutor.learn.answers import Answer, AnswerFormatError, answer_from_json, answer_to_json
from tutor.lesson import AskType, Confidence

from .wire import ProtocolError

MAX_NAME_CHARS = 60
MAX_TOKEN_CHARS = 64
MAX_SECRET_CHARS = 64
MAX_REASON_CHARS = 200
HOST_TYPES = frozenset({"welcome", "state", "ask", "received", "refused", "distribution", "reveal"})
ANSWER_KEYS = {
    AskType.GOAL: frozenset({"type", "text", "confidence"}),
    AskType.OUTCOME: frozenset({"type", "works", "confidence"}),
    AskType.INTERVENE: frozenset({"type", "intervene", "category", "text", "confidence"}),
    AskType.CHOICE: frozenset({"type", "choice", "index", "confidence"}),
}


@dataclass(frozen=True)
class Hello:
    token: str
    name: str
    rejoin: str | None = None  # the secret a `welcome` gave, to take that seat back


@dataclass(frozen=True)
class AnswerMessage:
    step: int
    round: int
    answer: Answer  # its confidence is the message's


@dataclass(frozen=True)
class Goodbye:
    """The participant leaves."""


ClientMessage = Hello | AnswerMessage | Goodbye


def parse_client(data: dict[str, Any]) -> ClientMessage:
    """A decoded line (`wire.decode_line`) as the message it must be; `ProtocolError` otherwise."""
    kind = data["type"]
    if kind == "hello":
        return _hello(data)
    if kind == "answer":
        return _answer(data)
    if kind == "bye":
        _keys(data, {"type", "reason"}, "bye")
        reason = data.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS):
            raise ProtocolError(f'a "bye" whose "reason" is not text of at most {MAX_REASON_CHARS} characters')
        return Goodbye()
    if kind in HOST_TYPES:
        raise ProtocolError(f'a participant may only send answers, not "{kind}"')
    raise ProtocolError(f"an unknown message type {kind[:40]!r}")


def _keys(data: dict[str, Any], allowed: set[str] | frozenset[str], what: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        shown = ", ".join(sorted(repr(key[:40]) for key in unknown)[:5])
        raise ProtocolError(f'a "{what}" with unknown keys ({shown})')


def _text(data: dict[str, Any], key: str, what: str, limit: int, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ProtocolError(f'a "{what}" whose "{key}" is not text of 1 to {limit} characters')
    return value


def _hello(data: dict[str, Any]) -> Hello:
    _keys(data, {"type", "token", "name", "rejoin"}, "hello")
    token = _text(data, "token", "hello", MAX_TOKEN_CHARS)
    name = _text(data, "name", "hello", MAX_NAME_CHARS)
    rejoin = _text(data, "rejoin", "hello", MAX_SECRET_CHARS, required=False)
    assert token is not None and name is not None
    return Hello(token=token, name=name.strip(), rejoin=rejoin)


def _answer(data: dict[str, Any]) -> AnswerMessage:
    _keys(data, {"type", "step", "round", "answer", "confidence"}, "answer")
    step, round_ = data.get("step"), data.get("round")
    if not isinstance(step, int) or isinstance(step, bool) or not 1 <= step <= 1_000_000:
        raise ProtocolError('an "answer" whose "step" is not a step number')
    if not isinstance(round_, int) or isinstance(round_, bool) or round_ not in (1, 2):
        raise ProtocolError('an "answer" whose "round" is not 1 or 2')
    try:
        confidence = Confidence(data.get("confidence"))
    except ValueError:
        raise ProtocolError('an "answer" whose "confidence" is not low, medium or high') from None
    raw = data.get("answer")
    if not isinstance(raw, dict):
        raise ProtocolError('an "answer" whose "answer" is not an object')
    try:
        answer = answer_from_json(raw, '"answer"')
    except AnswerFormatError as error:
        raise ProtocolError(f"an answer not in the documented shape ({error})") from None
    _keys(raw, ANSWER_KEYS[answer.type], f"{answer.type.value} answer")
    return AnswerMessage(step=step, round=round_, answer=replace(answer, confidence=confidence))


# ---------------------------------------------------------------- what a participant's client sends


def hello(token: str, name: str, rejoin: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "hello", "token": token, "name": name}
    if rejoin is not None:
        message["rejoin"] = rejoin
    return message


def answer(step: int, round_: int, given: Answer) -> dict[str, Any]:
    return {"type": "answer", "step": step, "round": round_, "answer": answer_to_json(given), "confidence": given.confidence.value}


def goodbye() -> dict[str, Any]:
    return {"type": "bye"}
