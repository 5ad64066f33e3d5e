"""The group replay's wire: one JSON object per line, UTF-8, each with a `"type"`; the limits.

Both ends read the other's lines as hostile: a line is bounded before it is decoded, must
be strict UTF-8 and one JSON object, may not repeat a key, nest deeply or hold NaN. What a
line may then say is checked by `client_messages` (on the host) and `host_messages` (on a
participant). Every refusal is a `ProtocolError` whose text is one line, the reason a `bye`
gives. Documented in `docs/group-replay.md`.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

PROTOCOL = "tutor.group/1"

MAX_CLIENT_LINE = 16 * 1024  # bytes of one participant's line, its newline included
MAX_HOST_LINE = 1024 * 1024  # bytes of one host line, its newline included
HELLO_SECONDS = 10.0  # a connection says hello within this, or is dropped
# Lines a participant may send: a burst of FLOOD_BURST, then FLOOD_RATE a second sustained.
FLOOD_RATE = 20.0
FLOOD_BURST = 40
MAX_DEPTH = 32  # JSON nesting of one line (a lesson step needs about 6)
CUT_NOTE = "… [cut to fit the group replay's line limit: {left:,} more characters in the lesson itself]"


class Phase(str, Enum):
    """Where a group replay stands. Per ask: open -> closed -> (discuss -> revote-open -> revote-closed) -> revealed."""

    LOBBY = "lobby"
    OPEN = "open"
    CLOSED = "closed"
    DISCUSS = "discuss"
    REVOTE_OPEN = "revote-open"
    REVOTE_CLOSED = "revote-closed"
    REVEALED = "revealed"
    ENDED = "ended"

    @property
    def accepts_answers(self) -> bool:
        return self in (Phase.OPEN, Phase.REVOTE_OPEN)


class ProtocolError(ValueError):
    """A line or message that breaks the protocol; `str()` is the one-line reason sent in `bye`."""


def decode_line(raw: bytes, limit: int) -> dict[str, Any]:
    """One received line (with or without its `\\n`) as a JSON object with a string `type`."""
    if len(raw) > limit:
        raise ProtocolError(f"a line longer than {limit:,} bytes")
    line = raw[:-1] if raw.endswith(b"\n") else raw
    if line.endswith(b"\r"):
        line = line[:-1]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"a line that is not UTF-8 (invalid byte at offset {error.start})") from None
    if _too_deep(text):
        raise ProtocolError(f"a line nested more than {MAX_DEPTH} deep")
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except ProtocolError:
        raise
    except (ValueError, RecursionError):
        raise ProtocolError("a line that is not one JSON object") from None
    if not isinstance(data, dict):
        raise ProtocolError("a line that is not one JSON object")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError('a message without a string "type"')
    return data


def _too_deep(text: str) -> bool:
    """Whether brackets outside strings nest deeper than MAX_DEPTH (checked before `json` recurses)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ProtocolError("a message with a key repeated in one object")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ProtocolError(f"a message holding {name}, which is not JSON")


def encode(message: dict[str, Any]) -> bytes:
    """The line for `message`: compact JSON, UTF-8, one `\\n` at the end (JSON escapes any newline inside)."""
    return (json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")


def encode_within(message: dict[str, Any], limit: int = MAX_HOST_LINE) -> bytes:
    """The line for `message`, its longest strings cut (each with a note) until it fits in `limit` bytes.

    Only free text is ever that long (a step's output, a task); keys, ids and enumerations are short.
    """
    line = encode(message)
    if len(line) <= limit:
        return line
    cut = json.loads(line)  # a copy to cut
    for _ in range(64):
        excess = len(line) - limit
        holder, key, text = _longest_string(cut)
        if holder is None:
            break
        # At least an eighth each time, so text whose JSON escapes outgrow its bytes converges too.
        budget = max(0, len(text.encode("utf-8")) - max(excess, len(text) // 8) - 200)
        kept = text.encode("utf-8")[:budget].decode("utf-8", "ignore")  # whole characters only
        holder[key] = kept + CUT_NOTE.format(left=len(text) - len(kept))
        line = encode(cut)
        if len(line) <= limit:
            return line
    raise ProtocolError(f"a message that cannot be cut to {limit:,} bytes")


def _longest_string(value: Any) -> tuple[Any, Any, str]:
    """(container, key, text) of the longest string in `value` (None when it holds none worth cutting)."""
    best: tuple[Any, Any, str] = (None, None, "")
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        for key, child in pairs:
            if isinstance(child, str):
                if len(child) > len(best[2]) and len(child) > 400:
                    best = (item, key, child)
            elif isinstance(child, dict | list):
                stack.append(child)
    return best


TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def join_code(host: str, port: int, token: str) -> str:
    """`HOST:PORT/TOKEN`, one word (an IPv6 address in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}/{token}"


def parse_join_code(code: str) -> tuple[str, int, str]:
    """(host, port, token) of a join code; `ProtocolError` saying what a code looks like otherwise."""
    expected = "a join code is one word, HOST:PORT/TOKEN, as the host's screen shows it"
    text = code.strip()
    address, slash, token = text.rpartition("/")
    host, colon, port_text = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not slash or not colon or not host or any(char.isspace() or char in "/[]" for char in host):
        raise ProtocolError(expected)
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ProtocolError(f"{expected}; its PORT is a number from 1 to 65535")
    if not 16 <= len(token) <= 64 or not set(token) <= TOKEN_CHARS:
        raise ProtocolError(f"{expected}; its TOKEN is 16 to 64 letters, digits, - and _")
    return host, int(port_text), token
