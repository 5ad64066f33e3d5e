"""Hypothesis strategies for valid lessons, learner answers and replay actions.

Every piece of text a lesson carries holds a distinctive token (`zq0001qz`, unique
within the lesson), and every commit a distinctive sha, so that a test can search
anything the replay engine renders for the words of a step it must not show yet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tutor.learn import Answer, ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer
from tutor.lesson.models import to_data
from tutor.lesson import (
    FORMAT,
    AgentStep,
    AnyStep,
    Call,
    Category,
    ChoiceAsk,
    Confidence,
    CorrectionStep,
    GoalAsk,
    GoalStep,
    InterveneAsk,
    Lesson,
    NoteStep,
    Origin,
    OutcomeAsk,
    PromptStep,
    RepoRef,
    ResultStep,
)

TOKEN = re.compile(r"zq\d{4}qz")
SHA = re.compile(r"c0de\d{36}")
BASE_SHA = "ba5e" + "0" * 36

# Filler words around the tokens: no `z` or `q`, so no filler can form a token.
FILLER = ("the", "agent", "runs", "pytest", "fix", "parser", "tests", "pass", "only", "file", "red", "green", "code")

KINDS = ("goal", "prompt", "agent", "result", "correction", "note")

SAMPLE_GOALS = (
    "",
    "make it better",
    "Fix the bug",
    "Make `test_parse` pass by fixing parse_date() in dates.py; do not touch the tests.",
    "Only change ledger/totals.py so that the failing test passes and nothing else changes.",
    "Traceback in the parser on empty input: fix it, keep the change minimal, done when tests pass.",
)
SAMPLE_WORDS = (
    "",
    "the test encodes the requirement",
    "fix the code, not the test",
    "stop, revert and run the suite",
    "looks fine to me",
    "the tset encodes the requirment; fix the code instead",
)


class _Tokens:
    """Hands out the distinctive tokens of one lesson."""

    def __init__(self) -> None:
        self.count = 0

    def token(self) -> str:
        self.count += 1
        return f"zq{self.count:04d}qz"

    def sha(self) -> str:
        self.count += 1
        return f"c0de{self.count:036d}"


def _text(draw: Any, tokens: _Tokens) -> str:
    before = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=2))
    return " ".join([*before, tokens.token(), *after])


def _texts(draw: Any, tokens: _Tokens, min_size: int = 0, max_size: int = 3) -> list[str]:
    return [_text(draw, tokens) for _ in range(draw(st.integers(min_size, max_size)))]


def _maybe_text(draw: Any, tokens: _Tokens) -> str | None:
    return _text(draw, tokens) if draw(st.booleans()) else None


def _ask(draw: Any, tokens: _Tokens, kind: str, previous_kind: str | None) -> Any:
    allowed = ["choice"]
    if kind == "goal":
        allowed.append("goal")
    if kind == "result":
        allowed.append("outcome")
    if kind in ("correction", "result") and previous_kind == "agent":
        allowed.append("intervene")
    # Asks on about two steps in three: the engine's interesting part is the hiding.
    if not draw(st.integers(0, 2)):
        return None
    ask_type = draw(st.sampled_from(allowed + allowed[1:]))  # the kind-specific asks twice as often as choice
    custom_prompt = draw(st.booleans())
    if ask_type == "goal":
        rubric = _texts(draw, tokens)
        return GoalAsk(rubric=rubric, **({"prompt": _text(draw, tokens)} if custom_prompt else {}))
    if ask_type == "outcome":
        return OutcomeAsk(**({"prompt": _text(draw, tokens)} if custom_prompt else {}))
    if ask_type == "intervene":
        key_points = _texts(draw, tokens)
        return InterveneAsk(key_points=key_points, **({"prompt": _text(draw, tokens)} if custom_prompt else {}))
    options = _texts(draw, tokens, min_size=2, max_size=4)
    answer = draw(st.integers(0, len(options) - 1))
    explain = _text(draw, tokens) if draw(st.booleans()) else ""
    return ChoiceAsk(prompt=_text(draw, tokens), options=options, answer=answer, explain=explain)


@st.composite
def lessons(draw: Any, min_steps: int = 1, max_steps: int = 10) -> Lesson:
    """A valid lesson: every step kind, asks only where they may stand, results naming a call of the agent step before."""
    tokens = _Tokens()
    has_repo = draw(st.booleans())
    kinds: list[str] = []
    for kind in draw(st.lists(st.sampled_from(KINDS), min_size=min_steps, max_size=max_steps)):
        kinds.append(kind)
        if kind == "agent":
            # What follows a proposal is what the interesting asks stand on.
            kinds.extend(draw(st.sampled_from([(), ("result",), ("result", "result"), ("correction",)])))
    kinds = kinds[:max_steps]
    steps: list[AnyStep] = []
    latest_calls: list[str] = []
    call_count = 0
    previous_kind: str | None = None
    for index, kind in enumerate(kinds):
        if kind == "result" and not latest_calls:
            kind = "note"  # a result needs a call of the agent step before it
        step_id = f"s-{index + 1}"
        ask = _ask(draw, tokens, kind, previous_kind)
        annotation = _maybe_text(draw, tokens)
        step: AnyStep
        if kind == "goal":
            step = GoalStep(id=step_id, text=_text(draw, tokens), criteria=_texts(draw, tokens), annotation=annotation, ask=ask)
        elif kind == "prompt":
            step = PromptStep(id=step_id, text=_text(draw, tokens), annotation=annotation, ask=ask)
        elif kind == "agent":
            calls = []
            for _ in range(draw(st.integers(0, 3))):
                call_count += 1
                calls.append(Call(id=f"c-{call_count}", tool=draw(st.sampled_from(["run", "edit", "read"])), input={"command": _text(draw, tokens)}))
            latest_calls = [call.id for call in calls]
            step = AgentStep(id=step_id, text=_text(draw, tokens), calls=calls, annotation=annotation, ask=ask)
        elif kind == "result":
            step = ResultStep(
                id=step_id,
                call=draw(st.sampled_from(latest_calls)),
                ok=draw(st.booleans()),
                exit_code=draw(st.none() | st.integers(0, 255)),
                output=_text(draw, tokens),
                commit=tokens.sha() if has_repo and draw(st.booleans()) else None,
                annotation=annotation,
                ask=ask,
            )
        elif kind == "correction":
            step = CorrectionStep(
                id=step_id,
                category=draw(st.sampled_from(list(Category))),
                text=_text(draw, tokens),
                why=_text(draw, tokens),
                annotation=annotation,
                ask=ask,
            )
        else:
            step = NoteStep(id=step_id, text=_text(draw, tokens), annotation=annotation, ask=ask)
        steps.append(step)
        previous_kind = kind
    return Lesson(
        format=FORMAT,
        id=draw(st.sampled_from(["tests-that-lie", "scope-creep", "a1"])),
        title=_text(draw, tokens),
        summary=_text(draw, tokens),
        origin=draw(st.sampled_from(list(Origin))),
        task=_text(draw, tokens),
        repo=RepoRef(base=BASE_SHA) if has_repo else None,
        steps=steps,
    )


def step_tokens(step: AnyStep, *, ask_shown: bool = False) -> set[str]:
    """The distinctive tokens and commits of a step; with `ask_shown`, less what its open question shows (prompt, options)."""
    data = to_data(step)
    if ask_shown and data.get("ask"):
        data["ask"].pop("prompt", None)
        data["ask"].pop("options", None)
    text = json.dumps(data)
    return set(TOKEN.findall(text)) | set(SHA.findall(text))


# ---------------------------------------------------------------- answers


@dataclass(frozen=True)
class AnswerSpec:
    """Enough raw choices to answer any ask; `make_answer` shapes it to the ask at hand."""

    works: bool
    intervene: bool
    category: Category | None
    text: str
    index: int
    confidence: Confidence
    out_of_range: bool = False  # for a choice: an index past the options (the engine must refuse it)


answer_specs = st.builds(
    AnswerSpec,
    works=st.booleans(),
    intervene=st.booleans(),
    category=st.none() | st.sampled_from(list(Category)),
    text=st.sampled_from(SAMPLE_GOALS + SAMPLE_WORDS) | st.text(max_size=40),
    index=st.integers(0, 10),
    confidence=st.sampled_from(list(Confidence)),
)
# An occasional out-of-range choice, to check the engine records nothing for it.
answer_specs_with_bad_choice = st.builds(
    AnswerSpec,
    works=st.booleans(),
    intervene=st.booleans(),
    category=st.none() | st.sampled_from(list(Category)),
    text=st.sampled_from(SAMPLE_GOALS + SAMPLE_WORDS) | st.text(max_size=40),
    index=st.integers(0, 10),
    confidence=st.sampled_from(list(Confidence)),
    out_of_range=st.sampled_from([False, False, False, True]),
)


def make_answer(ask: Any, spec: AnswerSpec) -> Answer:
    if isinstance(ask, GoalAsk):
        return GoalAnswer(text=spec.text, confidence=spec.confidence)
    if isinstance(ask, OutcomeAsk):
        return OutcomeAnswer(works=spec.works, confidence=spec.confidence)
    if isinstance(ask, InterveneAsk):
        return InterveneAnswer(intervene=spec.intervene, category=spec.category, text=spec.text, confidence=spec.confidence)
    assert isinstance(ask, ChoiceAsk)
    index = len(ask.options) + spec.index if spec.out_of_range else spec.index % len(ask.options)
    return ChoiceAnswer(index=index, confidence=spec.confidence)


# ---------------------------------------------------------------- replay actions

_next = st.just(("next",))
_back = st.just(("back",))
_go = st.tuples(st.just("go"), st.integers(0, 4) | st.integers(-1, 14))
_answer = st.tuples(st.just("answer"), answer_specs_with_bad_choice)
_skip = st.just(("skip",))
# The learner's own marks on an answer's points: seeds of the verdicts, cycled over the points.
_judge = st.tuples(st.just("judge"), st.integers(0, 20), st.lists(st.integers(0, 4), max_size=4).map(tuple))
# A half-written answer kept for the open question: some text, maybe a decision.
_draft = st.tuples(st.just("draft"), st.text(max_size=30), st.none() | st.booleans())

# "advance" answers the open question with the spec, or moves on when none is open.
_advance = st.tuples(st.just("advance"), answer_specs_with_bad_choice)

# Weighted towards advancing, so that most scripts get through the lesson; the plain
# actions are there to be tried where they are not allowed, too.
action = st.one_of(_advance, _advance, _advance, _advance, _advance, _next, _answer, _back, _go, _skip, _judge, _draft)


@st.composite
def _actions(draw: Any, max_size: int = 80) -> list[tuple]:
    # The length is drawn first: `st.lists` averages a handful of elements, too few to
    # get through a lesson, while this still shrinks to short scripts.
    return [draw(action) for _ in range(draw(st.integers(0, max_size)))]


actions = _actions()
