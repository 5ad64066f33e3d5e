"""A lesson's identity for progress (`lesson_key`): which curriculum it stands in, and its id.

Apart from the library (`services.library`, which lists lessons): opening one lesson (`tutor learn`, a review) needs
its key and nothing the library loads.
"""

from __future__ import annotations

from pathlib import Path

from tutor.lesson.curriculum import is_curriculum
from tutor.team.folder import team_root_of

__all__ = ["key_prefix", "lesson_key"]


def lesson_key(folder: Path, lesson_id: str) -> str:
    """A lesson's identity for progress: its curriculum and id, so that a stranger's curriculum with a
    lesson of the same id is another lesson. Bundled lessons are keyed by name (the install moves);
    others by where their curriculum is; a lesson outside any curriculum, by its folder."""
    folder = folder.resolve()
    prefix = key_prefix(folder.parent)
    return f"{prefix}{lesson_id}" if prefix is not None else f"lesson:{folder}"


def key_prefix(parent: Path) -> str | None:
    """What `lesson_key` puts before the id of a lesson in the (resolved) folder `parent`; None when it is no curriculum."""
    from tutor import paths

    if not is_curriculum(parent):
        return None
    if parent.parent == paths.bundled_curricula_dir().resolve():
        return f"bundled:{parent.name}/"
    team = team_root_of(parent)
    if team is not None:  # a team's lesson: its own progress, apart from a copy elsewhere
        inner = "" if parent == team / "curricula" else f"{parent.name}/"
        return f"team:{team}/{inner}"
    return f"curriculum:{parent}/"
