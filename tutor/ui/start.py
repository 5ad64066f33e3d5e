"""What `TutorApp` opens first: one small record (a msgspec Struct) per way Tutor starts.

The command line (and `tutor.entry`, and the tests) describe the start; the app maps its
type to the first screen (`tutor.ui.first_screen`): no mode flags, no branching.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import msgspec

if TYPE_CHECKING:
    from tutor.services.annotate import AnnotateSession
    from tutor.services.facilitate import Facilitation
    from tutor.services.group_client import GroupClient
    from tutor.services.group_host import GroupHost
    from tutor.services.live import LiveSession


class LibraryStart(msgspec.Struct, frozen=True):
    """`tutor`: the library of lessons."""


class LessonStart(msgspec.Struct, frozen=True):
    """`tutor learn LESSON`: the lesson in `folder` (its title and task painted first)."""

    folder: Path


class ReviewStart(msgspec.Struct, frozen=True):
    """`tutor review`: the spaced-review queue."""


class PairStart(msgspec.Struct, frozen=True):
    """`tutor pair`: a live session, with the mentor that comments on corrections (None: none)."""

    session: LiveSession
    mentor: Any = None


class NoKeyStart(msgspec.Struct, frozen=True):
    """`tutor pair` without an API key: how to set one, and the scripted demo."""

    key_help: str


class RecordStart(msgspec.Struct, frozen=True):
    """`tutor record`: a live session recorded as a lesson, written to `out` (None: the user's curriculum)."""

    session: LiveSession
    out: Path | None = None


class AnnotateStart(msgspec.Struct, frozen=True):
    """`tutor annotate LESSON`: the lesson's teaching layer, edited."""

    session: AnnotateSession


class SessionReviewStart(msgspec.Struct, frozen=True):
    """`tutor review-session ID`: a live session, reviewed by `reviewer` (None: the learner's read-only view)."""

    session_id: str
    reviewer: str | None = None


class TeamReportStart(msgspec.Struct, frozen=True):
    """`tutor team report [LESSON]`: the team's report; `team` as `--team` takes it (None: the only team
    joined), `lesson` a lesson id (None: every lesson)."""

    team: str | None = None
    lesson: str | None = None


class ChangeRelay:
    """Where a group replay service's `on_change` goes: to the screen showing the session, once it is up.

    `tutor host` and `tutor join` start the service (and print the join code, or refuse a bad
    one) before the app exists, so the service is given this relay and the screen listens on it.
    """

    def __init__(self) -> None:
        self._listener: Callable[[], None] | None = None

    def __call__(self) -> None:
        if self._listener is not None:
            self._listener()

    def listen(self, listener: Callable[[], None] | None) -> None:
        """Send every change to `listener` from now on (None: to nobody)."""
        self._listener = listener


class HostStart(msgspec.Struct, frozen=True):
    """`tutor host LESSON`: the host's screen of a group replay; `host` a started `GroupHost` whose `on_change` is `changes`."""

    host: GroupHost
    changes: ChangeRelay


class JoinStart(msgspec.Struct, frozen=True):
    """`tutor join CODE`: a participant's screen; `client` a connected `GroupClient` whose `on_change` is `changes`."""

    client: GroupClient
    changes: ChangeRelay


class FacilitateStart(msgspec.Struct, frozen=True):
    """`tutor learn LESSON --facilitate`: one room, one screen; the facilitator enters the room's counts."""

    facilitation: Facilitation


Start: TypeAlias = (
    LibraryStart | LessonStart | ReviewStart | PairStart | NoKeyStart | RecordStart | AnnotateStart | SessionReviewStart | TeamReportStart
    | HostStart | JoinStart
    | FacilitateStart
)
