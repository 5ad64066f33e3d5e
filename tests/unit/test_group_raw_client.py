"""A bundled lesson played by participants written from docs/group-replay.md alone (raw sockets and JSON),
as the outside checker will: every message has the documented shape, every documented answer is taken, the
labels are the documented ones, and a step too long for a line arrives cut with a note."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.group_raw_client import HOST_LINE_LIMIT, RawParticipant
from tests.helpers.group_support import STEERING, Changes, write_lesson
from tutor.services.group_host import GroupHost

pytestmark = pytest.mark.timeout(120)

STATE_KEYS = {"type", "phase", "step", "round", "answered", "expected", "paused"}
PHASES = {"lobby", "open", "closed", "discuss", "revote-open", "revote-closed", "revealed", "ended"}
CATEGORIES = {"goal", "scope", "approach", "verify", "test", "correctness", "fact", "safety", "stop", "style"}


def documented_label(ask_type: str, label: str, options: int) -> bool:
    if ask_type == "outcome":
        return label in ("works", "fails")
    if ask_type == "choice":
        return re.fullmatch(r"option (0|[1-9][0-9]*)", label) is not None and int(label.split()[1]) < options
    if ask_type == "intervene":
        return label in ("let it run", "step in") or (label.startswith("step in: ") and label[len("step in: "):] in CATEGORIES)
    return False


def check_shape(message: dict[str, Any], asks: dict[int, dict[str, Any]]) -> None:
    """Each host message as the document describes it."""
    kind = message["type"]
    if kind == "welcome":
        assert message["protocol"] == "tutor.group/1"
        assert isinstance(message["participant"], str) and 1 <= len(message["participant"]) <= 40
        assert isinstance(message["rejoin"], str) and len(message["rejoin"]) <= 64
        lesson = message["lesson"]
        assert {"id", "title", "task", "digest", "steps"} <= set(lesson) and re.fullmatch(r"[0-9a-f]{64}", lesson["digest"])
        assert isinstance(lesson["steps"], int) and lesson["steps"] >= 1 and isinstance(message["min_group"], int)
    elif kind == "state":
        assert set(message) == STATE_KEYS and message["phase"] in PHASES and isinstance(message["paused"], bool)
        if message["phase"] in ("lobby", "ended"):
            assert message["step"] is None and message["round"] is None
        else:
            assert message["round"] in (1, 2) and message["step"] >= 1
        assert 0 <= message["answered"] and 0 <= message["expected"]
    elif kind == "ask":
        ask = message["ask"]
        assert set(ask) == {"number", "type", "prompt", "options", "proposal", "call", "categories"}
        assert ask["number"] == message["step"] and ask["type"] in ("goal", "outcome", "intervene", "choice")
        assert (len(ask["options"]) >= 2) == (ask["type"] == "choice")
        assert (ask["proposal"] is not None) == (ask["type"] == "intervene") and (ask["call"] is not None) == (ask["type"] == "outcome")
        assert (set(ask["categories"]) == CATEGORIES) == (ask["type"] == "intervene")
        if ask["proposal"] is not None:
            assert ask["proposal"]["kind"] == "agent" and "annotation" not in ask["proposal"]
        asks[message["step"]] = ask
    elif kind == "distribution":
        assert message["round"] in (1, 2) and isinstance(message["n"], int)
        ask = asks[message["step"]]
        counts = message["counts"]
        if counts is not None:
            if ask["type"] == "goal":
                assert counts == {}
            else:
                assert all(documented_label(ask["type"], label, len(ask["options"])) and count >= 1 for label, count in counts.items())
                assert sum(counts.values()) == message["n"]
    elif kind == "reveal":
        assert {"id", "kind"} <= set(message["content"]) and message["step"] >= 1
    elif kind in ("received", "refused"):
        assert message["round"] in (1, 2)
    else:
        assert kind == "bye" and isinstance(message["reason"], str)


# Answers in every documented form, by ask type: each participant gives a different one.
ANSWERS = {
    "goal": [{"type": "goal", "text": "Make the failing test pass; only touch the code, not the tests."}] * 3,
    "outcome": [{"type": "outcome", "works": True}, {"type": "outcome", "works": False}, {"type": "outcome", "works": False, "confidence": "low"}],
    "intervene": [
        {"type": "intervene", "intervene": True, "category": "test", "text": "the test encodes the requirement"},
        {"type": "intervene", "intervene": False},
        {"type": "intervene", "intervene": True},
    ],
    "choice": [{"type": "choice", "choice": 0}, {"type": "choice", "index": 1}, {"type": "choice", "choice": 1}],
}


async def test_a_client_written_from_the_document_plays_a_bundled_lesson_to_the_end() -> None:
    changes = Changes()
    host = GroupHost(STEERING / "tests-that-lie", min_group=3, on_change=changes)
    code = await host.start()
    people = [RawParticipant(code, name) for name in ("Ann", "Bob", "Cy")]
    for person in people:
        assert (await person.join())["type"] == "welcome"
    await changes.until(lambda: host.view.expected == 3)
    revoted = False
    while host.view.phase != "ended":
        view = host.view
        if view.phase in ("open", "revote-open"):
            for index, person in enumerate(people):
                await person.until(lambda me: me.state_is(view.phase, view.step_number, view.round))
                ask = (await person.next_of("ask", step=view.step_number))["ask"]
                reply = await person.answer(view.step_number or 0, view.round or 0, ANSWERS[ask["type"]][index], "high")
                assert reply == {"type": "received", "step": view.step_number, "round": view.round}
        if view.phase == "closed" and not revoted and host.view.frame.ask_type.value == "intervene":
            host.discuss()
            revoted = True
        else:
            host.advance()
    for person in people:
        await person.until(lambda me: me.state_is("ended"))
    await host.stop()
    for person in people:
        assert await person.closed_with_bye() == "the host closed the session"
        asks: dict[int, dict[str, Any]] = {}
        for message in person.received:
            check_shape(message, asks)
        assert {ask["type"] for ask in asks.values()} == {"goal", "outcome", "intervene", "choice"}
        spreads = [m for m in person.received if m["type"] == "distribution"]
        assert any(m["round"] == 2 for m in spreads) and all(m["n"] == 3 and m["counts"] is not None for m in spreads)
        revealed = [m["step"] for m in person.received if m["type"] == "reveal"]
        assert sorted(set(revealed)) == list(range(1, person.welcome["lesson"]["steps"] + 1))
    assert revoted


async def test_a_step_too_long_for_a_line_arrives_cut_with_a_note(tmp_path: Path) -> None:
    data = {
        "format": "tutor.lesson/1",
        "id": "long-output",
        "title": "A long log",
        "origin": "scripted",
        "task": "Read the log.",
        "steps": [
            {"id": "s1", "kind": "agent", "text": "Running it.", "calls": [{"id": "c1", "tool": "run", "input": {"command": "make"}}]},
            {"id": "s2", "kind": "result", "call": "c1", "ok": True, "output": "log line\n" * 250_000, "annotation": "short and whole", "ask": {"type": "outcome"}},
        ],
    }
    host = GroupHost(write_lesson(tmp_path / "long-output", data), min_group=1)
    code = await host.start()
    person = RawParticipant(code, "Ann")
    await person.join()
    host.advance()
    await person.until(lambda me: me.state_is("open", 2, 1))
    await person.answer(2, 1, {"type": "outcome", "works": True})
    host.advance()
    host.advance()
    reveal = await person.next_of("reveal", step=2)
    assert reveal["content"]["annotation"] == "short and whole" and reveal["content"]["ok"] is True
    assert "more characters in the lesson itself" in reveal["content"]["output"]
    assert max(len(line) + 1 for line in bytes(person.wire).split(b"\n")) <= HOST_LINE_LIMIT
    await host.stop()
    await person.closed_with_bye()
