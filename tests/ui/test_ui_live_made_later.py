"""`tutor pair` and `tutor record` open their screen before the session's workspace (a git repository) is made
(issue 18): it is made in a worker once the human starts writing the goal. Here that making is held until the
test lets it go: the screen is up and takes keys, nothing is on disk yet, a goal sent before the workspace is
made is journaled once it is, and a session left at once is still made and kept.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from textual import events
from textual.widgets import TextArea

from tests.helpers.pair_support import settings
from tests.helpers.ui_support import settled, type_fast, wait_until
from tutor import paths
from tutor.record.journal import read_journal
from tutor.services.live import journal_path, start_session
from tutor.ui.app import TutorApp
from tutor.ui.start import PairStart, RecordStart

GOAL = "add() returns the sum; done when python3 test_app.py prints ok; only touch app.py"


def held(session: Any) -> tuple[threading.Event, threading.Event]:
    """Make the making of `session`'s workspace wait until the second event is set; the first says it began."""
    began, go_on = threading.Event(), threading.Event()
    make = session.preparation._make  # noqa: SLF001 - the test stands in the way of the slow part only

    def slow() -> Any:
        began.set()
        go_on.wait(30)  # a test that fails before letting it go still ends
        return make()

    session.preparation._make = slow  # noqa: SLF001
    return began, go_on


def made(session: Any) -> bool:
    return (paths.workspaces_dir() / session.id).exists() or journal_path(session.id).exists()


async def test_the_pair_demo_is_up_before_its_workspace_is_made_and_a_goal_sent_meanwhile_waits_for_it(tutor_home: Path) -> None:
    session = start_session(mode="pair", settings=settings(), demo=True, later=True)
    began, go_on = held(session)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea) and not screen.holds_keys, "the goal's field, taking keys")
        status = str(screen.query_one("#pair-status").render())
        assert "scripted demo" in status and "The slug" in status  # the status as before: the agent, the task
        assert not session.ready and not began.is_set() and not made(session), "the first screen makes nothing"
        await type_fast(pilot, GOAL)
        await wait_until(pilot, began.is_set, "writing the goal to start making the workspace")
        app.post_message(events.Key("ctrl+s", None))  # sent at once, not waited for
        await wait_until(pilot, lambda: not session.ready, "the goal to be sent")
        assert not screen.state.goal_draft and not journal_path(session.id).exists(), "nothing is journaled before the journal exists"
        go_on.set()
        await wait_until(pilot, lambda: bool(screen.query("#mentor MentorCard")), "the mentor's comment on the goal, once the session is made")
        assert session.ready and screen.field().text.strip() == GOAL
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.service.state.phase != "goal", "the goal to start the agent")
        await settled(pilot, screen)
    kinds = [record["kind"] for record in read_journal(journal_path(session.id)).records]
    assert kinds[:4] == ["session", "goal_draft", "mentor", "goal"]


async def test_a_record_demo_left_at_once_is_made_and_kept(tutor_home: Path) -> None:
    session = start_session(mode="record", settings=settings(), demo=True, later=True)
    app = TutorApp(RecordStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea) and not app.screen.holds_keys, "the goal's field, taking keys")
        assert not made(session)
    session.close()  # as the command line does, then says how to resume it
    assert session.ready and made(session)
    assert [record["kind"] for record in read_journal(journal_path(session.id)).records] == ["session"]
