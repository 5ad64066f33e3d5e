"""`tutor host LESSON`: a group replay's host, on asyncio. No Textual.

The session (phases, rounds, answers, what is sent when) is `tutor.group.session.GroupSession`,
pure; this module is its network. `asyncio.start_server` on loopback unless told otherwise; each
connection is two tasks, one reading (lines bounded by the stream's limit, a token bucket
against floods, a hello within 10 s) and one writing from a bounded queue (a participant that
stops reading is dropped, never waited on). Anything a participant may not send drops it with
`bye{reason}`; nothing a participant sends can stop the host. The protocol is
`docs/group-replay.md`.

The screen calls the moves (`advance`, `discuss`, …) on the same loop and reads `view`, a frozen
snapshot, whenever `on_change` fires. The session's tallies (`tutor.team.tallies`) are written
after each reveal and at the end (`group_tally`), into the host's team clone or `$TUTOR_HOME`.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.errors import UserError
from tutor.group import (
    HELLO_SECONDS,
    MAX_CLIENT_LINE,
    MAX_HOST_LINE,
    AnswerMessage,
    Distribution,
    Goodbye,
    GroupSession,
    Hello,
    Outgoing,
    Phase,
    ProtocolError,
    SessionError,
    TokenBucket,
    decode_line,
    encode_within,
    parse_client,
)
from tutor.group.wire import join_code
from tutor.learn import Frame
from tutor.lesson.untrusted import one_line
from tutor.settings import TeamMembership

from .group_tally import TallyKeeper, team_min_group

MAX_CONNECTIONS = 600  # open at once, seated or not (MAX_SEATS is 500)
MAX_QUEUED_LINES = 2000  # lines waiting for one participant; past that it is not reading, and is dropped
SEND_SECONDS = 30.0  # one write drained within this, or the participant is dropped
MAX_PROBLEMS = 50


class GroupError(UserError):
    """A group replay cannot start or go on; one line."""


@dataclass(frozen=True)
class Participant:
    """One seat as the host's screen shows it: never what they answered, only whether."""

    id: str
    name: str  # already cleaned to one line (`tutor.lesson.untrusted.one_line`)
    connected: bool
    answered: bool  # in the round being played
    left: bool  # said goodbye (else a dropped connection may come back)


@dataclass(frozen=True)
class HostView:
    title: str
    task: str
    phase: str  # a `tutor.group.Phase` value
    paused: bool
    step_number: int | None  # the ask being played
    total_steps: int
    round: int | None
    answered: int
    expected: int
    participants: tuple[Participant, ...]
    frame: Frame  # the task, the ask as solo replay shows it, or (after its reveal, or looking back) the senior's step
    first: Distribution | None  # the ask's first vote, once closed
    second: Distribution | None  # its revote, once closed
    can_advance: bool
    can_discuss: bool
    join_code: str
    problems: tuple[str, ...]  # one line each: a connection dropped, and why; a tally not saved
    min_group: int
    revealed_steps: tuple[int, ...]  # what `show` can look back at
    showing: int | None
    tally: Path | None  # where the tallies were last saved


class _Dropped(Exception):
    """End this connection, telling the participant why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.seat: str | None = None
        self.closing = False
        self.sender: asyncio.Task[None] | None = None
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else "a connection"


def parse_bind(bind: str) -> tuple[str, int]:
    """`ADDR:PORT` (an IPv6 address in brackets) as (address, port); port 0 picks a free one."""
    address, colon, port = bind.strip().rpartition(":")
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    if not colon or not address or not port.isascii() or not port.isdigit() or int(port) > 65535:
        raise GroupError(f"--bind takes ADDR:PORT (127.0.0.1:0, say), not {one_line(bind, limit=80)!r}")
    return address, int(port)


class GroupHost:
    def __init__(
        self,
        lesson_folder: Path,
        *,
        bind: str = "127.0.0.1:0",
        min_group: int | None = None,
        team: TeamMembership | None = None,
        on_change: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lesson_folder = Path(lesson_folder)
        self.bind = bind
        self.team = team
        self._min_group = min_group
        self._on_change = on_change
        self._clock = clock
        self._session: GroupSession | None = None
        self._server: asyncio.Server | None = None
        self._token = secrets.token_urlsafe(16)
        self.join_code = ""
        self._connections: set[_Connection] = set()
        self._by_seat: dict[str, _Connection] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._problems: list[str] = []
        self._stopped = False
        self._tally: TallyKeeper | None = None

    # -- starting and stopping

    async def start(self) -> str:
        """Read the lesson, listen, and return the join code `HOST:PORT/TOKEN`."""
        from tutor.lesson import LessonError, lesson_digest, load_lesson

        try:
            lesson = await asyncio.to_thread(load_lesson, self.lesson_folder)
        except LessonError as error:
            raise GroupError(f"{one_line(str(self.lesson_folder), limit=200)}: the lesson is broken ({one_line(str(error), limit=200)})") from None
        min_group = self._min_group if self._min_group is not None else await asyncio.to_thread(team_min_group, self.team)
        self._session = GroupSession(lesson, min_group=min_group, digest=lesson_digest(lesson))
        address, port = parse_bind(self.bind)
        try:
            self._server = await asyncio.start_server(self._serve, address, port, limit=MAX_CLIENT_LINE - 1)
        except OSError as error:
            raise GroupError(f"cannot listen on {one_line(self.bind, limit=80)}: {error.strerror or error}") from None
        bound = self._server.sockets[0].getsockname()
        shown = address if address not in ("0.0.0.0", "::", "") else socket.gethostname()
        self.join_code = join_code(shown, int(bound[1]), self._token)
        self._tally = TallyKeeper(self.team)
        return self.join_code

    async def stop(self) -> None:
        """End the session (if it runs), save its tallies, say bye to everyone and close."""
        if self._stopped or self._session is None:
            return
        self._stopped = True
        self._send(self._session.end())
        await self._save_tally()
        for connection in list(self._connections):
            self._drop(connection, "the host closed the session")
        if self._server is not None:
            self._server.close()
        tasks = [task for task in self._tasks if not task.done()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=5.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for connection in list(self._connections):
            connection.writer.transport.abort()
        if self._server is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5.0)
        self._changed()

    # -- what the screen shows

    @property
    def session(self) -> GroupSession:
        if self._session is None:
            raise GroupError("the group replay has not started")
        return self._session

    @property
    def view(self) -> HostView:
        session = self.session
        state = session.state()
        answered = session.answers_now()
        ask = session.current
        return HostView(
            title=session.lesson.title,
            task=session.lesson.task,
            phase=state.phase.value,
            paused=state.paused,
            step_number=state.step,
            total_steps=session.info.steps,
            round=state.round,
            answered=state.answered,
            expected=state.expected,
            participants=tuple(
                Participant(seat.id, seat.name, seat.connected, seat.id in answered, seat.gone) for seat in session.seats.values()
            ),
            frame=session.frame(),
            first=ask.spreads.get(1) if ask is not None else None,
            second=ask.spreads.get(2) if ask is not None else None,
            can_advance=session.can_advance,
            can_discuss=session.can_discuss,
            join_code=self.join_code,
            problems=tuple(self._problems),
            min_group=session.min_group,
            revealed_steps=session.revealed_numbers(),
            showing=session.showing,
            tally=self._tally.path if self._tally is not None else None,
        )

    # -- the host's moves (on the loop, from the screen)

    def advance(self) -> None:
        """`space`: open, close, reveal, next; after the last step, end."""
        session = self.session
        was = session.phase
        self._move(session.advance)
        if session.phase is Phase.REVEALED or (session.phase is Phase.ENDED and was is not Phase.ENDED):
            self._spawn(self._save_tally())

    def discuss(self) -> None:
        self._move(self.session.discuss)

    def toggle_pause(self) -> None:
        self._move(self.session.toggle_pause)

    def end(self) -> None:
        if self.session.phase is not Phase.ENDED:
            self._move(self.session.end)
            self._spawn(self._save_tally())

    def show(self, number: int | None) -> None:
        try:
            self.session.show(number)
        except SessionError as error:
            raise GroupError(str(error)) from None
        self._changed()

    def _move(self, move: Callable[[], list[Outgoing]]) -> None:
        try:
            outgoing = move()
        except SessionError as error:
            raise GroupError(str(error)) from None
        self._send(outgoing)
        self._changed()

    def _changed(self) -> None:
        try:
            self._on_change()
        except Exception as error:  # noqa: BLE001 - a screen's failure must not take the network down with it
            self._problem(f"the screen failed to update ({type(error).__name__})")

    def _problem(self, text: str) -> None:
        self._problems.append(one_line(text, limit=300))
        del self._problems[:-MAX_PROBLEMS]

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- sending

    def _send(self, outgoing: list[Outgoing]) -> None:
        for to, message in outgoing:
            try:
                line = encode_within(message, MAX_HOST_LINE)
            except ProtocolError as error:
                self._problem(f"a {message.get('type')} message was not sent: {error}")
                continue
            if to is None:  # EVERYONE: each seated connection
                targets = [connection for connection in self._by_seat.values() if not connection.closing]
            else:
                found = self._by_seat.get(to)
                targets = [found] if found is not None and not found.closing else []
            for connection in targets:
                self._queue(connection, line)

    def _queue(self, connection: _Connection, line: bytes) -> None:
        if connection.queue.qsize() >= MAX_QUEUED_LINES:
            self._drop(connection, "not reading what the host sends")
            return
        connection.queue.put_nowait(line)

    async def _write_loop(self, connection: _Connection) -> None:
        try:
            while True:
                line = await connection.queue.get()
                if line is None:
                    break
                connection.writer.write(line)
                await asyncio.wait_for(connection.writer.drain(), SEND_SECONDS)
        except TimeoutError:  # its side of the connection is full: it reads nothing
            self._problem(f"{self._who(connection)}: dropped, not reading what the host sends")
            connection.writer.transport.abort()
        except (OSError, ConnectionError):
            pass  # the reader sees the connection end and tidies up
        finally:
            connection.closing = True
            with contextlib.suppress(Exception):
                connection.writer.close()

    def _drop(self, connection: _Connection, reason: str) -> None:
        """Say `bye{reason}` and close after it (the writer ends the connection once the bye is out)."""
        if connection.closing:
            return
        connection.closing = True
        try:
            connection.queue.put_nowait(encode_within({"type": "bye", "reason": reason}))
        except ProtocolError:
            pass
        connection.queue.put_nowait(None)

    # -- one connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = _Connection(reader, writer)
        current = asyncio.current_task()
        if current is not None:
            self._tasks.add(current)
        connection.sender = asyncio.ensure_future(self._write_loop(connection))
        self._tasks.add(connection.sender)
        self._connections.add(connection)
        left = False
        try:
            if self._stopped or len(self._connections) > MAX_CONNECTIONS:
                raise _Dropped("the host takes no more connections")
            left = await self._converse(connection)
        except _Dropped as dropped:
            self._dropped(connection, dropped.reason)
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as error:  # noqa: BLE001 - one participant never takes the host down
            self._dropped(connection, f"the host failed on its message ({type(error).__name__})")
        finally:
            await self._close(connection, left=left)
            if current is not None:
                self._tasks.discard(current)

    def _who(self, connection: _Connection) -> str:
        return self.session.seats[connection.seat].name if connection.seat is not None else connection.peer

    def _dropped(self, connection: _Connection, reason: str) -> None:
        self._problem(f"{self._who(connection)}: dropped, {reason}")
        self._drop(connection, reason)

    async def _close(self, connection: _Connection, *, left: bool) -> None:
        seat = connection.seat
        if not connection.closing:  # the participant ended it: a bye, or the connection was lost
            connection.closing = True
            connection.queue.put_nowait(None)
            if not left and seat is not None and self._by_seat.get(seat) is connection:
                self._problem(f"{self.session.seats[seat].name}: the connection was lost (they can rejoin)")
        if connection.sender is not None:
            try:
                await asyncio.wait_for(asyncio.shield(connection.sender), 5.0)
            except TimeoutError:
                connection.writer.transport.abort()
            except asyncio.CancelledError:
                connection.writer.transport.abort()
                raise
        self._connections.discard(connection)
        if seat is not None and self._by_seat.get(seat) is connection:
            del self._by_seat[seat]
            self._send(self.session.disconnected(seat, left=left))
            self._changed()

    async def _read(self, connection: _Connection) -> bytes:
        try:
            raw = await connection.reader.readline()
        except ValueError:  # longer than the stream's limit
            raise _Dropped(f"a line longer than {MAX_CLIENT_LINE:,} bytes") from None
        return raw

    async def _converse(self, connection: _Connection) -> bool:
        """Hello, then answers until a bye (True) or the connection ends (False)."""
        try:
            raw = await asyncio.wait_for(self._read(connection), HELLO_SECONDS)
        except TimeoutError:
            raise _Dropped(f"no hello within {HELLO_SECONDS:g} seconds") from None
        if not raw:
            return False
        first = self._message(raw)
        if not isinstance(first, Hello):
            raise _Dropped("the first message must be a hello")
        self._seat(connection, first)
        bucket = TokenBucket(self._clock())
        while True:
            raw = await self._read(connection)
            if not raw:
                return False
            if not bucket.take(self._clock()):
                raise _Dropped("a flood: more than 20 lines a second")
            message = self._message(raw)
            if isinstance(message, Hello):
                raise _Dropped("a second hello")
            if isinstance(message, Goodbye):
                return True
            assert isinstance(message, AnswerMessage) and connection.seat is not None
            self._send(self.session.answer(connection.seat, message))
            self._changed()

    def _message(self, raw: bytes) -> Hello | AnswerMessage | Goodbye:
        try:
            return parse_client(decode_line(raw, MAX_CLIENT_LINE))
        except ProtocolError as error:
            raise _Dropped(str(error)) from None

    def _seat(self, connection: _Connection, hello: Hello) -> None:
        session = self.session
        if not secrets.compare_digest(hello.token.encode("utf-8"), self._token.encode("utf-8")):
            raise _Dropped("wrong token: check the join code")
        if hello.rejoin is not None:
            seat = session.seat_for(hello.rejoin)
            if seat is None:
                raise _Dropped("that seat is not known here: join again without rejoin")
            old = self._by_seat.pop(seat.id, None)
            if old is not None:
                self._drop(old, "you joined again from another connection")
            outgoing = session.rejoin(seat.id)
        else:
            if session.phase is Phase.ENDED:
                raise _Dropped("the session has ended")
            try:
                seat, outgoing = session.join(hello.name)
            except SessionError as error:
                raise _Dropped(str(error)) from None
        connection.seat = seat.id
        self._by_seat[seat.id] = connection
        self._send(outgoing)
        self._changed()

    # -- tallies

    async def _save_tally(self) -> None:
        if self._tally is not None:
            problem = await self._tally.save(self.session)
            if problem is not None:
                self._problem(problem)
        self._changed()
