"""The replay engine: a pure state machine over one attempt at one lesson.

Positions ("cursor") are frames: 0 is the task, 1..N are the steps, N+1 is the end.
The *frontier* is the furthest frame reached. A step whose ask is unanswered stops the
frontier there and is shown only as its question: `view()` never carries anything of
that step but the ask's own prompt (and options, for a choice). Everything a screen,
an export or a mentor prompt shows comes from `view()`, so spoilers are impossible by
construction rather than by care.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import msgspec

from tutor.lesson import (
    AgentStep,
    AnyStep,
    AskType,
    Call,
    Category,
    ChoiceAsk,
    Lesson,
    ResultStep,
    lesson_digest,
)

from .answers import Answer
from .attempt import AttemptState, Committed
from .drafts import Draft
from .grading import AnswerMismatch, Grade, grade, skipped
from .judging import Judgement
from .scoring import ScoreCard, score_card


class ReplayError(ValueError):
    """An action the replay does not allow at this position (answering twice, skipping past an ask)."""


# ---------------------------------------------------------------- what the learner may see


class TaskFrame(msgspec.Struct, frozen=True):
    title: str
    task: str


class AskFrame(msgspec.Struct, frozen=True):
    """The question standing in for a hidden step. Holds nothing of that step.

    The step's kind is deliberately absent: for an intervene ask it *is* the answer
    (a correction means the senior stepped in, a result means they let it run).
    """

    number: int  # 1-based position of the hidden step
    ask_type: AskType
    prompt: str
    options: tuple[str, ...] = ()  # choice
    proposal: AgentStep | None = None  # intervene: the agent step being judged
    call: Call | None = None  # outcome: the call whose result is predicted
    categories: tuple[Category, ...] = ()  # intervene: what a correction can be
    draft: Draft | None = None  # what the learner had put in the form and not submitted


class StepFrame(msgspec.Struct, frozen=True):
    number: int
    step: AnyStep
    call: Call | None = None  # for a result, the call it answers
    committed: Committed | None = None
    grade: Grade | None = None


class EndFrame(msgspec.Struct, frozen=True):
    card: ScoreCard


Frame = TaskFrame | AskFrame | StepFrame | EndFrame


class TimelineEntry(msgspec.Struct, frozen=True):
    number: int
    step: AnyStep
    grade: Grade | None = None


class View(msgspec.Struct, frozen=True):
    title: str
    task: str
    cursor: int
    frontier: int
    total: int  # number of steps
    frame: Frame
    timeline: tuple[TimelineEntry, ...]  # revealed steps only
    hidden: int  # steps not revealed yet: only their count is shown
    can_next: bool
    can_back: bool
    awaiting_answer: bool
    finished: bool
    lesson_changed: bool
    awaiting_judgement: bool = False  # the step on screen was answered; its points await a judge


# ---------------------------------------------------------------- the engine


class Replay:
    def __init__(self, lesson: Lesson, state: AttemptState | None = None, digest: str | Callable[[], str] | None = None) -> None:
        # The digest is of the lesson as written: hiding a step is a change attempts should notice. Given as a
        # function, it is worked out when first asked (a fresh attempt asks when its state is saved).
        self._digest: str | None = digest if isinstance(digest, str) and digest else None
        self._make_digest: Callable[[], str] = digest if callable(digest) else functools.partial(lesson_digest, lesson)
        self.lesson = lesson.for_learners()
        self._steps = list(self.lesson.steps)
        self._calls = _calls_before(self._steps)
        self._index = {step.id: index for index, step in enumerate(self._steps)}
        self._asks = [step for step in self._steps if step.ask is not None]  # in order: a score card reads only these
        self._grades: dict[str, Grade] = {}
        # The timeline's entries for the revealed steps, built once each and rebuilt only when what
        # they show changes (an answer, a judgement): a key press costs the same at step 10 and 10,000.
        self._entries: list[TimelineEntry] = []
        self._card: ScoreCard | None = None  # the score card, until a grade changes
        self.resume_notes: list[str] = []
        self._fresh = state is None  # the attempt's digest is this lesson's, whenever that is worked out
        if state is None:
            self._state = AttemptState(lesson_id=lesson.id, digest="")
        else:
            self._state = self._restore(state)

    @property
    def digest(self) -> str:
        """The lesson's digest (`lesson_digest`), worked out once, when first asked."""
        if self._digest is None:
            self._digest = self._make_digest()
        return self._digest

    # -- restoring

    def _restore(self, saved: AttemptState) -> AttemptState:
        if saved.lesson_id and saved.lesson_id != self.lesson.id:
            # Step ids such as "s1" repeat across lessons: another lesson's answers must not be graded here.
            self.resume_notes.append(f"the saved attempt belongs to lesson {saved.lesson_id!r}; starting afresh")
            self._fresh = True
            return AttemptState(lesson_id=self.lesson.id, digest="")
        state = AttemptState(lesson_id=self.lesson.id, digest=saved.digest)
        for step_id, entry in saved.committed.items():
            index = self._index.get(step_id)
            if index is None:
                self.resume_notes.append(f"an answer for step {step_id!r} was dropped: the lesson no longer has it")
                continue
            step = self._steps[index]
            try:
                self._grades[step_id] = _grade_entry(step, entry)
            except AnswerMismatch as error:
                self.resume_notes.append(f"an answer for step {step_id!r} was dropped: {error}")
                continue
            state.committed[step_id] = entry
        open_asks = {step.id for step in self._asks if step.id not in state.committed}
        state.drafts = {step_id: draft for step_id, draft in saved.drafts.items() if step_id in open_asks}
        limit = _first_open_frame(self._steps, state)
        state.frontier = min(saved.frontier, limit)
        state.cursor = min(saved.cursor, state.frontier)
        # Finished means the end frame has been reached, as `_move` records it. Derived
        # rather than copied: a lesson that lost steps can put a saved frontier on the
        # end frame, and an unfinished attempt standing there could never finish.
        state.finished = state.frontier == self.end_frame
        return state

    # -- properties

    @property
    def end_frame(self) -> int:
        return len(self._steps) + 1

    @property
    def state(self) -> AttemptState:
        """A copy of the attempt's state, ready to save."""
        return AttemptState(
            lesson_id=self._state.lesson_id,
            digest=self.digest if self._fresh else self._state.digest,
            cursor=self._state.cursor,
            frontier=self._state.frontier,
            committed=dict(self._state.committed),
            finished=self._state.finished,
            drafts=dict(self._state.drafts),
        )

    @property
    def cursor(self) -> int:
        return self._state.cursor

    @property
    def frontier(self) -> int:
        return self._state.frontier

    @property
    def finished(self) -> bool:
        return self._state.finished

    @property
    def lesson_changed(self) -> bool:
        return not self._fresh and self._state.digest != self.digest

    def grades(self) -> list[Grade]:
        """Grades of the committed asks, in lesson order."""
        return [self._grades[step.id] for step in self._asks if step.id in self._grades]

    def grade_of(self, step_id: str) -> Grade | None:
        return self._grades.get(step_id)

    def score_card(self) -> ScoreCard:
        if self._card is None:
            self._card = score_card(self.grades(), total_asks=len(self._asks))
        return self._card

    def _graded(self, step_id: str, result: Grade) -> Grade:
        """Record a step's grade; what showed the old one (its timeline line, the card) is rebuilt when next seen."""
        self._grades[step_id] = result
        self._card = None
        index = self._index[step_id]
        # The step's line shows its grade; the agent step before it may show its note now (see `_shown`).
        for at in (index - 1, index):
            if 0 <= at < len(self._entries):
                self._entries[at] = self._entry(at)
        return result

    def _entry(self, index: int) -> TimelineEntry:
        return TimelineEntry(index + 1, _shown(self._steps, self._state.committed, index), self._grades.get(self._steps[index].id))

    def is_revealed(self, index: int) -> bool:
        """Whether step `index` (0-based) has been revealed in this attempt."""
        if not 0 <= index < len(self._steps) or index + 1 > self._state.frontier:
            return False
        step = self._steps[index]
        return step.ask is None or step.id in self._state.committed

    def current_step_index(self) -> int | None:
        cursor = self._state.cursor
        return cursor - 1 if 1 <= cursor <= len(self._steps) else None

    def awaiting_answer(self) -> bool:
        index = self.current_step_index()
        return index is not None and not self.is_revealed(index)

    def open_step_id(self) -> str | None:
        """The id of the step whose question waits on screen for an answer (None: no open question)."""
        index = self.current_step_index()
        return self._steps[index].id if index is not None and self.awaiting_answer() else None

    # -- moving

    def awaiting_judgement(self) -> bool:
        """The step on screen was answered and its points await a judge (before moving on)."""
        index = self.current_step_index()
        if index is None or not self.is_revealed(index):
            return False
        result = self._grades.get(self._steps[index].id)
        return result is not None and result.pending

    def can_next(self) -> bool:
        return self._state.cursor < self.end_frame and not self.awaiting_answer() and not self.awaiting_judgement()

    def can_back(self) -> bool:
        return self._state.cursor > 0

    def next(self) -> None:
        if not self.can_next():
            if self.awaiting_answer():
                raise ReplayError("answer or skip the question before moving on")
            if self.awaiting_judgement():
                raise ReplayError("mark each of the senior's points first (y, p or n)")
            raise ReplayError("this is the end")
        self._move(self._state.cursor + 1)

    def back(self) -> None:
        if not self.can_back():
            raise ReplayError("this is the start")
        self._state.cursor -= 1

    def go(self, cursor: int) -> None:
        """Jump to any frame already reached (clicking the timeline)."""
        if not 0 <= cursor <= self._state.frontier:
            raise ReplayError(f"frame {cursor} has not been reached")
        self._state.cursor = cursor

    def _move(self, cursor: int) -> None:
        self._state.cursor = cursor
        if cursor > self._state.frontier:
            self._state.frontier = cursor
        if cursor == self.end_frame:
            self._state.finished = True

    # -- answering

    def _open_step(self) -> AnyStep:
        index = self.current_step_index()
        if index is None or not self.awaiting_answer():
            raise ReplayError("there is no open question here")
        return self._steps[index]

    def answer(self, answer: Answer) -> Grade:
        step = self._open_step()
        result = grade(step, answer)  # raises AnswerMismatch before anything is recorded
        self._state.committed[step.id] = Committed(step.id, answer)
        self._state.drafts.pop(step.id, None)
        return self._graded(step.id, result)

    def skip(self) -> Grade:
        step = self._open_step()
        result = skipped(step)
        self._state.committed[step.id] = Committed(step.id, None)
        self._state.drafts.pop(step.id, None)
        return self._graded(step.id, result)

    def set_draft(self, draft: Draft) -> str:
        """Keep what the open question's form holds; returns the step it belongs to."""
        step = self._open_step()
        if draft.empty:
            self._state.drafts.pop(step.id, None)
        else:
            self._state.drafts[step.id] = draft
        return step.id

    def draft_of(self, step_id: str) -> Draft | None:
        return self._state.drafts.get(step_id)

    def judge(self, step_id: str, judgement: Judgement) -> Grade:
        """Record how an answered step's points were judged (by Claude, or the learner's own check). Once."""
        entry = self._state.committed.get(step_id)
        if entry is None or entry.answer is None:
            raise ReplayError("only an answered question can be judged")
        if not self._grades[step_id].pending:
            raise ReplayError("this answer has been judged already")
        result = grade(self._steps[self._index[step_id]], entry.answer, judgement)  # raises AnswerMismatch first
        self._state.committed[step_id] = Committed(step_id, entry.answer, result.judgement)
        return self._graded(step_id, result)

    # -- seeing

    def _revealed_count(self) -> int:
        """How many steps are revealed: they are always the first ones.

        Every step before the frontier's was revealed on the way there (moving on from a
        question needs its answer, and a restored frontier stops at the first open one),
        so only the step at the frontier can still be a question."""
        frontier = self._state.frontier
        if frontier <= 0:
            return 0
        if frontier > len(self._steps):
            return len(self._steps)
        return frontier if self.is_revealed(frontier - 1) else frontier - 1

    def _timeline(self) -> tuple[TimelineEntry, ...]:
        revealed = self._revealed_count()
        del self._entries[revealed:]  # none is dropped as the frontier only grows; kept in step if it ever did not
        self._entries.extend(self._entry(index) for index in range(len(self._entries), revealed))
        return tuple(self._entries)

    def view(self) -> View:
        timeline = self._timeline()
        return View(
            title=self.lesson.title,
            task=self.lesson.task,
            cursor=self._state.cursor,
            frontier=self._state.frontier,
            total=len(self._steps),
            frame=self._frame(),
            timeline=timeline,
            hidden=len(self._steps) - len(timeline),
            can_next=self.can_next(),
            can_back=self.can_back(),
            awaiting_answer=self.awaiting_answer(),
            awaiting_judgement=self.awaiting_judgement(),
            finished=self._state.finished,
            lesson_changed=self.lesson_changed,
        )

    def _frame(self) -> Frame:
        cursor = self._state.cursor
        if cursor == 0:
            return TaskFrame(self.lesson.title, self.lesson.task)
        if cursor == self.end_frame:
            return EndFrame(self.score_card())
        index = cursor - 1
        step = self._steps[index]
        if not self.is_revealed(index):
            return _ask_frame(self._steps, self._calls, self._state, index)
        return StepFrame(
            number=cursor,
            step=_shown(self._steps, self._state.committed, index),
            call=self._calls[index],
            committed=self._state.committed.get(step.id),
            grade=self._grades.get(step.id),
        )


def _calls_before(steps: list[AnyStep]) -> list[Call | None]:
    """For each result step, the call of the agent step before it that it answers."""
    calls: list[Call | None] = []
    latest: dict[str, Call] = {}
    for step in steps:
        if isinstance(step, AgentStep):
            latest = {call.id: call for call in step.calls}
        calls.append(latest.get(step.call) if isinstance(step, ResultStep) else None)
    return calls


def _grade_entry(step: AnyStep, entry: Committed) -> Grade:
    return skipped(step) if entry.answer is None else grade(step, entry.answer, entry.judgement)


def _first_open_frame(steps: list[AnyStep], state: AttemptState) -> int:
    """The frame of the first question not answered yet; the end frame when there is none."""
    for index, step in enumerate(steps):
        if step.ask is not None and step.id not in state.committed:
            return index + 1
    return len(steps) + 1


def _shown(steps: list[AnyStep], committed: dict[str, Committed], index: int) -> AnyStep:
    """Step `index` as the learner may see it now: an agent step's annotation waits while the
    intervene ask that judges it (on the next step) is unanswered, since the senior's note on a
    proposal (a recorded gate's note, say) would give the answer away."""
    step = steps[index]
    following = steps[index + 1] if index + 1 < len(steps) else None
    if (
        isinstance(step, AgentStep)
        and step.annotation
        and following is not None
        and following.ask is not None
        and following.ask.type == AskType.INTERVENE.value
        and following.id not in committed
    ):
        return step.replaced(annotation=None)
    return step


def _ask_frame(steps: list[AnyStep], calls: list[Call | None], state: AttemptState, index: int) -> AskFrame:
    """The question standing in for unrevealed step `index`: its prompt and what it needs, nothing of the step."""
    ask = steps[index].ask
    assert ask is not None
    ask_type = AskType(ask.type)
    previous = steps[index - 1] if index > 0 else None
    proposal = _shown(steps, state.committed, index - 1) if ask_type is AskType.INTERVENE and isinstance(previous, AgentStep) else None
    return AskFrame(
        number=index + 1,
        ask_type=ask_type,
        prompt=ask.prompt,
        options=tuple(ask.options) if isinstance(ask, ChoiceAsk) else (),
        proposal=proposal if isinstance(proposal, AgentStep) else None,  # _shown keeps a step's kind
        call=calls[index] if ask_type is AskType.OUTCOME else None,
        categories=tuple(Category) if ask_type is AskType.INTERVENE else (),
        draft=state.drafts.get(steps[index].id),
    )
