"""A group replay (issue 16): one host plays a lesson to participants on their own terminals.

The protocol (`docs/group-replay.md`): newline-delimited JSON over TCP. This package is its pure
part: the wire's limits and line reading (`wire`), what each side may send and how the other
reads it as hostile (`client_messages`, `host_messages`), an ask and a revealed step on the wire
(`content`), a round's spread (`distribution`), flood control (`flood`), and the host's state
machine (`session`). The sockets are in `tutor.services.group_host` and `group_client`.

Pure, like `tutor.team`: it imports only `tutor.lesson`, `tutor.learn`, `tutor.team`, `tutor.errors`
and the standard library.
"""

from __future__ import annotations

from .client_messages import AnswerMessage, ClientMessage, Goodbye, Hello, parse_client
from .content import ask_from_json, ask_to_json, step_content, step_from_content
from .distribution import Distribution, distribution, label_of, labels_for
from .flood import TokenBucket
from .host_messages import Ask, Farewell, HostMessage, LessonInfo, Received, Refused, Reveal, State, Welcome, parse_host
from .session import EVERYONE, GroupSession, Outgoing, PlayedAsk, Seat, SessionError, fits
from .wire import HELLO_SECONDS, MAX_CLIENT_LINE, MAX_HOST_LINE, PROTOCOL, Phase, ProtocolError, decode_line, encode, encode_within

__all__ = [
    "EVERYONE",
    "HELLO_SECONDS",
    "MAX_CLIENT_LINE",
    "MAX_HOST_LINE",
    "PROTOCOL",
    "AnswerMessage",
    "Ask",
    "ClientMessage",
    "Distribution",
    "Farewell",
    "Goodbye",
    "GroupSession",
    "Hello",
    "HostMessage",
    "LessonInfo",
    "Outgoing",
    "Phase",
    "PlayedAsk",
    "ProtocolError",
    "Received",
    "Refused",
    "Reveal",
    "Seat",
    "SessionError",
    "State",
    "TokenBucket",
    "Welcome",
    "ask_from_json",
    "ask_to_json",
    "decode_line",
    "distribution",
    "encode",
    "encode_within",
    "fits",
    "label_of",
    "labels_for",
    "parse_client",
    "parse_host",
    "step_content",
    "step_from_content",
]
