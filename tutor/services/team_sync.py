"""`tutor team sync`: write this member's result files, then commit, pull and push their own files.

Everything a member writes in the team folder lies under their handle (`docs/team-format.md`):
result files (written here from their progress), shared sessions (`tutor team share`) and
reviews (`tutor review-session` of a teammate's session). `tutor.vcs.team_sync` commits those
alone, pulls the team's commits with a rebase, and pushes; offline, or when the push is
refused, the work stays committed in the clone for the next sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor import paths
from tutor.settings import TeamMembership
from tutor.vcs.team_sync import SyncResult, SyncState
from tutor.words import plural

from .team import resolve_team
from .team_results import ResultsWritten, write_member_results


@dataclass
class TeamSynced:
    team: TeamMembership
    results: ResultsWritten
    sync: SyncResult
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What happened, for the member: the first line says whether the team has their work."""
        sync = self.sync
        name = self.team.name or self.team.path.name
        head = {
            SyncState.SYNCED: f"{name}: synced",
            SyncState.LOCAL: f"{name}: committed in your clone only ({sync.detail})",
            SyncState.OFFLINE: f"{name}: offline, your work is kept for the next sync ({sync.detail})",
            SyncState.REFUSED: f"{name}: the push was refused, your work is kept for the next sync ({sync.detail})",
            SyncState.CONFLICT: f"{name}: not synced: {sync.detail}",
            SyncState.BLOCKED: f"{name}: not synced: {sync.detail}",
        }[sync.state]
        new = len(self.results.written)
        facts = [f"{plural(new, 'result')} new or updated" if new else "no new results"]
        if sync.pulled:
            facts.append(f"{plural(sync.pulled, 'commit')} from the team")
        if self.results.lesson_changed:
            facts.append(f"{plural(self.results.lesson_changed, 'finished attempt')} at a version the team no longer has, not shared")
        lines = [head, "  " + "; ".join(facts) + "."]
        lines += [f"  {file}" for file in sync.files[:10]]
        if len(sync.files) > 10:
            lines.append(f"  and {len(sync.files) - 10} more")
        lines += [f"  warning: {problem}" for problem in [*self.results.problems, *self.problems]]
        return lines

    @property
    def kept(self) -> bool:
        """Whether the member's work is safe in a commit (shared now, or waiting for the next sync)."""
        return self.sync.state in (SyncState.SYNCED, SyncState.LOCAL, SyncState.OFFLINE, SyncState.REFUSED)


def sync_team(team: TeamMembership) -> TeamSynced:
    """Write this member's results for `team`, then commit, pull and push (`tutor.vcs.team_sync.sync_clone`)."""
    from tutor.store.progress import StoreError
    from tutor.vcs.team_sync import sync_clone

    from .progress import open_progress

    problems: list[str] = []
    try:
        with open_progress(paths.progress_dir()) as progress:
            written = write_member_results(team, progress)
    except StoreError as error:
        written = ResultsWritten()
        problems.append(f"your progress cannot be read ({error}); no results written this time")
    message = f"Tutor: {team.handle}'s results, shared sessions and reviews"
    return TeamSynced(team, written, sync_clone(team.path, team.handle, message), problems)


def teams_to_sync(choice: str | None) -> list[TeamMembership]:
    """The team `--team` names, or every team joined."""
    from tutor.settings import load_teams

    if choice is not None:
        return [resolve_team(choice)]
    teams = load_teams()
    if not teams:
        resolve_team(None)  # raises the one clear line: no team joined
    return teams
