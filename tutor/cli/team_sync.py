"""`tutor team sync`: pull, add this member's own results, shared sessions and reviews, commit, push; `tutor team words`."""

from __future__ import annotations

from .team import team  # noqa: F401
