"""A lesson folder named on the command line, found without reading it: `tutor learn FOLDER` needs no
curricula, no lesson models and no command-line parser to know what to open (the full read follows)."""

from __future__ import annotations

import os
from pathlib import Path


LESSON_FILE = "lesson.json"


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
