"""Learning from a lesson: the replay engine, grading, scoring and spaced review. Pure: no I/O."""

from .answers import Answer, AnswerDataError, ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer, answer_from_data, answer_to_data
from .drafts import Draft
from .grading import AnswerMismatch, CategoryMatch, Grade, grade, skipped
from .judging import Judge, Judgement, JudgeRequest, PointVerdict, Verdict
from .attempt import AttemptState, Committed
from .replay import (
    AskFrame,
    EndFrame,
    Frame,
    Replay,
    ReplayError,
    StepFrame,
    TaskFrame,
    TimelineEntry,
    View,
)
from .review import Card, new_card, quality, review_lesson, review_replay, schedule
from .scoring import ScoreCard, Tally, score_card

__all__ = [
    "Answer",
    "AnswerDataError",
    "AnswerMismatch",
    "AskFrame",
    "AttemptState",
    "Card",
    "CategoryMatch",
    "ChoiceAnswer",
    "Committed",
    "Draft",
    "EndFrame",
    "Frame",
    "GoalAnswer",
    "Grade",
    "InterveneAnswer",
    "Judge",
    "JudgeRequest",
    "Judgement",
    "OutcomeAnswer",
    "PointVerdict",
    "Replay",
    "ReplayError",
    "ScoreCard",
    "StepFrame",
    "Tally",
    "TaskFrame",
    "TimelineEntry",
    "Verdict",
    "View",
    "answer_from_data",
    "answer_to_data",
    "grade",
    "new_card",
    "quality",
    "review_lesson",
    "review_replay",
    "schedule",
    "score_card",
    "skipped",
]
