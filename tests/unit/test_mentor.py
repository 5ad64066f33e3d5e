"""The mentor: offline rules, Claude through a forced tool call, and the fallback between them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.agent import mentor as mentor_module
from tutor.agent.mentor import (
    MENTOR_TOOL,
    SYSTEM,
    TOOL_NAME,
    ClaudeMentor,
    MentorComment,
    RuleMentor,
    mentor_for,
    parse_reply,
)
from tutor.lesson.taxonomy import Category

ROOT = Path(__file__).resolve().parents[2]

GOOD_GOAL = (
    "Fix the off-by-one in paginate() in api/pages.py so that tests/test_pages.py passes; "
    "only change paginate, do not touch the tests."
)
TASK = "The last page of search results is always empty. Users report it in issue #12."


# --------------------------------------------------------------------------- helpers


def tool_block(data: Any, name: str = TOOL_NAME) -> SimpleNamespace:
    return SimpleNamespace(type="tool_use", id="toolu_1", name=name, input=data)


def message(*blocks: Any, stop_reason: str = "tool_use") -> SimpleNamespace:
    return SimpleNamespace(id="msg_1", type="message", role="assistant", content=list(blocks), stop_reason=stop_reason)


GOAL_REPLY = {
    "summary": "Your goal names the function and the test that shows it works.",
    "questions": ["What would you expect the last page to contain?", "Why might the tests be tempting to change?"],
    "checkable": True,
    "bounded": True,
    "missing": [],
}
CORRECTION_REPLY = {
    "summary": "You named the test and said what to fix.",
    "questions": ["What does the expected value in that test encode?"],
    "checkable": None,
    "bounded": None,
    "missing": ["why the current code is wrong"],
}


class _Messages:
    def __init__(self, owner: StubClient) -> None:
        self._owner = owner

    async def create(self, **kwargs: Any) -> Any:
        self._owner.calls.append(kwargs)
        if self._owner.delay:
            await asyncio.sleep(self._owner.delay)
        if isinstance(self._owner.reply, BaseException):
            raise self._owner.reply
        return self._owner.reply


class StubClient:
    """Shaped like `AsyncAnthropic` as far as the mentor uses it: `await client.messages.create(**kwargs)`."""

    def __init__(self, reply: Any, delay: float = 0.0) -> None:
        self.reply = reply
        self.delay = delay
        self.calls: list[dict[str, Any]] = []
        self.messages = _Messages(self)


def user_text(call: dict[str, Any]) -> str:
    (only,) = call["messages"]
    assert only["role"] == "user"
    return only["content"]


def _request() -> Any:
    import httpx2

    return httpx2.Request("POST", "https://api.anthropic.com/v1/messages")


def connection_error() -> Exception:
    import anthropic

    return anthropic.APIConnectionError(message="Connection error.", request=_request())


def authentication_error() -> Exception:
    import anthropic
    import httpx2

    body = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
    response = httpx2.Response(401, request=_request(), json=body)
    return anthropic.AuthenticationError("Error code: 401", response=response, body=body)


# --------------------------------------------------------------------------- MentorComment


def test_comment_label_names_the_source_and_is_frozen() -> None:
    claude = MentorComment("goal", "s", ("q?",), True, True, (), "claude")
    rules = MentorComment("correction", "s", ("q?",), None, None, (), "rules", notice="why")
    assert claude.label == "Mentor (Claude)"
    assert rules.label == "Mentor (offline rules)"
    with pytest.raises(FrozenInstanceError):
        claude.summary = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="source"):
        MentorComment("goal", "s", ("q?",), None, None, (), "magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="about"):
        MentorComment("lesson", "s", ("q?",), None, None, (), "rules")  # type: ignore[arg-type]


def test_comment_to_dict_and_text_are_plain() -> None:
    comment = MentorComment("goal", "Short.", ["One?", "Two?"], False, True, ["x"], "rules", notice="No key.")  # type: ignore[arg-type]
    assert comment.questions == ("One?", "Two?") and comment.missing == ("x",)
    data = comment.to_dict()
    assert data == {
        "about": "goal", "summary": "Short.", "questions": ["One?", "Two?"], "checkable": False, "bounded": True,
        "missing": ["x"], "source": "rules", "label": "Mentor (offline rules)", "notice": "No key.",
    }
    assert comment.as_text() == "Mentor (offline rules): Short.\n- One?\n- Two?\n(No key.)"


# --------------------------------------------------------------------------- RuleMentor: goals


def assert_socratic(comment: MentorComment) -> None:
    assert 1 <= len(comment.questions) <= 3
    assert all(question.endswith("?") for question in comment.questions)
    assert len(set(comment.questions)) == len(comment.questions)
    assert comment.summary and comment.summary.endswith(".")
    assert "\n" not in comment.summary
    assert comment.source == "rules" and comment.label == "Mentor (offline rules)" and comment.notice == ""


def test_empty_goal() -> None:
    for goal in ("", "   \n\t "):
        comment = RuleMentor().on_goal(goal, TASK)
        assert_socratic(comment)
        assert comment.about == "goal"
        assert comment.checkable is False and comment.bounded is False
        assert len(comment.missing) == 3
        assert "no goal" in comment.summary


def test_vague_goal() -> None:
    comment = RuleMentor().on_goal("fix it")
    assert_socratic(comment)
    assert comment.checkable is False and comment.bounded is False
    assert comment.missing == (mentor_module.MISSING_DONE, mentor_module.MISSING_SCOPE, mentor_module.MISSING_CONCRETE)
    assert "2 words" in comment.summary
    assert len(comment.questions) == 3
    assert "few words" in comment.questions[0]


def test_checkable_and_bounded_goal() -> None:
    comment = RuleMentor().on_goal(GOOD_GOAL, TASK)
    assert_socratic(comment)
    assert comment.checkable is True and comment.bounded is True
    assert comment.missing == ()
    assert "bounds the scope" in comment.summary and "but" not in comment.summary
    assert len(comment.questions) == 2  # stretch questions only


def test_checkable_but_unbounded_goal() -> None:
    comment = RuleMentor().on_goal("Make `pytest tests/test_pages.py` pass by fixing paginate() in api/pages.py.")
    assert_socratic(comment)
    assert comment.checkable is True and comment.bounded is False
    assert comment.missing == (mentor_module.MISSING_SCOPE,)
    assert "but does not yet say what to leave alone" in comment.summary
    assert any("untouched" in question for question in comment.questions)


def test_bounded_but_not_checkable_goal() -> None:
    comment = RuleMentor().on_goal("Refactor only the parse_header function in http/headers.py, nothing else.")
    assert comment.checkable is False and comment.bounded is True
    assert mentor_module.MISSING_DONE in comment.missing
    assert any("finished" in question for question in comment.questions)


def test_goal_that_repeats_the_task() -> None:
    task = "The login page crashes when the password field is left empty. Users report a 500 error."
    comment = RuleMentor().on_goal("The login page crashes when the password is empty", task)
    assert_socratic(comment)
    assert comment.summary.startswith("Your goal mostly restates the task.")
    assert "add to the task" in comment.questions[0]
    # The same goal without a task, or a goal that adds its own words, is not flagged.
    assert "restates" not in RuleMentor().on_goal("The login page crashes when the password is empty").summary
    own = "Make login with an empty password show a validation message; test_login_empty passes; only touch login.py."
    assert "restates" not in RuleMentor().on_goal(own, task).summary


def test_goal_lint_is_reused_not_duplicated() -> None:
    from tutor.learn.goal_lint import lint_goal

    for goal in ("fix it", GOOD_GOAL, "Only touch views.py", "Tests pass when done"):
        checks = {check.name: check.passed for check in lint_goal(goal)}
        comment = RuleMentor().on_goal(goal)
        assert comment.checkable is checks["done"]
        assert comment.bounded is checks["scope"]


def test_rule_mentor_is_deterministic() -> None:
    mentor = RuleMentor()
    assert mentor.on_goal("fix it", TASK) == RuleMentor().on_goal("fix it", TASK)
    assert mentor.on_correction("test", "no", "x") == mentor.on_correction("test", "no", "x")


@settings(max_examples=60, deadline=None)
@given(goal=st.text(max_size=200), task=st.text(max_size=200))
def test_any_goal_gets_a_well_formed_comment(goal: str, task: str) -> None:
    comment = RuleMentor().on_goal(goal, task)
    assert_socratic(comment)
    assert isinstance(comment.checkable, bool) and isinstance(comment.bounded, bool)


# --------------------------------------------------------------------------- RuleMentor: corrections

PROPOSAL = "edit_file tests/test_pages.py: replace `assert last_page == 3` with `assert last_page == 4`"


def test_good_test_correction() -> None:
    message = "Don't change the expected value in tests/test_pages.py: the test encodes the requirement. Fix paginate() instead."
    comment = RuleMentor().on_correction("test", message, PROPOSAL)
    assert_socratic(comment)
    assert comment.about == "correction"
    assert comment.checkable is None and comment.bounded is None
    assert comment.missing == ()
    assert "but" not in comment.summary
    assert comment.questions == (mentor_module._CATEGORY_QUESTION[Category.TEST],)


def test_vague_correction() -> None:
    comment = RuleMentor().on_correction("test", "no", PROPOSAL)
    assert_socratic(comment)
    assert comment.missing == (mentor_module.MISSING_SPECIFIC, mentor_module.MISSING_INSTEAD, mentor_module.MISSING_FIT)
    assert "tests missing, or gamed to pass" in comment.summary  # the category's meaning, from the taxonomy
    assert len(comment.questions) == 3


def test_specific_by_naming_the_proposal() -> None:
    comment = RuleMentor().on_correction("scope", "leave migrations alone", "run: alembic revision --autogenerate -m migrations")
    assert mentor_module.MISSING_SPECIFIC not in comment.missing
    assert mentor_module.MISSING_FIT not in comment.missing


def test_empty_correction_message() -> None:
    comment = RuleMentor().on_correction("style", "  ", PROPOSAL)
    assert_socratic(comment)
    assert mentor_module.MISSING_MESSAGE in comment.missing
    assert "without telling it why" in comment.summary
    assert comment.questions[-1] == mentor_module._CATEGORY_QUESTION[Category.STYLE]


def test_safety_correction_asks_about_the_risk_first() -> None:
    comment = RuleMentor().on_correction("safety", "whoa", "run: rm -rf build/ ~/")
    assert_socratic(comment)
    assert comment.questions[0] == mentor_module._CATEGORY_QUESTION[Category.SAFETY]
    assert "safe" in comment.questions[1]
    assert comment.summary.startswith("Stopping a risky action")


def test_stop_correction_asks_about_the_checkpoint() -> None:
    comment = RuleMentor().on_correction("stop", "Stop and revert to the last checkpoint.", "run: pip install leftpad")
    assert_socratic(comment)
    assert comment.questions[0] == "What did you see that made going back safer than carrying on?"
    assert "checkpoint" in comment.questions[1]
    assert mentor_module.MISSING_INSTEAD not in comment.missing  # going back is the instruction
    assert mentor_module.MISSING_FIT not in comment.missing


def test_questions_differ_by_category() -> None:
    firsts = {
        category: RuleMentor().on_correction(category.value, "Use the existing helper in utils/dates.py instead.", PROPOSAL).questions
        for category in Category
    }
    assert len(set(firsts.values())) == len(Category)


def test_unknown_category() -> None:
    comment = RuleMentor().on_correction("bogus", "use pathlib instead of os.path in io.py", "run: x")
    assert_socratic(comment)
    assert "'bogus' is not one of the correction categories" in comment.summary
    assert mentor_module.MISSING_CATEGORY in comment.missing
    assert "categories" in comment.questions[0]


def test_category_enum_is_accepted() -> None:
    by_enum = RuleMentor().on_correction(Category.VERIFY, "Run pytest and show me the output first.", PROPOSAL)  # type: ignore[arg-type]
    assert by_enum == RuleMentor().on_correction("verify", "Run pytest and show me the output first.", PROPOSAL)


@settings(max_examples=60, deadline=None)
@given(category=st.sampled_from([c.value for c in Category] + ["", "nope"]), message=st.text(max_size=200), proposal=st.text(max_size=200))
def test_any_correction_gets_a_well_formed_comment(category: str, message: str, proposal: str) -> None:
    comment = RuleMentor().on_correction(category, message, proposal)
    assert_socratic(comment)
    assert comment.checkable is None and comment.bounded is None


# --------------------------------------------------------------------------- ClaudeMentor


async def test_goal_request_shape_and_reply() -> None:
    client = StubClient(message(SimpleNamespace(type="text", text="Let me think."), tool_block(GOAL_REPLY)))
    mentor = ClaudeMentor(client=client, model="claude-test")
    comment = await mentor.on_goal(GOOD_GOAL, TASK)

    assert comment == MentorComment(
        about="goal", summary=GOAL_REPLY["summary"], questions=tuple(GOAL_REPLY["questions"]),
        checkable=True, bounded=True, missing=(), source="claude",
    )
    assert comment.label == "Mentor (Claude)"
    (call,) = client.calls
    assert call["model"] == "claude-test"
    assert call["system"] == [{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}]
    assert call["tool_choice"] == {"type": "tool", "name": "mentor_feedback"}
    assert call["tools"] == [MENTOR_TOOL]
    assert "stream" not in call
    assert isinstance(call["max_tokens"], int) and call["max_tokens"] > 0
    text = user_text(call)
    assert GOOD_GOAL in text and TASK in text
    assert "<goal>" in text and "<task>" in text


def test_tool_schema_matches_the_comment_fields() -> None:
    schema = MENTOR_TOOL["input_schema"]
    assert MENTOR_TOOL["name"] == "mentor_feedback"
    assert set(schema["properties"]) == {"summary", "questions", "checkable", "bounded", "missing"}
    assert set(schema["required"]) == set(schema["properties"])
    assert schema["properties"]["questions"]["maxItems"] == 3


def test_system_prompt_is_socratic_and_plain() -> None:
    for phrase in ("Socratically", "Never rewrite", "never give the answer", "Plain text", "mentor_feedback"):
        assert phrase in SYSTEM


async def test_goal_without_task_sends_no_task() -> None:
    client = StubClient(message(tool_block(GOAL_REPLY)))
    await ClaudeMentor(client=client, model="m").on_goal("fix it")
    assert "<task>" not in user_text(client.calls[0])


async def test_correction_request_and_reply() -> None:
    client = StubClient(message(tool_block(CORRECTION_REPLY)))
    comment = await ClaudeMentor(client=client, model="m").on_correction("test", "Fix paginate(), not the test.", PROPOSAL)
    assert comment.source == "claude" and comment.about == "correction"
    assert comment.checkable is None and comment.bounded is None
    assert comment.missing == ("why the current code is wrong",)
    text = user_text(client.calls[0])
    assert PROPOSAL in text and "Fix paginate(), not the test." in text
    assert Category.TEST.meaning in text


async def test_correction_ignores_goal_verdicts() -> None:
    reply = {**CORRECTION_REPLY, "checkable": True, "bounded": False}
    comment = await ClaudeMentor(client=StubClient(message(tool_block(reply))), model="m").on_correction("test", "x", "y")
    assert comment.source == "claude" and comment.checkable is None and comment.bounded is None


async def test_absurd_lengths_are_trimmed() -> None:
    reply = {
        "summary": "Long. " * 500,
        "questions": ["Why " + "really " * 200 + "?", "Second?", "Third?", "Fourth?", "Not a question."],
        "checkable": False,
        "bounded": True,
        "missing": [f"thing {n} " + "x" * 500 for n in range(20)],
    }
    comment = await ClaudeMentor(client=StubClient(message(tool_block(reply))), model="m").on_goal("g")
    assert comment.source == "claude"
    assert len(comment.summary) <= mentor_module.MAX_SUMMARY_CHARS
    assert len(comment.questions) == 3
    assert comment.questions[1:] == ("Second?", "Third?")
    assert all(len(question) <= mentor_module.MAX_QUESTION_CHARS for question in comment.questions)
    assert len(comment.missing) == mentor_module.MAX_MISSING
    assert all(len(item) <= mentor_module.MAX_MISSING_CHARS for item in comment.missing)


async def test_reply_text_is_made_plain() -> None:
    reply = {**GOAL_REPLY, "summary": "Good\x1b[31m goal.\n\nReally.", "questions": ["Why\tnow?\x07"]}
    comment = await ClaudeMentor(client=StubClient(message(tool_block(reply))), model="m").on_goal("g")
    assert comment.summary == "Good[31m goal. Really."
    assert comment.questions == ("Why now?",)


MALFORMED = [
    pytest.param(message(SimpleNamespace(type="text", text="Nice goal!"), stop_reason="end_turn"), "no mentor_feedback call", id="text-only"),
    pytest.param(message(tool_block(GOAL_REPLY, name="other_tool")), "no mentor_feedback call", id="wrong-tool"),
    pytest.param(message(tool_block("not a dict")), "not an object", id="input-not-object"),
    pytest.param(message(tool_block({**GOAL_REPLY, "summary": ""})), "summary", id="empty-summary"),
    pytest.param(message(tool_block({**GOAL_REPLY, "summary": 3})), "summary", id="summary-not-text"),
    pytest.param(message(tool_block({**GOAL_REPLY, "questions": "Why?"})), "questions", id="questions-not-list"),
    pytest.param(message(tool_block({**GOAL_REPLY, "questions": []})), "no questions", id="no-questions"),
    pytest.param(message(tool_block({**GOAL_REPLY, "questions": ["Do this.", "Then that."]})), "no questions", id="instructions"),
    pytest.param(message(tool_block({**GOAL_REPLY, "questions": ["Why?", 7]})), "questions", id="question-not-text"),
    pytest.param(message(tool_block({**GOAL_REPLY, "checkable": "yes"})), "checkable", id="checkable-not-bool"),
    pytest.param(message(tool_block({k: v for k, v in GOAL_REPLY.items() if k != "bounded"})), "bounded", id="bounded-absent"),
    pytest.param(message(tool_block({**GOAL_REPLY, "missing": "scope"})), "missing", id="missing-not-list"),
    pytest.param(SimpleNamespace(content=None), "no content", id="no-content"),
]


@pytest.mark.parametrize(("reply", "why"), MALFORMED)
async def test_malformed_reply_falls_back_with_a_notice(reply: Any, why: str) -> None:
    comment = await ClaudeMentor(client=StubClient(reply), model="m").on_goal("fix it", TASK)
    expected = RuleMentor().on_goal("fix it", TASK)
    assert comment.source == "rules" and comment.label == "Mentor (offline rules)"
    assert (comment.summary, comment.questions, comment.checkable, comment.bounded) == (
        expected.summary, expected.questions, expected.checkable, expected.bounded,
    )
    assert comment.notice.startswith("Claude's reply was malformed")
    assert why in comment.notice
    assert comment.notice.endswith("using the offline rules instead.")
    assert "\n" not in comment.notice


async def test_missing_field_may_be_absent() -> None:
    reply = {k: v for k, v in GOAL_REPLY.items() if k != "missing"}
    comment = await ClaudeMentor(client=StubClient(message(tool_block(reply))), model="m").on_goal("g")
    assert comment.source == "claude" and comment.missing == ()


async def test_connection_error_falls_back_with_a_notice() -> None:
    client = StubClient(connection_error())
    comment = await ClaudeMentor(client=client, model="m").on_correction("test", "no", PROPOSAL)
    assert comment.source == "rules" and comment.about == "correction"
    assert comment.questions == RuleMentor().on_correction("test", "no", PROPOSAL).questions
    assert comment.notice.startswith("Cannot reach the API")
    assert "offline rules" in comment.notice


async def test_authentication_error_falls_back_with_a_notice() -> None:
    comment = await ClaudeMentor(client=StubClient(authentication_error()), model="m").on_goal(GOOD_GOAL)
    assert comment.source == "rules"
    assert comment.checkable is True and comment.bounded is True
    assert "refused (401)" in comment.notice and "invalid x-api-key" in comment.notice
    assert "\n" not in comment.notice and len(comment.notice) <= mentor_module.MAX_NOTICE_CHARS


async def test_any_other_exception_falls_back() -> None:
    comment = await ClaudeMentor(client=StubClient(RuntimeError("boom")), model="m").on_goal("fix it")
    assert comment.source == "rules"
    assert "RuntimeError: boom" in comment.notice


async def test_slow_reply_times_out_and_falls_back() -> None:
    client = StubClient(message(tool_block(GOAL_REPLY)), delay=5)
    comment = await ClaudeMentor(client=client, model="m", timeout=0.05).on_goal("fix it")
    assert comment.source == "rules"
    assert comment.notice == "Claude did not answer in time; using the offline rules instead."


async def test_real_sdk_connection_refused_falls_back() -> None:
    import anthropic

    client = anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url="http://127.0.0.1:9", max_retries=0, timeout=5)
    try:
        comment = await ClaudeMentor(client=client, model="m").on_goal("fix it")
    finally:
        await client.close()
    assert comment.source == "rules"
    assert comment.notice.startswith("Cannot reach the API")


async def test_custom_fallback_is_used() -> None:
    class Fixed(RuleMentor):
        def on_goal(self, goal: str, task: str = "") -> MentorComment:
            return MentorComment("goal", "Fixed.", ("Why?",), None, None, (), "rules")

    comment = await ClaudeMentor(client=StubClient(RuntimeError("x")), model="m", fallback=Fixed()).on_goal("g")
    assert comment.summary == "Fixed." and comment.notice


async def test_client_and_model_are_made_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.agent import client as client_module

    made: list[dict[str, Any]] = []
    stub = StubClient(message(tool_block(GOAL_REPLY)))

    def fake_make_client(**kwargs: Any) -> StubClient:
        made.append(kwargs)
        return stub

    monkeypatch.setattr(client_module, "make_client", fake_make_client)
    monkeypatch.setattr(client_module, "newest_sonnet", lambda: "claude-sonnet-test")
    mentor = ClaudeMentor()
    assert made == []
    await mentor.on_goal("g")
    await mentor.on_goal("h")
    assert len(made) == 1
    assert [call["model"] for call in stub.calls] == ["claude-sonnet-test", "claude-sonnet-test"]


def test_parse_reply_is_public_and_strict() -> None:
    comment = parse_reply(message(tool_block(GOAL_REPLY)), "goal")
    assert comment.source == "claude"
    with pytest.raises(mentor_module.MalformedReply):
        parse_reply(message(tool_block({**GOAL_REPLY, "checkable": None})), "goal")


# --------------------------------------------------------------------------- mentor_for and imports


def test_mentor_for(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    assert mentor_for() is None
    assert mentor_for(False) is None
    assert isinstance(mentor_for(True), ClaudeMentor)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    forced = mentor_for(model="claude-x")
    assert isinstance(forced, ClaudeMentor) and forced.model == "claude-x"
    assert mentor_for(False) is None


def test_importing_and_using_the_rules_does_not_load_anthropic() -> None:
    code = (
        "import sys\n"
        "import tutor.agent.mentor as m\n"
        "m.RuleMentor().on_goal('fix it', 'task')\n"
        "m.RuleMentor().on_correction('test', 'no', 'edit x')\n"
        "m.ClaudeMentor(model='x')\n"
        "m.mentor_for(False)\n"
        "print('anthropic' in sys.modules, 'httpx2' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
