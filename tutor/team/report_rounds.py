"""Group replays in the team report: per ask, the first vote and the revote side by side, and how
much the share that agreed with the senior changed after the discussion.

The figures come from tally files (`tutor.team.tallies`), pooled by version like result files: for
each ask, every group session of that version (hosted or facilitated) that took a revote on it adds
its first round to the pooled first vote and its second round to the pooled revote, so the two
columns always count the same rooms. Rules (documented in `docs/team-format.md`, "The team report"):

- A round's spread is hidden when fewer than `min_group` answered it (pooled), like every
  distribution; so is its share that agreed with the senior, and the change.
- *Agreed with the senior*: an outcome's call, a choice's option, an intervene ask's decision
  (step in or let it run, whatever the category: as a result file's `decision_correct`). It needs
  the lesson at hand (found by digest); a goal has none.
- A tally's ask that the version does not ask at, or of another type, is not counted (one problem
  line per version says how many).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tutor.lesson.taxonomy import AskType, Category

from .folder import digest12
from .lesson_facts import AskFacts
from .report import ChoiceSpread, InterveneSpread, OutcomeSpread, Spread
from .tallies import FAILS, LET_RUN, WORKS, TallyFile, TallyMode, read_label


@dataclass(frozen=True)
class RoundFigures:
    """One round of an ask, pooled over the sessions that revoted it."""

    round: int  # 1 the first vote, 2 the revote
    n: int  # answers, summed over the sessions
    hidden: bool  # fewer than min_group answers: no spread, no share
    spread: Spread | None  # None when hidden, and for a goal (only how many wrote one)
    agreed: float | None  # the share of `n` that agreed with the senior; None when hidden, for a goal, or without the lesson


@dataclass(frozen=True)
class Revote:
    """An ask's first vote and revote in the group sessions that took one."""

    sessions: int
    first: RoundFigures
    second: RoundFigures

    @property
    def change(self) -> float | None:
        """How much the share that agreed with the senior moved, from -1 to 1 (None when either is unknown)."""
        if self.first.agreed is None or self.second.agreed is None:
            return None
        return self.second.agreed - self.first.agreed


@dataclass(frozen=True)
class GroupSession:
    """One group replay of the version, as the report lists it (who ran it is not shown)."""

    session: str
    mode: TallyMode
    started: str
    finished: str | None
    participants: int
    asks: int  # asks with at least one round
    revotes: int  # asks with a second round


def group_sessions(tallies: Iterable[TallyFile]) -> tuple[GroupSession, ...]:
    """The sessions, the earliest first."""
    ordered = sorted(tallies, key=lambda tally: (datetime.fromisoformat(tally.started).astimezone(UTC), tally.session))
    return tuple(
        GroupSession(
            session=tally.session,
            mode=tally.mode,
            started=tally.started,
            finished=tally.finished,
            participants=tally.participants,
            asks=len(tally.asks),
            revotes=sum(1 for ask in tally.asks if len(ask.rounds) > 1),
        )
        for tally in ordered
    )


def revotes(
    lesson: str,
    digest: str,
    asks: Sequence[tuple[str, AskType]],
    tallies: Iterable[TallyFile],
    facts: Mapping[str, AskFacts],
    min_group: int,
    problems: list[str],
) -> dict[str, Revote]:
    """Each ask of the version (`asks`: step and type) that some session revoted, by step id."""
    kinds = dict(asks)
    pooled: dict[str, tuple[Counter[str], Counter[str], list[int], list[int]]] = {}
    ignored = 0
    for tally in tallies:
        for ask in tally.asks:
            if kinds.get(ask.step) is not ask.type:
                ignored += 1
                continue
            if len(ask.rounds) < 2:
                continue
            first, second, first_n, second_n = pooled.setdefault(ask.step, (Counter(), Counter(), [], []))
            first.update(ask.rounds[0].counts)
            second.update(ask.rounds[1].counts)
            first_n.append(ask.rounds[0].n)
            second_n.append(ask.rounds[1].n)
    if ignored:
        problems.append(f"tallies/{lesson}/{digest12(digest)}: {ignored} tallied asks name a step this version does not ask at, or of another type: ignored")
    found: dict[str, Revote] = {}
    for step, kind in asks:
        if step not in pooled:
            continue
        first, second, first_n, second_n = pooled[step]
        found[step] = Revote(
            sessions=len(first_n),
            first=_figures(1, kind, first, sum(first_n), facts.get(step), min_group),
            second=_figures(2, kind, second, sum(second_n), facts.get(step), min_group),
        )
    return found


def _figures(number: int, kind: AskType, counts: Counter[str], n: int, facts: AskFacts | None, min_group: int) -> RoundFigures:
    if n < min_group:
        return RoundFigures(number, n, hidden=True, spread=None, agreed=None)
    spread = _spread(kind, counts, facts)
    return RoundFigures(number, n, hidden=False, spread=spread, agreed=_agreed(spread, n))


def _spread(kind: AskType, counts: Counter[str], facts: AskFacts | None) -> Spread | None:
    """A round's counts as the report's spread of that ask type (the same bars as the result files')."""
    if kind is AskType.OUTCOME:
        return OutcomeSpread(works=counts[WORKS], fails=counts[FAILS], senior_works=facts.senior_works if facts else None)
    if kind is AskType.CHOICE:
        chosen: Counter[int] = Counter()
        for label, count in counts.items():
            read = read_label(kind, label)
            if read is not None and read.choice is not None:
                chosen[read.choice] += count
        size = len(facts.options) if facts else max((index for index, count in chosen.items() if count), default=-1) + 1
        return ChoiceSpread(
            counts=tuple(chosen.get(index, 0) for index in range(size)),  # an option past the lesson's is not counted
            answer=facts.answer if facts else None,
            options=facts.options if facts else (),
        )
    if kind is AskType.INTERVENE:
        categories: Counter[Category] = Counter()
        step_in = 0
        for label, count in counts.items():
            read = read_label(kind, label)
            if read is None or not read.intervene:
                continue
            step_in += count
            if read.category is not None:
                categories[read.category] += count
        senior_category = facts.senior_category if facts else None
        return InterveneSpread(
            let_run=counts[LET_RUN],
            step_in=step_in,
            categories=tuple((category, categories[category]) for category in Category if categories[category] or category == senior_category),
            senior_steps_in=facts.senior_steps_in if facts else None,
            senior_category=senior_category,
        )
    return None  # a goal: how many wrote one, no spread


def _agreed(spread: Spread | None, n: int) -> float | None:
    if not n:
        return None
    if isinstance(spread, OutcomeSpread) and spread.senior_works is not None:
        return (spread.works if spread.senior_works else spread.fails) / n
    if isinstance(spread, ChoiceSpread) and spread.answer is not None:
        return (spread.counts[spread.answer] if spread.answer < len(spread.counts) else 0) / n
    if isinstance(spread, InterveneSpread) and spread.senior_steps_in is not None:
        return (spread.step_in if spread.senior_steps_in else spread.let_run) / n
    return None
