"""A learner's pass through one lesson: the replay engine, saved after every answer and move.

A failed save never loses an answer: it stays queued in memory and is written with
the next save (or `flush()`), and the caller is told in one line.

Given the store not yet open (`opening`), a run resumes its attempt without it (the attempts
index and the attempt's own file, `tutor.store.resume`: no TinyDB before the first frame) and
holds the attempt through its lock file; what is to be written waits, queued, until the store is
attached (`attach_store`, once `open_store` has run in a worker; `close` attaches it at the latest).
Nothing is written before then, so nothing saved before can be lost in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from tutor.errors import UserError
from tutor.lesson import Lesson, lesson_digest
from tutor.learn import Answer, AttemptState, Draft, Grade, Judgement, JudgeRequest, Replay, View, new_card
from tutor.services.answer_clock import AnswerClock
from tutor.services.progress import OpensStoreLater

if TYPE_CHECKING:
    from tutor.services.progress import ProgressOpening
    from tutor.store.progress import AttemptRecord, Progress
    from tutor.store.resume import ResumePoint


class SaveFailed(UserError):
    """Progress could not be written; the work is kept in memory and retried."""


class LessonRun(OpensStoreLater):
    def __init__(
        self,
        lesson: Lesson,
        progress: Progress | None,
        *,
        curriculum: str | None = None,
        fresh: bool = False,
        key: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        opening: ProgressOpening | None = None,
    ) -> None:
        """`progress`: the open store (None: run without saving); or `opening`, the store to open when something is
        to be written (see the module's docstring)."""
        self._as_written = lesson  # its digest is worked out when first asked (`digest`)
        self._digest: str | None = None
        # Everything after this (steps counted, diffs, the code browser) sees only what learners may.
        self.lesson = lesson.for_learners()
        self.curriculum = curriculum
        # Which lesson this is, for progress (`tutor.services.lesson_keys.lesson_key`); without one, its id.
        self.key = key or f"id:{lesson.id}"
        self.notes: list[str] = []
        self._unsaved_answers: list[tuple[dict[str, Any], float | None, float | None]] = []  # answer, score, seconds
        self.answer_clock = AnswerClock(clock)  # the seconds from question shown to answer (see its module)
        self._unsaved_judgements: list[tuple[str, dict[str, Any], float | None]] = []
        self._position_dirty = False
        # A move (n, back, a jump) is written by `flush`: at once by default; a screen that
        # flushes when the learner pauses turns this off, since writing the position costs
        # a few fsyncs and a key press should cost no more than a frame. Answers, judgements
        # and finishing are always written at once.
        self.save_moves_at_once = True
        self._unsaved_drafts: set[str] = set()  # steps whose draft changed since the last save
        self.record: AttemptRecord | None = None
        self._held: Any = None  # this attempt, held open against a second Tutor
        self._opening: ProgressOpening | None = None  # the store, until it is attached (see the module's docstring)
        self._cards_due = False  # finished before the store was attached: the missed asks join the review queue then
        point: ResumePoint | None = None
        if opening is not None and progress is None:
            if not opening.tried:
                from tutor.store.resume import ResumePoint

                point = ResumePoint() if fresh else opening.peek(lesson.id, key)
            if point is None:
                progress = opening.open()  # open already, or only the store can say where to resume: as before
            else:
                self._opening = opening
        self.progress = progress
        if point is not None:
            state = AttemptState.from_data(point.state) if point.record is not None and point.state is not None else None
            self._resume(lesson, point.record, state)
        else:
            self._resume_from_store(lesson, fresh, key)

    def _resume_from_store(self, lesson: Lesson, fresh: bool, key: str | None) -> None:
        from tutor.store.errors import StoreError

        progress = self.progress
        try:
            latest = None if fresh or progress is None else progress.latest_attempt(lesson.id, key)
            state = AttemptState.from_data(progress.load_state(latest.id)) if latest is not None and progress is not None else None
        except StoreError as error:
            latest = state = None
            self._without_saving(error)
        self._resume(lesson, latest, state)

    def _resume(self, lesson: Lesson, latest: AttemptRecord | None, state: AttemptState | None) -> None:
        if latest is not None and state is not None:
            self.replay = Replay(lesson, state, self._digest_of_lesson)
            self.record = latest
            self._hold()
            if self.replay.lesson_changed:
                self.notes.append("This lesson has changed since you started it; your answers to the steps it still has are kept.")
            self.notes.extend(self.replay.resume_notes)
        else:
            self.replay = Replay(lesson, digest=self._digest_of_lesson)
            self._start_attempt()  # with the store not attached yet: once it is

    def _hold(self) -> None:
        """Hold the attempt open: a second Tutor on the same lesson would have its answers refused as already given."""
        from tutor.store.errors import StoreError

        if self.record is None or (self.progress is None and self._opening is None):
            return
        try:
            if self._opening is not None:
                self._held = self._opening.hold(self.record.id)
            elif self.progress is not None:
                self._held = self.progress.hold(self.record.id)
        except (StoreError, OSError) as error:
            self._without_saving(error)
            return
        if self._held is None:
            self.progress = None
            self._opening = None
            self.record = None
            self.notes.append(
                "This lesson is open in another Tutor: here you can look and answer, but nothing is saved. Close the other one to keep your work."
            )

    # -- the store, opened after the first frame

    def attach_store(self) -> None:
        """Use the store from now on (opening it here if `open_store` has not): start the attempt if it is new, then
        write what waited. Raises SaveFailed, as `flush` does, keeping it queued."""
        opening = self._opening
        if opening is None:
            return
        progress = opening.open()
        self._opening = None
        if progress is None:
            # It cannot be used (the opening said so, in one line): the lesson goes on without saving, as it
            # would have had the store failed before the first frame.
            self.close()
            self.record = None
            self._cards_due = False
            self.flush()
            return
        self.progress = progress
        if self.record is None:
            self._start_attempt()
        try:
            if self._cards_due:
                self._cards_due = False
                self._on_finish()
        finally:
            self.flush()

    def close(self) -> None:
        """Let another Tutor open this attempt (saved already: every move is; the store attached now if it was not,
        and the attempt started if it is new, so leaving a lesson leaves it where it was, as when the store was open)."""
        if self._opening is not None:
            try:
                self.attach_store()
            except SaveFailed:
                pass  # nowhere left to say it: the way out (`flush` first) said the same
        if self._held is not None:
            self._held.release()
            self._held = None

    def _without_saving(self, error: Exception) -> None:
        """The store failed: the lesson goes on, nothing is saved, and the learner is told once, in one line."""
        self.progress = None
        self._opening = None
        self.record = None
        self.notes.append(f"Your progress cannot be saved ({error}): this lesson runs without saving.")

    def _start_attempt(self) -> None:
        if self.progress is None:
            return
        from tutor.store.errors import StoreError

        try:
            self.record = self.progress.start_attempt(
                self.lesson.id, self.digest, title=self.lesson.title, total=len(self.lesson.steps), curriculum=self.curriculum, key=self.key
            )
        except StoreError as error:
            self._without_saving(error)
            return
        self._hold()

    @property
    def digest(self) -> str:
        """The lesson's digest (`lesson_digest`, of the lesson as written): a long lesson's costs tens of milliseconds,
        so it is worked out when first asked (a fresh attempt asks once something is saved), or by `settle`."""
        return self._digest_of_lesson()

    def _digest_of_lesson(self) -> str:
        if self._digest is None:
            self._digest = lesson_digest(self._as_written)
        return self._digest

    def settle(self) -> None:
        """Work better done while the learner reads than on a key press: the lesson's digest."""
        self._digest_of_lesson()

    @property
    def attempt_id(self) -> str | None:
        return self.record.id if self.record else None

    def view(self) -> View:
        return self.replay.view()

    # -- moves

    def next(self) -> None:
        was_finished = self.replay.finished
        self.replay.next()
        if self.replay.finished and not was_finished:
            if self._opening is not None:
                self._cards_due = True  # with the store, once attached
            else:
                self._on_finish()
            self._position_dirty = True
            self.flush()  # the finished attempt and its score, at once
            return
        self._moved()

    def back(self) -> None:
        self.replay.back()
        self._moved()

    def go(self, cursor: int) -> None:
        self.replay.go(cursor)
        self._moved()

    def _moved(self) -> None:
        self._position_dirty = True
        if self.save_moves_at_once:
            self.flush()

    @property
    def unsaved(self) -> bool:
        """Whether something waits for the next `flush` (a move, when moves are not saved at once; a draft)."""
        return (
            self._position_dirty or self._cards_due or bool(self._unsaved_drafts) or bool(self._unsaved_answers) or bool(self._unsaved_judgements)
        )

    # -- answers

    def question_shown(self) -> None:
        """The screen shows what `view()` gave: the open question's clock runs while it is on screen (else it stops)."""
        step_id = self.replay.open_step_id()
        if step_id is None:
            self.answer_clock.hidden()
        else:
            self.answer_clock.shown(step_id)

    def question_hidden(self) -> None:
        """The question is off screen (the app suspended): its clock stops until it is shown again."""
        self.answer_clock.hidden()

    def answer(self, answer: Answer) -> Grade:
        grade = self.replay.answer(answer)
        self._queue_answer(grade)
        return grade

    def skip(self) -> Grade:
        grade = self.replay.skip()
        self._queue_answer(grade)
        return grade

    def judge(self, step_id: str, judgement: Judgement) -> Grade:
        """Record how an answer's points were judged (Claude's verdicts, or the learner's own marks); saved at once."""
        grade = self.replay.judge(step_id, judgement)
        assert grade.judgement is not None
        self._unsaved_judgements.append((step_id, grade.judgement.to_data(), grade.score))
        self._position_dirty = True  # a finished attempt's score follows
        self.flush()
        return grade

    def set_draft(self, draft: Draft) -> None:
        """What the open question's form holds now; kept at once, written with the next `flush`."""
        self._unsaved_drafts.add(self.replay.set_draft(draft))

    def judge_request(self, step_id: str) -> JudgeRequest:
        """What a judge of this step's committed answer is shown (only what the learner has seen, and the senior's step)."""
        from tutor.services.judging import judge_request

        return judge_request(self.lesson, self.replay, step_id)

    def _queue_answer(self, grade: Grade) -> None:
        committed = self.replay.state.committed[grade.step_id]
        self._unsaved_answers.append((committed.to_data(), grade.score, self.answer_clock.take(grade.step_id)))
        self._position_dirty = True
        self.flush()

    # -- the end

    def _on_finish(self) -> None:
        if self.progress is None:
            return
        from tutor.services.reviews import card_to_data
        from tutor.store.errors import StoreError

        today = date.today()
        try:
            existing = {card.get("key") for card in self.progress.cards()}
            for grade in self.replay.grades():
                if grade.missed:
                    card = new_card(self.key, grade.step_id, today)  # the lesson by its key: ids repeat across curricula
                    if card.key not in existing:
                        self.progress.save_card(card_to_data(card))
        except StoreError as error:
            self._position_dirty = True
            raise SaveFailed(f"could not add the questions you missed to your review queue ({error})") from error

    def retry(self) -> None:
        """A new attempt from the start; the old one stays in the history."""
        self.attach_store()  # the old attempt's last writes go to it, not to the new one
        self.flush()
        self.close()
        self.replay = Replay(self.lesson, digest=self._digest_of_lesson)
        self.answer_clock = AnswerClock(self.answer_clock._clock)  # noqa: SLF001 - the same clock, no old spans
        self.notes = []
        self._start_attempt()

    # -- saving

    def flush(self) -> None:
        """Write everything not yet saved. Raises SaveFailed (keeping it queued) when the disk refuses."""
        if self._opening is not None:
            return  # kept, queued, until the store is attached
        if self.progress is None or self.record is None:
            self._unsaved_answers.clear()
            self._unsaved_judgements.clear()
            self._unsaved_drafts.clear()
            self._position_dirty = False
            return
        from tutor.store.errors import AlreadyAnswered, StoreError

        try:
            while self._unsaved_answers:
                data, score, seconds = self._unsaved_answers[0]
                try:
                    self.progress.save_answer(self.record.id, data, score=score, seconds=seconds)
                except AlreadyAnswered:
                    pass  # saved by an earlier try whose confirmation was lost
                self._unsaved_answers.pop(0)
            while self._unsaved_judgements:
                step_id, judgement, score = self._unsaved_judgements[0]
                try:
                    self.progress.save_judgement(self.record.id, step_id, judgement, score=score)
                except AlreadyAnswered:
                    pass
                self._unsaved_judgements.pop(0)
            while self._unsaved_drafts:
                step_id = next(iter(self._unsaved_drafts))
                draft = self.replay.draft_of(step_id)
                self.progress.save_draft(self.record.id, step_id, draft.to_data() if draft is not None else None)
                self._unsaved_drafts.discard(step_id)
            if self._position_dirty:
                state = self.replay.state
                card = self.replay.score_card() if state.finished else None
                self.progress.save_position(
                    self.record.id,
                    cursor=state.cursor,
                    frontier=state.frontier,
                    finished=state.finished,
                    score=card.overall if card else None,
                )
                self._position_dirty = False
        except (OSError, StoreError) as error:
            raise SaveFailed(f"could not save your progress ({error}); it is kept and will be saved with your next step") from error
