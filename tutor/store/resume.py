"""Where a lesson resumes, read without TinyDB: so that a lesson's first frame does not wait for the store.

Opening the store (`Progress`) imports TinyDB and reads every attempt file; resuming one lesson needs
two small files: the attempts index, which names the lesson's latest attempt (`overview.read_overview`,
the same choice as `Progress.latest_attempt`), and that attempt's own file, read as the store reads it
(`records.state_of`). The attempt is held open through the same lock file as `Progress.hold`, so a second
Tutor is told at once. Writing still goes through the store, opened later (`tutor.services.progress`).

Whenever this cannot tell for sure (the attempt file is damaged and the store would set it aside, the id
is not one this reader can name a file for) it answers None and the caller opens the store as before.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import msgspec

from .attempt_index import attempt_file_name
from .lock import FileLock, Held, try_hold
from .overview import parsed_table, read_overview
from .records import AttemptRecord, state_of

# An attempt id as `Progress.start_attempt` makes it: its file's name is the id itself (see `sharded_storage`).
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class ResumePoint(msgspec.Struct, frozen=True):
    """The latest attempt at a lesson and its state (`AttemptState.to_data()`); both None: no attempt yet."""

    record: AttemptRecord | None = None
    state: dict[str, Any] | None = None


def resume_point(folder: str | os.PathLike[str], lesson_id: str, key: str | None) -> ResumePoint | None:
    """The attempt `Progress.latest_attempt(lesson_id, key)` and `Progress.load_state` would give, without TinyDB;
    None when only the store can say (it repairs first). `StoreError` (one line) when the store cannot be used."""
    folder = Path(folder)
    latest = read_overview(folder).lesson(lesson_id, key).latest
    if latest is None:
        return ResumePoint()
    if not _PLAIN_ID.match(latest.id) or latest.id.endswith(".json"):
        return None
    try:
        with FileLock(folder / ".lock"):
            raw = (folder / attempt_file_name(latest.id)).read_bytes()
    except OSError:
        return None  # gone since the index was read, or unreadable: the store says what happened
    table = parsed_table(raw)
    if not table:
        return None
    docs = [(int(doc_id), doc) for doc_id, doc in table.items()]
    if not any(doc.get("kind") == "meta" for _, doc in docs):
        return None
    return ResumePoint(latest, state_of(docs))


def hold_attempt(folder: str | os.PathLike[str], attempt_id: str) -> Held | None:
    """Hold the attempt open (released with `Held.release`, or when the process ends); None when another Tutor holds it.
    The one lock an open attempt takes, with or without the store (`Progress.hold`)."""
    return try_hold(Path(folder) / f".open-{attempt_id}")
