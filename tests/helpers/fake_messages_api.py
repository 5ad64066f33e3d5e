"""A local fake of the Anthropic Messages API, for driving the real SDK without a network.

Scripting model: a test starts a server, queues the responses it wants, points the real SDK at it and then
inspects what the SDK sent::

    with FakeMessagesAPI() as api:
        api.enqueue(text_reply("Hello!"), tool_reply("Reading.", ToolUse("toolu_1", "read", {"path": "a.py"})))
        client = anthropic.AsyncAnthropic(base_url=api.base_url, api_key="test-key", max_retries=0)
        ...  # each POST /v1/messages takes the next queued response, first in first out
        assert api.requests[0].body["stream"] is True

A `Reply` is answered as a complete Message, or, when the request body has `"stream": true`, as the Server-Sent
Events the real API sends (`message_start`, per block `content_block_start` / `_delta` / `_stop`, `message_delta`,
`message_stop`). Its streaming knobs simulate the failures a client must survive: a connection cut mid-stream
(`break_after`), an `error` event mid-stream (`error_after`), a stream paused until the test lets it go (`hold`).
An `HTTPError` is answered with its status and the API's error body. A POST with nothing left in the queue is
answered 500 "fake server: no scripted response left", so a test that under-scripts fails loudly.

Standard library only, so that it can run anywhere the tests run.
"""

from __future__ import annotations

import itertools
import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeAlias

__all__ = [
    "HOLD_TIMEOUT",
    "NO_RESPONSE_LEFT",
    "FakeMessagesAPI",
    "HTTPError",
    "RecordedRequest",
    "Reply",
    "Response",
    "Text",
    "ToolUse",
    "Usage",
    "closed_port_url",
    "http_error",
    "text_reply",
    "tool_reply",
]

MESSAGES_PATH = "/v1/messages"
NO_RESPONSE_LEFT = "fake server: no scripted response left"
# A held stream gives up waiting after this long, so a test that forgets to release it is slow, not stuck.
HOLD_TIMEOUT = 30.0
# How often waits wake up to notice the server closing; small, because `close()` waits for them.
_POLL = 0.02
# Generous: close() only waits this long if a handler is stuck, and then it fails loudly.
_JOIN_TIMEOUT = 5.0

_ERROR_TYPES: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "Not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Rate limited"),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}


# --- What a test scripts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A text content block."""

    text: str


@dataclass(frozen=True)
class ToolUse:
    """A tool_use content block. `raw_json` replaces `input` on the wire, so a test can stream malformed JSON."""

    id: str
    name: str
    input: dict[str, Any] | None = None
    raw_json: str | None = None

    def __post_init__(self) -> None:
        if self.input is not None and self.raw_json is not None:
            raise ValueError("ToolUse takes input or raw_json, not both")

    def wire_json(self) -> str:
        """The input as the JSON text that is streamed in `input_json_delta` pieces."""
        if self.raw_json is not None:
            return self.raw_json
        return json.dumps(self.input or {})


Block: TypeAlias = Text | ToolUse


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 10
    output_tokens: int = 20
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


@dataclass(frozen=True)
class Reply:
    """A successful answer. The streaming knobs (`chunk` onwards) only apply to streaming requests.

    `break_after` and `error_after` count the scripted events (pings excluded) sent before the cut or the error.
    `hold` pauses the stream after its first content delta until the event is set, the server closes, or
    `HOLD_TIMEOUT` passes.
    """

    blocks: Sequence[Block] = ()
    stop_reason: str = "end_turn"
    message_id: str | None = None  # None: "msg_fake_N", N counting the replies this server has sent
    model: str = "claude-sonnet-5-5"
    chunk: int = 16  # characters per text_delta / input_json_delta piece
    event_delay: float = 0.0  # seconds between events
    ping_every: int = 0  # a ping after every N events; 0 for none
    break_after: int | None = None
    error_after: int | None = None
    hold: threading.Event | None = field(default=None, compare=False)
    usage: Usage = Usage()

    def __post_init__(self) -> None:
        # A tuple keeps the frozen reply immutable even when a test passes a list.
        object.__setattr__(self, "blocks", tuple(self.blocks))
        for block in self.blocks:
            if not isinstance(block, Text | ToolUse):
                raise TypeError(f"Reply blocks are Text or ToolUse, not {block!r}")
        if self.chunk < 1:
            raise ValueError("chunk must be at least 1")
        if self.ping_every < 0 or self.event_delay < 0:
            raise ValueError("ping_every and event_delay cannot be negative")
        if self.break_after is not None and self.error_after is not None:
            raise ValueError("a Reply can break_after or error_after, not both")
        if min(self.break_after or 0, self.error_after or 0) < 0:
            raise ValueError("break_after and error_after cannot be negative")


@dataclass(frozen=True)
class HTTPError:
    """An error answer: `status` with the API's body `{"type": "error", "error": {"type", "message"}}`."""

    status: int
    error_type: str
    message: str
    headers: Mapping[str, str] = field(default_factory=dict)


Response: TypeAlias = Reply | HTTPError


def text_reply(text: str, **kw: Any) -> Reply:
    return Reply(blocks=(Text(text),), **kw)


def tool_reply(text: str, *calls: ToolUse, **kw: Any) -> Reply:
    """A reply asking for tools: optional text (skipped when empty, as the API often does), then the calls."""
    kw.setdefault("stop_reason", "tool_use")
    blocks: tuple[Block, ...] = ((Text(text),) if text else ()) + calls
    return Reply(blocks=blocks, **kw)


def http_error(status: int, message: str | None = None, *, headers: Mapping[str, str] | None = None) -> HTTPError:
    """The API's error for `status` (400, 401, 403, 404, 413, 429, 500, 529), with its usual message by default."""
    try:
        error_type, default_message = _ERROR_TYPES[status]
    except KeyError:
        raise ValueError(f"no standard error type for HTTP {status}; build an HTTPError directly") from None
    return HTTPError(status, error_type, message or default_message, dict(headers or {}))


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was free a moment ago), for connection-refused tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # as sent, query string included
    headers: dict[str, str]  # names lower-cased
    body: Any  # the parsed JSON, or None when there was no body or it was not JSON


# --- Wire format -----------------------------------------------------------------------------------------------

Event: TypeAlias = tuple[str, dict[str, Any]]


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def _message(
    reply: Reply, message_id: str, content: list[dict[str, Any]], stop_reason: str | None
) -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": reply.model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": reply.usage.input_tokens,
            "output_tokens": reply.usage.output_tokens,
            "cache_creation_input_tokens": reply.usage.cache_creation_input_tokens,
            "cache_read_input_tokens": reply.usage.cache_read_input_tokens,
        },
    }


def _complete_message(reply: Reply, message_id: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for block in reply.blocks:
        if isinstance(block, Text):
            content.append({"type": "text", "text": block.text})
        else:
            # Raises ValueError for malformed raw_json: a complete Message cannot carry it.
            tool_input = json.loads(block.wire_json())
            content.append({"type": "tool_use", "id": block.id, "name": block.name, "input": tool_input})
    return _message(reply, message_id, content, reply.stop_reason)


def _stream_events(reply: Reply, message_id: str) -> list[Event]:
    start = _message(reply, message_id, [], None)
    # Like the real API: the opening usage counts a token or so of output; message_delta carries the total.
    start["usage"]["output_tokens"] = 1
    events: list[Event] = [("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(reply.blocks):
        if isinstance(block, Text):
            opening: dict[str, Any] = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": piece} for piece in _pieces(block.text, reply.chunk)]
        else:
            opening = {"type": "tool_use", "id": block.id, "name": block.name, "input": {}}
            pieces = _pieces(block.wire_json(), reply.chunk)
            deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in pieces]
        events.append(
            ("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening})
        )
        events.extend(
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
            for delta in deltas
        )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": reply.usage.output_tokens},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _sse(name: str, data: Mapping[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}}


# --- Server ----------------------------------------------------------------------------------------------------


class FakeMessagesAPI:
    """A scripted Messages API on 127.0.0.1, listening from construction until `close()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Response] = deque()
        self._requests: list[RecordedRequest] = []
        self._reply_ids = itertools.count(1)
        self._request_ids = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self._handlers: list[threading.Thread] = []
        self._closing = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(
            # A short poll interval: shutdown() waits for the loop to notice, and tests close servers often.
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL},
            name="fake-messages-api",
            daemon=True,
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def pending(self) -> int:
        """How many scripted responses have not been used yet."""
        with self._lock:
            return len(self._queue)

    def enqueue(self, *responses: Response) -> None:
        for response in responses:
            if not isinstance(response, Reply | HTTPError):
                raise TypeError(f"enqueue takes Reply or HTTPError, not {response!r}")
        with self._lock:
            self._queue.extend(responses)

    def close(self) -> None:
        """Stop serving, release held streams and drop open connections; returns once every thread has ended."""
        with self._lock:
            if self._closing.is_set():
                return
            self._closing.set()  # wakes held and delayed streams, which then cut their connections
        self._server.shutdown()  # no accepts after this, so every connection and handler is registered
        with self._lock:
            connections, handlers = list(self._connections), list(self._handlers)
        # Idle keep-alive connections block their handlers in a read; shutting the sockets ends those reads.
        for connection in connections:
            _shut(connection)
        for handler in handlers:
            handler.join(timeout=_JOIN_TIMEOUT)
        self._server.server_close()
        self._thread.join(timeout=_JOIN_TIMEOUT)
        stuck = [thread.name for thread in [*handlers, self._thread] if thread.is_alive()]
        if stuck:
            raise RuntimeError(f"fake server: threads still running after close: {stuck}")

    def __enter__(self) -> FakeMessagesAPI:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Called from handler threads.

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self._requests.append(request)
            return next(self._request_ids)

    def _next_response(self) -> Response | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def _next_message_id(self) -> str:
        with self._lock:
            return f"msg_fake_{next(self._reply_ids)}"

    def _start_handler(self, connection: socket.socket, handler: threading.Thread) -> None:
        with self._lock:
            self._connections.add(connection)
            self._handlers = [thread for thread in self._handlers if thread.is_alive()]
            self._handlers.append(handler)
        handler.start()

    def _forget(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _sleep(self, seconds: float) -> bool:
        """Sleep, waking early if the server closes; True if it is closing."""
        return self._closing.wait(seconds)

    def _wait_for(self, hold: threading.Event) -> bool:
        """Wait until `hold` is set or HOLD_TIMEOUT passes; True if the server closed meanwhile."""
        deadline = time.monotonic() + HOLD_TIMEOUT
        while not hold.is_set() and time.monotonic() < deadline:
            # Two events cannot be waited on together, so poll the hold and watch for closing in between.
            if self._closing.wait(_POLL):
                return True
        return self._closing.is_set()


def _shut(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the peer or by the handler


class _Server(ThreadingHTTPServer):
    def __init__(self, api: FakeMessagesAPI) -> None:
        self.api = api
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # ThreadingMixIn's own version does not keep daemon threads to join; the API keeps them, and the
        # connections, so close() can end both. Daemon threads still: a test that forgets close() cannot hang
        # the interpreter.
        handler = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"fake-messages-api handler {client_address[1]}",
            daemon=True,
        )
        self.api._start_handler(request, handler)

    def shutdown_request(self, request: Any) -> None:
        self.api._forget(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (a cancelled stream, a closed pool) are routine here; anything else is a bug in the
        # fake, worth its traceback.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _StreamAborted(Exception):
    """The stream ends now, without its terminating chunk."""


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 for keep-alive and chunked streams, as the real API serves them.
    protocol_version = "HTTP/1.1"
    server: _Server
    request_id = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class names it so
        pass  # keep test output clean; api.requests is the log

    def do_POST(self) -> None:
        self._dispatch()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST  # noqa: N815 - http.server's names

    def _dispatch(self) -> None:
        api = self.server.api
        body = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.request_id = f"req_fake_{api._record(RecordedRequest(self.command, self.path, headers, body))}"
        if self.command != "POST" or self.path.split("?", 1)[0] != MESSAGES_PATH:
            self._send_json(404, _error_body("not_found_error", f"Not found: {self.command} {self.path}"))
            return
        response = api._next_response()
        if response is None:
            self._send_json(500, _error_body("api_error", NO_RESPONSE_LEFT))
        elif isinstance(response, HTTPError):
            self._send_json(response.status, _error_body(response.error_type, response.message), response.headers)
        elif isinstance(body, dict) and body.get("stream") is True:
            self._stream(response)
        else:
            self._send_message(response)

    def _send_message(self, reply: Reply) -> None:
        try:
            message = _complete_message(reply, reply.message_id or self.server.api._next_message_id())
        except ValueError as error:
            problem = f"fake server: a non-streaming reply needs valid tool input JSON ({error})"
            self._send_json(500, _error_body("api_error", problem))
            return
        self._send_json(200, message)

    def _read_body(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        if self.headers.get("transfer-encoding"):
            self.close_connection = True  # a chunked upload is not read, so the connection cannot be reused
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _send_json(self, status: int, payload: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", self.request_id)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, reply: Reply) -> None:
        api = self.server.api
        events = _stream_events(reply, reply.message_id or api._next_message_id())
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("request-id", self.request_id)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            self._send_events(reply, events)
            self._write_chunk(b"")  # the terminating chunk: the stream ended normally
        except (_StreamAborted, OSError):
            # Cut the connection without the terminating chunk: the client sees a broken stream, not an end.
            self.close_connection = True
            _shut(self.connection)

    def _send_events(self, reply: Reply, events: list[Event]) -> None:
        api = self.server.api
        hold_pending = reply.hold is not None
        # One step past the last event, so that a cut or an error scripted there still happens.
        for sent in range(len(events) + 1):
            if sent == reply.break_after:
                raise _StreamAborted
            if sent == reply.error_after:
                self._write_chunk(_sse("error", _error_body("overloaded_error", "Overloaded")))
                return
            if sent == len(events):
                return
            if sent and reply.event_delay and api._sleep(reply.event_delay):
                raise _StreamAborted
            name, data = events[sent]
            self._write_chunk(_sse(name, data))
            if reply.ping_every and (sent + 1) % reply.ping_every == 0:
                self._write_chunk(_sse("ping", {"type": "ping"}))
            if hold_pending and name == "content_block_delta":
                hold_pending = False
                assert reply.hold is not None
                if api._wait_for(reply.hold):
                    raise _StreamAborted

    def _write_chunk(self, payload: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self.wfile.flush()  # each event goes out as soon as it is written, as a real stream's would
