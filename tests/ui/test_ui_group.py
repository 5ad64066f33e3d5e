"""The group replay's screens under Pilot, each with a real session on loopback: the host's screen
(`tutor host`) with in-process participants, and a participant's screen (`tutor join`) with a host
driven by the test. While a round is open only "N of M answered" shows, a closed round's spread
shows (hidden below the minimum group), a revote's beside the first, the reveal is the senior's
step (with the participant's own grade on their screen), and the end; a participant's typed draft
survives its round closing, and a dropped connection is said and taken back. SVG snapshots of both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.widgets import RadioSet, TextArea

from tests.helpers.group_gate import Gate
from tests.helpers.group_support import Changes, some_answer, spoiler_lesson_data, write_lesson
from tests.helpers.ui_support import dom_text, screen_text, squash, type_fast, wait_for_text, wait_until
from tutor.cli import make_app
from tutor.learn import OutcomeAnswer
from tutor.lesson import Confidence
from tutor.services.group_client import GroupClient
from tutor.services.group_host import GroupHost
from tutor.ui.widgets.form_rows import FormActions
from tutor.ui.screens.confirm import Confirm
from tutor.ui.screens.group_join import GroupJoinScreen
from tutor.ui.start import ChangeRelay, HostStart, JoinStart
from tutor.ui.widgets.ask_panel import AskPanel
from tutor.ui.widgets.grade_panel import GradePanel
from tutor.ui.widgets.point_check import PointCheck

pytestmark = pytest.mark.timeout(120)

SIZE = (110, 40)
SPREAD = "How the room answered"


@pytest.fixture
def lesson(tmp_path: Path) -> Path:
    """Steps 1 (goal), 4 (outcome: it fails), 6 (intervene: the senior stepped in, `test`) and 7 (choice) ask."""
    return write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())


@asynccontextmanager
async def hosted(lesson: Path, **options: Any) -> AsyncIterator[tuple[GroupHost, ChangeRelay]]:
    relay = ChangeRelay()
    host = GroupHost(lesson, on_change=relay, **options)
    await host.start()
    try:
        yield host, relay
    finally:
        await host.stop()


async def joined(code: str, name: str, changes: Any, tmp_path: Path) -> GroupClient:
    client = GroupClient(code, name, on_change=changes, progress_folder=tmp_path / f"{name}-progress")
    await client.connect()
    return client


async def answer(client: GroupClient, changes: Changes, step: int, **kind: Any) -> None:
    """`client` answers the question at `step` once it has it (the kind of answer as `some_answer` takes it)."""
    await changes.until(lambda: client.view.ask is not None and client.view.step_number == step and client.view.phase in ("open", "revote-open"), f"{client.name} at step {step}")
    ask = client.view.ask
    assert ask is not None
    await client.answer(some_answer(ask, **kind))


async def wait_for_dom(pilot: Any, *texts: str, timeout: float = 10.0) -> None:
    """Wait until every one of `texts` is held by the screen's widgets (read from the DOM, not from a
    render: a render taken while a frame is swapped may meet a widget half removed)."""
    await wait_until(pilot, lambda: all(squash(text) in squash(dom_text(pilot.app)) for text in texts), " and ".join(map(repr, texts)), timeout)


async def shown(pilot: Any) -> str:
    """The terminal as drawn, once the app has drawn what it holds now."""
    await pilot.pause()
    return screen_text(pilot.app)


def line_with(screen: str, *texts: str) -> str | None:
    """The one screen line holding every one of `texts` (side by side), if there is one."""
    return next((line for line in screen.splitlines() if all(text in line for text in texts)), None)


async def test_the_host_screen_from_lobby_to_end(lesson: Path, tmp_path: Path) -> None:
    changes = Changes()
    async with hosted(lesson, min_group=2) as (host, relay):
        app = make_app(HostStart(host, relay))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_dom(pilot, "Join code:", host.join_code, "Waiting to start", "Group spoilers")
            ann = await joined(host.join_code, "Ann", changes, tmp_path)
            bob = await joined(host.join_code, "Bob", changes, tmp_path)
            await wait_for_dom(pilot, "In the room: 2", "● Ann", "● Bob")

            # The goal: open, with only how many answered; closed, with how many goals were written.
            await pilot.press("space")
            await wait_for_dom(pilot, "Step 1 of 8", "0 of 2 answered", "Set the goal")
            await answer(ann, changes, 1)
            await wait_for_dom(pilot, "1 of 2 answered")
            assert SPREAD not in dom_text(app)
            await answer(bob, changes, 1)
            await wait_for_dom(pilot, "2 of 2 answered")
            await pilot.press("space")
            await wait_for_dom(pilot, "Answers closed", "First vote: 2 goals written")
            await pilot.press("space")
            await wait_for_dom(pilot, "Revealed", "GOAL-TEXT-HIDDEN-1")

            # The outcome: a spread once closed, nothing of the hidden step before its reveal.
            await pilot.press("space")
            await wait_for_dom(pilot, "Step 4 of 8", "Predict the outcome", "0 of 2 answered")
            assert "OUTPUT-HIDDEN-4" not in dom_text(app)
            await answer(ann, changes, 4, works=True)
            await answer(bob, changes, 4, works=False)
            await wait_for_dom(pilot, "2 of 2 answered")
            assert SPREAD not in dom_text(app)  # never a spread while the round is open
            await pilot.press("space")
            await wait_for_dom(pilot, SPREAD, "First vote (2 answers)", "It works", "It fails")
            assert squash("It works ████████████████████████ 1 50%") in squash(await shown(pilot))

            # A discussion, then the revote: its spread only once closed, beside the first.
            await pilot.press("d")
            await wait_for_dom(pilot, "Discussion", "Talk to someone who answered differently")
            await pilot.press("space")
            await wait_for_dom(pilot, "Revote open", "0 of 2 answered (revote)")
            assert SPREAD not in dom_text(app)
            await answer(ann, changes, 4, works=False)
            await answer(bob, changes, 4, works=False)
            await wait_for_dom(pilot, "2 of 2 answered (revote)")
            await pilot.press("space")
            await wait_for_dom(pilot, "Revote closed", "the first vote beside the revote")
            screen = await shown(pilot)
            assert line_with(screen, "First vote (2 answers)", "Revote (2 answers)") is not None, screen
            fails = line_with(screen, "It fails")
            assert fails is not None and "1 50%" in fails and "2 100%" in fails, screen

            # The reveal: the senior's step, and which answer was theirs.
            await pilot.press("space")
            await wait_for_dom(pilot, "Revealed", "OUTPUT-HIDDEN-4", "✓ senior")
            senior = line_with(await shown(pilot), "✓ senior")
            assert senior is not None and "It fails" in senior

            # Looking back is the host's alone, and escape comes back.
            await pilot.press("b")
            await wait_for_dom(pilot, "Looking back at step 3", "AGENT-TEXT-HIDDEN-3")
            await pilot.press("escape")
            await wait_until(pilot, lambda: "Looking back" not in dom_text(app), "back to now")

            # Pause: no space while paused; then resume.
            await pilot.press("p")
            await wait_for_dom(pilot, "paused: no answers are taken")
            assert app.screen.check_action("advance", ("next",)) is False
            await pilot.press("p")
            await wait_until(pilot, lambda: "paused" not in dom_text(app), "resumed")

            # End, after saying yes; the tallies' file is named.
            await pilot.press("e")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "the question before ending")
            await pilot.press("y")
            await wait_for_dom(pilot, "The session has ended", "2 participants", "The room's counts are saved in")
            assert host.view.tally is not None and host.view.tally.is_file()
            await changes.until(lambda: ann.view.phase == "ended" and bob.view.phase == "ended", "the participants told")
            await pilot.press("q")
            await wait_until(pilot, lambda: not app.is_running, "the host to quit")
        for client in (ann, bob):
            await client.leave()


async def test_a_spread_below_the_minimum_group_is_hidden(lesson: Path, tmp_path: Path) -> None:
    changes = Changes()
    async with hosted(lesson, min_group=3) as (host, relay):
        app = make_app(HostStart(host, relay))
        async with app.run_test(size=SIZE) as pilot:
            ann = await joined(host.join_code, "Ann", changes, tmp_path)
            bob = await joined(host.join_code, "Bob", changes, tmp_path)
            await wait_for_dom(pilot, "In the room: 2")
            host.advance()  # the goal
            host.advance()
            host.advance()
            host.advance()  # the outcome opens
            await answer(ann, changes, 4, works=True)
            await answer(bob, changes, 4, works=False)
            await wait_for_dom(pilot, "Step 4 of 8", "2 of 2 answered")
            await pilot.press("space")
            await wait_for_dom(pilot, SPREAD, "First vote: hidden: 2 answers, fewer than 3")
            screen = await shown(pilot)
            assert "It works" not in screen and "█" not in screen
            await pilot.press("space")
            await wait_for_dom(pilot, "Revealed", "hidden: 2 answers, fewer than 3")
            assert "✓ senior" not in await shown(pilot)
        for client in (ann, bob):
            await client.leave()


async def test_the_host_screen_shows_names_as_plain_text(lesson: Path, tmp_path: Path) -> None:
    changes = Changes()
    async with hosted(lesson) as (host, relay):
        app = make_app(HostStart(host, relay))
        async with app.run_test(size=SIZE) as pilot:
            mallory = await joined(host.join_code, "[b]Mal[/b] \x1b[31mred", changes, tmp_path)
            await wait_for_dom(pilot, "[b]Mal[/b]")
            assert "\x1b" not in await shown(pilot)
            await mallory.leave()
            await wait_for_dom(pilot, "(left)")


# ---------------------------------------------------------------- a participant's screen


async def test_a_participant_answers_waits_and_sees_their_own_grade(lesson: Path, tmp_path: Path) -> None:
    changes = Changes()
    async with hosted(lesson, min_group=2) as (host, _):
        relay = ChangeRelay()
        ann = GroupClient(host.join_code, "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        bob = await joined(host.join_code, "Bob", changes, tmp_path)
        app = make_app(JoinStart(ann, relay))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_dom(pilot, "Connected as Ann", "Waiting for the host to open the first question")

            # The goal: typed into the form, sent, then "answered, waiting" with the room's count only.
            host.advance()
            await wait_until(pilot, lambda: isinstance(app.focused, TextArea), "the goal's field to take focus")
            assert not any(hidden in dom_text(app) for hidden in ("GOAL-TEXT-HIDDEN-1", "CRITERION-HIDDEN-1", "RUBRIC-HIDDEN-1"))
            await type_fast(pilot, "Make test_coupon pass, fix ledger/totals.py only, and run the suite")
            await pilot.press("ctrl+s")
            await wait_for_dom(pilot, "✓ Answered: waiting for the others", "1 of 2 answered")
            assert not app.screen.query(AskPanel)
            await answer(bob, changes, 1)
            await wait_for_dom(pilot, "2 of 2 answered")
            host.advance()
            await wait_for_dom(pilot, "Your answer is in", "First vote: 2 goals written")

            # The reveal: the senior's step with Ann's own grade; her own check of the senior's point.
            host.advance()
            await wait_until(pilot, lambda: isinstance(app.focused, PointCheck), "her own check, focused")
            assert "GOAL-TEXT-HIDDEN-1" in dom_text(app)
            await pilot.press("y", "enter")
            await wait_for_dom(pilot, "Goal score 100%", "your own check")
            assert ann.view.grades["s1"].score == 1.0

            # The outcome: what led to it above the question; her choice sent; the reveal grades it.
            host.advance()
            await wait_for_dom(pilot, "What happened since the last question", "Predict the outcome")
            assert "PROMPT-TEXT-HIDDEN-2" in dom_text(app) and "OUTPUT-HIDDEN-4" not in dom_text(app)
            await wait_until(pilot, lambda: isinstance(app.focused, RadioSet), "the outcome's choices to take focus")
            await pilot.press("enter", "3", "ctrl+s")  # it works, sure
            await wait_for_dom(pilot, "✓ Answered")
            await answer(bob, changes, 4, works=False)
            host.advance()
            await wait_for_dom(pilot, SPREAD, "It works", "It fails")
            host.advance()
            await wait_for_dom(pilot, "✗ Not what the senior did", "You predicted it works (high confidence)", "OUTPUT-HIDDEN-4", "✓ senior")
            assert len(app.screen.query(GradePanel)) == 1
        await ann.leave()
        await bob.leave()


async def test_an_own_check_left_at_the_reveal_is_offered_while_waiting_at_the_next_question(lesson: Path, tmp_path: Path) -> None:
    async with hosted(lesson, min_group=1) as (host, _):
        relay = ChangeRelay()
        ann = GroupClient(host.join_code, "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        app = make_app(JoinStart(ann, relay))
        async with app.run_test(size=SIZE) as pilot:
            host.advance()
            await wait_until(pilot, lambda: isinstance(app.focused, TextArea), "the goal's field to take focus")
            await type_fast(pilot, "Make test_coupon pass and run the whole suite")
            await pilot.press("ctrl+s")
            await wait_for_dom(pilot, "✓ Answered")
            host.advance()
            host.advance()  # revealed: her check is offered, and she does not mark it
            await wait_until(pilot, lambda: isinstance(app.focused, PointCheck), "her own check, focused")
            host.advance()  # the outcome opens before she marks anything
            await wait_until(pilot, lambda: isinstance(app.focused, RadioSet), "the outcome's choices to take focus")
            assert not app.screen.query(PointCheck)  # never over a form she is answering
            await pilot.press("enter", "ctrl+s")
            await wait_for_dom(pilot, "✓ Answered", "While you wait: your own check of an earlier answer is still due")
            await wait_until(pilot, lambda: isinstance(app.focused, PointCheck), "the check still due, focused")
            await pilot.press("y", "enter")
            await wait_until(pilot, lambda: not ann.view.grades["s1"].pending, "her marks recorded")
            await wait_until(pilot, lambda: not app.screen.query(PointCheck), "the check done with")
        await ann.leave()


async def test_an_agent_steps_note_held_back_for_its_ask_shows_at_that_asks_reveal(lesson: Path, tmp_path: Path) -> None:
    async with hosted(lesson, min_group=1) as (host, _):
        relay = ChangeRelay()
        ann = GroupClient(host.join_code, "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        app = make_app(JoinStart(ann, relay))
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(7):
                host.advance()  # past the goal and the outcome: the intervene ask at step 6 opens
            await wait_for_dom(pilot, "Let it run, or step in?", "AGENT-TEXT-HIDDEN-5")
            assert "NOTE-HIDDEN-5" not in dom_text(app)  # the note on the proposal would give the answer away
            host.advance()
            host.advance()
            await wait_for_dom(pilot, "TEXT-HIDDEN-6", "You did not answer this one", "NOTE-HIDDEN-5")
        await ann.leave()


async def test_a_draft_survives_its_round_closing_and_is_sent_in_the_revote(lesson: Path, tmp_path: Path) -> None:
    changes = Changes()
    async with hosted(lesson, min_group=1) as (host, _):
        relay = ChangeRelay()
        ann = GroupClient(host.join_code, "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        app = make_app(JoinStart(ann, relay))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_dom(pilot, "Waiting for the host")
            host.advance()
            await wait_until(pilot, lambda: isinstance(app.focused, TextArea), "the goal's field to take focus")
            field = app.focused
            assert isinstance(field, TextArea)
            await type_fast(pilot, "Fix the coupon code, keep every test")
            host.advance()  # the round closes while she types
            await wait_for_dom(pilot, "The answers closed before you sent yours: your text is kept above")
            assert field.is_mounted and field.text == "Fix the coupon code, keep every test"  # the very field, her text in it
            assert app.screen.query_one(FormActions).submit_off
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: any("closed" in str(note.message) for note in app._notifications), "why nothing was sent")  # noqa: SLF001
            assert ann.view.answered is False
            await pilot.press("a")  # still her field: typing goes on
            await wait_until(pilot, lambda: len(field.text) == len("Fix the coupon code, keep every test") + 1, "the key typed into her field")
            typed = field.text

            host.discuss()
            await wait_for_dom(pilot, "Talk to someone who answered differently")
            host.advance()  # the revote opens: her text is in the form again
            await wait_for_dom(pilot, "Revote open")
            await wait_until(pilot, lambda: isinstance(app.focused, TextArea) and app.focused.text == typed, "her text in the revote's form")
            await pilot.press("ctrl+s")
            await wait_for_dom(pilot, "✓ Answered")
            await changes.until(lambda: host.view.answered == 1, "the host to have her answer")
        await ann.leave()


async def test_a_dropped_connection_says_reconnecting_and_takes_the_seat_back(lesson: Path, tmp_path: Path) -> None:
    async with hosted(lesson, min_group=1) as (host, _):
        gate = Gate(host.join_code)
        relay = ChangeRelay()
        ann = GroupClient(await gate.start(), "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        app = make_app(JoinStart(ann, relay))
        try:
            async with app.run_test(size=SIZE) as pilot:
                for _ in range(4):
                    host.advance()  # the outcome opens
                await wait_for_dom(pilot, "Predict the outcome")
                await wait_until(pilot, lambda: isinstance(app.focused, RadioSet), "the outcome's choices to take focus")
                await pilot.press("enter")  # "it works", not sent yet
                gate.down()
                await wait_for_dom(pilot, "reconnecting… your answers so far are kept")
                await pilot.press("ctrl+s")
                await wait_until(pilot, lambda: any("Reconnecting" in str(note.message) for note in app._notifications), "why nothing was sent")  # noqa: SLF001
                gate.reopen()
                await wait_for_dom(pilot, "Connected as Ann", timeout=20)
                panel = app.screen.query_one(AskPanel)
                assert panel.current_draft().works is True  # the form was never rebuilt: her choice is there
                await pilot.press("ctrl+s")
                await wait_for_dom(pilot, "✓ Answered")
                assert [person.name for person in host.view.participants] == ["Ann"]  # her own seat back, not a second one
                assert host.view.answered == 1
        finally:
            await ann.leave()
            await gate.stop()


async def test_a_host_that_ends_the_session_or_is_gone_is_said(lesson: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.services import group_client

    monkeypatch.setattr(group_client, "RECONNECT_SECONDS", 1.0)  # give up on a host gone after a second, not two minutes
    async with hosted(lesson) as (host, _):
        gate = Gate(host.join_code)
        relay = ChangeRelay()
        ann = GroupClient(await gate.start(), "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        app = make_app(JoinStart(ann, relay))
        async with app.run_test(size=SIZE) as pilot:
            host.advance()
            await wait_for_dom(pilot, "Set the goal")
            gate.down()
            await wait_for_dom(pilot, "The host has gone: the connection to the host was lost", "q quits", timeout=20)
            await pilot.press("escape", "q")  # nothing left to leave: no question asked
            await wait_until(pilot, lambda: not app.is_running, "Tutor to quit")
        await ann.leave()
        await gate.stop()

        bob = GroupClient(host.join_code, "Bob", on_change=relay, progress_folder=tmp_path / "bob-progress")
        await bob.connect()
        app = make_app(JoinStart(bob, relay))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_dom(pilot, "Set the goal")
            await host.stop()
            await wait_for_dom(pilot, "The session has ended", "Your answers are an attempt in your own progress")
        await bob.leave()


async def test_leaving_a_running_session_asks_first(lesson: Path, tmp_path: Path) -> None:
    async with hosted(lesson) as (host, _):
        relay = ChangeRelay()
        ann = GroupClient(host.join_code, "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        app = make_app(JoinStart(ann, relay))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_dom(pilot, "Waiting for the host")
            await pilot.press("q")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "the question before leaving")
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, GroupJoinScreen), "back in the session")
            await pilot.press("q")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "the question before leaving")
            await pilot.press("y")
            await wait_until(pilot, lambda: not app.is_running, "Tutor to quit")
        await wait_until_left(host)


async def wait_until_left(host: GroupHost) -> None:
    changes = Changes()
    host._on_change = changes  # noqa: SLF001 - the screen that listened is gone; the test listens now
    await changes.until(lambda: all(person.left for person in host.view.participants), "the host to see her leave")


# ---------------------------------------------------------------- snapshots
# Taken inside the test's own loop (the session runs on it, and is stopped after), as snap_compare
# takes them: the same SVG, the same folder, `--snapshot-update` to accept a deliberate change.


async def screenshot(pilot: Any, *texts: str) -> str:
    await wait_for_dom(pilot, *texts)
    await wait_for_text(pilot, *texts)
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    assert not pilot.app._notifications, [note.message for note in pilot.app._notifications]  # noqa: SLF001
    return pilot.app.export_screenshot(title=pilot.app.title, simplify=True)


async def test_snapshot_host_revote_beside_the_first(snapshot: Any, lesson: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host at a closed revote: the join code, the room, both votes side by side, the question."""
    from tutor.group import AnswerMessage
    from tutor.services import group_host

    monkeypatch.setattr(group_host, "join_code", lambda *_: "127.0.0.1:7373/fixed-for-the-snapshot")
    async with hosted(lesson, min_group=3) as (host, relay):
        session = host.session  # the room seated without a network: the same screen, the same bytes each run
        seats = [session.join(name)[0] for name in ("Ann", "Bob", "Cy")]
        for _ in range(4):
            session.advance()  # the outcome opens
        votes = {1: (True, True, False), 2: (False, False, True)}
        for round_ in (1, 2):
            for seat, works in zip(seats, votes[round_], strict=True):
                session.answer(seat.id, AnswerMessage(4, round_, OutcomeAnswer(works, Confidence.MEDIUM)))
            session.advance()  # closed
            if round_ == 1:
                session.discuss()
                session.advance()  # the revote opens
        app = make_app(HostStart(host, relay))
        async with app.run_test(size=SIZE) as pilot:
            svg = await screenshot(pilot, "Revote closed", "Revote (3 answers)")
    assert snapshot.use_extension(SVGImageExtension) == svg


async def test_snapshot_participant_at_a_question(snapshot: Any, lesson: Path, tmp_path: Path) -> None:
    """A participant at an open question: what led to it, the form, the room's count."""
    async with hosted(lesson, min_group=2) as (host, _):
        relay = ChangeRelay()
        ann = GroupClient(host.join_code, "Ann", on_change=relay, progress_folder=tmp_path / "ann-progress")
        await ann.connect()
        for _ in range(4):
            host.advance()  # the outcome opens
        app = make_app(JoinStart(ann, relay))
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.focused, RadioSet), "the outcome's choices to take focus")
            svg = await screenshot(pilot, "Predict the outcome", "0 of 1 answered")
        await ann.leave()
    assert snapshot.use_extension(SVGImageExtension) == svg
