"""A participant's answers in a group replay, kept as a normal attempt in their own progress.

Keyed `group:<digest>` (the host's lesson version, whether or not the participant has that
lesson): `start_attempt(lesson id, digest, key=...)`. An ask's answer is graded and saved when
its step is revealed (only then does the participant's Tutor have the senior's step to grade
against); an ask the participant was asked and did not answer is saved as a skip, as solo
replay saves one. The answer kept is the participant's last in the ask: the revote when they
gave one. When the host ends the session the attempt is finished with its score card's score,
and each missed ask becomes a review card, as solo replay makes them. The review poses it from
the participant's own lesson of that digest when their curricula hold one (the card keyed as
solo replay keys it); otherwise from the copy of the lesson rebuilt from what the host sent
(`group_lessons`, the card keyed `group:<digest>`), kept only when every step was shown. A
participant shown only part of the lesson gets no copy and, without their own lesson, no card.

Synchronous (the store is files and a lock): `tutor.services.group_client` calls it in a thread,
one call at a time. A store that fails is one note, and the session goes on without saving.
The store is opened, and the attempt started, by the first call that saves (the first reveal, the
end, or leaving), not on joining: the participant's first screen waits for no TinyDB (issue 18).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.group import LessonInfo
from tutor.learn import Answer, AnswerMismatch, Committed, Grade, Judgement, grade, new_card, score_card, skipped
from tutor.lesson import AnyStep

if TYPE_CHECKING:
    from tutor.store.progress import AttemptRecord, Progress


def attempt_key(digest: str) -> str:
    from .group_lessons import group_key

    return group_key(digest)


class GroupAttempt:
    def __init__(self, folder: Path, lesson: LessonInfo, *, lessons_folder: Path | None = None) -> None:
        """`folder`: the participant's progress; `lessons_folder`: where the lesson's copy is kept (`paths.group_lessons_dir()`)."""
        if lessons_folder is None:
            from tutor import paths

            lessons_folder = paths.group_lessons_dir()
        self.lessons_folder = lessons_folder
        self.copy: Path | None = None  # the lesson's copy, once kept
        self.lesson = lesson
        self.key = attempt_key(lesson.digest)
        self.notes: list[str] = []
        self.grades: dict[str, Grade] = {}  # by step id: each ask answered or skipped, as saved
        self.answers: dict[str, Answer] = {}
        self.finished = False
        self.progress: Progress | None = None
        self.record: AttemptRecord | None = None
        self.folder = folder
        self._started = False
        self._start_lock = threading.Lock()

    def _start(self) -> None:
        """Open the store and start the attempt, once, before the first save (see the module's docstring)."""
        with self._start_lock:
            if self._started:
                return
            self._started = True
            from tutor.store import open_progress
            from tutor.store.errors import StoreError

            try:
                self.progress = open_progress(self.folder)
                self.record = self.progress.start_attempt(self.lesson.id, self.lesson.digest, title=self.lesson.title, total=self.lesson.steps, key=self.key)
            except StoreError as error:
                self._without_saving(error)

    @property
    def attempt_id(self) -> str | None:
        return self.record.id if self.record is not None else None

    def _without_saving(self, error: Exception) -> None:
        self.progress = None
        self.record = None
        self.notes.append(f"Your answers cannot be saved to your progress ({error}): the session goes on without saving.")

    def reveal(self, number: int, step: AnyStep, answer: Answer | None, *, asked: bool, seconds: float | None = None) -> Grade | None:
        """Step `number` is revealed: grade and save the answer to its ask (a skip when asked and not answered).

        Returns the grade of an answer given (None for a skip or a step without an ask)."""
        self._start()
        result: Grade | None = None
        if step.ask is not None and step.id not in self.grades and (answer is not None or asked):
            try:
                result = grade(step, answer) if answer is not None else skipped(step)
            except AnswerMismatch as error:
                self.notes.append(f"Your answer to step {number} could not be graded ({error}).")
                result = None
            if result is not None:
                self.grades[step.id] = result
                if answer is not None:
                    self.answers[step.id] = answer
                self._save_answer(Committed(step.id, answer), result.score, seconds)
        self._save_position(number, finished=False, score=None)
        return result if answer is not None else None

    def judge(self, step: AnyStep, judgement: Judgement) -> Grade:
        """How the points of a free-text answer were judged (the participant's own check, or Claude's); saved once."""
        answer = self.answers.get(step.id)
        if answer is None:
            raise AnswerMismatch("only an answered question can be judged")
        result = grade(step, answer, judgement)
        self.grades[step.id] = result
        self._start()
        if self.progress is not None and self.record is not None and result.judgement is not None:
            from tutor.store.errors import AlreadyAnswered, StoreError

            try:
                self.progress.save_judgement(self.record.id, step.id, result.judgement.to_data(), score=result.score)
            except AlreadyAnswered:
                pass
            except StoreError as error:
                self._without_saving(error)
        return result

    def finish(self, shown: Mapping[int, AnyStep] | None = None) -> None:
        """The host ended the session: the attempt is finished, with its score; missed asks go to review.

        `shown`: every step revealed, by its learner's number, as last sent (the lesson's copy is made of them)."""
        if self.finished:
            return
        self._start()
        self.finished = True
        card = score_card(list(self.grades.values()), total_asks=len(self.grades))
        self._save_position(self.lesson.steps + 1, finished=True, score=card.overall)
        self._keep_copy(shown or {})
        self._add_review_cards([result for result in self.grades.values() if result.missed])

    def _keep_copy(self, shown: Mapping[int, AnyStep]) -> None:
        from .group_lessons import GroupCopyError, keep_copy, saw_every_step

        if not saw_every_step(self.lesson, shown):
            return  # the participant left or the host ended early: nothing whole to keep (docs/group-replay.md)
        try:
            self.copy = keep_copy(self.lessons_folder, self.lesson, shown)
        except GroupCopyError as error:
            self.notes.append(f"The lesson could not be kept for your reviews: {error}.")

    def _save_answer(self, committed: Committed, score: float, seconds: float | None) -> None:
        if self.progress is None or self.record is None:
            return
        from tutor.store.errors import AlreadyAnswered, StoreError

        try:
            self.progress.save_answer(self.record.id, committed.to_data(), score=score, seconds=seconds)
        except AlreadyAnswered:
            pass
        except StoreError as error:
            self._without_saving(error)

    def _save_position(self, frame: int, *, finished: bool, score: float | None) -> None:
        if self.progress is None or self.record is None:
            return
        from tutor.store.errors import StoreError

        try:
            self.progress.save_position(self.record.id, cursor=frame, frontier=frame, finished=finished, score=score)
        except StoreError as error:
            self._without_saving(error)

    def _add_review_cards(self, missed: list[Grade]) -> None:
        if self.progress is None or not missed:
            return
        key = local_lesson_key(self.lesson.digest)
        if key is None and self.copy is not None:
            key = self.key  # posed from the kept copy (`ReviewQueue` finds it by the digest)
        if key is None:
            return
        from tutor.services.reviews import card_to_data
        from tutor.store.errors import StoreError

        today = date.today()
        try:
            existing = {card.get("key") for card in self.progress.cards()}
            for result in missed:
                card = new_card(key, result.step_id, today)
                if card.key not in existing:
                    self.progress.save_card(card_to_data(card))
        except StoreError as error:
            self.notes.append(f"The questions you missed could not be added to your review queue ({error}).")

    def close(self) -> None:
        """Done: the attempt is left in progress (started now if nothing was saved yet, as on joining before)."""
        self._start()
        if self.progress is not None:
            self.progress.close()


def local_lesson_key(digest: str) -> str | None:
    """The progress key of this participant's own copy of the lesson of `digest` (None: no copy)."""
    from tutor.lesson import discover_curricula, lesson_digest
    from tutor.settings import load_settings

    from .lesson_keys import lesson_key

    for curriculum in discover_curricula(load_settings().curriculum_roots()):
        for read in curriculum.read_lessons():
            if read.lesson is not None and not read.problems and lesson_digest(read.lesson) == digest:
                return lesson_key(read.path, read.lesson.id)
    return None
