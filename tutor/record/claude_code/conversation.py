"""The conversation: Claude Code's records turned into events in order (prompts, notes, agent messages with their paired results)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .common import _BASH_INPUT, _COMMAND_ARGS, _COMMAND_NAME, _INTERRUPTED, _LOCAL_COMMAND, MACHINERY_TYPES, READ_ONLY_TOOLS


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
