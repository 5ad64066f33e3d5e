"""A group replay participant written from `docs/group-replay.md` alone: a TCP socket and JSON, no Tutor code.

It is what an outside checker would write. It records every byte the host sends it, keeps each
message in order, and can send anything at all (a wrong token, junk, a flood), so the tests can
check what the document promises from the outside.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

HOST_LINE_LIMIT = 1_048_576  # "A line the host sends is at most 1,048,576 bytes, its \n included."
WAIT_SECONDS = 15.0


class RawParticipant:
    def __init__(self, code: str, name: str) -> None:
        address, _, self.token = code.rpartition("/")
        host, _, port = address.rpartition(":")
        self.host = host.strip("[]")
        self.port = int(port)
        self.name = name
        self.received: list[dict[str, Any]] = []  # every message, in order
        self.wire = bytearray()  # every byte the host sent
        self.closed = False  # the host closed the connection
        self.welcome: dict[str, Any] | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- the connection

    async def open(self) -> None:
        """Connect (no hello yet)."""
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port, limit=HOST_LINE_LIMIT)
        self.closed = False
        self._task = asyncio.ensure_future(self._read())

    async def join(self, *, rejoin: str | None = None, token: str | None = None) -> dict[str, Any]:
        """Connect, say hello, and wait for the first message (a welcome, or a bye)."""
        await self.open()
        start = len(self.received)
        hello: dict[str, Any] = {"type": "hello", "token": self.token if token is None else token, "name": self.name}
        if rejoin is not None:
            hello["rejoin"] = rejoin
        await self.send(hello)
        first = await self.next_message(start)
        if first["type"] == "welcome":
            self.welcome = first
        return first

    async def _read(self) -> None:
        assert self._reader is not None
        try:
            while line := await self._reader.readline():
                self.wire.extend(line)
                assert len(line) <= HOST_LINE_LIMIT
                assert line.endswith(b"\n"), "every host line ends with a newline"
                self.received.append(json.loads(line.decode("utf-8")))
                self._arrived.set()
        except (OSError, ConnectionError):
            pass
        finally:
            self.closed = True
            if self._writer is not None:
                self._writer.close()
            self._arrived.set()

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(message).encode("utf-8") + b"\n")

    async def send_raw(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)
        try:
            await self._writer.drain()
        except (OSError, ConnectionError):
            pass  # the host may have closed on us already: what it said is in `received`

    def drop(self) -> None:
        """Lose the connection without a bye, as a network would."""
        if self._writer is not None:
            self._writer.transport.abort()

    async def leave(self) -> None:
        if self._writer is not None and not self.closed:
            await self.send({"type": "bye"})
            self._writer.close()
        if self._task is not None:
            await asyncio.wait_for(self._task, WAIT_SECONDS)

    # -- waiting on what arrives (never a fixed sleep)

    async def until(self, predicate: Any, what: str = "") -> Any:
        """Wait until `predicate(self)` gives something true; return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while True:
            found = predicate(self)
            if found:
                return found
            if self.closed and not predicate(self):
                raise AssertionError(f"{self.name}: the connection closed while waiting for {what}; got {self.received[-3:]}")
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"{self.name}: timed out waiting for {what}; the last messages: {self.received[-3:]}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                pass

    async def next_message(self, after: int) -> dict[str, Any]:
        """The first message at index `after` or later."""
        await self.until(lambda me: len(me.received) > after, f"a message after #{after}")
        return self.received[after]

    async def next_of(self, kind: str, after: int = 0, **fields: Any) -> dict[str, Any]:
        """The first message of `kind` (with these field values) at index `after` or later."""

        def found(me: RawParticipant) -> dict[str, Any] | None:
            return next(
                (m for m in me.received[after:] if m["type"] == kind and all(m.get(key) == value for key, value in fields.items())),
                None,
            )

        result: dict[str, Any] = await self.until(found, f"a {kind} {fields or ''}")
        return result

    async def closed_with_bye(self) -> str:
        """Wait for the host to say bye and close; its reason."""
        await self.until(lambda me: me.closed, "the host to close the connection")
        byes = [m for m in self.received if m["type"] == "bye"]
        assert byes, f"{self.name}: closed without a bye; got {self.received[-3:]}"
        return str(byes[-1]["reason"])

    # -- reading the session

    def states(self) -> list[tuple[str, int | None, int | None]]:
        return [(m["phase"], m["step"], m["round"]) for m in self.received if m["type"] == "state"]

    def last_state(self) -> dict[str, Any] | None:
        return next((m for m in reversed(self.received) if m["type"] == "state"), None)

    def state_is(self, phase: str, step: int | None = None, round_: int | None = None) -> bool:
        state = self.last_state()
        return state is not None and state["phase"] == phase and (step is None or state["step"] == step) and (round_ is None or state["round"] == round_)

    async def answer(self, step: int, round_: int, answer: dict[str, Any], confidence: str = "medium") -> dict[str, Any]:
        """Send an answer and wait for its `received` or `refused`."""
        start = len(self.received)
        await self.send({"type": "answer", "step": step, "round": round_, "answer": answer, "confidence": confidence})

        def reply(me: RawParticipant) -> dict[str, Any] | None:
            return next((m for m in me.received[start:] if m["type"] in ("received", "refused") and m["step"] == step and m["round"] == round_), None)

        result: dict[str, Any] = await self.until(reply, f"the reply to an answer to step {step} round {round_}")
        return result
