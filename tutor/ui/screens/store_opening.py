"""The progress store of a player screen's run, opened after the first frame (issue 18).

A run may start without its store (`tutor.services.lesson_run`: resumed from the attempts index,
no TinyDB before the first frame). A helper the player screen holds, not a widget: once something
is to be written (a move, a draft) it opens the store in a worker, off the event loop, and attaches
it to the run, which writes what waited. An answer is written at once, so committing one before
then is deferred until the store is attached (`defer`); meanwhile the screen holds the keys typed
after it, which then act, in order, once the answer is committed. Nothing here blocks the screen's
messages while the store opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..plain import plain


class StoreOpening:
    def __init__(self, screen: Any) -> None:
        self.screen = screen  # the player screen: its run, its workers, its notifications
        self.opening = False
        self.waiting = False  # a commit waits for the store: the screen holds keys meanwhile
        self._deferred: list[Callable[[], Awaitable[object]]] = []

    def pending(self) -> bool:
        return bool(getattr(self.screen.run, "store_pending", False))

    def open_soon(self) -> None:
        """Something is to be written: open the store in a worker (once), then attach it to the run."""
        if self.pending() and not self.opening:
            self.opening = True
            self.screen.run_worker(self._open(), exclusive=True, group="progress-store")

    def defer(self, commit: Callable[[], Awaitable[object]]) -> bool:
        """Whether `commit` (an answer, a judgement, a retry: written at once) must wait for the store; if so it is
        run once the store is attached, and the keys typed meanwhile wait for it."""
        if not self.pending():
            return False
        self._deferred.append(commit)
        self.waiting = True
        self.open_soon()
        return True

    async def _open(self) -> None:
        try:
            await asyncio.to_thread(self.screen.run.open_store)  # TinyDB and every attempt file: off the event loop
            self._attach()
        finally:
            if self._deferred:
                self.screen.call_later(self._commit_deferred)
            self.waiting = bool(self._deferred)

    def _attach(self) -> None:
        from tutor.services.lesson_run import SaveFailed

        run = self.screen.run
        notes = len(run.notes)
        try:
            run.attach_store()  # what waited is written now
        except SaveFailed as error:
            self.screen.notify(str(error), severity="error", timeout=10)
        for note in run.notes[notes:]:
            self.screen.notify(plain(note), title="Note", timeout=8)

    async def _commit_deferred(self) -> None:
        try:
            while self._deferred:
                await self._deferred.pop(0)()
        finally:
            self.waiting = False
            self.screen.app.release_keys()  # the keys typed after the commit act now, in order
