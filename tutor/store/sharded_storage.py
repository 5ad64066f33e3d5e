"""A TinyDB storage that keeps each table in its own file, written atomically.

TinyDB hands a storage the whole database on every write. Rewriting one big file
would make saving an answer cost as much as everything ever stored; here each table
is its own file and only tables that changed are written (temp file in the same
folder, fsync, `os.replace`, fsync of the folder). TinyDB replaces the dict of a
table it modified and leaves the others as they were, so "changed" is an identity
check; were that ever not so, every table would be rewritten: slower, never wrong.

Several processes may share the folder (every caller holds a cross-process lock
around each read-modify-write). A process keeps what it read and re-reads only when
another one has written since: each write first stores a fresh random token in
`.generation`, and a read compares that token (and the folder's mtime) with the ones
it saw last. Timestamps alone cannot be trusted for this: many filesystems and
kernels keep them at a granularity of milliseconds, so two writes in one tick look
like none. For the same reason a table whose file was modified in the last couple
of seconds is never taken from the cache on such a re-read ("racy" in git's sense):
its (inode, size, mtime) could repeat after an inode is reused within one tick.

A table file that cannot be read is moved aside with a warning and starts empty:
the learner keeps everything else.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from tutor.lesson.io import write_atomic

SUFFIX = ".json"
GENERATION_FILE = ".generation"
_TOKEN_BYTES = 16
# A file modified this recently may share its stamp with a later version (coarse
# timestamps, reused inode): it is re-read rather than trusted.
RACY_NS = 2_000_000_000
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def table_file_name(table: str) -> str:
    if _SAFE_NAME.match(table) and not table.endswith(SUFFIX):
        return table + SUFFIX
    return "x-" + table.encode("utf-8").hex() + SUFFIX


def table_name_of(file_name: str) -> str:
    stem = file_name[: -len(SUFFIX)]
    if stem.startswith("x-"):
        try:
            return bytes.fromhex(stem[2:]).decode("utf-8")
        except ValueError:
            return stem
    return stem


class ShardedJSONStorage(Storage):
    def __init__(self, folder: str | os.PathLike[str], warnings: list[str] | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.warnings = warnings if warnings is not None else []
        self._data: dict[str, dict[str, Any]] = {}
        # table -> the very dict object last read or written. Holding it keeps it alive,
        # so a new dict can never reuse its identity and be mistaken for it.
        self._synced: dict[str, dict[str, Any]] = {}
        # table -> (inode, size, mtime_ns) of the file as read; None when it may not be trusted
        self._stamps: dict[str, tuple[int, int, int] | None] = {}
        self._seen: tuple[bytes, int] | None = None  # (generation token, folder mtime) at the last sync
        self._generation_path = self.folder / GENERATION_FILE
        self._remove_stale_temp_files()

    # -- reading

    def read(self) -> dict[str, dict[str, Any]]:
        seen = (self._read_generation(), self._stamp_folder())
        if seen != self._seen:
            self._reload()
            self._seen = seen
        return self._data

    def _stamp_folder(self) -> int:
        return self.folder.stat().st_mtime_ns

    def _read_generation(self) -> bytes:
        try:
            fd = os.open(self._generation_path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return b""
        except OSError:
            # Not a file we can read (a folder, a dangling link): set aside; the next write makes a new one.
            self._set_aside(self._generation_path, "the change marker was not a file")
            return b""
        try:
            return os.read(fd, _TOKEN_BYTES)
        except OSError:
            os.close(fd)
            fd = -1
            self._set_aside(self._generation_path, "the change marker was not a file")
            return b""
        finally:
            if fd >= 0:
                os.close(fd)

    def _bump_generation(self) -> bytes:
        """Tell every other process that tables are about to change (before any of them does)."""
        token = secrets.token_hex(_TOKEN_BYTES // 2).encode("ascii")
        fd = os.open(self._generation_path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.write(fd, token)  # same length every time: overwritten in place, never truncated
        finally:
            os.close(fd)
        return token

    def _reload(self) -> None:
        present: set[str] = set()
        racy_before = time.time_ns() - RACY_NS
        for entry in os.scandir(self.folder):
            if not entry.name.endswith(SUFFIX) or entry.name.startswith("."):
                continue
            table = table_name_of(entry.name)
            present.add(table)
            info = entry.stat()
            stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
            if self._stamps.get(table) == stamp and table in self._synced:
                self._data[table] = self._synced[table]
                continue
            content = self._load_table(Path(entry.path))
            self._data[table] = content
            self._synced[table] = content
            self._stamps[table] = stamp if info.st_mtime_ns < racy_before else None
        for gone in (set(self._data) | set(self._synced)) - present:
            self._data.pop(gone, None)
            self._synced.pop(gone, None)
            self._stamps.pop(gone, None)

    def _set_aside(self, path: Path, reason: str) -> None:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        try:
            os.replace(path, aside)
            self.warnings.append(f"progress: {reason}; moved aside to {aside.name}")
        except OSError as error:
            self.warnings.append(f"progress: {reason}; could not move it aside ({error.strerror or error})")

    def _load_table(self, path: Path) -> dict[str, Any]:
        try:
            raw = path.read_bytes()
            if not raw.strip():
                raise ValueError("empty")
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not all(isinstance(doc, dict) for doc in data.values()):
                raise ValueError("not a table of documents")
            if not all(key.isdigit() and key.isascii() for key in data):
                raise ValueError("document ids that are not numbers")  # TinyDB would fail on every read
            return data
        except (OSError, ValueError, RecursionError) as error:
            aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
            try:
                os.replace(path, aside)
                where = f"moved aside to {aside.name}"
            except OSError:
                where = "left in place"
            if isinstance(error, UnicodeDecodeError):
                reason = "not UTF-8"
            elif isinstance(error, json.JSONDecodeError):
                reason = "not valid JSON"
            elif isinstance(error, OSError):
                reason = error.strerror or type(error).__name__
            elif isinstance(error, RecursionError):
                reason = "nested too deeply"
            else:
                reason = str(error)  # "empty", "not a table of documents", or a conversion limit
            self.warnings.append(f"progress file {path.name} was unreadable ({reason}); {where}, starting it empty")
            return {}

    # -- writing

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            changed = [table for table, content in data.items() if self._synced.get(table) is not content]
            dropped = set(self._synced) - set(data)
            token = self._bump_generation() if changed or dropped else self._read_generation()
            for table in changed:
                content = data[table]
                path = self.folder / table_file_name(table)
                write_atomic(path, json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
                self._stamps[table] = None  # just written, so racy: re-read if another process writes
                self._synced[table] = content
            for table in dropped:
                try:
                    (self.folder / table_file_name(table)).unlink()
                except FileNotFoundError:
                    pass
                self._synced.pop(table, None)
                self._stamps.pop(table, None)
        except BaseException:
            # TinyDB mutated our cached documents in place before calling write; after a
            # failed write the cache no longer matches the disk, so read it all again.
            self._invalidate()
            raise
        self._data = data
        # The caller holds the lock, so no other process has written since our token.
        self._seen = (token, self._stamp_folder())

    def _invalidate(self) -> None:
        self._data = {}
        self._synced.clear()
        self._stamps.clear()
        self._seen = None

    def _remove_stale_temp_files(self) -> None:
        """Temp files are left only by a crash mid-write; the table they belonged to is intact."""
        for entry in os.scandir(self.folder):
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                try:
                    if time.time() - entry.stat().st_mtime > 60:
                        os.unlink(entry.path)
                except OSError:
                    pass

    def close(self) -> None:
        pass
