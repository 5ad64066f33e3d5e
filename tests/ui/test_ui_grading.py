"""Grading a free-text answer in a lesson, as the learner meets it (Pilot).

Offline: after the reveal, the learner marks each of the senior's points (y, p, n) before
moving on, and the score follows the marks. With a key: Claude judges (the fake Messages
API), says so, and shows the learner's words as evidence; when it cannot judge, the
learner's own check takes over with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from textual.widgets import RadioSet, TextArea

from tests.helpers.fake_messages_api import FakeMessagesAPI, ToolUse, http_error, tool_reply
from tutor.agent.judge import ClaudeJudge
from tutor.cli import make_app
from tutor.paths import bundled_curricula_dir
from tutor.ui.app import TutorApp
from tutor.ui.start import LessonStart
from tutor.ui.widgets.point_check import PointCheck
from tests.helpers.ui_support import screen_text, squash, step_on, wait_for_text, wait_for_view, wait_until

LESSON = bundled_curricula_dir() / "steering-101" / "tests-that-lie"
SIZE = (120, 50)
PARAPHRASE = (
    "Don't touch that assertion. It's the spec: nobody should ever be billed below zero. The store-credit idea is the agent's "
    "own guess with nothing in the repo backing it. Put the fix in ledger/totals.py."
)


def the_ask() -> tuple[str, int, str, int]:
    """The first intervene ask on a correction with key points: its step id, 1-based number, the senior's category, the point count."""
    data = json.loads((LESSON / "lesson.json").read_text(encoding="utf-8"))
    for number, step in enumerate(data["steps"], 1):
        ask = step.get("ask") or {}
        if step["kind"] == "correction" and ask.get("type") == "intervene" and ask.get("key_points"):
            return step["id"], number, step["category"], len(ask["key_points"])
    raise AssertionError("no intervene ask on a correction")


async def answer_stepping_in(pilot, number: int, category: str, text: str) -> None:  # noqa: ANN001
    """Skip to the question at step `number` and answer it: step in, the senior's category, `text`."""
    app = pilot.app
    view = await wait_for_view(pilot, "the lesson")
    while not (view.awaiting_answer and view.cursor == number):
        view = await step_on(pilot)
    await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "decision", "the question's form")
    decision = app.screen.query_one("#decision", RadioSet)
    decision.query_one("#decision-correct").value = True
    app.screen.query_one(f"#category-{category}").value = True
    app.screen.query_one("#say", TextArea).insert(text)
    await wait_until(pilot, lambda: decision.pressed_button is not None and decision.pressed_button.id == "decision-correct", "step in chosen")
    await pilot.press("ctrl+s")
    await wait_for_view(pilot, "the step revealed", lambda view: not view.awaiting_answer)


@pytest.mark.parametrize(("marks", "score", "missed"), [("ypn", 0.875, False), ("nnn", 0.75, True), ("yyy", 1.0, False)])
async def test_offline_the_learner_marks_each_point_and_the_score_follows(marks: str, score: float, missed: bool) -> None:
    step_id, number, category, count = the_ask()
    assert count == 3
    app = make_app(lesson=LESSON)
    async with app.run_test(size=SIZE) as pilot:
        await answer_stepping_in(pilot, number, category, "Leave the assertion alone; the fix belongs in the code.")
        await wait_until(pilot, lambda: isinstance(app.focused, PointCheck), "the learner's own check, focused")
        text = squash(await wait_for_text(pilot, "Your own check", "mark the senior's points below"))
        assert "your words:" in text  # the matcher's hints beside the points
        # Moving on waits for the marks.
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("Mark every point first" in str(n.message) for n in app._notifications), "the marks asked for")  # noqa: SLF001
        assert app.screen._view.awaiting_judgement and not app.screen._view.can_next  # noqa: SLF001
        await pilot.press(*marks)
        await wait_until(pilot, lambda: app.screen.query_one(PointCheck).complete() is not None, "every point marked")
        await pilot.press("enter")
        view = await wait_for_view(pilot, "the marks recorded", lambda view: not view.awaiting_judgement)
        result = app.screen.run.replay.grade_of(step_id)
        assert result.score == score and result.missed is missed and result.judgement.judge.value == "self"
        await wait_for_text(pilot, f"{score:.0%}", "your own check", "The senior's points (your own check)")
        assert view.can_next
        before = view.cursor
        await pilot.press("n")
        await wait_for_view(pilot, "the next step", lambda view: view.cursor == before + 1)
    # The marks are stored with the answer: a new start shows the same grade, not the check again.
    again = make_app(lesson=LESSON)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_view(pilot, "the resumed lesson")
        assert again.screen.run.replay.grade_of(step_id).score == score


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-" + "k" * 40)
        yield server


def claude_app() -> TutorApp:
    from tutor.settings import load_settings

    return TutorApp(LessonStart(LESSON), settings=load_settings(), judge=ClaudeJudge(max_retries=0, timeout=10))


async def test_claude_judges_a_paraphrase_by_meaning_and_shows_the_evidence(api: FakeMessagesAPI) -> None:
    step_id, number, category, _ = the_ask()
    data = {
        "key_points": [
            {"index": 0, "verdict": "covered", "evidence": "It's the spec: nobody should ever be billed below zero"},
            {"index": 1, "verdict": "covered", "evidence": "Don't touch that assertion"},
            {"index": 2, "verdict": "partly", "evidence": "The store-credit idea is the agent's own guess"},
        ],
        "feedback": "You held the line on the test and named the unchecked claim.",
    }
    api.enqueue(tool_reply("", ToolUse("toolu_1", "grade_answer", data)))
    app = claude_app()
    async with app.run_test(size=SIZE) as pilot:
        await answer_stepping_in(pilot, number, category, PARAPHRASE)
        await wait_for_view(pilot, "Claude's judgement", lambda view: not view.awaiting_judgement)
        result = app.screen.run.replay.grade_of(step_id)
        assert result.judgement.judge.value == "claude" and result.score == pytest.approx(0.5 + 0.25 + 0.25 * 2.5 / 3)
        text = squash(await wait_for_text(pilot, "judged by Claude", "Don't touch that assertion", "named the unchecked claim"))
        assert "Your own check" not in text
        body = json.dumps(api.requests[-1].body)
        assert "billed below zero" in body and '"grade_answer"' in body


async def test_when_claude_cannot_judge_the_learner_checks_with_the_reason_shown(api: FakeMessagesAPI) -> None:
    step_id, number, category, count = the_ask()
    api.enqueue(http_error(500))
    app = claude_app()
    async with app.run_test(size=SIZE) as pilot:
        await answer_stepping_in(pilot, number, category, PARAPHRASE)
        await wait_until(pilot, lambda: isinstance(app.focused, PointCheck), "the learner's own check, after Claude failed")
        await wait_for_text(pilot, "Claude could not judge your answer", "Your own check")
        await pilot.press(*"y" * count, "enter")
        await wait_for_view(pilot, "the marks recorded", lambda view: not view.awaiting_judgement)
        judgement = app.screen.run.replay.grade_of(step_id).judgement
        assert judgement.judge.value == "self" and "Claude could not judge" in judgement.notice
        assert "Claude could not judge" in screen_text(app)
