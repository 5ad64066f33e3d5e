"""Paths and helpers shared by the tests (import as `from support import ...`)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parents[1] / "data"
EXAMPLE_CURRICULUM = DATA / "curriculum-example"


def example_lesson_paths() -> list[Path]:
    return sorted(path.parent for path in EXAMPLE_CURRICULUM.glob("*/lesson.json"))
