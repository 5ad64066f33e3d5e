"""A Claude Code session transcript (JSONL), turned into a lesson draft (`origin: imported`).

Claude Code writes one JSON record a line: `user` and `assistant` messages, plus
`progress`, `system`, `summary`, `file-history-snapshot`, `queue-operation` and hook
records that are machinery, not conversation. What becomes a step:

- the first real user prompt is the `goal` (with a goal ask); later real prompts are
  `prompt` steps. The task and the title name the project, the branch and the day rather
  than quote that prompt: it is the answer to the goal ask. Tool results, meta records (`isMeta`: skill bodies, command caveats),
  slash-command echoes and the compaction summary are not prompts;
- an assistant message is streamed as several records sharing `message.id` (one content
  block each): they are grouped into one `agent` step, its text blocks joined, its
  `tool_use` blocks its calls. Tools map onto Tutor's where they mean the same thing
  (Bash -> run, Read -> read_file, Write -> write_file, Edit/MultiEdit -> edit_file,
  Glob/Grep/LS -> list_files, with the pattern kept in the input); others (Task,
  TodoWrite, WebFetch, MCP tools...) keep their own name;
- each `tool_result` becomes a `result` step right after the agent step of its call
  (paired by `tool_use_id`), output capped;
- runs of read-only calls (reads, lists, searches) are collapsed into one agent step and
  one note, so a long session stays a lesson someone can get through;
- subagent (`isSidechain`) records are left out, with a note where they were;
- "[Request interrupted by user]" becomes a note: the senior stopped the agent there.

Every string is redacted (`Redactor.from_environment()`) before it reaches the lesson.
Bad input never raises a traceback: a corrupt line is skipped with a note, and a file
that is not a transcript raises `ClaudeCodeImportError` with one line for the user.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.lesson import FORMAT, Lesson
from tutor.lesson.io import save_lesson_folder
from tutor.lesson.limits import CHUNK, MAX_RECORD_BYTES, MAX_RECORD_DEPTH, MAX_TRANSCRIPT_BYTES, Refused, open_regular, problem_text, size_text
from tutor.lesson.validate import check_lesson_data
from tutor.record.redact import Redactor

GOAL_RUBRIC = ["says how we will know it is done", "bounds the scope", "names the concrete thing to change"]

MAX_OUTPUT_LINES = 400
MAX_OUTPUT_BYTES = 64 * 1024
MAX_INPUT_CHARS = 64 * 1024
MAX_INPUT_DEPTH = 12  # levels inside one tool input; deeper parts are kept as JSON text
MAX_FILE_BYTES = MAX_TRANSCRIPT_BYTES  # documented in docs/lesson-format.md, "Limits"
MAX_OUTCOME_ASKS = 15
MAX_STEPS = 600

MACHINERY_TYPES = frozenset({"progress", "system", "summary", "file-history-snapshot", "queue-operation", "hook", "hooks"})
KNOWN_TYPES = MACHINERY_TYPES | {"user", "assistant"}
QUIET_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit", "TodoWrite"})  # a success says nothing: no result step
MAX_MERGED_EDITS = 8
READ_ONLY_TOOLS = frozenset({"Read", "Glob", "Grep", "LS", "NotebookRead"})
_LOCAL_COMMAND = re.compile(r"^\s*<(command-name|command-message|local-command-stdout|local-command-stderr|local-command-caveat|bash-stdout|bash-stderr)>")
_COMMAND_NAME = re.compile(r"<command-name>(.*?)</command-name>", re.S)
_COMMAND_ARGS = re.compile(r"<command-args>(.*?)</command-args>", re.S)
_BASH_INPUT = re.compile(r"^\s*<bash-input>(.*?)</bash-input>\s*$", re.S)
_INTERRUPTED = re.compile(r"^\[Request interrupted by user[^\]]*\]$")
_READ_LINE = re.compile(r"^ *\d+\u2192")
_EXIT_CODE = re.compile(r"^Exit code (-?\d+)\b")
_TEST_LIKE = re.compile(r"\b(test|tests|pytest|jest|vitest|mix (test|compile|format|credo)|cargo (test|build|check)|go (test|build|vet)|make|npm (run|test)|tsc|ruff|mypy|lint|build|compile)\b")


class ClaudeCodeImportError(Exception):
    """The file cannot be imported as a Claude Code transcript; one line for the user."""


@dataclass
class ImportResult:
    lesson_data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading


@dataclass
class _Message:
    """One assistant message, grouped from its streamed records."""

    key: str
    cwd: str = ""
    texts: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)  # tool_use blocks
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool_use_id -> result info

    @property
    def read_only(self) -> bool:
        return bool(self.calls) and all(c.get("name") in READ_ONLY_TOOLS for c in self.calls)


def _read_records(path: Path, notes: list[str]) -> list[dict[str, Any]]:
    """The JSON objects of the transcript, one a line, read as a stream.

    The file must be a regular file of at most `MAX_TRANSCRIPT_BYTES` (never a FIFO, a
    device or a folder). Lines are split on `\\n` only: a raw U+2028, NEL or form feed
    inside a record (Node writes them unescaped) is part of the record. A record longer
    than `MAX_RECORD_BYTES` or nested deeper than `MAX_RECORD_DEPTH` is skipped with a
    note, not the import; a lone surrogate escape becomes U+FFFD.
    """
    try:
        stream = open_regular(path, limit=MAX_FILE_BYTES, name="a transcript", place="its folder")
    except FileNotFoundError:
        raise ClaudeCodeImportError(f"{path}: no such file") from None
    except (Refused, OSError) as error:
        what = problem_text(error)
        if "is a folder" in what:
            what = "is a folder; give a Claude Code transcript (.jsonl)"
        raise ClaudeCodeImportError(f"{path}: {what}") from None
    records: list[dict[str, Any]] = []
    bad: list[int] = []
    huge: list[int] = []
    deep: list[int] = []
    try:
        with stream, io.BufferedReader(stream, CHUNK) as reader:  # type: ignore[arg-type]
            head = reader.peek(8192)[:8192]
            if b"\x00" in head:
                raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (a binary file, not JSON lines)")
            for number, line in enumerate(_lines(reader), 1):
                if reader.tell() > MAX_FILE_BYTES:
                    raise ClaudeCodeImportError(f"{path}: grew past {size_text(MAX_FILE_BYTES)} while being read; a transcript may be at most {size_text(MAX_FILE_BYTES)}")
                if line is None:
                    huge.append(number)
                    continue
                if not line.strip():
                    continue
                if _too_deep(line, MAX_RECORD_DEPTH):
                    deep.append(number)
                    continue
                try:
                    record = json.loads(line.decode("utf-8", "replace"))
                except (ValueError, RecursionError):
                    bad.append(number)
                    continue
                if _SURROGATE_ESCAPE.search(line):
                    record = _without_surrogates(record)
                if not isinstance(record, dict) or not isinstance(record.get("type", ""), str):
                    bad.append(number)
                    continue
                records.append(record)
    except OSError as error:
        raise ClaudeCodeImportError(f"{path}: cannot read it ({error.strerror or error})") from None
    conversation = [r for r in records if r.get("type") in ("user", "assistant") and isinstance(r.get("message"), dict)]
    if not conversation:
        if not records:
            raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (no JSON records, one a line)")
        raise ClaudeCodeImportError(f"{path}: not a Claude Code transcript (no user or assistant messages)")
    if bad:
        notes.append(f"skipped {len(bad)} corrupt line(s) that are not JSON objects (line {_numbers(bad)})")
    if huge:
        notes.append(f"skipped {len(huge)} record(s) longer than {size_text(MAX_RECORD_BYTES)} (line {_numbers(huge)})")
    if deep:
        notes.append(f"skipped {len(deep)} record(s) nested deeper than {MAX_RECORD_DEPTH} levels (line {_numbers(deep)})")
    unknown = sum(1 for r in records if r.get("type") not in KNOWN_TYPES)
    if unknown:
        notes.append(f"skipped {unknown} record(s) of a kind this importer does not know")
    return records


_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")  # every byte but the brackets, to delete


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:5]) + (" ..." if len(numbers) > 5 else "")


def _lines(reader: Any) -> Iterator[bytes | None]:
    """Each line of `reader` (split on `\\n` only), or None for one over `MAX_RECORD_BYTES` (never held whole)."""
    while True:
        line = reader.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the record, a chunk at a time
                rest = reader.readline(CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def _too_deep(line: bytes, limit: int) -> bool:
    """Whether the JSON text `line` nests deeper than `limit`, judged without parsing it."""
    if line.count(b"[") + line.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", line).translate(None, _BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _without_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate (from a `\\ud800` escape) in its strings, keys too, replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


def _blocks(content: Any) -> list[dict[str, Any]]:
    """A content's blocks, only those of a sane shape: transcripts from other versions (or damaged ones) vary."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [b for b in content if isinstance(b, dict) and isinstance(b.get("type"), str) and _sane_block(b)]
    return []


def _sane_block(block: dict[str, Any]) -> bool:
    if block["type"] == "tool_use":
        return isinstance(block.get("name"), str) and isinstance(block.get("input", {}), dict)
    if block["type"] == "tool_result":
        return isinstance(block.get("tool_use_id"), str)
    return True


def _block_text(content: Any) -> str:
    """The text of a message's or tool result's content (a string or a list of blocks)."""
    parts: list[str] = []
    for block in _blocks(content):
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif kind == "image":
            parts.append("[image]")
        elif kind == "tool_reference" or kind == "document":
            parts.append(f"[{kind}]")
    return "\n".join(parts)


def _events(records: list[dict[str, Any]], notes: list[str]) -> list[tuple[str, Any]]:
    """The conversation, in order: ("prompt", text), ("note", text), ("agent", _Message)."""
    events: list[tuple[str, Any]] = []
    messages: dict[str, _Message] = {}
    owner: dict[str, _Message] = {}  # tool_use id -> its message
    counts = {"machinery": 0, "meta": 0, "sidechain": 0, "orphan": 0, "thinking": 0, "commands": 0}
    in_sidechain = False
    sidechain_note: list[int] = []  # [messages, calls] of the current sidechain run

    for index, record in enumerate(records):
        kind = record.get("type")
        if kind not in ("user", "assistant") or not isinstance(record.get("message"), dict):
            if kind in MACHINERY_TYPES:
                counts["machinery"] += 1
            continue
        if record.get("isSidechain") is True:
            counts["sidechain"] += 1
            if not in_sidechain:
                in_sidechain = True
                sidechain_note = [0, 0]
                events.append(("sidechain", sidechain_note))
            sidechain_note[0] += 1
            if kind == "assistant":
                sidechain_note[1] += sum(1 for b in _blocks(record["message"].get("content")) if b.get("type") == "tool_use")
            continue
        in_sidechain = False
        message = record["message"]
        content = message.get("content")
        if kind == "assistant":
            key = str(message.get("id") or record.get("uuid") or f"line-{index}")
            current = messages.get(key)
            if current is None:
                current = messages[key] = _Message(key, cwd=str(record.get("cwd") or ""))
                events.append(("agent", current))
            for block in _blocks(content):
                btype = block.get("type")
                if btype == "text" and isinstance(block.get("text"), str) and block["text"].strip():
                    current.texts.append(block["text"].strip())
                elif btype == "tool_use":
                    use_id = str(block.get("id") or f"{key}-{len(current.calls)}")
                    if use_id in owner:
                        continue  # the same block written twice
                    block = dict(block, id=use_id)
                    current.calls.append(block)
                    owner[use_id] = current
                elif btype in ("thinking", "redacted_thinking"):
                    counts["thinking"] += 1
            continue

        # a user record: tool results, or a prompt, or machinery dressed as a user message
        if record.get("isMeta") is True:
            counts["meta"] += 1
            continue
        blocks = _blocks(content)
        results = [b for b in blocks if b.get("type") == "tool_result"]
        if results:
            for block in results:
                use_id = str(block.get("tool_use_id"))
                target = owner.get(use_id)
                if target is None:
                    counts["orphan"] += 1
                    continue
                target.results[use_id] = {
                    "content": _block_text(block.get("content")),
                    "is_error": block.get("is_error") is True,
                    "extra": record.get("toolUseResult") if len(results) == 1 else None,
                }
            continue
        text = _block_text(content).strip()
        if not text:
            continue
        if record.get("isCompactSummary") is True:
            events.append(("note", "The conversation was compacted here: Claude Code went on from a summary of everything above."))
            continue
        if _INTERRUPTED.match(text):
            events.append(("note", "The user interrupted the agent here."))
            continue
        bash = _BASH_INPUT.match(text)
        if bash:
            events.append(("note", f"The user ran a shell command themselves: `{bash.group(1).strip()}`"))
            continue
        if _LOCAL_COMMAND.match(text):
            name = _COMMAND_NAME.search(text)
            if name:
                args = _COMMAND_ARGS.search(text)
                shown = (name.group(1).strip() + " " + (args.group(1).strip() if args else "")).strip()
                events.append(("note", f"The user ran the Claude Code command `{shown}`."))
            counts["commands"] += 1
            continue
        events.append(("prompt", text))

    _say_counts(counts, notes, {
        "machinery": "skipped {} progress, system, hook and snapshot record(s)",
        "meta": "skipped {} meta record(s) (skill text, command caveats)",
        "sidechain": "left out {} subagent (sidechain) record(s); a note marks where they were",
        "orphan": "skipped {} tool result(s) whose call is not in the transcript",
        "thinking": "left out {} thinking block(s)",
    })
    return events


def _say_counts(counts: dict[str, int], notes: list[str], sentences: dict[str, str]) -> None:
    """One note per count that is not zero, in the order of `sentences`."""
    notes.extend(sentence.format(counts[key]) for key, sentence in sentences.items() if counts.get(key))


# ---------------------------------------------------------------- mapping tools


def _relative(path: Any, cwd: str) -> str:
    text = str(path or "")
    if cwd and text.startswith(cwd.rstrip("/") + "/"):
        return text[len(cwd.rstrip("/")) + 1 :]
    return text


def _cap_text(value: str, limit: int = MAX_INPUT_CHARS) -> tuple[str, bool]:
    if len(value) <= limit:
        return value, False
    return value[:limit] + f"\n[... {len(value) - limit} more characters cut by the importer]", True


def _cap_obj(value: Any, state: dict[str, int], depth: int = 1) -> Any:
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


def _map_call(block: dict[str, Any], call_id: str, cwd: str, state: dict[str, int]) -> dict[str, Any]:
    name = str(block.get("name") or "tool")[:200] or "tool"
    data = block.get("input") if isinstance(block.get("input"), dict) else {}
    tool, mapped = name, None
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
        edits = [e for e in data.get("edits", []) if isinstance(e, dict)] if isinstance(data.get("edits"), list) else []
        joiner = "\n...\n"
        tool, mapped = "edit_file", {
            "path": _relative(data.get("file_path"), cwd),
            "old": joiner.join(str(e.get("old_string", "")) for e in edits),
            "new": joiner.join(str(e.get("new_string", "")) for e in edits),
        }
        if len(edits) > 1:
            mapped["edits"] = len(edits)
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
    content = str(block.get("content") or "")
    content = re.sub(r"^<tool_use_error>(.*)</tool_use_error>$", r"\1", content, flags=re.S)
    exit_code: int | None = None
    if call.get("name") == "Bash":
        match = _EXIT_CODE.match(content)
        extra = block.get("extra") if isinstance(block.get("extra"), dict) else {}
        if match:
            exit_code = int(match.group(1))
        elif not block.get("is_error") and not extra.get("backgroundTaskId") and not extra.get("interrupted"):
            exit_code = 0
    elif call.get("name") == "Read" and content:
        lines = content.splitlines()
        if all(_READ_LINE.match(line) for line in lines[:50]):
            content = "\n".join(_READ_LINE.sub("", line, count=1) for line in lines)
    return content, exit_code


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


# ---------------------------------------------------------------- building the lesson


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
                              "ask": {"type": "goal", "prompt": "What goal would you give the agent?", "rubric": list(GOAL_RUBRIC)}})
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
                step["ask"] = {"type": "outcome", "prompt": "Will this command succeed?"}
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
    records = _read_records(path, notes)
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
