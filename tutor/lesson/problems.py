"""A problem found in a lesson or curriculum, reported as one clear line."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from tutor.errors import UserError


class Problem(msgspec.Struct, frozen=True):
    path: str
    where: str
    what: str

    def __str__(self) -> str:
        if self.where:
            return f"{self.path}: {self.where}: {self.what}"
        return f"{self.path}: {self.what}"


class LessonError(UserError):
    """A lesson or curriculum could not be read; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "invalid lesson")


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def at_key(where: str, key: Any) -> str:
    """Append an object key to a location: `steps[0].text`, or `input['odd key']` (so a line stays one line)."""
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{where}.{key}" if where else key
    return f"{where}[{shown(key)}]"


def shown(value: Any) -> str:
    """A value as a problem line quotes it: its repr, cut to 60 characters (a repr is always one line)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
