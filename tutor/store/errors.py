"""Progress's errors, in a module of their own: catching them loads no TinyDB."""

from __future__ import annotations

from tutor.errors import UserError

__all__ = ["AlreadyAnswered", "StoreError"]


class StoreError(UserError):
    """Progress cannot be used (written by a newer Tutor, the folder unusable, the disk full, damaged data): one line."""


class AlreadyAnswered(StoreError):
    """Answers are final: a second answer to the same ask in one attempt is refused."""
