"""A problem found in a lesson or curriculum, reported as one clear line."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.errors import UserError


@dataclass(frozen=True)
class Problem:
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
