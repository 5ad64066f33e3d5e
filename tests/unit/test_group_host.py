"""A group replay on loopback: `GroupHost` with several in-process participants (`GroupClient`s and raw
sockets written from docs/group-replay.md). The order of states, late answers, hidden spreads, rejoining,
and every way a participant can misbehave dropped with a reason while the session goes on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.group_raw_client import RawParticipant
from tests.helpers.group_support import Changes, Relay, raw_answer, some_answer, spoiler_lesson_data, write_lesson
from tutor.learn import OutcomeAnswer
from tutor.services import group_host
from tutor.services.group_client import GroupClient, GroupError, GroupRefused
from tutor.services.group_host import GroupHost

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def lesson(tmp_path: Path) -> Path:
    return write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())


@asynccontextmanager
async def hosting(folder: Path, **options: Any) -> AsyncIterator[tuple[GroupHost, Changes]]:
    changes = Changes()
    host = GroupHost(folder, bind="127.0.0.1:0", on_change=changes, **options)
    await host.start()
    try:
        yield host, changes
    finally:
        await host.stop()


async def joined(code: str, name: str, changes: Changes, tmp_path: Path) -> GroupClient:
    client = GroupClient(code, name, on_change=changes, progress_folder=tmp_path / f"{name}-progress")
    await client.connect()
    return client


def triples(states: list[tuple[str, int | None, int | None]]) -> list[tuple[str, int | None, int | None]]:
    """The states with repeats of one phase, step and round (counts moving) taken out."""
    out: list[tuple[str, int | None, int | None]] = []
    for state in states:
        if not out or out[-1] != state:
            out.append(state)
    return out


async def answer_round(host: GroupHost, changes: Changes, clients: list[GroupClient], raws: list[RawParticipant]) -> None:
    """Everyone answers the round the host has open, once each sees it."""
    view = host.view
    where = (view.phase, view.step_number, view.round)
    await changes.until(lambda: all((c.view.phase, c.view.step_number, c.view.round) == where and c.view.ask is not None for c in clients), f"clients at {where}")
    for client in clients:
        await client.answer(some_answer(client.view.ask))
    for raw in raws:
        await raw.until(lambda me: me.state_is(*where), f"{raw.name} at {where}")
        ask = await raw.next_of("ask", step=view.step_number)
        reply = await raw.answer(view.step_number or 0, view.round or 0, raw_answer(ask["ask"]))
        assert reply["type"] == "received", reply
    await changes.until(lambda: host.view.answered == len(clients) + len(raws), "every answer in")


EXPECTED_ORDER = [
    ("lobby", None, None),
    ("open", 1, 1), ("closed", 1, 1), ("revealed", 1, 1),
    ("open", 4, 1), ("closed", 4, 1), ("revealed", 4, 1),
    ("open", 6, 1), ("closed", 6, 1), ("discuss", 6, 1), ("revote-open", 6, 2), ("revote-closed", 6, 2), ("revealed", 6, 2),
    ("open", 7, 1), ("closed", 7, 1), ("revealed", 7, 1),
    ("ended", None, None),
]


async def test_the_full_order_of_states_reaches_every_participant(lesson: Path, tmp_path: Path) -> None:
    async with hosting(lesson, min_group=1) as (host, changes):
        clients = [await joined(host.join_code, name, changes, tmp_path) for name in ("Ann", "Bob")]
        raw = RawParticipant(host.join_code, "Cy")
        assert (await raw.join())["type"] == "welcome"
        await changes.until(lambda: host.view.expected == 3, "three in the room")
        assert [p.name for p in host.view.participants] == ["Ann", "Bob", "Cy"]
        seen_by_clients: list[list[tuple[str, int | None, int | None]]] = [[], []]

        def note() -> None:
            for index, client in enumerate(clients):
                view = client.view
                seen_by_clients[index].append((view.phase, view.step_number, view.round))

        while host.view.phase != "ended":
            view = host.view
            if view.phase in ("open", "revote-open"):
                await answer_round(host, changes, clients, [raw])
                note()
            if view.phase == "closed" and view.step_number == 6:
                host.discuss()
            else:
                host.advance()
            target = (host.view.phase, host.view.step_number, host.view.round)
            await changes.until(lambda: all((c.view.phase, c.view.step_number, c.view.round) == target for c in clients), f"clients at {target}")
            note()
        await raw.until(lambda me: me.state_is("ended"), "the end")
        assert triples(raw.states()) == EXPECTED_ORDER
        for seen in seen_by_clients:
            assert triples(seen) == [state for state in EXPECTED_ORDER if state[0] != "lobby"]
        for client in clients:
            await client.leave()
        await raw.leave()


async def test_late_answers_are_refused_and_counts_only_are_shown_while_open(lesson: Path, tmp_path: Path) -> None:
    async with hosting(lesson, min_group=1) as (host, changes):
        ann = await joined(host.join_code, "Ann", changes, tmp_path)
        raw = RawParticipant(host.join_code, "Late")
        await raw.join()
        for _ in range(4):
            host.advance()  # step 4's outcome ask opens
        await raw.until(lambda me: me.state_is("open", 4, 1), "the outcome ask")
        await changes.until(lambda: ann.view.phase == "open" and ann.view.step_number == 4)
        await ann.answer(OutcomeAnswer(False))
        state = await raw.until(lambda me: me.last_state() if me.last_state()["answered"] == 1 else None, "one answer counted")
        assert set(state) == {"type", "phase", "step", "round", "answered", "expected", "paused"}  # a count, never a spread
        assert not [m for m in raw.received if m["type"] == "distribution" and m["step"] == 4]
        host.advance()
        await raw.until(lambda me: me.state_is("closed", 4, 1), "the close")
        reply = await raw.answer(4, 1, {"type": "outcome", "works": True})
        assert reply == {"type": "refused", "step": 4, "round": 1, "reason": "this round is closed"}
        assert host.view.first is not None and host.view.first.n == 1
        with pytest.raises(GroupError, match="no question is open"):
            await ann.answer(OutcomeAnswer(True))
        host.advance()
        await raw.until(lambda me: me.state_is("revealed", 4, 1), "the reveal")
        after = await raw.answer(4, 1, {"type": "outcome", "works": True})
        assert after["reason"] == "not the question being asked now"
        assert not raw.closed  # refused, not dropped
        await ann.leave()
        await raw.leave()


async def test_a_spread_below_the_minimum_group_is_hidden_from_everyone(lesson: Path, tmp_path: Path) -> None:
    async with hosting(lesson, min_group=3) as (host, changes):
        clients = [await joined(host.join_code, name, changes, tmp_path) for name in ("Ann", "Bob", "Cy")]
        watcher = RawParticipant(host.join_code, "Watcher")  # never answers
        await watcher.join()
        for _ in range(4):
            host.advance()
        await changes.until(lambda: all(c.view.step_number == 4 and c.view.phase == "open" for c in clients))
        for client in clients[:2]:
            await client.answer(OutcomeAnswer(False))
        host.advance()
        spread = await watcher.next_of("distribution", step=4, round=1)
        assert spread == {"type": "distribution", "step": 4, "round": 1, "counts": None, "n": 2}
        assert host.view.first is not None and host.view.first.hidden
        await changes.until(lambda: all(c.view.first is not None for c in clients), "the spread on every screen")
        assert all(c.view.first.hidden and c.view.first.n == 2 for c in clients)
        host.discuss()
        host.advance()
        await changes.until(lambda: all(c.view.phase == "revote-open" for c in clients))
        for client in clients:
            await client.answer(OutcomeAnswer(False))
        host.advance()
        revote = await watcher.next_of("distribution", step=4, round=2)
        assert revote["counts"] == {"fails": 3} and revote["n"] == 3
        assert host.view.second is not None and host.view.second.counts == (("fails", 3),) and host.view.first.hidden
        for client in clients:
            await client.leave()
        await watcher.leave()


async def test_a_participant_who_drops_rejoins_with_their_answers_kept(lesson: Path, tmp_path: Path) -> None:
    async with hosting(lesson, min_group=1) as (host, changes):
        relay = Relay(int(host.join_code.split(":")[1].split("/")[0]))
        await relay.start()
        ann = GroupClient(relay.code_for(host.join_code), "Ann", on_change=changes, progress_folder=tmp_path / "ann")
        await ann.connect()
        for _ in range(4):
            host.advance()
        await changes.until(lambda: ann.view.phase == "open" and ann.view.step_number == 4)
        await ann.answer(OutcomeAnswer(False))
        seat = ann.view.participant
        relay.links[0].cut()  # the network goes: no bye either way
        await changes.until(lambda: not ann.view.connected, "Ann's client to notice")
        await changes.until(lambda: ann.view.connected and len(relay.links) == 2, "Ann back through a new connection")
        assert ann.view.participant == seat and ann.view.answered  # the same seat, her answer still in
        assert [p.name for p in host.view.participants] == ["Ann"] and host.view.answered == 1
        assert any("connection was lost" in problem for problem in host.view.problems)
        host.advance()
        host.advance()
        await changes.until(lambda: ann.view.phase == "revealed" and "s4" in ann.view.grades, "her grade at the reveal")
        assert ann.view.grades["s4"].correct is True and ann.view.answers["s4"] == OutcomeAnswer(False, ann.view.answers["s4"].confidence)
        await ann.leave()
        await relay.stop()


async def test_a_raw_participant_takes_its_seat_back_with_its_secret(lesson: Path) -> None:
    async with hosting(lesson, min_group=1) as (host, changes):
        first = RawParticipant(host.join_code, "Dee")
        welcome = await first.join()
        host.advance()
        await first.until(lambda me: me.state_is("open", 1, 1))
        await first.answer(1, 1, {"type": "goal", "text": "make it pass"})
        first.drop()
        await changes.until(lambda: not host.view.participants[0].connected, "the host to see the drop")
        again = RawParticipant(host.join_code, "Dee")
        back = await again.join(rejoin=welcome["rejoin"])
        assert back["participant"] == welcome["participant"] and back["rejoin"] == welcome["rejoin"]
        await again.until(lambda me: me.state_is("open", 1, 1))
        kinds = [m["type"] for m in again.received]
        assert kinds[:4] == ["welcome", "ask", "received", "state"], kinds
        assert len(host.view.participants) == 1 and host.view.participants[0].connected
        stranger = RawParticipant(host.join_code, "Eve")
        assert (await stranger.join(rejoin="not-a-seat-secret"))["type"] == "bye"
        assert "not known" in await stranger.closed_with_bye()
        await again.leave()


# ---------------------------------------------------------------- misbehaving participants


ANSWER_LINE = json.dumps({"type": "answer", "step": 1, "round": 1, "answer": {"type": "goal", "text": "again"}, "confidence": "low"}).encode() + b"\n"


BAD_INPUTS: dict[str, tuple[Any, str]] = {
    # name: (what to send after a good hello, or a hello of its own; the reason's words)
    "not JSON": ([b"this is not json\n"], "not one JSON object"),
    "a blank line": ([b"\n"], "not one JSON object"),
    "not UTF-8": ([b'{"type": "answer", "step": 1, "text": "\xc3\x28"}\n'], "not UTF-8"),
    "an oversized line": ([b'{"type": "bye", "reason": "' + b"x" * 20_000 + b'"}\n'], "longer than 16,384 bytes"),
    "a host message": ([b'{"type": "state", "phase": "ended", "step": null, "round": null, "answered": 0, "expected": 0, "paused": false}\n'], 'not "state"'),
    "a reveal of its own": ([b'{"type": "reveal", "step": 1, "content": {"id": "s1", "kind": "note", "text": "fake"}}\n'], 'not "reveal"'),
    "a second hello": ("second hello", "a second hello"),
    "a flood": ([ANSWER_LINE] * 200, "flood"),  # well-formed, but 200 at once
    "an unknown type": ([b'{"type": "vote"}\n'], "unknown message type"),
    "a malformed answer": ([b'{"type": "answer", "step": 1, "round": 1, "answer": {"type": "outcome"}, "confidence": "low"}\n'], "works"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
async def test_a_participant_sending_what_it_may_not_is_dropped_with_a_reason_and_the_session_goes_on(case: str, lesson: Path, tmp_path: Path) -> None:
    sent, reason = BAD_INPUTS[case]
    async with hosting(lesson, min_group=1) as (host, changes):
        good = await joined(host.join_code, "Good", changes, tmp_path)
        bad = RawParticipant(host.join_code, "Bad")
        welcome = await bad.join()
        assert welcome["type"] == "welcome"
        host.advance()
        await bad.until(lambda me: me.state_is("open", 1, 1))
        if sent == "second hello":
            await bad.send({"type": "hello", "token": bad.token, "name": "Bad again"})
        else:
            await bad.send_raw(b"".join(sent))
        said = await bad.closed_with_bye()
        assert reason in said and "\n" not in said
        await changes.until(lambda: any(reason in problem for problem in host.view.problems), "a problem line on the host's screen")
        assert not host.view.participants[1].connected
        # The host is unhurt: the good participant answers, the round closes, the step is revealed.
        await changes.until(lambda: good.view.phase == "open")
        await good.answer(some_answer(good.view.ask))
        host.advance()
        host.advance()
        await changes.until(lambda: good.view.phase == "revealed" and good.view.connected)
        await good.leave()


@pytest.mark.parametrize(
    ("hello", "reason"),
    [
        ({"type": "hello", "token": "wrong-token-wrong-token", "name": "Mallory"}, "wrong token"),
        ({"type": "answer", "step": 1, "round": 1, "answer": {"type": "outcome", "works": True}, "confidence": "low"}, "first message must be a hello"),
        ({"type": "hello", "token": "x", "name": "Mallory", "role": "host"}, "unknown keys"),
        ({"type": "welcome"}, 'not "welcome"'),
    ],
)
async def test_a_connection_without_a_good_hello_is_dropped(hello: dict[str, Any], reason: str, lesson: Path) -> None:
    async with hosting(lesson) as (host, changes):
        raw = RawParticipant(host.join_code, "Mallory")
        await raw.open()
        await raw.send(hello)
        said = await raw.closed_with_bye()
        assert reason in said
        assert not [m for m in raw.received if m["type"] != "bye"]  # nothing of the lesson either
        assert host.view.participants == ()
        await changes.until(lambda: any(reason in problem for problem in host.view.problems))


async def test_a_connection_that_says_nothing_is_dropped_after_the_hello_time(lesson: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_host, "HELLO_SECONDS", 0.2)
    async with hosting(lesson) as (host, _):
        raw = RawParticipant(host.join_code, "Silent")
        await raw.open()
        await raw.send_raw(b'{"type": "hel')  # half a line: not a hello
        assert "no hello within" in await raw.closed_with_bye()


async def test_joining_with_a_bad_code_or_a_wrong_token_is_one_line(lesson: Path, tmp_path: Path) -> None:
    async with hosting(lesson) as (host, _):
        address, token = host.join_code.rsplit("/", 1)
        for code in ("nonsense", f"{address}/short"):
            with pytest.raises(GroupError, match="HOST:PORT/TOKEN"):
                await GroupClient(code, "Ann", progress_folder=tmp_path / "p").connect()
        with pytest.raises(GroupRefused, match="the host refused: wrong token") as refused:
            await GroupClient(f"{address}/{'A' * 22}", "Ann", progress_folder=tmp_path / "p").connect()
        assert "\n" not in str(refused.value)
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(GroupError, match="cannot reach the host"):
            await GroupClient(f"127.0.0.1:{port}/{token}", "Ann", progress_folder=tmp_path / "p").connect()


async def test_stopping_says_bye_to_everyone_and_saves_the_tallies(lesson: Path, tmp_path: Path, tutor_home: Path) -> None:
    async with hosting(lesson, min_group=1) as (host, changes):
        ann = await joined(host.join_code, "Ann", changes, tmp_path)
        raw = RawParticipant(host.join_code, "Raw")
        await raw.join()
        host.advance()
        await answer_round(host, changes, [ann], [raw])
        host.advance()
        host.advance()
        await changes.until(lambda: host.view.tally is not None, "the tally saved at the reveal")
        await host.stop()
        assert await raw.closed_with_bye() == "the host closed the session"
        await changes.until(lambda: ann.view.bye_reason is not None)
        assert ann.view.bye_reason == "the host closed the session" and not ann.view.connected and not ann.view.reconnecting
        tally = json.loads(host.view.tally.read_text(encoding="utf-8"))
        assert host.view.tally.is_relative_to(tutor_home / "tallies" / "group-spoilers")
        assert tally["mode"] == "hosted" and tally["finished"] is not None and tally["participants"] == 2
        assert tally["asks"] == [{"step": "s1", "type": "goal", "rounds": [{"round": 1, "n": 2, "counts": {}}]}]
        await ann.leave()


async def test_a_participant_that_reads_nothing_is_dropped_and_the_host_does_not_wait_on_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.setattr(group_host, "SEND_SECONDS", 0.5)
    notes = [{"id": f"n{index}", "kind": "note", "text": f"{index} " + "a long note " * 85_000} for index in range(10)]
    data = {
        "format": "tutor.lesson/1",
        "id": "long-notes",
        "title": "Long notes",
        "origin": "scripted",
        "task": "Read.",
        "steps": [*notes, {"id": "last", "kind": "note", "text": "Which?", "ask": {"type": "choice", "prompt": "Which?", "options": ["a", "b"], "answer": 0}}],
    }
    async with hosting(write_lesson(tmp_path / "long-notes", data), min_group=1) as (host, changes):
        good = await joined(host.join_code, "Good", changes, tmp_path)
        port = int(host.join_code.split(":")[1].split("/")[0])
        stuck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window, and nothing ever read from it
        try:
            stuck.connect(("127.0.0.1", port))
            stuck.sendall(json.dumps({"type": "hello", "token": host.join_code.rsplit("/", 1)[1], "name": "Stuck"}).encode() + b"\n")
            await changes.until(lambda: len(host.view.participants) == 2, "the stuck participant seated")
            host.advance()  # ten steps of about a megabyte each are revealed at once
            await changes.until(lambda: any("not reading what the host sends" in problem for problem in host.view.problems), "the stuck participant dropped")
            await changes.until(lambda: not host.view.participants[1].connected)
            await changes.until(lambda: good.view.phase == "open" and len(good.view.revealed) == 10, "the good participant has it all")
            await good.answer(some_answer(good.view.ask))
            host.advance()
            host.advance()
            await changes.until(lambda: good.view.phase == "revealed")
        finally:
            stuck.close()
        await good.leave()


async def test_in_a_team_the_spreads_follow_its_minimum_group_and_the_tallies_go_into_its_clone(lesson: Path, tmp_path: Path) -> None:
    from tutor.settings import TeamMembership
    from tutor.team import TeamConfig, write_team_config

    clone = tmp_path / "team"
    clone.mkdir()
    write_team_config(clone, TeamConfig(name="Platform", min_group=2))
    async with hosting(lesson, team=TeamMembership(clone, "m-abcdefgh", "Platform")) as (host, changes):
        assert host.view.min_group == 2  # the team's, as no --min-group was given
        raw = RawParticipant(host.join_code, "Ann")
        await raw.join()
        host.advance()
        await raw.until(lambda me: me.state_is("open", 1, 1))
        await raw.answer(1, 1, {"type": "goal", "text": "make it pass"})
        host.advance()
        assert (await raw.next_of("distribution", step=1))["counts"] is None  # one answer, fewer than two
        host.advance()
        await changes.until(lambda: host.view.tally is not None, "the tally saved at the reveal")
        assert host.view.tally.parent == clone / "tallies" / "group-spoilers" / host.session.info.digest[:12] / "m-abcdefgh"
        await raw.leave()
