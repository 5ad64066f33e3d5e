"""The `tutor.lesson/1` format as msgspec structs.

Field order here is the key order of a saved `lesson.json` (stable, so reviews diff
well). Unknown keys are rejected: in a hand-written lesson an unknown key is almost
always a typo (`anotation`) that would otherwise silently drop the senior's words.

msgspec, not pydantic: importing this module costs ~30 ms (msgspec itself most of it) where
pydantic's import and schema building cost ~130 ms before the first screen of `tutor learn`
and every one-shot command, and a 10,000-step lesson converts in ~15 ms (pydantic: ~50 ms).
Structs are not validated when built in code: lessons from outside are converted with `parse`
(strict), and `tutor.lesson.validate` reports every problem of a lesson that does not convert.

A step's `kind` and an ask's `type` are the tags of their unions: msgspec reads them to
choose the struct, so they are not fields but class constants (`step.kind`, `ask.type`),
and a struct is built without them (`NoteStep(id="n", text="...")`).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar

import msgspec

from .prompts import GOAL_PROMPT, INTERVENE_PROMPT, OUTCOME_PROMPT
from .taxonomy import Category, Level, Origin

FORMAT = "tutor.lesson/1"

# The patterns end in `\Z`, not `$`: Python's `$` also matches before a final newline ("a-slug\n").
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*\Z"
SHA_PATTERN = r"^[0-9a-f]{7,64}\Z"
Slug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=120)]
# Git object ids, lowercase hex. Built and recorded lessons always hold full ids
# (40 or 64); a hand-written lesson may abbreviate (7+), and then only reading its
# code from the bundle is refused, never the lesson itself.
Sha = Annotated[str, msgspec.Meta(pattern=SHA_PATTERN)]
Text = str


class _Model(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # Fields written to `lesson.json` only when set (not false, empty or ""), so that lessons
    # saved before the field existed save, and digest, exactly as before. Every other field is
    # written unless it is None.
    written_when_set: ClassVar[frozenset[str]] = frozenset()

    def replaced(self, **changes: Any) -> Self:
        """A copy with `changes` (not validated: give values of the fields' types)."""
        return msgspec.structs.replace(self, **changes)


def _items() -> Any:
    return msgspec.field(default_factory=list)


# ---------------------------------------------------------------- asks


class _Ask(_Model, tag_field="type", frozen=True, kw_only=True):
    pass


class GoalAsk(_Ask, tag="goal", frozen=True, kw_only=True):
    type: ClassVar[Literal["goal"]] = "goal"
    prompt: Text = GOAL_PROMPT
    rubric: list[Text] = _items()


class OutcomeAsk(_Ask, tag="outcome", frozen=True, kw_only=True):
    type: ClassVar[Literal["outcome"]] = "outcome"
    prompt: Text = OUTCOME_PROMPT


class Accept(_Model, frozen=True, kw_only=True):
    """Another answer that is also right at an intervene ask, in the senior's words.

    On a correction (the senior stepped in): stepping in under another `category`, or
    letting it run (`intervene: false`). On a result (the senior let it run): a catch
    (`intervene: true`, in any category unless one is named). `why` says when and why it
    is right, and is shown on the reveal; `key_points` are what such an answer should say.
    """

    intervene: bool
    category: Category | None = None
    why: Text
    key_points: list[Text] = _items()


class InterveneAsk(_Ask, tag="intervene", frozen=True, kw_only=True):
    type: ClassVar[Literal["intervene"]] = "intervene"
    written_when_set = frozenset({"accept", "related"})
    prompt: Text = INTERVENE_PROMPT
    key_points: list[Text] = _items()
    accept: list[Accept] = _items()
    related: list[Category] = _items()  # categories near the senior's: half the category's credit


class ChoiceAsk(_Ask, tag="choice", frozen=True, kw_only=True):
    type: ClassVar[Literal["choice"]] = "choice"
    prompt: Text
    options: Annotated[list[Text], msgspec.Meta(min_length=2)]
    answer: int
    explain: Text = ""


Ask = GoalAsk | OutcomeAsk | InterveneAsk | ChoiceAsk
AnyAsk = Ask


# ---------------------------------------------------------------- steps


class Call(_Model, frozen=True, kw_only=True):
    id: Slug
    tool: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    input: dict[str, Any] = msgspec.field(default_factory=dict)


# A step that teaches nothing (a routine read, a retried command) can be hidden from
# learners without rewriting the trajectory, which is history. `hidden` is written only
# when true, so that a lesson hiding nothing saves, and digests, exactly as before the field existed.


class _Step(_Model, tag_field="kind", frozen=True, kw_only=True):
    id: Slug
    written_when_set = frozenset({"hidden"})


class GoalStep(_Step, tag="goal", frozen=True, kw_only=True):
    kind: ClassVar[Literal["goal"]] = "goal"
    hidden: bool = False
    text: Text
    criteria: list[Text] = _items()
    annotation: Text | None = None
    ask: Ask | None = None


class PromptStep(_Step, tag="prompt", frozen=True, kw_only=True):
    kind: ClassVar[Literal["prompt"]] = "prompt"
    hidden: bool = False
    text: Text
    annotation: Text | None = None
    ask: Ask | None = None


class AgentStep(_Step, tag="agent", frozen=True, kw_only=True):
    kind: ClassVar[Literal["agent"]] = "agent"
    hidden: bool = False
    text: Text = ""
    calls: list[Call] = _items()
    annotation: Text | None = None
    ask: Ask | None = None


class ResultStep(_Step, tag="result", frozen=True, kw_only=True):
    kind: ClassVar[Literal["result"]] = "result"
    hidden: bool = False
    call: Slug
    ok: bool
    exit_code: int | None = None
    output: Text = ""
    commit: Sha | None = None
    annotation: Text | None = None
    ask: Ask | None = None


class CorrectionStep(_Step, tag="correction", frozen=True, kw_only=True):
    kind: ClassVar[Literal["correction"]] = "correction"
    hidden: bool = False
    category: Category
    text: Text
    why: Text = ""
    annotation: Text | None = None
    ask: Ask | None = None


class NoteStep(_Step, tag="note", frozen=True, kw_only=True):
    """A note may fold away a long account (a subagent's work, say) behind its one-line text:
    `details`, shown collapsed under it, written only when set."""

    kind: ClassVar[Literal["note"]] = "note"
    written_when_set = frozenset({"hidden", "details"})
    hidden: bool = False
    text: Text
    details: Text = ""
    annotation: Text | None = None
    ask: Ask | None = None


AnyStep = GoalStep | PromptStep | AgentStep | ResultStep | CorrectionStep | NoteStep
Step = AnyStep


# ---------------------------------------------------------------- lesson


class RepoRef(_Model, frozen=True, kw_only=True):
    bundle: Annotated[str, msgspec.Meta(min_length=1)] = "repo.bundle"
    base: Sha


class Lesson(_Model, frozen=True, kw_only=True):
    format: Literal["tutor.lesson/1"]
    id: Slug
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    summary: Text = ""
    author: str = ""
    created: str | None = None
    level: Level = Level.BEGINNER
    minutes: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None
    tags: list[str] = _items()
    origin: Origin
    task: Text
    repo: RepoRef | None = None
    steps: Annotated[list[Step], msgspec.Meta(min_length=1)]

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
        return self.replaced(steps=[step for step in self.steps if not step.hidden])

    @property
    def asks(self) -> list[AnyStep]:
        """The steps that carry an ask, in order."""
        return [step for step in self.steps if step.ask is not None]


# ---------------------------------------------------------------- from and to JSON data

T = TypeVar("T")

# What `parse` raises on data that is not the struct: callers catch it without depending on msgspec.
ShapeError = msgspec.ValidationError


def parse(data: object, kind: type[T] | Any) -> T:
    """`data` (decoded JSON) as `kind` (a struct, or the `Step` or `Ask` union), checked strictly:
    a value must have its JSON type as written ("ok": "false" is not false, "minutes": "10" is
    not 10), while enums take their JSON string values. Raises `msgspec.ValidationError` on the
    first problem; `tutor.lesson.validate` finds all of a lesson's."""
    result: T = msgspec.convert(data, kind, strict=True)
    return result


def to_data(value: Any) -> Any:
    """A struct (or a list of them) as `lesson.json` holds it: keys in field order, the tag
    (`kind`, `type`) where it always stood (after a step's `id`, first in an ask), None left
    out, and `written_when_set` fields only when set. A call's `input` is kept as it is
    (a None in it stays), copied: the data is the caller's to change."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, _Model):
        data: dict[str, Any] = {}
        for name, tag in _layout(kind):
            if tag is not None:
                data[name] = tag
                continue
            item = getattr(value, name)
            if item is None or (not item and name in value.written_when_set):
                continue
            data[name] = item if type(item) in _PLAIN else to_data(item)
        return data
    if kind is list:
        return [item if type(item) in _PLAIN else to_data(item) for item in value]
    if kind is dict:
        return {key: item if type(item) in _PLAIN else to_data(item) for key, item in value.items()}
    if isinstance(value, Enum):
        return value.value
    return value


_PLAIN = frozenset({str, int, bool, float, type(None)})  # the values that are their own data (a 10,000-step lesson holds ~10^5)


def data_keys(struct: type[msgspec.Struct]) -> list[str]:
    """The keys a struct's data may have, in the order `lesson.json` writes them."""
    return [name for name, _ in _layout(struct)]


_LAYOUTS: dict[type, tuple[tuple[str, str | None], ...]] = {}


def _layout(struct: type[msgspec.Struct]) -> tuple[tuple[str, str | None], ...]:
    """The keys of a struct's data in order: (field, None) for a field, (tag field, tag) for the tag."""
    layout = _LAYOUTS.get(struct)
    if layout is None:
        config = struct.__struct_config__
        entries: list[tuple[str, str | None]] = [(name, None) for name in struct.__struct_fields__]
        if config.tag_field is not None and isinstance(config.tag, str):
            entries.insert(1 if struct.__struct_fields__[:1] == ("id",) else 0, (config.tag_field, config.tag))
        layout = _LAYOUTS[struct] = tuple(entries)
    return layout
