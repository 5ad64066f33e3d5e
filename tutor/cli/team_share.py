"""`tutor team share SESSION`: put one of this member's pair sessions (its redacted journal) in the team folder for review."""

from __future__ import annotations

from .team import team  # noqa: F401
