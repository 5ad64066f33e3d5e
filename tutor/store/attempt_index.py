"""An index of attempts, so that seeing where a learner stands reads one small file, not one file per attempt.

Layout under `$TUTOR_HOME/progress/.index/`:

- `attempts.json`, the file readers read: per lesson (a group: lesson id, key, and the
  curriculum of attempts from before keys, the fields `AttemptRecord.belongs_to` looks at),
  the latest attempt in full, how many attempts, how many finished, the best score, and the
  first finished attempt's score per lesson version (digest). It also says which state of
  the store it describes: the `.generation` token (see `sharded_storage`) after the write it
  follows, a fingerprint of the attempt files' names (their count and sums of checksums),
  and the stamps (inode, size, mtime) of the files that write made durable.
- `lesson-<hash>.json` per group: every attempt's summary, so that a write recomputes its
  group's figures from that group alone.

Only `Progress` writes it, under the store's lock, right after the attempt's own write: its
group file, then `attempts.json`, each replaced atomically but not fsynced (the attempt is).
It is a cache, never the truth: a reader trusts it only when its token is the store's current
one (any write bumps the token first, so a crash between the attempt's write and the index's,
or a Tutor that does not keep the index, leaves it visibly stale), its fingerprint is that of
the attempt files present (a file deleted or added by hand), and the files its last write
followed still have the stamps it noted (after a power cut, an index and token older than
the fsynced attempt files). Otherwise the index is rebuilt from the attempt files. Not seen:
an attempt file edited by hand in place (the store's next write to the index rebuilds it only
if its token is stale), and after a power cut, answers saved to an attempt other than the one
the surviving index last followed: `Progress.rebuild_index` mends both.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .records import ATTEMPT_PREFIX, AttemptRecord, meta_of, record_of

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


def _stamp(path: Path) -> list[int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def aggregate(identity: Identity, records: Iterable[AttemptRecord]) -> dict[str, Any]:
    """One group's figures, as `attempts.json` keeps them."""
    ordered = sorted(records, key=lambda record: record.order)
    finished = [record for record in ordered if record.finished]
    scores = [record.score for record in finished if record.score is not None]
    firsts: dict[str, list[Any]] = {}
    for record in finished:
        firsts.setdefault(record.digest, [*record.order, record.score])
    return {
        "identity": list(identity),
        "latest": meta_of(ordered[-1]),
        "first": list(ordered[0].order),
        "attempts": len(ordered),
        "finished": len(finished),
        "best": max(scores) if scores else None,
        "firsts": firsts,
    }


class AttemptIndex:
    """The index of one progress folder. Not thread-safe by itself: `Progress` calls it under its lock."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / INDEX_DIR
        # What this process last wrote, valid while the store's token is still the one it wrote with.
        self._written: str | None = None
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
        if not isinstance(top.get("generation"), str) or not isinstance(top.get("groups"), dict) or not isinstance(top.get("files"), list):
            return None
        return top

    def current(self, token: str) -> dict[str, Any] | None:
        """`attempts.json` if it describes the store as it is now (its token and its attempt files), else None."""
        top = self.load()
        if top is None or top["generation"] != token:
            return None
        try:
            if top["files"] != folder_print(self.folder):
                return None
            anchors = top.get("anchors")
            if not isinstance(anchors, dict) or any(_stamp(self.folder / str(name)) != stamp for name, stamp in anchors.items()):
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

    def put(self, record: AttemptRecord, *, before: str, after: str, new_file: bool) -> bool:
        """Note `record`'s new state: `before` is the store's token before the write that changed it, `after` the
        token now. False when the index did not describe the store as it was before (missing, damaged, stale):
        then nothing is written and the caller rebuilds it."""
        top = self._top if self._written == before else None  # nobody has written since this process did: current
        if top is None:
            self._groups.clear()
            top = self.load()
            if top is None or top["generation"] != before:
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
        rows[record.id] = record
        top["groups"][name] = aggregate(identity, rows.values())
        top["generation"] = after
        top["anchors"] = self._anchors(attempt_file_name(record.id))
        try:
            self._write_group(name, identity, rows)
            self._write_top(top)
        except BaseException:
            self.forget()
            raise
        self._groups[name] = rows
        self._top, self._written = top, after
        return True

    def rebuild(self, records: Iterable[AttemptRecord], token: str, files: list[Any]) -> None:
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
            "generation": token,
            "files": files,
            "anchors": self._anchors(),
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
        self._top, self._written = top, token

    def forget(self) -> None:
        """Drop what this process holds in memory: the next write reads the files again."""
        self._written, self._top = None, None
        self._groups.clear()

    def _anchors(self, *written: str) -> dict[str, list[int] | None]:
        """The stamps of files this write made durable (fsynced by the store): the index is not fsynced, so after a
        power cut it may be an older one, and the store's token with it; these files, newer, then no longer match."""
        return {name: _stamp(self.folder / name) for name in (META_FILE, *written)}

    def _write_group(self, name: str, identity: Identity, rows: dict[str, AttemptRecord]) -> None:
        data = {"identity": list(identity), "rows": {attempt_id: meta_of(record) for attempt_id, record in rows.items()}}
        self.path.mkdir(exist_ok=True)
        _replace(self.path / name, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def _write_top(self, top: dict[str, Any]) -> None:
        _replace(self.path / TOP_FILE, json.dumps(top, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _replace(target: Path, payload: bytes) -> None:
    """Atomic (a reader sees the old file or the new, whole), not durable: no fsync, which would make every
    saved answer wait for the disk three times instead of once. A cache lost to a power cut is rebuilt."""
    import tempfile

    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
