"""Shared sessions and team reviews in the team folder: their paths, and reading them as hostile.

```
sessions/<handle>/<session-id>/journal.jsonl                  one member's session, redacted
sessions/<handle>/<session-id>/shared.json                    when and with which Tutor it was shared, and its summary
reviews/<reviewer-handle>/<learner-handle>/<session-id>.json  one reviewer's review of one shared session
```

Only the member whose handle a path names writes under it (`tutor team share` the session,
`tutor review-session` the review), so syncing never conflicts. Everything here is read as
another member wrote it: walks never follow a link, a component taken from the folder must be
a safe slug, files are read bounded (`tutor.lesson.limits.read_regular`) and never through a
link, a journal line that is too long, too deep or not a record is skipped with a note, and a
file that is refused is one `TeamFormatError` line. Writing makes the member's own folders one
component at a time and refuses a link a teammate's commit may have put where they write.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.lesson.limits import MAX_RECORD_BYTES, Refused, problem_text, read_regular, size_text
from tutor.lesson.untrusted import one_line
from tutor.lesson.validate import json_depth_exceeds

from .folder import TeamFormatError, TeamLayout, _require_slug, is_safe_slug

SHARED_FORMAT = "tutor.shared-session/1"
JOURNAL_FILE = "journal.jsonl"
SHARED_FILE = "shared.json"
REVIEW_SUFFIX = ".json"
MAX_SHARED_JOURNAL_BYTES = 64 * 1024 * 1024  # a long session with much command output stays well under
MAX_SHARED_RECORD_BYTES = MAX_RECORD_BYTES  # one journal line
MAX_SHARED_RECORD_DEPTH = 64  # a journal record nests about 5 deep; a tool's input a little more
MAX_SHARED_INFO_BYTES = 64 * 1024
MAX_REVIEW_BYTES = 1024 * 1024
MAX_SHARED_SESSIONS = 10_000  # per team folder; past that, a note and a stop
MAX_SUMMARY_CHARS = 4000  # the goal and the task in `shared.json`: a listing shows their first line
MAX_NOTED_LINES = 5  # line numbers named in one note about skipped journal lines


def shared_session_dir(root: Path, handle: str, session_id: str) -> Path:
    """`sessions/<handle>/<session-id>/`; refuses an unsafe component."""
    return TeamLayout(root).session_dir(handle, session_id)


def team_review_path(root: Path, reviewer: str, learner: str, session_id: str) -> Path:
    """`reviews/<reviewer-handle>/<learner-handle>/<session-id>.json`; refuses an unsafe component."""
    _require_slug("reviewer handle", reviewer)
    _require_slug("handle", learner)
    _require_slug("session id", session_id)
    return TeamLayout(root).reviews / reviewer / learner / f"{session_id}{REVIEW_SUFFIX}"


def _shown(root: Path, path: Path) -> str:
    try:
        relative: Path | str = path.relative_to(root)
    except ValueError:
        relative = path
    return one_line(str(relative), limit=200)


# -- walking the folder


@dataclass(frozen=True)
class SharedPlace:
    """Where one member's shared session lies: `sessions/<handle>/<session_id>/` (both safe slugs)."""

    handle: str
    session_id: str
    folder: Path


def _real_folders(path: Path) -> list[os.DirEntry[str]]:
    """The folders directly in `path` that are folders themselves (never a link), by name."""
    try:
        with os.scandir(path) as entries:
            found = [entry for entry in entries if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    return sorted(found, key=lambda entry: entry.name)


def _is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def shared_sessions(root: Path) -> tuple[list[SharedPlace], list[str]]:
    """Every shared session folder under `root`'s `sessions/`, and one line per folder that is not one."""
    layout = TeamLayout(root)
    places: list[SharedPlace] = []
    problems: list[str] = []
    if not _is_real_folder(layout.sessions):
        return places, problems
    for handle_dir in _real_folders(layout.sessions):
        handle_path = Path(handle_dir.path)
        if not is_safe_slug(handle_dir.name):
            problems.append(f"{_shown(root, handle_path)}: not a member's handle (sessions/<handle>/<session-id>/), skipped")
            continue
        for session_dir in _real_folders(handle_path):
            session_path = Path(session_dir.path)
            if not is_safe_slug(session_dir.name):
                problems.append(f"{_shown(root, session_path)}: not a session id (sessions/<handle>/<session-id>/), skipped")
                continue
            if len(places) >= MAX_SHARED_SESSIONS:
                problems.append(f"{_shown(root, layout.sessions)}: more than {MAX_SHARED_SESSIONS} shared sessions; listed the first {MAX_SHARED_SESSIONS}")
                return places, problems
            places.append(SharedPlace(handle_dir.name, session_dir.name, session_path))
    return places, problems


def review_files(root: Path, learner: str, session_id: str) -> tuple[list[tuple[str, Path]], list[str]]:
    """(reviewer handle, path) of every review of `learner`'s shared session `session_id`, and one
    line per place that looks like one but cannot be (a link, an unsafe name)."""
    _require_slug("handle", learner)
    _require_slug("session id", session_id)
    reviews = TeamLayout(root).reviews
    found: list[tuple[str, Path]] = []
    problems: list[str] = []
    if not _is_real_folder(reviews):
        return found, problems
    name = f"{session_id}{REVIEW_SUFFIX}"
    for reviewer_dir in _real_folders(reviews):
        folder = Path(reviewer_dir.path) / learner
        path = folder / name
        if not os.path.lexists(folder):
            continue
        if not is_safe_slug(reviewer_dir.name):
            problems.append(f"{_shown(root, Path(reviewer_dir.path))}: not a reviewer's handle (reviews/<reviewer>/<learner>/<session-id>.json), skipped")
        elif not _is_real_folder(folder):
            problems.append(f"{_shown(root, folder)}: not a folder (a link?); refusing to read reviews through it")
        elif os.path.lexists(path):
            found.append((reviewer_dir.name, path))
    return found, problems


# -- reading


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_team_file(root: Path, path: Path, *, limit: int, name: str) -> bytes:
    """The bytes of `path` in the team folder `root`: a regular file (never a link) of at most `limit` bytes."""
    where = _shown(root, path)
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise TeamFormatError(f"{where}: not in the team folder") from None
    try:
        below = root
        for number, part in enumerate(parts, start=1):
            below = below / part
            mode = os.lstat(below).st_mode
            if stat.S_ISLNK(mode):
                raise TeamFormatError(f"{where}: {_shown(root, below)} is a symbolic link; Tutor reads through no link in the team folder")
            if number < len(parts) and not stat.S_ISDIR(mode):
                raise TeamFormatError(f"{where}: {_shown(root, below)} is not a folder")
        return read_regular(path, limit=limit, within=root, name=name, place="the team folder")
    except (Refused, OSError) as error:
        raise TeamFormatError(f"{where}: {problem_text(error)}") from None


def read_team_json(root: Path, path: Path, *, limit: int, name: str) -> object:
    """The JSON value of `path` (as `read_team_file`); `NaN`, deep nesting and bad UTF-8 refused."""
    raw = read_team_file(root, path, limit=limit, name=name)
    where = _shown(root, path)
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise TeamFormatError(f"{where}: not UTF-8 text") from None
    except RecursionError:
        raise TeamFormatError(f"{where}: nested too deeply") from None
    except ValueError as error:
        raise TeamFormatError(f"{where}: not valid JSON: {one_line(str(error), limit=200)}") from None
    if json_depth_exceeds(value, MAX_SHARED_RECORD_DEPTH):
        raise TeamFormatError(f"{where}: nested deeper than {MAX_SHARED_RECORD_DEPTH} levels")
    return value


@dataclass
class SharedJournal:
    """The records of a shared journal, and one note per kind of line skipped."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _lines_note(numbers: list[int], what: str) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_NOTED_LINES]) + (" …" if len(numbers) > MAX_NOTED_LINES else "")
    return f"skipped {len(numbers)} line{'s' if len(numbers) != 1 else ''} {what} (line {shown})"


def parse_shared_journal(data: bytes) -> SharedJournal:
    """The journal records in `data` (JSON lines split on `\\n`): a line too long, too deep, not JSON
    or not a record is skipped, and each kind of skip is one note naming its first lines."""
    out = SharedJournal()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    skipped: dict[str, list[int]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_SHARED_RECORD_BYTES:
            skipped.setdefault(f"longer than {size_text(MAX_SHARED_RECORD_BYTES)}", []).append(number)
            continue
        try:
            record = json.loads(line.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            skipped.setdefault("that are not JSON", []).append(number)
            continue
        if json_depth_exceeds(record, MAX_SHARED_RECORD_DEPTH):
            skipped.setdefault(f"nested deeper than {MAX_SHARED_RECORD_DEPTH} levels", []).append(number)
            continue
        if not isinstance(record, dict) or not isinstance(record.get("kind"), str):
            skipped.setdefault("that are not journal records", []).append(number)
            continue
        out.records.append(record)
    out.problems = [_lines_note(numbers, what) for what, numbers in skipped.items()]
    return out


def read_shared_journal(root: Path, handle: str, session_id: str) -> SharedJournal:
    """The journal `handle` shared as `session_id` in the team folder `root`, read bounded."""
    path = shared_session_dir(root, handle, session_id) / JOURNAL_FILE
    read = parse_shared_journal(read_team_file(root, path, limit=MAX_SHARED_JOURNAL_BYTES, name="a shared journal"))
    read.problems = [f"{_shown(root, path)}: {problem}" for problem in read.problems]
    return read


# -- shared.json


@dataclass(frozen=True)
class SharedInfo:
    """`shared.json`: who shared the session (a handle), when, with which Tutor, and what the session
    is (so a listing need not read every journal). The journal beside it is the session itself."""

    session: str
    handle: str
    shared: str  # ISO 8601, UTC
    tutor: str  # the Tutor version that shared it
    mode: str = ""  # pair or record
    task: str = ""
    goal: str = ""
    started: float = 0.0  # seconds since the epoch
    tally: str = ""  # the session's tally line, e.g. "4 proposed · 3 ran · 1 corrected"
    phase: str = ""

    def to_json(self) -> str:
        data = {
            "format": SHARED_FORMAT, "session": self.session, "handle": self.handle, "shared": self.shared, "tutor": self.tutor,
            "mode": self.mode, "task": self.task, "goal": self.goal, "started": self.started, "tally": self.tally, "phase": self.phase,
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def parse_shared_info(value: object, *, source: str, handle: str, session_id: str) -> SharedInfo:
    """`shared.json`'s JSON value; its `session` and `handle` must be those of its folder."""
    where = one_line(source, limit=200)
    if not isinstance(value, dict):
        raise TeamFormatError(f"{where}: not a JSON object")
    if value.get("format") != SHARED_FORMAT:
        raise TeamFormatError(f"{where}: format is not {SHARED_FORMAT!r}")
    if value.get("session") != session_id or value.get("handle") != handle:
        raise TeamFormatError(f"{where}: its session or handle differ from its folder's")
    texts: dict[str, str] = {}
    for key in ("shared", "tutor", "mode", "task", "goal", "tally", "phase"):
        text = value.get(key, "")
        if not isinstance(text, str) or len(text) > MAX_SUMMARY_CHARS:
            raise TeamFormatError(f"{where}: {key} must be text of at most {MAX_SUMMARY_CHARS} characters")
        texts[key] = text
    started = value.get("started", 0.0)
    if isinstance(started, bool) or not isinstance(started, int | float) or not math.isfinite(started) or not 0 <= started < 1e11:
        raise TeamFormatError(f"{where}: started must be a time in seconds")
    return SharedInfo(session=session_id, handle=handle, started=float(started), **texts)


def read_shared_info(root: Path, handle: str, session_id: str) -> SharedInfo:
    path = shared_session_dir(root, handle, session_id) / SHARED_FILE
    value = read_team_json(root, path, limit=MAX_SHARED_INFO_BYTES, name=f"a {SHARED_FILE}")
    return parse_shared_info(value, source=_shown(root, path), handle=handle, session_id=session_id)


# -- writing


def own_folder(root: Path, *parts: str) -> Path:
    """`root/parts...`, each folder made where missing; a component that is a link or not a folder is
    refused (a teammate could commit a link where this member writes, to send their files elsewhere)."""
    folder = root
    for part in parts:
        folder = folder / part
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            try:
                folder.mkdir(mode=0o755)
            except OSError as error:
                raise TeamFormatError(f"{one_line(str(folder), limit=200)}: cannot make it ({error.strerror or error})") from None
            continue
        except OSError as error:
            raise TeamFormatError(f"{one_line(str(folder), limit=200)}: {problem_text(error)}") from None
        if not stat.S_ISDIR(info.st_mode):
            what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a folder"
            raise TeamFormatError(f"{one_line(str(folder), limit=200)}: is {what}; Tutor writes only into real folders of the team folder")
    return folder
