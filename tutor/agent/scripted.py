"""An agent that plays a script: `tutor build`, demos and tests use it instead of a model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .protocol import AssistantMessage, TextSink  # noqa: F401 - for annotations


@dataclass(frozen=True)
class ToolCall:
    """One proposed tool call: `tool` is one of `tutor.agent.tools.TOOL_NAMES`, `input` its arguments."""

    id: str
    tool: str
    input: dict[str, Any] = field(default_factory=dict)
    input_error: str | None = None  # the model sent input that is not a JSON object: the call cannot run

    def to_block(self) -> dict[str, Any]:
        """The call as a `tool_use` content block of the Messages API."""
        return {"type": "tool_use", "id": self.id, "name": self.tool, "input": dict(self.input)}


@dataclass(frozen=True)
class AgentTurn:
    """What the agent says in one turn, and the tool calls it proposes (none: it is done talking)."""

    text: str
    calls: tuple[ToolCall, ...] = ()


class ScriptedAgent:
    """Proposes exactly what its script says, turn by turn (used by `tutor build`, demos and tests).

    Call ids must be non-empty and unique across the script, as they are in the Messages API,
    so that results can be matched to calls.
    """

    def __init__(self, turns: Sequence[AgentTurn]) -> None:
        self._turns = tuple(turns)
        self._next = 0
        self._replies = 0
        self.label = "scripted demo"
        seen: set[str] = set()
        for number, turn in enumerate(self._turns, start=1):
            if not isinstance(turn, AgentTurn):
                raise TypeError(f"turn {number} is a {type(turn).__name__}, not an AgentTurn")
            for call in turn.calls:
                if not call.id:
                    raise ValueError(f"turn {number}: a tool call has an empty id")
                if call.id in seen:
                    raise ValueError(f"turn {number}: duplicate tool call id {call.id!r}")
                seen.add(call.id)

    def next_turn(self) -> AgentTurn | None:
        """The next turn of the script, or None when the script is over."""
        if self._next >= len(self._turns):
            return None
        turn = self._turns[self._next]
        self._next += 1
        return turn

    async def reply(self, system: str, messages: list[dict[str, Any]], on_text: TextSink) -> AssistantMessage:
        """The next turn, streamed word by word like a model's (a finished script just stops talking)."""
        from .protocol import AssistantMessage

        del system, messages  # a script does not listen
        turn = self.next_turn() or AgentTurn(text="(The scripted demo has nothing more to do.)")
        for piece in re.findall(r"\S+\s*|\s+", turn.text):
            await on_text(piece)
        blocks: list[dict[str, Any]] = [{"type": "text", "text": turn.text}] if turn.text else []
        blocks += [call.to_block() for call in turn.calls]
        self._replies += 1
        return AssistantMessage(
            id=f"msg_script_{self._replies}",
            content=tuple(blocks),
            calls=turn.calls,
            stop_reason="tool_use" if turn.calls else "end_turn",
        )

    def skip(self, turns: int) -> None:
        """Move past turns already played (a resumed session)."""
        self._next = min(len(self._turns), self._next + max(0, turns))

    @property
    def remaining(self) -> int:
        """How many turns are left to play."""
        return len(self._turns) - self._next
