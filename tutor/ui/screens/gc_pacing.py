"""When the garbage collector runs while a lesson is on screen: while the learner reads, never on a key press.

A big lesson is hundreds of thousands of long-lived objects; left to itself, every full
collection walks all of them and a key press can stall for a fifth of a second.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from textual.timer import Timer

IDLE_COLLECT_SECONDS = 1.0
# Without an idle second (a held key), collect anyway, after the paint, every this many
# frames: a collection's cost grows with the frames since the last one (~5 ms per frame).
MAX_FRAMES_WITHOUT_COLLECTING = 30
_automatic_gc_holds: set[int] = set()  # the player screens on top right now


@contextmanager
def out_of_the_collectors_way() -> Iterator[None]:
    """What is made inside (a lesson read in full: for a long one, hundreds of thousands of containers, none of them
    garbage) is frozen once made: no automatic collection walks it while it is built, nor any full one after
    (a player screen unfreezes what it held when it goes). Measured on a 10,000-step lesson: ~30 ms sooner on screen."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def hold_automatic_gc(screen: object, hold: bool) -> None:
    """Automatic collection is off while any player screen is on top (`hold`), on again when none is."""
    if hold:
        _automatic_gc_holds.add(id(screen))
    else:
        _automatic_gc_holds.discard(id(screen))
    if _automatic_gc_holds:
        gc.disable()
    else:
        gc.enable()


class IdleCollector:
    """Collects after the frames a screen shows: once input pauses, or after too many frames in a row."""

    def __init__(self, owner: Any, settle: Callable[[], object] | None = None) -> None:
        self.owner = owner  # the screen: its timers run the collection
        self.settle = settle  # work left for the first pause, done before the first collection
        self.frames_since_collect = 0
        self.timer: Timer | None = None

    def frame_shown(self) -> None:
        self.frames_since_collect += 1
        if self.timer is not None:
            self.timer.stop()
        if self.frames_since_collect >= MAX_FRAMES_WITHOUT_COLLECTING:
            self.collect_now()
        else:
            self.timer = self.owner.set_timer(IDLE_COLLECT_SECONDS, self.collect_now)

    def collect_now(self) -> None:
        """Collect what the last frames left, then freeze the survivors so the next pass stays small."""
        if self.settle is not None:
            settle, self.settle = self.settle, None
            settle()
        gc.collect()
        gc.freeze()
        self.frames_since_collect = 0
