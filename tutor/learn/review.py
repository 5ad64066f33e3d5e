"""Spaced review of missed asks, scheduled with SM-2.

Why SM-2 rather than FSRS: FSRS earns its accuracy by fitting its parameters to a
large history of one learner's reviews; a Tutor learner has a few dozen cards, so
FSRS would run on defaults anyway. SM-2 is three lines of arithmetic that a learner
can predict ("got it right: see it again in 6 days"), and deterministic to test.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from .grading import Grade

if TYPE_CHECKING:
    from tutor.lesson import Lesson

    from .replay import Replay

MIN_EASE = 1.3


class Card(msgspec.Struct, frozen=True):
    lesson_id: str
    step_id: str
    due: date
    ease: float = 2.5
    interval: int = 0  # days
    repetitions: int = 0
    lapses: int = 0

    @property
    def key(self) -> str:
        return f"{self.lesson_id}/{self.step_id}"

    def is_due(self, today: date) -> bool:
        return self.due <= today


def new_card(lesson_id: str, step_id: str, today: date) -> Card:
    """A missed ask comes back the next day: same-day repetition tests short-term memory, not judgement."""
    return Card(lesson_id=lesson_id, step_id=step_id, due=today + timedelta(days=1))


def quality(grade: Grade) -> int:
    """SM-2 quality 0..5 from a grade: a skip is a blackout (0), a full score a perfect recall (5)."""
    if grade.skipped:
        return 0
    if grade.missed:
        return min(2, round(grade.score * 5))
    return max(3, round(grade.score * 5))


def schedule(card: Card, q: int, today: date) -> Card:
    """SM-2: a lapse restarts the card tomorrow; a success stretches the interval by the ease."""
    if not 0 <= q <= 5:
        raise ValueError(f"quality must be 0..5, got {q}")
    if q < 3:
        # As in the original SM-2: a lapse restarts the repetitions but leaves the ease alone.
        return replace(card, interval=1, repetitions=0, lapses=card.lapses + 1, due=today + timedelta(days=1))
    ease = max(MIN_EASE, card.ease + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))
    repetitions = card.repetitions + 1
    if repetitions == 1:
        interval = 1
    elif repetitions == 2:
        interval = 6
    else:
        interval = max(1, round(card.interval * ease))
    return replace(card, ease=ease, interval=interval, repetitions=repetitions, due=today + timedelta(days=interval))


def is_retired(card: Card) -> bool:
    """A card answered well three times in a row, with a month between reviews, has been learnt."""
    return card.repetitions >= 3 and card.interval >= 30


def review_lesson(lesson: Lesson, step_id: str) -> Lesson:
    """The lesson cut at the reviewed step, with every earlier ask removed.

    A review poses one ask again in its original context: the steps before it are
    shown as already revealed, the step itself is hidden behind its question.
    """
    index = lesson.index_of(step_id)
    earlier = [step.replaced(ask=None) for step in lesson.steps[:index]]
    return lesson.replaced(steps=[*earlier, lesson.steps[index]])


def review_replay(lesson: Lesson, step_id: str) -> Replay:
    """A replay standing at the reviewed step's question."""
    from .replay import Replay

    replay = Replay(review_lesson(lesson, step_id))
    while replay.can_next():
        replay.next()
    return replay
