"""Mapping Claude Code's tool calls and results onto a lesson's agent steps: paths made relative, inputs and outputs capped.

Bookkeeping tools are not calls a learner should weigh: `tool_note` turns the to-do list
(TodoWrite, shown as a checklist) and the task chatter of Claude Code 2.1 (TaskCreate,
TaskUpdate, TaskList, TaskGet) into a note's words. A result's text (`result_text`) drops
Claude Code's machinery (`<system-reminder>` blocks, `tool_reference` blocks), says where an
image was, and `_result_output` strips a Read's line numbers (`N→` older, `N\t` newer) and
shows the JSON Claude Code answers a stopped background task with (TaskStop) as its message.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tutor.agent.records import JsonObject
from tutor.redaction.searching import AtLineStarts

from .machinery import clean_result
from .wrappers import one_line

from .common import _EXIT_CODE, MAX_INPUT_CHARS, MAX_INPUT_DEPTH, MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES


def _relative(path: object, cwd: str) -> str:
    text = str(path or "")
    if cwd and text.startswith(cwd.rstrip("/") + "/"):
        return text[len(cwd.rstrip("/")) + 1 :]
    return text


def _cap_text(value: str, limit: int = MAX_INPUT_CHARS) -> tuple[str, bool]:
    if len(value) <= limit:
        return value, False
    return value[:limit] + f"\n[... {len(value) - limit} more characters cut by the importer]", True


def _cap_obj(value: object, state: dict[str, int], depth: int = 1) -> object:
    """A tool input, strings capped; what nests deeper than `MAX_INPUT_DEPTH` is kept as its JSON text.

    A lesson nests at most 24 levels (`tutor validate`), and a call's input already sits
    6 deep: a tool input nested 30 levels must not make the whole draft invalid.
    """
    if isinstance(value, str):
        capped, cut = _cap_text(value)
        state["cut"] += cut
        return capped
    if isinstance(value, (dict, list)) and depth > MAX_INPUT_DEPTH:
        state["flattened"] += 1
        capped, cut = _cap_text(json.dumps(value, ensure_ascii=False))
        state["cut"] += cut
        return capped
    if isinstance(value, dict):
        return {str(k): _cap_obj(v, state, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_cap_obj(v, state, depth + 1) for v in value[:500]]
    return value


def _map_call(block: JsonObject, call_id: str, cwd: str, state: dict[str, int]) -> dict[str, Any]:
    name = str(block.get("name") or "tool")[:200] or "tool"
    given = block.get("input")
    data: JsonObject = given if isinstance(given, dict) else {}
    tool = name
    mapped: JsonObject | None = None
    if name == "Bash":
        tool, mapped = "run", {"command": str(data.get("command", ""))}
        for extra in ("description", "run_in_background", "timeout"):
            if extra in data:
                mapped[extra] = data[extra]
    elif name == "Read":
        tool, mapped = "read_file", {"path": _relative(data.get("file_path"), cwd)}
        for extra in ("offset", "limit"):
            if extra in data:
                mapped[extra] = data[extra]
    elif name == "Write":
        tool, mapped = "write_file", {"path": _relative(data.get("file_path"), cwd), "content": str(data.get("content", ""))}
    elif name == "Edit":
        tool, mapped = "edit_file", {"path": _relative(data.get("file_path"), cwd), "old": str(data.get("old_string", "")), "new": str(data.get("new_string", ""))}
        if data.get("replace_all"):
            mapped["replace_all"] = True
    elif name == "MultiEdit":
        given_edits = data.get("edits")
        edits = [e for e in given_edits if isinstance(e, dict)] if isinstance(given_edits, list) else []
        joiner = "\n...\n"
        tool, mapped = "edit_file", {
            "path": _relative(data.get("file_path"), cwd),
            "old": joiner.join(str(e.get("old_string", "")) for e in edits),
            "new": joiner.join(str(e.get("new_string", "")) for e in edits),
        }
        if len(edits) > 1:
            mapped["edits"] = len(edits)
    elif name in NOTE_TOOLS:
        mapped = {"summary": tool_note(name, data)[0]}
        if name == "TodoWrite":
            mapped["checklist"] = todo_checklist(data)
    elif name in ("Glob", "Grep", "LS"):
        tool = "list_files"
        mapped = {"path": _relative(data.get("path"), cwd) or "."}
        for extra in ("pattern", "glob", "output_mode", "ignore"):
            if extra in data:
                mapped[extra] = data[extra]
        mapped["via"] = name
    if mapped is None:
        mapped = dict(data)
    return {"id": call_id, "tool": tool, "input": _cap_obj(mapped, state)}


def _cap_output(text: str, state: dict[str, int]) -> str:
    lines = text.splitlines()
    cut_lines = len(lines) > MAX_OUTPUT_LINES
    if cut_lines:
        text = "\n".join(lines[:MAX_OUTPUT_LINES])
    encoded = text.encode("utf-8")
    cut_bytes = len(encoded) > MAX_OUTPUT_BYTES
    if cut_bytes:
        text = encoded[:MAX_OUTPUT_BYTES].decode("utf-8", "ignore")
        text = text[: text.rfind("\n")] if "\n" in text else text
    if cut_lines or cut_bytes:
        state["outputs_cut"] += 1
        text += f"\n[... output cut by the importer: it had {len(lines)} lines, {len(encoded)} bytes]"
    return text


def _result_output(block: dict[str, Any], call: dict[str, Any]) -> tuple[str, int | None]:
    """A result's text as a lesson shows it (machinery out, a Read's line numbers stripped), and a Bash call's exit code."""
    given = block.get("content")
    content = given if isinstance(given, str) else result_text(given)
    content = clean_result(content)
    content = _unwrapped_tool_error(content)
    exit_code: int | None = None
    if call.get("name") == "Bash":
        match = _EXIT_CODE.match(content)
        given_extra = block.get("extra")
        extra: JsonObject = given_extra if isinstance(given_extra, dict) else {}
        if match:
            exit_code = int(match.group(1))
        elif not block.get("is_error") and not extra.get("backgroundTaskId") and not extra.get("interrupted"):
            exit_code = 0
    elif call.get("name") == "Read" and content:
        content = strip_line_numbers(content)
    elif call.get("name") in _STOPPING_TOOLS:
        content = _said(content)
    return content, exit_code


_STOPPING_TOOLS = frozenset({"TaskStop", "KillShell", "KillBash"})  # their result is Claude Code's JSON: {"message": ..., "task_id": ...}


def _said(content: str) -> str:
    """The `message` of a result Claude Code wrote as a JSON object (stopping a background task), else the result as it is."""
    if not content.startswith("{") or len(content) > 100_000:
        return content
    try:
        given = json.loads(content)
    except ValueError:
        return content
    message = given.get("message") if isinstance(given, dict) else None
    return message if isinstance(message, str) and message.strip() else content


_TOOL_ERROR_OPEN, _TOOL_ERROR_CLOSE = "<tool_use_error>", "</tool_use_error>"


def _unwrapped_tool_error(content: str) -> str:
    """`content` without the `<tool_use_error>` wrapper Claude Code puts around a failed call's message, when it wraps
    the whole of it (as `re.sub(r"^<tool_use_error>(.*)</tool_use_error>$", r"\1", content, flags=re.S)`, without
    trying the pattern at every place of a long output)."""
    body = content[:-1] if content.endswith("\n") else content  # `$` also matches before a last newline
    if (content.startswith(_TOOL_ERROR_OPEN) and body.endswith(_TOOL_ERROR_CLOSE)
            and len(body) >= len(_TOOL_ERROR_OPEN) + len(_TOOL_ERROR_CLOSE)):
        return body[len(_TOOL_ERROR_OPEN) : len(body) - len(_TOOL_ERROR_CLOSE)] + content[len(body) :]
    return content


_NUMBER_AFTER_NEWLINE = re.compile(r"\n *(\d{1,9})(?:\u2192|\t)")
_NUMBERED_LINES = AtLineStarts(re.compile(r"(?m)^ *\d{1,9}(?:\u2192|\t)"))  # the same at every line's start


def strip_line_numbers(text: str) -> str:
    """A Read result without Claude Code's line numbers (`     1→` before 2.1, `     1\\t` after).

    Only when the first lines are numbered one after the other: a file whose own lines
    start with a number and a tab (a TSV) keeps them.
    """
    head = [line for line in text.split("\n", 50)[:50] if line]
    # Every line of the head numbered (one number a line, at its start: as many as lines), each one more than the one before.
    numbers = _NUMBER_AFTER_NEWLINE.findall("\n" + "\n".join(head))
    if not head or len(numbers) != len(head):
        return text
    first = int(numbers[0])
    if list(map(int, numbers)) != list(range(first, first + len(numbers))):
        return text
    return _NUMBERED_LINES.sub("", text)


def result_text(content: object) -> str:
    """A tool result's content (a string or a list of blocks) as text: images said in words, `tool_reference` blocks
    (tools a ToolSearch loaded) named rather than shown as blocks, Claude Code's reminders taken out."""
    if isinstance(content, str):
        return clean_result(content)
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    tools: list[str] = []
    for block in content[:10_000]:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif kind == "image":
            parts.append("(an image)")
        elif kind == "document":
            parts.append("(a document)")
        elif kind == "tool_reference":
            tools.append(one_line(str(block.get("tool_name") or block.get("name") or "a tool"), 80))
    text = clean_result("\n".join(parts))
    if tools and not text.strip():
        return "(loaded the tools " + ", ".join(tools[:30]) + (" and more" if len(tools) > 30 else "") + ")"
    return text


# ---------------------------------------------------------------- bookkeeping tools, told as notes

NOTE_TOOLS = frozenset({"TodoWrite", "TodoRead", "TaskCreate", "TaskUpdate", "TaskList", "TaskGet"})
_TODO_MARKS = {"completed": "[x]", "in_progress": "[ ]", "pending": "[ ]", "cancelled": "[x]"}


def todo_checklist(tool_input: dict[str, Any]) -> str:
    """TodoWrite's list as a Markdown checklist: `- [x] done`, `- [ ] **item** (in progress)`, `- [ ] pending`."""
    given = tool_input.get("todos") if isinstance(tool_input, dict) else None
    todos = [t for t in given if isinstance(t, dict)] if isinstance(given, list) else []
    lines = []
    for todo in todos[:100]:
        status = str(todo.get("status") or "pending")
        words = one_line(str(todo.get("content") or todo.get("subject") or todo.get("activeForm") or "(no words)"), 200)
        words = words.replace("*", "\\*")
        if status == "in_progress":
            lines.append(f"- [ ] **{words}** (in progress)")
        elif status == "cancelled":
            lines.append(f"- [x] ~~{words}~~ (dropped)")
        else:
            lines.append(f"- {_TODO_MARKS.get(status, '[ ]')} {words}")
    if len(todos) > 100:
        lines.append(f"- ... and {len(todos) - 100} more")
    return "\n".join(lines) or "(an empty list)"


def tool_note(name: str, tool_input: dict[str, Any]) -> tuple[str, str]:
    """For a bookkeeping tool (`NOTE_TOOLS`): the note's one line and its details (Markdown, may be empty)."""
    data = tool_input if isinstance(tool_input, dict) else {}
    if name in ("TodoWrite", "TodoRead"):
        given = data.get("todos")
        todos = [t for t in given if isinstance(t, dict)] if isinstance(given, list) else []
        done = sum(1 for t in todos if t.get("status") == "completed")
        doing = next((t for t in todos if t.get("status") == "in_progress"), None)
        line = f"The agent updated its to-do list: {done} of {len(todos)} done"
        if doing is not None:
            line += ", now on: " + one_line(str(doing.get("activeForm") or doing.get("content") or ""), 120)
        return (line if todos else "The agent looked at its to-do list."), (todo_checklist(data) if todos else "")
    task = one_line(str(data.get("taskId") or data.get("id") or ""), 40)
    subject = one_line(str(data.get("subject") or ""), 160)
    if name == "TaskCreate":
        return f"The agent added a task: {subject or '(untitled)'}", one_line(str(data.get("description") or ""), 1000)
    if name == "TaskUpdate":
        status = str(data.get("status") or "")
        change = {"completed": "marked it done", "in_progress": "started it", "pending": "put it back to do",
                  "deleted": "deleted it"}.get(status, "updated it")
        return f"The agent {change}: task {task}" + (f" ({subject})" if subject else "") + ".", ""
    if name == "TaskGet":
        return f"The agent looked at task {task}.", ""
    return "The agent looked at its task list.", ""


def _describe_read_only(call: dict[str, Any], mapped: dict[str, Any], result: dict[str, Any] | None) -> str:
    name = call.get("name")
    data = mapped["input"]
    if name == "Read":
        what = f"read `{data.get('path')}`"
    elif name == "Grep":
        what = f"searched for `{data.get('pattern', '')}` in `{data.get('path', '.')}`"
    elif name == "Glob":
        what = f"listed `{data.get('pattern', '')}`" + (f" in `{data['path']}`" if data.get("path") not in (None, ".") else "")
    else:
        what = f"{name} `{data.get('path', '.')}`"
    if result is None:
        return what + " (no result recorded)"
    content = str(result.get("content") or "")
    if result.get("is_error"):
        first = content.replace("<tool_use_error>", "").replace("</tool_use_error>", "").strip().splitlines()
        return what + f" (failed: {first[0][:120] if first else 'error'})"
    count = len([line for line in content.splitlines() if line.strip()])
    unit = "lines" if name == "Read" else ("matches" if name == "Grep" else "entries")
    return what + f" ({count} {unit})"
