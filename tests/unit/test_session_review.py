"""A senior's review of a learner's session: the trajectory read from the journal, and reviews stored beside it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.helpers.live_support import LEARNER_GOAL, make_user_repo, play_learner_session
from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
from tutor.record.session_trajectory import (
    Mark,
    Review,
    ReviewFormatError,
    call_preview,
    describe_decision,
    new_review,
    reviewer_slug,
    trajectory_from_records,
)
from tutor.services.live import SessionError, journal_path, resume_session, session_records
from tutor.services.session_reviews import (
    list_session_entries,
    load_review,
    load_reviews,
    load_trajectory,
    review_path,
    save_review,
)
from tutor.settings import Settings

GOAL = LEARNER_GOAL
SECRET = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


def turns() -> list[AgentTurn]:
    return [
        AgentTurn("I'll make the test pass.", (ToolCall("bad", "write_file", {"path": "test_app.py", "content": "print('ok')\n"}),
                                               ToolCall("also", "run", {"command": "python3 test_app.py"}))),
        AgentTurn("Fixing add instead.", (ToolCall("fix", "edit_file", {"path": "app.py", "old": "return a - b", "new": "return a + b"}),)),
        AgentTurn("Checking.", (ToolCall("check", "run", {"command": "python3 test_app.py"}),)),
        AgentTurn("Done: add adds."),
    ]


async def learner_session(repo: Path, *, end: bool = True) -> str:
    """A pair session as a learner lives it: a correction, a right and a wrong prediction."""
    return await play_learner_session(repo, turns(), end=end)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_user_repo(tmp_path)


# -- the trajectory


async def test_the_trajectory_puts_each_learner_decision_beside_its_call(repo: Path) -> None:
    session_id = await learner_session(repo)
    trajectory = load_trajectory(session_id)
    kinds = [step.kind for step in trajectory.steps]
    assert kinds[0] == "goal" and kinds[-1] == "end"
    assert kinds.count("call") == 4 and kinds.count("agent") == 4
    assert trajectory.goal == GOAL and trajectory.mode == "pair" and trajectory.task == "fix add"
    calls = {step.call.call_id: step for step in trajectory.steps if step.call is not None}
    bad, also, fix, check = (calls[i].call for i in ("bad", "also", "fix", "check"))
    assert bad.decision == "corrected" and bad.correction["category"] == "test" and bad.prediction == {"outcome": "works", "confidence": "high"}
    assert also.decision == "stopped" and also.result is None
    assert fix.decision == "ran" and fix.result["ok"] and fix.prediction_right is True
    assert check.decision == "ran" and check.prediction_right is False and check.command == "python3 test_app.py"
    assert describe_decision(check, who="You") == [
        "You predicted: it fails (low confidence)", "You let it run", "Result: it worked (exit code 0) · prediction wrong",
    ]
    assert "corrected it (test): Do not touch the test" in describe_decision(bad)[1]
    # An edit that ran shows the diff its result recorded; one that never ran, its text against the replacement.
    assert call_preview(fix) == ("diff", "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b")
    unrun = dataclasses.replace(fix, result=None, decision="waiting")
    assert call_preview(unrun) == ("diff", "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-return a - b\n+return a + b")
    assert call_preview(check) == ("command", "python3 test_app.py")
    kind, text = call_preview(bad)
    assert kind == "diff" and text.startswith("(the whole file, as written)") and "+print('ok')" in text
    assert "1/2 predictions right" in trajectory.tally and "2 ran" in trajectory.tally


async def test_step_ids_come_from_the_journal_and_survive_the_session_going_on(repo: Path) -> None:
    session_id = await learner_session(repo, end=False)
    before = load_trajectory(session_id)
    ids = [step.id for step in before.steps]
    assert len(set(ids)) == len(ids)
    records = session_records(session_id)
    first_assistant = next(r["seq"] for r in records if r["kind"] == "assistant")
    assert f"agent-{first_assistant}" in ids and f"call-{first_assistant}-2" in ids
    session = resume_session(session_id, settings=Settings(), agent=ScriptedAgent([AgentTurn("More.")]))
    session.loop.prompt("One more thing: add a docstring.")
    await session.loop.advance()
    session.loop.end()
    session.close()
    after = load_trajectory(session_id)
    assert [step.id for step in after.steps][: len(ids)] == ids
    assert [step.kind for step in after.steps][len(ids):] == ["prompt", "agent", "end"]


def test_a_journal_of_odd_records_still_makes_a_trajectory() -> None:
    records = [
        {"seq": 1, "at": 10.0, "kind": "session", "mode": "record", "task": "t"},
        {"seq": 2, "at": 11.0, "kind": "goal", "text": "g"},
        {"seq": 3, "at": 12.0, "kind": "assistant", "content": [], "calls": [{"id": "c1", "tool": "run", "input": {"command": "ls"}}]},
        {"seq": 7, "at": 12.5, "kind": "assistant", "content": [], "calls": ["junk"]},
        {"seq": 4, "at": 13.0, "kind": "annotation", "target": {"call": "c1"}, "text": "Watch this one."},
        {"seq": 5, "at": 13.5, "kind": "mystery"},
        {"seq": 6, "at": 14.0, "kind": "failure", "message": "overloaded"},
    ]
    trajectory = trajectory_from_records(records, session_id="s")
    assert [step.id for step in trajectory.steps] == ["goal-2", "call-3-1", "failure-6"]
    call = trajectory.steps[1]
    assert call.call.decision == "waiting" and call.notes == ("Watch this one.",)
    assert trajectory.find("call-3-1") is call and trajectory.index("nope") is None
    assert len(trajectory.problems) == 1 and "record 7 (assistant)" in trajectory.problems[0]


# -- reviews


def test_a_review_round_trips_and_keeps_one_mark_per_step() -> None:
    review = new_review("s1", "  Sam Senior ").with_mark(Mark("call-3-1", "test", "first")).with_mark(Mark("call-5-1", "verify"))
    review = review.with_mark(Mark("call-3-1", "scope", "second thoughts"))
    assert [(m.step, m.category) for m in review.marks] == [("call-5-1", "verify"), ("call-3-1", "scope")]
    assert review.reviewer == "Sam Senior"
    again = Review.from_data(json.loads(json.dumps(review.to_data())))
    assert again == review and again.mark_for("call-3-1").comment == "second thoughts"
    assert again.without_mark("call-5-1").marks == (Mark("call-3-1", "scope", "second thoughts"),)
    with pytest.raises(ValueError):
        Mark("x", "not-a-category")
    for bad in ([], {"format": "nope"}, {"format": "tutor.session-review/1"},
                {"format": "tutor.session-review/1", "reviewer": "a", "marks": [{"step": "x", "category": "bogus"}]}):
        with pytest.raises(ReviewFormatError):
            Review.from_data(bad)
    assert reviewer_slug("Sam O'Senior") == "sam-o-senior" and reviewer_slug("  ") == "reviewer" and reviewer_slug("../..") == "reviewer"


async def test_reviews_are_stored_beside_the_journal_redacted_and_never_in_it(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session_id = await learner_session(repo)
    journal_before = journal_path(session_id).read_bytes()
    trajectory = load_trajectory(session_id)
    call = next(step for step in trajectory.steps if step.kind == "call")
    review = new_review(session_id, "Sam Senior", seen_seq=trajectory.last_seq)
    review = review.with_mark(Mark(call.id, "test", f"Stop before it rewrites the test. Token {SECRET} leaked here."))
    review = review.__class__(**{**review.__dict__, "comment": "Good calibration overall."})
    stored, path = save_review(review, clock=0.0)
    assert path == journal_path(session_id).parent / "reviews" / "sam-senior.json"
    assert path == review_path(session_id, "Sam Senior")
    text = path.read_text()
    assert SECRET not in text and "[REDACTED:" in text and stored.at == "1970-01-01T00:00:00Z"
    assert journal_path(session_id).read_bytes() == journal_before
    assert not list(path.parent.glob(".*.tmp"))
    again = load_review(session_id, "sam senior")
    assert again is not None and again.marks[0].step == call.id and again.comment == "Good calibration overall."
    assert load_review(session_id, "Someone Else") is None


async def test_a_corrupt_review_is_one_line_and_the_others_still_show(repo: Path) -> None:
    session_id = await learner_session(repo)
    save_review(new_review(session_id, "Ann").with_mark(Mark("goal-2", "goal", "vague")))
    save_review(new_review(session_id, "Bob"))
    folder = journal_path(session_id).parent / "reviews"
    (folder / "broken.json").write_text('{"format": "tutor.session-review/1", "reviewer": ')
    (folder / "wrong.json").write_text('{"format": "tutor.session-review/1", "reviewer": "Eve", "marks": [{"step": "x", "category": "nope"}]}')
    read = load_reviews(session_id)
    assert read.reviewers == ("Ann", "Bob")
    assert len(read.problems) == 2 and all("\n" not in problem and "skipped" in problem for problem in read.problems)
    assert any("broken.json: not valid JSON" in problem for problem in read.problems)
    assert any("unknown category 'nope'" in problem for problem in read.problems)
    [entry] = list_session_entries()
    assert entry.id == session_id and entry.reviewers == ("Ann", "Bob") and entry.marks == 1 and len(entry.problems) == 2


def test_a_bad_session_id_is_a_session_error() -> None:
    for bad in ("../etc", "", "no-such-session"):
        with pytest.raises(SessionError):
            load_trajectory(bad)
        with pytest.raises(SessionError):
            save_review(new_review(bad, "Ann"))


# -- the command line


def test_review_session_help_and_a_bad_id_in_one_line() -> None:
    from click.testing import CliRunner

    from tutor.cli import cli

    runner = CliRunner()
    shown = runner.invoke(cli, ["review-session", "--help"])
    assert shown.exit_code == 0 and "--reviewer NAME" in shown.output and "would have intervened" in shown.output
    for bad in ("no-such-session", "../../etc"):
        result = runner.invoke(cli, ["review-session", bad])
        assert result.exit_code == 1
        assert result.output.count("\n") == 1 and result.output.startswith("tutor: ") and "session" in result.output


async def test_review_session_without_a_terminal_says_so(repo: Path) -> None:
    from click.testing import CliRunner

    from tutor.cli import cli

    session_id = await learner_session(repo)
    result = CliRunner().invoke(cli, ["review-session", session_id, "--reviewer", "Sam"])
    assert result.exit_code == 1 and "needs a terminal" in result.output
