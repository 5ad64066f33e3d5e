"""How each way Tutor starts (`tutor.ui.start`) opens its first screen: the one place modes differ.

The app calls `open_first_screen` once, on mount; each start type has one opener here, so
adding a way to start is a dataclass in `start` and a function in `OPENERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .start import (
    AnnotateStart,
    FacilitateStart,
    HostStart,
    JoinStart,
    LessonStart,
    LibraryStart,
    NoKeyStart,
    PairStart,
    RecordStart,
    ReviewStart,
    SessionReviewStart,
    Start,
    TeamReportStart,
)

if TYPE_CHECKING:
    from .app import TutorApp


def _library(app: TutorApp, start: LibraryStart) -> None:
    from .screens.library import LibraryScreen

    app.push_screen(LibraryScreen())


def _lesson(app: TutorApp, start: LessonStart) -> None:
    """The lesson screen itself is the first frame: painting the title and task first, then the lesson
    screen over them, cost a whole second screen before a key could act (issue 18)."""
    app.open_lesson(start.folder, root=True)


def _annotate(app: TutorApp, start: AnnotateStart) -> None:
    from .screens.annotate import AnnotateScreen

    app.push_screen(AnnotateScreen(start.session))


def _record(app: TutorApp, start: RecordStart) -> None:
    from .screens.record import RecordScreen

    app.sub_title = f"record · {start.session.id}"
    app.push_screen(RecordScreen(start.session, out=start.out, author=app.settings.learner))


def _no_key(app: TutorApp, start: NoKeyStart) -> None:
    from .screens.no_key import NoKeyScreen

    app.push_screen(NoKeyScreen(start.key_help))


def _team_report(app: TutorApp, start: TeamReportStart) -> None:
    from .screens.team_report import TeamReportScreen

    app.push_screen(TeamReportScreen(start.team, start.lesson))


def _host(app: TutorApp, start: HostStart) -> None:
    from .screens.group_host import GroupHostScreen

    app.push_screen(GroupHostScreen(start.host, start.changes))


def _join(app: TutorApp, start: JoinStart) -> None:
    from .screens.group_join import GroupJoinScreen

    app.push_screen(GroupJoinScreen(start.client, start.changes))


def _facilitate(app: TutorApp, start: FacilitateStart) -> None:
    from .screens.facilitate import FacilitateScreen

    app.push_screen(FacilitateScreen(start.facilitation))


OPENERS: dict[type, Callable[[Any, Any], None]] = {
    LibraryStart: _library,
    LessonStart: _lesson,
    ReviewStart: lambda app, start: app.open_review(root=True),
    PairStart: lambda app, start: app.open_pair(start.session, start.mentor),
    NoKeyStart: _no_key,
    RecordStart: _record,
    AnnotateStart: _annotate,
    SessionReviewStart: lambda app, start: app.open_session_review(start.session_id, start.reviewer, root=True),
    TeamReportStart: _team_report,
    HostStart: _host,
    JoinStart: _join,
    FacilitateStart: _facilitate,
}


def open_first_screen(app: TutorApp, start: Start) -> None:
    OPENERS[type(start)](app, start)


__all__ = ["OPENERS", "open_first_screen"]
