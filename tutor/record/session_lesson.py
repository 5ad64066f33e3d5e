"""A live session's journal, turned into a lesson draft: the trajectory as it happened, with default asks.

Steps follow the journal: the goal, each prompt, each agent message with its calls, each
call's real result (with the snapshot commit, named `refs/tutor/steps/<step>` in the
bundle), each correction. Defaults for the teaching layer, which a senior then edits
(`tutor annotate`): a goal ask on the goal, and an intervene ask on every correction that
follows its agent message directly (the learner decides before seeing it), with the
correction's words as the key point. A learner's prediction is kept as an annotation on
its result, so a reviewer sees what the learner expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tutor.lesson import FORMAT, Lesson
from tutor.lesson.io import save_lesson_folder
from tutor.lesson.validate import check_lesson_data

GOAL_RUBRIC = ["says how we will know it is done", "bounds the scope", "names the concrete thing to change"]


class LessonDraftError(Exception):
    """The journal cannot become a valid lesson; one line for the user."""


def lesson_data(records: Iterable[dict[str, Any]], *, lesson_id: str, origin: str = "recorded", author: str = "") -> dict[str, Any]:
    """The lesson (as `tutor.lesson/1` data) that a session's journal records describe."""
    records = list(records)
    header = next((r for r in records if r.get("kind") == "session"), {})
    steps: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    call_steps: dict[str, dict[str, Any]] = {}
    predictions: dict[str, dict[str, Any]] = {}

    call_ids: dict[str, str] = {}  # the API's ids (toolu_01Ab...) are not slugs: number them

    def call_id_for(raw: object) -> str:
        return call_ids.setdefault(str(raw), f"call-{len(call_ids) + 1}")

    def new_id(prefix: str) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}{counters[prefix]}"

    for record in records:
        kind = record.get("kind")
        if kind == "goal":
            steps.append({"id": "goal", "kind": "goal", "text": str(record.get("text", "")),
                          "ask": {"type": "goal", "prompt": "What goal would you give the agent?", "rubric": GOAL_RUBRIC}})
        elif kind == "prompt":
            steps.append({"id": new_id("prompt-"), "kind": "prompt", "text": str(record.get("text", ""))})
        elif kind == "assistant":
            text = "".join(b.get("text", "") for b in record.get("content", []) if isinstance(b, dict) and b.get("type") == "text")
            calls = [{"id": call_id_for(c["id"]), "tool": str(c["tool"]), "input": dict(c.get("input") or {})} for c in record.get("calls", [])]
            step = {"id": new_id("agent-"), "kind": "agent", "text": text or "(no words, only tool calls)"}
            if calls:
                step["calls"] = calls
            steps.append(step)
        elif kind == "prediction":
            predictions[str(record.get("call"))] = record
        elif kind == "result":
            call_id = call_id_for(record.get("call"))
            output = str(record.get("output") or "")
            if record.get("error"):
                output = f"{record['error']}\n{output}" if output else str(record["error"])
            step = {"id": new_id("result-"), "kind": "result", "call": call_id, "ok": bool(record.get("ok")),
                    "exit_code": record.get("exit_code"), "output": output}
            if record.get("commit"):
                step["commit"] = record["commit"]
            prediction = predictions.get(str(record.get("call")))
            if prediction is not None:
                step["annotation"] = f"The learner predicted it {prediction.get('outcome')} ({prediction.get('confidence')} confidence)."
            steps.append({k: v for k, v in step.items() if v is not None})
            call_steps[call_id] = step
        elif kind == "correction":
            step = {"id": new_id("correction-"), "kind": "correction", "category": str(record.get("category")),
                    "text": str(record.get("message", ""))}
            if record.get("why"):
                step["why"] = str(record["why"])
            if steps and steps[-1]["kind"] == "agent":
                step["ask"] = {"type": "intervene", "prompt": "The agent is about to do this. Would you let it?",
                               "key_points": [str(record.get("message", ""))]}
            steps.append(step)
    if not any(s["kind"] == "goal" for s in steps):
        raise LessonDraftError("the session has no goal yet: nothing to make a lesson of")
    task = str(header.get("task") or "").strip() or "A live session with the agent."
    title = _title(task)
    data: dict[str, Any] = {
        "format": FORMAT, "id": lesson_id, "title": title, "summary": f"A {header.get('mode', 'pair')} session, kept as it happened.",
        "level": "intermediate", "minutes": max(5, min(60, len(steps))), "tags": [str(header.get("mode", "pair"))],
        "origin": origin, "task": task, "steps": steps,
    }
    if author:
        data["author"] = author
    if any("commit" in s for s in steps):
        data["repo"] = {"bundle": "repo.bundle", "base": str(header.get("base", ""))}
    return data


def write_session_lesson(records: list[dict[str, Any]], workspace: Any, out: Path, *, lesson_id: str, origin: str = "recorded", author: str = "") -> Lesson:
    """Validate the draft and write `lesson.json` plus `repo.bundle` (the base and every step's snapshot) into `out`."""
    data = lesson_data(records, lesson_id=lesson_id, origin=origin, author=author)
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


def _title(task: str) -> str:
    first = re.split(r"(?<=[.!?])\s|\n", task.strip(), maxsplit=1)[0]
    return first[:80].rstrip(".") or "A live session"
