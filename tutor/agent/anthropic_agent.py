"""`AnthropicAgent`: Claude through the SDK's `AsyncAnthropic`, streaming, with the workspace tools.

The raw event stream (`messages.create(stream=True)`) is read here rather than through the
SDK's accumulating helper: a tool input that is not valid JSON must become a clear tool
error the session can answer, not an exception that loses the whole reply, and text must
reach the screen as each delta arrives.

The system prompt and the tool definitions never change within a session, so both carry
a `cache_control` breakpoint: every request after the first reads them from the cache.
"""

from __future__ import annotations

import json
from typing import Any

from .protocol import AgentError, AssistantMessage, TextSink
from .scripted import ToolCall

DEFAULT_MAX_TOKENS = 8192

SYSTEM_PROMPT = """\
You are a careful coding agent working in a git workspace, pairing with a human who is \
learning to steer coding agents. The human set the goal; work towards exactly that goal.

Tools: read_file, list_files, write_file, edit_file and run (a shell command in the \
workspace root, no stdin, with a time limit). Paths are relative to the workspace root. \
The human reviews every write and every command before it runs and may stop it with a \
correction: when that happens, follow the correction rather than arguing for the plan.

How to work:
- Look before you change: read the relevant files first.
- Make the smallest change that reaches the goal; do not touch what the goal leaves out.
- Verify: run the tests or the command that shows the goal is met, and say what you ran.
- Before each write or command, say in one or two sentences what it is for.
- When you are done, or blocked, stop calling tools and say so plainly: what changed, \
how you checked it, and anything left open.
"""


def tool_definitions() -> list[dict[str, Any]]:
    """The workspace tools as Messages API tools, the last one marked as a cache breakpoint."""
    from .tools import TOOL_SCHEMAS

    tools = [dict(schema) for schema in TOOL_SCHEMAS]
    tools[-1] = {**tools[-1], "cache_control": {"type": "ephemeral"}}
    return tools


def system_blocks(system: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]


class AnthropicAgent:
    """Streams one assistant message per `reply`, with the workspace tools available to the model."""

    def __init__(
        self,
        model: str | None = None,
        *,
        client: Any = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        max_retries: int = 2,
    ) -> None:
        from .client import newest_sonnet

        self.model = model or newest_sonnet()
        self.label = self.model
        self.max_tokens = max_tokens
        self._client = client
        self._max_retries = max_retries

    @property
    def client(self) -> Any:
        if self._client is None:
            from .client import make_client

            self._client = make_client(max_retries=self._max_retries)
        return self._client

    async def reply(self, system: str, messages: list[dict[str, Any]], on_text: TextSink) -> AssistantMessage:
        import anthropic

        reader = _StreamReader(on_text)
        stream = None
        try:
            stream = await self.client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=system_blocks(system),
                tools=tool_definitions(),
                messages=messages,
                stream=True,
            )
            async for event in stream:
                await reader.feed(event)
                if reader.finished:
                    break
        except anthropic.APIError as error:
            from .client import describe_api_error

            line, retryable = describe_api_error(error)
            # Until the stream opens, failures are the SDK's to retry (it already has, max_retries times).
            raise AgentError(_midway(line, reader), retryable=retryable, partial=reader.shown, retried=stream is None) from error
        except (AgentError, GeneratorExit):
            raise
        except Exception as error:  # noqa: BLE001 - the transport's own errors (a reset connection, ...)
            detail = " ".join(str(error).split()) or type(error).__name__
            raise AgentError(
                _midway(f"The connection failed: {detail}.", reader), retryable=True, partial=reader.shown, retried=stream is None
            ) from error
        finally:
            if stream is not None:
                try:
                    await stream.close()
                except Exception:  # noqa: BLE001, S110 - closing a broken stream may fail too; nothing to add
                    pass
        if not reader.finished:
            raise AgentError(_midway("The reply stopped before it was complete.", reader), retryable=True, partial=reader.shown)
        return reader.message()


def _midway(line: str, reader: _StreamReader) -> str:
    return f"{line} (The reply broke off midway.)" if reader.shown else line


class _StreamReader:
    """Turns raw stream events into text deltas for the screen and, at the end, one `AssistantMessage`."""

    def __init__(self, on_text: TextSink) -> None:
        self._on_text = on_text
        self._blocks: dict[int, dict[str, Any]] = {}
        self._json: dict[int, list[str]] = {}
        self.id = ""
        self.stop_reason = "end_turn"
        self.usage: dict[str, int] = {}
        self.finished = False
        self.shown = False

    async def feed(self, event: Any) -> None:
        kind = getattr(event, "type", "")
        if kind == "message_start":
            self.id = event.message.id
            self._usage(event.message.usage)
        elif kind == "content_block_start":
            block = event.content_block
            if block.type == "text":
                self._blocks[event.index] = {"type": "text", "text": getattr(block, "text", "") or ""}
            elif block.type == "tool_use":
                # The API starts a tool block with `input: {}` and streams the JSON; a server that sends
                # the whole input here instead is taken at its word.
                start = getattr(block, "input", None)
                self._blocks[event.index] = {"type": "tool_use", "id": block.id, "name": block.name, "input": start if isinstance(start, dict) else {}}
                self._json[event.index] = []
            # thinking and server-tool blocks are not requested; anything else is ignored
        elif kind == "content_block_delta":
            delta = event.delta
            block = self._blocks.get(event.index)
            if block is None:
                return
            if delta.type == "text_delta" and block["type"] == "text":
                block["text"] += delta.text
                if delta.text:
                    self.shown = True
                    await self._on_text(delta.text)
            elif delta.type == "input_json_delta" and block["type"] == "tool_use":
                self._json[event.index].append(delta.partial_json)
        elif kind == "message_delta":
            self.stop_reason = getattr(event.delta, "stop_reason", None) or self.stop_reason
            self._usage(getattr(event, "usage", None))
        elif kind == "message_stop":
            self.finished = True

    def _usage(self, usage: Any) -> None:
        if usage is None:
            return
        for name in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
            value = getattr(usage, name, None)
            if isinstance(value, int):
                self.usage[name] = value

    def message(self) -> AssistantMessage:
        content: list[dict[str, Any]] = []
        calls: list[ToolCall] = []
        for index in sorted(self._blocks):
            block = self._blocks[index]
            if block["type"] == "text":
                if block["text"]:
                    content.append(block)
                continue
            raw = "".join(self._json.get(index, ()))
            error = None
            try:
                value = json.loads(raw) if raw else block["input"]
            except ValueError as problem:
                value, error = {}, f"the tool input is not valid JSON ({problem})"
            if not isinstance(value, dict):
                value, error = {}, f"the tool input is a JSON {type(value).__name__}, not an object"
            block["input"] = value
            content.append(block)
            calls.append(ToolCall(id=block["id"], tool=block["name"], input=value, input_error=error))
        return AssistantMessage(id=self.id, content=tuple(content), calls=tuple(calls), stop_reason=self.stop_reason, usage=self.usage)
