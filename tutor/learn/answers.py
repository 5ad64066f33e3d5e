"""What a learner commits at an ask. Plain frozen dataclasses, serialisable to JSON.

Two JSON forms: the stored one (`answer_to_data`/`answer_from_data`, in progress) and the
one people and other programs write (`answer_from_json`/`answer_to_json`: `tutor grade
--answer`'s file, a group replay's `answer` message), read strictly as hostile input.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tutor.lesson import AskType, Category, Confidence


class GoalAnswer(msgspec.Struct, frozen=True):
    text: str
    confidence: Confidence = Confidence.MEDIUM
    type = AskType.GOAL


class OutcomeAnswer(msgspec.Struct, frozen=True):
    works: bool
    confidence: Confidence = Confidence.MEDIUM
    type = AskType.OUTCOME


class InterveneAnswer(msgspec.Struct, frozen=True):
    intervene: bool
    category: Category | None = None
    text: str = ""
    confidence: Confidence = Confidence.MEDIUM
    type = AskType.INTERVENE


class ChoiceAnswer(msgspec.Struct, frozen=True):
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


class AnswerFormatError(AnswerDataError):
    """An answer written by a person or another program that is not in the documented shape; one line."""


def answer_from_json(data: dict[str, Any], where: str) -> Answer:
    """The answer in `data`: `{"type": "intervene", "intervene": true, "category": "test", "text": "…", "confidence": "high"}`,
    `{"type": "goal", "text": "…"}`, `{"type": "outcome", "works": true}` or `{"type": "choice", "choice": 1}` (0-based, as a
    lesson's `answer`; `index` is read too); confidence is optional (medium). `where` starts each error's line."""
    try:
        kind = AskType(data.get("type"))
    except ValueError:
        raise AnswerFormatError(f"{where}: \"type\" must be one of goal, outcome, intervene, choice") from None
    confidence = _confidence(data.get("confidence", "medium"), where)
    if kind is AskType.GOAL:
        return GoalAnswer(text=_text(data, where, required=True), confidence=confidence)
    if kind is AskType.OUTCOME:
        return OutcomeAnswer(works=_bool(data, "works", where), confidence=confidence)
    if kind is AskType.INTERVENE:
        intervene = _bool(data, "intervene", where)
        raw = data.get("category")
        category = None
        if raw is not None:
            try:
                category = Category(raw)
            except ValueError:
                names = ", ".join(c.value for c in Category)
                raise AnswerFormatError(f"{where}: \"category\" must be one of {names}") from None
        return InterveneAnswer(intervene=intervene, category=category, text=_text(data, where, required=False), confidence=confidence)
    choice = data.get("choice", data.get("index"))
    if not isinstance(choice, int) or isinstance(choice, bool):
        raise AnswerFormatError(f"{where}: \"choice\" must be the option's index, counted from 0")
    return ChoiceAnswer(index=choice, confidence=confidence)


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """`answer` in the form `answer_from_json` reads (without its confidence, which travels beside it)."""
    if isinstance(answer, GoalAnswer):
        return {"type": "goal", "text": answer.text}
    if isinstance(answer, OutcomeAnswer):
        return {"type": "outcome", "works": answer.works}
    if isinstance(answer, InterveneAnswer):
        data: dict[str, Any] = {"type": "intervene", "intervene": answer.intervene}
        if answer.category is not None:
            data["category"] = answer.category.value
        if answer.text:
            data["text"] = answer.text
        return data
    return {"type": "choice", "choice": answer.index}


def _text(data: dict[str, Any], where: str, *, required: bool) -> str:
    text = data.get("text", "")
    if not isinstance(text, str) or (required and not text.strip()):
        raise AnswerFormatError(f"{where}: \"text\" must be the answer's words")
    return text


def _bool(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise AnswerFormatError(f"{where}: \"{key}\" must be true or false")
    return value


def _confidence(value: Any, where: str) -> Confidence:
    try:
        return Confidence(value)
    except ValueError:
        raise AnswerFormatError(f"{where}: \"confidence\" must be low, medium or high") from None
