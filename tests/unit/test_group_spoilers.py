"""Nothing of a hidden step leaves the host before its reveal: every byte the host sends each participant is
recorded (through a relay for Tutor's own clients, by the raw clients themselves) and searched for each hidden
step's distinctive text before that step's reveal. Late joiners, a drop and rejoin, and a revote included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.group_raw_client import RawParticipant
from tests.helpers.group_support import HIDDEN_TEXTS, NEVER_SENT, Changes, Relay, lines_of, raw_answer, some_answer, spoiler_lesson_data, spoilers_before_reveal, write_lesson
from tutor.services.group_client import GroupClient
from tutor.services.group_host import GroupHost

pytestmark = pytest.mark.timeout(120)


async def test_no_message_holds_a_hidden_step_before_its_reveal(tmp_path: Path) -> None:
    folder = write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    await host.start()
    relay = Relay(int(host.join_code.split(":")[1].split("/")[0]))
    await relay.start()
    clients = []
    for name in ("Ann", "Bob"):
        client = GroupClient(relay.code_for(host.join_code), name, on_change=changes, progress_folder=tmp_path / name)
        await client.connect()
        clients.append(client)
    cy = RawParticipant(host.join_code, "Cy")
    await cy.join()
    dee = RawParticipant(host.join_code, "Dee")
    dee_welcome = await dee.join()
    dee_again: RawParticipant | None = None
    late: RawParticipant | None = None
    raws = [cy, dee]

    async def everyone_answers() -> None:
        view = host.view
        where = (view.phase, view.step_number, view.round)
        await changes.until(lambda: all((c.view.phase, c.view.step_number, c.view.round) == where and c.view.ask is not None for c in clients))
        for client in clients:
            await client.answer(some_answer(client.view.ask, works=False, choice=1))
        for raw in raws:
            await raw.until(lambda me: me.state_is(*where))
            ask = await raw.next_of("ask", step=view.step_number)
            assert (await raw.answer(view.step_number or 0, view.round or 0, raw_answer(ask["ask"])))["type"] == "received"

    while host.view.phase != "ended":
        view = host.view
        if view.phase == "open" and view.step_number == 6 and dee_again is None:
            # Dee's network drops while the intervene ask is open; she takes her seat back.
            await dee.until(lambda me: me.state_is("open", 6, 1))
            dee.drop()
            await changes.until(lambda: not host.view.participants[3].connected)
            dee_again = RawParticipant(host.join_code, "Dee")
            await dee_again.join(rejoin=dee_welcome["rejoin"])
            raws = [cy, dee_again] + ([late] if late else [])
        if view.phase in ("open", "revote-open"):
            await everyone_answers()
        if view.phase == "revealed" and view.step_number == 4 and late is None:
            late = RawParticipant(host.join_code, "Late")  # joins once two asks were revealed
            await late.join()
            raws.append(late)
        if view.phase == "closed" and view.step_number == 6:
            host.discuss()
        else:
            host.advance()
    for raw in raws:
        await raw.until(lambda me: me.state_is("ended"), f"{raw.name} at the end")
    await changes.until(lambda: all(c.view.phase == "ended" for c in clients))
    await host.stop()
    for raw in raws:
        await raw.closed_with_bye()
    for client in clients:
        await client.leave()
    await relay.stop()

    assert late is not None and dee_again is not None
    recordings = {f"{client.name} (through the relay)": bytes(link.from_host) for client, link in zip(clients, relay.links, strict=True)}
    recordings |= {"Cy": bytes(cy.wire), "Dee before her drop": bytes(dee.wire), "Dee after rejoining": bytes(dee_again.wire), "Late": bytes(late.wire)}
    for who, recorded in recordings.items():
        assert lines_of(recorded), who
        assert spoilers_before_reveal(recorded) == [], who
        assert NEVER_SENT.encode() not in recorded, who
    # The check can fail: everyone present at a reveal was sent its text then, and the latecomers in their catch-up.
    for who in ("Ann (through the relay)", "Bob (through the relay)", "Cy", "Late", "Dee after rejoining"):
        missing = [hidden for hidden in HIDDEN_TEXTS if hidden.encode() not in recordings[who]]
        assert missing == [], who
    assert "NOTE-HIDDEN-5" not in recordings["Dee before her drop"].decode()  # she left before its time
    # Tutor's own clients saw every step in the end, graded where they answered.
    for client in clients:
        assert [frame.number for frame in client.view.revealed] == list(range(1, 9))
        assert set(client.view.grades) == {"s1", "s4", "correction-id-hidden-six", "s8"}
