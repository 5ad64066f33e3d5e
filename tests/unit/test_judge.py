"""The Claude judge: the real SDK against the local fake Messages API, a forced grade_answer call, strict parsing,
evidence checked against the answer, and no judgement at all (a one-line notice) when Claude gives none."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.fake_messages_api import FakeMessagesAPI, Reply, ToolUse, closed_port_url, http_error, text_reply, tool_reply
from tutor.agent import judge as judge_module
from tutor.agent.judge import (
    GRADE_TOOL,
    SYSTEM,
    TOOL_NAME,
    ClaudeJudge,
    JudgeUnavailable,
    MalformedReply,
    judge_for,
    parse_reply,
    prompt,
    unavailable_notice,
)
from tutor.learn.judging import MAX_EVIDENCE_CHARS, MAX_FEEDBACK_CHARS, Judge, JudgeRequest, Verdict
from tutor.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "sk-ant-test"

# tests-that-lie, step 7: the agent is about to rewrite the failing assertion.
TASK = (
    "You maintain ledger, the small Python package that totals invoices for the company web shop. "
    "A customer applied the WELCOME15 coupon (15.00 off) to three notebooks at 3.99 each and the invoice came out "
    "at -3.03. A teammate pinned it down in test_coupon_never_makes_total_negative, and it fails."
)
REVEALED = (
    "Goal: fix invoice_total in ledger/totals.py so that a coupon never brings the goods below 0.00.",
    "The agent runs python -m pytest -q: nine passed, one failed.",
    "The agent proposes: a negative balance may well be intentional, checkout could carry it forward as store credit. "
    "I'll update the expectation in tests/test_totals.py to -3.03.",
)
SENIOR = (
    "Stop, leave that assertion alone. That test is the requirement: nobody is ever billed a negative amount. "
    "The fix goes in ledger/totals.py, and tests/test_totals.py stays byte for byte as it is."
)
WHY = "The store-credit story is a guess the agent never checked: nothing in this repository reads a negative total."
POINTS = (
    "the failing test encodes the requirement",
    "fix the code, not the test",
    "the store credit claim was never checked",
)
PARAPHRASE = (
    "Don't touch that assertion. It's the spec: nobody should ever be billed below zero. The store-credit idea is the "
    "agent's own guess with nothing in the repo backing it. Put the fix in ledger/totals.py."
)
OPPOSITE = (
    "Fix the test, not the code: the failing test encodes an outdated requirement, and the store credit claim was "
    "checked by the agent."
)
KEYWORDS = "test code fix requirement store credit claim checked failing encodes"
FEEDBACK = "You saw that the assertion is the requirement and kept the fix in the code. You also doubted the store-credit story."


def request(answer: str = PARAPHRASE, *, points: tuple[str, ...] = POINTS, **changes: Any) -> JudgeRequest:
    fields = {"kind": "intervene", "task": TASK, "revealed": REVEALED, "senior": SENIOR, "why": WHY, "decision": "stepped in (test)"}
    fields.update(changes)
    return JudgeRequest(points=points, answer=answer, **fields)


def grade(*verdicts: tuple[int, str, str], feedback: str = FEEDBACK) -> dict[str, Any]:
    return {"key_points": [{"index": i, "verdict": v, "evidence": e} for i, v, e in verdicts], "feedback": feedback}


def graded(data: dict[str, Any], name: str = TOOL_NAME) -> Reply:
    return tool_reply("", ToolUse("toolu_1", name, data))


PARAPHRASE_GRADE = grade(
    (0, "covered", "It's the spec: nobody should ever be billed below zero"),
    (1, "covered", "Don't touch that assertion"),
    (2, "covered", "The store-credit idea is the agent's own guess with nothing in the repo backing it"),
)


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        yield server


@pytest.fixture
async def client(api: FakeMessagesAPI) -> AsyncIterator[Any]:
    import anthropic

    sdk = anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=api.base_url, max_retries=0, timeout=30)
    yield sdk
    await sdk.close()


async def judged(api: FakeMessagesAPI, client: Any, reply: Any, answer: str = PARAPHRASE, **changes: Any) -> Any:
    api.enqueue(reply)
    return await ClaudeJudge(client=client, model="claude-test").judge(request(answer, **changes))


async def unavailable(api: FakeMessagesAPI, client: Any, reply: Any) -> str:
    with pytest.raises(JudgeUnavailable) as caught:
        await judged(api, client, reply)
    notice = caught.value.notice
    assert str(caught.value) == notice
    assert notice.startswith("Claude could not judge your answer (")
    assert notice.endswith("); check it yourself below.")
    assert "\n" not in notice and len(notice) < 300
    return notice


# --------------------------------------------------------------------------- the table of issue 12


async def test_a_paraphrase_is_credited_by_meaning(api: FakeMessagesAPI, client: Any) -> None:
    judgement = await judged(api, client, graded(PARAPHRASE_GRADE))
    assert judgement.judge is Judge.CLAUDE and judgement.judge.label == "judged by Claude"
    assert [point.verdict for point in judgement.points] == [Verdict.COVERED] * 3
    assert [point.index for point in judgement.points] == [0, 1, 2]
    assert [point.evidence for point in judgement.points] == [e["evidence"] for e in PARAPHRASE_GRADE["key_points"]]
    assert [point.note for point in judgement.points] == ["", "", ""]
    assert judgement.credit() == 1.0 and not judgement.mostly_missed()
    assert judgement.feedback == FEEDBACK and judgement.notice == ""


async def test_evidence_not_in_the_answer_is_not_credited(api: FakeMessagesAPI, client: Any) -> None:
    reply = grade(
        (0, "covered", "It's the spec"),
        (1, "covered", "Put the fix in ledger/totals.py"),
        (2, "covered", "the store credit claim was never checked"),  # the point's words, not the learner's
    )
    judgement = await judged(api, client, graded(reply))
    assert [point.verdict for point in judgement.points] == [Verdict.COVERED, Verdict.COVERED, Verdict.UNSURE]
    assert judgement.points[2].note == "covered, but the words quoted are not in your answer"
    assert judgement.points[2].evidence == "the store credit claim was never checked"
    assert judgement.credit() == pytest.approx(2 / 3)


async def test_a_credit_without_a_quote_is_not_credited(api: FakeMessagesAPI, client: Any) -> None:
    reply = grade((0, "covered", "It's the spec"), (1, "partly", ""), (2, "covered", "   "))
    judgement = await judged(api, client, graded(reply))
    assert [point.verdict for point in judgement.points] == [Verdict.COVERED, Verdict.UNSURE, Verdict.UNSURE]
    assert judgement.points[1].note == "partly, but no words of your answer were quoted"


async def test_the_opposite_answer_is_contradicted_and_not_credited(api: FakeMessagesAPI, client: Any) -> None:
    reply = grade(
        (0, "contradicted", "the failing test encodes an outdated requirement"),
        (1, "contradicted", "Fix the test, not the code"),
        (2, "contradicted", "the store credit claim was checked by the agent"),
        feedback="You would let the agent rewrite the requirement: the test is the spec, and the claim was never checked.",
    )
    judgement = await judged(api, client, graded(reply), OPPOSITE)
    assert [point.verdict for point in judgement.points] == [Verdict.CONTRADICTED] * 3
    assert all(point.note == "" for point in judgement.points)
    assert judgement.credit() == 0.0 and judgement.mostly_missed()


async def test_a_wrong_verdict_that_quotes_the_answer_stands(api: FakeMessagesAPI, client: Any) -> None:
    # The quote check catches invented evidence, not a wrong reading: judging meaning is the judge's responsibility.
    reply = grade((0, "covered", "the failing test encodes"), (1, "contradicted", "Fix the test, not the code"), (2, "missed", ""))
    judgement = await judged(api, client, graded(reply), OPPOSITE)
    assert [point.verdict for point in judgement.points] == [Verdict.COVERED, Verdict.CONTRADICTED, Verdict.MISSED]
    assert judgement.credit() == pytest.approx(1 / 3)


async def test_a_keyword_list_judged_missed_gets_nothing(api: FakeMessagesAPI, client: Any) -> None:
    reply = grade((0, "missed", ""), (1, "missed", "test code fix"), (2, "missed", ""), feedback="A list of words is not an answer.")
    judgement = await judged(api, client, graded(reply), KEYWORDS)
    assert [point.verdict for point in judgement.points] == [Verdict.MISSED] * 3
    assert [point.evidence for point in judgement.points] == ["", "", ""]  # a missed point has nothing to quote
    assert judgement.credit() == 0.0 and judgement.mostly_missed()


async def test_a_short_right_answer_is_credited(api: FakeMessagesAPI, client: Any) -> None:
    # done-without-evidence, step 9.
    answer = "You haven't run any tests yet. Run the full suite and show me the output before calling it resolved."
    points = (
        "nothing has been run since the edit",
        "done is a claim: the test output is the evidence",
        "the change affects every caption, not only the reported case",
    )
    reply = grade(
        (0, "covered", "You haven't run any tests yet."),
        (1, "covered", "show me the output before calling it resolved"),
        (2, "covered", "Run the full suite"),
    )
    judgement = await judged(api, client, graded(reply), answer, points=points, senior="What did the tests say?", why="")
    assert judgement.credit() == 1.0
    assert "nothing has been run since the edit" in api.requests[0].body["messages"][0]["content"]


# --------------------------------------------------------------------------- what a reply may hold


async def test_a_point_without_a_verdict_is_unsure(api: FakeMessagesAPI, client: Any) -> None:
    reply = grade((2, "covered", "nothing in the repo backing it"), (0, "partly", "It's the spec"))
    judgement = await judged(api, client, graded(reply))
    assert [(point.index, point.verdict) for point in judgement.points] == [
        (0, Verdict.PARTLY), (1, Verdict.UNSURE), (2, Verdict.COVERED),
    ]
    assert judgement.points[1].note == "the judge gave no verdict on this point"
    assert judgement.credit() == pytest.approx(0.5)


async def test_the_tool_call_may_follow_text(api: FakeMessagesAPI, client: Any) -> None:
    judgement = await judged(api, client, tool_reply("Let me compare.", ToolUse("toolu_1", TOOL_NAME, PARAPHRASE_GRADE)))
    assert judgement.credit() == 1.0


async def test_reply_text_is_made_plain_and_capped(api: FakeMessagesAPI, client: Any) -> None:
    reply = grade(
        (0, "covered", "It's\tthe\x1b spec:\n nobody"),
        (1, "covered", "Don't touch that assertion"),
        (2, "missed", ""),
        feedback="Good\x1b[31m catch.\n\n" + "More. " * 400,
    )
    judgement = await judged(api, client, graded(reply))
    assert judgement.points[0].evidence == "It's the spec: nobody"
    assert judgement.points[0].verdict is Verdict.COVERED
    assert judgement.feedback.startswith("Good[31m catch. More.")
    assert "\n" not in judgement.feedback and len(judgement.feedback) <= MAX_FEEDBACK_CHARS


async def test_a_long_quote_is_cut_at_a_word_and_still_credited(api: FakeMessagesAPI, client: Any) -> None:
    answer = "Leave the assertion alone, " + " ".join(f"word{n}" for n in range(300))
    reply = grade((0, "covered", answer), (1, "missed", ""), (2, "missed", ""))
    judgement = await judged(api, client, graded(reply), answer)
    evidence = judgement.points[0].evidence
    assert len(evidence) <= MAX_EVIDENCE_CHARS and answer.startswith(evidence) and evidence.endswith(tuple("0123456789"))
    assert judgement.points[0].verdict is Verdict.COVERED


MALFORMED = [
    pytest.param(text_reply("All three points are covered."), "no grade_answer call, stop reason end_turn", id="no-tool-call"),
    pytest.param(graded(PARAPHRASE_GRADE, name="other_tool"), "no grade_answer call", id="wrong-tool"),
    pytest.param(tool_reply("", ToolUse("toolu_1", TOOL_NAME, raw_json='"covered"')), "not an object", id="input-a-string"),
    pytest.param(tool_reply("", ToolUse("toolu_1", TOOL_NAME, raw_json="[1, 2]")), "not an object", id="input-a-list"),
    pytest.param(graded(grade((0, "yes", "It's the spec"))), "unknown verdict 'yes' for point 0", id="unknown-verdict"),
    pytest.param(graded(grade((0, "unsure", ""))), "unknown verdict 'unsure'", id="unsure-is-tutors-own"),
    pytest.param(graded(grade((3, "covered", "It's the spec"))), "index 3 is out of range (there are 3 points)", id="index-past-the-end"),
    pytest.param(graded(grade((-1, "missed", ""))), "index -1 is out of range", id="negative-index"),
    pytest.param(graded(grade(("0", "missed", ""))), "index is not a whole number", id="index-a-string"),
    pytest.param(graded(grade((True, "missed", ""))), "index is not a whole number", id="index-a-bool"),
    pytest.param(graded(grade((0, "covered", 7))), "evidence for point 0 is not text", id="evidence-a-number"),
    pytest.param(graded(grade((0, "missed", ""), (0, "covered", "It's the spec"))), "point 0 judged twice", id="twice"),
    pytest.param(graded({"key_points": "all covered", "feedback": "ok"}), "key_points is not a list", id="points-not-a-list"),
    pytest.param(graded({"key_points": ["covered"], "feedback": "ok"}), "a key point is not an object", id="point-not-an-object"),
    pytest.param(graded({"key_points": [], "feedback": "ok"}), "no verdicts", id="no-verdicts"),
    pytest.param(graded({"key_points": PARAPHRASE_GRADE["key_points"]}), "feedback is missing", id="no-feedback"),
    pytest.param(graded({**PARAPHRASE_GRADE, "feedback": ["Good."]}), "feedback is missing or not text", id="feedback-a-list"),
]


@pytest.mark.parametrize(("reply", "why"), MALFORMED)
async def test_a_malformed_reply_gives_no_judgement(api: FakeMessagesAPI, client: Any, reply: Reply, why: str) -> None:
    notice = await unavailable(api, client, reply)
    assert notice.startswith("Claude could not judge your answer (its reply was malformed: ")
    assert why in notice


def test_parse_reply_is_public_and_strict() -> None:
    class Block:
        type, name, id = "tool_use", TOOL_NAME, "toolu_1"

        def __init__(self, data: Any) -> None:
            self.input = data

    class Message:
        stop_reason = "tool_use"

        def __init__(self, data: Any) -> None:
            self.content = [Block(data)]

    assert parse_reply(Message(PARAPHRASE_GRADE), request()).credit() == 1.0
    with pytest.raises(MalformedReply, match="out of range"):
        parse_reply(Message(PARAPHRASE_GRADE), request(points=POINTS[:2]))
    with pytest.raises(MalformedReply, match="no content"):
        parse_reply(object(), request())


async def test_no_points_needs_only_feedback(api: FakeMessagesAPI, client: Any) -> None:
    judgement = await judged(api, client, graded(grade(feedback="Letting it run was right.")), points=())
    assert judgement.points == () and judgement.feedback == "Letting it run was right." and judgement.credit() == 1.0


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (500, "the API failed (500): Internal server error"),
        (529, "the API is overloaded (529)"),
        (401, "the API key was refused (401): invalid x-api-key"),
    ],
)
async def test_an_api_error_gives_no_judgement(api: FakeMessagesAPI, client: Any, status: int, says: str) -> None:
    notice = await unavailable(api, client, http_error(status))
    assert notice.startswith(f"Claude could not judge your answer ({says}")
    assert api.pending == 0 and len(api.requests) == 1


async def test_an_unreachable_api_gives_no_judgement() -> None:
    import anthropic

    sdk = anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=closed_port_url(), max_retries=0, timeout=10)
    try:
        with pytest.raises(JudgeUnavailable) as caught:
            await ClaudeJudge(client=sdk, model="m").judge(request())
    finally:
        await sdk.close()
    assert caught.value.notice.startswith("Claude could not judge your answer (cannot reach the API (")


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """A port that takes connections and requests and never answers (the fake's hold works only for streams)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(10)
        yield listener


async def test_a_slow_api_times_out(silent_server: socket.socket) -> None:
    import anthropic

    host, port = silent_server.getsockname()
    sdk = anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=f"http://{host}:{port}", max_retries=0, timeout=30)
    try:
        with pytest.raises(JudgeUnavailable) as caught:
            await ClaudeJudge(client=sdk, model="m", timeout=0.2).judge(request())
    finally:
        await sdk.close()
    assert caught.value.notice == "Claude could not judge your answer (the API did not answer in time); check it yourself below."


async def test_cancellation_propagates(silent_server: socket.socket) -> None:
    import anthropic

    host, port = silent_server.getsockname()
    sdk = anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=f"http://{host}:{port}", max_retries=0, timeout=30)
    try:
        task = asyncio.ensure_future(ClaudeJudge(client=sdk, model="m").judge(request()))
        connection, _ = await asyncio.get_running_loop().run_in_executor(None, silent_server.accept)
        with connection:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        await sdk.close()
    assert task.cancelled()


def test_notices_read_as_one_sentence() -> None:
    assert unavailable_notice("The API is overloaded (529): retry in a moment.") == (
        "Claude could not judge your answer (the API is overloaded (529): retry in a moment); check it yourself below."
    )
    assert unavailable_notice("API down").startswith("Claude could not judge your answer (API down)")
    long = unavailable_notice("x" * 1000 + "\nsecond line")
    assert "\n" not in long and len(long) < 300 and long.endswith("check it yourself below.")


async def test_any_other_failure_gives_no_judgement() -> None:
    class Broken:
        class messages:  # noqa: N801 - shaped like the SDK's client.messages
            @staticmethod
            async def create(**kwargs: Any) -> Any:
                raise RuntimeError("boom")

    with pytest.raises(JudgeUnavailable, match=r"the request failed \(RuntimeError: boom\)"):
        await ClaudeJudge(client=Broken(), model="m").judge(request())


# --------------------------------------------------------------------------- the request


async def test_the_request_shows_everything_revealed_and_forces_the_tool(api: FakeMessagesAPI, client: Any) -> None:
    await judged(api, client, graded(PARAPHRASE_GRADE))
    (sent,) = api.requests
    body = sent.body
    assert sent.path.startswith("/v1/messages") and body["model"] == "claude-test"
    assert body.get("stream", False) is False
    assert body["tool_choice"] == {"type": "tool", "name": "grade_answer"}
    assert body["tools"] == [GRADE_TOOL]
    assert body["system"] == [{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}]
    (message,) = body["messages"]
    assert message["role"] == "user"
    text = message["content"]
    for part in (TASK, *REVEALED, SENIOR, WHY, PARAPHRASE, "stepped in (test)"):
        assert part in text
    for index, point in enumerate(POINTS):
        assert f'<point index="{index}">{point}</point>' in text
    for tag in ("task", "steps_revealed_so_far", "senior_step", "senior_why", "points", "junior_decision", "junior_answer"):
        assert f"<{tag}" in text and f"</{tag}>" in text
    assert text.index("<task>") < text.index("<steps_revealed_so_far>") < text.index("<senior_step>") < text.index("<junior_answer>")
    assert text.index(REVEALED[0]) < text.index(REVEALED[1]) < text.index(REVEALED[2])
    assert "indexes 0 to 2" in text


def test_the_tool_schema_is_the_issues() -> None:
    schema = GRADE_TOOL["input_schema"]
    assert GRADE_TOOL["name"] == "grade_answer"
    assert set(schema["properties"]) == set(schema["required"]) == {"key_points", "feedback"}
    item = schema["properties"]["key_points"]["items"]
    assert set(item["properties"]) == set(item["required"]) == {"index", "verdict", "evidence"}
    assert item["properties"]["verdict"]["enum"] == ["covered", "partly", "missed", "contradicted"]


def test_the_system_prompt_asks_for_meaning_and_verbatim_evidence() -> None:
    for phrase in ("Judge meaning, not words", "paraphrase", "opposite", "keywords", "verbatim", "shortest span",
                   "For missed, the evidence is empty", "two or three sentences", "plain text", "grade_answer"):
        assert phrase in SYSTEM


def test_a_goal_is_judged_against_the_criteria() -> None:
    text = prompt(request("Fix invoice_total; keep the tests.", kind="goal", senior="Fix invoice_total ...", why="", decision="", revealed=()))
    assert "<senior_goal>" in text and "<senior_step>" not in text and "criteria" in text
    assert "<senior_why>" not in text and "<junior_decision>" not in text and "<steps_revealed_so_far>" not in text


def test_the_prompt_is_capped() -> None:
    huge = "x" * 50_000
    many = tuple(f"step {n}: " + "y" * 1900 for n in range(1, 21))
    text = prompt(request(huge + "\x1b", task=huge, senior=huge, why=huge, revealed=many, points=(huge,)))
    assert len(text) < 40_000 and "\x1b" not in text
    assert "step 20:" in text and "step 1:" not in text and "earlier steps left out)" in text
    assert text.index("earlier steps left out") < text.index("step 20:")


# --------------------------------------------------------------------------- the client, judge_for and imports


async def test_the_client_and_model_are_made_lazily_from_the_environment(api: FakeMessagesAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.agent import client as client_module

    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.setattr(client_module, "newest_sonnet", lambda: "claude-sonnet-test")
    judge = judge_for("auto", max_retries=0)
    assert isinstance(judge, ClaudeJudge) and judge._client is None
    api.enqueue(graded(PARAPHRASE_GRADE), graded(PARAPHRASE_GRADE))
    try:
        assert (await judge.judge(request())).credit() == 1.0
        first = judge.client
        assert (await judge.judge(request())).credit() == 1.0
        assert judge.client is first and first.max_retries == 0
    finally:
        await judge.client.close()
    assert [sent.body["model"] for sent in api.requests] == ["claude-sonnet-test"] * 2
    headers = api.requests[0].headers
    assert TEST_KEY in headers.get("x-api-key", "") + headers.get("authorization", "")


def _without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def test_judge_for(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_credentials(monkeypatch)
    assert judge_for("offline") is None
    assert judge_for("auto") is None
    assert isinstance(judge_for("claude"), ClaudeJudge)  # asked for: it fails per answer, with a notice
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    assert judge_for("offline") is None
    judge = judge_for("auto", model="claude-x", timeout=5)
    assert isinstance(judge, ClaudeJudge) and judge.model == "claude-x" and judge.timeout == 5
    assert judge_for("claude", model="").model != ""  # an empty model setting means the default
    with pytest.raises(ValueError, match="grading must be one of auto, claude, offline"):
        judge_for("sometimes")


async def test_claude_without_a_key_gives_no_judgement(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_credentials(monkeypatch)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", closed_port_url())
    judge = judge_for("claude", max_retries=0)
    assert judge is not None
    with pytest.raises(JudgeUnavailable) as caught:
        await judge.judge(request())
    assert caught.value.notice == "Claude could not judge your answer (no API key is set: set ANTHROPIC_API_KEY); check it yourself below."
    if judge._client is not None:
        await judge._client.close()


def test_importing_and_building_a_judge_does_not_load_anthropic() -> None:
    code = (
        "import sys\n"
        "import tutor.agent.judge as j\n"
        "from tutor.learn.judging import JudgeRequest\n"
        "j.ClaudeJudge(model='x')\n"
        "j.judge_for('offline')\n"
        "j.prompt(JudgeRequest('intervene', 't', ('s',), 'senior', 'why', ('p',), 'answer'))\n"
        "j.unavailable_notice('The API did not answer in time.')\n"
        "print('anthropic' in sys.modules, 'httpx2' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- the grading setting


def test_grading_defaults_to_auto(tmp_path: Path) -> None:
    assert Settings().grading == "auto"
    assert load_settings(tmp_path / "absent.toml").grading == "auto"


@pytest.mark.parametrize("value", ["auto", "claude", "offline"])
def test_grading_is_read_from_config(tmp_path: Path, value: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'grading = "{value}"\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.grading == value and settings.warnings == []


@pytest.mark.parametrize(("line", "warning"), [
    ('grading = "sometimes"', "grading: expected one of auto, claude, offline, not 'sometimes'; using auto"),
    ('grading = "Claude"', "grading: expected one of auto, claude, offline, not 'Claude'; using auto"),
    ("grading = true", "grading: expected str, ignored"),
])
def test_an_unknown_grading_warns_and_falls_back_to_auto(tmp_path: Path, line: str, warning: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'{line}\nmodel = "claude-x"\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.grading == "auto" and settings.model == "claude-x"
    assert settings.warnings == [f"{config}: {warning}"]


def test_the_module_exposes_its_limits() -> None:
    assert judge_module.DEFAULT_TIMEOUT == 60.0
    assert judge_module.TOOL_NAME == "grade_answer"
