"""Pairing calls: an assistant message's streamed records grouped into one message, each tool call paired with its result.

Claude Code streams one assistant message as several records sharing `message.id`, one
content block each; a tool's result comes back later in a `user` record as a
`tool_result` block naming the call's `tool_use_id`. Two things in the wild break a
naive pairing by id:

- the same block written twice (a resumed stream): same id, same name and input, in the
  same message; it is one call;
- different calls under one id (proxies and other models number their calls `call_0`,
  `toolu_1`... per message): each is its own call, renamed `<id>#2`..., and results are
  paired in order, the first result to the first call of that id still waiting.

A result that refuses the call (the user said no at Claude Code's permission prompt) is
marked `rejected`, with the words the user typed when there were any: in a tutor about
steering, that is the senior correcting the agent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .common import READ_ONLY_TOOLS

# Claude Code's wording for a refused call; the reason, when the user typed one, follows "the user said:".
_REJECTED = re.compile(r"^\s*The user doesn't want to (?:proceed with this tool use|take this action right now)", re.I)
_REASON = re.compile(r"the user said:\s*(.*)\Z", re.S | re.I)


@dataclass
class CallResult:
    content: str
    is_error: bool
    extra: Any = None  # the record's `toolUseResult`: Claude Code's own account of the call
    rejected: bool = False
    reason: str = ""  # the user's words with a rejection


@dataclass
class AgentMessage:
    """One assistant message, grouped from its streamed records, with the results of its calls."""

    key: str
    cwd: str = ""
    texts: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)  # tool_use blocks, ids unique
    results: dict[str, CallResult] = field(default_factory=dict)  # call id -> result

    @property
    def read_only(self) -> bool:
        return bool(self.calls) and all(c.get("name") in READ_ONLY_TOOLS for c in self.calls)

    @property
    def empty(self) -> bool:
        return not self.texts and not self.calls


def rejection(content: str, record: dict[str, Any]) -> tuple[bool, str]:
    """Whether a tool result is the user refusing the call, and the words they typed with it."""
    denied = record.get("toolDenialKind") == "user-rejected" or record.get("toolUseResult") == "User rejected tool use"
    if not denied and not _REJECTED.match(content):
        return False, ""
    reason = _REASON.search(content)
    return True, reason.group(1).strip() if reason else ""


class Pairing:
    """Calls as they are proposed, results as they come back; counts what could not be paired."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[str, AgentMessage]]] = {}  # given id -> (unique id, message), oldest first
        self._seen: dict[str, tuple[str, AgentMessage]] = {}  # given id -> its first call (to spot a block written twice)
        self.renamed = 0
        self.orphans = 0

    def add_call(self, message: AgentMessage, block: dict[str, Any]) -> None:
        given = str(block.get("id") or f"{message.key}-{len(message.calls)}")
        first = self._seen.get(given)
        if first is not None:
            first_id, owner = first
            same = next((c for c in owner.calls if c["id"] == first_id), None)
            if owner is message and same is not None and same.get("name") == block.get("name") and same.get("input") == block.get("input"):
                return  # the same block written twice
            self.renamed += 1
            unique = f"{given}#{self.renamed + 1}"
        else:
            unique = given
            self._seen[given] = (unique, message)
        message.calls.append(dict(block, id=unique))
        self._waiting.setdefault(given, []).append((unique, message))

    def add_result(self, block: dict[str, Any], record: dict[str, Any], content: str, *, single: bool) -> tuple[str, AgentMessage] | None:
        """Pair a tool_result block with the oldest call of its id still waiting; None for an orphan."""
        queue = self._waiting.get(str(block.get("tool_use_id")))
        if not queue:
            self.orphans += 1
            return None
        unique, message = queue.pop(0)
        rejected, reason = rejection(content, record)
        message.results[unique] = CallResult(
            content=content,
            is_error=block.get("is_error") is True or rejected,
            extra=record.get("toolUseResult") if single else None,
            rejected=rejected,
            reason=reason,
        )
        return unique, message
