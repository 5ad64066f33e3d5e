"""What the team report needs to know of a lesson, as plain data: its asks in order, each with the
senior's answer, its key points, and the step as learners saw it before the reveal and after.

The report (`tutor.team.report`) works from result files alone; when the lesson of a version is
at hand (found by digest), `lesson_facts` adds what only the lesson knows: options nobody chose,
the senior's call, the texts of key points. The texts are the lesson's, so hostile: whoever
shows them cleans them (`tutor.lesson.untrusted`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tutor.lesson.export import ask_markdown, reveal_markdown, step_markdown
from tutor.lesson.models import AgentStep, AnyStep, Call, ChoiceAsk, CorrectionStep, GoalAsk, GoalStep, InterveneAsk, Lesson, ResultStep
from tutor.lesson.taxonomy import AskType, Category


@dataclass(frozen=True)
class OtherAnswer:
    """An intervene ask's `accept` entry, as far as the report needs it: which answers it covers,
    and whether it brings key points of its own (then those answers are judged on them, not the ask's)."""

    intervene: bool
    category: Category | None
    own_points: bool


@dataclass(frozen=True)
class AskFacts:
    step: str
    type: AskType
    prompt: str = ""
    options: tuple[str, ...] = ()  # choice: the options, in order
    answer: int | None = None  # choice: the senior's option
    senior_works: bool | None = None  # outcome: whether it worked
    senior_steps_in: bool | None = None  # intervene: the senior stepped in (a correction) or let it run
    senior_category: Category | None = None  # intervene: the correction's category
    key_points: tuple[str, ...] = ()  # the senior's points answers are judged on (a goal's criteria, else its rubric)
    accepts: tuple[OtherAnswer, ...] = ()  # intervene: other right answers
    before: str = ""  # Markdown: the step shown just before the question (or the task, for the first)
    question: str = ""  # Markdown: the question as learners saw it
    revealed: str = ""  # Markdown: the senior's step, as revealed after the answer
    note: str = ""  # Markdown: the senior's note on it


@dataclass(frozen=True)
class LessonFacts:
    lesson: str  # the lesson id
    digest: str
    title: str
    asks: tuple[AskFacts, ...]  # in lesson order

    def ask(self, step: str) -> AskFacts | None:
        return next((ask for ask in self.asks if ask.step == step), None)


def lesson_facts(lesson: Lesson, digest: str) -> LessonFacts:
    """The facts of every ask of `lesson` (whose digest is `digest`), as learners replay it (no hidden step)."""
    steps = lesson.for_learners().steps
    asks: list[AskFacts] = []
    calls: dict[str, Call] = {}
    previous: AnyStep | None = None
    previous_call: Call | None = None
    for step in steps:
        call = calls.get(step.call) if isinstance(step, ResultStep) else None
        if step.ask is not None:
            before = step_markdown(previous, previous_call) if previous is not None else lesson.task
            asks.append(_ask_facts(step, call, before, previous))
        if isinstance(step, AgentStep):
            calls = {c.id: c for c in step.calls}
        previous, previous_call = step, call
    return LessonFacts(lesson=lesson.id, digest=digest, title=lesson.title, asks=tuple(asks))


def _ask_facts(step: AnyStep, call: Call | None, before: str, previous: AnyStep | None) -> AskFacts:
    ask = step.ask
    assert ask is not None
    revealed = "\n\n".join(part for part in (step_markdown(step, call), reveal_markdown(step)) if part)
    notes = [step.annotation or ""]
    if isinstance(ask, InterveneAsk) and isinstance(previous, AgentStep) and previous.annotation:
        notes.insert(0, previous.annotation)  # the note on the proposal is revealed with the decision on it
    common = AskFacts(
        step=step.id,
        type=AskType(ask.type),
        prompt=ask.prompt,
        before=before,
        question=ask_markdown(step),
        revealed=revealed,
        note="\n\n".join(note for note in notes if note),
    )
    if isinstance(ask, ChoiceAsk):
        return replace(common, options=tuple(ask.options), answer=ask.answer)
    if isinstance(ask, GoalAsk):
        points = tuple(step.criteria) if isinstance(step, GoalStep) and step.criteria else tuple(ask.rubric)
        return replace(common, key_points=points)
    if isinstance(ask, InterveneAsk):
        senior = isinstance(step, CorrectionStep)
        return replace(
            common,
            senior_steps_in=senior,
            senior_category=step.category if isinstance(step, CorrectionStep) else None,
            key_points=tuple(ask.key_points),
            accepts=tuple(OtherAnswer(entry.intervene, entry.category, bool(entry.key_points)) for entry in ask.accept),
        )
    return replace(common, senior_works=step.ok if isinstance(step, ResultStep) else None)


def judged_on_ask_points(facts: AskFacts, intervene: bool | None, category: Category | None) -> bool:
    """Whether an intervene answer's key point verdicts are on the ask's own points (as
    `tutor.learn.grading` picks them): the senior's own answer always is; another right answer is
    judged on its `accept` entry's points when that entry has some. A wrong decision is judged on none."""
    senior = facts.senior_steps_in
    if intervene is None or senior is None:
        return False
    if intervene == senior and (not senior or category == facts.senior_category):
        return True
    entry = next((other for other in facts.accepts if other.intervene == intervene and other.category is not None and other.category == category), None)
    if entry is None:
        entry = next((other for other in facts.accepts if other.intervene == intervene and other.category is None), None)
    if entry is None and intervene != senior:
        entry = next((other for other in facts.accepts if other.intervene == intervene), None)
    if entry is None:
        return intervene == senior
    return not entry.own_points
