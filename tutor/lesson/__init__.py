"""The lesson format, `tutor.lesson/1`: the pure core that every other package builds on.

Imports no other `tutor` package and none of Textual, git, TinyDB or anthropic.
"""

from .curriculum import CURRICULUM_FILE, Curriculum, discover_curricula, is_curriculum, is_lesson, read_curriculum
from .io import LESSON_FILE, LessonRead, dump_lesson, lesson_digest, load_lesson, read_lesson, save_lesson
from .models import (
    FORMAT,
    AgentStep,
    AnyStep,
    Call,
    ChoiceAsk,
    CorrectionStep,
    GoalAsk,
    GoalStep,
    InterveneAsk,
    Lesson,
    NoteStep,
    OutcomeAsk,
    PromptStep,
    RepoRef,
    ResultStep,
)
from .problems import LessonError, Problem
from .taxonomy import CATEGORY_MEANINGS, AskType, Category, Confidence, Level, Origin, StepKind

__all__ = [
    "CATEGORY_MEANINGS", "CURRICULUM_FILE", "FORMAT", "LESSON_FILE", "AgentStep", "AnyStep", "AskType",
    "Call", "Category", "ChoiceAsk", "Confidence", "CorrectionStep", "Curriculum", "GoalAsk", "GoalStep",
    "InterveneAsk", "Lesson", "LessonError", "LessonRead", "Level", "NoteStep", "Origin", "OutcomeAsk",
    "Problem", "PromptStep", "RepoRef", "ResultStep", "StepKind", "discover_curricula", "dump_lesson",
    "is_curriculum", "is_lesson", "lesson_digest", "load_lesson", "read_curriculum", "read_lesson", "save_lesson",
]
