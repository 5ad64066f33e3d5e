"""Building the lesson: events become steps (asks placed: the goal first, outcome asks after the calls), then the lesson is checked and written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tutor.lesson import FORMAT, Lesson
from tutor.lesson.io import save_lesson_folder
from tutor.lesson.prompts import GOAL_PROMPT, outcome_prompt
from tutor.lesson.validate import check_lesson_data
from tutor.record.redact import Redactor

from .calls import _cap_output, _describe_read_only, _map_call, _result_output
from .common import (
    _TEST_LIKE,
    GOAL_RUBRIC,
    MAX_INPUT_CHARS,
    MAX_INPUT_DEPTH,
    MAX_MERGED_EDITS,
    MAX_OUTCOME_ASKS,
    MAX_OUTPUT_BYTES,
    MAX_OUTPUT_LINES,
    MAX_STEPS,
    QUIET_TOOLS,
    ClaudeCodeImportError,
    ImportResult,
)
from .conversation import _events, _Message, _say_counts
from .reading import read_records


def _slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1]
        slug = slug.rsplit("-", 1)[0] if "-" in slug else slug[:limit]
    return slug.strip("-") or "claude-code-session"


def _asks_for_the_goal_first(steps: list[dict[str, Any]]) -> bool:
    first = next((step["ask"] for step in steps if isinstance(step.get("ask"), dict)), None)
    return first is not None and first.get("type") == "goal"


def _where(records: list[dict[str, Any]]) -> tuple[str, str]:
    """The project (the last part of the session's working folder) and its git branch, as far as the transcript says."""
    cwd = next((r["cwd"] for r in records if isinstance(r.get("cwd"), str) and r["cwd"].strip()), "")
    branch = next((r["gitBranch"] for r in records if isinstance(r.get("gitBranch"), str) and r["gitBranch"].strip()), "")
    project = re.split(r"[\\/]", cwd.strip().rstrip("/\\"))[-1] if cwd.strip() else ""
    return _plain(project), _plain(branch)


def _plain(text: str, limit: int = 60) -> str:
    """A name safe to put in one line of Markdown: no markup characters, no line breaks."""
    text = re.sub(r"[`*\[\]<>\\|#]", "", re.sub(r"\s+", " ", text)).strip()
    return text[:limit]


def _day(created: str | None) -> str:
    return created[:10] if created and re.match(r"\d{4}-\d{2}-\d{2}", created) else ""


def _title_for(project: str, created: str | None) -> str:
    title = f"Claude Code in {project}" if project else "A Claude Code session"
    return f"{title}, {_day(created)}" if _day(created) else title


def _hidden_goal_task(project: str, branch: str, created: str | None, prompts: int, calls: int) -> str:
    """The situation, without the senior's words: where and when the session ran, and how long it was."""
    where = f"in the **{project}** project" if project else "in a project"
    if branch:
        where += f" (git branch `{branch}`)"
    when = f" on {_day(created)}" if _day(created) else ""
    size = f"{prompts} prompt{'s' if prompts != 1 else ''} from the senior, {calls} tool call{'s' if calls != 1 else ''} by the agent"
    return (
        f"A Claude Code session {where}{when}: {size}.\n\n"
        "The senior's first request to the agent is hidden: set the goal yourself. "
        "Their words are the first step, shown once you have answered."
    )


def _title(prompt: str) -> str:
    first = next((line.strip() for line in prompt.splitlines() if line.strip()), "A Claude Code session")
    first = re.sub(r"\s+", " ", first)
    return first if len(first) <= 80 else first[:77].rstrip() + "..."


def _steps(events: list[tuple[str, Any]], notes: list[str], state: dict[str, int]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    call_number = 0

    def new_id(prefix: str) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}-{counters[prefix]}"

    def next_call() -> str:
        nonlocal call_number
        call_number += 1
        return f"call-{call_number}"

    goal_done = False
    i = 0
    while i < len(events):
        kind, value = events[i]
        if kind == "prompt":
            if not goal_done:
                goal_done = True
                steps.append({"id": "goal", "kind": "goal", "text": value,
                              "ask": {"type": "goal", "prompt": GOAL_PROMPT, "rubric": list(GOAL_RUBRIC)}})
            else:
                steps.append({"id": new_id("prompt"), "kind": "prompt", "text": value})
            i += 1
            continue
        if kind == "note":
            steps.append({"id": new_id("note"), "kind": "note", "text": value})
            i += 1
            continue
        if kind == "sidechain":
            messages, calls = value
            steps.append({"id": new_id("note"), "kind": "note",
                          "text": f"A subagent worked here ({messages} message(s), {calls} tool call(s)); its steps are not shown."})
            i += 1
            continue
        message: _Message = value
        if not message.texts and not message.calls:
            i += 1
            continue
        # A run of read-only messages (nothing else between them) collapses into one agent step and one note.
        run = [message]
        j = i + 1
        if message.read_only:
            while j < len(events) and events[j][0] == "agent" and (events[j][1].read_only or not (events[j][1].texts or events[j][1].calls)):
                if events[j][1].calls:
                    run.append(events[j][1])
                j += 1
        if message.read_only and sum(len(m.calls) for m in run) >= 2:
            calls, lines = [], []
            for m in run:
                for block in m.calls:
                    mapped = _map_call(block, next_call(), m.cwd, state)
                    calls.append(mapped)
                    lines.append("- " + _describe_read_only(block, mapped, m.results.get(block["id"])))
            state["collapsed"] += len(calls)
            text = "\n\n".join(t for m in run for t in m.texts)
            steps.append({"id": new_id("agent"), "kind": "agent", "text": text, "calls": calls})
            steps.append({"id": new_id("note"), "kind": "note",
                          "text": f"The agent looked around ({len(calls)} read-only calls; their output is not shown):\n\n" + "\n".join(lines)})
            i = j
            continue
        calls, results = [], []
        for block in message.calls:
            mapped = _map_call(block, next_call(), message.cwd, state)
            calls.append(mapped)
            result = message.results.get(block["id"])
            if result is None:
                state["unanswered"] += 1
                continue
            if block.get("name") in QUIET_TOOLS and not result["is_error"]:
                state["quiet"] += 1  # "The file ... has been updated successfully." teaches nothing
                continue
            output, exit_code = _result_output(result, block)
            step = {"id": new_id("result"), "kind": "result", "call": mapped["id"], "ok": not result["is_error"],
                    "exit_code": exit_code, "output": _cap_output(output, state)}
            if (mapped["tool"] == "run" and exit_code is not None and state["asks"] < MAX_OUTCOME_ASKS
                    and _TEST_LIKE.search(str(mapped["input"].get("command", "")))):
                state["asks"] += 1
                step["ask"] = {"type": "outcome", "prompt": outcome_prompt(mapped["input"].get("command"))}
            results.append({k: v for k, v in step.items() if v is not None})
        previous = steps[-1] if steps else None
        if (not message.texts and calls and not results and previous is not None and previous["kind"] == "agent"
                and previous.get("quiet") and len(previous["calls"]) < MAX_MERGED_EDITS):
            previous["calls"].extend(calls)  # a run of successful edits without words reads as one proposal
            state["merged"] += 1
            i += 1
            continue
        step = {"id": new_id("agent"), "kind": "agent", "text": "\n\n".join(message.texts)}
        if calls:
            step["calls"] = calls
            if not results and all(b.get("name") in QUIET_TOOLS for b in message.calls):
                step["quiet"] = True
        steps.append(step)
        steps.extend(results)
        i += 1
    for step in steps:
        step.pop("quiet", None)
    return steps


def import_claude_code(path: str | Path, *, redactor: Redactor | None = None) -> ImportResult:
    """The lesson draft (as `tutor.lesson/1` data) that a Claude Code transcript describes, and notes on what was left out."""
    path = Path(path)
    notes: list[str] = []
    records = read_records(path, notes)
    events = _events(records, notes)
    if not any(kind == "prompt" for kind, _ in events):
        raise ClaudeCodeImportError(f"{path}: the transcript has no prompt from the user, so there is no goal to make a lesson of")
    # what comes before the first prompt (a note, say) has no goal to stand under: drop it
    first = next(i for i, (kind, _) in enumerate(events) if kind == "prompt")
    if first:
        notes.append(f"dropped {first} event(s) before the first prompt")
        events = events[first:]
    state = {"flattened": 0, "cut": 0, "outputs_cut": 0, "collapsed": 0, "unanswered": 0, "asks": 0, "quiet": 0, "merged": 0}
    steps = _steps(events, notes, state)
    if len(steps) > MAX_STEPS:
        dropped = len(steps) - MAX_STEPS
        steps = steps[:MAX_STEPS]
        while steps and steps[-1]["kind"] == "agent" and len(steps) > 1:
            steps.pop()
            dropped += 1
        steps.append({"id": "note-cut", "kind": "note", "text": f"The session went on for {dropped} more step(s), left out of this lesson."})
        notes.append(f"the session was long: kept the first {MAX_STEPS} steps, left out {dropped}")
    _say_counts(state, notes, {
        "collapsed": "collapsed {} read-only call(s) (reads, lists, searches) into summary notes",
        "quiet": "left out {} result(s) of successful edits, writes and to-do updates (they only said it worked)",
        "merged": "joined {} wordless edit message(s) into the agent step before them",
        "outputs_cut": f"cut {{}} long output(s) to {MAX_OUTPUT_LINES} lines / {MAX_OUTPUT_BYTES // 1024} KiB",
        "cut": f"cut {{}} long tool input(s) to {MAX_INPUT_CHARS // 1024} KiB",
        "flattened": f"kept {{}} part(s) of tool inputs nested deeper than {MAX_INPUT_DEPTH} levels as JSON text",
        "unanswered": "{} tool call(s) have no result in the transcript",
    })

    calls = sum(len(s.get("calls", [])) for s in steps)
    prompts = sum(1 for s in steps if s["kind"] in ("goal", "prompt"))
    created = next((str(r["timestamp"]) for r in records if isinstance(r.get("timestamp"), str)), None)
    project, branch = _where(records)
    if _asks_for_the_goal_first(steps):
        # The first prompt is the goal learners are asked to set: as the task or the title it
        # would give the answer away, so both say where the session happened instead.
        title = _title_for(project, created)
        task = _hidden_goal_task(project, branch, created, prompts, calls)
        notes.append("the task and title name the project, not the first prompt (it is the goal learners are asked "
                     "to set); write the situation the senior faced into `task` in lesson.json")
    else:
        title, task = _title(steps[0]["text"]), steps[0]["text"]
    redactor = redactor or Redactor.from_environment()
    data: dict[str, Any] = {
        "format": FORMAT,
        "id": _slug(title),
        "title": title,
        "summary": f"Imported from a Claude Code session: {prompts} prompt(s), {calls} tool call(s). A draft: add annotations and asks with `tutor annotate`.",
        "created": created,
        "level": "intermediate",
        "minutes": max(5, min(120, len(steps) // 4)),
        "tags": ["claude-code", "imported"],
        "origin": "imported",
        "task": task,
        "steps": steps,
    }
    if data["created"] is None:
        del data["created"]
    data = redactor.redact_obj(data)
    data["id"] = _slug(data["title"])
    return ImportResult(data, notes)


def write_imported_lesson(result: ImportResult, out: Path) -> Lesson:
    """Validate the draft and write its `lesson.json` into `out` (no bundle: an import has no code snapshots)."""
    lesson, problems = check_lesson_data(result.lesson_data, str(out / "lesson.json"), folder=None)
    if lesson is None or problems:
        first = str(problems[0]) if problems else "invalid"
        raise ClaudeCodeImportError(f"the imported draft would not validate: {first}")
    try:
        save_lesson_folder(lesson, out)
    except OSError as error:
        raise ClaudeCodeImportError(f"cannot write {out}: {error.strerror or error}") from None
    return lesson
