"""Events become lesson steps: the senior's prompts and corrections, the agent's steps with their results, notes for the rest.

- The first prompt is the `goal` (with its goal ask); later prompts are `prompt` steps,
  unless they answer an interruption or a refused call: then they are the senior's
  `correction`, in their own words (its category guessed by `asks.guess_category`).
- A refused call with the user's typed reason is a correction at once; the agent step is
  split so that the refused call ends it, where an intervene ask can stand.
- Runs of read-only calls collapse into one agent step and one note; to-do lists become a
  checklist note; a subagent's work is a note with collapsible `details`, placed where its
  Task call stands, before the Task's result (the subagent's report).
- A rewind is a note right before the prompt the senior asked instead, quoting what they
  had asked on each line they went back on. When the first prompt was rewound, no step may
  stand before the goal ask (and the abandoned ask would give the goal away): the goal
  tells it, after the senior's words, once the learner has set theirs.
- Writes and edits are collected as `FileChange`s for `code_changes`; their results (which
  only say it worked) are kept as `quiet` steps until it is known whether they carry a commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tutor.lesson.prompts import GOAL_PROMPT, GOAL_RUBRIC

from .asks import guess_category
from .calls import NOTE_TOOLS, _cap_output, _describe_read_only, _map_call, _relative, _result_output, tool_note
from .code_changes import FileChange
from .common import MAX_MERGED_EDITS, QUIET_TOOLS
from .machinery import STOPPED_FIRST
from .conversation import Compaction, Event, Interrupt, Note, Prompt, Rewind
from .pairing import AgentMessage, CallResult

MAX_EXPANSION_CHARS = 1200  # of a slash command's expansion, shown under the command the senior typed
MAX_SUMMARY_CHARS = 3000  # of a compaction summary in its note
WRITING_TOOLS = {"Write": "write", "Edit": "edit", "MultiEdit": "edit"}
SUBAGENT_TOOLS = frozenset({"Task", "Agent"})
REFUSED_WITHOUT_WORDS = "The senior refused this call at Claude Code's permission prompt, without words."
INTERRUPTED_WITHOUT_WORDS = "The senior interrupted the agent here, without words."

Describe = Callable[[dict[str, Any], list[dict[str, Any]], str], tuple[str, str]]


@dataclass
class Built:
    steps: list[dict[str, Any]] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    context: tuple[str, ...] = ()  # around the first prompt
    continued_from: str | None = None  # a compaction summary before the first prompt
    counts: dict[str, int] = field(default_factory=dict)


def _quote(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return "\n".join("> " + line for line in text.splitlines())


def build_steps(events: list[Event], state: dict[str, int], *, runs: dict[str, list[dict[str, Any]]], describe: Describe) -> Built:
    """The steps of `events`; `runs` maps a Task call's id to its subagent's records, `describe` turns one into a note."""
    built = Built()
    steps = built.steps
    counters: dict[str, int] = {}
    call_number = 0
    pending: str | None = None  # "interrupt" or "refused": the senior's next words are a correction
    rewinds: list[Rewind] = []  # abandoned lines, told before the prompt the senior asked instead

    def new_id(prefix: str) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}-{counters[prefix]}"

    def next_call() -> str:
        nonlocal call_number
        call_number += 1
        return f"call-{call_number}"

    def note(text: str, **extra: Any) -> dict[str, Any]:
        step = {"id": new_id("note"), "kind": "note", "text": text, **extra}
        steps.append(step)
        return step

    def correction(text: str) -> None:
        category, _ = guess_category(text)  # the near categories are the intervene ask's to accept (`asks`)
        steps.append({"id": new_id("correction"), "kind": "correction", "category": category, "text": text})

    def flush_pending() -> None:
        nonlocal pending
        if pending == "interrupt":
            correction(INTERRUPTED_WITHOUT_WORDS) if _after_agent(steps) else note("The senior interrupted the agent here.")
        elif pending == "refused":
            correction(REFUSED_WITHOUT_WORDS)
        pending = None

    def flush_rewind() -> None:
        if rewinds:
            note(f"The senior rewound the conversation here{_times(len(rewinds))}. {_abandoned(rewinds, 'They had asked')} They then asked instead:")
            rewinds.clear()

    i = 0
    while i < len(events):
        event = events[i]
        i += 1
        if isinstance(event, Prompt):
            if steps and steps[-1]["kind"] in ("goal", "prompt") and pending is None and not rewinds:
                steps[-1]["text"] += "\n\n" + event.text  # sent before the agent answered: one request
                if steps[-1]["kind"] == "goal":
                    built.context += event.context
                continue
            if not any(s["kind"] == "goal" for s in steps):
                text = event.text
                if rewinds:  # the first ask was rewound: no step may stand before the goal ask, and the goal is the senior's
                    # words, shown once the learner has set theirs; what they had asked first is told with them, never before
                    text += (f"\n\nThe senior asked this after rewinding the conversation{_times(len(rewinds))}. "
                             + _abandoned(rewinds, "At first they had asked"))
                    rewinds.clear()
                if event.command and event.expansion:
                    text += f"\n\nClaude Code expanded `{event.command}` into these instructions for the agent:\n\n{_quote(event.expansion, MAX_EXPANSION_CHARS)}"
                steps.append({"id": "goal", "kind": "goal", "text": text,
                              "ask": {"type": "goal", "prompt": GOAL_PROMPT, "rubric": list(GOAL_RUBRIC)}})
                built.context = event.context
                pending = None
                continue
            if STOPPED_FIRST in event.context:  # "[Request interrupted by user]" and words in one message
                pending = pending or "interrupt"
                event.context = tuple(c for c in event.context if c != STOPPED_FIRST)
            if pending is not None and _after_agent(steps):
                correction(event.text)
                pending = None
                continue
            flush_pending()
            flush_rewind()
            if event.context:
                note("Around this prompt: the senior " + "; ".join(event.context) + ".")
            steps.append({"id": new_id("prompt"), "kind": "prompt", "text": event.text})
            continue
        if isinstance(event, Interrupt):
            if pending is None:
                pending = "interrupt"
            continue
        if isinstance(event, Rewind):
            flush_pending()
            rewinds.append(event)  # several at one place: the senior went back to the same point more than once
            continue
        flush_pending()
        if isinstance(event, Compaction):
            if not any(s["kind"] == "goal" for s in steps):
                built.continued_from = event.summary  # the task tells it: no step may stand before the goal ask
                continue
            note("The conversation was compacted here: Claude Code went on from its own summary of everything above:\n\n"
                 + _quote(event.summary, MAX_SUMMARY_CHARS))
            continue
        if isinstance(event, Note):
            if event.automatic:
                i = _background(events, i - 1, note)
                continue
            note(event.text)
            continue
        if event.empty:
            continue
        # an agent message: a run of read-only messages collapses into one agent step and one note
        run = [event]
        j = i
        if event.read_only:
            while j < len(events) and isinstance(events[j], AgentMessage) and (events[j].read_only or events[j].empty):  # type: ignore[union-attr]
                if events[j].calls:  # type: ignore[union-attr]
                    run.append(events[j])  # type: ignore[arg-type]
                j += 1
        if event.read_only and sum(len(m.calls) for m in run) >= 2:
            calls, lines = [], []
            for m in run:
                for block in m.calls:
                    mapped = _map_call(block, next_call(), m.cwd, state)
                    calls.append(mapped)
                    lines.append("- " + _describe_read_only(block, mapped, _as_dict(m.results.get(block["id"]))))
            state["collapsed"] += len(calls)
            steps.append({"id": new_id("agent"), "kind": "agent", "text": "\n\n".join(t for m in run for t in m.texts), "calls": calls})
            note(f"The agent looked around ({len(calls)} read-only calls; their output is not shown):\n\n" + "\n".join(lines))
            i = j
            continue
        refused = _agent_message(event, built, state, new_id, next_call, note, runs, describe)
        if refused is not None:
            if refused:
                correction(refused)
            else:
                pending = "refused"
    flush_pending()
    flush_rewind()
    return built


def _times(count: int) -> str:
    return "" if count == 1 else " twice" if count == 2 else f" {count} times"


def _abandoned(rewinds: list[Rewind], lead: str) -> str:
    """What the senior had asked on each line they rewound, in order, and what came of it."""
    told = []
    for number, rewind in enumerate(rewinds):
        asked = f"{lead if number == 0 else 'Then they had asked'}:\n\n{_quote(rewind.prompt, 600)}\n\n" if rewind.prompt else ""
        work = (f"the agent's {rewind.messages} message(s) and {rewind.calls} call(s) on it were abandoned" if rewind.messages
                else "nothing was done on it")
        told.append(f"{asked}({work}.)")
    return " ".join(told)


def _after_agent(steps: list[dict[str, Any]]) -> bool:
    return bool(steps) and steps[-1]["kind"] == "agent"


def _as_dict(result: CallResult | None) -> dict[str, Any] | None:
    return None if result is None else {"content": result.content, "is_error": result.is_error, "extra": result.extra}


def _background(events: list[Event], start: int, note: Callable[..., dict[str, Any]]) -> int:
    """Consecutive background-task reports as one note, the agent's bare acknowledgements folded in; the index after them.

    A task that reports again and again (a monitor's events) is one line: how many times, and
    what its last event said.
    """
    told: dict[object, list[Any]] = {}  # a task and its line (or the note's place) -> [line, times, last event]
    acknowledged = 0
    i = start
    while i < len(events):
        event = events[i]
        if isinstance(event, Note) and event.automatic:
            if not event.reports:
                told[i] = [" ".join(event.text.split())[:200], 1, ""]
            for number, report in enumerate(event.reports):
                key = (report.task, report.line) if report.task else (i, number)
                if key in told:
                    told[key][1] += 1
                    told[key][2] = report.event or told[key][2]
                else:
                    told[key] = [report.line, 1, report.event]
        elif isinstance(event, AgentMessage) and not event.calls and sum(len(t) for t in event.texts) <= 120:
            acknowledged += 1
        else:
            break
        i += 1
    lines = [f"- {line}" + (f" ({times} events; the last: {last})" if times > 1 and last else f" ({times} times)" if times > 1
                            else f": {last}" if last else "")
             for line, times, last in told.values()]
    said = f" (the agent acknowledged {acknowledged} of them and waited)" if acknowledged else ""
    note(f"Background task(s) reported back{said}:\n\n" + "\n".join(lines[:50]) + (f"\n- … {len(lines) - 50} more" if len(lines) > 50 else ""))
    return i


def _agent_message(message: AgentMessage, built: Built, state: dict[str, int], new_id: Callable[[str], str], next_call: Callable[[], str],
                   note: Callable[..., dict[str, Any]], runs: dict[str, list[dict[str, Any]]], describe: Describe) -> str | None:
    """The steps of one agent message; returns the senior's words when a call was refused ("" without words), else None."""
    steps = built.steps
    todos = [b for b in message.calls if b.get("name") in NOTE_TOOLS]
    calls_shown = [b for b in message.calls if b.get("name") not in NOTE_TOOLS]
    refused_at = next((n for n, b in enumerate(calls_shown) if (r := message.results.get(b["id"])) is not None and r.rejected), None)
    first_part = calls_shown if refused_at is None else calls_shown[:refused_at]
    second_part = [] if refused_at is None else calls_shown[refused_at:]
    text = "\n\n".join(message.texts)
    refused: str | None = None

    for part_number, part in enumerate((first_part, second_part)):
        if part_number == 1 and not part:
            break
        if part_number == 0 and not part and not text and not todos and second_part:
            continue  # the refused call is the message's only call: one agent step, made below
        mapped_calls = []
        results: list[dict[str, Any]] = []
        after_call: list[dict[str, Any]] = []  # subagent notes: after the agent step, before the results
        for block in part:
            mapped = _map_call(block, next_call(), message.cwd, state)
            mapped_calls.append(mapped)
            result = message.results.get(block["id"])
            if block.get("name") in SUBAGENT_TOOLS and block["id"] in runs:
                summary, details = describe(block.get("input") or {}, runs[block["id"]], message.cwd)
                after_call.append({"kind": "note", "text": summary, "details": details})
            if result is None:
                state["unanswered"] += 1
                continue
            if result.rejected:
                refused = result.reason
                continue
            _collect_change(block, mapped, result, message.cwd, built)
            output, exit_code = _result_output(_as_dict(result) or {}, block)
            step = {"id": new_id("result"), "kind": "result", "call": mapped["id"], "ok": not result.is_error,
                    "exit_code": exit_code, "output": _cap_output(output, state)}
            if block.get("name") in QUIET_TOOLS and not result.is_error:
                step["quiet"] = True  # "The file ... has been updated successfully.": kept only if it carries a commit
            results.append({k: v for k, v in step.items() if v is not None})
        words = text if part_number == 0 else ""
        previous = _mergeable(steps)
        if (part_number == 0 and not words and mapped_calls and not after_call and previous is not None
                and all(r.get("quiet") for r in results) and all(b.get("name") in QUIET_TOOLS for b in part)):
            previous["calls"].extend(mapped_calls)  # a run of successful edits without words reads as one proposal
            state["merged"] += 1
            steps.extend(results)
        elif words or mapped_calls:
            step = {"id": new_id("agent"), "kind": "agent", "text": words}
            if mapped_calls:
                step["calls"] = mapped_calls
            steps.append(step)
            for extra in after_call:
                note(extra["text"], details=extra["details"])
            steps.extend(results)
        if part_number == 0 and todos:
            for block in todos:
                line, details = tool_note(str(block.get("name")), block.get("input") or {})
                note(line, **({"details": details} if details else {}))
            state["todos"] += len(todos)
    return refused


def _mergeable(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The agent step a wordless edit may join: one of edits only, followed by nothing but its quiet results."""
    index = len(steps) - 1
    while index >= 0 and steps[index]["kind"] == "result" and steps[index].get("quiet"):
        index -= 1
    if index < 0 or steps[index]["kind"] != "agent" or not steps[index].get("calls"):
        return None
    step = steps[index]
    if step["text"] or len(step["calls"]) >= MAX_MERGED_EDITS or not all(c["tool"] in ("edit_file", "write_file") for c in step["calls"]):
        return None
    return step


def _collect_change(block: dict[str, Any], mapped: dict[str, Any], result: CallResult, cwd: str, built: Built) -> None:
    kind = WRITING_TOOLS.get(str(block.get("name")))
    if kind is None:
        return
    data = block.get("input") or {}
    path = _relative(data.get("file_path"), cwd)
    if path and path not in built.files:
        built.files.append(path)
    extra = result.extra if isinstance(result.extra, dict) else {}
    original = extra.get("originalFile") if isinstance(extra.get("originalFile"), str) else None
    if kind == "write":
        content = data.get("content")  # a Write without content tells nothing of the file: never an empty one
        built.changes.append(FileChange(mapped["id"], path, "write", content if isinstance(content, str) else None, (), original, not result.is_error))
        return
    given = data.get("edits") if block.get("name") == "MultiEdit" else [data]
    if extra.get("userModified") is True and isinstance(extra.get("oldString"), str) and isinstance(extra.get("newString"), str):
        # the senior changed the proposed edit in their editor before accepting it: what was written is theirs
        given = [{"old_string": extra["oldString"], "new_string": extra["newString"], "replace_all": data.get("replace_all")}]
    edits = tuple(
        (str(e.get("old_string", "")), str(e.get("new_string", "")), bool(e.get("replace_all")))
        for e in (given if isinstance(given, list) else []) if isinstance(e, dict)
    )
    built.changes.append(FileChange(mapped["id"], path, "edit", None, edits, original, not result.is_error))
