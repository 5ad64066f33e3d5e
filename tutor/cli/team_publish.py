"""`tutor team publish LESSON`: copy a lesson into the team's curricula, validated and redacted, and commit it."""

from __future__ import annotations

from .team import team  # noqa: F401
