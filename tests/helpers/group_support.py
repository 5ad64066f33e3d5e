"""Group replays in tests: lessons with distinctive hidden text, waiting on changes, and a relay that records the wire.

Everything listens and connects on 127.0.0.1 only. Nothing here sleeps for a fixed time: a wait
is on a condition, woken by the services' `on_change` or by bytes arriving, with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.lesson import save_lesson
from tutor.lesson.io import load_lesson
from tutor.paths import bundled_curricula_dir

STEERING = bundled_curricula_dir() / "steering-101"
WAIT_SECONDS = 15.0


class Changes:
    """One wake-up for every service in a test: pass it as `on_change`, then `await changes.until(...)`."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def __call__(self) -> None:
        self._event.set()

    async def until(self, predicate: Callable[[], object], what: str = "", timeout: float = WAIT_SECONDS) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout:g}s waiting for {what or 'a condition'}")
            self._event.clear()
            if predicate():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), left)


# ---------------------------------------------------------------- a lesson whose every hidden field says so


# Each distinctive text, and the learner's step number whose reveal is the first message allowed to hold it.
# Step 5's note waits for step 6 (the intervene ask judging its proposal): solo replay holds it back too.
HIDDEN_TEXTS: dict[str, int] = {
    "GOAL-TEXT-HIDDEN-1": 1,
    "CRITERION-HIDDEN-1": 1,
    "RUBRIC-HIDDEN-1": 1,
    "NOTE-HIDDEN-1": 1,
    "PROMPT-TEXT-HIDDEN-2": 2,
    "AGENT-TEXT-HIDDEN-3": 3,
    "OUTPUT-HIDDEN-4": 4,
    "NOTE-HIDDEN-4": 4,
    "AGENT-TEXT-HIDDEN-5": 5,
    "NOTE-HIDDEN-5": 6,
    "correction-id-hidden-six": 6,
    "TEXT-HIDDEN-6": 6,
    "WHY-HIDDEN-6": 6,
    "NOTE-HIDDEN-6": 6,
    "POINT-HIDDEN-6": 6,
    "ACCEPT-WHY-HIDDEN-6": 6,
    "TEXT-HIDDEN-7": 7,
    "EXPLAIN-HIDDEN-7": 7,
    "TAIL-TEXT-HIDDEN-8": 8,
}
NEVER_SENT = "NEVER-SENT-HIDDEN-STEP"  # a step hidden from learners (`hidden: true`): no message ever holds it
# The learner's step numbers of the asks, and their types.
SPOILER_ASKS = {1: "goal", 4: "outcome", 6: "intervene", 7: "choice"}


def spoiler_lesson_data() -> dict[str, Any]:
    """A small lesson of every ask type whose every field a learner must not see early holds a distinctive text."""
    return {
        "format": "tutor.lesson/1",
        "id": "group-spoilers",
        "title": "Group spoilers",
        "origin": "scripted",
        "task": "Fix the coupon bug without touching the tests.",
        "steps": [
            {
                "id": "s1",
                "kind": "goal",
                "text": "GOAL-TEXT-HIDDEN-1: make test_coupon pass.",
                "criteria": ["CRITERION-HIDDEN-1"],
                "annotation": "NOTE-HIDDEN-1",
                "ask": {"type": "goal", "prompt": "What goal would you give the agent?", "rubric": ["RUBRIC-HIDDEN-1"]},
            },
            {"id": "s2", "kind": "prompt", "text": "PROMPT-TEXT-HIDDEN-2: fix the coupon bug."},
            {"id": "s3", "kind": "agent", "text": "AGENT-TEXT-HIDDEN-3: reproducing first.", "calls": [{"id": "c1", "tool": "run", "input": {"command": "pytest -q"}}]},
            {
                "id": "s4",
                "kind": "result",
                "call": "c1",
                "ok": False,
                "exit_code": 1,
                "output": "OUTPUT-HIDDEN-4: 1 failed, 11 passed",
                "annotation": "NOTE-HIDDEN-4",
                "ask": {"type": "outcome"},
            },
            {
                "id": "s5",
                "kind": "agent",
                "text": "AGENT-TEXT-HIDDEN-5: I'll update the expected value in the test.",
                "calls": [{"id": "c2", "tool": "edit", "input": {"path": "tests/test_totals.py"}}],
                "annotation": "NOTE-HIDDEN-5",
            },
            {
                "id": "correction-id-hidden-six",
                "kind": "correction",
                "category": "test",
                "text": "TEXT-HIDDEN-6: stop, the test is the requirement.",
                "why": "WHY-HIDDEN-6",
                "annotation": "NOTE-HIDDEN-6",
                "ask": {
                    "type": "intervene",
                    "key_points": ["POINT-HIDDEN-6"],
                    "accept": [{"intervene": True, "category": "verify", "why": "ACCEPT-WHY-HIDDEN-6"}],
                },
            },
            {"id": "s7", "kind": "note", "hidden": True, "text": NEVER_SENT},
            {
                "id": "s8",
                "kind": "note",
                "text": "TEXT-HIDDEN-7: what was wrong.",
                "ask": {"type": "choice", "prompt": "What was wrong?", "options": ["nothing", "the code", "the test"], "answer": 1, "explain": "EXPLAIN-HIDDEN-7"},
            },
            {"id": "s9", "kind": "note", "text": "TAIL-TEXT-HIDDEN-8: wrap-up."},
        ],
    }


def write_lesson(folder: Path, data: dict[str, Any]) -> Path:
    """Write `data` as a lesson folder and check it reads back as a valid lesson."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lesson.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    lesson = load_lesson(folder)  # raises on a lesson the format refuses
    save_lesson(lesson, folder)
    return folder


# ---------------------------------------------------------------- a relay that records what the host sends


@dataclass
class RelayedLink:
    """One client's connection through the relay, and every byte the host sent it."""

    to_host: asyncio.StreamWriter
    to_client: asyncio.StreamWriter
    from_host: bytearray = field(default_factory=bytearray)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def cut(self) -> None:
        """Drop the connection as a network would: both sides closed at once, no bye."""
        for writer in (self.to_host, self.to_client):
            writer.transport.abort()


class Relay:
    """A TCP relay in front of a host on 127.0.0.1: each client connection is one `RelayedLink`, recorded."""

    def __init__(self, host_port: int) -> None:
        self.host_port = host_port
        self.links: list[RelayedLink] = []
        self.received = Changes()  # woken whenever bytes pass
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def code_for(self, host_code: str) -> str:
        """The host's join code, pointing at the relay."""
        port = self._server.sockets[0].getsockname()[1] if self._server else 0
        token = host_code.rsplit("/", 1)[1]
        return f"127.0.0.1:{port}/{token}"

    @property
    def recorded(self) -> bytes:
        return b"".join(bytes(link.from_host) for link in self.links)

    async def _link(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        host_reader, host_writer = await asyncio.open_connection("127.0.0.1", self.host_port)
        link = RelayedLink(host_writer, client_writer)
        self.links.append(link)
        link.tasks = [
            asyncio.ensure_future(self._pump(client_reader, host_writer, None)),
            asyncio.ensure_future(self._pump(host_reader, client_writer, link.from_host)),
        ]
        await asyncio.gather(*link.tasks, return_exceptions=True)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: bytearray | None) -> None:
        try:
            while chunk := await reader.read(65536):
                if record is not None:
                    record.extend(chunk)
                writer.write(chunk)
                await writer.drain()
                self.received()
        except (OSError, ConnectionError):
            pass
        finally:
            writer.close()
            self.received()

    async def stop(self) -> None:
        for link in self.links:
            link.cut()
            await asyncio.gather(*link.tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()


def lines_of(recorded: bytes) -> list[dict[str, Any]]:
    """Each line a host sent, decoded."""
    return [json.loads(line) for line in recorded.split(b"\n") if line.strip()]


def spoilers_before_reveal(recorded: bytes) -> list[str]:
    """Each hidden text found in a line sent before the reveal allowed to carry it (empty: none)."""
    found = []
    allowed: set[int] = set()  # step numbers revealed so far
    for raw in recorded.split(b"\n"):
        if not raw.strip():
            continue
        message = json.loads(raw)
        if message.get("type") == "reveal":
            allowed.add(message["step"])
        text = raw.decode("utf-8")
        if NEVER_SENT in text:
            found.append(f"{NEVER_SENT} in a {message.get('type')}")
        found += [f"{hidden} in a {message.get('type')} before step {owner}'s reveal" for hidden, owner in HIDDEN_TEXTS.items() if hidden in text and owner not in allowed]
    return found


# ---------------------------------------------------------------- a host and participants in one test


def some_answer(frame: Any, *, works: bool = True, choice: int = 0, intervene: bool = True) -> Any:
    """A valid answer to an ask frame (`tutor.learn.AskFrame`), of the kind the test wants."""
    from tutor.learn import ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer
    from tutor.lesson import AskType, Category, Confidence

    if frame.ask_type is AskType.OUTCOME:
        return OutcomeAnswer(works, Confidence.HIGH)
    if frame.ask_type is AskType.CHOICE:
        return ChoiceAnswer(choice, Confidence.MEDIUM)
    if frame.ask_type is AskType.GOAL:
        return GoalAnswer("Make test_coupon pass; touch only ledger/totals.py and run the suite.", Confidence.LOW)
    return InterveneAnswer(intervene, Category.TEST if intervene else None, "the test is the requirement" if intervene else "", Confidence.HIGH)


def raw_answer(ask: dict[str, Any]) -> dict[str, Any]:
    """A valid answer object (docs/group-replay.md) to an `ask` object."""
    kind = ask["type"]
    if kind == "outcome":
        return {"type": "outcome", "works": False}
    if kind == "choice":
        return {"type": "choice", "choice": len(ask["options"]) - 1}
    if kind == "goal":
        return {"type": "goal", "text": "Make the failing test pass without editing tests."}
    return {"type": "intervene", "intervene": True, "category": "verify", "text": "run it first"}
