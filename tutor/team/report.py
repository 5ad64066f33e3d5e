"""The team report (`tutor team report`): for each version of a lesson the team answered, one row
per ask with the figures that say which questions fool the team. Pure: result files and lesson
facts in, dataclasses out; the screen, the JSON and the HTML page only show them.

The rules (documented in `docs/team-format.md`, "The team report"):

- Versions are never mixed: one report per (lesson, digest).
- One answer per learner per ask: each handle's *first* attempt at the version (earliest
  `finished`, then attempt id). Later attempts come after the reveal; the first is the honest
  measure of what fools people.
- Per ask: `n` answered, `skipped`, `facility` (mean score of the answered answers that have a
  score), `confidently_wrong` (answered, missed, with high confidence).
- A distribution (the spread of answers, the key points covered, the grouped words) of fewer
  than `min_group` answers is hidden; so is the agreement of fewer than `min_group` learners.
- Rows are sorted by the share of answers wrong *and sure* (confidently_wrong / n), highest
  first, then by facility, lowest first (none last), then in lesson order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tutor.lesson.taxonomy import AskType, Category, Confidence

from .agreement import Ranked, discrimination, krippendorff_alpha, worth_a_look
from .folder import digest12
from .lesson_facts import AskFacts, LessonFacts, judged_on_ask_points
from .pool import ResultPool
from .pool import first_attempts as first_of
from .results import ResultAnswer, ResultFile

if TYPE_CHECKING:
    from .report_rounds import GroupSession, Revote
    from .tallies import TallyFile, TallyPool

# A goal is judged on a scale: its spread is a histogram of scores in these buckets (the last includes 1).
GOAL_BUCKETS = ("0-0.25", "0.25-0.5", "0.5-0.75", "0.75-1")
CATEGORICAL = (AskType.OUTCOME, AskType.CHOICE, AskType.INTERVENE)


@dataclass(frozen=True)
class Bar:
    """One bar of a spread: what was answered, how many answered it, and a note (the senior's answer, nobody's choice)."""

    label: str
    count: int
    senior: bool = False
    note: str = ""


@dataclass(frozen=True)
class OutcomeSpread:
    works: int
    fails: int
    senior_works: bool | None  # None when the lesson is not at hand

    def bars(self) -> tuple[Bar, ...]:
        return (
            Bar("works", self.works, senior=self.senior_works is True, note="it worked" if self.senior_works is True else ""),
            Bar("fails", self.fails, senior=self.senior_works is False, note="it failed" if self.senior_works is False else ""),
        )


@dataclass(frozen=True)
class ChoiceSpread:
    counts: tuple[int, ...]  # per option index; every option when the lesson is at hand, else up to the highest seen
    answer: int | None  # the senior's option, when the lesson is at hand
    options: tuple[str, ...] = ()  # the options' texts, when the lesson is at hand

    @property
    def unchosen(self) -> tuple[int, ...]:
        return tuple(index for index, count in enumerate(self.counts) if count == 0)

    def bars(self) -> tuple[Bar, ...]:
        return tuple(
            Bar(f"option {index + 1}", count, senior=index == self.answer, note="nobody chose it" if count == 0 else "")
            for index, count in enumerate(self.counts)
        )


@dataclass(frozen=True)
class InterveneSpread:
    let_run: int
    step_in: int
    categories: tuple[tuple[Category, int], ...]  # the team's categories (and the senior's, even if nobody chose it), in the closed set's order
    senior_steps_in: bool | None  # None when the lesson is not at hand
    senior_category: Category | None

    def bars(self) -> tuple[Bar, ...]:
        bars = [
            Bar("let it run", self.let_run, senior=self.senior_steps_in is False),
            Bar("step in", self.step_in, senior=self.senior_steps_in is True),
        ]
        for category, count in self.categories:
            bars.append(Bar(f"step in: {category.value}", count, senior=category == self.senior_category, note="nobody chose it" if count == 0 else ""))
        return tuple(bars)


@dataclass(frozen=True)
class GoalSpread:
    buckets: tuple[int, ...]  # answers per score bucket (GOAL_BUCKETS)
    pending: int  # answered, awaiting a judgement: no score yet

    def bars(self) -> tuple[Bar, ...]:
        bars = [Bar(f"score {label}", count) for label, count in zip(GOAL_BUCKETS, self.buckets, strict=True)]
        if self.pending:
            bars.append(Bar("not judged yet", self.pending))
        return tuple(bars)


Spread = OutcomeSpread | ChoiceSpread | InterveneSpread | GoalSpread


@dataclass(frozen=True)
class KeyPointCount:
    index: int
    text: str | None  # the senior's words, when the lesson is at hand (hostile)
    covered: int
    partly: int
    judged: int  # answers with a verdict on this point


@dataclass(frozen=True)
class WordGroup:
    """One distinct answer in the team's own words (the same after whitespace and case are set aside), and how many gave it."""

    text: str  # hostile
    count: int


@dataclass(frozen=True)
class AskReport:
    lesson: str
    digest: str
    step: str
    type: AskType
    position: int  # in the lesson's order of asks, from 0
    n: int  # answered (not skipped)
    skipped: int
    facility: float | None  # mean score of the answered answers that have one
    confidently_wrong: int
    spread: Spread | None  # None when hidden (fewer than min_group answers)
    key_points: tuple[KeyPointCount, ...] | None  # None when hidden
    words: tuple[WordGroup, ...] | None  # None when hidden; empty when nobody shared their words
    discrimination: float | None  # None below MIN_RANKED learners
    worth_a_look: bool | None  # None when it cannot be told (see tutor.team.agreement)
    facts: AskFacts | None  # None when the lesson of this version is not at hand
    revote: Revote | None = None  # the first vote and the revote of group sessions (tutor.team.report_rounds); None: none took one

    @property
    def hidden(self) -> bool:
        return self.spread is None

    @property
    def sure_and_wrong(self) -> float:
        """The share of answers that were wrong *and sure*: what sorts the report."""
        return self.confidently_wrong / self.n if self.n else 0.0


@dataclass(frozen=True)
class VersionReport:
    lesson: str
    digest: str
    title: str | None  # the lesson's title, when it is at hand (hostile)
    learners: int  # distinct handles that answered this version
    agreement: float | None  # Krippendorff's alpha; None when hidden or undefined
    agreement_hidden: bool  # fewer than min_group learners
    asks: tuple[AskReport, ...]  # in lesson order
    latest: str  # the latest `finished` among its result files (or, with none, its group sessions' latest time)
    group_sessions: tuple[GroupSession, ...] = ()  # the group replays of this version (tally files), the earliest first

    @property
    def digest12(self) -> str:
        return digest12(self.digest)


@dataclass(frozen=True)
class TeamReport:
    min_group: int
    versions: tuple[VersionReport, ...]
    problems: tuple[str, ...]  # one line per file refused or answer ignored

    def rows(self) -> list[AskReport]:
        """Every ask of every version, the most confidently wrong first (see the module's docstring)."""
        numbered = [(version_index, ask) for version_index, version in enumerate(self.versions) for ask in version.asks]

        def order(entry: tuple[int, AskReport]) -> tuple[float, bool, float, int, int]:
            version_index, ask = entry
            return (-ask.sure_and_wrong, ask.facility is None, ask.facility if ask.facility is not None else 0.0, version_index, ask.position)

        return [ask for _, ask in sorted(numbered, key=order)]

    def version_of(self, ask: AskReport) -> VersionReport:
        return next(version for version in self.versions if version.lesson == ask.lesson and version.digest == ask.digest)


def first_attempts(results: Sequence[ResultFile]) -> list[ResultFile]:
    """Each handle's first attempt (`tutor.team.pool.first_attempts`), in handle order."""
    return list(first_of(results).values())


def build_report(pool: ResultPool, min_group: int, lessons: Mapping[str, LessonFacts] | None = None, tallies: TallyPool | None = None) -> TeamReport:
    """The report of every version in `pool` and in `tallies` (group replays' tally files); `lessons`
    maps a digest to its lesson's facts, where at hand."""
    lessons = lessons or {}
    problems = list(pool.problems) + (list(tallies.problems) if tallies is not None else [])
    by_version = pool.versions()
    groups = tallies.versions() if tallies is not None else {}
    versions = []
    for lesson, digest in dict.fromkeys([*by_version, *groups]):
        facts = lessons.get(digest)
        if facts is not None and facts.lesson != lesson:
            facts = None  # the files say another lesson has this digest: trust neither, report from the files
        version = _version(lesson, digest, by_version.get((lesson, digest), []), facts, min_group, problems, groups.get((lesson, digest), []))
        versions.append(version)
    versions.sort(key=lambda version: (version.lesson, -datetime.fromisoformat(version.latest).timestamp(), version.digest))
    return TeamReport(min_group=min_group, versions=tuple(versions), problems=tuple(problems))


def _version(
    lesson: str, digest: str, results: list[ResultFile], facts: LessonFacts | None, min_group: int, problems: list[str], tallies: list[TallyFile]
) -> VersionReport:
    from .report_rounds import group_sessions, revotes

    firsts = first_attempts(results)
    asks = _asks(firsts, facts, tallies)
    kinds = dict(asks)
    answers: dict[str, list[tuple[str, ResultAnswer]]] = {step: [] for step, _ in asks}
    ignored = 0
    for result in firsts:
        seen: set[str] = set()
        for answer in result.answers:
            if answer.step in seen or kinds.get(answer.step) is not answer.type:
                ignored += 1
                continue
            seen.add(answer.step)
            answers[answer.step].append((result.handle, answer))
    if ignored:
        where = f"results/{lesson}/{digest12(digest)}"
        problems.append(f"{where}: {ignored} answers name a step this version does not ask at, of another type, or twice: ignored")
    scores = _scores_by_learner(answers)
    revoted = revotes(lesson, digest, asks, tallies, {ask.step: ask for ask in facts.asks} if facts else {}, min_group, problems)
    reports = tuple(
        replace(
            _ask(lesson, digest, position, step, kind, answers[step], scores, facts.ask(step) if facts else None, min_group),
            revote=revoted.get(step),
        )
        for position, (step, kind) in enumerate(asks)
    )
    learners = len(firsts)
    hidden = learners < min_group
    return VersionReport(
        lesson=lesson,
        digest=digest,
        title=facts.title if facts is not None else None,
        learners=learners,
        agreement=None if hidden else _agreement(answers, kinds, [result.handle for result in firsts]),
        agreement_hidden=hidden,
        asks=reports,
        latest=_latest(results, tallies),
        group_sessions=group_sessions(tallies),
    )


def _latest(results: list[ResultFile], tallies: list[TallyFile]) -> str:
    """The latest `finished` among the result files; with none, the latest time of the group sessions."""
    times = [result.finished for result in results] or [tally.finished or tally.started for tally in tallies]
    return max(times, key=lambda text: datetime.fromisoformat(text).astimezone(UTC))


def _asks(firsts: list[ResultFile], facts: LessonFacts | None, tallies: Sequence[TallyFile] = ()) -> list[tuple[str, AskType]]:
    """The version's asks in order: the lesson's, or, without it, the steps the answers and the group
    sessions' tallies name (each at its earliest place in any file, typed as most files type it)."""
    if facts is not None:
        return [(ask.step, ask.type) for ask in facts.asks]
    place: dict[str, int] = {}
    types: dict[str, Counter[AskType]] = {}
    named = [[(answer.step, answer.type) for answer in result.answers] for result in firsts]
    named += [[(ask.step, ask.type) for ask in tally.asks] for tally in tallies]
    for steps in named:
        for index, (step, kind) in enumerate(steps):
            place[step] = min(place.get(step, index), index)
            types.setdefault(step, Counter())[kind] += 1
    return [(step, types[step].most_common(1)[0][0]) for step in sorted(place, key=lambda step: (place[step], step))]


def _scores_by_learner(answers: Mapping[str, list[tuple[str, ResultAnswer]]]) -> dict[str, dict[str, float]]:
    """Each learner's score on each ask they answered and that has a score: what ranks them."""
    scores: dict[str, dict[str, float]] = {}
    for step, given in answers.items():
        for handle, answer in given:
            if not answer.skipped and answer.score is not None:
                scores.setdefault(handle, {})[step] = answer.score
    return scores


def _ask(
    lesson: str,
    digest: str,
    position: int,
    step: str,
    kind: AskType,
    given: list[tuple[str, ResultAnswer]],
    scores: Mapping[str, Mapping[str, float]],
    facts: AskFacts | None,
    min_group: int,
) -> AskReport:
    answered = [(handle, answer) for handle, answer in given if not answer.skipped]
    scored = [answer.score for _, answer in answered if answer.score is not None]
    hidden = len(answered) < min_group
    ranked = []
    for handle, answer in answered:
        others = [score for other, score in scores.get(handle, {}).items() if other != step]
        if answer.score is not None and others:
            ranked.append(Ranked(handle=handle, score=answer.score, wrong=answer.missed, rest=sum(others) / len(others)))
    just_answers = [answer for _, answer in answered]
    return AskReport(
        lesson=lesson,
        digest=digest,
        step=step,
        type=kind,
        position=position,
        n=len(answered),
        skipped=len(given) - len(answered),
        facility=sum(scored) / len(scored) if scored else None,
        confidently_wrong=sum(1 for answer in just_answers if answer.missed and answer.confidence is Confidence.HIGH),
        spread=None if hidden else _spread(kind, just_answers, facts),
        key_points=None if hidden else _key_points(just_answers, facts),
        words=None if hidden else _words(just_answers),
        discrimination=discrimination(ranked),
        worth_a_look=worth_a_look(ranked, min_group),
        facts=facts,
    )


def _spread(kind: AskType, answers: list[ResultAnswer], facts: AskFacts | None) -> Spread:
    if kind is AskType.OUTCOME:
        return OutcomeSpread(
            works=sum(1 for answer in answers if answer.works is True),
            fails=sum(1 for answer in answers if answer.works is False),
            senior_works=facts.senior_works if facts else None,
        )
    if kind is AskType.CHOICE:
        chosen = Counter(answer.choice for answer in answers if answer.choice is not None)
        size = len(facts.options) if facts else max(chosen, default=-1) + 1
        return ChoiceSpread(
            counts=tuple(chosen.get(index, 0) for index in range(size)),  # an index past the lesson's options is not counted
            answer=facts.answer if facts else None,
            options=facts.options if facts else (),
        )
    if kind is AskType.INTERVENE:
        categories = Counter(answer.category for answer in answers if answer.intervene and answer.category is not None)
        senior_category = facts.senior_category if facts else None
        return InterveneSpread(
            let_run=sum(1 for answer in answers if answer.intervene is False),
            step_in=sum(1 for answer in answers if answer.intervene is True),
            categories=tuple((category, categories.get(category, 0)) for category in Category if categories.get(category) or category == senior_category),
            senior_steps_in=facts.senior_steps_in if facts else None,
            senior_category=senior_category,
        )
    buckets = [0] * len(GOAL_BUCKETS)
    for answer in answers:
        if answer.score is not None:
            buckets[min(int(answer.score * len(GOAL_BUCKETS)), len(GOAL_BUCKETS) - 1)] += 1
    return GoalSpread(buckets=tuple(buckets), pending=sum(1 for answer in answers if answer.score is None))


def _key_points(answers: list[ResultAnswer], facts: AskFacts | None) -> tuple[KeyPointCount, ...]:
    """Per key point, how many answers covered it (or partly). With the lesson at hand, only the
    answers judged on the ask's own points count (an accepted other answer has points of its own),
    and only its points are listed; without it, every verdict counts under its index."""
    covered: Counter[int] = Counter()
    partly: Counter[int] = Counter()
    judged: Counter[int] = Counter()
    for answer in answers:
        if facts is not None and facts.type is AskType.INTERVENE and not judged_on_ask_points(facts, answer.intervene, answer.category):
            continue
        for point in {point.index: point for point in answer.key_points}.values():  # one verdict per point per answer
            if facts is not None and point.index >= len(facts.key_points):
                continue
            judged[point.index] += 1
            covered[point.index] += point.verdict == "covered"
            partly[point.index] += point.verdict == "partly"
    indexes = range(len(facts.key_points)) if facts is not None else sorted(judged)
    return tuple(
        KeyPointCount(index, facts.key_points[index] if facts is not None else None, covered[index], partly[index], judged[index])
        for index in indexes
    )


def normal_words(text: str) -> str:
    """The form answers are grouped on: whitespace runs as one space, case set aside."""
    return " ".join(text.split()).casefold()


def _words(answers: list[ResultAnswer]) -> tuple[WordGroup, ...]:
    groups: dict[str, list[str]] = {}
    for answer in answers:
        if answer.text is not None and answer.text.strip():
            groups.setdefault(normal_words(answer.text), []).append(answer.text)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return tuple(WordGroup(text=texts[0].strip(), count=len(texts)) for _, texts in ordered)


def answer_label(answer: ResultAnswer) -> str | None:
    """The nominal value an answer gives a categorical ask, for agreement; None when it gives none."""
    if answer.skipped:
        return None
    if answer.type is AskType.OUTCOME:
        return None if answer.works is None else "works" if answer.works else "fails"
    if answer.type is AskType.CHOICE:
        return None if answer.choice is None else f"option {answer.choice}"
    if answer.type is AskType.INTERVENE:
        if answer.intervene is None:
            return None
        if not answer.intervene:
            return "let it run"
        return f"step in: {answer.category.value}" if answer.category is not None else "step in"
    return None


def _agreement(answers: Mapping[str, list[tuple[str, ResultAnswer]]], kinds: Mapping[str, AskType], handles: list[str]) -> float | None:
    """Krippendorff's alpha over the version's categorical asks: learners as coders, asks as units."""
    units = []
    for step, given in answers.items():
        if kinds[step] not in CATEGORICAL:
            continue
        by_handle = {handle: answer_label(answer) for handle, answer in given}
        units.append([by_handle.get(handle) for handle in handles])
    return krippendorff_alpha(units)
