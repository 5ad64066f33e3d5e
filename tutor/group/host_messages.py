"""What a host sends its participants, built here and read back here (as hostile, on a participant's side).

`welcome`, `state`, `ask`, `received`, `refused`, `distribution`, `reveal`, `bye`. A message type
a participant does not know is passed over (`parse_host` gives None), so a newer host can say
more; a known one that is malformed is a `ProtocolError`, and the participant leaves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, TypeGuard

from tutor.learn.replay import AskFrame
from tutor.lesson import AnyStep

from .content import ask_from_json, ask_to_json, step_content, step_from_content
from .distribution import Distribution
from .wire import PROTOCOL, Phase, ProtocolError

MAX_TEXT_CHARS = 200  # a reason, an id
MAX_STEPS = 100_000
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class LessonInfo:
    """What a participant learns of the lesson on joining: nothing of any step."""

    id: str
    title: str
    task: str
    digest: str  # of the lesson as written (`tutor.lesson.lesson_digest`): which version is played
    steps: int  # how many steps a learner replays


@dataclass(frozen=True)
class Welcome:
    participant: str
    rejoin: str
    lesson: LessonInfo
    min_group: int


@dataclass(frozen=True)
class State:
    phase: Phase
    step: int | None  # the ask being played (None in the lobby and once ended)
    round: int | None  # 1 or 2 (the revote); None when no ask is being played
    answered: int
    expected: int
    paused: bool


@dataclass(frozen=True)
class Ask:
    step: int
    frame: AskFrame


@dataclass(frozen=True)
class Received:
    step: int
    round: int


@dataclass(frozen=True)
class Refused:
    step: int
    round: int
    reason: str


@dataclass(frozen=True)
class Reveal:
    step: int
    content: AnyStep


@dataclass(frozen=True)
class Farewell:
    """The host's `bye`: the connection closes after it."""

    reason: str


HostMessage = Welcome | State | Ask | Received | Refused | Distribution | Reveal | Farewell


# ---------------------------------------------------------------- building (the host)


def welcome(participant: str, rejoin: str, lesson: LessonInfo, min_group: int) -> dict[str, Any]:
    return {
        "type": "welcome",
        "protocol": PROTOCOL,
        "participant": participant,
        "rejoin": rejoin,
        "lesson": {"id": lesson.id, "title": lesson.title, "task": lesson.task, "digest": lesson.digest, "steps": lesson.steps},
        "min_group": min_group,
    }


def state(current: State) -> dict[str, Any]:
    return {
        "type": "state",
        "phase": current.phase.value,
        "step": current.step,
        "round": current.round,
        "answered": current.answered,
        "expected": current.expected,
        "paused": current.paused,
    }


def ask(step: int, frame: AskFrame) -> dict[str, Any]:
    return {"type": "ask", "step": step, "ask": ask_to_json(frame)}


def received(step: int, round_: int) -> dict[str, Any]:
    return {"type": "received", "step": step, "round": round_}


def refused(step: int, round_: int, reason: str) -> dict[str, Any]:
    return {"type": "refused", "step": step, "round": round_, "reason": reason}


def distribution(spread: Distribution) -> dict[str, Any]:
    counts = None if spread.counts is None else dict(spread.counts)
    return {"type": "distribution", "step": spread.step, "round": spread.round, "counts": counts, "n": spread.n}


def reveal(step: int, content: AnyStep) -> dict[str, Any]:
    return {"type": "reveal", "step": step, "content": step_content(content)}


def farewell(reason: str) -> dict[str, Any]:
    return {"type": "bye", "reason": reason}


# ---------------------------------------------------------------- reading (a participant)


def parse_host(data: dict[str, Any]) -> HostMessage | None:
    """A decoded host line as its message; None for a type this version does not know."""
    kind = data["type"]
    reader = _READERS.get(kind)
    return reader(data) if reader is not None else None


def _int(value: object, low: int, high: int) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _step(data: dict[str, Any], what: str) -> int:
    value = data.get("step")
    if not _int(value, 1, MAX_STEPS):
        raise ProtocolError(f'a "{what}" whose "step" is not a step number')
    return value


def _round(data: dict[str, Any], what: str) -> int:
    value = data.get("round")
    if not _int(value, 1, 2):
        raise ProtocolError(f'a "{what}" whose "round" is not 1 or 2')
    return value


def _string(data: dict[str, Any], key: str, what: str, limit: int | None = MAX_TEXT_CHARS) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (limit is not None and len(value) > limit):
        raise ProtocolError(f'a "{what}" whose "{key}" is not text' + (f" of at most {limit} characters" if limit else ""))
    return value


def _welcome(data: dict[str, Any]) -> Welcome:
    lesson = data.get("lesson")
    if not isinstance(lesson, dict):
        raise ProtocolError('a "welcome" without its "lesson"')
    digest = lesson.get("digest")
    if not isinstance(digest, str) or _DIGEST.fullmatch(digest) is None:
        raise ProtocolError('a "welcome" whose lesson "digest" is not 64 hex digits')
    steps = lesson.get("steps")
    if not _int(steps, 1, MAX_STEPS):
        raise ProtocolError('a "welcome" whose lesson "steps" is not a count of steps')
    min_group = data.get("min_group")
    if not _int(min_group, 1, 1000):
        raise ProtocolError('a "welcome" whose "min_group" is not a group size')
    info = LessonInfo(
        id=_string(lesson, "id", "welcome"),
        title=_string(lesson, "title", "welcome", None),
        task=_string(lesson, "task", "welcome", None),
        digest=digest,
        steps=steps,
    )
    return Welcome(_string(data, "participant", "welcome", 40), _string(data, "rejoin", "welcome", 64), info, min_group)


def _state(data: dict[str, Any]) -> State:
    try:
        phase = Phase(data.get("phase"))
    except ValueError:
        raise ProtocolError('a "state" with an unknown "phase"') from None
    step = data.get("step")
    if step is not None and not _int(step, 1, MAX_STEPS):
        raise ProtocolError('a "state" whose "step" is not a step number or null')
    round_ = data.get("round")
    if round_ is not None and not _int(round_, 1, 2):
        raise ProtocolError('a "state" whose "round" is not 1, 2 or null')
    answered, expected, paused = data.get("answered"), data.get("expected"), data.get("paused")
    if not _int(answered, 0, 1_000_000) or not _int(expected, 0, 1_000_000):
        raise ProtocolError('a "state" whose "answered" or "expected" is not a count')
    if not isinstance(paused, bool):
        raise ProtocolError('a "state" whose "paused" is not true or false')
    return State(phase, step, round_, answered, expected, paused)


def _ask(data: dict[str, Any]) -> Ask:
    step = _step(data, "ask")
    frame = ask_from_json(data.get("ask"))
    if frame.number != step:
        raise ProtocolError('an "ask" whose "step" and "number" differ')
    return Ask(step, frame)


def _distribution(data: dict[str, Any]) -> Distribution:
    step, round_ = _step(data, "distribution"), _round(data, "distribution")
    n = data.get("n")
    if not _int(n, 0, 1_000_000):
        raise ProtocolError('a "distribution" whose "n" is not a count')
    raw = data.get("counts")
    if raw is None:
        return Distribution(step, round_, n, None)
    if not isinstance(raw, dict) or len(raw) > 200:
        raise ProtocolError('a "distribution" whose "counts" are not an object of labels or null')
    counts: list[tuple[str, int]] = []
    for label, count in raw.items():
        if len(label) > MAX_TEXT_CHARS or not _int(count, 0, 1_000_000):
            raise ProtocolError('a "distribution" with a count that is not a number')
        counts.append((label, count))
    return Distribution(step, round_, n, tuple(counts))


def _reveal(data: dict[str, Any]) -> Reveal:
    return Reveal(_step(data, "reveal"), step_from_content(data.get("content")))


_READERS: dict[str, Callable[[dict[str, Any]], HostMessage]] = {
    "welcome": _welcome,
    "state": _state,
    "ask": _ask,
    "received": lambda data: Received(_step(data, "received"), _round(data, "received")),
    "refused": lambda data: Refused(_step(data, "refused"), _round(data, "refused"), _string(data, "reason", "refused", 1000)),
    "distribution": _distribution,
    "reveal": _reveal,
    "bye": lambda data: Farewell(_string(data, "reason", "bye", 1000)),
}
