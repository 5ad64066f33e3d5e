"""An index of attempts, so that seeing where a learner stands reads one small file, not one file per attempt.

Layout under `$TUTOR_HOME/progress/.index/`:

- `attempts.json`, the file readers read: per lesson (a group: lesson id, key, and the
  curriculum of attempts from before keys, the fields `AttemptRecord.belongs_to` looks at),
  the latest attempt in full, how many attempts, how many finished, the best score, and the
  first finished attempt's score per lesson version (digest). It also says which state of
  the store it describes: the stamp (inode, size, mtime) of `meta.json` after the write it
  follows, and a fingerprint of the attempt files' names (their count and sums of checksums).
- `lesson-<hash>.json` per group: every attempt's figures (whether finished, its score,
  version and place in the order), so that a write recomputes its group's from that group
  alone. Rewritten only when one of those changes: a move rewrites `attempts.json` alone.

Why `meta.json`: every write that changes what the index says, by this Tutor or an older
one, rewrites it (`start_attempt` counts attempts there, `save_position` notes the lesson
last opened), always by an atomic replace, so with a new inode; and it is fsynced. This
Tutor writes it *first* in such a write, then the attempt, then the index, all under the
store's lock. So the index is a cache that is never trusted blindly: a crash anywhere
before the index is written, a Tutor that does not keep the index, or, after a power cut, an
index older than `meta.json` (the index is replaced atomically but not fsynced), each leaves
a stamp that no longer matches; an attempt file deleted or added by hand changes the
fingerprint. Then the index is rebuilt from the attempt files (`Progress.rebuild_index`).

An answer alone writes no index (saving one costs what it did): the latest attempt's count of
answers is as of its last saved position or start (the lesson screen saves its position with
every answer). Not seen: an attempt file edited by hand in place; `Progress.rebuild_index`
mends that.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tutor.lesson.io import write_atomic

from .records import ATTEMPT_PREFIX, AttemptRecord, int_or, meta_of, record_of

INDEX_DIR = ".index"
TOP_FILE = "attempts.json"
INDEX_VERSION = 1
_NOT_ATTEMPTS = frozenset({b"meta.json", b"reviews.json"})
META_FILE = "meta.json"

Identity = tuple[str, "str | None", "str | None"]


def identity_of(record: AttemptRecord) -> Identity:
    """The fields that decide which lesson an attempt is at (see `AttemptRecord.belongs_to`)."""
    return (record.lesson_id, record.key, None if record.key else record.curriculum)


def group_file(identity: Identity) -> str:
    import hashlib  # writing only: a reader of the index never names a group's file

    digest = hashlib.blake2b(json.dumps(list(identity)).encode("utf-8"), digest_size=12).hexdigest()
    return f"lesson-{digest}.json"


def attempt_file_name(attempt_id: str) -> str:
    return f"{ATTEMPT_PREFIX}{attempt_id}.json"


def files_print(names: list[bytes]) -> list[int]:
    """[count, sum of CRC-32s, sum of Adler-32s] of the attempt files among `names` (a folder's listing, as bytes):
    a file deleted or added changes it. Sums, so that a writer adds a new file without listing the folder;
    computed in C, so that 10,000 names cost a millisecond or two."""
    attempts = [name for name in names if name.endswith(b".json") and not name.startswith(b".") and name not in _NOT_ATTEMPTS]
    return [len(attempts), sum(map(zlib.crc32, attempts)), sum(map(zlib.adler32, attempts))]


def folder_print(folder: Path) -> list[int]:
    return files_print(os.listdir(os.fsencode(folder)))


def stamp_of(info: os.stat_result) -> list[int]:
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def meta_stamp(folder: Path) -> list[int] | None:
    """The stamp of the store's `meta.json` (None: there is none)."""
    try:
        return stamp_of(os.stat(folder / META_FILE))
    except FileNotFoundError:
        return None


def aggregate(identity: Identity, records: Iterable[AttemptRecord], fresh: dict[str, AttemptRecord] | None = None) -> dict[str, Any]:
    """One group's figures, as `attempts.json` keeps them. `fresh`: attempts as they are now, where `records` may
    hold an older state of them (a group file is not rewritten for a move; see `AttemptIndex.put`)."""
    ordered = sorted(records, key=lambda record: record.order)
    latest = ordered[-1]
    if fresh and latest.id in fresh:
        latest = fresh[latest.id]
    finished = [record for record in ordered if record.finished]
    scores = [record.score for record in finished if record.score is not None]
    firsts: dict[str, list[Any]] = {}
    for record in finished:
        firsts.setdefault(record.digest, [*record.order, record.score])
    return {
        "identity": list(identity),
        "latest": meta_of(latest),
        "first": list(ordered[0].order),
        "attempts": len(ordered),
        "finished": len(finished),
        "best": max(scores) if scores else None,
        "firsts": firsts,
    }


def _figures(record: AttemptRecord) -> tuple[Any, ...]:
    """What a group's figures are made of, of one attempt (its latest state beyond these is in `attempts.json`)."""
    return (record.order, record.finished, record.score, record.digest, record.lesson_id, record.key, record.curriculum)


class AttemptIndex:
    """The index of one progress folder. Not thread-safe by itself: `Progress` calls it under its lock."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / INDEX_DIR
        # What this process last wrote, valid while `meta.json` still has the stamp it wrote with.
        self._written: list[int] | None = None
        self._top: dict[str, Any] | None = None
        self._groups: dict[str, dict[str, AttemptRecord]] = {}

    # -- reading

    def load(self) -> dict[str, Any] | None:
        """`attempts.json` as stored, or None when it is missing, damaged or of another version."""
        try:
            top = json.loads((self.path / TOP_FILE).read_bytes())
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(top, dict) or top.get("version") != INDEX_VERSION:
            return None
        if not isinstance(top.get("meta"), list) or not isinstance(top.get("groups"), dict) or not isinstance(top.get("files"), list):
            return None
        return top

    def current(self, meta: list[int] | None) -> dict[str, Any] | None:
        """`attempts.json` if it describes the store as it is now (`meta`: the stamp of `meta.json` now; the attempt
        files present), else None."""
        top = self.load()
        if top is None or meta is None or top["meta"] != meta:
            return None
        try:
            if top["files"] != folder_print(self.folder):
                return None
        except OSError:
            return None
        return top

    def _group(self, name: str) -> dict[str, AttemptRecord] | None:
        try:
            data = json.loads((self.path / name).read_bytes())
            rows = data["rows"]
            return {str(attempt_id): record_of(row, row.get("answers", 0) if isinstance(row.get("answers"), int) else 0, attempt_id)
                    for attempt_id, row in rows.items()}
        except (OSError, ValueError, RecursionError, KeyError, TypeError, AttributeError):
            return None

    # -- writing (under the store's lock)

    def put(self, record: AttemptRecord, *, before: list[int] | None, after: list[int] | None, new_file: bool) -> bool:
        """Note `record`'s new state: `before` is the stamp of `meta.json` before the write that changed it (which
        rewrote `meta.json` first), `after` its stamp now. False when the index did not describe the store as it
        was before (missing, damaged, stale): then nothing is written and the caller rebuilds it."""
        top = self._top if before is not None and self._written == before else None  # nobody wrote since this process did
        if top is None:
            self._groups.clear()
            top = self.load()
            if top is None or before is None or top["meta"] != before:
                return False
        identity = identity_of(record)
        name = group_file(identity)
        rows = self._groups.get(name)
        if rows is None:
            rows = self._group(name) if name in top["groups"] else {}
            if rows is None:
                return False
        if new_file:
            count, crcs, adlers = top["files"]
            added = attempt_file_name(record.id).encode("utf-8")
            top["files"] = [count + 1, crcs + zlib.crc32(added), adlers + zlib.adler32(added)]
        # A move changes only what `attempts.json` shows of the latest attempt (its place, its count of answers):
        # the group file is rewritten only when what the group's figures are made of changes.
        previous = rows.get(record.id)
        rows_changed = previous is None or _figures(previous) != _figures(record)
        rows[record.id] = record
        fresh = {record.id: record}
        shown = top["groups"].get(name, {}).get("latest")
        if isinstance(shown, dict) and shown.get("id") != record.id:
            fresh[str(shown.get("id"))] = record_of(shown, int_or(shown.get("answers")))
        top["groups"][name] = aggregate(identity, rows.values(), fresh)
        top["meta"] = after
        try:
            if rows_changed:
                self._write_group(name, identity, rows)
            self._write_top(top)
        except BaseException:
            self.forget()
            raise
        self._groups[name] = rows
        self._top, self._written = top, after
        return True

    def rebuild(self, records: Iterable[AttemptRecord], meta: list[int] | None, files: list[Any]) -> None:
        """Write the whole index from every attempt (`files`: the fingerprint of the folder they were read from)."""
        self.forget()
        groups: dict[str, tuple[Identity, dict[str, AttemptRecord]]] = {}
        for record in records:
            identity = identity_of(record)
            groups.setdefault(group_file(identity), (identity, {}))[1][record.id] = record
        self.path.mkdir(exist_ok=True)
        for name, (identity, rows) in groups.items():
            self._write_group(name, identity, rows)
        top = {
            "version": INDEX_VERSION,
            "meta": meta,
            "files": files,
            "groups": {name: aggregate(identity, rows.values()) for name, (identity, rows) in groups.items()},
        }
        self._write_top(top)
        for entry in os.scandir(self.path):  # groups of lessons no longer stored, temp files of a crash
            if entry.name != TOP_FILE and entry.name not in groups:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
        self._groups = {name: rows for name, (_, rows) in groups.items()}
        self._top, self._written = top, meta

    def forget(self) -> None:
        """Drop what this process holds in memory: the next write reads the files again."""
        self._written, self._top = None, None
        self._groups.clear()

    def _write_group(self, name: str, identity: Identity, rows: dict[str, AttemptRecord]) -> None:
        data = {"identity": list(identity), "rows": {attempt_id: meta_of(record) for attempt_id, record in rows.items()}}
        self.path.mkdir(exist_ok=True)
        # Atomic, not durable: fsyncs here would make every saved answer wait for the disk three times
        # instead of once; an index lost to a power cut is rebuilt.
        write_atomic(self.path / name, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), durable=False)

    def _write_top(self, top: dict[str, Any]) -> None:
        write_atomic(self.path / TOP_FILE, json.dumps(top, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), durable=False)
