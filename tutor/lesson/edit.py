"""Editing a lesson's teaching layer: annotations, whys, categories, asks, hidden steps.

The trajectory is history: no edit here changes a step's id, place, kind, or what was
said, run or printed. Every edit returns a new, validated lesson or raises
`EditRefused` with a one-line reason, so an editor can never hold a lesson that
`tutor validate` would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .io import lesson_to_data
from .models import AnyStep, InterveneAsk, Lesson, to_data
from .problems import Problem
from .taxonomy import ASK_ALLOWED_ON, AskType, Category, StepKind
from .validate import check_lesson_data

# Fields an edit may change; everything else a step holds is the trajectory.
TEACHING_FIELDS = frozenset({"annotation", "ask", "hidden", "why", "category"})


class EditRefused(ValueError):
    """An edit that cannot stand. Its message is one line saying why."""


def lines(text: str) -> list[str]:
    """Rubric items, key points or options typed one per line: trimmed, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def check(lesson: Lesson, path: str = "lesson.json", folder: Path | None = None) -> list[Problem]:
    """Every problem `tutor validate` would report for this lesson (with `folder`, the bundle too)."""
    return check_lesson_data(lesson_to_data(lesson), path, folder)[1]


def trajectory(lesson: Lesson) -> list[dict[str, Any]]:
    """What editing never changes: each step less its teaching layer."""
    return [{key: value for key, value in step.items() if key not in TEACHING_FIELDS} for step in lesson_to_data(lesson)["steps"]]


# ---------------------------------------------------------------- the edits


def set_annotation(lesson: Lesson, step_id: str, text: str) -> Lesson:
    """The senior's comment on a step (Markdown); blank removes it."""
    cleaned = _prose(text)

    def change(step: dict[str, Any]) -> None:
        if cleaned:
            step["annotation"] = cleaned
        else:
            step.pop("annotation", None)

    return _edit_step(lesson, step_id, change)


def set_why(lesson: Lesson, step_id: str, text: str) -> Lesson:
    """Why the senior stepped in (Markdown), on a correction."""
    _require_kind(lesson, step_id, StepKind.CORRECTION, "only a correction has a why")
    cleaned = _prose(text)
    return _edit_step(lesson, step_id, lambda step: step.__setitem__("why", cleaned))


def set_category(lesson: Lesson, step_id: str, category: Category | str) -> Lesson:
    _require_kind(lesson, step_id, StepKind.CORRECTION, "only a correction has a category")
    try:
        value = Category(category).value
    except ValueError:
        known = ", ".join(c.value for c in Category)
        raise EditRefused(f"unknown category {category!r}; expected one of {known}") from None
    return _edit_step(lesson, step_id, lambda step: _recategorise(step, value))


def _recategorise(step: dict[str, Any], category: str) -> None:
    """The senior's category changes; it can no longer be a related one, nor another right answer."""
    step["category"] = category
    ask = step.get("ask")
    if isinstance(ask, dict) and ask.get("type") == AskType.INTERVENE.value:
        if category in (ask.get("related") or []):
            ask["related"] = [other for other in ask["related"] if other != category]
        if ask.get("accept"):
            ask["accept"] = [entry for entry in ask["accept"] if not (entry.get("intervene") and entry.get("category") == category)]


def set_goal_ask(lesson: Lesson, step_id: str, *, prompt: str = "", rubric: Iterable[str] = ()) -> Lesson:
    """Ask the learner to write the goal; `rubric` is what they tick their goal against."""
    _ask_may_stand(lesson, step_id, AskType.GOAL)
    return _put_ask(lesson, step_id, {"type": "goal", **_prompt(prompt), "rubric": _items(rubric)})


def set_outcome_ask(lesson: Lesson, step_id: str, *, prompt: str = "") -> Lesson:
    """Ask the learner whether the call this result answers will work."""
    _ask_may_stand(lesson, step_id, AskType.OUTCOME)
    return _put_ask(lesson, step_id, {"type": "outcome", **_prompt(prompt)})


def set_intervene_ask(lesson: Lesson, step_id: str, *, prompt: str = "", key_points: Iterable[str] = ()) -> Lesson:
    """Ask the learner whether to let the agent's proposal run; `key_points` grade what they would say."""
    _ask_may_stand(lesson, step_id, AskType.INTERVENE)
    ask: dict[str, Any] = {"type": "intervene", **_prompt(prompt), "key_points": _items(key_points)}
    current = lesson.step(step_id).ask
    if isinstance(current, InterveneAsk):
        # The other right answers and related categories are kept: this edit is about the question and its points.
        ask.update({key: value for key, value in to_data(current).items() if key in ("accept", "related")})
    return _put_ask(lesson, step_id, ask)


def set_choice_ask(
    lesson: Lesson, step_id: str, *, prompt: str, options: Iterable[str], answer: int, explain: str = ""
) -> Lesson:
    """A multiple-choice question; `answer` is the 0-based index of the right option, as in the format."""
    _ask_may_stand(lesson, step_id, AskType.CHOICE)
    question = prompt.strip()
    if not question:
        raise EditRefused("a choice ask needs a question")
    choices = _items(options)
    if len(choices) < 2:
        raise EditRefused("a choice ask needs at least two options, one per line")
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(choices):
        raise EditRefused(f"the answer must be one of the {len(choices)} options (1 to {len(choices)})")
    return _put_ask(
        lesson, step_id, {"type": "choice", "prompt": question, "options": choices, "answer": answer, "explain": _prose(explain)}
    )


def set_ask(lesson: Lesson, step_id: str, ask_type: AskType | str | None, **parts: Any) -> Lesson:
    """Any ask by its type (None removes it). Parts: prompt, rubric, key_points, options, answer, explain."""
    if ask_type is None:
        return remove_ask(lesson, step_id)
    try:
        kind = AskType(ask_type)
    except ValueError:
        raise EditRefused(f"unknown ask type {ask_type!r}; expected one of {', '.join(a.value for a in AskType)}") from None
    prompt = parts.get("prompt", "")
    if kind is AskType.GOAL:
        return set_goal_ask(lesson, step_id, prompt=prompt, rubric=parts.get("rubric", ()))
    if kind is AskType.OUTCOME:
        return set_outcome_ask(lesson, step_id, prompt=prompt)
    if kind is AskType.INTERVENE:
        return set_intervene_ask(lesson, step_id, prompt=prompt, key_points=parts.get("key_points", ()))
    return set_choice_ask(
        lesson, step_id, prompt=prompt, options=parts.get("options", ()), answer=parts.get("answer", -1), explain=parts.get("explain", "")
    )


def remove_ask(lesson: Lesson, step_id: str) -> Lesson:
    return _edit_step(lesson, step_id, lambda step: step.pop("ask", None))


def ask_types_for(lesson: Lesson, step_id: str) -> list[AskType]:
    """The ask types that may stand on this step as the lesson is now (none on a hidden step)."""
    allowed = []
    for ask_type in AskType:
        try:
            _ask_may_stand(lesson, step_id, ask_type)
        except EditRefused:
            continue
        allowed.append(ask_type)
    return allowed


def set_hidden(lesson: Lesson, step_id: str, hidden: bool) -> Lesson:
    """Hide a step from learners, or show it again.

    An agent step takes its results with it both ways: a result shown without the
    proposal it answers would make no sense, and the format refuses it.
    """
    index = _index(lesson, step_id)
    step = lesson.steps[index]
    if step.hidden == hidden:
        return lesson
    together = [index]
    if step.kind == StepKind.AGENT.value:
        together += _results_of(lesson, index)
    if hidden:
        for other in together:
            asking = lesson.steps[other]
            if asking.ask is not None:
                whose = "it carries" if other == index else f"its result {asking.id} carries"
                raise EditRefused(f"{whose} an ask: remove it first (learners never see a hidden step, so it cannot ask them anything)")
        after = lesson.steps[index + 1] if index + 1 < len(lesson.steps) else None
        if step.kind == StepKind.AGENT.value and after is not None and after.ask is not None and after.ask.type == AskType.INTERVENE.value:
            raise EditRefused(f"the intervene ask of {after.id} judges this proposal: remove that ask first")
    elif step.kind == StepKind.RESULT.value:
        agent = _agent_before(lesson, index)
        if agent is not None and agent.hidden:
            raise EditRefused(f"the agent step it answers ({agent.id}) is hidden: show that step, and its results come back with it")

    def change(steps: list[dict[str, Any]]) -> None:
        for other in together:
            if hidden:
                steps[other]["hidden"] = True
            else:
                steps[other].pop("hidden", None)

    return _edit_steps(lesson, change)


def toggle_hidden(lesson: Lesson, step_id: str) -> Lesson:
    return set_hidden(lesson, step_id, not lesson.steps[_index(lesson, step_id)].hidden)


# ---------------------------------------------------------------- an editing session


class LessonEditor:
    """One lesson being edited: the lesson as it now stands, and whether that differs from the last save."""

    def __init__(self, lesson: Lesson) -> None:
        self.saved = lesson
        self.lesson = lesson

    @property
    def dirty(self) -> bool:
        return self.lesson != self.saved

    def mark_saved(self) -> None:
        self.saved = self.lesson

    def step(self, step_id: str) -> AnyStep:
        return self.lesson.step(step_id)

    def check(self, path: str = "lesson.json", folder: Path | None = None) -> list[Problem]:
        return check(self.lesson, path, folder)

    def _apply(self, edit: Callable[..., Lesson], *args: Any, **kwargs: Any) -> Lesson:
        self.lesson = edit(self.lesson, *args, **kwargs)  # assigned only when the edit stands
        return self.lesson

    def set_annotation(self, step_id: str, text: str) -> Lesson:
        return self._apply(set_annotation, step_id, text)

    def set_why(self, step_id: str, text: str) -> Lesson:
        return self._apply(set_why, step_id, text)

    def set_category(self, step_id: str, category: Category | str) -> Lesson:
        return self._apply(set_category, step_id, category)

    def set_ask(self, step_id: str, ask_type: AskType | str | None, **parts: Any) -> Lesson:
        return self._apply(set_ask, step_id, ask_type, **parts)

    def remove_ask(self, step_id: str) -> Lesson:
        return self._apply(remove_ask, step_id)

    def set_hidden(self, step_id: str, hidden: bool) -> Lesson:
        return self._apply(set_hidden, step_id, hidden)

    def toggle_hidden(self, step_id: str) -> Lesson:
        return self._apply(toggle_hidden, step_id)


# ---------------------------------------------------------------- helpers


def _index(lesson: Lesson, step_id: str) -> int:
    try:
        return lesson.index_of(step_id)
    except KeyError:
        raise EditRefused(f"there is no step {step_id!r} in this lesson") from None


def _require_kind(lesson: Lesson, step_id: str, kind: StepKind, reason: str) -> None:
    step = lesson.steps[_index(lesson, step_id)]
    if step.kind != kind.value:
        raise EditRefused(f"{reason}; {step_id} is {_a(step.kind)} step")


def _ask_may_stand(lesson: Lesson, step_id: str, ask_type: AskType) -> None:
    index = _index(lesson, step_id)
    step = lesson.steps[index]
    if step.hidden:
        raise EditRefused("a hidden step cannot ask anything: learners never see it (show it first)")
    if StepKind(step.kind) not in ASK_ALLOWED_ON[ask_type]:
        where = {
            AskType.GOAL: "a goal step",
            AskType.OUTCOME: "a result step (the learner predicts that result)",
            AskType.INTERVENE: "the correction or result right after an agent step",
        }[ask_type]
        raise EditRefused(f"{_a(ask_type.value)} ask stands only on {where}; {step_id} is {_a(step.kind)} step")
    if ask_type is AskType.INTERVENE:
        previous = lesson.steps[index - 1] if index > 0 else None
        if previous is None or previous.kind != StepKind.AGENT.value:
            raise EditRefused(f"an intervene ask stands only on the step right after an agent step (the proposal judged); {step_id} is not")
        if previous.hidden:
            raise EditRefused(f"an intervene ask judges the agent step before it, and {previous.id} is hidden: show it first")


def _results_of(lesson: Lesson, agent_index: int) -> list[int]:
    """The result steps answering this agent step's calls: those before the next agent step."""
    found = []
    for index in range(agent_index + 1, len(lesson.steps)):
        kind = lesson.steps[index].kind
        if kind == StepKind.AGENT.value:
            break
        if kind == StepKind.RESULT.value:
            found.append(index)
    return found


def _agent_before(lesson: Lesson, index: int) -> AnyStep | None:
    for earlier in range(index - 1, -1, -1):
        if lesson.steps[earlier].kind == StepKind.AGENT.value:
            return lesson.steps[earlier]
    return None


def _prose(text: str) -> str:
    """Markdown as typed, less the blank lines and trailing spaces around it that mean nothing."""
    kept = text.rstrip()
    while kept.startswith(("\n", "\r")):
        kept = kept[1:]
    return kept if kept.strip() else ""


def _prompt(text: str) -> dict[str, str]:
    """A blank prompt means the ask type's default question."""
    prompt = text.strip()
    return {"prompt": prompt} if prompt else {}


def _items(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        return lines(values)
    return [value.strip() for value in values if value.strip()]


def _put_ask(lesson: Lesson, step_id: str, ask: dict[str, Any]) -> Lesson:
    return _edit_step(lesson, step_id, lambda step: step.__setitem__("ask", ask))


def _edit_step(lesson: Lesson, step_id: str, change: Callable[[dict[str, Any]], object]) -> Lesson:
    index = _index(lesson, step_id)
    return _edit_steps(lesson, lambda steps: change(steps[index]))


def _edit_steps(lesson: Lesson, change: Callable[[list[dict[str, Any]]], object]) -> Lesson:
    data = lesson_to_data(lesson)
    change(data["steps"])
    edited, problems = check_lesson_data(data, "lesson.json")
    if edited is None or problems:
        first = problems[0] if problems else None
        raise EditRefused(f"{first.where}: {first.what}" if first and first.where else (first.what if first else "the lesson would not be valid"))
    if edited == lesson:
        return lesson  # keeps `is` identity: nothing changed
    return edited


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word
