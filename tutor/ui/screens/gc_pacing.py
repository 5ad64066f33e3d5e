"""The garbage collector while a lesson is on screen: it never walks the lesson, and collects while the learner reads.

A big lesson is hundreds of thousands of objects that live as long as its screen (the
steps, the app, Textual's caches). Left in the collector's oldest generation, every full
collection walks all of them: with a 1,000-step lesson, a key press could stall for a
fifth of a second. So when the screen opens they are frozen (`gc.freeze`: moved where the
collector never looks), once, and unfrozen when it closes. The collector stays on, as
always: what a key press leaves behind (the frame it replaced) is reclaimed by its
ordinary collections, which now walk only what came after the freeze, a few frames'
worth. And once input pauses, a full collection runs (cheap for the same reason), so that
one rarely falls due during a key press.

Nothing is frozen after that first time: a frame frozen while on screen could never be
reclaimed once a key removed it, and a long lesson would leak every frame it showed.
"""

from __future__ import annotations

import gc
from typing import Any

from textual.timer import Timer

IDLE_COLLECT_SECONDS = 1.0
_frozen_by: set[int] = set()  # the player screens whose opening froze what lived then


def freeze_long_lived(screen: object) -> None:
    """Move everything alive now (the lesson, the app) out of the collector's way, for as long as SCREEN is open.

    No collection first: it would walk the whole lesson at the moment the learner waits
    for it; whatever garbage is frozen with it is reclaimed when the screen closes."""
    _frozen_by.add(id(screen))
    gc.freeze()


def thaw(screen: object) -> None:
    """SCREEN closed: what it froze may be garbage now; the collector sees it again (when no other player screen is open)."""
    _frozen_by.discard(id(screen))
    if not _frozen_by:
        gc.unfreeze()


class IdleCollector:
    """A full collection once input pauses after a frame is shown: never between a key and its paint."""

    def __init__(self, owner: Any) -> None:
        self.owner = owner  # the screen: its timers run the collection
        self.timer: Timer | None = None

    def frame_shown(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.timer = self.owner.set_timer(IDLE_COLLECT_SECONDS, self.collect_now)

    def collect_now(self) -> None:
        self.timer = None
        gc.collect()
