"""A glance at a lesson folder without validating it: enough to paint its title and task at once.

Loading the models (pydantic) costs about a tenth of a second; the first screen of
`tutor learn` should not wait for it. Nothing here is trusted: the full read follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LESSON_FILE = "lesson.json"


@dataclass(frozen=True)
class Glance:
    title: str
    task: str


def direct_lesson_folder(reference: str) -> Path | None:
    """The folder when `reference` is a path to a lesson folder or its lesson.json, else None."""
    path = Path(reference).expanduser()
    if path.name == LESSON_FILE and path.is_file():
        return path.parent
    if (path / LESSON_FILE).is_file():
        return path
    return None


def glance(folder: Path) -> Glance | None:
    try:
        data = json.loads((folder / LESSON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        return None
    task = data.get("task")
    return Glance(data["title"], task if isinstance(task, str) else "")
