"""One room, one screen (`tutor learn LESSON --facilitate`): a lesson replayed for a group around
one projector, the facilitator entering the room's answers as counts.

The lesson plays as in solo replay (the same engine, `tutor.learn.Replay`, so nothing of a hidden
step is on screen before its reveal), but nobody's answer is kept or graded: at each ask the room
answers (hands, cards, whatever the room uses), the facilitator enters how many gave each answer,
may take a second round after a discussion, and then reveals the senior's step. Each ask goes
through the phases a hosted group replay's do (`docs/group-replay.md`): `open` (round 1 being
counted) -> `closed` -> (`discuss` -> `revote-open` -> `revote-closed`) -> `revealed`.

The counts are a tally file (`tutor.team.tallies`, mode `facilitated`), saved after each reveal
and when the session ends: into the facilitator's team clone when they name a team or are in
exactly one (then `tutor team sync` shares it and `tutor team report` shows the revotes), else
under `$TUTOR_HOME/tallies/`. No Textual here: the screen is `tutor.ui.screens.facilitate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tutor.errors import UserError
from tutor.group import Distribution
from tutor.learn import AskFrame, Replay, ReplayError, StepFrame, View
from tutor.lesson import AskType, Lesson, lesson_digest
from tutor.lesson.untrusted import one_line
from tutor.team import DEFAULT_MIN_GROUP, TeamFormatError, read_team_config
from tutor.team.tallies import (
    LET_RUN,
    LOCAL_HANDLE,
    MAX_COUNT,
    STEP_IN,
    TallyAsk,
    TallyFile,
    TallyMode,
    TallyRound,
    ask_labels,
    new_session_id,
    read_label,
    tally_path,
    timestamp,
    write_tally,
)

# The phases of an ask, in the words of the group replay protocol (NO_ASK: the frame is no ask).
NO_ASK = ""
OPEN = "open"
CLOSED = "closed"
DISCUSS = "discuss"
REVOTE_OPEN = "revote-open"
REVOTE_CLOSED = "revote-closed"
REVEALED = "revealed"
COUNTING = (OPEN, REVOTE_OPEN)


class CountError(UserError):
    """Counts the facilitator entered that cannot be a round's tally; one line saying what to fix."""


# -- where the tallies go


@dataclass(frozen=True)
class TallyPlace:
    """Where a session's tally file is written: a team clone under the member's handle, or this
    machine's `$TUTOR_HOME` under `local`; and the smallest group a spread is shown for."""

    root: Path
    handle: str
    team: str | None  # the team's name; None: this machine only
    min_group: int = DEFAULT_MIN_GROUP
    note: str = ""  # one line for the screen when the place is not the obvious one

    @property
    def where(self) -> str:
        if self.team is not None:
            return f"the team {self.team} (in its clone at {self.root}: `tutor team sync` shares them)"
        return f"this machine only ({self.root / 'tallies'})"


def tally_place(team: str | None = None) -> TallyPlace:
    """Where to save: the team `team` names (`--team`, as `tutor team` commands take it), else the
    only team joined, else `$TUTOR_HOME`. A wrong `--team` is one line (`TeamError`)."""
    from tutor import paths
    from tutor.settings import load_teams

    from .team import resolve_team

    if team is not None:
        membership = resolve_team(team)
    else:
        teams = load_teams()
        if len(teams) != 1:
            note = "" if not teams else f"You are in {len(teams)} teams: the counts stay on this machine (--team NAME saves them into one)."
            return TallyPlace(paths.home(), LOCAL_HANDLE, None, note=note)
        membership = teams[0]
    try:
        config = read_team_config(membership.path)
    except TeamFormatError as error:
        problem = f"cannot read the team at {one_line(str(membership.path), limit=200)}: {error}"
        if team is None:  # not asked for by name: the session still runs, its counts kept here
            return TallyPlace(paths.home(), LOCAL_HANDLE, None, note=f"The counts stay on this machine: {problem}")
        from .team import TeamError

        raise TeamError(problem) from None
    return TallyPlace(membership.path, membership.handle, config.name, min_group=config.min_group)


# -- what the screen shows


@dataclass(frozen=True)
class FacilitationView:
    replay: View  # the frame on screen (the task, a question, a revealed step, the end), as solo replay has it
    phase: str  # the ask's phase (OPEN, CLOSED, …, REVEALED); NO_ASK when the frame is no ask
    ask_type: AskType | None  # the ask's type at the frame, when there is one
    labels: tuple[str, ...]  # the answers a round of this ask is counted under (a goal: none, only n)
    round: int  # the round counted now, or last (0: none yet)
    first: Distribution | None  # the first vote's spread as a hosted replay's (`counts` None when hidden: fewer than min_group)
    second: Distribution | None  # the revote's
    min_group: int
    saved: Path | None  # where the tally was last saved
    problem: str | None  # why the last save failed (the counts are kept and saved again with the next)
    tallied: int  # asks with counts so far
    revotes: int  # asks with a second round

    @property
    def counting(self) -> bool:
        return self.phase in COUNTING


def form_labels(frame: AskFrame) -> tuple[str, ...]:
    """The answers the room's count is asked for: an intervene ask's `step in` is there with no
    category too (the room need not agree on one)."""
    if frame.ask_type is AskType.INTERVENE:
        return (LET_RUN, STEP_IN, *ask_labels(frame.ask_type, categories=frame.categories)[1:])
    return ask_labels(frame.ask_type, options=len(frame.options))


@dataclass
class _AskTally:
    type: AskType
    phase: str = OPEN
    rounds: list[TallyRound] = field(default_factory=list)


class Facilitation:
    """One facilitated session: the replay, the room's counts per ask and round, and their file."""

    def __init__(self, lesson: Lesson, place: TallyPlace, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.digest = lesson_digest(lesson)
        self.replay = Replay(lesson, digest=self.digest)  # nothing saved to progress: no one's attempt
        self.lesson = self.replay.lesson
        self.place = place
        self._now = now
        self.session = new_session_id(now())
        self.started = timestamp(now())
        self.finished: str | None = None
        self._asks: dict[str, _AskTally] = {}  # by step id
        self.saved: Path | None = None
        self.problem: str | None = None

    # -- where we are

    def _step_id(self) -> str | None:
        index = self.replay.current_step_index()
        return self.lesson.steps[index].id if index is not None else None

    def _current(self) -> _AskTally | None:
        """The tally of the ask at the frame (opened the first time its question is shown)."""
        view = self.replay.view()
        step_id = self._step_id()
        if step_id is None:
            return None
        if isinstance(view.frame, AskFrame):
            return self._asks.setdefault(step_id, _AskTally(view.frame.ask_type))
        return self._asks.get(step_id)

    def view(self) -> FacilitationView:
        view = self.replay.view()
        held = self._current()
        phase = NO_ASK
        if isinstance(view.frame, AskFrame) and held is not None:
            phase = held.phase
        elif isinstance(view.frame, StepFrame) and view.frame.step.ask is not None:
            phase = REVEALED
        labels: tuple[str, ...] = ()
        if isinstance(view.frame, AskFrame):
            labels = form_labels(view.frame)
        rounds = held.rounds if held is not None else []
        return FacilitationView(
            replay=view,
            phase=phase,
            ask_type=held.type if held is not None and phase != NO_ASK else None,
            labels=labels,
            round=2 if phase in (REVOTE_OPEN, REVOTE_CLOSED) else len(rounds),
            first=self._shown(rounds[0], view.cursor) if rounds else None,
            second=self._shown(rounds[1], view.cursor) if len(rounds) > 1 else None,
            min_group=self.place.min_group,
            saved=self.saved,
            problem=self.problem,
            tallied=sum(1 for tally in self._asks.values() if tally.rounds),
            revotes=sum(1 for tally in self._asks.values() if len(tally.rounds) > 1),
        )

    def _shown(self, held: TallyRound, number: int) -> Distribution:
        """A round as every group replay screen shows it: no counts below the team's minimum group."""
        hidden = held.n < self.place.min_group
        return Distribution(step=number, round=held.round, n=held.n, counts=None if hidden else tuple(held.counts.items()))

    def entered(self) -> Mapping[str, int] | None:
        """The counts of the round being counted again, to fill the form with (a goal's as `{"n": …}`);
        None when the round is counted for the first time."""
        held = self._current()
        if held is None or held.phase not in COUNTING:
            return None
        number = 1 if held.phase == OPEN else 2
        if len(held.rounds) < number:
            return None
        counted = held.rounds[number - 1]
        return {"n": counted.n} if held.type is AskType.GOAL else dict(counted.counts)

    # -- the facilitator's moves

    def _ask(self, *phases: str) -> _AskTally:
        held = self._current()
        if held is None or not isinstance(self.replay.view().frame, AskFrame):
            raise ReplayError("there is no open question here")
        if held.phase not in phases:
            raise ReplayError(f"not now: the question is {held.phase.replace('-', ' ')}")
        return held

    def record(self, counts: Mapping[str, int], *, n: int | None = None) -> None:
        """The room's answers in the round being counted: how many gave each answer (a goal: `n`,
        how many wrote one). Closes the round. Raises `CountError` (one line) for counts that cannot be."""
        held = self._ask(OPEN, REVOTE_OPEN)
        number = 1 if held.phase == OPEN else 2
        kept = _checked(held.type, counts, n)
        total = n if held.type is AskType.GOAL and n is not None else sum(kept.values())
        counted = TallyRound(round=number, n=total, counts=kept)
        held.rounds[number - 1:] = [counted]
        held.phase = CLOSED if number == 1 else REVOTE_CLOSED

    def count_again(self) -> None:
        """Open the round just counted again (a count mistyped, a late hand): its counts are replaced when recorded."""
        held = self._ask(CLOSED, REVOTE_CLOSED)
        held.phase = OPEN if held.phase == CLOSED else REVOTE_OPEN

    def discuss(self) -> None:
        """After the first round: the room talks (to someone who answered differently) before a revote."""
        self._ask(CLOSED).phase = DISCUSS

    def revote(self) -> None:
        self._ask(DISCUSS).phase = REVOTE_OPEN

    def reveal(self) -> None:
        """Show the senior's step: after the first round or the revote, or without counting (nothing tallied)."""
        held = self._ask(OPEN, CLOSED, DISCUSS, REVOTE_OPEN, REVOTE_CLOSED)
        self.replay.skip()  # reveals the step; the engine's grade of "no answer" is never shown or kept
        held.phase = REVEALED
        self.save()

    def next(self) -> None:
        self.replay.next()
        if self.replay.finished:
            self.end()

    def back(self) -> None:
        self.replay.back()

    def go(self, cursor: int) -> None:
        self.replay.go(cursor)

    def end(self) -> None:
        """The session is over (the last step passed, or the facilitator left): saved with its end time."""
        if self.finished is None:
            self.finished = timestamp(self._now())
        self.save()

    # -- the tally file

    def tally(self) -> TallyFile:
        asks = tuple(
            TallyAsk(step.id, self._asks[step.id].type, tuple(self._asks[step.id].rounds))
            for step in self.lesson.steps
            if step.id in self._asks and self._asks[step.id].rounds
        )
        largest = max((held.n for ask in asks for held in ask.rounds), default=0)
        return TallyFile(
            lesson=self.lesson.id,
            digest=self.digest,
            handle=self.place.handle,
            session=self.session,
            mode=TallyMode.FACILITATED,
            started=self.started,
            finished=self.finished,
            participants=largest,  # the room: as many as ever answered one round
            asks=asks,
        )

    @property
    def path(self) -> Path:
        return tally_path(self.place.root, self.tally())

    def save(self) -> Path | None:
        """Write the tally file (nothing while no ask is counted). A failure is kept as one line on the
        view and the next save tries again: the counts stay in memory."""
        tally = self.tally()
        if not tally.asks:
            return None
        try:
            self.saved = write_tally(self.place.root, tally)
        except TeamFormatError as error:
            self.problem = f"The tally was not saved: {error}"
            return None
        except OSError as error:
            self.problem = f"The tally was not saved: {one_line(str(self.path), limit=200)}: {error.strerror or error}"
            return None
        self.problem = None
        return self.saved


def _checked(ask_type: AskType, counts: Mapping[str, int], n: int | None) -> dict[str, int]:
    """The counts of one round, each a label of the ask and a whole number; zeros left out."""
    if ask_type is AskType.GOAL:
        if n is None or isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_COUNT:
            raise CountError(f"enter how many wrote a goal: a whole number from 0 to {MAX_COUNT}")
        return {}
    kept: dict[str, int] = {}
    for label, count in counts.items():
        if read_label(ask_type, label) is None:
            raise CountError(f"{one_line(label, limit=60)!r} is not an answer to this question")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
            raise CountError(f"{label}: enter a whole number from 0 to {MAX_COUNT}")
        if count:
            kept[label] = count
    if sum(kept.values()) > MAX_COUNT:
        raise CountError(f"more than {MAX_COUNT} answers in one round: check the counts")
    return kept


def read_count(text: str, *, what: str) -> int:
    """A count as typed in the form: blank is 0; else a whole number from 0. One line otherwise."""
    cleaned = text.strip()
    if not cleaned:
        return 0
    if not cleaned.isascii() or not cleaned.isdigit() or int(cleaned) > MAX_COUNT:
        raise CountError(f"{what}: enter a whole number from 0 to {MAX_COUNT}")
    return int(cleaned)


def open_facilitation(folder: Path, team: str | None = None) -> Facilitation:
    """A facilitated session of the lesson in `folder`, its tallies saved where `tally_place(team)`
    says. A broken lesson or a wrong `--team` is one line (`UserError`)."""
    from tutor.lesson import read_lesson

    read = read_lesson(folder)
    if read.lesson is None or read.problems:
        first = str(read.problems[0]) if read.problems else f"{folder}: unreadable"
        more = f" (and {len(read.problems) - 1} more)" if len(read.problems) > 1 else ""
        raise UserError(f"the lesson is broken: {one_line(first, limit=300)}{more}; see `tutor validate`")
    return Facilitation(read.lesson, tally_place(team))
