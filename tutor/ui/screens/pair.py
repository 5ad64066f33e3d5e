"""Pair mode: the learner sets the goal, watches the agent, and predicts before every action runs.

The live screen (`tutor.ui.screens.live.LiveScreen`) in pair mode (`live_modes.LiveMode`):
every card is drawn from a journal record after the record is on disk, and every key is
one of the live-session service's moves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.services.live_session import Mentor

from .live import LiveScreen
from .live_modes import GOAL_PLACEHOLDER, PairMode

if TYPE_CHECKING:
    from tutor.services.live import LiveSession

__all__ = ["GOAL_PLACEHOLDER", "HOW_IT_WORKS", "PairScreen"]

HOW_IT_WORKS = """\
**How pair mode works.** You set the goal; the agent works in a private copy of the repository \
(Tutor never writes to yours; the line at the top says whether its commands are sandboxed). \
Before any write or command runs, you think first:

- `w` it works, or `f` it fails; `1` `2` `3` how sure you are (low, medium, high)
- then `r` lets it run, or `c` corrects it: a category key, your message, `ctrl+s`

Reads run without stopping. `escape` stops a reply or a command; `ctrl+e` ends the session.

**Start with the goal contract below**: what should be true at the end, how you will both \
know it is done, and what must be left alone. `ctrl+s` shows it to the mentor; `ctrl+s` again starts the agent.
"""


class PairScreen(LiveScreen):
    """`tutor pair`: one live session, from the goal contract to the summary."""

    def __init__(self, session: LiveSession, *, mentor: Mentor | None = None) -> None:
        super().__init__(session, PairMode(HOW_IT_WORKS), mentor=mentor)
