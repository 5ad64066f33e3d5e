"""A hosted group replay's tally file (`tutor.team.tallies`, mode `hosted`): where it goes, and saving it.

Into the host's team clone under their handle when a team is given (`tutor host --team`, or their
only team: the command line decides), else under `$TUTOR_HOME/tallies/` with the handle `local`.
Saved after each reveal (a crash loses little) and at the end, in a thread, one save at a time;
a save that fails is one line for the host's screen, and the next save tries again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tutor.group import GroupSession, Phase
from tutor.settings import TeamMembership


def team_min_group(team: TeamMembership | None) -> int:
    """The smallest group a spread is shown for: the team's `min_group`, else the default."""
    from tutor.team import DEFAULT_MIN_GROUP, TeamFormatError, read_team_config

    if team is None:
        return DEFAULT_MIN_GROUP
    try:
        return read_team_config(team.path).min_group
    except TeamFormatError:
        return DEFAULT_MIN_GROUP


class TallyKeeper:
    def __init__(self, team: TeamMembership | None) -> None:
        from tutor.team.tallies import new_session_id, timestamp

        self.team = team
        self.session_id = new_session_id()
        self.started = timestamp()
        self.finished: str | None = None
        self.path: Path | None = None  # where it was last saved
        self._lock = asyncio.Lock()

    async def save(self, session: GroupSession) -> str | None:
        """Write the tally of `session` as it stands (nothing before its first reveal); the problem, if any."""
        from tutor.team.tallies import timestamp

        if not any(ask.revealed for ask in session.played):
            return None
        if session.phase is Phase.ENDED and self.finished is None:
            self.finished = timestamp()
        async with self._lock:
            try:
                self.path = await asyncio.to_thread(self._write, session)
            except Exception as error:  # noqa: BLE001 - TeamFormatError, OSError: the session goes on
                return f"the tallies were not saved: {getattr(error, 'strerror', None) or error}"
        return None

    def _write(self, session: GroupSession) -> Path:
        from tutor import paths
        from tutor.team.tallies import LOCAL_HANDLE, write_tally

        root, handle = (self.team.path, self.team.handle) if self.team is not None else (paths.home(), LOCAL_HANDLE)
        return write_tally(root, session.tally(handle=handle, session=self.session_id, started=self.started, finished=self.finished))
