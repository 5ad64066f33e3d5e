"""Who judged a free-text answer, and what they found, point by point.

A free-text answer (an intervene message, a goal) is judged against the senior's points
(the ask's key points, or the goal's criteria), each one `covered`, `partly`, `missed` or
`contradicted`, with the learner's own words as evidence. Two judges give a `Judgement`:
Claude (in `tutor.agent.judge`, when a key is set) and the learner's own check after the
reveal. Tutor's word matcher (`tutor.learn.matcher`) only hints; it never judges.

Evidence is checked here, the same for every judge: a verdict that credits the learner
must quote the learner's answer. A quote that is not in it is not credited (`unsure`).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

import msgspec
from msgspec.structs import replace


class Verdict(str, Enum):
    COVERED = "covered"
    PARTLY = "partly"
    MISSED = "missed"
    CONTRADICTED = "contradicted"
    UNSURE = "unsure"  # a judge's claim that could not be checked: no credit


CREDIT = {Verdict.COVERED: 1.0, Verdict.PARTLY: 0.5, Verdict.MISSED: 0.0, Verdict.CONTRADICTED: 0.0, Verdict.UNSURE: 0.0}
# Verdicts that claim the answer says something, and so must quote it.
NEEDS_EVIDENCE = frozenset({Verdict.COVERED, Verdict.PARTLY, Verdict.CONTRADICTED})


class Judge(str, Enum):
    CLAUDE = "claude"
    SELF = "self"  # the learner's own check, point by point, after the reveal
    MATCHER = "matcher"  # Tutor's word matcher: `tutor grade --judge offline` only, never in a lesson

    @property
    def label(self) -> str:
        return JUDGE_LABELS[self]


JUDGE_LABELS = {Judge.CLAUDE: "judged by Claude", Judge.SELF: "your own check", Judge.MATCHER: "Tutor's word matcher (hints only)"}

MAX_EVIDENCE_CHARS = 600
MAX_FEEDBACK_CHARS = 1200


class PointVerdict(msgspec.Struct, frozen=True):
    index: int  # of the point in the ask's key points (or the goal's criteria)
    verdict: Verdict
    evidence: str = ""  # the learner's own words that make it so
    note: str = ""  # why a claimed verdict was not credited

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"index": self.index, "verdict": self.verdict.value}
        if self.evidence:
            data["evidence"] = self.evidence
        if self.note:
            data["note"] = self.note
        return data

    @classmethod
    def from_data(cls, data: Any) -> PointVerdict | None:
        if not isinstance(data, dict) or not isinstance(data.get("index"), int) or isinstance(data.get("index"), bool):
            return None
        try:
            verdict = Verdict(data.get("verdict"))
        except ValueError:
            return None
        evidence, note = data.get("evidence", ""), data.get("note", "")
        return cls(data["index"], verdict, str(evidence)[:MAX_EVIDENCE_CHARS], str(note)[:MAX_EVIDENCE_CHARS])


class Judgement(msgspec.Struct, frozen=True):
    """A judge's verdict on each point, in the points' order; stored with the answer, never redone."""

    judge: Judge
    points: tuple[PointVerdict, ...]
    feedback: str = ""  # the judge's words to the learner (Claude's; empty for a self-check)
    notice: str = ""  # one line when the judge asked for could not judge and another did

    def credit(self) -> float:
        """The share of the points covered (a partly counts half); 1.0 when there are none."""
        if not self.points:
            return 1.0
        return sum(CREDIT[point.verdict] for point in self.points) / len(self.points)

    def mostly_missed(self) -> bool:
        """Whether most points are missed or contradicted: the answer goes to review.

        Counted, not weighed: a `partly` is not a miss, and an `unsure` (a judge's claim that
        could not be checked) is neither credit nor a miss.
        """
        misses = sum(point.verdict in (Verdict.MISSED, Verdict.CONTRADICTED) for point in self.points)
        return misses * 2 > len(self.points)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"judge": self.judge.value, "points": [point.to_data() for point in self.points]}
        if self.feedback:
            data["feedback"] = self.feedback
        if self.notice:
            data["notice"] = self.notice
        return data

    @classmethod
    def from_data(cls, data: Any) -> Judgement | None:
        if not isinstance(data, dict):
            return None
        try:
            judge = Judge(data.get("judge"))
        except ValueError:
            return None
        raw = data.get("points")
        points = tuple(point for point in (PointVerdict.from_data(item) for item in (raw if isinstance(raw, list) else ())) if point)
        return cls(judge, points, str(data.get("feedback", ""))[:MAX_FEEDBACK_CHARS], str(data.get("notice", ""))[:MAX_FEEDBACK_CHARS])


def fold(text: str) -> str:
    """Case and whitespace folded, and typographic quotes and dashes made plain: how a quote is compared."""
    text = text.translate(_PLAIN).casefold()
    return " ".join(text.split())


_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def quotes(answer: str, evidence: str) -> bool:
    """Whether `evidence` is a verbatim span of `answer` (after folding case and whitespace).

    Leading and trailing punctuation of the quote is not held against it ("…it," quoted
    as "it"), but a quote must hold at least one word.
    """
    quote = fold(evidence).strip(" .,;:!?'\"()[]…-")
    return bool(re.search(r"\w", quote)) and quote in fold(answer)


def checked(judgement: Judgement, answer: str, point_count: int) -> Judgement:
    """The judgement as it may count: one verdict per point, in order, and no credit on a quote the answer does not hold.

    A point the judge gave no verdict for is `unsure`; a verdict whose quote is not in the
    answer (or that has none) becomes `unsure` with a note saying so.
    """
    given = {point.index: point for point in judgement.points if 0 <= point.index < point_count}
    points = []
    for index in range(point_count):
        point = given.get(index)
        if point is None:
            points.append(PointVerdict(index, Verdict.UNSURE, note="the judge gave no verdict on this point"))
        elif point.verdict in NEEDS_EVIDENCE and not quotes(answer, point.evidence):
            note = "the words quoted are not in your answer" if point.evidence.strip() else "no words of your answer were quoted"
            points.append(replace(point, verdict=Verdict.UNSURE, note=f"{point.verdict.value}, but {note}"))
        else:
            points.append(point)
    return replace(judgement, points=tuple(points))


class JudgeRequest(msgspec.Struct, frozen=True):
    """What a judge is shown, all of it already revealed to the learner: it is asked only after the answer is committed.

    `kind` is "intervene" (the points are the senior's key points) or "goal" (the goal's
    criteria). `revealed` holds the steps the learner has seen, as plain text, oldest first;
    `senior` is the senior's step now revealed (their correction or goal) and `why` their
    reason; `answer` is the learner's committed text.
    """

    kind: str
    task: str
    revealed: tuple[str, ...]
    senior: str
    why: str
    points: tuple[str, ...]
    answer: str
    decision: str = ""  # intervene: what the learner decided ("stepped in (test)", "let it run")
