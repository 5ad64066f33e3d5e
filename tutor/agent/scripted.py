"""An agent that plays a script: `tutor build`, demos and tests use it instead of a model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    """One proposed tool call: `tool` is one of `tutor.agent.tools.TOOL_NAMES`, `input` its arguments."""

    id: str
    tool: str
    input: dict[str, Any] = field(default_factory=dict)


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

    @property
    def remaining(self) -> int:
        """How many turns are left to play."""
        return len(self._turns) - self._next
