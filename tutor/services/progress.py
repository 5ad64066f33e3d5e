"""The learner's progress store, opened for a screen (which does not import `tutor.store` itself)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.store.progress import Progress

__all__ = ["open_progress"]


def open_progress(folder: str | os.PathLike[str]) -> Progress:
    """Open (creating if need be) the progress under `folder`; `StoreError` if it cannot be used."""
    from tutor.store import open_progress as open_store

    return open_store(folder)
