"""Where a learner stands: per lesson, the latest attempt and the figures of all of them; review cards; the lesson last opened.

`read_overview(folder)` reads the attempts index (`attempt_index`), `meta.json` and
`reviews.json`: a handful of small files however many attempts are stored, and no TinyDB.
Only when the index must be rebuilt (missing, damaged, stale) or a file repaired does it open
the store itself (`Progress`, TinyDB), which does that and says so in its warnings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import msgspec
from msgspec.structs import replace

from .attempt_index import AttemptIndex, aggregate, identity_of, stamp_of
from .errors import StoreError
from .lock import FileLock
from .records import SCHEMA_VERSION, AttemptRecord, SortKey, record_of

__all__ = ["LessonProgress", "Overview", "read_overview"]


class LessonProgress(msgspec.Struct, frozen=True):
    """One lesson's attempts, summed up. With no attempt: `latest` None and every count 0."""

    # The one `continue` resumes. Read from the index, its count of `answers` is as of its last saved position
    # (an answer alone writes no index; the lesson screen saves the position with every answer).
    latest: AttemptRecord | None = None
    attempts: int = 0
    finished: int = 0  # how many attempts were finished
    best: float | None = None  # the best score of the finished attempts
    first: SortKey | None = None  # where the oldest attempt stands in the store's order
    firsts: Mapping[str, tuple[SortKey, float | None]] = msgspec.field(default_factory=dict)  # digest -> the first finished attempt's

    def first_score(self, digest: str) -> float | None:
        """The score of the first finished attempt at this version of the lesson (None: none, or it had no score)."""
        found = self.firsts.get(digest)
        return found[1] if found else None

    @classmethod
    def of_group(cls, data: Mapping[str, Any]) -> LessonProgress:
        """From a group's figures as the index keeps them (`attempt_index.aggregate`)."""
        latest = data["latest"]
        best = data["best"]
        return cls(
            latest=record_of(latest, latest["answers"], str(latest["id"])),
            attempts=int(data["attempts"]),
            finished=int(data["finished"]),
            best=float(best) if best is not None else None,
            first=_sort_key(data["first"]),
            firsts={str(digest): (_sort_key(value[:3]), None if value[3] is None else float(value[3])) for digest, value in data["firsts"].items()},
        )

    @classmethod
    def merged(cls, parts: Iterable[LessonProgress]) -> LessonProgress:
        """Several groups' figures as one lesson's (attempts of one id made under several keys)."""
        parts = [part for part in parts if part.latest is not None]
        if not parts:
            return cls()
        if len(parts) == 1:
            return parts[0]
        firsts: dict[str, tuple[SortKey, float | None]] = {}
        for part in parts:
            for digest, found in part.firsts.items():
                if digest not in firsts or found[0] < firsts[digest][0]:
                    firsts[digest] = found
        bests = [part.best for part in parts if part.best is not None]
        return cls(
            latest=max((part.latest for part in parts if part.latest is not None), key=lambda record: record.order),
            attempts=sum(part.attempts for part in parts),
            finished=sum(part.finished for part in parts),
            best=max(bests) if bests else None,
            first=min(part.first for part in parts if part.first is not None),
            firsts=firsts,
        )


def _sort_key(value: Any) -> SortKey:
    seq, started, attempt_id = value
    return (int(seq), str(started), str(attempt_id))


class Overview(msgspec.Struct, frozen=True, dict=True):  # dict: `_by_id` is a cached_property
    groups: tuple[LessonProgress, ...] = ()  # one per lesson identity (id, key, curriculum from before keys)
    cards: tuple[dict[str, Any], ...] = ()  # the review cards, as `Progress.cards` gives them
    last_opened: tuple[str, str] | None = None  # (lesson id, attempt id), as `Progress.last_opened`
    warnings: tuple[str, ...] = ()  # what was repaired on the way, one line each

    @classmethod
    def of(cls, records: Iterable[AttemptRecord], cards: Iterable[dict[str, Any]], last_opened: tuple[str, str] | None,
           warnings: tuple[str, ...] = ()) -> Overview:
        """From every attempt in memory (what `Progress.overview` does)."""
        grouped: dict[Any, list[AttemptRecord]] = {}
        for record in records:
            grouped.setdefault(identity_of(record), []).append(record)
        groups = tuple(LessonProgress.of_group(aggregate(identity, rows)) for identity, rows in grouped.items())
        return cls(groups, tuple(cards), last_opened, warnings)

    @property
    def attempts(self) -> int:
        return sum(group.attempts for group in self.groups)

    @cached_property
    def _by_id(self) -> dict[str, list[LessonProgress]]:
        by_id: dict[str, list[LessonProgress]] = {}
        for group in sorted(self.groups, key=lambda group: group.first or (0, "", "")):
            if group.latest is not None:
                by_id.setdefault(group.latest.lesson_id, []).append(group)
        return by_id

    def lesson(self, lesson_id: str, key: str | None = None) -> LessonProgress:
        """The attempts at one lesson, as `Progress.latest_attempt(lesson_id, key)` picks them (`AttemptRecord.belongs_to`)."""
        return LessonProgress.merged(group for group in self._by_id.get(lesson_id, ()) if group.latest is not None and group.latest.belongs_to(lesson_id, key))

    def by_lesson_id(self) -> dict[str, LessonProgress]:
        """Every lesson id with attempts, in the order of each one's first attempt (what `tutor progress` lists)."""
        return {lesson_id: LessonProgress.merged(groups) for lesson_id, groups in self._by_id.items()}

    def due_cards(self, today: date) -> list[dict[str, Any]]:
        """As `Progress.due_cards`."""
        return sorted(
            (card for card in self.cards if str(card.get("due", "")) <= today.isoformat()),
            key=lambda card: (card.get("due", ""), card.get("key", "")),
        )


def read_overview(folder: str | os.PathLike[str]) -> Overview:
    """Where the learner whose progress is in `folder` stands; an empty `Overview` when nothing was ever stored
    (the folder is not created). `StoreError` (one line) when the store cannot be used, as `Progress` would say."""
    folder = Path(folder)
    if not holds_progress(folder):
        return Overview()
    fast = _read_indexed(folder)
    if fast is not None:
        return fast
    from .progress import Progress  # TinyDB: only to rebuild the index or repair a file

    with Progress(folder) as store:
        try:
            store.rebuild_index()
        except StoreError:
            return store.overview()  # the index cannot be written here (a read-only folder, a full disk): read every attempt
        warnings = tuple(store.warnings)
        again = _read_indexed(folder)
        if again is not None:
            return replace(again, warnings=warnings + again.warnings)
        return store.overview()


def holds_progress(folder: str | os.PathLike[str]) -> bool:
    """Whether anything was ever stored in the progress folder `folder` (a look at it: nothing is read or locked).

    A folder that cannot be looked at counts as holding progress: reading it says why.
    """
    folder = Path(folder)
    try:
        return folder.is_dir() and ((folder / "meta.json").exists() or _holds_a_table(folder))
    except OSError:
        return True


def _holds_a_table(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(entry.name.endswith(".json") for entry in entries)


def read_overview_at_once(folder: str | os.PathLike[str]) -> Overview | None:
    """The overview when it can be had at once: nothing stored, or the index current and the store's lock free
    (never waited for). None: read it with `read_overview` (in a worker), which may rebuild or repair."""
    folder = Path(folder)
    if not holds_progress(folder):
        return Overview()
    try:
        return _read_indexed(folder, wait=False)
    except StoreError:
        return None  # said by `read_overview`, in its place


def _read_indexed(folder: Path, *, wait: bool = True) -> Overview | None:
    """The overview from the index, under the store's lock; None when the index is not current or a file needs repair
    (or, without `wait`, when another holds the lock)."""
    try:
        with FileLock(folder / ".lock", wait=wait):
            meta, stamp = _table_and_stamp(folder / "meta.json")
            doc = meta.get("1") if meta is not None else None
            if not isinstance(doc, dict):
                return None
            version = doc.get("schema_version")
            if not isinstance(version, int) or isinstance(version, bool):
                return None  # damaged: the store repairs it
            if version > SCHEMA_VERSION:
                raise StoreError(f"progress in {folder} was written by a newer Tutor (schema {version}); upgrade Tutor to use it")
            top = AttemptIndex(folder).current(stamp)
            if top is None:
                return None
            reviews = _table(folder / "reviews.json") if (folder / "reviews.json").exists() else {}
            if reviews is None:
                return None
    except OSError:
        return None
    try:
        groups = tuple(LessonProgress.of_group(group) for group in top["groups"].values())
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None  # damaged inside: rebuilt
    lesson, attempt = doc.get("last_lesson"), doc.get("last_attempt")
    last = (lesson, attempt) if isinstance(lesson, str) and isinstance(attempt, str) and lesson and attempt else None
    return Overview(groups, tuple(reviews.values()), last)


def _table_and_stamp(path: Path) -> tuple[dict[str, dict[str, Any]] | None, list[int] | None]:
    """A table file as `_table` reads it, and the stamp of the very file read (see `attempt_index`)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
            stamp = stamp_of(os.fstat(handle.fileno()))
    except FileNotFoundError:
        return None, None
    return parsed_table(raw), stamp


def _table(path: Path) -> dict[str, dict[str, Any]] | None:
    """A table file as the store reads it; None when it is not one (the store sets it aside, with a warning)."""
    try:
        return parsed_table(path.read_bytes())
    except FileNotFoundError:
        return None


def parsed_table(raw: bytes) -> dict[str, dict[str, Any]] | None:
    """A table file's bytes as the store reads them (documents by numeric id); None when the store would set it aside."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not all(isinstance(doc, dict) and key.isdigit() and key.isascii() for key, doc in data.items()):
        return None
    return data
