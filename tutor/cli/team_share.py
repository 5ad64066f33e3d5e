"""`tutor team share SESSION`: put one of this member's live sessions (its redacted journal) in the team folder for review."""

from __future__ import annotations

import click

from . import echo
from .team import team


@team.command("share")
@click.argument("session_id", metavar="SESSION")
@click.option("--team", "team_choice", metavar="NAME", help="The team to share with: its name or its clone's path (default: the only team you joined).")
def team_share(session_id: str, team_choice: str | None) -> None:
    """Share your session SESSION (see `tutor pair --list`) with your team, for a senior to review.

    A copy of its journal goes into your clone of the team folder, under your handle: every
    record redacted again, your folders' paths replaced by placeholders. Sharing again
    replaces the copy with the session as it is now. Your next `tutor team sync` sends it; a
    teammate reviews it with `tutor review-session`, and after a sync you see their marks
    beside your decisions in the library.
    """
    from ..lesson.untrusted import one_line
    from ..services.team_share import share_session

    shared = share_session(session_id, team_choice)
    again = " again (the copy is the session as it is now)" if shared.replaced else ""
    echo(
        f"Shared session {shared.session_id} with {one_line(shared.team_name, limit=120)} as {shared.team.handle}{again}; "
        "it reaches the team with your next `tutor team sync`."
    )
