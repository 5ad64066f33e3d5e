"""The import, end to end: a transcript file read, threaded, turned into steps, its code replayed, asks placed, the draft written."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from tutor.lesson import Lesson
from tutor.record.redact import Redactor
from tutor.redaction.paragraphs import Redaction

from .asks import place_asks
from .code_changes import FileChange, replay_changes
from .common import MAX_INPUT_CHARS, MAX_INPUT_DEPTH, MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES, MAX_STEPS, ClaudeCodeImportError, ImportResult
from .conversation import Compaction, Prompt, Rewind, conversation, is_typed_prompt
from .draft import Situation, draft_lesson, write_draft
from .reading import read_records
from .steps import build_steps
from .subagents import describe_run, subagent_refusal, subagent_runs
from .sessions import choose_session, split_sessions
from .thread import thread

TITLE_KINDS = {"custom-title": "customTitle", "ai-title": "aiTitle", "summary": "summary"}


def import_claude_code(path: str | Path, *, redactor: Redactor | None = None, session: str | None = None) -> ImportResult:
    """The lesson draft (as `tutor.lesson/1` data, with its code history when the transcript allows) of a Claude Code transcript, and notes on what was done."""
    path = Path(path)
    notes: list[str] = []
    records = read_records(path, notes)
    refusal = subagent_refusal(records, path)
    if refusal:
        raise ClaudeCodeImportError(refusal)
    every = records
    chosen = choose_session(split_sessions(records, is_prompt=is_typed_prompt), session, notes)
    records = chosen.records
    talk = conversation(thread(records, notes, is_prompt=is_typed_prompt))
    events = talk.events
    first = next((n for n, e in enumerate(events) if isinstance(e, Prompt)), None)
    if first is None:
        raise ClaudeCodeImportError(f"{path}: the transcript has no prompt from the user, so there is no goal to make a lesson of")
    before = [e for e in events[:first] if not isinstance(e, (Compaction, Rewind))]
    if before:
        notes.append(f"left out {len(before)} event(s) before the first prompt (no goal to stand under)")
    events = [e for e in events[:first] if isinstance(e, (Compaction, Rewind))] + events[first:]

    state = {"flattened": 0, "cut": 0, "outputs_cut": 0, "collapsed": 0, "unanswered": 0, "quiet": 0, "merged": 0, "todos": 0}
    # One redaction for the whole import: each distinct string once, a long one a paragraph at a time (a file's
    # versions and its reads share most of theirs), with the results of the redactor's own (`paragraphs`).
    redactor = redactor or Redactor.from_environment()
    redaction: Redactor | Redaction = Redaction(redactor) if isinstance(redactor, Redactor) else redactor
    # a subagent's account is escaped for Markdown, which would hide a secret from the draft's redaction: redact it first
    describe = functools.partial(describe_run, redact=redaction.redact, warm=redaction.redact_obj)
    built = build_steps(events, state, runs=subagent_runs(path, records, notes), describe=describe)
    steps = _within_step_limit(built.steps, notes)
    # the bundle is shared with the lesson: its files are redacted as the lesson's text is
    changes = _shown_changes(built.changes, steps) if len(steps) < len(built.steps) else built.changes
    history = replay_changes(changes, notes, redact=redaction.redact_obj) if changes else None
    commits = history.commits if history is not None else {}
    kept = 0
    for step in list(steps):
        if step["kind"] == "result" and step["call"] in commits:
            step["commit"] = commits[step["call"]]
        if step.pop("quiet", False):
            if "commit" in step:
                kept += 1
            else:
                steps.remove(step)
                state["quiet"] += 1
    place_asks(steps, notes)
    _say_counts(talk.counts, state, notes, kept, talk.renamed_calls, talk.orphan_results)

    situation = Situation(
        cwd=_first(records, "cwd"), branch=_first(records, "gitBranch"), created=_first(records, "timestamp") or None,
        session_id=_first(records, "sessionId"), titles=_titles(every, chosen.session_id), context=list(built.context),
        continued_from=built.continued_from, files=built.files,
        prompts=sum(1 for s in steps if s["kind"] in ("goal", "prompt")), calls=sum(len(s.get("calls", [])) for s in steps),
    )
    data = draft_lesson(steps, situation, notes, redactor=redaction)
    bundle = None
    if history is not None and commits:
        bundle = history.bundle({s["id"]: s["commit"] for s in data["steps"] if s.get("commit")})
        data["repo"] = {"bundle": "repo.bundle", "base": history.base}
    return ImportResult(data, notes, bundle=bundle)


def write_imported_lesson(result: ImportResult, out: Path) -> Lesson:
    """Validate the draft and write it into `out`: `lesson.json`, and `repo.bundle` when the session's code could be replayed."""
    return write_draft(result.lesson_data, out, bundle=result.bundle)


def _within_step_limit(steps: list[dict[str, Any]], notes: list[str]) -> list[dict[str, Any]]:
    if len(steps) <= MAX_STEPS:
        return steps
    dropped = len(steps) - MAX_STEPS
    steps = steps[:MAX_STEPS]
    while len(steps) > 1 and steps[-1]["kind"] == "agent":
        steps.pop()
        dropped += 1
    steps.append({"id": "note-cut", "kind": "note", "text": f"The session went on for {dropped} more step(s), left out of this lesson."})
    notes.append(f"the session was long: kept the first {MAX_STEPS} steps, left out {dropped}")
    return steps


def _shown_changes(changes: list[FileChange], steps: list[dict[str, Any]]) -> list[FileChange]:
    """The file changes up to the last one a kept step shows: a session cut at `MAX_STEPS` replays (and redacts) no code
    its lesson leaves out, nor puts in its start the files only later steps touch."""
    shown = {step["call"] for step in steps if step["kind"] == "result" and isinstance(step.get("call"), str)}
    last = max((index for index, change in enumerate(changes) if change.call_id in shown), default=-1)
    return changes[: last + 1]


def _first(records: list[dict[str, Any]], key: str) -> str:
    return next((str(r[key]) for r in records if isinstance(r.get(key), str) and r[key].strip()), "")


def _titles(records: list[dict[str, Any]], session_id: str) -> dict[str, str]:
    """The names Claude Code or the user gave the session (title records may stand anywhere in the file), the latest of each kind."""
    titles: dict[str, str] = {}
    for record in records:
        if record.get("sessionId") not in (None, session_id):
            continue
        key = TITLE_KINDS.get(str(record.get("type")))
        if key and isinstance(record.get(key), str) and record[key].strip():
            titles[str(record["type"])] = record[key]
    return titles


def _say_counts(counts: dict[str, int], state: dict[str, int], notes: list[str], commits: int, renamed: int, orphans: int) -> None:
    said = {
        "machinery": (counts.get("machinery", 0), "left out {} record(s) of Claude Code's own machinery (progress, hooks, command output, snapshots)"),
        "thinking": (counts.get("thinking", 0), "left out {} thinking block(s)"),
        "orphans": (orphans, "skipped {} tool result(s) whose call is not in the transcript"),
        "renamed": (renamed, "{} tool call(s) reused another call's id; results were paired in order"),
        "collapsed": (state["collapsed"], "collapsed {} read-only call(s) (reads, lists, searches) into summary notes"),
        "todos": (state["todos"], "showed {} to-do list update(s) as checklists"),
        "quiet": (state["quiet"], "left out {} result(s) of successful edits and writes that carry no code (they only said it worked)"),
        "commits": (commits, "replayed {} edit(s) and write(s) into the lesson's repo.bundle: their diffs show in investigate"),
        "merged": (state["merged"], "joined {} wordless edit message(s) into the agent step before them"),
        "outputs_cut": (state["outputs_cut"], f"cut {{}} long output(s) to {MAX_OUTPUT_LINES} lines / {MAX_OUTPUT_BYTES // 1024} KiB"),
        "cut": (state["cut"], f"cut {{}} long tool input(s) to {MAX_INPUT_CHARS // 1024} KiB"),
        "flattened": (state["flattened"], f"kept {{}} part(s) of tool inputs nested deeper than {MAX_INPUT_DEPTH} levels as JSON text"),
        "unanswered": (state["unanswered"], "{} tool call(s) have no result in the transcript"),
    }
    notes.extend(sentence.format(number) for number, sentence in said.values() if number)
