"""Tally files (`tutor.tally/1`): how a group answered each ask of one group replay, round by round.

A group replay (a hosted one, `tutor host`, or one room around one screen, `tutor learn
--facilitate`) keeps no one's answers, only their counts: one file per session, at
`tallies/<lesson-id>/<digest12>/<handle>/<session-id>.json`, written by the one member who ran it
(the host or the facilitator), in their team clone or, outside a team, under `$TUTOR_HOME` the
same way (handle `LOCAL_HANDLE`). Round 1 is the first vote, round 2 the revote after a
discussion.

Written by one member, read by every other: `parse_tally` treats the file as hostile, as
`tutor.team.results.parse_result` does a result file. It is bounded (`MAX_TALLY_BYTES`), every
field is checked for type and range, each count's label must be one its ask type can have, the
counts of a categorical ask must add up to its `n`, an unknown `format` is refused, unknown extra
fields are ignored, and every refusal is one `TeamFormatError` line naming the file and the
field. `load_tallies` walks a folder's `tallies/` following no link and keeps a file only when its
content agrees with its path. The schema is in `docs/team-format.md` ("Tallies").
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tutor.lesson.limits import size_text
from tutor.lesson.taxonomy import AskType, Category
from tutor.lesson.io import write_atomic
from tutor.lesson.untrusted import one_line

from .folder import TeamFormatError, TeamLayout, is_digest
from .results import _Fields, _is_timestamp, _refuse_constant
from .sessions import own_folder, read_team_file
from .walk import Placed, placed_files

TALLY_FORMAT = "tutor.tally/1"
TALLIES_FOLDER = "tallies"
TALLY_SUFFIX = ".json"
MAX_TALLY_BYTES = 1024 * 1024
MAX_TALLY_ASKS = 1000  # as a result file's answers
MAX_ROUNDS = 2  # the first vote and the revote
MAX_COUNT = 100_000  # people in one room or on one call, and far past it
MAX_OPTION_INDEX = 999  # a choice's options, from 0 (as a result file's `choice`)
MAX_TALLY_FILES = 100_000  # per folder; past that, a note and a stop
LOCAL_HANDLE = "local"  # whose tallies lie under $TUTOR_HOME/tallies/: the one person on this machine

# The labels a round's counts are kept under, by ask type (a goal's round has none: only `n`).
WORKS = "works"
FAILS = "fails"
LET_RUN = "let it run"
STEP_IN = "step in"
_STEP_IN_AS = "step in: "
_OPTION = "option "


class TallyMode(str, Enum):
    HOSTED = "hosted"  # `tutor host`: each participant answered on their own terminal
    FACILITATED = "facilitated"  # `tutor learn --facilitate`: a facilitator counted the room


def outcome_label(works: bool) -> str:
    return WORKS if works else FAILS


def choice_label(index: int) -> str:
    """`option 0`, `option 1`, …: a choice's options from 0, as a result file's `choice`."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_OPTION_INDEX:
        raise TeamFormatError(f"not an option index (0 to {MAX_OPTION_INDEX}): {index!r}")
    return f"{_OPTION}{index}"


def intervene_label(intervene: bool, category: Category | None = None) -> str:
    """`let it run`, `step in`, or `step in: <category>` when the category is known."""
    if not intervene:
        return LET_RUN
    return STEP_IN if category is None else f"{_STEP_IN_AS}{Category(category).value}"


def ask_labels(ask_type: AskType, *, options: int = 0, categories: Iterable[Category] = ()) -> tuple[str, ...]:
    """Every label an ask of `ask_type` is counted under, in the order a form shows them: a choice's
    `options` options; an intervene ask's `let it run`, then `step in: <category>` for each of
    `categories` (or plain `step in` when none is given). A goal has none."""
    if ask_type is AskType.OUTCOME:
        return (WORKS, FAILS)
    if ask_type is AskType.CHOICE:
        return tuple(choice_label(index) for index in range(min(options, MAX_OPTION_INDEX + 1)))
    if ask_type is AskType.INTERVENE:
        chosen = list(dict.fromkeys(Category(category) for category in categories))
        return (LET_RUN, *(intervene_label(True, category) for category in chosen)) if chosen else (LET_RUN, STEP_IN)
    return ()


@dataclass(frozen=True)
class ReadLabel:
    """What one label says: an outcome's call, a choice's option, or an intervene ask's decision and category."""

    works: bool | None = None
    choice: int | None = None
    intervene: bool | None = None
    category: Category | None = None


def read_label(ask_type: AskType, label: str) -> ReadLabel | None:
    """The answer a label stands for under `ask_type`; None when an ask of that type has no such label."""
    if ask_type is AskType.OUTCOME and label in (WORKS, FAILS):
        return ReadLabel(works=label == WORKS)
    if ask_type is AskType.CHOICE and label.startswith(_OPTION):
        digits = label[len(_OPTION):]
        # Digits only, no sign, no leading zero, no other script's digits: one spelling per option.
        if digits.isascii() and digits.isdigit() and (digits == "0" or not digits.startswith("0")) and len(digits) <= 3:
            return ReadLabel(choice=int(digits))
        return None
    if ask_type is AskType.INTERVENE:
        if label == LET_RUN:
            return ReadLabel(intervene=False)
        if label == STEP_IN:
            return ReadLabel(intervene=True)
        if label.startswith(_STEP_IN_AS) and label[len(_STEP_IN_AS):] in {category.value for category in Category}:
            return ReadLabel(intervene=True, category=Category(label[len(_STEP_IN_AS):]))
    return None


@dataclass(frozen=True)
class TallyRound:
    """One round of votes on one ask: `n` answered, and how many gave each answer (a goal: none)."""

    round: int  # 1 the first vote, 2 the revote
    n: int
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TallyAsk:
    step: str  # the step id
    type: AskType
    rounds: tuple[TallyRound, ...]  # round 1, then round 2 when there was a revote

    def round(self, number: int) -> TallyRound | None:
        return next((held for held in self.rounds if held.round == number), None)


@dataclass(frozen=True)
class TallyFile:
    lesson: str  # the lesson id
    digest: str  # the lesson's digest, 64 hex digits: tallies are pooled by version, as results
    handle: str  # the host's or facilitator's handle in the team (`LOCAL_HANDLE` outside one)
    session: str  # the session id
    mode: TallyMode
    started: str  # ISO 8601 with a UTC offset
    finished: str | None  # when the session ended; None while it runs (the file is saved at each reveal)
    participants: int  # how many took part: joined the hosted session, or were counted in the room
    asks: tuple[TallyAsk, ...]  # in lesson order, each ask revealed so far

    def ask(self, step: str) -> TallyAsk | None:
        return next((held for held in self.asks if held.step == step), None)


def new_session_id(now: datetime | None = None) -> str:
    """A session id: the UTC time and 6 random hex digits (as an attempt id), a safe slug."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)


def timestamp(now: datetime | None = None) -> str:
    """`started` and `finished` as this module writes them: ISO 8601 in UTC, to the second."""
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def tally_path(root: Path, tally: TallyFile) -> Path:
    """`tallies/<lesson-id>/<digest12>/<handle>/<session-id>.json` under `root` (a team folder or
    `$TUTOR_HOME`); refuses any unsafe component."""
    return TeamLayout(root).tally_path(tally.lesson, tally.digest, tally.handle, tally.session)


def _round_data(held: TallyRound) -> dict[str, Any]:
    return {"round": held.round, "n": held.n, "counts": dict(held.counts)}


def to_json(tally: TallyFile) -> str:
    """The file's text: keys in the documented order, UTF-8 as is, one newline at the end."""
    data = {
        "format": TALLY_FORMAT,
        "lesson": tally.lesson,
        "digest": tally.digest,
        "handle": tally.handle,
        "session": tally.session,
        "mode": tally.mode.value,
        "started": tally.started,
        "finished": tally.finished,
        "participants": tally.participants,
        "asks": [
            {"step": ask.step, "type": ask.type.value, "rounds": [_round_data(held) for held in ask.rounds]}
            for ask in tally.asks
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_tally(root: Path, tally: TallyFile) -> Path:
    """Write `tally` to its path under `root` (a team clone or `$TUTOR_HOME`) and return the path.

    Checked first as any reader checks it (a file no teammate can read is never written); `root`
    is made when missing (a first run's `$TUTOR_HOME`), the folders below it a component at a time
    and never through a link (a teammate may commit one where this member writes); the file is
    replaced atomically, so a crash between two saves leaves the previous one whole. Raises
    `TeamFormatError` (one line) or `OSError`.
    """
    text = to_json(tally)
    path = tally_path(root, tally)
    parse_tally(text, source=str(path))
    root.mkdir(parents=True, exist_ok=True)
    own_folder(root, *path.parent.relative_to(root).parts)
    write_atomic(path, text.encode("utf-8"))
    return path


# -- reading


def _whole(fields: _Fields, key: str, high: int) -> int:
    value: int = fields.whole(key, 0, high)
    return value


def _round(data: object, where: str, path: str, ask_type: AskType, number: int) -> TallyRound:
    fields = _Fields(data, where, path)
    held = fields.get("round")
    if isinstance(held, bool) or held != number:
        fields.fail(fields.name("round"), f"must be {number} (rounds are numbered from 1, in order)")
    n = _whole(fields, "n", MAX_COUNT)
    counts = fields.get("counts")
    if not isinstance(counts, dict):
        fields.fail(fields.name("counts"), "must be an object of label: count")
    if ask_type is AskType.GOAL and counts:
        fields.fail(fields.name("counts"), "must be empty for a goal ask (a goal's round counts only n)")
    kept: dict[str, int] = {}
    for label, count in counts.items():
        if read_label(ask_type, label) is None:
            fields.fail(fields.name("counts"), f"{one_line(label, limit=60)!r} is not a label of a {ask_type.value} ask")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
            fields.fail(f"{fields.name('counts')}.{one_line(label, limit=60)}", f"must be a whole number from 0 to {MAX_COUNT}")
        kept[label] = count
    if ask_type is not AskType.GOAL and sum(kept.values()) != n:
        fields.fail(fields.name("counts"), f"add up to {sum(kept.values())}, not its n ({n})")
    return TallyRound(round=number, n=n, counts=kept)


def _ask(data: object, where: str, path: str) -> TallyAsk:
    fields = _Fields(data, where, path)
    step = fields.slug("step")
    ask_type: AskType = fields.choice_of("type", AskType, nullable=False)
    rounds = fields.get("rounds")
    if not isinstance(rounds, list) or not 1 <= len(rounds) <= MAX_ROUNDS:
        fields.fail(fields.name("rounds"), f"must be a list of 1 to {MAX_ROUNDS} rounds")
    return TallyAsk(
        step=step,
        type=ask_type,
        rounds=tuple(_round(held, where, f"{fields.name('rounds')}[{i}]", ask_type, i + 1) for i, held in enumerate(rounds)),
    )


def parse_tally(text: str | bytes, *, source: str) -> TallyFile:
    """A tally file's content (at most `MAX_TALLY_BYTES`) as a `TallyFile`; `source` names it in errors."""
    where = one_line(str(source), limit=200)
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(raw) > MAX_TALLY_BYTES:
        raise TeamFormatError(f"{where}: larger than {size_text(MAX_TALLY_BYTES)}; refusing to read it")
    try:
        decoded = raw.decode("utf-8").removeprefix("\ufeff")  # a file written by hand on Windows
    except UnicodeDecodeError:
        raise TeamFormatError(f"{where}: not UTF-8 text") from None
    try:
        data = json.loads(decoded, parse_constant=_refuse_constant)
    except RecursionError:
        raise TeamFormatError(f"{where}: nested too deeply to be a tally file") from None
    except ValueError as error:  # JSONDecodeError, NaN, an integer too long to convert
        raise TeamFormatError(f"{where}: not valid JSON: {one_line(str(error), limit=200)}") from None
    fields = _Fields(data, where, "")
    if fields.get("format", optional=True) != TALLY_FORMAT:
        shown = fields.data.get("format")
        shown_text = one_line(shown, limit=60) if isinstance(shown, str) else json.dumps(shown)[:60]
        fields.fail("format", f"is {shown_text!r}; this Tutor reads {TALLY_FORMAT}")
    lesson = fields.slug("lesson")
    digest = fields.get("digest")
    if not is_digest(digest):
        fields.fail("digest", "must be 64 lowercase hex digits (the lesson's sha256 digest)")
    handle = fields.slug("handle")
    session = fields.slug("session")
    mode_text = fields.get("mode")
    if mode_text not in {mode.value for mode in TallyMode}:
        fields.fail("mode", "must be one of " + ", ".join(mode.value for mode in TallyMode))
    mode = TallyMode(mode_text)
    started = fields.get("started")
    if not isinstance(started, str) or len(started) > 64 or not _is_timestamp(started):
        fields.fail("started", "must be an ISO 8601 date and time with a UTC offset")
    finished = fields.get("finished", optional=True)
    if finished is not None and (not isinstance(finished, str) or len(finished) > 64 or not _is_timestamp(finished)):
        fields.fail("finished", "must be an ISO 8601 date and time with a UTC offset, or null while the session runs")
    participants = _whole(fields, "participants", MAX_COUNT)
    asks = fields.get("asks")
    if not isinstance(asks, list) or len(asks) > MAX_TALLY_ASKS:
        fields.fail("asks", f"must be a list of at most {MAX_TALLY_ASKS} objects")
    parsed = tuple(_ask(ask, where, f"asks[{i}]") for i, ask in enumerate(asks))
    steps = [ask.step for ask in parsed]
    if len(set(steps)) != len(steps):
        repeated = next(step for step in steps if steps.count(step) > 1)
        fields.fail("asks", f"step {repeated!r} is tallied twice (one entry per ask)")
    return TallyFile(
        lesson=lesson,
        digest=digest,
        handle=handle,
        session=session,
        mode=mode,
        started=started,
        finished=finished,
        participants=participants,
        asks=parsed,
    )


def read_tally(root: Path, path: Path) -> TallyFile:
    """The tally file at `path` in the folder `root`: a regular file reached through no link, bounded."""
    raw = read_team_file(root, path, limit=MAX_TALLY_BYTES, name="a tally file")
    try:
        shown: Path | str = path.relative_to(root)
    except ValueError:
        shown = path
    return parse_tally(raw, source=str(shown))


# -- every tally in a folder


@dataclass
class TallyPool:
    """The tally files read from one folder, and one line per file refused."""

    tallies: list[TallyFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def versions(self) -> dict[tuple[str, str], list[TallyFile]]:
        """The tallies grouped by (lesson id, digest), each group oldest session first: never two
        versions of a lesson mixed."""
        grouped: dict[tuple[str, str], list[TallyFile]] = {}
        for tally in sorted(self.tallies, key=_order):
            grouped.setdefault((tally.lesson, tally.digest), []).append(tally)
        return grouped


def _order(tally: TallyFile) -> tuple[datetime, str, str]:
    """When a session started (as a moment: offsets differ between members), then who ran it and its id."""
    return datetime.fromisoformat(tally.started).astimezone(UTC), tally.handle, tally.session


def load_tallies(root: str | os.PathLike[str], *, lesson: str | None = None, handle: str | None = None) -> TallyPool:
    """The tally files under `root`'s `tallies/` (only lesson `lesson`'s, or `handle`'s, when given).

    `root` is a team folder or `$TUTOR_HOME`. The walk follows no link (a folder that is one is
    passed over; a file that is one, or lies below one, is refused) and reads at most
    `MAX_TALLY_FILES` files.
    """
    layout = TeamLayout(Path(root))
    pool = TallyPool()
    if os.path.islink(layout.tallies):
        pool.problems.append(f"{TALLIES_FOLDER}: is a symbolic link; Tutor reads through no link in the team folder")
        return pool
    for seen, placed in enumerate(placed_files(layout.tallies, TALLY_SUFFIX, lesson=lesson, handle=handle), 1):
        if seen > MAX_TALLY_FILES:
            pool.problems.append(f"{TALLIES_FOLDER}: more than {MAX_TALLY_FILES} tally files; read the first {MAX_TALLY_FILES}")
            break
        _read_one(pool, layout.root, placed)
    return pool


def _read_one(pool: TallyPool, root: Path, placed: Placed) -> None:
    where = one_line(str(placed.path.relative_to(root)), limit=200)
    if not placed.safe:
        pool.problems.append(f"{where}: not a tally path (tallies/<lesson>/<digest12>/<handle>/<session>.json), skipped")
        return
    try:
        tally = read_tally(root, placed.path)
    except TeamFormatError as error:
        pool.problems.append(f"{error}, skipped")
        return
    mismatch = placed.differences(tally.lesson, tally.digest, tally.handle, ("session", tally.session))
    if mismatch:
        pool.problems.append(f"{where}: its {', '.join(mismatch)} differ from its path, skipped")
        return
    pool.tallies.append(tally)
