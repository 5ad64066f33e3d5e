"""`tutor join CODE`: a participant in a group replay, on asyncio. No Textual.

Connects with `asyncio.open_connection`, says hello, and then reads the host's lines as hostile
(bounded by the stream's limit, each message checked by `tutor.group.host_messages`, each step
read with the lesson format's models). A connection lost without the host's `bye` is taken back:
the client reconnects with the secret its `welcome` gave and the host sends what it missed.
The participant's answers are an attempt in their own progress (`group_attempt`), graded when
each step is revealed. The screen reads `view`, a frozen snapshot, whenever `on_change` fires.
The protocol is `docs/group-replay.md`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tutor.errors import UserError
from tutor.group import (
    MAX_HOST_LINE,
    Ask,
    Distribution,
    Farewell,
    HostMessage,
    Phase,
    ProtocolError,
    Received,
    Refused,
    Reveal,
    State,
    Welcome,
    decode_line,
    encode,
    fits,
    parse_host,
)
from tutor.group import client_messages as says
from tutor.group.wire import parse_join_code
from tutor.learn import Answer, AskFrame, Grade, Judgement, StepFrame
from tutor.lesson import AgentStep, AnyStep, Call, ResultStep
from tutor.lesson.untrusted import one_line

from .group_attempt import GroupAttempt

CONNECT_SECONDS = 10.0
WELCOME_SECONDS = 10.0
ANSWER_SECONDS = 10.0
RECONNECT_SECONDS = 120.0  # how long a lost connection is retried before giving up


class GroupError(UserError):
    """Joining or answering did not work; one line."""


class GroupRefused(GroupError):
    """The host said bye instead of welcome."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the host refused: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class ParticipantView:
    name: str
    participant: str  # the seat's id the host gave ("p3")
    title: str
    task: str
    lesson_id: str
    digest: str
    total_steps: int
    min_group: int
    phase: str  # a `tutor.group.Phase` value
    paused: bool
    step_number: int | None  # the ask being played
    round: int | None  # 1, or 2 in a revote
    answered_count: int  # the room's answers this round
    expected: int
    ask: AskFrame | None  # the ask being played, until its step is revealed
    answered: bool  # my answer is in for this round
    revealed: tuple[StepFrame, ...]  # the steps revealed so far, in order (with my answer and grade at an ask)
    first: Distribution | None  # the ask's first vote, once closed
    second: Distribution | None  # its revote, once closed
    grades: Mapping[str, Grade]  # by step id: my graded answers
    answers: Mapping[str, Answer]  # by step id: the answer graded (my last in that ask)
    connected: bool
    reconnecting: bool
    bye_reason: str | None  # why the session is over for me (the host's bye, or what went wrong)
    notes: tuple[str, ...]  # progress that could not be saved, and the like
    attempt_id: str | None


class GroupClient:
    def __init__(
        self,
        code: str,
        name: str,
        *,
        on_change: Callable[[], None] = lambda: None,
        progress_folder: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.code = code
        self.name = name
        self._on_change = on_change
        self._progress_folder = progress_folder
        self._clock = clock
        self._address: tuple[str, int, str] | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._welcome: Welcome | None = None
        self._state: State | None = None
        self._asks: dict[int, AskFrame] = {}
        self._asked_at: dict[int, float] = {}
        self._sent: dict[tuple[int, int], tuple[Answer, float | None]] = {}
        self._accepted: set[tuple[int, int]] = set()
        self._pending: dict[tuple[int, int], asyncio.Future[Received | Refused]] = {}
        self._spreads: dict[tuple[int, int], Distribution] = {}
        self._steps: dict[int, AnyStep] = {}
        self._shown_at_end: dict[int, AnyStep] = {}  # the steps revealed when the host ended: the lesson's copy
        self._graded: set[int] = set()
        self._grades: dict[str, Grade] = {}
        self._answers: dict[str, Answer] = {}
        self._attempt: GroupAttempt | None = None
        self._store_lock = asyncio.Lock()
        self._store_tasks: set[asyncio.Task[Any]] = set()
        self._task: asyncio.Task[None] | None = None
        self._connected = False
        self._reconnecting = False
        self._left = False
        self._bye_reason: str | None = None

    # -- connecting

    async def connect(self) -> None:
        """Join: a bad code, an unreachable host or a refusal is one line (`GroupError`)."""
        try:
            self._address = parse_join_code(self.code)
        except ProtocolError as error:
            raise GroupError(str(error)) from None
        await self._open(rejoin=None)
        assert self._welcome is not None
        folder = self._progress_folder
        if folder is None:
            from tutor import paths

            folder = paths.progress_dir()
        self._attempt = await asyncio.to_thread(GroupAttempt, folder, self._welcome.lesson)
        self._task = asyncio.ensure_future(self._run())

    async def _open(self, *, rejoin: str | None) -> None:
        assert self._address is not None
        host, port, token = self._address
        where = f"{host}:{port}"
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=MAX_HOST_LINE - 1), CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            reason = "no answer" if isinstance(error, TimeoutError) else (error.strerror or str(error))
            raise GroupError(f"cannot reach the host at {one_line(where, limit=120)} ({one_line(reason, limit=120)})") from None
        try:
            writer.write(encode(says.hello(token, self.name, rejoin)))
            await asyncio.wait_for(writer.drain(), CONNECT_SECONDS)
            raw = await asyncio.wait_for(reader.readline(), WELCOME_SECONDS)
            if not raw:
                raise GroupError(f"the host at {one_line(where, limit=120)} closed the connection without a word")
            message = parse_host(decode_line(raw, MAX_HOST_LINE))
        except (OSError, TimeoutError, ValueError) as error:  # ValueError: ProtocolError, a line past the limit
            writer.close()
            raise GroupError(f"the host at {one_line(where, limit=120)} did not welcome us ({one_line(str(error) or 'no answer', limit=160)})") from None
        except GroupError:
            writer.close()
            raise
        if isinstance(message, Farewell):
            writer.close()
            raise GroupRefused(one_line(message.reason, limit=300))
        if not isinstance(message, Welcome):
            writer.close()
            raise GroupError(f"the host at {one_line(where, limit=120)} did not welcome us")
        if self._welcome is not None and message.lesson.digest != self._welcome.lesson.digest:
            writer.close()
            raise GroupRefused("the host now plays another lesson")
        self._welcome = message
        self._reader, self._writer = reader, writer
        self._connected, self._reconnecting = True, False

    # -- listening

    async def _run(self) -> None:
        while not self._left and self._bye_reason is None:
            await self._listen()
            self._lost()
            if self._left or self._bye_reason is not None:
                break
            self._reconnecting = True
            self._changed()
            await self._reconnect()
        self._connected = self._reconnecting = False
        self._changed()

    async def _listen(self) -> None:
        """Read the host's lines until the connection ends (or the host says bye)."""
        reader = self._reader
        assert reader is not None
        while True:
            try:
                raw = await reader.readline()
            except ValueError:
                self._give_up(f"the host sent a line longer than {MAX_HOST_LINE:,} bytes")
                return
            except (OSError, ConnectionError):
                return
            if not raw:
                return
            try:
                message = parse_host(decode_line(raw, MAX_HOST_LINE))
            except ProtocolError as error:
                self._give_up(f"the host sent something Tutor cannot read ({error})")
                return
            if message is not None:
                self._apply(message)
                self._changed()
            if isinstance(message, Farewell):
                return

    def _give_up(self, reason: str) -> None:
        """Leave a host that breaks the protocol: say bye, and do not come back."""
        self._bye_reason = reason
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.write(encode({"type": "bye", "reason": reason[:200]}))

    def _lost(self) -> None:
        self._connected = False
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(GroupError("the connection to the host was lost before it confirmed your answer: send it again"))

    async def _reconnect(self) -> None:
        assert self._welcome is not None
        deadline = self._clock() + RECONNECT_SECONDS
        delay = 0.2
        while not self._left:
            try:
                await self._open(rejoin=self._welcome.rejoin)
            except GroupRefused as refused:
                self._bye_reason = refused.reason
                return
            except GroupError:
                if self._clock() >= deadline:
                    self._bye_reason = "the connection to the host was lost"
                    return
                await asyncio.sleep(delay)  # a back-off between tries, not a wait for a condition
                delay = min(delay * 2, 3.0)
            else:
                self._changed()
                return

    def _apply(self, message: HostMessage) -> None:
        if isinstance(message, State):
            self._state = message
            if message.phase is Phase.ENDED:
                self._shown_at_end = dict(self._steps)  # every reveal is in: the host sends them before it ends
                self._store(self._finish)
        elif isinstance(message, Ask):
            self._asks[message.step] = message.frame
            self._asked_at[message.step] = self._clock()
        elif isinstance(message, Received | Refused):
            key = (message.step, message.round)
            if isinstance(message, Received):
                self._accepted.add(key)
            future = self._pending.get(key)
            if future is not None and not future.done():
                future.set_result(message)
        elif isinstance(message, Distribution):
            self._spreads[(message.step, message.round)] = message
        elif isinstance(message, Reveal):
            self._reveal(message)
        elif isinstance(message, Farewell):
            self._bye_reason = one_line(message.reason, limit=300)

    def _reveal(self, message: Reveal) -> None:
        self._steps[message.step] = message.content
        if message.step in self._graded:
            return  # sent again with more (an agent step's note once its intervene ask is revealed)
        self._graded.add(message.step)
        given = self._sent.get((message.step, 2)) if (message.step, 2) in self._accepted else None
        if given is None and (message.step, 1) in self._accepted:
            given = self._sent.get((message.step, 1))
        answer, seconds = given if given is not None else (None, None)
        asked, step = message.step in self._asks, message.content

        def save(attempt: GroupAttempt) -> Grade | None:
            return attempt.reveal(message.step, step, answer, asked=asked, seconds=seconds)

        def graded(result: object) -> None:
            if isinstance(result, Grade) and answer is not None:
                self._grades[step.id] = result
                self._answers[step.id] = answer

        self._store(save, graded)

    def _finish(self, attempt: GroupAttempt) -> None:
        attempt.finish(self._shown_at_end)

    def _store(self, work: Callable[[GroupAttempt], object], then: Callable[[object], None] = lambda _: None) -> None:
        """Run `work` on the attempt in a thread, one at a time and in the order asked; `then` its result, back on the loop."""
        attempt = self._attempt
        if attempt is None:
            return

        async def run() -> None:
            async with self._store_lock:
                result = await asyncio.to_thread(work, attempt)
            then(result)
            self._changed()

        task = asyncio.ensure_future(run())
        self._store_tasks.add(task)
        task.add_done_callback(self._store_tasks.discard)

    def _changed(self) -> None:
        with contextlib.suppress(Exception):  # a screen's failure must not stop the session
            self._on_change()

    # -- the participant's moves

    async def answer(self, given: Answer) -> None:
        """Send an answer to the open ask in the round being played; `GroupError` when it is not taken (and why)."""
        state = self._state
        if self._left or self._bye_reason is not None:
            raise GroupError("the session is over for you: nothing can be sent")
        if not self._connected or self._writer is None:
            raise GroupError("not connected to the host: send it again once reconnected")
        if state is None or not state.phase.accepts_answers or state.step is None or state.round is None:
            raise GroupError("no question is open now")
        if state.paused:
            raise GroupError("the host has paused the session: send it when it resumes")
        key = (state.step, state.round)
        if key in self._accepted:
            raise GroupError("your answer for this round is in")
        frame = self._asks.get(state.step)
        problem = fits(frame, given) if frame is not None else "the question has not arrived"
        if problem is not None:
            raise GroupError(problem)
        asked = self._asked_at.get(state.step)
        seconds = max(0.0, self._clock() - asked) if asked is not None else None
        future: asyncio.Future[Received | Refused] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        self._sent[key] = (given, seconds)
        try:
            self._writer.write(encode(says.answer(state.step, state.round, given)))
            await self._writer.drain()
            outcome = await asyncio.wait_for(future, ANSWER_SECONDS)
        except (OSError, ConnectionError):
            raise GroupError("the connection to the host was lost: send it again once reconnected") from None
        except TimeoutError:
            raise GroupError("the host did not confirm your answer: send it again") from None
        finally:
            self._pending.pop(key, None)
        if isinstance(outcome, Refused):
            raise GroupError(f"the host did not take your answer: {one_line(outcome.reason, limit=200)}")
        self._changed()

    async def judge(self, step_id: str, judgement: Judgement) -> Grade:
        """Record how the points of a free-text answer were judged (the participant's own check); saved to progress."""
        step = next((step for step in self._steps.values() if step.id == step_id), None)
        if step is None or self._attempt is None or step_id not in self._answers:
            raise GroupError("only a revealed question you answered can be judged")
        attempt = self._attempt
        async with self._store_lock:
            result = await asyncio.to_thread(attempt.judge, step, judgement)
        self._grades[step_id] = result
        self._changed()
        return result

    async def settled(self) -> None:
        """Wait until everything sent to progress so far is written."""
        while self._store_tasks:
            await asyncio.gather(*list(self._store_tasks), return_exceptions=True)

    async def leave(self) -> None:
        """Say bye and close; the answers saved stay in progress (finished if the host had ended)."""
        if self._left:
            return
        self._left = True
        if self._writer is not None and self._connected:
            with contextlib.suppress(Exception):
                self._writer.write(encode(says.goodbye()))
                await asyncio.wait_for(self._writer.drain(), 2.0)
        self._lost()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.settled()
        if self._attempt is not None:
            await asyncio.to_thread(self._attempt.close)
        self._changed()

    # -- what the screen shows

    @property
    def view(self) -> ParticipantView:
        welcome, state = self._welcome, self._state
        lesson = welcome.lesson if welcome is not None else None
        step = state.step if state is not None else None
        round_ = state.round if state is not None else None
        attempt = self._attempt
        return ParticipantView(
            name=self.name,
            participant=welcome.participant if welcome is not None else "",
            title=lesson.title if lesson is not None else "",
            task=lesson.task if lesson is not None else "",
            lesson_id=lesson.id if lesson is not None else "",
            digest=lesson.digest if lesson is not None else "",
            total_steps=lesson.steps if lesson is not None else 0,
            min_group=welcome.min_group if welcome is not None else 0,
            phase=state.phase.value if state is not None else Phase.LOBBY.value,
            paused=state.paused if state is not None else False,
            step_number=step,
            round=round_,
            answered_count=state.answered if state is not None else 0,
            expected=state.expected if state is not None else 0,
            ask=self._asks.get(step) if step is not None and step not in self._steps else None,
            answered=step is not None and round_ is not None and (step, round_) in self._accepted,
            revealed=self._revealed(),
            first=self._spreads.get((step, 1)) if step is not None else None,
            second=self._spreads.get((step, 2)) if step is not None else None,
            grades=MappingProxyType(dict(self._grades)),
            answers=MappingProxyType(dict(self._answers)),
            connected=self._connected,
            reconnecting=self._reconnecting,
            bye_reason=self._bye_reason,
            notes=tuple(attempt.notes) if attempt is not None else (),
            attempt_id=attempt.attempt_id if attempt is not None else None,
        )

    def _revealed(self) -> tuple[StepFrame, ...]:
        from tutor.learn import Committed

        frames = []
        calls: dict[str, Call] = {}
        for number in sorted(self._steps):
            step = self._steps[number]
            if isinstance(step, AgentStep):
                calls = {call.id: call for call in step.calls}
            answer = self._answers.get(step.id)
            frames.append(
                StepFrame(
                    number=number,
                    step=step,
                    call=calls.get(step.call) if isinstance(step, ResultStep) else None,
                    committed=Committed(step.id, answer) if answer is not None else None,
                    grade=self._grades.get(step.id),
                )
            )
        return tuple(frames)
