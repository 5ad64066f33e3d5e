"""`tutor team share SESSION`: one of this member's live sessions, copied into a team folder for review.

The copy is `<team>/sessions/<handle>/<session-id>/journal.jsonl` with a `shared.json` beside it
(`tutor.team.sessions`). The journal was redacted as it was written; every record passes the
redactor again here, with today's rules and the secrets in today's environment. The copy is
also pseudonymous: the folders on the member's machine a journal names (their home, the
workspace, the repository they worked on) are replaced by placeholders, the session record keeps
only the repository's folder name, and the records a reviewer never sees (processes started,
drafts of the goal) are left out. Both files are written atomically; sharing again replaces
them (the session may have grown). Nothing is committed here: `tutor team sync` commits and
pushes what lies under the member's handle.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.lesson.untrusted import one_line
from tutor.services.live import session_records
from tutor.services.team import TeamError, resolve_team
from tutor.settings import TeamMembership
from tutor.team import TeamFormatError, is_safe_slug, read_team_config
from tutor.team.sessions import JOURNAL_FILE, SHARED_FILE, MAX_SUMMARY_CHARS, SharedInfo, own_folder

__all__ = ["LEFT_OUT_KINDS", "Shared", "share_session"]

# Records a reviewer never sees: the process groups of commands (this machine's process ids) and
# the goal as it was being typed (only the goal the learner set is theirs to show).
LEFT_OUT_KINDS = frozenset({"process", "goal_draft"})
WORKSPACE = "<workspace>"
REPOSITORY = "<repository>"


@dataclass(frozen=True)
class Shared:
    session_id: str
    team: TeamMembership
    team_name: str
    folder: Path  # sessions/<handle>/<session-id>/ in the team's clone
    replaced: bool  # it had been shared before: the copy is now the session as it is
    records: int


def share_session(session_id: str, team: str | None = None, *, clock: float | None = None) -> Shared:
    """Copy this member's session `session_id` (redacted, pseudonymous) into the team `team` names
    (`--team`; default: the only team joined). TeamError or SessionError, one line, when it cannot."""
    from tutor.lesson.io import write_atomic

    membership = resolve_team(team)
    if not is_safe_slug(session_id):
        raise TeamError(f"{one_line(session_id, limit=120)!r} is not a session id that can be shared (see `tutor pair --list`)")
    records = session_records(session_id)  # SessionError, one line, for a session that is not this member's
    try:
        team_name = read_team_config(membership.path).name
    except TeamFormatError as error:
        raise TeamError(f"cannot share with {membership.name!r}: {error}") from None
    if not is_safe_slug(membership.handle):
        raise TeamError(f"your handle in {team_name!r} is not a safe name ({one_line(membership.handle, limit=60)!r}); fix teams.toml")
    copied = _shared_records(records)
    info = _info(session_id, membership.handle, copied, clock)
    try:
        folder = own_folder(membership.path, "sessions", membership.handle, session_id)
        replaced = (folder / JOURNAL_FILE).exists()
        write_atomic(folder / JOURNAL_FILE, b"".join(_line(record) for record in copied))
        write_atomic(folder / SHARED_FILE, info.to_json().encode("utf-8"))
    except TeamFormatError as error:
        raise TeamError(f"cannot share the session: {error}") from None
    except OSError as error:
        raise TeamError(f"cannot share the session into {one_line(str(membership.path), limit=200)}: {error.strerror or error}") from None
    return Shared(session_id, membership, team_name, folder, replaced, len(copied))


def _line(record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escaped, so the line stays UTF-8 a teammate can read
        return (json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def _shared_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records as the team sees them: redacted again, the member's folders as placeholders."""
    from tutor.redaction.remembering import RememberingRedactor

    # One remembering redactor for the whole journal: a secret it finds in one record, it finds
    # in any encoding in the records after it, as during the session.
    redactor = RememberingRedactor.from_environment()
    places = _own_places(records)
    copied = []
    for record in records:
        if record.get("kind") in LEFT_OUT_KINDS:
            continue
        if record.get("kind") == "session":
            record = _pseudonymous_header(record)
        copied.append(redactor.redact_obj(_replaced(record, places)))
    return copied


def _own_places(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(folder, placeholder) for the folders of this machine a journal names, longest first."""
    places: dict[str, str] = {}
    for record in records:
        if record.get("kind") != "session":
            continue
        for key, placeholder in (("workspace", WORKSPACE), ("repo", REPOSITORY)):
            value = record.get(key)
            if isinstance(value, str) and value.startswith("/") and len(value) > 1:
                places.setdefault(value.rstrip("/"), placeholder)
    home = str(Path.home())
    if len(home) > 1:
        places.setdefault(home.rstrip("/"), "~")
    return sorted(places.items(), key=lambda item: len(item[0]), reverse=True)


def _replaced(value: Any, places: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for folder, placeholder in places:
            if folder in value:
                # The folder itself or a path in it, not a longer name it begins (`/home/al` in `/home/alice`).
                value = re.sub(re.escape(folder) + r"(?![\w.-])", placeholder.replace("\\", r"\\"), value)
        return value
    if isinstance(value, dict):
        return {_replaced(key, places): _replaced(item, places) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, places) for item in value]
    return value


def _pseudonymous_header(record: dict[str, Any]) -> dict[str, Any]:
    """The session record without this machine's paths: the repository by its folder's name alone."""
    header = {key: value for key, value in record.items() if key not in ("workspace", "shared_objects")}
    repo = record.get("repo")
    if isinstance(repo, str) and repo.startswith("/"):
        header["repo"] = Path(repo).name
    return header


def _info(session_id: str, handle: str, records: list[dict[str, Any]], clock: float | None) -> SharedInfo:
    from tutor import __version__
    from tutor.agent.session import SessionState
    from tutor.record.session_trajectory import stamp

    state = SessionState.from_records(records)
    header = state.info

    def cut(text: str) -> str:
        return text if len(text) <= MAX_SUMMARY_CHARS else text[: MAX_SUMMARY_CHARS - 1] + "…"

    return SharedInfo(
        session=session_id, handle=handle, shared=stamp(clock if clock is not None else time.time()), tutor=__version__,
        mode=header.mode if state.header else "", task=cut(header.task), goal=cut(state.goal or ""),
        started=header.at if state.header else 0.0, tally=cut(state.tally().line()), phase=state.phase,
    )
