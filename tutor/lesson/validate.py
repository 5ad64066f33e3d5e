"""Validation of `tutor.lesson/1` data: every problem, one line each, never an exception.

Structural checks come from the msgspec structs (`tutor.lesson.models`; every structural
problem at once through `tutor.lesson.shape`); the rules that span steps (where an ask may
stand, which call a result answers, unique ids) are checked here on the raw data, so a
lesson with a structural error still gets its other problems reported.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from .models import FORMAT, Lesson, parse, to_data
from .problems import Problem, at_key, shown
from .taxonomy import ASK_ALLOWED_ON, AskType, StepKind

MAX_DEPTH = 24  # a real lesson nests about 6 deep; anything far past that is an attack or an accident


def json_depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when `value` nests deeper than `limit` (iterative: deep input cannot blow the stack).

    Only containers are stacked: most of a lesson's values are strings, and a 10,000-step
    lesson would otherwise stack a quarter of a million of them to learn nothing."""
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    containers = (dict, list)
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend([(child, depth + 1) for child in children if isinstance(child, containers)])
    return False


# Where a call's `input` stands: lesson (1) > steps (2) > step (3) > calls (4) > call (5) > input (6).
_INPUT_DEPTH = 6


def _too_deep(data: dict[str, Any], parsed: Lesson | None) -> bool:
    """`json_depth_exceeds(data)`: for data that has the lesson's shape, only its calls' inputs are walked (every
    other field's type bounds its depth far below `MAX_DEPTH`); a 10,000-step lesson's walk was ~15 ms."""
    if parsed is None:
        return json_depth_exceeds(data)
    # All the inputs in one walk (one level deeper, in a list), not a walk each: 7.9 -> 7.3 ms for 10,000 steps.
    inputs = [call.input for step in parsed.steps for call in getattr(step, "calls", ())]
    return json_depth_exceeds(inputs, MAX_DEPTH - _INPUT_DEPTH + 2)


def check_lesson_data(data: Any, path: str, folder: Path | None = None, *, plain_json: bool = False) -> tuple[Lesson | None, list[Problem]]:
    """Validate decoded JSON. Returns the lesson (when structurally valid) and all problems.

    `plain_json`: the data was just decoded from text with no NaN, Infinity or escaped surrogate
    (`io.decode_lesson_json`), so it holds nothing that JSON lets through but a lesson may not:
    it is not encoded again to find out (a tenth of reading a 10,000-step lesson).
    """
    if not isinstance(data, dict):
        return None, [Problem(path, "", f"a lesson must be a JSON object, not {_json_type(data)}")]
    refused: msgspec.ValidationError | None = None
    try:
        # msgspec does not recurse into what it refuses, nor into a call's `input` (the one field of any JSON): safe
        # on data of any depth, and once it has the lesson's shape only the inputs can nest deeply.
        parsed: Lesson | None = parse(data, Lesson)  # strict: a value must have its JSON type as written
    except msgspec.ValidationError as error:
        parsed, refused = None, error
    if _too_deep(data, parsed):
        return None, [Problem(path, "", f"nesting deeper than {MAX_DEPTH} levels; refusing to read it")]
    fmt = data.get("format")
    if fmt != FORMAT:
        what = "missing field" if fmt is None else f"unknown format {fmt!r}"
        return None, [Problem(path, "format", f"{what}; this Tutor reads {FORMAT!r}")]

    problem = None if plain_json else _json_problem(data, path)
    if problem is not None:
        return None, [problem]

    problems: list[Problem] = []
    lesson = parsed
    if refused is not None:
        from .shape import refusal, shape_problems

        found = shape_problems(data, Lesson) or [refusal(refused)]  # never a refusal without its line
        problems.extend(Problem(path, where, what) for where, what in found)
    problems.extend(_cross_step_problems(data, path, folder))
    return (lesson if not problems else None), _dedupe(problems)


def _json_problem(data: dict[str, Any], path: str) -> Problem | None:
    """The one problem that keeps the data from being valid UTF-8 JSON, if any (what `json.loads`
    lets through: NaN, Infinity, a lone surrogate; or, from code, a value JSON has no type for)."""
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except ValueError as error:
        where = _find(data, lambda v: isinstance(v, float) and not math.isfinite(v))
        if where is not None:
            return Problem(path, where, "NaN and Infinity are not JSON numbers")
        return Problem(path, "", f"not JSON data ({shown(str(error))})")
    except (TypeError, RecursionError) as error:
        return Problem(path, "", f"not JSON data ({shown(str(error))})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        where = _find(data, lambda v: isinstance(v, str) and not _is_unicode(v))
        return Problem(path, where or "", "text holds a lone surrogate escape (such as \\ud800), which is not Unicode")
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _find(data: Any, wrong: Callable[[Any], bool]) -> str | None:
    """Where the first value (or object key) for which `wrong` holds sits, as `steps[2].text`."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            children = []
            for key, child in item.items():
                if wrong(key):
                    return where
                children.append((child, at_key(where, key)))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(child, f"{where}[{index}]") for index, child in enumerate(item)]))
        elif wrong(item):
            return where
    return None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    unique = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            unique.append(problem)
    return unique


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


# ---------------------------------------------------------------- rules across steps


def _at(index: int, field: str = "") -> str:
    return f"steps[{index}].{field}" if field else f"steps[{index}]"


# The enums by value: a lookup, where calling the enum costs a 10,000-step lesson ~10 ms.
_ASK_TYPES = {ask_type.value: ask_type for ask_type in AskType}
_STEP_KINDS = {step_kind.value: step_kind for step_kind in StepKind}
_AGENT, _RESULT, _GOAL = StepKind.AGENT.value, StepKind.RESULT.value, StepKind.GOAL.value
_INTERVENE, _CORRECTION = AskType.INTERVENE.value, StepKind.CORRECTION.value


def _cross_step_problems(data: dict[str, Any], path: str, folder: Path | None) -> list[Problem]:
    """The rules that span steps. A step's place (`steps[3].call`) is written only into a problem: most steps have none."""
    problems: list[Problem] = []
    steps = data.get("steps")
    if not isinstance(steps, list):
        return problems

    seen_steps: dict[str, int] = {}
    seen_calls: dict[str, int] = {}
    last_agent_calls: set[str] | None = None
    last_agent_index = -1
    last_agent_hidden = False
    previous_kind: Any = None
    previous_hidden = False
    visible = 0
    goals: list[tuple[int, bool]] = []  # (index, hidden) of every goal step
    has_repo = isinstance(data.get("repo"), dict)
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue  # the structs' check reports it
        get = step.get
        kind = get("kind")
        step_id = get("id")
        hidden = get("hidden") is True
        visible += not hidden
        if kind == _GOAL:
            goals.append((index, hidden))
        if isinstance(step_id, str):
            first = seen_steps.setdefault(step_id, index)
            if first != index:
                problems.append(Problem(path, _at(index, "id"), f"duplicate step id {step_id!r} (first used at steps[{first}])"))

        if kind == _AGENT:
            calls = get("calls")
            last_agent_calls = set()
            last_agent_index, last_agent_hidden = index, hidden
            if isinstance(calls, list):
                for call_index, call in enumerate(calls):
                    call_id = call.get("id") if isinstance(call, dict) else None
                    if not isinstance(call_id, str):
                        continue
                    first = seen_calls.setdefault(call_id, index)
                    if first != index or call_id in last_agent_calls:
                        problems.append(
                            Problem(path, f"{_at(index)}.calls[{call_index}].id", f"duplicate call id {call_id!r} (first used at steps[{first}])")
                        )
                    last_agent_calls.add(call_id)
        elif kind == _RESULT:
            call_id = get("call")
            if isinstance(call_id, str):
                if last_agent_calls is None:
                    problems.append(Problem(path, _at(index, "call"), f"result for call {call_id!r} but no agent step comes before it"))
                elif call_id not in last_agent_calls:
                    known = ", ".join(sorted(last_agent_calls)) or "none"
                    problems.append(
                        Problem(path, _at(index, "call"), f"{call_id!r} names no call of the agent step before it (its calls: {known})")
                    )
            if last_agent_hidden and not hidden:
                problems.append(
                    Problem(path, _at(index), f"the result is shown but the agent step it answers ({_at(last_agent_index)}) is hidden: hide the result too, or show that step")
                )
            if get("commit") is not None and not has_repo:
                problems.append(Problem(path, _at(index, "commit"), "a result has a commit but the lesson has no repo"))

        ask = get("ask")
        if isinstance(ask, dict):
            if hidden:
                problems.append(Problem(path, _at(index, "ask"), "a hidden step cannot carry an ask: learners never see it (remove the ask, or show the step)"))
            else:
                problems.extend(_ask_problems(ask, kind, previous_kind, path, index, previous_hidden))
                if ask.get("type") == _INTERVENE:
                    problems.extend(_accept_problems(ask, step, path, _at(index, "ask")))
        previous_kind = kind
        previous_hidden = hidden

    if steps and visible == 0:
        problems.append(Problem(path, "steps", "every step is hidden: learners need at least one step to replay"))
    elif goals and all(goal_hidden for _, goal_hidden in goals):
        problems.append(
            Problem(path, f"{_at(goals[-1][0])}.hidden", "every goal step is hidden: keep one shown, the steps after it are judged against it")
        )

    repo = data.get("repo")
    if isinstance(repo, dict) and isinstance(repo.get("bundle"), str):
        problems.extend(_bundle_problems(repo["bundle"], folder, path))
    return problems


def _ask_problems(ask: dict[str, Any], kind: Any, previous_kind: Any, path: str, index: int, previous_hidden: bool = False) -> list[Problem]:
    value = ask.get("type")
    ask_type = _ASK_TYPES.get(value) if isinstance(value, str) else None
    step_kind = _STEP_KINDS.get(kind) if isinstance(kind, str) else None
    if ask_type is None or step_kind is None:
        return []  # the structs' check reports the unknown type or kind
    problems = []
    if step_kind not in ASK_ALLOWED_ON[ask_type]:
        allowed = " or ".join(sorted(k.value for k in ASK_ALLOWED_ON[ask_type]))
        problems.append(Problem(path, _at(index, "ask"), f"{_a(ask_type.value)} ask may only stand on {_a(allowed)} step, not on {_a(step_kind.value)} step"))
    elif ask_type is AskType.INTERVENE and previous_kind != _AGENT:
        problems.append(
            Problem(path, _at(index, "ask"), "an intervene ask must stand on the step right after an agent step (the proposal the learner judges)")
        )
    elif ask_type is AskType.INTERVENE and previous_hidden:
        problems.append(Problem(path, _at(index, "ask"), "an intervene ask judges the agent step right before it, which is hidden: show that step"))
    if ask_type is AskType.CHOICE:
        options, answer = ask.get("options"), ask.get("answer")
        if isinstance(options, list) and isinstance(answer, int) and not isinstance(answer, bool) and not 0 <= answer < len(options):
            problems.append(Problem(path, f"{_at(index, 'ask')}.answer", f"answer {answer} is out of range: there are {len(options)} options (0 to {len(options) - 1})"))
    return problems


def _accept_problems(ask: dict[str, Any], step: dict[str, Any], path: str, where: str) -> list[Problem]:
    """Other right answers must differ from the senior's own, and related categories from theirs."""
    problems = []
    senior_stepped_in = step.get("kind") == _CORRECTION
    senior_category = step.get("category") if senior_stepped_in else None
    raw_accepts = ask.get("accept")
    accepts: list[Any] = raw_accepts if isinstance(raw_accepts, list) else []
    seen: set[tuple[object, object]] = set()
    for index, entry in enumerate(accepts):
        if not isinstance(entry, dict):
            continue  # the structs' check reports the shape
        at = f"{where}.accept[{index}]"
        intervene, category = entry.get("intervene"), entry.get("category")
        if intervene is False and not senior_stepped_in:
            problems.append(Problem(path, at, "the senior let it run: letting it run is their own answer, not another one"))
        elif intervene is True and senior_stepped_in and category in (None, senior_category):
            problems.append(Problem(path, f"{at}.category", f"name a category other than the senior's ({senior_category}): stepping in under it is their own answer"))
        elif intervene is False and category is not None:
            problems.append(Problem(path, f"{at}.category", "letting it run has no category"))
        if isinstance(intervene, (dict, list)) or isinstance(category, (dict, list)):
            continue  # the structs' check reports the shape (and a list is no key of `seen`)
        if (intervene, category) in seen:
            problems.append(Problem(path, at, "the same answer is accepted twice"))
        seen.add((intervene, category))
    raw_related = ask.get("related")
    related: list[Any] = raw_related if isinstance(raw_related, list) else []
    if related and not senior_stepped_in:
        problems.append(Problem(path, f"{where}.related", "related categories are for a correction: here the senior let it run"))
    elif senior_category in related:
        problems.append(Problem(path, f"{where}.related", f"{senior_category} is the senior's own category, not a related one"))
    return problems


# ---------------------------------------------------------------- warnings


def lesson_warnings(lesson: Lesson, path: str) -> list[Problem]:
    """What a valid lesson may still get wrong as teaching: one line each, never an error.

    A lesson with no goal ask never has the learner set the goal, the first thing a senior
    does; and an imported or recorded draft without one usually shows its goal as the task.
    """
    warnings = []
    shown = [step for step in lesson.steps if not step.hidden]
    if not any(step.ask is not None and step.ask.type == AskType.GOAL.value for step in shown):
        has_goal = any(step.kind == StepKind.GOAL.value for step in shown)
        fix = "give the goal step a goal ask" if has_goal else "add a goal step with a goal ask"
        warnings.append(Problem(path, "steps", f"no goal ask: learners never set the goal themselves ({fix})"))
    warnings.extend(_long_field_warnings(lesson, path))
    return warnings


def _long_field_warnings(lesson: Lesson, path: str, most: int = 10) -> list[Problem]:
    """A text field longer than `MAX_FIELD_CHARS` is valid, but learners will see it cut: say so."""
    from .limits import MAX_FIELD_CHARS

    found: list[Problem] = []
    stack: list[tuple[Any, str]] = [(to_data(lesson), "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            stack.extend(reversed([(child, at_key(where, key)) for key, child in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(child, f"{where}[{index}]") for index, child in enumerate(item)]))
        elif isinstance(item, str) and len(item) > MAX_FIELD_CHARS:
            if len(found) == most:
                found.append(Problem(path, "", f"more fields longer than {MAX_FIELD_CHARS:,} characters"))
                break
            found.append(Problem(path, where, f"{len(item):,} characters is very long; learners will see it cut (keep a field under {MAX_FIELD_CHARS:,})"))
    return found


def _bundle_problems(bundle: str, folder: Path | None, path: str) -> list[Problem]:
    candidate = Path(bundle)
    if candidate.is_absolute() or ".." in candidate.parts or len(candidate.parts) != 1:
        return [Problem(path, "repo.bundle", f"{bundle!r} must be a file name inside the lesson folder")]
    if folder is not None and not os.path.lexists(folder / bundle):
        return [Problem(path, "repo.bundle", f"the lesson names {bundle!r} but there is no such file beside lesson.json")]
    if folder is not None:
        from .limits import MAX_BUNDLE_BYTES, Refused, check_regular, problem_text

        try:
            check_regular(folder / bundle, limit=MAX_BUNDLE_BYTES, within=folder, name="a lesson's bundle")
        except (Refused, OSError) as error:  # checked, never opened: git reads it when the lesson is opened
            return [Problem(str(folder / bundle), "", problem_text(error))]
    return []


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word
