"""The team folder: `team.toml`, the paths inside it, and members' pseudonymous handles.

```
<team>/
  team.toml      name, min_group (default 3), share_words (default false)
  curricula/     the team's lessons
  results/<lesson-id>/<digest12>/<handle>/<attempt-id>.json   one file per learner per attempt
  sessions/<handle>/<session-id>/                             one member's shared session
  reviews/       one file per reviewer
  tallies/<lesson-id>/<digest12>/<handle>/<session-id>.json   one group replay's counts (tutor.team.tallies)
```

No file has two writers: every path a member writes names that member's handle. Each path
component taken from data (a lesson id, a handle, an attempt id) must be a safe slug
(`is_safe_slug`) before it becomes part of a path: result files come from other members and
are hostile.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import tomllib
from pathlib import Path

import msgspec

from tutor.errors import UserError
from tutor.lesson.limits import Refused, problem_text, read_regular
from tutor.lesson.untrusted import one_line

DEFAULT_MIN_GROUP = 3
MAX_TEAM_TOML_BYTES = 64 * 1024
MAX_TEAM_NAME_CHARS = 200
MAX_MIN_GROUP = 1000
MAX_SLUG_CHARS = 120  # as a lesson id (tutor.lesson.models.Slug)

# A lesson id's shape (tutor.lesson.models.SLUG_PATTERN): lowercase letters, digits and `-`,
# starting with a letter or digit. So no `/`, no `..`, no hidden name, no control character,
# no option-like leading `-`, and the same path on a case-insensitive file system.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_HEX = re.compile(r"[0-9a-f]{64}")


class TeamFormatError(UserError):
    """A team file (team.toml, a result file) that is missing or not in the documented format; one line."""


def is_safe_slug(text: object) -> bool:
    """Whether `text` may be one component of a path in the team folder (see `_SLUG`)."""
    return isinstance(text, str) and len(text) <= MAX_SLUG_CHARS and _SLUG.fullmatch(text) is not None


def is_digest(text: object) -> bool:
    """A lesson digest: 64 lowercase hex digits (sha256, `tutor.lesson.lesson_digest`)."""
    return isinstance(text, str) and _HEX.fullmatch(text) is not None


def digest12(digest: str) -> str:
    """The folder name of one version of a lesson: the first 12 hex digits of its digest."""
    if not is_digest(digest):
        raise TeamFormatError(f"not a lesson digest (64 lowercase hex digits): {one_line(str(digest), limit=80)}")
    return digest[:12]


def new_handle() -> str:
    """A new random handle for one member in one team: `m-` and 8 base32 characters (40 bits).

    Random, not derived from a name, an email or a machine, so a handle says nothing about
    who holds it and cannot be worked back; new for each team, so two teams' folders cannot
    be joined on it. 40 bits make a clash within one team negligible while staying short
    enough to read aloud. Lowercase base32 (letters and 2-7) is a safe slug.
    """
    return "m-" + base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


class TeamConfig(msgspec.Struct, frozen=True):
    """`team.toml`: the team's name, the smallest group a distribution is shown for, and
    whether members' own words may be shared (each member still opts in)."""

    name: str
    min_group: int = DEFAULT_MIN_GROUP
    share_words: bool = False

    def __post_init__(self) -> None:
        problem = _name_problem(self.name) or _min_group_problem(self.min_group)
        if problem is None and not isinstance(self.share_words, bool):
            problem = "share_words must be true or false"
        if problem is not None:
            raise TeamFormatError(f"team.toml: {problem}")


def _name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "name must be a non-empty string"
    if len(name) > MAX_TEAM_NAME_CHARS:
        return f"name is longer than {MAX_TEAM_NAME_CHARS} characters"
    if any(0xD800 <= ord(char) <= 0xDFFF for char in name):
        return "name holds a lone surrogate, which is not text"
    return None


def _min_group_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MIN_GROUP:
        return f"min_group must be a whole number from 1 to {MAX_MIN_GROUP}"
    return None


def toml_string(text: str) -> str:
    """A TOML basic string: `"` and `\\` escaped, control characters (and DEL) as `\\uXXXX`."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def team_toml(config: TeamConfig) -> str:
    """The text of `team.toml` for `config`."""
    return (
        "# The team folder's settings: docs/team-format.md.\n"
        f"name = {toml_string(config.name)}\n"
        f"min_group = {config.min_group}\n"
        f"share_words = {'true' if config.share_words else 'false'}\n"
    )


def parse_team_toml(text: str, *, source: str = "team.toml") -> TeamConfig:
    """`team.toml`'s text as a `TeamConfig`; unknown keys are ignored (a newer Tutor's)."""
    where = one_line(source, limit=200)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TeamFormatError(f"{where}: not valid TOML: {one_line(str(error), limit=200)}") from None
    name = data.get("name")
    min_group = data.get("min_group", DEFAULT_MIN_GROUP)
    share_words = data.get("share_words", False)
    problem = _name_problem(name) or _min_group_problem(min_group)
    if problem is None and not isinstance(share_words, bool):
        problem = "share_words must be true or false"
    if problem is not None:
        raise TeamFormatError(f"{where}: {problem}")
    assert isinstance(name, str) and isinstance(min_group, int)
    return TeamConfig(name=name, min_group=min_group, share_words=share_words)


def read_team_config(team: str | os.PathLike[str]) -> TeamConfig:
    """The `team.toml` of the team folder `team`: a regular file of at most `MAX_TEAM_TOML_BYTES`."""
    path = Path(team) / "team.toml"
    where = one_line(str(path), limit=200)
    try:
        raw = read_regular(path, limit=MAX_TEAM_TOML_BYTES, within=team, name="team.toml", place="the team folder")
    except (Refused, OSError) as error:
        raise TeamFormatError(f"{where}: {problem_text(error)}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TeamFormatError(f"{where}: not UTF-8 text") from None
    return parse_team_toml(text, source=str(path))


def write_team_config(team: str | os.PathLike[str], config: TeamConfig) -> Path:
    """Write `team.toml` into the folder `team` (which must exist); returns its path."""
    path = Path(team) / "team.toml"
    path.write_text(team_toml(config), encoding="utf-8")
    return path


class TeamLayout(msgspec.Struct, frozen=True):
    """The paths of one team folder. Names only: nothing here touches the disk."""

    root: Path

    @property
    def team_toml(self) -> Path:
        return self.root / "team.toml"

    @property
    def curricula(self) -> Path:
        return self.root / "curricula"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def sessions(self) -> Path:
        return self.root / "sessions"

    @property
    def reviews(self) -> Path:
        return self.root / "reviews"

    def lesson_results(self, lesson_id: str, digest: str) -> Path:
        """The folder of every member's results for one version of one lesson (pooled by digest)."""
        _require_slug("lesson id", lesson_id)
        return self.results / lesson_id / digest12(digest)

    def result_path(self, lesson_id: str, digest: str, handle: str, attempt_id: str) -> Path:
        """`results/<lesson-id>/<digest12>/<handle>/<attempt-id>.json`; refuses any unsafe component."""
        _require_slug("handle", handle)
        _require_slug("attempt id", attempt_id)
        return self.lesson_results(lesson_id, digest) / handle / f"{attempt_id}.json"

    @property
    def tallies(self) -> Path:
        return self.root / "tallies"

    def tally_path(self, lesson_id: str, digest: str, handle: str, session_id: str) -> Path:
        """`tallies/<lesson-id>/<digest12>/<handle>/<session-id>.json`: one group replay's tally
        (`tutor.team.tallies`); refuses any unsafe component."""
        _require_slug("lesson id", lesson_id)
        _require_slug("handle", handle)
        _require_slug("session id", session_id)
        return self.tallies / lesson_id / digest12(digest) / handle / f"{session_id}.json"

    def session_dir(self, handle: str, session_id: str) -> Path:
        """`sessions/<handle>/<session-id>/`: one member's shared session."""
        _require_slug("handle", handle)
        _require_slug("session id", session_id)
        return self.sessions / handle / session_id


def _require_slug(what: str, text: str) -> None:
    if not is_safe_slug(text):
        shown = one_line(text, limit=80) if isinstance(text, str) else type(text).__name__
        raise TeamFormatError(f"unsafe {what} for a team path: {shown!r} (lowercase letters, digits and '-', at most {MAX_SLUG_CHARS})")


def team_root_of(curriculum: Path) -> Path | None:
    """The team folder a curriculum belongs to: `<team>/curricula` itself, or a folder in it, with
    a `team.toml` beside `curricula/`; None for any other curriculum."""
    if curriculum.name == "curricula" and (curriculum.parent / "team.toml").is_file():
        return curriculum.parent
    if curriculum.parent.name == "curricula" and (curriculum.parent.parent / "team.toml").is_file():
        return curriculum.parent.parent
    return None
