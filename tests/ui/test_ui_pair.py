"""Pair mode through the real screen and the real SDK, against the fake Messages API on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from tests.helpers.fake_messages_api import ToolUse, closed_port_url, http_error, text_reply, tool_reply, Reply, Text
from tests.helpers.live_support import fingerprint, make_user_repo
from tests.helpers.pair_support import TEST_KEY, api, pair_session, settings  # noqa: F401 - api is a fixture
from tutor.agent.client import newest_sonnet
from tutor.record.journal import read_journal
from tutor.services.live import journal_path, resume_session
from tutor.ui.app import TutorApp
from tutor.ui.start import NoKeyStart, PairStart
from tutor.ui.widgets.live import CategoryPicker, ProposalCard
from tests.helpers.ui_support import drained, settled, type_fast, wait_until

GOAL = "add() returns the sum; done when python3 test_app.py prints ok; only touch app.py"
FIX = ToolUse("toolu_edit", "edit_file", {"path": "app.py", "old": "return a - b", "new": "return a + b"})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_user_repo(tmp_path)


def kinds(session) -> list[str]:  # noqa: ANN001
    return [r["kind"] for r in read_journal(journal_path(session.id)).records]


async def write_goal(pilot, screen, goal: str = GOAL, *, typed: bool = False) -> None:  # noqa: ANN001
    """Write the goal, show it to the mentor, then start the agent (two ctrl+s, as a learner does).

    typed: every character as a key (slow, seconds); else the first few as keys, the rest inserted.
    """
    await wait_until(pilot, lambda: isinstance(pilot.app.focused, TextArea), "the goal contract's field to take focus")
    if typed:
        await pilot.press(*goal)
    else:
        await type_fast(pilot, goal)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: bool(screen.query("#mentor MentorCard")), "the mentor's comment")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: screen.service.state.phase != "goal", "the goal to start the agent")
    await settled(pilot, screen)


async def test_goal_stream_gate_run_and_graded_prediction(api, repo: Path) -> None:  # noqa: F811
    before = fingerprint(repo)
    api.enqueue(
        tool_reply("I'll read `app.py`, then fix the sign.", ToolUse("toolu_read", "read_file", {"path": "app.py"}), FIX),
        tool_reply("Now the check.", ToolUse("toolu_run", "run", {"command": "python3 test_app.py"})),
        text_reply("Done: `add` now adds, and `python3 test_app.py` prints ok."),
    )
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await write_goal(pilot, screen, GOAL, typed=True)  # every letter a key: none of them acts in the goal's field
        assert session.loop.state.phase == "gate"
        card = screen.query_one("#call-toolu_edit", ProposalCard)
        assert card.preview_kind == "diff" and "+    return a + b" in card.preview
        assert not (Path(session.loop.state.header["workspace"]) / "app.py").read_text().endswith("a + b\n")
        await pilot.press("r")  # no prediction yet: nothing happens
        await drained(pilot, app, screen)
        assert session.loop.state.calls["toolu_edit"].result is None
        await pilot.press("w", "3", "r")
        await settled(pilot, screen)
        assert session.loop.state.calls["toolu_edit"].prediction == {"outcome": "works", "confidence": "high"}
        await pilot.press("f", "r")  # predicts the test run fails: it will pass
        await settled(pilot, screen)
        assert session.loop.state.phase == "human"
        run_card = screen.query_one("#call-toolu_run", ProposalCard)
        state_line = str(run_card.query_one(".call-state").render())
        assert "it worked" in state_line and "You predicted" in state_line and "wrong" in state_line
        assert "1/2 predictions right" in str(screen.query_one("#pair-status").render())
        assert "Done:" in "".join(screen.query("AgentText").last().streamed)
    assert fingerprint(repo) == before
    first = api.requests[0].body
    assert first["model"] == newest_sonnet() and first["stream"] is True
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert GOAL in first["messages"][0]["content"][0]["text"]
    assert api.requests[0].headers.get("authorization") == f"Bearer {TEST_KEY}" or api.requests[0].headers.get("x-api-key") == TEST_KEY
    second = api.requests[1].body["messages"]
    results = [b for b in second[-1]["content"] if b["type"] == "tool_result"]
    assert [b["tool_use_id"] for b in results] == ["toolu_read", "toolu_edit"]
    third = api.requests[2].body["messages"][-1]["content"][0]
    assert third["tool_use_id"] == "toolu_run" and "ok" in third["content"] and third["is_error"] is False
    assert kinds(session)[:4] == ["session", "goal_draft", "mentor", "goal"]


async def test_correct_with_category_key_and_message(api, repo: Path) -> None:  # noqa: F811
    api.enqueue(
        tool_reply("I'll make the test pass.", ToolUse("toolu_bad", "write_file", {"path": "test_app.py", "content": "print('ok')\n"})),
        tool_reply("", FIX),
    )
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await write_goal(pilot, screen, GOAL)
        await pilot.press("c")  # think first: no prediction, no form
        await drained(pilot, app, screen)
        assert screen.correcting is None
        await pilot.press("w", "c")
        await wait_until(pilot, lambda: isinstance(app.focused, CategoryPicker), "the category picker")
        await pilot.press("t")  # test: "tests missing, or gamed to pass"
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea) and screen.correcting == "test", "the message field of a test correction")
        await type_fast(pilot, "Do not touch the test; fix add in app.py.")
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        assert session.loop.state.phase == "gate"
        assert session.loop.state.current.call.id == "toolu_edit"
        assert "You corrected it" in str(screen.query_one("#call-toolu_bad").query_one(".call-state").render())
        await wait_until(pilot, lambda: len(screen.query("#transcript MentorCard")) == 1, "the mentor on the correction")
    last = api.requests[1].body["messages"][-1]["content"]
    assert last[0]["tool_use_id"] == "toolu_bad" and last[0]["is_error"] is True
    assert last[1] == {"type": "text", "text": "Correction from the human (test): Do not touch the test; fix add in app.py."}
    assert not (Path(session.loop.state.header["workspace"]) / "test_app.py").read_text().startswith("print")


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (http_error(401), "API key was refused (401)"),
        (http_error(403), "(403)"),
        (http_error(404, "model: claude-nope"), "check the model id"),
        (http_error(429), "Rate limited (429)"),
        (http_error(500), "The API failed (500)"),
        (http_error(529), "overloaded (529)"),
    ],
    ids=["401", "403", "404", "429", "500", "529"],
)
async def test_api_errors_are_one_clear_line_and_retry_works(api, repo: Path, failure, expected: str) -> None:  # noqa: F811
    api.enqueue(failure, text_reply("Here I am."))
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await write_goal(pilot, screen, GOAL)
        assert session.loop.state.phase == "failed"
        assert expected in session.loop.state.failure["message"]
        assert expected in screen.query(".error-card .prose").last().markdown
        await pilot.press("ctrl+r")
        await settled(pilot, screen)
        assert session.loop.state.phase == "human"
    assert len(api.requests) == 2  # no silent retry on top of the SDK's own (max_retries=0 here)
    assert "failure" in kinds(session) and "retry" in kinds(session)


async def test_connection_refused(repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", closed_port_url())
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await write_goal(pilot, app.screen, GOAL)
        assert "Cannot reach the API" in session.loop.state.failure["message"]
        assert session.loop.state.phase == "failed"


async def test_a_stream_broken_midway_is_not_retried_silently(api, repo: Path) -> None:  # noqa: F811
    api.enqueue(text_reply("A long answer that will be cut " * 4, chunk=8, break_after=6), text_reply("Second try."))
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await write_goal(pilot, screen, GOAL)
        assert session.loop.state.phase == "failed"
        assert "broke off midway" in session.loop.state.failure["message"]
        assert len(api.requests) == 1
        await pilot.press("ctrl+r")
        await settled(pilot, screen)
        assert session.loop.state.phase == "human"


async def test_an_error_event_before_any_text_is_retried_automatically(api, repo: Path) -> None:  # noqa: F811
    api.enqueue(text_reply("never shown", error_after=1), text_reply("Second try."))
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await write_goal(pilot, app.screen, GOAL)
        assert session.loop.state.phase == "human"
    assert len(api.requests) == 2 and "failure" not in kinds(session)


async def test_malformed_tool_input_is_shown_and_answered(api, repo: Path) -> None:  # noqa: F811
    api.enqueue(tool_reply("Writing.", ToolUse("toolu_bad", "write_file", raw_json='{"path": ')), text_reply("Sorry."))
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await write_goal(pilot, screen, GOAL)
        assert session.loop.state.phase == "human"
        card = screen.query_one("#call-toolu_bad", ProposalCard)
        assert card.preview_kind == "error" and "not valid JSON" in card.preview
    answer = api.requests[1].body["messages"][-1]["content"][0]
    assert answer["is_error"] is True and "not valid JSON" in answer["content"]


async def test_escape_cancels_a_streaming_reply_and_a_running_command(api, repo: Path) -> None:  # noqa: F811
    import threading

    hold = threading.Event()
    api.enqueue(
        Reply(blocks=(Text("Thinking about it slowly " * 5),), chunk=9, hold=hold),
        tool_reply("Running a slow command.", ToolUse("toolu_slow", "run", {"command": "sleep 30"})),
        text_reply("Stopped, fine."),
    )
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea), "the goal contract's field to take focus")
        await type_fast(pilot, GOAL)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(screen.query("#mentor MentorCard")), "the mentor's comment")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(screen.query("AgentText")) and screen.busy, "the reply to start")
        await pilot.press("escape")
        await settled(pilot, screen)
        hold.set()
        assert session.loop.state.phase == "failed" and session.loop.state.failure.get("cancelled")
        await pilot.press("ctrl+r")
        await settled(pilot, screen)
        assert session.loop.state.current.call.id == "toolu_slow"
        await pilot.press("w", "r")
        await wait_until(pilot, lambda: session.loop.state.phase == "running", "the command to start")
        await wait_until(pilot, lambda: session.loop.tools._cancel is not None, "the command's process to be under way")  # noqa: SLF001
        await pilot.press("escape")
        await settled(pilot, screen, timeout=10)
        result = session.loop.state.calls["toolu_slow"].result
        assert result["cancelled"] and not result["ok"]
        assert session.loop.state.phase == "human"


async def test_resume_shows_the_transcript_and_continues(api, repo: Path) -> None:  # noqa: F811
    api.enqueue(tool_reply("Fixing.", FIX))
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await write_goal(pilot, app.screen, GOAL)
        await pilot.press("w")
        await wait_until(pilot, lambda: session.loop.state.calls["toolu_edit"].prediction is not None, "the prediction")
    session.close()
    api.enqueue(text_reply("All done."))
    resumed = resume_session(session.id, settings=settings())
    app = TutorApp(PairStart(resumed), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await settled(pilot, screen)
        assert screen.query_one("#call-toolu_edit", ProposalCard).prediction == {"outcome": "works", "confidence": "medium"}
        assert "Fixing." in screen.query("AgentText").first().text
        await pilot.press("r")
        await settled(pilot, screen)
        assert resumed.loop.state.phase == "human"
        await pilot.press("ctrl+e")
        await settled(pilot, screen)
        assert resumed.loop.state.phase == "ended"
        assert screen.query(".summary-card")
    resumed.close()


async def test_no_key_screen_offers_the_demo(tutor_home: Path) -> None:
    from tutor.agent.client import KEY_HELP

    app = TutorApp(NoKeyStart(KEY_HELP), settings=settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "ANTHROPIC_API_KEY" in str(app.screen.query(".prose").first().render()), "the key's help")
        await pilot.press("d")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PairScreen", "the demo")
        assert app.screen.service.state.header["agent"] == "demo"


async def test_a_long_streamed_reply_stays_a_few_widgets() -> None:
    """Past a paragraph break every 800 characters, streamed text is frozen into one widget: layout stays cheap."""
    from textual.app import App

    from tutor.ui.widgets.live import AgentText

    paragraphs = [f"Paragraph {n}: the parser drops the last field when a line ends with a comma.\n\n" for n in range(120)]
    paragraphs.insert(40, "```python\ndef f():\n\n    return 1\n```\n\n")  # a blank line inside a fence is not a break
    text = "".join(paragraphs)

    class One(App):
        def compose(self):  # noqa: ANN202
            yield AgentText()

    app = One()
    async with app.run_test(size=(100, 30)) as pilot:
        widget = app.query_one(AgentText)
        for start in range(0, len(text), 37):
            await widget.add(text[start : start + 37])
        await widget.add(" ")
        await widget.finish(text + " ")
        await drained(pilot, widget)
        segments = list(widget.query(".agent-segment"))
        assert 5 <= len(segments) <= len(text) // 400
        assert len(list(widget.query("*"))) < 60  # not one widget per paragraph
        assert all(s.markdown.count("```") % 2 == 0 for s in segments)  # no segment ends inside the code fence
        assert widget.text == text + " "


async def test_a_long_proposed_diff_is_read_to_its_end_from_the_keyboard_at_the_gate(api, repo: Path) -> None:  # noqa: F811
    """The diff scrolls in its box: tabbed to, end shows its last line; the gate's keys still act from there."""
    from tutor.ui.widgets.step_view import DiffLog

    content = "".join(f"value_{n} = {n}\n" for n in range(200))
    api.enqueue(tool_reply("Writing the settings.", ToolUse("toolu_long", "write_file", {"path": "settings.py", "content": content})),
                text_reply("Done."))
    session = pair_session(repo)
    app = TutorApp(PairStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await write_goal(pilot, screen)
        assert session.loop.state.phase == "gate"
        diff = screen.query_one("#call-toolu_long", ProposalCard).query_one(DiffLog)
        await wait_until(pilot, lambda: diff.max_scroll_y > 0, "the diff taller than its box")
        for _ in range(12):
            if app.focused is diff:
                break
            await pilot.press("tab")
        assert app.focused is diff, app.focused
        await pilot.press("end")
        await wait_until(pilot, lambda: diff.scroll_y == diff.max_scroll_y, "the diff scrolled to its end")
        on_screen = "".join(diff.render_line(y).text for y in range(diff.content_region.height))
        assert "+value_199 = 199" in on_screen
        await pilot.press("w", "3", "r")
        await settled(pilot, screen)
        assert session.loop.state.calls["toolu_long"].prediction == {"outcome": "works", "confidence": "high"}
