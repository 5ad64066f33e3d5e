"""The host's side of a group replay as a pure state machine: seats, phases, rounds, answers, what is sent when.

The lesson moves through solo replay's own engine (`tutor.learn.Replay`): an ask is its
`AskFrame` (which holds nothing of the hidden step) and a step is revealed when the engine
reveals it (the host's "answer" is a skip), so a group shows exactly what solo replay shows,
in the same order, and an agent step's note waits while the intervene ask judging it is open,
as there. Each call returns the messages to send, as (seat id, message) with `EVERYONE` for
every connected seat; the network is `tutor.services.group_host`'s. No clock, no I/O.

Per ask: open -> closed -> (discuss -> revote-open -> revote-closed) -> revealed. Closing a round
refuses late answers; a closed round's spread goes to everyone, its counts hidden below the
minimum group. Paused: no answers are taken and the host cannot move on until resuming.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from tutor.learn import Answer, ChoiceAnswer, Frame, Replay
from tutor.learn.replay import AskFrame
from tutor.lesson import AnyStep, Lesson
from tutor.lesson.untrusted import one_line
from tutor.team.tallies import TallyAsk, TallyFile, TallyMode, TallyRound

from . import host_messages as says
from .client_messages import MAX_NAME_CHARS, AnswerMessage
from .distribution import Distribution, distribution
from .host_messages import LessonInfo, State
from .wire import Phase

EVERYONE: str | None = None
MAX_SEATS = 500
Outgoing = tuple[str | None, dict[str, Any]]


@dataclass
class Seat:
    """One participant: a short id others never see, a name the host sees, a secret to take the seat back."""

    id: str
    name: str
    secret: str
    connected: bool = True
    gone: bool = False  # said bye: no longer expected to answer


@dataclass
class PlayedAsk:
    """One ask as the group played it: each round's answers by seat, each closed round's spread."""

    number: int
    step_id: str
    frame: AskFrame
    answers: dict[int, dict[str, Answer]] = field(default_factory=lambda: {1: {}})
    spreads: dict[int, Distribution] = field(default_factory=dict)
    revealed: bool = False

    @property
    def revoted(self) -> bool:
        return 2 in self.answers


class SessionError(ValueError):
    """A host move the session does not allow now (the screen offers only allowed ones)."""


class GroupSession:
    def __init__(self, lesson: Lesson, *, min_group: int, digest: str | None = None) -> None:
        self.replay = Replay(lesson, digest=digest)
        self.lesson = self.replay.lesson  # as learners see it: without its hidden steps
        self.info = LessonInfo(lesson.id, lesson.title, lesson.task, self.replay.digest, len(self.lesson.steps))
        self.min_group = max(1, min_group)
        self.phase = Phase.LOBBY
        self.paused = False
        self.seats: dict[str, Seat] = {}
        self.played: list[PlayedAsk] = []
        self.showing: int | None = None  # a revealed step the host looks back at (view only)
        self._sent: dict[int, dict[str, Any]] = {}  # step number -> its reveal as last sent

    # -- where things stand

    @property
    def current(self) -> PlayedAsk | None:
        """The ask being played (until the next opens), None in the lobby and after the last."""
        return self.played[-1] if self.played and self.phase is not Phase.ENDED else None

    @property
    def round(self) -> int | None:
        ask = self.current
        if ask is None:
            return None
        return 2 if self.phase in (Phase.REVOTE_OPEN, Phase.REVOTE_CLOSED) or (self.phase is Phase.REVEALED and ask.revoted) else 1

    def answers_now(self) -> dict[str, Answer]:
        ask, round_ = self.current, self.round
        return ask.answers.get(round_, {}) if ask is not None and round_ is not None else {}

    def state(self) -> State:
        answered = self.answers_now()
        expected = sum(1 for seat in self.seats.values() if seat.connected or seat.id in answered)
        ask = self.current
        return State(self.phase, ask.number if ask else None, self.round, len(answered), expected, self.paused)

    @property
    def can_advance(self) -> bool:
        return self.phase is not Phase.ENDED and not self.paused

    @property
    def can_discuss(self) -> bool:
        return self.phase is Phase.CLOSED and not self.paused

    def revealed_numbers(self) -> tuple[int, ...]:
        return tuple(sorted(self._sent))

    def frame(self) -> Frame:
        """What the host's screen shows: the current ask or step as solo replay shows it, or a step looked back at."""
        if self.showing is None:
            return self.replay.view().frame
        now = self.replay.cursor
        self.replay.go(self.showing)
        try:
            return self.replay.view().frame
        finally:
            self.replay.go(now)

    def step_of(self, number: int) -> AnyStep:
        return self.lesson.steps[number - 1]

    # -- seats

    def join(self, name: str) -> tuple[Seat, list[Outgoing]]:
        """A new participant; raises SessionError when the group is full."""
        if len(self.seats) >= MAX_SEATS:
            raise SessionError(f"the group is full ({MAX_SEATS} seats)")
        shown = one_line(name, limit=MAX_NAME_CHARS)
        taken = {seat.name.casefold() for seat in self.seats.values()}
        unique, count = shown, 1
        while unique.casefold() in taken:
            count += 1
            unique = f"{shown} ({count})"
        seat = Seat(id=f"p{len(self.seats) + 1}", name=unique, secret=secrets.token_urlsafe(16))
        self.seats[seat.id] = seat
        return seat, self._catch_up(seat) + [(EVERYONE, says.state(self.state()))]

    def seat_for(self, secret: str) -> Seat | None:
        """The seat a rejoin secret names (compared in constant time)."""
        found = None
        for seat in self.seats.values():
            if hmac.compare_digest(seat.secret.encode("utf-8"), secret.encode("utf-8")):
                found = seat
        return found

    def rejoin(self, seat_id: str) -> list[Outgoing]:
        """The participant takes their seat back: everything they need to pick up where the group is."""
        seat = self.seats[seat_id]
        seat.connected, seat.gone = True, False
        return self._catch_up(seat) + [(EVERYONE, says.state(self.state()))]

    def disconnected(self, seat_id: str, *, left: bool) -> list[Outgoing]:
        """The seat's connection is gone: dropped (it may rejoin) or `left` with a bye."""
        seat = self.seats.get(seat_id)
        if seat is None:
            return []
        seat.connected = False
        seat.gone = seat.gone or left
        return [(EVERYONE, says.state(self.state()))]

    def _catch_up(self, seat: Seat) -> list[Outgoing]:
        """Welcome, the steps revealed so far, the ask being played, its spreads, whether this seat answered it (the state comes next)."""
        out: list[Outgoing] = [(seat.id, says.welcome(seat.id, seat.secret, self.info, self.min_group))]
        out += [(seat.id, {"type": "reveal", "step": number, "content": self._sent[number]}) for number in sorted(self._sent)]
        ask = self.current
        if ask is not None:
            if not ask.revealed:
                out.append((seat.id, says.ask(ask.number, ask.frame)))
            out += [(seat.id, says.distribution(ask.spreads[r])) for r in sorted(ask.spreads)]
            round_ = self.round
            if round_ is not None and seat.id in ask.answers.get(round_, {}):
                out.append((seat.id, says.received(ask.number, round_)))
        return out  # the state follows, to everyone: this seat's arrival changes the count

    # -- answers

    def answer(self, seat_id: str, message: AnswerMessage) -> list[Outgoing]:
        """One answer: `received` (and everyone's count moves) or `refused` with why."""
        reason = self._refusal(seat_id, message)
        if reason is not None:
            return [(seat_id, says.refused(message.step, message.round, reason))]
        ask = self.current
        assert ask is not None
        ask.answers[message.round][seat_id] = message.answer
        return [(seat_id, says.received(message.step, message.round)), (EVERYONE, says.state(self.state()))]

    def _refusal(self, seat_id: str, message: AnswerMessage) -> str | None:
        ask, round_ = self.current, self.round
        if ask is None or ask.number != message.step or round_ != message.round or ask.revealed:
            return "not the question being asked now"
        if not self.phase.accepts_answers:
            return "this round is closed"
        if self.paused:
            return "paused: the host will resume"
        if seat_id in ask.answers.get(round_, {}):
            return "you answered this round already"
        return fits(ask.frame, message.answer)

    # -- the host's moves

    def advance(self) -> list[Outgoing]:
        """`space`: the next phase in the fixed order."""
        if not self.can_advance:
            raise SessionError("paused" if self.paused else "the session has ended")
        self.showing = None
        if self.phase in (Phase.LOBBY, Phase.REVEALED):
            return self._next_ask()
        if self.phase is Phase.OPEN:
            return self._close(1, Phase.CLOSED)
        if self.phase is Phase.DISCUSS:
            return self._open(Phase.REVOTE_OPEN, 2)
        if self.phase is Phase.REVOTE_OPEN:
            return self._close(2, Phase.REVOTE_CLOSED)
        return self._reveal()  # closed, revote-closed

    def discuss(self) -> list[Outgoing]:
        """`d` after closing: a discussion, then a revote."""
        if not self.can_discuss:
            raise SessionError("a discussion starts only after the first vote closes")
        self.phase = Phase.DISCUSS
        return [(EVERYONE, says.state(self.state()))]

    def toggle_pause(self) -> list[Outgoing]:
        if self.phase is Phase.ENDED:
            raise SessionError("the session has ended")
        self.paused = not self.paused
        return [(EVERYONE, says.state(self.state()))]

    def end(self) -> list[Outgoing]:
        """`e`: the session ends where it is; steps not revealed stay hidden."""
        if self.phase is Phase.ENDED:
            return []
        self.phase, self.paused, self.showing = Phase.ENDED, False, None
        return [(EVERYONE, says.state(self.state()))]

    def show(self, number: int | None) -> None:
        """`b`: look at a revealed step on the host's screen (None: back to now). Participants are not moved."""
        if number is not None and number not in self._sent:
            raise SessionError(f"step {number} has not been revealed")
        self.showing = number

    # -- phases

    def _next_ask(self) -> list[Outgoing]:
        """Reveal the steps up to the next ask and open it; after the last step, end."""
        steps = len(self.lesson.steps)
        while self.replay.cursor < steps:
            self.replay.next()
            if self.replay.awaiting_answer():
                frame = self.replay.view().frame
                assert isinstance(frame, AskFrame)
                self.played.append(PlayedAsk(frame.number, self.lesson.steps[frame.number - 1].id, frame))
                return self._reveals() + self._open(Phase.OPEN, 1)
        out = self._reveals()
        self.phase = Phase.ENDED
        return out + [(EVERYONE, says.state(self.state()))]

    def _open(self, phase: Phase, round_: int) -> list[Outgoing]:
        ask = self.played[-1]
        ask.answers.setdefault(round_, {})
        self.phase = phase
        return [(EVERYONE, says.ask(ask.number, ask.frame)), (EVERYONE, says.state(self.state()))]

    def _close(self, round_: int, phase: Phase) -> list[Outgoing]:
        ask = self.played[-1]
        spread = distribution(ask.number, round_, ask.frame.ask_type, ask.answers[round_].values(), self.min_group, len(ask.frame.options))
        ask.spreads[round_] = spread
        self.phase = phase
        return [(EVERYONE, says.distribution(spread)), (EVERYONE, says.state(self.state()))]

    def _reveal(self) -> list[Outgoing]:
        ask = self.played[-1]
        self.replay.skip()  # the engine reveals the step (and an agent step's note held back for it)
        ask.revealed = True
        self.phase = Phase.REVEALED
        return self._reveals() + [(EVERYONE, says.state(self.state()))]

    def _reveals(self) -> list[Outgoing]:
        """A `reveal` for each step the engine now shows that was not sent, in order; then for each sent
        with less (an agent step's note, held back while the intervene ask judging it was open)."""
        new: list[Outgoing] = []
        more: list[Outgoing] = []
        for entry in self.replay.view().timeline:
            message = says.reveal(entry.number, entry.step)
            before = self._sent.get(entry.number)
            if before != message["content"]:
                self._sent[entry.number] = message["content"]
                (new if before is None else more).append((EVERYONE, message))
        return new + more

    # -- the record

    def tally(self, *, handle: str, session: str, started: str, finished: str | None) -> TallyFile:
        """The session's tally file (`tutor.team.tallies`): each revealed ask's rounds with their full
        counts (a reader hides small groups, as the host's screen does), no one's answer."""
        asks = []
        for ask in self.played:
            if not ask.revealed:
                continue
            rounds = []
            for number in sorted(ask.spreads):
                spread = distribution(ask.number, number, ask.frame.ask_type, ask.answers[number].values(), 0, len(ask.frame.options))
                rounds.append(TallyRound(round=number, n=spread.n, counts=dict(spread.counts or ())))
            asks.append(TallyAsk(step=ask.step_id, type=ask.frame.ask_type, rounds=tuple(rounds)))
        return TallyFile(
            lesson=self.info.id,
            digest=self.info.digest,
            handle=handle,
            session=session,
            mode=TallyMode.HOSTED,
            started=started,
            finished=finished,
            participants=len(self.seats),
            asks=tuple(asks),
        )


def fits(frame: AskFrame, answer: Answer) -> str | None:
    """Why `answer` cannot answer this ask (its type, an option that does not exist); None when it can.

    Judged from the ask frame alone: the hidden step (and its id) must not shape a refusal.
    """
    if answer.type is not frame.ask_type:
        return f"{_a(answer.type.value)} answer to {_a(frame.ask_type.value)} question"
    if isinstance(answer, ChoiceAnswer) and not 0 <= answer.index < len(frame.options):
        return f"option {answer.index} does not exist (0 to {len(frame.options) - 1})"
    return None


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"
