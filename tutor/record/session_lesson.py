"""A live session's journal, turned into a lesson draft: the trajectory as it happened, with default asks.

Steps follow the journal: the goal, each prompt, each agent message with its calls, each
call's real result (with the snapshot commit, from the result or the `snapshot` record
after it, named `refs/tutor/steps/<step>` in the bundle), each correction. Defaults for the teaching layer, which a senior then edits
(`tutor annotate`): the asks the senior marked, or by default a goal ask on the goal and
intervene asks on each correction and the call let run before it (`default_asks`). The
senior's annotations are kept on their steps, and a learner's prediction as an annotation on
its result, so a reviewer sees what the learner expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tutor.agent.records import (
    Annotation, AskMark, Assistant, Correction, Goal, Header, MalformedRecord, Prediction, Prompt, ProposedCall, Record, Result,
    Run, Snapshot, parse_record,
)
from tutor.errors import UserError
from tutor.lesson import FORMAT, Lesson
from tutor.lesson.io import save_lesson_folder
from tutor.lesson.prompts import GOAL_PROMPT, GOAL_RUBRIC, INTERVENE_PROMPT
from tutor.lesson.validate import check_lesson_data



class LessonDraftError(UserError):
    """The journal cannot become a valid lesson; one line for the user."""




def lesson_data(
    records: Iterable[dict[str, Any] | Record],
    *,
    lesson_id: str,
    origin: str = "recorded",
    author: str = "",
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """The lesson (as `tutor.lesson/1` data) that a session's journal records describe.

    Asks the senior marked (`ask` records) are placed where the format lets them stand;
    one that cannot stand there is left out and said in `warnings`. With none marked, the
    defaults of `default_asks` apply.
    """
    warnings = warnings if warnings is not None else []
    typed = _typed(records, warnings)
    header = next((r for r in typed if isinstance(r, Header)), Header())
    steps: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    predictions: dict[str, Prediction] = {}
    by_seq: dict[int, dict[str, Any]] = {}  # journal seq -> the step that record made
    settles: dict[str, dict[str, Any]] = {}  # API call id -> the step that settled it (result or correction)

    call_ids: dict[str, str] = {}  # the API's ids (toolu_01Ab...) are not slugs: number them

    def call_id_for(raw: str) -> str:
        return call_ids.setdefault(raw, f"call-{len(call_ids) + 1}")

    def new_id(prefix: str) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}{counters[prefix]}"

    def add(record: Record, step: dict[str, Any]) -> None:
        steps.append(step)
        if record.seq:
            by_seq[record.seq] = step

    gated = {r.call for r in typed if (isinstance(r, Run) and r.gated) or isinstance(r, Correction)}
    snapshots = {r.call: r.commit for r in typed if isinstance(r, Snapshot) and r.commit}  # taken after the result was shown
    later: dict[str, dict[str, Any]] = {}  # first call id -> the agent step that proposes it, not shown yet
    proposes: dict[str, dict[str, Any]] = {}  # API call id -> the agent step that proposes it

    for record in typed:
        if isinstance(record, (Result, Correction)) and record.call in later:
            steps.append(later.pop(record.call))
        match record:
            case Goal():
                add(record, {"id": "goal", "kind": "goal", "text": record.text})
            case Prompt():
                add(record, {"id": new_id("prompt-"), "kind": "prompt", "text": record.text})
            case Assistant():
                chunks = _gate_chunks(list(record.calls), gated)
                for index, chunk in enumerate(chunks or [[]]):
                    calls = [{"id": call_id_for(c.id), "tool": c.tool, "input": dict(c.input)} for c in chunk]
                    words = (record.text or "(no words, only tool calls)") if index == 0 else CONTINUED
                    step: dict[str, Any] = {"id": new_id("agent-"), "kind": "agent", "text": words}
                    if calls:
                        step["calls"] = calls
                    for call in chunk:
                        proposes[call.id] = step
                    if index == 0:
                        add(record, step)
                    else:  # shown when its call comes up, as the gate showed it
                        later[chunk[0].id] = step
            case Prediction():
                predictions[record.call] = record
            case Result():
                output = f"{record.error}\n{record.output}" if record.error and record.output else (record.error or record.output)
                step = {"id": new_id("result-"), "kind": "result", "call": call_id_for(record.call), "ok": record.ok,
                        "exit_code": record.exit_code, "output": output}
                commit = record.commit or snapshots.get(record.call)
                if commit:
                    step["commit"] = commit
                prediction = predictions.get(record.call)
                if prediction is not None:
                    step["annotation"] = f"The learner predicted it {prediction.outcome} ({prediction.confidence} confidence)."
                step = {k: v for k, v in step.items() if v is not None}
                add(record, step)
                settles[record.call] = step
            case Correction():
                step = {"id": new_id("correction-"), "kind": "correction", "category": record.category, "text": record.message}
                if record.why:
                    step["why"] = record.why
                add(record, step)
                for stopped in record.stopped:
                    settles.setdefault(stopped, step)
    steps.extend(later.values())  # calls still waiting at the gate when the session stopped
    if not any(s["kind"] == "goal" for s in steps):
        raise LessonDraftError("the session has no goal yet: nothing to make a lesson of")

    def target_step(target: dict[str, object]) -> dict[str, Any] | None:
        if "call" in target:
            return settles.get(str(target["call"]))
        if "proposal" in target:
            return proposes.get(str(target["proposal"]))
        try:
            return by_seq.get(int(target.get("seq", -1)))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None

    for note in typed:
        if not isinstance(note, Annotation) or not note.text.strip():
            continue
        noted = target_step(note.target)
        if noted is None:
            warnings.append("an annotation names a step the session never reached; left out")
            continue
        text = note.text.strip()
        noted["annotation"] = f"{noted['annotation']}\n\n{text}" if noted.get("annotation") else text

    marked = [r for r in typed if isinstance(r, AskMark)]
    for mark in marked:
        asked = target_step(mark.target)
        ask = dict(mark.ask)
        if asked is None:
            warnings.append(f"an {ask.get('type', '?')} ask was marked on a call that was never run or corrected; left out")
            continue
        reason = ask_misplaced(steps, asked, str(ask.get("type")))
        if reason:
            warnings.append(f"{asked['id']}: {reason}; that ask is left out")
            continue
        if ask.get("type") == "intervene" and not ask.get("key_points") and asked["kind"] == "correction":
            ask["key_points"] = [asked["text"]]  # marked at the gate, before the senior's words existed
        asked["ask"] = ask
    if not marked:
        default_asks(steps)

    task = header.task.strip() or "A live session with the agent."
    title = _title(task)
    mode = header.mode or "pair"
    summary = _summary(mode, author, steps)
    data: dict[str, Any] = {
        "format": FORMAT, "id": lesson_id, "title": title, "summary": summary,
        "level": "intermediate", "minutes": max(5, min(60, len(steps))), "tags": [mode],
        "origin": origin, "task": task, "steps": steps,
    }
    if author:
        data["author"] = author
    if any("commit" in s for s in steps):
        data["repo"] = {"bundle": "repo.bundle", "base": header.base}
    return data


CONTINUED = "(the same message, its next call)"


def _typed(records: Iterable[dict[str, Any] | Record], warnings: list[str]) -> list[Record]:
    typed: list[Record] = []
    for record in records:
        if isinstance(record, dict):
            raw = record
            try:
                record = parse_record(raw)
            except MalformedRecord as error:
                warnings.append(f"record {raw.get('seq', '?')}: unreadable ({error}), left out")
                continue
        typed.append(record)
    return typed


def _gate_chunks(calls: list[ProposedCall], gated: set[str]) -> list[list[ProposedCall]]:
    """A message's calls, split so that every call that stopped at the gate starts an agent step of its own.

    The gate showed such a call alone, after the results of the calls before it: as its
    own step, the result or correction that settled it follows an agent step directly,
    where an intervene ask can stand. Calls that never reached the gate (stopped by a
    correction of an earlier one) stay with the call before them.
    """
    chunks: list[list[ProposedCall]] = []
    for call in calls:
        if not chunks or call.id in gated:
            chunks.append([call])
        else:
            chunks[-1].append(call)
    return chunks


def default_asks(steps: list[dict[str, Any]]) -> list[str]:
    """The asks a session gets when the senior marked none; returns the ids of the steps that got one.

    A goal ask on the goal; an intervene ask on every correction that directly follows the
    agent's message (the learner decides before seeing it), with the correction's words as
    the key point; and one on the call the senior let run before it, whose truth is "let it
    run": telling the two apart is the skill.
    """
    given: list[str] = []
    for index, step in enumerate(steps):
        if step["kind"] == "goal" and "ask" not in step:
            step["ask"] = {"type": "goal", "prompt": GOAL_PROMPT, "rubric": list(GOAL_RUBRIC)}
            given.append(step["id"])
        if step["kind"] != "correction" or ask_misplaced(steps, step, "intervene"):
            continue
        step["ask"] = {"type": "intervene", "prompt": INTERVENE_PROMPT, "key_points": [step["text"]]}
        given.append(step["id"])
        for earlier in reversed(steps[:index]):
            if earlier["kind"] == "correction":
                break  # the run before an earlier correction is that correction's contrast, not this one's
            if earlier["kind"] == "result" and "ask" not in earlier and not ask_misplaced(steps, earlier, "intervene"):
                earlier["ask"] = {"type": "intervene", "prompt": INTERVENE_PROMPT}
                given.append(earlier["id"])
                break
    return given


def ask_misplaced(steps: list[dict[str, Any]], step: dict[str, Any], ask_type: str) -> str:
    """Why an ask of `ask_type` cannot stand on `step` (the format's table), or "" when it can."""
    kind = step["kind"]
    if ask_type == "goal":
        return "" if kind == "goal" else "a goal ask stands only on the goal"
    if ask_type == "outcome":
        return "" if kind == "result" else "an outcome ask stands only on a result"
    if ask_type == "intervene":
        index = next(i for i, s in enumerate(steps) if s is step)
        if kind in ("result", "correction") and index > 0 and steps[index - 1]["kind"] == "agent":
            return ""
        return "an intervene ask stands only on the result or correction right after the agent's message"
    if ask_type == "choice":
        return ""
    return f"unknown ask type {ask_type!r}"


def write_session_lesson(
    records: list[dict[str, Any]],
    workspace: Any,
    out: Path,
    *,
    lesson_id: str,
    origin: str = "recorded",
    author: str = "",
    warnings: list[str] | None = None,
) -> Lesson:
    """Validate the draft and write `lesson.json` plus `repo.bundle` (the base and every step's snapshot) into `out`."""
    data = lesson_data(records, lesson_id=lesson_id, origin=origin, author=author, warnings=warnings)
    lesson, problems = check_lesson_data(data, str(out / "lesson.json"), folder=None)
    if lesson is None or problems:
        first = str(problems[0]) if problems else "invalid"
        raise LessonDraftError(f"the draft would not validate: {first}")
    write_bundle = None
    if "repo" in data:
        for step in data["steps"]:
            if "commit" in step:
                workspace.name_snapshot(f"steps/{step['id']}", step["commit"])
        refs = ["refs/tutor/base"] + [f"refs/tutor/steps/{s['id']}" for s in data["steps"] if "commit" in s]
        write_bundle = lambda path: workspace.bundle(path, refs)  # noqa: E731
    save_lesson_folder(lesson, out, write_bundle)
    return lesson


def _summary(mode: str, author: str, steps: list[dict[str, Any]]) -> str:
    """The library's line about the lesson. Never the goal: setting it is the first question, and
    the library shows the summary before the lesson opens."""
    who = f" by {author}" if author else ""
    count = f"{len(steps)} step{'s' if len(steps) != 1 else ''}"
    if mode == "record":
        return f"Recorded{who}: a senior steering the agent live, {count} as they happened."
    return f"A pair session{who}, kept as it happened: {count}."


def _title(task: str) -> str:
    first = re.split(r"(?<=[.!?])\s|\n", task.strip(), maxsplit=1)[0]
    return first[:80].rstrip(".") or "A live session"
