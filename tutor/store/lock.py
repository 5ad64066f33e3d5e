"""An exclusive, re-entrant, cross-process file lock (flock on POSIX, msvcrt on Windows)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


class FileLock:
    """The store's lock between processes (and threads). `wait=False`: taking it fails at once with
    `BlockingIOError` when another holds it, for a reader that has somewhere else to go."""

    def __init__(self, path: Path, *, wait: bool = True) -> None:
        self.path = path
        self._wait = wait
        self._fd: int | None = None
        self._depth = 0
        self._thread_lock = threading.RLock()

    def __enter__(self) -> FileLock:
        self._thread_lock.acquire()
        if self._depth == 0:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except IsADirectoryError:
                # Something else took the lock's name: set it aside and lock a fresh file.
                os.replace(self.path, self.path.with_name(f"{self.path.name}.corrupt-{os.getpid()}"))
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except BaseException:
                self._thread_lock.release()
                raise
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX if self._wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
                else:
                    msvcrt.locking(fd, msvcrt.LK_LOCK if self._wait else msvcrt.LK_NBLCK, 1)
            except BaseException:
                os.close(fd)
                self._thread_lock.release()
                raise
            self._fd = fd
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            try:
                if fcntl is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                else:
                    msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
            finally:
                os.close(self._fd)
                self._fd = None
        self._thread_lock.release()


class Held:
    """A lock held for as long as something is open (an attempt in a lesson screen); the system
    drops it when the process ends, however it ends, so a crash never leaves it taken."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def try_hold(path: Path) -> Held | None:
    """Take `path`'s lock without waiting; None when another holder has it (POSIX; elsewhere always taken)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    if fcntl is None:
        return Held(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return Held(fd)
