"""Progress storage. The only package that imports TinyDB; it does so only when progress is opened."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .progress import Progress


def open_progress(folder: str | os.PathLike[str]) -> Progress:
    from .progress import Progress

    return Progress(folder)
