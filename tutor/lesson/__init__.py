"""The lesson format, `tutor.lesson/1`: the pure core that every other package builds on.

Imports no other `tutor` package and none of Textual, git, TinyDB or anthropic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Names are loaded on first use: importing `tutor.lesson.peek` must not pull in the lesson models.
_EXPORTS = {
    "Accept": "models",
    "AgentStep": "models",
    "AnyStep": "models",
    "AskType": "taxonomy",
    "CATEGORY_MEANINGS": "taxonomy",
    "CURRICULUM_FILE": "curriculum",
    "Call": "models",
    "Category": "taxonomy",
    "ChoiceAsk": "models",
    "Confidence": "taxonomy",
    "CorrectionStep": "models",
    "Curriculum": "curriculum",
    "FORMAT": "models",
    "GoalAsk": "models",
    "GoalStep": "models",
    "InterveneAsk": "models",
    "LESSON_FILE": "io",
    "Lesson": "models",
    "LessonError": "problems",
    "LessonRead": "io",
    "Level": "taxonomy",
    "NoteStep": "models",
    "Origin": "taxonomy",
    "OutcomeAsk": "models",
    "Problem": "problems",
    "PromptStep": "models",
    "RepoRef": "models",
    "ResultStep": "models",
    "StepKind": "taxonomy",
    "discover_curricula": "curriculum",
    "dump_lesson": "io",
    "lesson_bytes": "io",
    "is_curriculum": "curriculum",
    "is_lesson": "curriculum",
    "lesson_digest": "io",
    "load_lesson": "io",
    "read_curriculum": "curriculum",
    "read_lesson": "io",
    "save_lesson": "io",
}

__all__ = sorted(_EXPORTS)  # noqa: PLE0605 - the names are re-exported explicitly under TYPE_CHECKING below


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tutor.lesson' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .models import Accept as Accept
    from .models import AgentStep as AgentStep
    from .models import AnyStep as AnyStep
    from .taxonomy import AskType as AskType
    from .taxonomy import CATEGORY_MEANINGS as CATEGORY_MEANINGS
    from .curriculum import CURRICULUM_FILE as CURRICULUM_FILE
    from .models import Call as Call
    from .taxonomy import Category as Category
    from .models import ChoiceAsk as ChoiceAsk
    from .taxonomy import Confidence as Confidence
    from .models import CorrectionStep as CorrectionStep
    from .curriculum import Curriculum as Curriculum
    from .models import FORMAT as FORMAT
    from .models import GoalAsk as GoalAsk
    from .models import GoalStep as GoalStep
    from .models import InterveneAsk as InterveneAsk
    from .io import LESSON_FILE as LESSON_FILE
    from .models import Lesson as Lesson
    from .problems import LessonError as LessonError
    from .io import LessonRead as LessonRead
    from .taxonomy import Level as Level
    from .models import NoteStep as NoteStep
    from .taxonomy import Origin as Origin
    from .models import OutcomeAsk as OutcomeAsk
    from .problems import Problem as Problem
    from .models import PromptStep as PromptStep
    from .models import RepoRef as RepoRef
    from .models import ResultStep as ResultStep
    from .taxonomy import StepKind as StepKind
    from .curriculum import discover_curricula as discover_curricula
    from .io import dump_lesson as dump_lesson
    from .io import lesson_bytes as lesson_bytes
    from .curriculum import is_curriculum as is_curriculum
    from .curriculum import is_lesson as is_lesson
    from .io import lesson_digest as lesson_digest
    from .io import load_lesson as load_lesson
    from .curriculum import read_curriculum as read_curriculum
    from .io import read_lesson as read_lesson
    from .io import save_lesson as save_lesson
