"""Saving a senior's recording as a lesson: where it goes, and the journal's last word on it.

The journal stays the source of truth until the lesson is written: the lesson is made
from the journal as it stands, and only once it is on disk does the journal say so
(`end`, then `saved`). A failed write changes nothing, so the senior can fix the cause
and save again, or resume the session.

Without `--out`, a recording becomes a new lesson of the user's own curriculum,
`$TUTOR_HOME/curricula/recorded` ("Recorded lessons"), which the library lists with the
others; its `curriculum.toml` is created on first use and extended atomically.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor import paths
from tutor.errors import UserError

RECORDED_FOLDER = "recorded"
RECORDED_TITLE = "Recorded lessons"


class SaveError(UserError):
    """The recording cannot be written as a lesson; one line for the user."""


@dataclass
class SavedLesson:
    folder: Path
    lesson_id: str
    steps: int
    asks: int
    warnings: list[str] = field(default_factory=list)


def recorded_curriculum() -> Path:
    return paths.user_curricula_dir() / RECORDED_FOLDER


def lesson_slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return slug or "recorded-session"


def default_destination(task: str, session_id: str) -> Path:
    """A folder for a new lesson in the user's curriculum, named after the task and never an existing one."""
    root = recorded_curriculum()
    base = lesson_slug(task) if task.strip() else "session-" + lesson_slug(session_id)
    candidate, number = base, 1
    while (root / candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return root / candidate


def save_recording(session: Any, *, out: Path | None = None, author: str = "") -> SavedLesson:
    """Write the session as a lesson (`origin: recorded`) to `out` or the user's curriculum, then end it."""
    from tutor.lesson.io import LESSON_FILE
    from tutor.record.journal import JournalError
    from tutor.record.session_lesson import LessonDraftError, write_session_lesson
    from tutor.vcs import VcsError

    from .live import SessionError, session_records

    state = session.state  # a session not made yet (started `later`) has no goal either
    if state.goal is None:
        raise SaveError("nothing to save yet: the session has no goal")
    into_curriculum = out is None
    folder = out if out is not None else default_destination(str(state.header.get("task") or ""), session.id)
    if (folder / LESSON_FILE).exists():
        raise SaveError(f"{folder} already holds a lesson; choose another --out")
    lesson_id = lesson_slug(folder.name)
    warnings: list[str] = []
    try:
        session.loop.settle_snapshots_blocking()  # the last call's snapshot, taken after its result, is in the journal
        records = session_records(session.id)
        lesson = write_session_lesson(records, session.workspace, folder, lesson_id=lesson_id, author=author, warnings=warnings)
    except (SessionError, LessonDraftError, VcsError, JournalError) as error:
        raise SaveError(str(error)) from None
    except OSError as error:
        raise SaveError(f"{folder}: cannot write the lesson ({error.strerror or error})") from None
    if into_curriculum:
        try:
            add_to_curriculum(folder.parent, folder.name)
        except OSError as error:
            warnings.append(f"the lesson is written, but {folder.parent / 'curriculum.toml'} could not list it ({error.strerror or error})")
    try:
        if not state.ended:
            session.loop.end()
        session.loop.record("saved", path=str(folder), lesson=lesson_id)
    except JournalError as error:
        warnings.append(f"the lesson is written, but the journal could not say so ({error})")
    return SavedLesson(folder=folder, lesson_id=lesson_id, steps=len(lesson.steps), asks=len(lesson.asks), warnings=warnings)


def add_to_curriculum(root: Path, lesson_folder: str) -> None:
    """List `lesson_folder` last in `root/curriculum.toml`, creating the curriculum if it is new."""
    from tutor.lesson.io import write_atomic

    file = root / "curriculum.toml"
    lessons: list[str] = []
    title, description = RECORDED_TITLE, "Sessions recorded with `tutor record`."
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        lessons = [str(name) for name in data.get("lessons", []) if isinstance(name, str)]
        title = str(data.get("title") or title)
        description = str(data.get("description") or description)
    except FileNotFoundError:
        pass
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        # A broken file is not ours to repair silently: keep it beside the new one.
        file.replace(file.with_suffix(".toml.broken"))
    if lesson_folder not in lessons:
        lessons.append(lesson_folder)
    body = f"title = {json.dumps(title, ensure_ascii=False)}\ndescription = {json.dumps(description, ensure_ascii=False)}\nlessons = [\n"
    body += "".join(f"  {json.dumps(name, ensure_ascii=False)},\n" for name in lessons) + "]\n"
    root.mkdir(parents=True, exist_ok=True)
    write_atomic(file, body.encode("utf-8"))
