"""What every agent is to a live session: something that answers a conversation with one assistant message.

An agent streams its text through `on_text` as it arrives and returns the whole message
when the model has finished it. It raises `AgentError` for anything that went wrong on
the way (the API refused, the connection broke, the stream stopped midway), never an
SDK exception: the session decides what to tell the user and whether to retry.
Cancelling the awaiting task cancels the reply (the stream is closed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .scripted import ToolCall

TextSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class AssistantMessage:
    """One finished assistant message: its content blocks as the API wants them back, and its tool calls."""

    id: str
    content: tuple[dict[str, Any], ...]
    calls: tuple[ToolCall, ...] = ()
    stop_reason: str = "end_turn"
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(block.get("text", "") for block in self.content if block.get("type") == "text")


class AgentError(Exception):
    """A reply that could not be had: `message` is one line for the user.

    `retryable`: trying again may work (429, 5xx, 529, a broken connection).
    `partial`: some of the reply had already arrived (so it is never retried silently).
    `retried`: the request was already retried as often as it should be (by the SDK, before any reply).
    """

    def __init__(self, message: str, *, retryable: bool, partial: bool = False, retried: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.partial = partial
        self.retried = retried


class Agent(Protocol):
    label: str

    async def reply(self, system: str, messages: list[dict[str, Any]], on_text: TextSink) -> AssistantMessage: ...
