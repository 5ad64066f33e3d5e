"""The closed vocabularies of a lesson: step kinds, ask types, correction categories, confidence."""

from __future__ import annotations

from enum import Enum


class StepKind(str, Enum):
    GOAL = "goal"
    PROMPT = "prompt"
    AGENT = "agent"
    RESULT = "result"
    CORRECTION = "correction"
    NOTE = "note"


class AskType(str, Enum):
    GOAL = "goal"
    OUTCOME = "outcome"
    INTERVENE = "intervene"
    CHOICE = "choice"


class Category(str, Enum):
    """Why a senior corrected the agent. A closed set so that scores can be compared."""

    GOAL = "goal"
    SCOPE = "scope"
    APPROACH = "approach"
    VERIFY = "verify"
    TEST = "test"
    CORRECTNESS = "correctness"
    FACT = "fact"
    SAFETY = "safety"
    STOP = "stop"
    STYLE = "style"

    @property
    def meaning(self) -> str:
        return CATEGORY_MEANINGS[self]


CATEGORY_MEANINGS: dict[Category, str] = {
    Category.GOAL: "restate the intent: the agent is solving the wrong problem",
    Category.SCOPE: "too much, or unrelated: bring the change back to what was asked",
    Category.APPROACH: "wrong design: the plan will not hold up",
    Category.VERIFY: "demand evidence: run it, reproduce it, measure it",
    Category.TEST: "tests missing, or gamed to pass",
    Category.CORRECTNESS: "a bug in the change itself",
    Category.FACT: "a hallucinated API, flag or fact",
    Category.SAFETY: "security risk or destructive action",
    Category.STOP: "stop and revert to a known-good checkpoint",
    Category.STYLE: "breaks the project's conventions",
}


class Confidence(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def probability(self) -> float:
        """The chance of being right that this confidence claims, for the Brier score.

        Low is a near coin-flip, high is near-certain; the values are deliberately
        not 0.5 and 1.0 so that one confident miss does not swamp a learner's score.
        """
        return CONFIDENCE_PROBABILITY[self]


CONFIDENCE_PROBABILITY: dict[Confidence, float] = {
    Confidence.LOW: 0.55,
    Confidence.MEDIUM: 0.75,
    Confidence.HIGH: 0.95,
}


class Origin(str, Enum):
    SCRIPTED = "scripted"
    RECORDED = "recorded"
    IMPORTED = "imported"


class Level(str, Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


# Which ask may stand on which step kind. `intervene` additionally requires the step
# right before to be an `agent` step; `choice` may stand anywhere.
ASK_ALLOWED_ON: dict[AskType, frozenset[StepKind]] = {
    AskType.GOAL: frozenset({StepKind.GOAL}),
    AskType.OUTCOME: frozenset({StepKind.RESULT}),
    AskType.INTERVENE: frozenset({StepKind.CORRECTION, StepKind.RESULT}),
    AskType.CHOICE: frozenset(StepKind),
}
