"""Pair mode in a real terminal: `tutor pair` against a fake Messages API, driven key by key in tmux.

The fake server (tests/fake_messages_api.py) runs in this process, in a thread, and `tutor`
reaches it through ANTHROPIC_BASE_URL, exactly as the real SDK would reach the real API.
Mentor calls (non-streaming, forced `mentor_feedback` tool) and agent calls (streamed) are
answered from two separate queues: after a correction the app asks both at once, and the
order in which they reach the server is not fixed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.fake_messages_api import RecordedRequest, text_reply, tool_reply
from tests.helpers.live_support import fingerprint
from tests.helpers.pair_e2e import (
    CORRECTION,
    FAKE_KEY,
    FIX,
    GOAL,
    GUT_TEST,
    RUN_TEST,
    PairAPI,
    is_mentor_call,
    mentor_reply,
    only_session,
    output_line_shown,
    printed,
    resume_hint,
)
from tests.helpers.tmux_driver import Tmux, flat

pytestmark = pytest.mark.e2e


def set_goal(tmux: Tmux, mentor_text: str) -> None:
    """As a learner: type the goal contract, ctrl+s (the mentor reads it), ctrl+s (the agent starts)."""
    tmux.wait_for("Pair mode", "goal contract", "ctrl+s: show the goal to the mentor")
    tmux.type(GOAL)
    tmux.submit("ctrl+s: start the agent with this goal", where="screen")
    tmux.wait_for("Mentor (Claude)", mentor_text)
    tmux.submit("◎ Your goal contract", where="screen")


def agent_messages(request: RecordedRequest) -> list[dict[str, Any]]:
    return request.body["messages"]


# -- the tests


FINAL_WORDS = "Done: add now adds, and python3 test_app.py prints ok."
RUN_VERDICT = "Result: it worked  exit code 0   You predicted: it works  ✓ right"


def fix_and_check(tmux: Tmux, api: PairAPI, repo: Path) -> None:
    """A whole agent turn: the goal, the fix predicted and run, the test run predicted and run, the agent's last words."""
    api.enqueue_mentor(mentor_reply("A checkable goal with a clear limit.", "How will you know it is done?"))
    api.enqueue(tool_reply("Fixing the sign in add.", FIX), tool_reply("Now the check.", RUN_TEST), text_reply(FINAL_WORDS))
    tmux.start("pair", "--repo", str(repo), "--task", "fix add", width=160, height=50)
    set_goal(tmux, "How will you know it is done?")

    screen = tmux.wait_for("◆ edit_file  proposed", "+    return a + b", "Before it runs: predict  w  works   f  fails")
    assert "Fixing the sign in add." in screen
    tmux.press("w", "3")
    tmux.wait_for("Before it runs: you predict it works", "You predict: it works (high confidence)")
    tmux.press("r")
    screen = tmux.wait_for("◆ run  proposed", "$ python3 test_app.py", "Before it runs: predict  w  works")
    assert "Result: it worked   You predicted: it works  ✓ right" in screen
    tmux.press("w", "r")
    screen = tmux.wait_for("The agent is waiting for you", "ctrl+s: send · ctrl+e: end the session")
    assert "2/2 predictions right" in screen


def last_words_shown(screen: str) -> bool:
    return RUN_VERDICT in screen and output_line_shown(screen) and FINAL_WORDS in flat(screen)


def test_pair_session_from_goal_to_summary(tmux: Tmux, keyed_env: dict[str, str], api: PairAPI, repo: Path, tutor_home: Path, run_tutor) -> None:  # noqa: ANN001
    before = fingerprint(repo)
    fix_and_check(tmux, api, repo)
    tmux.press("C-e")
    # The summary, and above it the run's verdict, its real output and the agent's last words.
    tmux.wait_until(
        lambda s: "Session ended" in s and "Predictions right: 2 of 2 graded" in s and "q quits" in s and last_words_shown(s),
        "the summary under the run's result and the agent's last words",
    )
    tmux.press("q")
    assert tmux.wait_dead() == 0

    session_id = only_session(tutor_home)
    assert resume_hint(session_id) in flat(printed(tmux))
    listed = run_tutor("pair", "--list")
    assert listed.returncode == 0 and session_id in listed.stdout and "ended" in listed.stdout, listed.stdout + listed.stderr

    assert fingerprint(repo) == before, "the user's repository changed"
    workspace = tutor_home / "workspaces" / session_id
    assert (workspace / "app.py").read_text() == "def add(a, b):\n    return a + b\n"
    journal = tutor_home / "sessions" / session_id / "journal.jsonl"
    assert journal.is_file()
    text = journal.read_text(encoding="utf-8")
    assert FAKE_KEY not in text and FAKE_KEY[:30] not in text
    kinds = [json.loads(line)["kind"] for line in text.splitlines() if line.strip()]
    assert kinds[:4] == ["session", "goal_draft", "mentor", "goal"] and kinds[-1] == "end", kinds

    requests = api.requests
    assert len(requests) == 4, [r.body for r in requests]
    for request in requests:
        assert request.headers.get("authorization") == f"Bearer {FAKE_KEY}" or request.headers.get("x-api-key") == FAKE_KEY, request.headers
    assert is_mentor_call(requests[0].body) and not requests[0].body.get("stream")
    assert GOAL in requests[0].body["messages"][0]["content"]
    first, _, third = api.agent_requests()
    assert first.body["stream"] is True
    assert GOAL in agent_messages(first)[0]["content"][0]["text"]
    result = agent_messages(third)[-1]["content"][0]
    assert result["tool_use_id"] == "toolu_run" and result["is_error"] is False and "ok" in result["content"]


def test_the_agents_last_words_are_in_view_when_it_waits(tmux: Tmux, keyed_env: dict[str, str], api: PairAPI, repo: Path) -> None:
    # The message field appears under the transcript when the agent waits; the transcript must
    # be scrolled to its end after that, or the last result and words are hidden (a bug once).
    fix_and_check(tmux, api, repo)
    tmux.wait_until(last_words_shown, "the run's result, its output and the agent's last words in view", timeout=5)


def test_correcting_a_proposal_from_the_keyboard(tmux: Tmux, keyed_env: dict[str, str], api: PairAPI, repo: Path, tutor_home: Path) -> None:
    before = fingerprint(repo)
    api.enqueue_mentor(
        mentor_reply("A clear goal.", "What must the agent leave alone?"),
        mentor_reply("A precise correction.", "What would tell you the fix is right?", goal=False),
    )
    api.enqueue(
        tool_reply("I'll make the test pass.", GUT_TEST),
        text_reply("Understood: I will leave test_app.py alone."),
    )
    tmux.start("pair", "--repo", str(repo), "--task", "fix add", width=160, height=50)
    set_goal(tmux, "What must the agent leave alone?")
    tmux.wait_for("◆ write_file  proposed", "Before it runs: predict  w  works   f  fails")

    tmux.press("c")  # think first: without a prediction, c does nothing
    screen = tmux.screen()
    assert "What kind of correction?" not in screen and "Correcting" not in screen, screen
    assert "Before it runs: predict  w  works" in screen

    tmux.press("w")
    tmux.wait_for("Before it runs: you predict it works")
    tmux.press("c")
    tmux.wait_for("What kind of correction? Press its key", "tests missing, or gamed to pass")
    tmux.press("t")
    tmux.wait_for("Correcting: test", "ctrl+s: send the correction")
    tmux.type(CORRECTION)
    tmux.submit("You corrected it (test)", where="screen")
    tmux.wait_for("The agent is waiting for you", "Understood: I will leave test_app.py alone.")
    tmux.wait_for("Mentor (Claude)", "A precise correction.")
    tmux.press("C-q")
    assert tmux.wait_dead() == 0

    agent = api.agent_requests()
    assert len(agent) == 2, [r.body for r in agent]
    answer = agent_messages(agent[1])[-1]["content"]
    assert answer[0]["type"] == "tool_result" and answer[0]["tool_use_id"] == "toolu_bad" and answer[0]["is_error"] is True
    assert {"type": "text", "text": f"Correction from the human (test): {CORRECTION}"} in answer
    mentor = api.mentor_requests()
    assert len(mentor) == 2 and CORRECTION in json.dumps(mentor[1].body)

    workspace = tutor_home / "workspaces" / only_session(tutor_home)
    assert (workspace / "test_app.py").read_text().startswith("from app import add")
    assert fingerprint(repo) == before


def test_without_a_key_the_demo_is_offered(tmux: Tmux, tutor_env: dict[str, str], repo: Path, tutor_home: Path) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE", "ANTHROPIC_BASE_URL"):
        tutor_env.pop(name, None)
    before = fingerprint(repo)
    tmux.start("pair", "--repo", str(repo), width=140, height=45)
    tmux.wait_for("Pair mode needs an Anthropic API key", "ANTHROPIC_API_KEY", "starts the scripted demo")
    tmux.press("d")
    screen = tmux.wait_for("Pair mode", "goal contract", "scripted demo")
    assert "needs an Anthropic API key" not in screen
    tmux.press("C-q")
    assert tmux.wait_dead() == 0
    session_id = only_session(tutor_home)
    header = json.loads((tutor_home / "sessions" / session_id / "journal.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert header["kind"] == "session" and header["agent"] == "demo"
    assert fingerprint(repo) == before


def test_a_session_quit_at_the_gate_resumes(tmux: Tmux, keyed_env: dict[str, str], api: PairAPI, repo: Path, tutor_home: Path) -> None:
    before = fingerprint(repo)
    api.enqueue_mentor(mentor_reply("A clear goal.", "How will you know it is done?"))
    api.enqueue(tool_reply("Fixing the sign in add.", FIX))
    tmux.start("pair", "--repo", str(repo), "--task", "fix add", width=160, height=50)
    set_goal(tmux, "How will you know it is done?")
    tmux.wait_for("◆ edit_file  proposed", "Before it runs: predict  w  works")
    tmux.press("w")
    tmux.wait_for("Before it runs: you predict it works")
    tmux.press("C-q")  # quit while the call waits at the gate
    assert tmux.wait_dead() == 0
    session_id = only_session(tutor_home)
    assert resume_hint(session_id) in flat(printed(tmux))
    workspace = tutor_home / "workspaces" / session_id
    assert (workspace / "app.py").read_text().endswith("return a - b\n")  # it never ran

    api.enqueue(text_reply("All done: add adds now."))
    tmux.start("pair", "--resume", session_id, width=160, height=50)
    screen = tmux.wait_for(
        "◎ Your goal contract", "Fixing the sign in add.", "◆ edit_file  proposed", "+    return a + b",
        "You predict: it works (medium confidence)", "Before it runs: you predict it works",
    )
    assert session_id in screen
    tmux.press("r")
    tmux.wait_for("The agent is waiting for you")
    tmux.wait_for("Result: it worked   You predicted: it works  ✓ right", "All done: add adds now.")
    tmux.press("C-e")
    tmux.wait_for("Session ended", "Predictions right: 1 of 1 graded")
    tmux.press("q")
    assert tmux.wait_dead() == 0
    assert resume_hint(session_id) in flat(printed(tmux))

    assert (workspace / "app.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert fingerprint(repo) == before
    last = api.agent_requests()[-1]
    result = agent_messages(last)[-1]["content"][0]
    assert result["tool_use_id"] == "toolu_edit" and result["is_error"] is False
    assert GOAL in agent_messages(last)[0]["content"][0]["text"]


def test_what_is_typed_while_pair_opens_lands_in_the_goal(tmux: Tmux, tutor_env: dict[str, str], tutor_home: Path) -> None:
    goal = "Make add() return the sum; done when python3 test_app.py passes; touch nothing else"
    tmux.start("pair", "--demo", width=140, height=45)
    # At once, while the workspace is made and the app starts: a person who knows what they want.
    tmux._tmux("send-keys", "-t", "e2e", "-l", goal)  # noqa: SLF001 - typed before anything is on screen
    screen = tmux.wait_for("goal contract", timeout=30)
    screen = tmux.wait_until(lambda s: goal in flat(s), "the early typing in the goal field")
    assert flat(screen).count(goal) == 1, screen
