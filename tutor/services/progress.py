"""The learner's progress store, opened for a screen (which does not import `tutor.store` itself)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.store.lock import Held
    from tutor.store.overview import Overview
    from tutor.store.progress import Progress
    from tutor.store.resume import ResumePoint

__all__ = ["OpensStoreLater", "ProgressOpening", "open_progress", "read_overview"]


def open_progress(folder: str | os.PathLike[str]) -> Progress:
    """Open (creating if need be) the progress under `folder`; `StoreError` if it cannot be used."""
    from tutor.store import open_progress as open_store

    return open_store(folder)


def read_overview(folder: str | os.PathLike[str]) -> Overview:
    """Where the learner stands (per lesson: latest attempt, attempts, finished, best; review cards; last opened),
    read from the attempts index: a few small files however many attempts, and no TinyDB unless the index must
    be rebuilt. Creates nothing when nothing was stored. `StoreError` (one line) if the store cannot be used."""
    from tutor.store.overview import read_overview as read

    return read(folder)


class ProgressOpening:
    """The learner's progress store, opened once, when first needed, by whichever thread needs it first.

    Opening it imports TinyDB and reads every attempt file: a first screen must not wait for that
    (issue 18), so a screen shows what it can read without it (`peek`, `due_cards`) and opens it in a
    worker once something is to be written; a write that cannot wait calls `open` and waits.
    """

    def __init__(self, folder: str | os.PathLike[str], *, on_error: Callable[[str], None] = lambda message: None) -> None:
        """`on_error`: told, once, in one line, when the store cannot be opened (called from the thread that opened it)."""
        self.folder = Path(folder)
        self._on_error = on_error
        self._lock = threading.Lock()
        self._tried = False
        self._progress: Progress | None = None

    @property
    def tried(self) -> bool:
        """Whether `open` has run (the store is open, or could not be): then `open` returns at once."""
        return self._tried

    def open(self) -> Progress | None:
        """The open store; None when it cannot be used (said once through `on_error`). Slow the first time; any thread."""
        failure = None
        with self._lock:
            if not self._tried:
                from tutor.store.errors import StoreError

                try:
                    self._progress = open_progress(self.folder)
                except StoreError as error:
                    failure = str(error)
                self._tried = True
        if failure is not None:
            self._on_error(failure)  # outside the lock: it may wait on the UI thread, which may be waiting to open
        return self._progress

    def peek(self, lesson_id: str, key: str | None) -> ResumePoint | None:
        """Where the lesson resumes, without opening the store (`tutor.store.resume`); None: only the store can say."""
        from tutor.store.errors import StoreError
        from tutor.store.resume import resume_point

        try:
            return resume_point(self.folder, lesson_id, key)
        except StoreError:
            return None  # the store says why when it is opened

    def hold(self, attempt_id: str) -> Held | None:
        """Hold the attempt open against a second Tutor, without the store; None: another Tutor holds it. `OSError`."""
        from tutor.store.resume import hold_attempt

        return hold_attempt(self.folder, attempt_id)

    def due_cards(self, today: date) -> list[dict[str, Any]] | None:
        """The review cards due by `today`, as `Progress.due_cards` gives them, from the index's reader (no TinyDB);
        None when the store cannot be read."""
        from tutor.store.errors import StoreError

        try:
            return read_overview(self.folder).due_cards(today)
        except StoreError:
            return None


class OpensStoreLater:
    """What a run (a lesson's, the review's) whose store is opened after its first frame offers its screen: the
    store is `_opening` until the run attaches it (each run attaches in its own way)."""

    _opening: ProgressOpening | None

    @property
    def store_pending(self) -> bool:
        """Whether the store is still to be attached: answers wait for it (the screen opens it in a worker)."""
        return self._opening is not None

    def open_store(self) -> None:
        """Open the store without attaching it (slow: TinyDB, every attempt file). Any thread; touches nothing of the run."""
        opening = self._opening
        if opening is not None:
            opening.open()
