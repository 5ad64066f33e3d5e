"""The errors from below the services that a screen shows, and `UserError`, the base of every
error shown to a user as one line: screens import them from here, never
from `tutor.store` or `tutor.vcs` (an import contract in .importlinter says so).

Importing this module loads neither TinyDB nor GitPython.
"""

from __future__ import annotations

from tutor.agent.judge import JudgeUnavailable
from tutor.errors import UserError
from tutor.store.errors import AlreadyAnswered, StoreError
from tutor.vcs import VcsError

__all__ = ["AlreadyAnswered", "JudgeUnavailable", "StoreError", "UserError", "VcsError"]
