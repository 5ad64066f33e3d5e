"""A glance at a lesson folder without validating it: enough to paint its title and task at once.

Loading the models (pydantic) costs about a tenth of a second; the first screen of
`tutor learn` should not wait for it. Nothing here is trusted: the full read follows.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .limits import MAX_GLANCE_CHARS, MAX_LESSON_BYTES, Refused, read_regular

LESSON_FILE = "lesson.json"


@dataclass(frozen=True)
class Glance:
    title: str
    task: str


def direct_lesson_folder(reference: str) -> Path | None:
    """The folder when `reference` is a path to a lesson folder or its lesson.json, else None.

    Any `lesson.json` counts here, even a FIFO or a link to a device: the full read
    (`read_lesson`) refuses it with a problem line that says why.
    """
    path = Path(reference).expanduser()
    if path.name == LESSON_FILE and os.path.lexists(path) and not os.path.lexists(path / LESSON_FILE):
        return path.parent
    if path.is_dir() and os.path.lexists(path / LESSON_FILE):
        return path
    return None


def glance(folder: Path) -> Glance | None:
    """Title and task (the task cut to `MAX_GLANCE_CHARS`), or None when the file is not a plain small lesson."""
    try:
        raw = read_regular(folder / LESSON_FILE, limit=MAX_LESSON_BYTES, within=folder, name=f"a {LESSON_FILE}")
        data = json.loads(raw.decode("utf-8"))
    except (OSError, Refused, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        return None
    task = data.get("task")
    task = task if isinstance(task, str) else ""
    if len(task) > MAX_GLANCE_CHARS:
        task = task[:MAX_GLANCE_CHARS] + "\n\n[…]"
    return Glance(data["title"][:MAX_GLANCE_CHARS], task)
