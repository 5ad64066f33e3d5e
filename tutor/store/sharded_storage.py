"""A TinyDB storage that keeps each table in its own file, written atomically.

TinyDB hands a storage the whole database on every write. Rewriting one big file
would make saving an answer cost as much as everything ever stored; here each table
is its own file and only tables that changed are written (temp file in the same
folder, fsync, `os.replace`, fsync of the folder). TinyDB replaces the dict of a
table it modified and leaves the others as they were, so "changed" is an identity
check; were that ever not so, every table would be rewritten: slower, never wrong.

A table file that cannot be read is moved aside with a warning and starts empty:
the learner keeps everything else.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from tutor.lesson.io import write_atomic

SUFFIX = ".json"
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
    def __init__(self, folder: str | os.PathLike[str], warnings: list[str] | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.warnings = warnings if warnings is not None else []
        self._data: dict[str, dict[str, Any]] = {}
        # table -> the very dict object last read or written. Holding it keeps it alive,
        # so a new dict can never reuse its identity and be mistaken for it.
        self._synced: dict[str, dict[str, Any]] = {}
        self._stamps: dict[str, tuple[int, int, int]] = {}  # table -> (inode, size, mtime_ns)
        self._folder_stamp: int | None = None
        self._remove_stale_temp_files()

    # -- reading

    def read(self) -> dict[str, dict[str, Any]]:
        stamp = self._stamp_folder()
        if stamp != self._folder_stamp:
            self._reload()
            self._folder_stamp = stamp
        return self._data

    def _stamp_folder(self) -> int:
        return self.folder.stat().st_mtime_ns

    def _reload(self) -> None:
        present: set[str] = set()
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
            self._stamps[table] = stamp
        for gone in (set(self._data) | set(self._synced)) - present:
            self._data.pop(gone, None)
            self._synced.pop(gone, None)
            self._stamps.pop(gone, None)

    def _load_table(self, path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
            if not isinstance(data, dict) or not all(isinstance(doc, dict) for doc in data.values()):
                raise ValueError("not a table of documents")
            return data
        except (OSError, ValueError, RecursionError) as error:
            aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
            try:
                os.replace(path, aside)
                where = f"moved aside to {aside.name}"
            except OSError:
                where = "left in place"
            reason = "not valid JSON" if isinstance(error, ValueError) else str(error)
            self.warnings.append(f"progress file {path.name} was unreadable ({reason}); {where}, starting it empty")
            return {}

    # -- writing

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            for table, content in data.items():
                if self._synced.get(table) is content:
                    continue
                path = self.folder / table_file_name(table)
                write_atomic(path, json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
                info = path.stat()
                self._stamps[table] = (info.st_ino, info.st_size, info.st_mtime_ns)
                self._synced[table] = content
            for table in set(self._synced) - set(data):
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
        self._folder_stamp = self._stamp_folder()

    def _invalidate(self) -> None:
        self._data = {}
        self._synced.clear()
        self._stamps.clear()
        self._folder_stamp = None

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
