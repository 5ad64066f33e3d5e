"""The one base of every error Tutor shows a user as one line: `UserError`.

A leaf, like `tutor.words`: it imports nothing, so every layer (the pure lesson core too)
can derive its errors from it. Each layer keeps its own errors (`StoreError`, `VcsError`,
`SessionError`, `JudgeUnavailable`, `LessonError`, …); this base is what the two places
that stop them catch: the command line (one line, exit 1) and the app (a notification).
"""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A failure the user can act on; `str(error)` says what went wrong, on one line."""
