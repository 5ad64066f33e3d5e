"""`tutor team report [LESSON]`: which asks fool the team: a screen, or `--format json|html`."""

from __future__ import annotations

from .team import team  # noqa: F401
