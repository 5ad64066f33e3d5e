"""The review queue: missed asks, posed again in their original context, rescheduled with SM-2."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.lesson import Lesson, discover_curricula
from tutor.learn import Card, Grade, Replay, quality, review_replay, schedule

from .group_lessons import GROUP_KEY_PREFIX, copy_for_key, kept_copies
from .progress import OpensStoreLater

if TYPE_CHECKING:
    from tutor.services.progress import ProgressOpening
    from tutor.store.progress import Progress


def card_to_data(card: Card) -> dict[str, Any]:
    return {
        "key": card.key,
        "lesson": card.lesson_id,
        "step": card.step_id,
        "due": card.due.isoformat(),
        "ease": card.ease,
        "interval": card.interval,
        "repetitions": card.repetitions,
        "lapses": card.lapses,
    }


def card_from_data(data: dict[str, Any]) -> Card | None:
    try:
        return Card(
            lesson_id=str(data["lesson"]),
            step_id=str(data["step"]),
            due=date.fromisoformat(str(data["due"])),
            ease=float(data.get("ease", 2.5)),
            interval=int(data.get("interval", 0)),
            repetitions=int(data.get("repetitions", 0)),
            lapses=int(data.get("lapses", 0)),
        )
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class ReviewItem:
    card: Card
    lesson: Lesson

    def replay(self) -> Replay:
        return review_replay(self.lesson, self.card.step_id)


class ReviewQueue(OpensStoreLater):
    def __init__(
        self, progress: Progress | None, roots: list[Path], today: date | None = None, *, group_lessons: Path | None = None,
        opening: ProgressOpening | None = None,
    ) -> None:
        """`roots`: the curricula; `group_lessons`: the lessons kept from group replays (`paths.group_lessons_dir()`),
        which the cards keyed `group:<digest>` are posed from. `progress`: the open store; or `opening`, the store
        not open yet: the due cards are read without it (the attempts index's reader, no TinyDB) and it is
        attached before the first card is rescheduled (`attach_store`; the screen opens it in a worker)."""
        self.progress = progress
        self._opening: ProgressOpening | None = None
        self.today = today or date.today()
        from tutor.services.lesson_keys import lesson_key

        # Cards name their lesson by its key (another curriculum's lesson of the same id is
        # another lesson); cards from before keys name it by id.
        lessons: dict[str, Lesson] = {}
        for curriculum in discover_curricula(roots):
            for read in curriculum.read_lessons():
                if read.lesson is not None and not read.problems:
                    lessons.setdefault(lesson_key(read.path, read.lesson.id), read.lesson)
                    lessons.setdefault(read.lesson.id, read.lesson)
        self.items: list[ReviewItem] = []
        self.skipped: list[str] = []  # cards whose lesson or step is gone
        from tutor.store.errors import StoreError

        due = opening.due_cards(self.today) if opening is not None and progress is None and not opening.tried else None
        if due is not None:
            self._opening = opening
        else:
            if progress is None and opening is not None:
                self.progress = progress = opening.open()  # open already, or only the store can read the cards
            try:
                due = progress.due_cards(self.today) if progress is not None else []
            except StoreError:
                due = []  # said where progress is opened; the review is empty rather than broken
        copies = self._group_copies(due, group_lessons)
        for data in due:
            card = card_from_data(data)
            lesson = (lessons.get(card.lesson_id) or copy_for_key(copies, card.lesson_id)) if card else None
            if card is None or lesson is None or not _has_ask(lesson, card.step_id):
                self.skipped.append(str(data.get("key")))
                continue
            self.items.append(ReviewItem(card, lesson))

    @staticmethod
    def _group_copies(due: list[dict[str, Any]], folder: Path | None) -> dict[str, Lesson]:
        """The kept group lessons, read only when a due card needs one."""
        if not any(str(data.get("lesson", "")).startswith(GROUP_KEY_PREFIX) for data in due):
            return {}
        if folder is None:
            from tutor import paths

            folder = paths.group_lessons_dir()
        return kept_copies(folder)

    def record(self, item: ReviewItem, grade: Grade) -> Card:
        """Reschedule the card by how well it went, and save it (the store attached first, if it was not)."""
        card = schedule(item.card, quality(grade), self.today)
        self.attach_store()
        if self.progress is not None:  # else it cannot be used: said once, where it was opened
            self.progress.save_card(card_to_data(card))
        return card

    def attach_store(self) -> None:
        """Save to the store from now on (opened here if `open_store` has not)."""
        if self._opening is not None:
            self.progress = self._opening.open()
            self._opening = None


def _has_ask(lesson: Lesson, step_id: str) -> bool:
    try:
        return lesson.step(step_id).ask is not None
    except KeyError:
        return False


@dataclass(frozen=True)
class ReviewDone:
    """The frame after the last due card."""

    reviewed: int
    right: int
    left_out: int  # cards whose lesson or step no longer exists


class ReviewSession:
    """Walks the due cards one by one, with the same moves as a lesson run."""

    def __init__(self, queue: ReviewQueue, *, clock: Callable[[], float] = time.monotonic) -> None:
        from tutor.services.answer_clock import AnswerClock

        self.queue = queue
        self.answer_clock = AnswerClock(clock)  # keyed by card: one card, one question
        # Each reviewed card's seconds from question shown to answer (None: unknown). Kept for this
        # session only: a review answer reschedules a card and is stored in no attempt.
        self.seconds: dict[str, float | None] = {}
        self.index = 0
        self.reviewed = 0
        self.right = 0
        self.notes: list[str] = []
        self._replay: Replay | None = queue.items[0].replay() if queue.items else None

    @property
    def replay(self) -> Replay | None:
        """The current card's replay (None once the review is over)."""
        return self._replay

    @property
    def item(self) -> ReviewItem | None:
        return self.queue.items[self.index] if self.index < len(self.queue.items) else None

    @property
    def title(self) -> str:
        item = self.item
        if item is None:
            return "Review"
        return f"Review {self.index + 1} of {len(self.queue.items)} · {item.lesson.title}"

    def view(self):  # noqa: ANN201 - a tutor.learn View
        from msgspec.structs import replace

        if self._replay is None:
            from tutor.learn import View

            return View(
                title="Review",
                task="",
                cursor=0,
                frontier=0,
                total=0,
                frame=ReviewDone(self.reviewed, self.right, len(self.queue.skipped)),  # type: ignore[arg-type]
                timeline=(),
                hidden=0,
                can_next=False,
                can_back=False,
                awaiting_answer=False,
                finished=True,
                lesson_changed=False,
            )
        view = self._replay.view()
        # Within a card, "next" walks forward to the card's question (after a `back`), and after its
        # reveal moves on to the next card: it is blocked only while the question waits for an answer.
        return replace(view, can_next=not view.awaiting_answer and not view.awaiting_judgement, finished=False)

    def next(self) -> None:
        from tutor.learn import ReplayError

        view = self.view()
        if self._replay is None or view.awaiting_answer:
            raise ReplayError("answer or skip the question before moving on")
        if view.awaiting_judgement:
            raise ReplayError("mark each of the senior's points first (y, p or n)")
        if view.cursor < view.total:
            self._replay.next()
            return
        self.index += 1
        self._replay = self.item.replay() if self.item is not None else None

    def back(self) -> None:
        from tutor.learn import ReplayError

        if self._replay is None:
            raise ReplayError("the review is over")
        self._replay.back()

    def go(self, cursor: int) -> None:
        if self._replay is not None:
            self._replay.go(cursor)

    def question_shown(self) -> None:
        """The screen shows what `view()` gave: the card's question clock runs while it waits on screen (see `LessonRun`)."""
        if self._replay is None or self.item is None or self._replay.open_step_id() is None:
            self.answer_clock.hidden()
        else:
            self.answer_clock.shown(self.item.card.key)

    def question_hidden(self) -> None:
        self.answer_clock.hidden()

    def answer(self, answer) -> Grade:  # noqa: ANN001
        assert self._replay is not None and self.item is not None
        grade = self._replay.answer(answer)
        self.seconds[self.item.card.key] = self.answer_clock.take(self.item.card.key)
        self._record(grade)
        return grade

    def skip(self) -> Grade:
        assert self._replay is not None and self.item is not None
        grade = self._replay.skip()
        self.seconds[self.item.card.key] = self.answer_clock.take(self.item.card.key)
        self._record(grade)
        return grade

    def judge(self, step_id: str, judgement) -> Grade:  # noqa: ANN001 - a tutor.learn Judgement
        assert self._replay is not None and self.item is not None
        grade = self._replay.judge(step_id, judgement)
        self._record(grade)  # the card is rescheduled once its answer is fully graded
        return grade

    def judge_request(self, step_id: str):  # noqa: ANN201 - a tutor.learn JudgeRequest
        from tutor.services.judging import judge_request

        assert self._replay is not None and self.item is not None
        return judge_request(self._replay.lesson, self._replay, step_id)

    def set_draft(self, draft) -> None:  # noqa: ANN001 - a tutor.learn Draft
        """Keep what the open question's form holds: it comes back after `back` and `next` within the card."""
        from tutor.learn import ReplayError

        if self._replay is None:
            raise ReplayError("the review is over")
        self._replay.set_draft(draft)

    def flush(self) -> None:
        """Nothing waits to be written: a card is rescheduled (and saved) the moment it is answered."""

    # -- the store, opened after the first frame (see `ReviewQueue`; the screen's `store_opening`)

    @property
    def store_pending(self) -> bool:
        return self.queue.store_pending

    def open_store(self) -> None:
        self.queue.open_store()

    def attach_store(self) -> None:
        self.queue.attach_store()

    def _record(self, grade: Grade) -> None:
        if grade.pending:
            return  # its points are still to be judged: recorded then
        self.reviewed += 1
        self.right += not grade.missed
        assert self.item is not None  # a grade is for the item on screen
        self.queue.record(self.item, grade)
