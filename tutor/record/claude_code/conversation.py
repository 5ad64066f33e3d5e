"""The conversation: the threaded records of one session turned into events, in order.

Events are what a lesson is made of, before it is steps: the senior's prompts (machinery
around them removed, said as context), the agent's messages with their paired results,
notes (commands run, API errors, background tasks finishing, a rewind, a compaction),
and interruptions. What Claude Code injected is recognised by `machinery`; calls and
results are paired by `pairing`; subagent (`isSidechain`) records are left to `subagents`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .calls import result_text
from .machinery import Machinery, TaskReport, UserTurn
from .pairing import AgentMessage, Pairing


@dataclass
class Prompt:
    text: str
    context: tuple[str, ...] = ()
    command: str | None = None
    expansion: str = ""  # what Claude Code expanded a slash command into (the instructions the agent got)


@dataclass
class Note:
    text: str
    automatic: bool = False  # a background task's report: the agent's bare acknowledgement after it folds in
    reports: tuple[TaskReport, ...] = ()  # an automatic note's reports, one per task notification


@dataclass
class Compaction:
    summary: str


@dataclass
class Interrupt:
    pass


@dataclass
class Rewind:
    """The senior rewound to here: what they had asked on the branch they abandoned."""

    prompt: str
    messages: int
    calls: int


Event = Prompt | Note | Compaction | Interrupt | Rewind | AgentMessage


@dataclass
class Conversation:
    events: list[Event] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    renamed_calls: int = 0
    orphan_results: int = 0


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


def block_text(content: Any) -> str:
    """The text of a message's or tool result's content (a string or a list of blocks); an image is said, not kept."""
    parts: list[str] = []
    for block in _blocks(content):
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif kind == "image":
            parts.append("(an image, not kept in the transcript)")
    return "\n".join(parts)


def is_typed_prompt(record: dict[str, Any]) -> bool:
    """Whether a record is a prompt the user typed (what makes an abandoned branch a rewind)."""
    if record.get("type") != "user" or not isinstance(record.get("message"), dict):
        return False
    if any(b.get("type") == "tool_result" for b in _blocks(record["message"].get("content"))):
        return False
    return Machinery().user(record).kind == "prompt"


def conversation(records: list[dict[str, Any]]) -> Conversation:
    """The events of the threaded `records` (rewind markers from `thread` included), in order."""
    result = Conversation()
    counts = result.counts
    events = result.events
    machinery = Machinery()
    pairing = Pairing()
    messages: dict[str, AgentMessage] = {}

    def count(key: str) -> None:
        counts[key] = counts.get(key, 0) + 1

    def add_turn(turn: UserTurn, record: dict[str, Any]) -> None:
        if turn.kind == "prompt":
            events.append(Prompt(turn.text, turn.context, turn.command))
        elif turn.kind == "note" and turn.text:
            events.append(Note(turn.text))
        elif turn.kind == "background":
            events.append(Note(turn.text or "A background task finished.", automatic=True, reports=turn.reports))
        elif turn.kind == "compaction":
            events.append(Compaction(turn.text))
        elif turn.kind == "interrupt":
            events.append(Interrupt())
        elif turn.kind == "skip":
            if turn.context and events and isinstance(events[-1], Prompt):
                events[-1].context += turn.context  # an IDE attachment written after its prompt (2.1)
            if record.get("isMeta") is True and events and isinstance(events[-1], Prompt) and events[-1].command and not events[-1].expansion:
                events[-1].expansion = block_text(record["message"].get("content")).strip()
            count("machinery")

    for index, record in enumerate(records):
        kind = record.get("type")
        if kind == "tutor-rewind":
            events.append(_rewind(record.get("abandoned") or []))
            continue
        if record.get("isSidechain") is True:
            count("sidechain")
            continue
        if kind == "attachment":
            add_turn(machinery.attachment(record), record)
            continue
        if kind not in ("user", "assistant") or not isinstance(record.get("message"), dict):
            count("machinery")
            continue
        message = record["message"]
        if kind == "assistant":
            error = machinery.agent_error(record)
            if error:
                events.append(Note(error))
                continue
            key = str(message.get("id") or record.get("uuid") or f"line-{index}")
            current = messages.get(key)
            if current is None:
                current = messages[key] = AgentMessage(key, cwd=str(record.get("cwd") or ""))
                events.append(current)
            for block in _blocks(message.get("content")):
                btype = block.get("type")
                if btype == "text" and isinstance(block.get("text"), str) and block["text"].strip():
                    current.texts.append(block["text"].strip())
                elif btype == "tool_use":
                    pairing.add_call(current, block)
                elif btype in ("thinking", "redacted_thinking"):
                    count("thinking")
            continue
        blocks = _blocks(message.get("content"))
        results = [b for b in blocks if b.get("type") == "tool_result"]
        for block in results:
            pairing.add_result(block, record, result_text(block.get("content")), single=len(results) == 1)
        if results:
            rest = [b for b in blocks if b.get("type") != "tool_result"]
            if not rest:
                continue
            record = dict(record, message=dict(message, content=rest))
        add_turn(machinery.user(record), record)
    result.renamed_calls = pairing.renamed
    result.orphan_results = pairing.orphans
    return result


def _rewind(abandoned: list[dict[str, Any]]) -> Rewind:
    prompt = ""
    machinery = Machinery()
    for record in abandoned:
        if record.get("type") == "user" and isinstance(record.get("message"), dict) and not any(
            b.get("type") == "tool_result" for b in _blocks(record["message"].get("content"))
        ):
            turn = machinery.user(record)
            if turn.kind == "prompt":
                prompt = turn.text
                break
    messages = {str(r["message"].get("id") or r.get("uuid")) for r in abandoned if r.get("type") == "assistant" and isinstance(r.get("message"), dict)}
    calls = sum(
        1 for r in abandoned if r.get("type") == "assistant" and isinstance(r.get("message"), dict)
        for b in _blocks(r["message"].get("content")) if b.get("type") == "tool_use"
    )
    return Rewind(prompt, len(messages), calls)
