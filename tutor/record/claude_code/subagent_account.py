"""A subagent's run told as a note: one line saying who worked and how much, and its details in Markdown safe to show.

The details give the prompt the subagent was given, then each of its messages' words and
each of its calls one line, with each result's first lines: enough to see what it did
without replaying it. Every string from the transcript is hostile: it is escaped (no
emphasis, link, HTML, heading or list) or put in a code span, cut to a line, and the whole
is capped at a few KB.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tutor.record.redact import Redactor

MAX_DETAILS_CHARS = 6000
MAX_PROMPT_LINES = 12
MAX_WORDS_CHARS = 240
MAX_CALL_CHARS = 160
MAX_RESULT_LINES = 3
MAX_RESULT_LINE_CHARS = 160
# Each string is redacted before it is cut or escaped: a cut secret, or one split by escapes,
# would no longer be recognised by the redaction of the whole lesson. Only its head is
# shown, so only its head is redacted (a private key block, whole, fits in it).
REDACTED_HEAD_CHARS = 16 * 1024
_WARMED_AT_ONCE = 8  # entries whose texts are handed to the redaction together (the details hold a few dozen at most)

# What can start emphasis, a code span, a link, HTML or an entity mid-line (`_` never emphasises in the lesson dialect).
_INLINE_MARKUP = re.compile(r"([\\`*\[\]<>!~&|])")
_LINE_START_MARKUP = re.compile(r"^([#>+=:-]|\d{1,9}(?=[.)]))")  # a heading, quote, list, rule or setext line where a line starts
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANKS = re.compile(r"\s+")
# The argument that says what a call does, by the names tools give it, most telling first.
_MAIN_ARGUMENTS = ("command", "pattern", "file_path", "notebook_path", "path", "url", "query", "skill", "description", "prompt")


def first_prompt(run: list[dict[str, Any]]) -> str:
    first = next((r for r in run if r.get("type") == "user" and isinstance(r.get("message"), dict)), None)
    return content_text(first["message"].get("content")).strip() if first else ""


def describe_run(call_input: dict[str, Any], records: list[dict[str, Any]], cwd: str, *,
                 redact: Callable[[str], str] | None = None, warm: Callable[[list[str]], object] | None = None) -> tuple[str, str]:
    """The note for a subagent's run: one line (who worked, how much), and its details in Markdown safe to show.

    The details: the prompt it was given, then each of its messages' words and each of its
    calls one line, with each result's first lines; capped at `MAX_DETAILS_CHARS`; paths under
    `cwd` made relative. Every string from the transcript is redacted first (by `redact`, the
    import's own redactor; else one from the environment), then escaped or put in a code span. `warm`, when given,
    is handed the texts to be cleaned first, a few entries' at once (an import's redaction scans them joined, and
    remembers), and no further than the details can reach.
    """
    redactor = redact or Redactor.from_environment().redact

    def clean(text: str) -> str:
        return redactor(text[:REDACTED_HEAD_CHARS])

    def warm_up(texts: list[str]) -> None:
        if warm is not None:
            warm([text[:REDACTED_HEAD_CHARS] for text in texts])

    messages, calls, entries = _entries(records)
    warm_up(_texts_cleaned(call_input, records, entries[:_WARMED_AT_ONCE]))
    kind = _one_line(clean(text_field(call_input.get("subagent_type"))), 60)
    description = _one_line(clean(text_field(call_input.get("description"))), 100)
    who = ": ".join(part for part in (kind, description) if part)
    text = (f"The subagent ({_escape(who)}) worked here" if who else "A subagent worked here") + (
        f": {messages} message{'s' if messages != 1 else ''}, {calls} tool call{'s' if calls != 1 else ''}; its report is the result below."
    )
    prompt = clean(text_field(call_input.get("prompt")).strip() or first_prompt(records))
    parts = []
    if prompt.strip():
        lines = [_relative(line, cwd) for line in prompt.splitlines() if line.strip()]
        shown = [_escape(_one_line(line, MAX_WORDS_CHARS)) for line in lines[:MAX_PROMPT_LINES]]
        if len(lines) > MAX_PROMPT_LINES:
            shown.append(f"… {len(lines) - MAX_PROMPT_LINES} more lines")
        parts.append("**Its prompt**\n\n" + "\\\n".join(shown))
    if entries:
        parts.append("**What it did**")
    details = "\n\n".join(parts)
    for index, entry in enumerate(entries):
        if index and index % _WARMED_AT_ONCE == 0:  # the next few, while the details have room
            warm_up(_entry_texts(entries[index : index + _WARMED_AT_ONCE]))
        line = "\n" + _entry_markdown(entry, cwd, clean)
        if len(details) + len(line) > MAX_DETAILS_CHARS - 80:
            details += f"\n\n… {len(entries) - index} more not shown"
            break
        details += ("\n" if index == 0 else "") + line
    return text, details


def _texts_cleaned(call_input: dict[str, Any], records: list[dict[str, Any]], entries: list[dict[str, Any]]) -> list[str]:
    """The texts `describe_run` cleans for its header and these entries (whole: each is cut to its head when cleaned)."""
    header = [text_field(call_input.get("subagent_type")), text_field(call_input.get("description")),
              text_field(call_input.get("prompt")).strip() or first_prompt(records)]
    return header + _entry_texts(entries)


def _entry_texts(entries: list[dict[str, Any]]) -> list[str]:
    """The texts `_entry_markdown` cleans for these entries."""
    texts: list[str] = []
    for entry in entries:
        if entry["kind"] == "words":
            texts.append(entry["text"])
            continue
        texts.append(entry["tool"])
        argument = _main_argument(entry["input"])
        if argument:
            texts.append(argument)
        if entry["result"] is not None:
            texts.append(entry["result"][1])
    return texts


def _entries(records: list[dict[str, Any]]) -> tuple[int, int, list[dict[str, Any]]]:
    """(messages, calls, entries): each entry a message's words or a call (with its result once seen), in order."""
    entries: list[dict[str, Any]] = []
    message_ids: set[str] = set()
    calls: dict[str, dict[str, Any]] = {}
    first_user = True
    for index, record in enumerate(records):
        message = record.get("message")
        if not isinstance(message, dict):
            continue
        blocks = _blocks(message.get("content"))
        if record.get("type") == "assistant":
            key = message.get("id")
            message_ids.add(key if isinstance(key, str) else f"record-{index}")
            for block in blocks:
                if block.get("type") == "text" and text_field(block.get("text")).strip():
                    if entries and entries[-1]["kind"] == "words" and entries[-1]["message"] == key and key is not None:
                        entries[-1]["text"] += " " + text_field(block["text"]).strip()
                    else:
                        entries.append({"kind": "words", "message": key, "text": text_field(block["text"]).strip()})
                elif block.get("type") == "tool_use":
                    use_id = block.get("id")
                    if isinstance(use_id, str) and use_id in calls:
                        continue
                    entry = {"kind": "call", "tool": text_field(block.get("name")) or "tool", "input": tool_input(block), "result": None}
                    entries.append(entry)
                    calls[use_id if isinstance(use_id, str) else f"call-{len(calls)}"] = entry
        elif record.get("type") == "user":
            if first_user and not any(b.get("type") == "tool_result" for b in blocks):
                first_user = False  # the prompt, told above
                continue
            first_user = False
            for block in blocks:
                if block.get("type") == "tool_result" and block.get("tool_use_id") in calls:
                    calls[block["tool_use_id"]]["result"] = (block.get("is_error") is True, content_text(block.get("content")))
    return len(message_ids), len(calls), entries


def _entry_markdown(entry: dict[str, Any], cwd: str, clean: Callable[[str], str]) -> str:
    """One entry as a Markdown list item: words escaped, a call's argument and result lines in code spans (each redacted first)."""
    if entry["kind"] == "words":
        return "- " + _escape(_one_line(_relative(clean(entry["text"]), cwd), MAX_WORDS_CHARS))
    line = f"- **{_escape(_one_line(clean(entry['tool']), 60))}**"
    argument = _main_argument(entry["input"])
    if argument:
        line += " " + _code(_one_line(_relative(clean(argument), cwd), MAX_CALL_CHARS))
    result = entry["result"]
    if result is not None:
        failed, output = result
        cleaned = clean(output)
        # The first lines that show something are made one-line; the rest are only counted, in what is shown (a
        # redacted key is one line), or past the redacted head in the output itself.
        counted = len(output) <= REDACTED_HEAD_CHARS
        kept: list[str] = []
        beyond = 0  # lines that show something, after those kept
        for raw in cleaned.splitlines():
            if len(kept) < MAX_RESULT_LINES:
                one = _one_line(_relative(raw, cwd), MAX_RESULT_LINE_CHARS)
                if one:
                    kept.append(one)
            elif not counted:
                break
            elif _shows(_relative(raw, cwd)[: MAX_RESULT_LINE_CHARS * 4]):
                beyond += 1
        shown = [_code(one) for one in kept]
        more = beyond if counted else sum(1 for raw in output.splitlines() if raw.strip()) - len(kept)
        if more > 0:
            shown.append(f"… {more} more lines")
        mark = "✗ failed" if failed else "✓"
        line += "\\\n  " + mark + (" " + "\\\n  ".join(shown) if shown else "")
    return line


def _main_argument(call_input: dict[str, Any]) -> str:
    pattern, path = call_input.get("pattern"), call_input.get("path")
    if isinstance(pattern, str) and pattern and isinstance(path, str) and path:
        return f"{pattern} in {path}"  # a search: what, and where
    for key in _MAIN_ARGUMENTS:
        value = call_input.get(key)
        if isinstance(value, str) and value.strip():
            return value
    if not call_input:
        return ""
    return json.dumps(call_input, ensure_ascii=False, default=str)[:MAX_CALL_CHARS * 2]


# ---------------------------------------------------------------- text from the transcript, made safe


def text_field(value: Any) -> str:
    return value if isinstance(value, str) else ""


def tool_input(block: dict[str, Any]) -> dict[str, Any]:
    value = block.get("input")
    return value if isinstance(value, dict) else {}


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [b for b in content if isinstance(b, dict)]
    return []


def content_text(content: Any) -> str:
    """The words of a message's or a result's content: text blocks joined, an image named."""
    parts = []
    for block in _blocks(content):
        if block.get("type") == "text":
            parts.append(text_field(block.get("text")))
        elif block.get("type") == "image":
            parts.append("[image]")
    return "\n".join(parts)


def _one_line(text: str, limit: int) -> str:
    """`text` on one line (controls gone, whitespace runs one space), at most `limit` characters."""
    text = _BLANKS.sub(" ", _CONTROLS.sub(" ", text[: limit * 4])).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shows(head: str) -> bool:
    """Whether `_one_line` makes anything of a line starting `head`: a character neither blank nor a control."""
    if not head.strip():
        return False
    return _CONTROLS.search(head) is None or bool(_CONTROLS.sub(" ", head).strip())


def _relative(text: str, cwd: str) -> str:
    """Paths under the session's folder written relative to it, as the agent's own Read paths are shown."""
    cwd = cwd.rstrip("/\\")
    if len(cwd) < 2:
        return text
    return text.replace(cwd + "/", "").replace(cwd + "\\", "").replace(cwd, ".")


def _escape(text: str) -> str:
    """One line that Markdown shows as it is: no emphasis, code, link, HTML or entity, and no heading, list or quote where it starts.

    Only the characters that could mean something are escaped, so the lesson's JSON still
    reads as the words (`general-purpose`, not `general\\-purpose`).
    """
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    match = _LINE_START_MARKUP.match(text)
    if match is None:
        return text
    if match.group(1)[0].isdigit():  # `1.` or `1)` would start a list: escape the mark after the digits
        end = match.end()
        return text[:end] + "\\" + text[end:]
    return "\\" + text


def _code(text: str) -> str:
    """`text` as an inline code span, shown verbatim: fenced by one more backtick than its longest run."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else ""
