"""The `tutor.lesson/1` format as pydantic models.

Field order here is the key order of a saved `lesson.json` (stable, so reviews diff
well). Unknown keys are rejected: in a hand-written lesson an unknown key is almost
always a typo (`anotation`) that would otherwise silently drop the senior's words.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .prompts import GOAL_PROMPT, INTERVENE_PROMPT, OUTCOME_PROMPT
from .taxonomy import Category, Level, Origin

FORMAT = "tutor.lesson/1"

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
# Git object ids, lowercase hex. Built and recorded lessons always hold full ids
# (40 or 64); a hand-written lesson may abbreviate (7+), and then only reading its
# code from the bundle is refused, never the lesson itself.
Sha = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{7,64}$")]
Text = str


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


# ---------------------------------------------------------------- asks


class GoalAsk(_Model):
    type: Literal["goal"]
    prompt: Text = GOAL_PROMPT
    rubric: list[Text] = Field(default_factory=list)


class OutcomeAsk(_Model):
    type: Literal["outcome"]
    prompt: Text = OUTCOME_PROMPT


class Accept(_Model):
    """Another answer that is also right at an intervene ask, in the senior's words.

    On a correction (the senior stepped in): stepping in under another `category`, or
    letting it run (`intervene: false`). On a result (the senior let it run): a catch
    (`intervene: true`, in any category unless one is named). `why` says when and why it
    is right, and is shown on the reveal; `key_points` are what such an answer should say.
    """

    intervene: bool
    category: Category | None = None
    why: Text
    key_points: list[Text] = Field(default_factory=list)


# Written only when set, like `hidden`: lessons without them save, and digest, as before.
Accepts = Annotated[list[Accept], Field(default_factory=list, exclude_if=lambda accepts: not accepts)]
Related = Annotated[list[Category], Field(default_factory=list, exclude_if=lambda related: not related)]


class InterveneAsk(_Model):
    type: Literal["intervene"]
    prompt: Text = INTERVENE_PROMPT
    key_points: list[Text] = Field(default_factory=list)
    accept: Accepts
    related: Related  # categories near the senior's: half the category's credit


class ChoiceAsk(_Model):
    type: Literal["choice"]
    prompt: Text
    options: list[Text] = Field(min_length=2)
    answer: int
    explain: Text = ""


Ask = Annotated[GoalAsk | OutcomeAsk | InterveneAsk | ChoiceAsk, Field(discriminator="type")]


# ---------------------------------------------------------------- steps


class Call(_Model):
    id: Slug
    tool: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    input: dict[str, Any] = Field(default_factory=dict)


# A step that teaches nothing (a routine read, a retried command) can be hidden from
# learners without rewriting the trajectory, which is history. Written only when true,
# so that a lesson hiding nothing saves, and digests, exactly as before the field existed.
Hidden = Annotated[bool, Field(exclude_if=lambda hidden: not hidden)]


class _Step(_Model):
    id: Slug


class GoalStep(_Step):
    kind: Literal["goal"]
    hidden: Hidden = False
    text: Text
    criteria: list[Text] = Field(default_factory=list)
    annotation: Text | None = None
    ask: Ask | None = None


class PromptStep(_Step):
    kind: Literal["prompt"]
    hidden: Hidden = False
    text: Text
    annotation: Text | None = None
    ask: Ask | None = None


class AgentStep(_Step):
    kind: Literal["agent"]
    hidden: Hidden = False
    text: Text = ""
    calls: list[Call] = Field(default_factory=list)
    annotation: Text | None = None
    ask: Ask | None = None


class ResultStep(_Step):
    kind: Literal["result"]
    hidden: Hidden = False
    call: Slug
    ok: bool
    exit_code: int | None = None
    output: Text = ""
    commit: Sha | None = None
    annotation: Text | None = None
    ask: Ask | None = None


class CorrectionStep(_Step):
    kind: Literal["correction"]
    hidden: Hidden = False
    category: Category
    text: Text
    why: Text = ""
    annotation: Text | None = None
    ask: Ask | None = None


# A note may fold away a long account (a subagent's work, say) behind its one-line text:
# shown collapsed under it. Written only when set, so lessons without it save, and digest, as before.
Details = Annotated[Text, Field(exclude_if=lambda details: not details)]


class NoteStep(_Step):
    kind: Literal["note"]
    hidden: Hidden = False
    text: Text
    details: Details = ""
    annotation: Text | None = None
    ask: Ask | None = None


Step = Annotated[
    GoalStep | PromptStep | AgentStep | ResultStep | CorrectionStep | NoteStep,
    Field(discriminator="kind"),
]
AnyStep = GoalStep | PromptStep | AgentStep | ResultStep | CorrectionStep | NoteStep


# ---------------------------------------------------------------- lesson


class RepoRef(_Model):
    bundle: Annotated[str, StringConstraints(min_length=1)] = "repo.bundle"
    base: Sha


class Lesson(_Model):
    format: Literal["tutor.lesson/1"]
    id: Slug
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    summary: Text = ""
    author: str = ""
    created: str | None = None
    level: Level = Level.BEGINNER
    minutes: Annotated[int, Field(ge=0, le=10_000)] | None = None
    tags: list[str] = Field(default_factory=list)
    origin: Origin
    task: Text
    repo: RepoRef | None = None
    steps: list[Step] = Field(min_length=1)

    def step(self, step_id: str) -> AnyStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def index_of(self, step_id: str) -> int:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise KeyError(step_id)

    def for_learners(self) -> Lesson:
        """The lesson as learners replay and read it: without its hidden steps.

        Validation guarantees what remains is a valid lesson (no ask hidden, no result
        shown without its call, at least one step), so replay needs no special cases.
        """
        if not any(step.hidden for step in self.steps):
            return self
        return self.model_copy(update={"steps": [step for step in self.steps if not step.hidden]})

    @property
    def asks(self) -> list[AnyStep]:
        """The steps that carry an ask, in order."""
        return [step for step in self.steps if step.ask is not None]
