"""A session's journal: one JSON object per line, appended and fsynced before anything is shown.

The journal is the source of truth of a live session until it becomes a lesson: the
session's state is always a fold over it (`tutor.agent.session`), so a crash loses at
most the line being written, and `--resume` rebuilds exactly what was on screen.

Every record is redacted before it is written (`Redactor.redact_obj`), so a secret that
reached a command's output or the model's text never reaches the disk. The file is
private (0600) and locked while a Tutor process has it open: two windows appending to
one session would interleave two different histories.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.lesson.io import fsync_dir

JOURNAL_NAME = "journal.jsonl"
FORMAT = "tutor.journal/1"
MAX_LINE = 64 * 1024 * 1024  # a line longer than this is not ours


class JournalError(Exception):
    """The journal cannot be opened or written; the message is one line for the user."""


@dataclass
class JournalRead:
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # lines that were skipped, and why
    torn_tail: bool = False  # the last line was cut short by a crash (never shown, so nothing lost)


def read_journal(path: Path) -> JournalRead:
    """Every whole record of the journal at `path`; a torn last line and corrupt lines are reported, never raised."""
    out = JournalRead()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"{path}: no such journal") from None
    except OSError as error:
        raise JournalError(f"{path}: cannot read it ({error.strerror or error})") from None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        out.torn_tail = True
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError) as error:
            out.problems.append(f"line {number}: not JSON ({error}), skipped")
            continue
        except RecursionError:  # a line nested thousands deep: skipped like any unreadable line
            out.problems.append(f"line {number}: nested too deeply to read, skipped")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("kind"), str):
            out.problems.append(f"line {number}: not a journal record, skipped")
            continue
        out.records.append(record)
    return out


class Journal:
    """Appends records to one session's `journal.jsonl`: write, fsync, then return the record (`append_unsynced`: no fsync)."""

    def __init__(self, path: Path, *, redact: Callable[[Any], Any] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._redact = redact
        self._clock = clock
        self._fd: int | None = None
        self._seq = 0
        self._lock = threading.Lock()  # a command's `process` record is appended from the tool's thread

    @classmethod
    def create(cls, path: Path, **kwargs: Any) -> Journal:
        """A new, empty journal (its folder is made, private); fails if one exists already."""
        journal = cls(path, **kwargs)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            raise JournalError(f"{path}: a journal is already there") from None
        except OSError as error:
            raise JournalError(f"{path}: cannot create the journal ({error.strerror or error})") from None
        journal._attach(fd)
        fsync_dir(path.parent)
        return journal

    @classmethod
    def reopen(cls, path: Path, last_seq: int, **kwargs: Any) -> Journal:
        """Continue an existing journal after `last_seq`; a torn last line (a crash mid-write) is cut off first."""
        journal = cls(path, **kwargs)
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        except FileNotFoundError:
            raise JournalError(f"{path}: no such journal") from None
        except OSError as error:
            raise JournalError(f"{path}: cannot open the journal ({error.strerror or error})") from None
        journal._attach(fd)
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as handle:
                data = handle.read()
            keep = data.rfind(b"\n") + 1
            if keep != size:
                os.ftruncate(fd, keep)
                os.fsync(fd)
        journal._seq = last_seq
        return journal

    def _attach(self, fd: int) -> None:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise JournalError(f"{self.path.parent.name}: this session is open in another Tutor window") from None
        self._fd = fd

    def append(self, kind: str, **data: Any) -> dict[str, Any]:
        """Write one record durably (it and every record before it) and return it as written (redacted): show only what this returns."""
        with self._lock:
            return self._append(kind, data, durable=True)

    def append_unsynced(self, kind: str, **data: Any) -> dict[str, Any]:
        """`append` without the fsync: the record is in the file (a killed process loses nothing), durable with the next `append`.

        For a record a durable one follows within a millisecond (a file tool's `run`, then
        its `result`): only a power cut between the two can lose it, and the resumed
        session then offers that call at the gate again. One fsync a step, not two.
        """
        with self._lock:
            return self._append(kind, data, durable=False)

    def _append(self, kind: str, data: dict[str, Any], *, durable: bool) -> dict[str, Any]:
        if self._fd is None:
            raise JournalError(f"{self.path}: the journal is closed")
        if self._redact is not None:
            data = self._redact(data)
        self._seq += 1
        record = {"seq": self._seq, "at": round(self._clock(), 3), "kind": kind, **data}
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "surrogatepass")
        try:
            view = memoryview(line)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            if durable:
                os.fsync(self._fd)
        except OSError as error:
            self._seq -= 1
            raise JournalError(f"{self.path}: cannot write the journal ({error.strerror or error})") from None
        return record

    @property
    def last_seq(self) -> int:
        return self._seq

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None

