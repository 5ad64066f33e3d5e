"""The lesson format, `tutor.lesson/1`: the pure core that every other package builds on.

Imports no other `tutor` package and none of Textual, git, TinyDB or anthropic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Names are loaded on first use: importing `tutor.lesson.peek` must not pull in pydantic.
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
    "is_curriculum": "curriculum",
    "is_lesson": "curriculum",
    "lesson_digest": "io",
    "load_lesson": "io",
    "read_curriculum": "curriculum",
    "read_lesson": "io",
    "save_lesson": "io",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tutor.lesson' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .models import Accept
    from .models import AgentStep
    from .models import AnyStep
    from .taxonomy import AskType
    from .taxonomy import CATEGORY_MEANINGS
    from .curriculum import CURRICULUM_FILE
    from .models import Call
    from .taxonomy import Category
    from .models import ChoiceAsk
    from .taxonomy import Confidence
    from .models import CorrectionStep
    from .curriculum import Curriculum
    from .models import FORMAT
    from .models import GoalAsk
    from .models import GoalStep
    from .models import InterveneAsk
    from .io import LESSON_FILE
    from .models import Lesson
    from .problems import LessonError
    from .io import LessonRead
    from .taxonomy import Level
    from .models import NoteStep
    from .taxonomy import Origin
    from .models import OutcomeAsk
    from .problems import Problem
    from .models import PromptStep
    from .models import RepoRef
    from .models import ResultStep
    from .taxonomy import StepKind
    from .curriculum import discover_curricula
    from .io import dump_lesson
    from .curriculum import is_curriculum
    from .curriculum import is_lesson
    from .io import lesson_digest
    from .io import load_lesson
    from .curriculum import read_curriculum
    from .io import read_lesson
    from .io import save_lesson
