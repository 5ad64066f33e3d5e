"""What a learner has put into an answer form but not submitted yet: kept with the attempt until it is.

A draft is only ever read back into the form it came from; it is never graded. It is
read leniently (a damaged draft is dropped, never a crash) and bounded, since the
store it comes back from is a file on disk.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tutor.lesson import Category, Confidence

MAX_DRAFT_CHARS = 100_000


class Draft(msgspec.Struct, frozen=True):
    text: str = ""  # a goal, or what the learner would say to the agent
    intervene: bool | None = None  # True: step in; False: let it run
    category: Category | None = None
    works: bool | None = None  # an outcome prediction
    choice: int | None = None  # the option picked, 0-based
    confidence: Confidence | None = None

    @property
    def empty(self) -> bool:
        return self == Draft()

    @property
    def has_work(self) -> bool:
        """Something the learner would mind losing: words typed or a decision made (not just a confidence)."""
        return bool(self.text.strip()) or any(value is not None for value in (self.intervene, self.category, self.works, self.choice))

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.text:
            data["text"] = self.text
        for name in ("intervene", "works", "choice"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.category is not None:
            data["category"] = self.category.value
        if self.confidence is not None:
            data["confidence"] = self.confidence.value
        return data

    @classmethod
    def from_data(cls, data: Any) -> Draft | None:
        """The draft, or None when nothing of it is readable."""
        if not isinstance(data, dict):
            return None
        text = data.get("text", "")
        draft = cls(
            text=text[:MAX_DRAFT_CHARS] if isinstance(text, str) else "",
            intervene=_bool(data.get("intervene")),
            category=_enum(Category, data.get("category")),
            works=_bool(data.get("works")),
            choice=data.get("choice") if isinstance(data.get("choice"), int) and not isinstance(data.get("choice"), bool) and data["choice"] >= 0 else None,
            confidence=_enum(Confidence, data.get("confidence")),
        )
        return None if draft.empty else draft


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _enum(kind: Any, value: Any) -> Any:
    try:
        return kind(value) if isinstance(value, str) else None
    except ValueError:
        return None
