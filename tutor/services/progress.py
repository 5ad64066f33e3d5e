"""The learner's progress store, opened for a screen (which does not import `tutor.store` itself)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.store.overview import Overview
    from tutor.store.progress import Progress

__all__ = ["open_progress", "read_overview"]


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
