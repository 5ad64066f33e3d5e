"""An index of lesson folders: what a list of lessons shows, without reading every lesson in full.

Reading a lesson in full (parsing and validating it with the models) costs a few milliseconds
a lesson and loads the lesson models; a library of 500 lessons would wait seconds for it on every start.
The index keeps, per lesson folder, what the library lists (`LessonInfo`: id, title, summary,
level, minutes, origin, tags, digest, steps, or the problems that make the lesson broken),
stamped with the `(size, mtime_ns, inode)` of the folder, of its `lesson.json` and of the bundle
it names.
A folder whose stamp still matches is listed from the index; any other is read in full and
its entry replaced, so a changed lesson is re-read and a broken one still shows as broken.

It is a cache: a missing, unreadable or foreign index file is an empty index, and failing to
save one costs only the next start's time. A `lesson.json` or bundle that is not a regular file
(a link, a FIFO) is never stamped: such a folder is read in full every time, so that what the
full read refuses is refused each time. A file changed within `RACY_SECONDS` of being indexed
is not trusted either (a second write of the same size in the same clock tick would keep the
stamp): its entry is kept only until the file has aged.
"""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
from msgspec.structs import asdict

from .io import LESSON_FILE, read_lesson

INDEX_FORMAT = "tutor.lesson-index/1"
RACY_SECONDS = 2.0


class LessonInfo(msgspec.Struct, frozen=True):
    """What a list of lessons shows of one valid lesson."""

    id: str
    title: str
    summary: str
    level: str
    minutes: int | None
    origin: str
    tags: tuple[str, ...]
    digest: str  # `lesson_digest`: which version of the lesson this is
    steps: int


class IndexedLesson(msgspec.Struct, frozen=True):
    """A lesson folder as listed: `info` when it is valid, else the problems that make it broken (each one line)."""

    path: Path
    info: LessonInfo | None
    problems: tuple[str, ...] = ()


Stamp = list[int | None]


class LessonIndex:
    """Lesson folders' `IndexedLesson`, kept in `file` (None: in memory only) for `version` of the reader.

    `read(folder)` answers from the index when the folder's files are unchanged, else reads the
    lesson in full (`cached(folder)` only answers from the index); `save()` writes the index back (atomically) when it changed, keeping only the
    folders read since it was opened.
    """

    def __init__(self, file: Path | None, version: str = "") -> None:
        self.file = file
        self.version = version
        self._entries: dict[str, dict[str, Any]] = self._load()
        self._used: dict[str, dict[str, Any]] = {}
        self._changed = False
        self.full_reads = 0  # how many folders were read in full (not from the index): for tests and benchmarks

    def _load(self) -> dict[str, dict[str, Any]]:
        if self.file is None:
            return {}
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT or data.get("version") != self.version:
            return {}
        lessons = data.get("lessons")
        return lessons if isinstance(lessons, dict) else {}

    def read(self, folder: Path) -> IndexedLesson:
        """The folder's lesson as listed: from the index when its files are unchanged, else read in full."""
        indexed = self.cached(folder)
        if indexed is not None:
            return indexed
        key = str(folder)
        indexed, entry = self._read_in_full(folder)
        if entry is not None:
            self._used[key] = entry
        self._changed = True
        return indexed

    def cached(self, folder: Path) -> IndexedLesson | None:
        """The folder's lesson from the index, or None when the index has no current entry for it (nothing read in full)."""
        key = str(folder)
        entry = self._entries.get(key)
        if entry is None:
            return None
        indexed = _from_entry(folder, entry)
        if indexed is None or entry.get("stamp") != _stamp(folder, entry.get("bundle")):
            return None
        self._used[key] = entry
        return indexed

    def _read_in_full(self, folder: Path) -> tuple[IndexedLesson, dict[str, Any] | None]:
        self.full_reads += 1
        read = read_lesson(folder)
        if read.lesson is None or read.problems:
            problems = tuple(problem.what for problem in read.problems) or ("unreadable",)
            indexed = IndexedLesson(read.path, None, problems)
            bundle = None
        else:
            from .io import lesson_digest

            lesson = read.lesson
            info = LessonInfo(
                id=lesson.id,
                title=lesson.title,
                summary=lesson.summary,
                level=lesson.level.value,
                minutes=lesson.minutes,
                origin=lesson.origin.value,
                tags=tuple(lesson.tags),
                digest=lesson_digest(lesson),
                steps=len(lesson.steps),
            )
            indexed = IndexedLesson(read.path, info)
            bundle = lesson.repo.bundle if lesson.repo is not None else None
        stamp = _stamp(folder, bundle)
        if stamp is None or _racy(stamp):
            return indexed, None
        entry = {"stamp": stamp, "bundle": bundle, "info": asdict(indexed.info) if indexed.info else None, "problems": list(indexed.problems)}
        return indexed, entry

    def save(self) -> None:
        """Write the index back when it changed; a failure is ignored (the index is a cache)."""
        if self.file is None or not (self._changed or self._used.keys() != self._entries.keys()):
            return
        payload = json.dumps({"format": INDEX_FORMAT, "version": self.version, "lessons": self._used}, ensure_ascii=False, separators=(",", ":"))
        temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # two listings at once write apart
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(payload, encoding="utf-8")
            os.replace(temporary, self.file)
        except OSError:
            try:
                temporary.unlink()
            except OSError:
                pass
            return
        self._entries, self._changed = dict(self._used), False


def _stamp(folder: Path, bundle: str | None) -> Stamp | None:
    """`(size, mtime_ns, inode)` of the folder (a file added, removed or renamed in it: a bundle come or gone), of
    `lesson.json`, and of the bundle it names (three None when absent); None when `lesson.json` or the bundle is not
    a regular file or one of them cannot be looked at."""
    where = os.fspath(folder)  # joined as strings: a Path a file costs more than the look at it
    try:
        status = os.stat(where)
    except (OSError, ValueError):
        return None
    stamp: Stamp = [status.st_size, status.st_mtime_ns, status.st_ino]
    for name in (LESSON_FILE, bundle):
        if name is None:
            continue
        try:
            status = os.lstat(os.path.join(where, name))
        except FileNotFoundError:
            if name == LESSON_FILE:
                return None
            stamp += [None, None, None]
            continue
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        stamp += [status.st_size, status.st_mtime_ns, status.st_ino]
    return stamp


def _racy(stamp: Stamp) -> bool:
    """A file modified so recently that a change of the same size in the same clock tick would go unseen."""
    now = time.time_ns()
    return any(mtime is not None and now - mtime < RACY_SECONDS * 1e9 for mtime in stamp[1::3])


def _from_entry(folder: Path, entry: dict[str, Any]) -> IndexedLesson | None:
    """The entry as an `IndexedLesson`; None when it is damaged (then the folder is read in full)."""
    try:
        info = entry.get("info")
        problems = tuple(str(problem) for problem in entry.get("problems") or ())
        if info is None:
            return IndexedLesson(folder, None, problems or ("unreadable",))
        fields = dict(info)
        fields["tags"] = tuple(str(tag) for tag in fields.get("tags") or ())
        loaded = LessonInfo(**fields)
    except (TypeError, ValueError, AttributeError):
        return None
    if not all(isinstance(value, str) for value in (loaded.id, loaded.title, loaded.summary, loaded.level, loaded.origin, loaded.digest)):
        return None
    return IndexedLesson(folder, loaded)
