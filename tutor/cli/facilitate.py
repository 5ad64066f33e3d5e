"""`tutor learn LESSON --facilitate`: one room, one screen. The lesson for a group around one
projector, the facilitator entering the room's counts at each question (`tutor.ui.screens.facilitate`).

The lesson and the team are checked here, before the screen opens: a broken lesson or a wrong
`--team` is one line on the command line.
"""

from __future__ import annotations

import sys

from . import TutorError, _interactive, _resolve_lesson, echo, make_app


def facilitate_lesson(lesson: str | None, team: str | None) -> None:
    if lesson is None:
        raise TutorError("say which lesson to facilitate: `tutor learn LESSON --facilitate`")
    from ..lesson.peek import direct_lesson_folder

    folder = direct_lesson_folder(lesson) or _resolve_lesson(lesson)
    if not _interactive():
        raise TutorError("facilitating needs a terminal (and a screen the room can see)")
    from ..services.facilitate import open_facilitation

    facilitation = open_facilitation(folder, team)
    if facilitation.place.note:
        echo(f"tutor: {facilitation.place.note}", err=True)
    from ..ui.start import FacilitateStart

    app = make_app(FacilitateStart(facilitation))
    app.run()
    if facilitation.saved is not None:
        echo(f"The room's counts: {facilitation.saved}")
    elif facilitation.problem:
        echo(f"tutor: {facilitation.problem}", err=True)
    if app.return_code:
        sys.exit(app.return_code)
