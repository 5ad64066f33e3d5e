"""Which session a review is of: one of the member's own, or one a teammate shared with a team.

`tutor review-session ID` and the library name a session; `resolve_session` turns the name
into a reference that knows where the journal is, where the reviews are read from and where
one reviewer's review is written:

- `OwnSession`: `$TUTOR_HOME/sessions/<id>/journal.jsonl`, reviews beside it in `reviews/`
  (one file per reviewer name), and, after a sync, the reviews teammates wrote of the copy the
  member shared (`<team>/reviews/*/<my-handle>/<id>.json`).
- `TeamSession`: `<team>/sessions/<handle>/<id>/journal.jsonl` in a joined team's clone, read
  as hostile (`tutor.team.sessions`); its reviews are `<team>/reviews/*/<handle>/<id>.json`
  and this member's is `<team>/reviews/<my-handle>/<handle>/<id>.json`, whatever name they sign.

An id is looked up among the member's own sessions first, then among every joined team's
shared sessions; `HANDLE/ID` picks one teammate's when two shared sessions of the same id.
Nothing here runs git: a team's sessions are read from the clone as the last sync left it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from tutor.lesson.untrusted import one_line
from tutor.services.live import SessionError, _existing_journal
from tutor.settings import TeamMembership, TeamsFileError, load_teams
from tutor.team import TeamFormatError, is_safe_slug, read_team_config
from tutor.team.sessions import JOURNAL_FILE, SharedPlace, read_shared_journal, shared_session_dir, shared_sessions, team_review_path

__all__ = ["OwnSession", "SessionRef", "TeamSession", "joined", "resolve_session", "shared_copies", "team_places"]

REVIEWS_DIR = "reviews"


@dataclass(frozen=True)
class OwnSession:
    """One of this member's sessions, under `$TUTOR_HOME/sessions/<id>/`."""

    session_id: str

    @property
    def reference(self) -> str:
        """How `tutor review-session` names it."""
        return self.session_id

    @property
    def folder(self) -> Path:
        """The session's folder; SessionError for an id that is not one of this member's sessions."""
        return _existing_journal(self.session_id).parent

    def review_path(self, reviewer: str) -> Path:
        """Where `reviewer`'s review is kept: one file per reviewer name, beside the journal."""
        from tutor.record.session_trajectory import reviewer_slug

        return self.folder / REVIEWS_DIR / f"{reviewer_slug(reviewer)}.json"

    def records(self) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
        """The journal's records (its own, read as today), and no problem lines: they are the learner's."""
        from tutor.services.live import session_records

        return session_records(self.session_id), ()


@dataclass(frozen=True)
class TeamSession:
    """A session `learner` (a handle) shared with `team`, read from this member's clone of it."""

    session_id: str
    learner: str  # the handle that shared it (a safe slug)
    team: TeamMembership  # this member's membership: the clone, and this member's handle in it
    team_name: str

    @property
    def reference(self) -> str:
        return f"{self.learner}/{self.session_id}"

    @property
    def root(self) -> Path:
        return self.team.path

    @property
    def folder(self) -> Path:
        return shared_session_dir(self.root, self.learner, self.session_id)

    def review_path(self, reviewer: str) -> Path:  # noqa: ARG002 - the name signs the review; the handle names its file
        """This member's review of it: `reviews/<my-handle>/<learner>/<id>.json`, one file whatever name they sign."""
        try:
            return team_review_path(self.root, self.team.handle, self.learner, self.session_id)
        except TeamFormatError as error:
            raise SessionError(str(error)) from None

    def records(self) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
        """The shared journal's records, read bounded, and one line per kind of line skipped."""
        try:
            read = read_shared_journal(self.root, self.learner, self.session_id)
        except TeamFormatError as error:
            raise SessionError(str(error)) from None
        return read.records, tuple(read.problems)


SessionRef: TypeAlias = OwnSession | TeamSession


def as_ref(session: str | SessionRef) -> SessionRef:
    """A reference as given, or the name `tutor review-session` takes, resolved."""
    return resolve_session(session) if isinstance(session, str) else session


def joined() -> tuple[list[tuple[TeamMembership, str]], list[str]]:
    """Each team joined with its current name (`team.toml`, else the name it had when joined), and
    one line when `teams.toml` cannot be read (then no team: the member's own sessions still show)."""
    try:
        teams = load_teams()
    except TeamsFileError as error:
        return [], [str(error)]
    found = []
    for team in teams:
        try:
            name = read_team_config(team.path).name
        except TeamFormatError:
            name = team.name or team.path.name
        found.append((team, name))
    return found, []


def team_places(team: TeamMembership) -> tuple[list[SharedPlace], list[str]]:
    """Every session shared in `team`'s clone (the member's own shares included), and one line per folder refused."""
    places, problems = shared_sessions(team.path)
    return places, [f"{one_line(str(team.path), limit=120)}: {problem}" for problem in problems]


def resolve_session(name: str) -> SessionRef:
    """The session `name` names: one of this member's (by id) first, else a teammate's shared one
    (`ID`, or `HANDLE/ID`). SessionError, one line, when none or several fit."""
    name = (name or "").strip()
    handle, _, session_id = name.rpartition("/")
    own_error: SessionError | None = None
    if not handle:
        try:
            _existing_journal(session_id)
            return OwnSession(session_id)
        except SessionError as error:
            own_error = error
    elif not is_safe_slug(handle) or not is_safe_slug(session_id):
        raise SessionError(f"{one_line(name, limit=120)!r} is not a session: give ID, or HANDLE/ID for a teammate's shared session")
    found: list[TeamSession] = []
    teams, _ = joined()
    for team, team_name in teams:
        places, _ = team_places(team)
        for place in places:
            if place.session_id != session_id or (handle and place.handle != handle):
                continue
            if not handle and place.handle == team.handle:
                continue  # the member's own share: by its plain id, their own session is meant
            if (place.folder / JOURNAL_FILE).is_file():
                found.append(TeamSession(session_id, place.handle, team, team_name))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        whose = ", ".join(f"{session.reference} ({session.team_name})" for session in found[:5])
        raise SessionError(f"{len(found)} shared sessions are named {session_id}: say which with HANDLE/ID ({one_line(whose, limit=300)})")
    if own_error is not None:
        raise SessionError(f"{own_error}; nor has a teammate shared one of that id") if teams and is_safe_slug(session_id) else own_error
    raise SessionError(f"no shared session {one_line(name, limit=120)} in your teams' clones (a `tutor team sync` brings new ones)")


def shared_copies(session_id: str) -> list[TeamSession]:
    """The copies of this member's own session `session_id` shared with their teams, as team sessions
    (to read the reviews teammates wrote of them); none when it was never shared."""
    if not is_safe_slug(session_id):
        return []
    copies = []
    teams, _ = joined()
    for team, team_name in teams:
        if not is_safe_slug(team.handle):
            continue
        if (shared_session_dir(team.path, team.handle, session_id) / JOURNAL_FILE).is_file():
            copies.append(TeamSession(session_id, team.handle, team, team_name))
    return copies
