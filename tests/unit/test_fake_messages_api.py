"""The fake Messages API, proven against the real SDK: what the SDK parses and raises is what the tests rely on."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import pytest

from tests.helpers.fake_messages_api import (
    NO_RESPONSE_LEFT,
    FakeMessagesAPI,
    HTTPError,
    Reply,
    Text,
    ToolUse,
    Usage,
    closed_port_url,
    http_error,
    text_reply,
    tool_reply,
)

MODEL = "claude-sonnet-5-5"
MESSAGES = [{"role": "user", "content": "Hi"}]
READ_TOOL = {
    "name": "read_file",
    "description": "Read a file",
    "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
}


def _server_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name.startswith("fake-messages-api")}


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        yield server


@pytest.fixture
async def client(api: FakeMessagesAPI) -> AsyncIterator[anthropic.AsyncAnthropic]:
    sdk = anthropic.AsyncAnthropic(base_url=api.base_url, api_key="test-key", max_retries=0)
    yield sdk
    await sdk.close()


async def _raw_events(client: anthropic.AsyncAnthropic, **kw: Any) -> list[Any]:
    stream = await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, stream=True, **kw)
    return [event async for event in stream]


async def _final_message(client: anthropic.AsyncAnthropic, **kw: Any) -> anthropic.types.Message:
    async with client.messages.stream(model=MODEL, max_tokens=100, messages=MESSAGES, **kw) as stream:
        return await stream.get_final_message()


# --- Streaming --------------------------------------------------------------------------------------------------


async def test_text_streams_in_small_chunks(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(text_reply("Hello, world!", chunk=3, usage=Usage(input_tokens=7, output_tokens=5)))

    events = await _raw_events(client)

    assert [event.type for event in events] == [
        "message_start",
        "content_block_start",
        *["content_block_delta"] * 5,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start = events[0].message
    assert (start.id, start.role, start.model, start.content, start.stop_reason) == (
        "msg_fake_1",
        "assistant",
        MODEL,
        [],
        None,
    )
    assert start.usage.input_tokens == 7
    assert events[1].content_block.type == "text"
    assert [event.delta.text for event in events[2:7]] == ["Hel", "lo,", " wo", "rld", "!"]
    assert events[-2].delta.stop_reason == "end_turn"
    assert events[-2].usage.output_tokens == 5


async def test_stream_helper_accumulates_text(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(text_reply("All in one piece, eventually.", chunk=4, usage=Usage(input_tokens=11, output_tokens=6)))

    message = await _final_message(client)

    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "All in one piece, eventually."
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (11, 6)


async def test_tool_input_arrives_in_many_json_pieces(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    call = ToolUse("toolu_01", "read_file", {"path": "src/app.py", "limit": 40, "tags": ["a", "b"]})
    api.enqueue(tool_reply("Let me look.", call, chunk=2), tool_reply("Let me look.", call, chunk=2))

    events = await _raw_events(client, tools=[READ_TOOL])
    pieces = [e.delta.partial_json for e in events if e.type == "content_block_delta" and e.index == 1]
    assert len(pieces) > 10
    assert json.loads("".join(pieces)) == call.input
    tool_start = next(e for e in events if e.type == "content_block_start" and e.index == 1)
    assert (tool_start.content_block.id, tool_start.content_block.input) == ("toolu_01", {})

    message = await _final_message(client, tools=[READ_TOOL])
    assert [block.type for block in message.content] == ["text", "tool_use"]
    tool_use = message.content[1]
    assert (tool_use.id, tool_use.name, tool_use.input) == ("toolu_01", "read_file", call.input)
    assert message.stop_reason == "tool_use"


async def test_two_tool_calls_in_one_reply(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(
        tool_reply(
            "",
            ToolUse("toolu_a", "read_file", {"path": "a.py"}),
            ToolUse("toolu_b", "read_file", {"path": "b.py"}),
        )
    )

    message = await _final_message(client, tools=[READ_TOOL])

    assert [(block.type, block.id, block.input) for block in message.content] == [
        ("tool_use", "toolu_a", {"path": "a.py"}),
        ("tool_use", "toolu_b", {"path": "b.py"}),
    ]
    assert message.stop_reason == "tool_use"


async def test_malformed_tool_json_is_streamed_as_scripted(
    api: FakeMessagesAPI, client: anthropic.AsyncAnthropic
) -> None:
    api.enqueue(tool_reply("", ToolUse("toolu_x", "read_file", raw_json='{"path": '), chunk=3))

    events = await _raw_events(client)

    assert "".join(e.delta.partial_json for e in events if e.type == "content_block_delta") == '{"path": '
    assert events[1].content_block.input == {}


async def test_malformed_tool_json_cannot_be_sent_whole(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(tool_reply("", ToolUse("toolu_x", "read_file", raw_json='{"path": ')))

    with pytest.raises(anthropic.InternalServerError, match="non-streaming reply needs valid tool input JSON"):
        await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)


async def test_pings_are_skipped_by_the_sdk(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(text_reply("pong", chunk=1, ping_every=1), text_reply("pong", chunk=1, ping_every=2))

    events = await _raw_events(client)
    message = await _final_message(client)

    assert "ping" not in {event.type for event in events}
    assert len(events) == 9
    assert message.content[0].text == "pong"


def test_wire_format_is_sse_over_chunked_http(api: FakeMessagesAPI) -> None:
    # Below the SDK: the bytes themselves, as an SSE parser other than the SDK's would see them.
    api.enqueue(text_reply("Hi", chunk=1, ping_every=1))
    connection = http.client.HTTPConnection("127.0.0.1", int(api.base_url.rsplit(":", 1)[1]), timeout=5)
    connection.request("POST", "/v1/messages", json.dumps({"model": MODEL, "stream": True}))
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()

    assert response.status == 200
    assert response.getheader("content-type") == "text/event-stream"
    assert response.getheader("cache-control") == "no-cache"
    assert response.getheader("request-id") == "req_fake_1"
    assert response.getheader("transfer-encoding") == "chunked"
    frames = body.split("\n\n")
    assert frames[-1] == ""
    parsed = [frame.split("\n") for frame in frames[:-1]]
    assert all(len(lines) == 2 and lines[0].startswith("event: ") and lines[1].startswith("data: ") for lines in parsed)
    names = [lines[0].removeprefix("event: ") for lines in parsed]
    assert names == [
        "message_start",
        "ping",
        "content_block_start",
        "ping",
        "content_block_delta",
        "ping",
        "content_block_delta",
        "ping",
        "content_block_stop",
        "ping",
        "message_delta",
        "ping",
        "message_stop",
        "ping",
    ]
    for name, lines in zip(names, parsed, strict=True):
        assert json.loads(lines[1].removeprefix("data: "))["type"] == name
    start = json.loads(parsed[0][1].removeprefix("data: "))["message"]
    assert start["usage"] == {
        "input_tokens": 10,
        "output_tokens": 1,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }
    assert (start["type"], start["stop_sequence"]) == ("message", None)


# --- Non-streaming ---------------------------------------------------------------------------------------------


async def test_non_streaming_create_returns_the_whole_message(
    api: FakeMessagesAPI, client: anthropic.AsyncAnthropic
) -> None:
    api.enqueue(
        tool_reply(
            "Reading.",
            ToolUse("toolu_1", "read_file", {"path": "a.py"}),
            message_id="msg_custom",
            usage=Usage(input_tokens=3, output_tokens=4, cache_read_input_tokens=2),
        )
    )

    message = await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, tools=[READ_TOOL])

    assert message.id == "msg_custom"
    assert message.content[0].type == "text" and message.content[0].text == "Reading."
    assert message.content[1].type == "tool_use" and message.content[1].input == {"path": "a.py"}
    assert message.stop_reason == "tool_use"
    assert (message.usage.input_tokens, message.usage.output_tokens, message.usage.cache_read_input_tokens) == (3, 4, 2)


async def test_replies_are_served_first_in_first_out(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(text_reply("one"), text_reply("two"), Reply([Text("three")], stop_reason="max_tokens"))

    first = await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    second = await _final_message(client)
    third = await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)

    assert [(m.id, m.content[0].text) for m in (first, second, third)] == [
        ("msg_fake_1", "one"),
        ("msg_fake_2", "two"),
        ("msg_fake_3", "three"),
    ]
    assert third.stop_reason == "max_tokens"
    assert api.pending == 0


async def test_concurrent_requests_each_take_one_reply(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(*(text_reply(f"reply {n}", chunk=2, event_delay=0.005) for n in range(8)))

    messages = await asyncio.gather(*(_final_message(client) for _ in range(8)))

    assert sorted(m.content[0].text for m in messages) == [f"reply {n}" for n in range(8)]
    assert len({m.id for m in messages}) == 8
    assert len(api.requests) == 8


# --- Failures --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (403, anthropic.PermissionDeniedError, "permission_error"),
        (404, anthropic.NotFoundError, "not_found_error"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (529, anthropic.OverloadedError, "overloaded_error"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_http_errors_map_to_sdk_exceptions(
    api: FakeMessagesAPI,
    client: anthropic.AsyncAnthropic,
    status: int,
    error_class: type[anthropic.APIStatusError],
    error_type: str,
    stream: bool,
) -> None:
    api.enqueue(http_error(status, "scripted failure"))

    with pytest.raises(error_class) as raised:
        await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, stream=stream)

    assert type(raised.value) is error_class
    assert raised.value.status_code == status
    assert raised.value.body == {"type": "error", "error": {"type": error_type, "message": "scripted failure"}}
    assert raised.value.request_id == "req_fake_1"


async def test_custom_error_headers_reach_the_sdk(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(HTTPError(418, "teapot_error", "short and stout", {"x-teapot": "yes"}))

    with pytest.raises(anthropic.APIStatusError) as raised:
        await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)

    assert raised.value.status_code == 418
    assert raised.value.response.headers["x-teapot"] == "yes"


def test_http_error_refuses_a_status_without_a_standard_type() -> None:
    with pytest.raises(ValueError, match="418"):
        http_error(418)
    assert http_error(529) == HTTPError(529, "overloaded_error", "Overloaded", {})


async def test_mid_stream_error_event_raises_from_iteration(
    api: FakeMessagesAPI, client: anthropic.AsyncAnthropic
) -> None:
    api.enqueue(text_reply("partial answer", chunk=2, error_after=3))
    stream = await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, stream=True)
    received: list[str] = []

    with pytest.raises(anthropic.APIStatusError) as raised:
        async for event in stream:
            received.append(event.type)

    assert received == ["message_start", "content_block_start", "content_block_delta"]
    # The HTTP status was 200, so the SDK has no subclass to pick: the error type is only in the body.
    assert type(raised.value) is anthropic.APIStatusError
    assert raised.value.status_code == 200
    assert raised.value.body == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


async def test_mid_stream_error_fails_the_stream_helper(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(text_reply("partial answer", error_after=4))

    with pytest.raises(anthropic.APIStatusError, match="overloaded_error"):
        await _final_message(client)


async def test_a_broken_stream_reaches_the_user_as_a_retryable_error_after_the_words_shown(
    api: FakeMessagesAPI, client: anthropic.AsyncAnthropic
) -> None:
    # What the SDK raises for a connection cut mid-stream changed within 2.x (httpx2's own
    # RemoteProtocolError, later wrapped as APIConnectionError): what counts is what the user sees.
    from tutor.agent.anthropic_agent import AnthropicAgent
    from tutor.agent.protocol import AgentError

    api.enqueue(text_reply("cut short of the end", chunk=4, break_after=4))
    shown: list[str] = []

    async def on_text(piece: str) -> None:
        shown.append(piece)

    agent = AnthropicAgent(MODEL, client=client)
    with pytest.raises(AgentError) as raised:
        await agent.reply("system", MESSAGES, on_text)

    error = raised.value
    assert error.retryable and error.partial and not error.retried
    assert "broke off midway" in error.message
    assert "".join(shown) and "cut short of the end".startswith("".join(shown).strip())
    assert "Traceback" not in error.message and "\n" not in error.message

    # The server survives a cut connection.
    api.enqueue(text_reply("still here"))
    assert (await _final_message(client)).content[0].text == "still here"


async def test_connection_refused_raises_api_connection_error() -> None:
    sdk = anthropic.AsyncAnthropic(base_url=closed_port_url(), api_key="test-key", max_retries=0)
    try:
        with pytest.raises(anthropic.APIConnectionError):
            await sdk.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    finally:
        await sdk.close()


async def test_empty_queue_answers_500(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.InternalServerError, match=NO_RESPONSE_LEFT) as raised:
        await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, stream=True)

    assert raised.value.status_code == 500
    assert len(api.requests) == 1


async def test_other_paths_answer_404_and_keep_the_queue(
    api: FakeMessagesAPI, client: anthropic.AsyncAnthropic
) -> None:
    api.enqueue(text_reply("kept"))

    with pytest.raises(anthropic.NotFoundError):
        await client.models.retrieve("claude-sonnet-5-5")

    assert api.pending == 1
    assert api.requests[0].method == "GET"
    assert api.requests[0].path == "/v1/models/claude-sonnet-5-5"


async def test_query_strings_are_tolerated(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    api.enqueue(text_reply("beta"))

    message = await client.messages.create(
        model=MODEL, max_tokens=100, messages=MESSAGES, extra_query={"beta": "true"}
    )

    assert message.content[0].text == "beta"
    assert api.requests[0].path == "/v1/messages?beta=true"


# --- Hold, cancel, close ---------------------------------------------------------------------------------------


async def test_hold_pauses_the_stream_until_released(api: FakeMessagesAPI, client: anthropic.AsyncAnthropic) -> None:
    hold = threading.Event()
    api.enqueue(text_reply("first, then the rest", chunk=6, hold=hold))
    received: list[str] = []
    first_delta = asyncio.Event()

    async def consume() -> None:
        stream = await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, stream=True)
        async for event in stream:
            received.append(event.type)
            if event.type == "content_block_delta":
                first_delta.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_delta.wait(), timeout=5)
    await asyncio.sleep(0.2)  # room for anything the hold failed to stop
    assert received == ["message_start", "content_block_start", "content_block_delta"]
    assert not task.done()

    hold.set()
    await asyncio.wait_for(task, timeout=5)
    assert received.count("content_block_delta") == 4
    assert received[-1] == "message_stop"


async def test_cancelled_held_stream_then_clean_close(capsys: pytest.CaptureFixture[str]) -> None:
    threads_before = _server_threads()
    api = FakeMessagesAPI()
    sdk = anthropic.AsyncAnthropic(base_url=api.base_url, api_key="test-key", max_retries=0)
    api.enqueue(text_reply("never finished", chunk=2, hold=threading.Event()))
    first_delta = asyncio.Event()
    received: list[str] = []

    async def consume() -> None:
        async with sdk.messages.stream(model=MODEL, max_tokens=100, messages=MESSAGES) as stream:
            async for event in stream:
                received.append(event.type)
                if event.type == "content_block_delta":
                    first_delta.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_delta.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await sdk.close()

    started = time.monotonic()
    api.close()  # the handler is still holding: close must release it, not wait out the hold timeout
    assert time.monotonic() - started < 2
    api.close()  # idempotent

    assert "message_stop" not in received
    assert _server_threads() == threads_before
    assert "Traceback" not in capsys.readouterr().err


async def test_close_ends_idle_keep_alive_connections(capsys: pytest.CaptureFixture[str]) -> None:
    threads_before = _server_threads()
    api = FakeMessagesAPI()
    sdk = anthropic.AsyncAnthropic(base_url=api.base_url, api_key="test-key", max_retries=0)
    api.enqueue(text_reply("one"), text_reply("two", event_delay=0.01))
    await sdk.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    await _final_message(sdk)

    # The SDK's pool still holds the connection open: its handler thread is blocked reading the next request.
    started = time.monotonic()
    api.close()
    assert time.monotonic() - started < 2
    await sdk.close()

    assert _server_threads() == threads_before
    assert "Traceback" not in capsys.readouterr().err


# --- Recording -------------------------------------------------------------------------------------------------


async def test_requests_are_recorded_with_body_and_headers(
    api: FakeMessagesAPI, client: anthropic.AsyncAnthropic
) -> None:
    api.enqueue(text_reply("streamed"), text_reply("whole"))

    await _final_message(client, tools=[READ_TOOL], system="Be brief.")
    await client.messages.create(model=MODEL, max_tokens=50, messages=MESSAGES)

    streamed, whole = api.requests
    assert (streamed.method, streamed.path) == ("POST", "/v1/messages")
    assert streamed.headers["authorization"] == "Bearer test-key"
    assert streamed.headers["content-type"] == "application/json"
    assert "anthropic-version" in streamed.headers
    assert streamed.body["model"] == MODEL
    assert streamed.body["messages"] == MESSAGES
    assert streamed.body["tools"] == [READ_TOOL]
    assert streamed.body["system"] == "Be brief."
    assert streamed.body["stream"] is True
    assert "stream" not in whole.body or whole.body["stream"] is False
    assert whole.body["max_tokens"] == 50


def test_scripts_are_validated(api: FakeMessagesAPI) -> None:
    with pytest.raises(ValueError):
        Reply([Text("x")], break_after=1, error_after=1)
    with pytest.raises(ValueError):
        Reply([Text("x")], chunk=0)
    with pytest.raises(ValueError):
        ToolUse("t", "n", {"a": 1}, raw_json="{}")
    with pytest.raises(TypeError):
        api.enqueue("not a response")  # type: ignore[arg-type]
    assert Reply([Text("x")]).blocks == (Text("x"),)
