"""One attempt at a lesson as it is saved: each ask's committed response, where the learner is,
the drafts not yet submitted. Read back tolerantly: one unreadable answer never costs the rest."""

from __future__ import annotations

from typing import Any

import msgspec

from .answers import Answer, AnswerDataError, answer_from_data, answer_to_data
from .drafts import Draft
from .judging import Judgement

STATE_VERSION = 1


class Committed(msgspec.Struct, frozen=True):
    """One ask's committed response. `answer` is None for a skip."""

    step_id: str
    answer: Answer | None
    judgement: Judgement | None = None  # how its points were judged: given once, never redone

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"step": self.step_id, "skipped": self.answer is None}
        if self.answer is not None:
            data["answer"] = answer_to_data(self.answer)
        if self.judgement is not None:
            data["judgement"] = self.judgement.to_data()
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Committed:
        if not isinstance(data, dict):
            raise AnswerDataError(f"unreadable committed answer {data!r}")
        try:
            answer = None if data.get("skipped") else answer_from_data(data["answer"])
            # A rubric's ticks from before judged points ("self_check") are not a judgement of
            # them: such a goal asks for its check again.
            return cls(str(data["step"]), answer, Judgement.from_data(data.get("judgement")) if answer is not None else None)
        except (KeyError, TypeError, ValueError) as error:
            raise AnswerDataError(f"unreadable committed answer: {error}") from error


class AttemptState(msgspec.Struct):
    lesson_id: str
    digest: str
    cursor: int = 0
    frontier: int = 0
    committed: dict[str, Committed] = msgspec.field(default_factory=dict)
    finished: bool = False
    drafts: dict[str, Draft] = msgspec.field(default_factory=dict)  # unsubmitted answers, by step

    def to_data(self) -> dict[str, Any]:
        data = {
            "version": STATE_VERSION,
            "lesson": self.lesson_id,
            "digest": self.digest,
            "cursor": self.cursor,
            "frontier": self.frontier,
            "finished": self.finished,
            "committed": [entry.to_data() for entry in self.committed.values()],
        }
        if self.drafts:
            data["drafts"] = {step_id: draft.to_data() for step_id, draft in self.drafts.items()}
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AttemptState:
        if not isinstance(data, dict):
            data = {}  # nothing readable: a fresh attempt rather than a crash
        raw_committed = data.get("committed")
        committed: dict[str, Committed] = {}
        for raw in raw_committed if isinstance(raw_committed, list) else []:
            try:
                entry = Committed.from_data(raw)
            except AnswerDataError:
                continue  # one unreadable answer must not cost the learner the rest
            committed[entry.step_id] = entry
        raw_drafts = data.get("drafts")
        drafts: dict[str, Draft] = {}
        for step_id, raw in raw_drafts.items() if isinstance(raw_drafts, dict) else ():
            draft = Draft.from_data(raw)
            if draft is not None and isinstance(step_id, str) and step_id not in committed:
                drafts[step_id] = draft
        return cls(
            lesson_id=str(data.get("lesson", "")),
            digest=str(data.get("digest", "")),
            cursor=_int(data.get("cursor")),
            frontier=_int(data.get("frontier")),
            committed=committed,
            finished=bool(data.get("finished", False)),
            drafts=drafts,
        )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
