"""What the pair and record end-to-end tests share: the fake Messages API that answers the mentor
from its own queue, the scripted goal and tool calls, and readers of what the terminal shows."""

from __future__ import annotations

import re
import threading
from collections import deque
from pathlib import Path
from typing import Any

from tests.helpers.fake_messages_api import FakeMessagesAPI, RecordedRequest, Reply, Response, ToolUse, tool_reply
from tests.helpers.tmux_driver import Tmux

FAKE_KEY = "sk-ant-api03-" + "E2eFakeKey" * 6 + "-AA"
GOAL = "add() returns the sum; done when python3 test_app.py prints ok; only touch app.py"
FIX = ToolUse("toolu_edit", "edit_file", {"path": "app.py", "old": "return a - b", "new": "return a + b"})
RUN_TEST = ToolUse("toolu_run", "run", {"command": "python3 test_app.py"})
GUT_TEST = ToolUse("toolu_bad", "write_file", {"path": "test_app.py", "content": "print('ok')\n"})
CORRECTION = "Do not touch the test, fix add in app.py instead."


# -- the fake API, with the mentor's calls on their own queue


def is_mentor_call(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("tool_choice") or {}).get("name") == "mentor_feedback"


class PairAPI(FakeMessagesAPI):
    """The fake Messages API, answering mentor calls from `enqueue_mentor` and every other call from `enqueue`."""

    def __init__(self) -> None:
        self._mentor_queue: deque[Response] = deque()
        self._current = threading.local()  # the body of the request this handler thread is answering
        super().__init__()

    def enqueue_mentor(self, *responses: Response) -> None:
        with self._lock:
            self._mentor_queue.extend(responses)

    def _record(self, request: RecordedRequest) -> int:
        self._current.body = request.body
        return super()._record(request)

    def _next_response(self) -> Response | None:
        if is_mentor_call(getattr(self._current, "body", None)):
            with self._lock:
                return self._mentor_queue.popleft() if self._mentor_queue else None
        return super()._next_response()

    def agent_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if isinstance(r.body, dict) and not is_mentor_call(r.body)]

    def mentor_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if is_mentor_call(r.body)]


def mentor_reply(summary: str, question: str, *, goal: bool = True) -> Reply:
    verdicts = {"checkable": True, "bounded": True} if goal else {}
    return tool_reply("", ToolUse("toolu_mentor", "mentor_feedback", {"summary": summary, "questions": [question], "missing": [], **verdicts}))


# -- reading what the terminal shows


def printed(tmux: Tmux) -> str:
    """Everything the pane holds, scrollback included: what `tutor` printed after the app's screen closed."""
    return tmux._tmux("capture-pane", "-p", "-S", "-", "-t", "e2e").stdout


def resume_hint(session_id: str) -> str:
    return f"Session {session_id} is kept. Continue it with: tutor pair --resume {session_id}"


def only_session(tutor_home: Path) -> str:
    sessions = sorted(p.name for p in (tutor_home / "sessions").iterdir())
    assert len(sessions) == 1, sessions
    return sessions[0]


def output_line_shown(text: str) -> bool:
    """The command's real output (`ok`) on a line of its own, inside the run card."""
    return any(re.fullmatch(r"\s*█?\s*ok\s*", row) for row in text.splitlines())
