"""What a learner commits at an ask. Plain frozen dataclasses, serialisable to JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.lesson import AskType, Category, Confidence


@dataclass(frozen=True)
class GoalAnswer:
    text: str
    confidence: Confidence = Confidence.MEDIUM
    type = AskType.GOAL


@dataclass(frozen=True)
class OutcomeAnswer:
    works: bool
    confidence: Confidence = Confidence.MEDIUM
    type = AskType.OUTCOME


@dataclass(frozen=True)
class InterveneAnswer:
    intervene: bool
    category: Category | None = None
    text: str = ""
    confidence: Confidence = Confidence.MEDIUM
    type = AskType.INTERVENE


@dataclass(frozen=True)
class ChoiceAnswer:
    index: int
    confidence: Confidence = Confidence.MEDIUM
    type = AskType.CHOICE


Answer = GoalAnswer | OutcomeAnswer | InterveneAnswer | ChoiceAnswer


class AnswerDataError(ValueError):
    """Stored answer data that cannot be read back (hand-edited or from a newer Tutor)."""


def answer_to_data(answer: Answer) -> dict[str, Any]:
    data: dict[str, Any] = {"type": answer.type.value, "confidence": answer.confidence.value}
    if isinstance(answer, GoalAnswer):
        data["text"] = answer.text
    elif isinstance(answer, OutcomeAnswer):
        data["works"] = answer.works
    elif isinstance(answer, InterveneAnswer):
        data["intervene"] = answer.intervene
        data["category"] = answer.category.value if answer.category else None
        data["text"] = answer.text
    elif isinstance(answer, ChoiceAnswer):
        data["index"] = answer.index
    return data


def answer_from_data(data: dict[str, Any]) -> Answer:
    if not isinstance(data, dict):
        raise AnswerDataError(f"unreadable answer {data!r}: not an object")
    try:
        confidence = Confidence(data.get("confidence", "medium"))
        kind = AskType(data["type"])
        if kind is AskType.GOAL:
            return GoalAnswer(text=str(data["text"]), confidence=confidence)
        if kind is AskType.OUTCOME:
            return OutcomeAnswer(works=bool(data["works"]), confidence=confidence)
        if kind is AskType.INTERVENE:
            category = data.get("category")
            return InterveneAnswer(
                intervene=bool(data["intervene"]),
                category=Category(category) if category else None,
                text=str(data.get("text", "")),
                confidence=confidence,
            )
        return ChoiceAnswer(index=int(data["index"]), confidence=confidence)
    except (KeyError, ValueError, TypeError) as error:
        raise AnswerDataError(f"unreadable answer {data!r}: {error}") from error
