"""`tutor grade LESSON STEP --answer FILE`: the issue's table of answers, judged offline and by Claude (the fake Messages API).

The table (tests-that-lie's intervene ask, key points "the failing test encodes the
requirement", "fix the code, not the test", "the store credit claim was never checked"):
the opposite answer is never credited, a keyword list is not an answer, a paraphrase is
credited by a judge that sees meaning and never contradicted by the matcher.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers.fake_messages_api import FakeMessagesAPI, ToolUse, http_error, tool_reply
from tutor.cli import cli
from tutor.paths import bundled_curricula_dir

STEERING = bundled_curricula_dir() / "steering-101"
TESTS_THAT_LIE = STEERING / "tests-that-lie"
DONE_WITHOUT_EVIDENCE = STEERING / "done-without-evidence"

OPPOSITE = "Fix the test, not the code: the failing test encodes an outdated requirement, and the store credit claim was checked by the agent."
KEYWORDS = "test code fix requirement store credit claim checked failing encodes"
PARAPHRASE = (
    "Don't touch that assertion. It's the spec: nobody should ever be billed below zero. The store-credit idea is the agent's "
    "own guess with nothing in the repo backing it. Put the fix in ledger/totals.py."
)
RUN_THE_SUITE = "You haven't run any tests yet. Run the full suite and show me the output before calling it resolved."


def intervene_step(lesson: Path) -> str:
    """The lesson's first intervene ask on a correction with key points (the issue's step, wherever it stands now)."""
    data = json.loads((lesson / "lesson.json").read_text(encoding="utf-8"))
    for step in data["steps"]:
        ask = step.get("ask") or {}
        if step["kind"] == "correction" and ask.get("type") == "intervene" and ask.get("key_points"):
            return step["id"]
    raise AssertionError(f"{lesson.name} has no intervene ask on a correction")


def senior_category(lesson: Path, step_id: str) -> str:
    data = json.loads((lesson / "lesson.json").read_text(encoding="utf-8"))
    return next(step["category"] for step in data["steps"] if step["id"] == step_id)


def run_grade(tmp_path: Path, lesson: Path, step: str, answer: dict[str, Any], *extra: str) -> tuple[int, dict[str, Any] | None, str]:
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(answer), encoding="utf-8")
    result = CliRunner().invoke(cli, ["grade", str(lesson), step, "--answer", str(path), *extra])
    report = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, report, result.stderr


def intervene(text: str, lesson: Path = TESTS_THAT_LIE, category: str | None = None) -> dict[str, Any]:
    step = intervene_step(lesson)
    return {"type": "intervene", "intervene": True, "category": category or senior_category(lesson, step), "text": text, "confidence": "high"}


def verdicts(report: dict[str, Any]) -> list[str]:
    return [point["verdict"] for point in report["key_points"]]


# ---------------------------------------------------------------- offline: the matcher's hints


def test_offline_the_opposite_answer_is_never_credited_and_is_missed(tmp_path: Path) -> None:
    code, report, _ = run_grade(tmp_path, TESTS_THAT_LIE, intervene_step(TESTS_THAT_LIE), intervene(OPPOSITE), "--judge", "offline")
    assert code == 0 and report is not None
    assert report["judge"] == "offline" and all(point["source"] == "hint" for point in report["key_points"])
    assert "covered" not in verdicts(report) and verdicts(report).count("contradicted") >= 2
    assert report["missed"] is True
    assert report["score"] <= 0.75  # the decision and category were right; no point is credited


def test_offline_a_keyword_list_covers_nothing(tmp_path: Path) -> None:
    _, report, _ = run_grade(tmp_path, TESTS_THAT_LIE, intervene_step(TESTS_THAT_LIE), intervene(KEYWORDS), "--judge", "offline")
    assert report is not None and "covered" not in verdicts(report) and "partly" not in verdicts(report)


@pytest.mark.parametrize(("lesson", "text"), [(TESTS_THAT_LIE, PARAPHRASE), (DONE_WITHOUT_EVIDENCE, RUN_THE_SUITE)])
def test_offline_a_right_paraphrase_is_never_called_a_contradiction(tmp_path: Path, lesson: Path, text: str) -> None:
    _, report, _ = run_grade(tmp_path, lesson, intervene_step(lesson), intervene(text, lesson), "--judge", "offline")
    assert report is not None and "contradicted" not in verdicts(report)
    assert report["decision_correct"] is True and report["missed"] is False


def test_offline_the_points_own_words_are_covered(tmp_path: Path) -> None:
    step = intervene_step(TESTS_THAT_LIE)
    points = json.loads((TESTS_THAT_LIE / "lesson.json").read_text())["steps"]
    said = ". ".join(next(s for s in points if s["id"] == step)["ask"]["key_points"]) + "."
    _, report, _ = run_grade(tmp_path, TESTS_THAT_LIE, step, intervene(said), "--judge", "offline")
    assert report is not None and verdicts(report) == ["covered"] * len(report["key_points"]) and report["score"] == 1.0


def test_a_wrong_decision_scores_nothing_and_its_points_are_not_judged(tmp_path: Path) -> None:
    step = intervene_step(TESTS_THAT_LIE)
    _, report, _ = run_grade(tmp_path, TESTS_THAT_LIE, step, {"type": "intervene", "intervene": False}, "--judge", "offline")
    assert report is not None and report["score"] == 0 and report["missed"] and report["decision_correct"] is False
    assert all(point["source"] == "none" for point in report["key_points"])


def test_a_goal_offline_is_never_covered_by_words(tmp_path: Path) -> None:
    goal = "Just make build_report faster so that it works. Don't break anything."
    _, report, _ = run_grade(tmp_path, STEERING / "vague-goal", "s1", {"type": "goal", "text": goal}, "--judge", "offline")
    assert report is not None and "covered" not in verdicts(report) and report["score"] == 0 and report["missed"]


def test_outcome_and_choice_are_exact(tmp_path: Path) -> None:
    data = json.loads((TESTS_THAT_LIE / "lesson.json").read_text())
    outcome = next(s for s in data["steps"] if (s.get("ask") or {}).get("type") == "outcome")
    _, right, _ = run_grade(tmp_path, TESTS_THAT_LIE, outcome["id"], {"type": "outcome", "works": outcome["ok"]})
    _, wrong, _ = run_grade(tmp_path, TESTS_THAT_LIE, outcome["id"], {"type": "outcome", "works": not outcome["ok"]})
    assert right["score"] == 1 and right["correct"] and wrong["score"] == 0 and wrong["missed"]
    choice = next(s for s in data["steps"] if (s.get("ask") or {}).get("type") == "choice")
    _, picked, _ = run_grade(tmp_path, TESTS_THAT_LIE, choice["id"], {"type": "choice", "choice": choice["ask"]["answer"]})
    assert picked["correct"] and picked["score"] == 1


@pytest.mark.parametrize(
    ("step", "answer", "message"),
    [
        ("s99", {"type": "goal", "text": "x"}, "no step 's99'"),
        ("s2", {"type": "goal", "text": "x"}, "asks nothing"),
        ("s1", {"type": "outcome", "works": True}, "asks goal"),
        ("s1", {"type": "goal"}, '"text"'),
        ("s1", {"type": "essay", "text": "x"}, '"type"'),
        ("s1", {"type": "goal", "text": "x", "confidence": "total"}, "confidence"),
        ("s1", ["not", "an", "object"], "JSON object"),
    ],
)
def test_what_cannot_be_graded_is_one_line(tmp_path: Path, step: str, answer: Any, message: str) -> None:
    code, _, err = run_grade(tmp_path, TESTS_THAT_LIE, step, answer)
    assert code == 1 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_answer_file_that_is_not_json_or_too_big_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe{not json")
    result = CliRunner().invoke(cli, ["grade", str(TESTS_THAT_LIE), "s1", "--answer", str(bad)])
    assert result.exit_code == 1 and "not JSON" in result.stderr
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"type": "goal", "text": "x" * 400_000}))
    result = CliRunner().invoke(cli, ["grade", str(TESTS_THAT_LIE), "s1", "--answer", str(big)])
    assert result.exit_code == 1 and "larger than" in result.stderr


# ---------------------------------------------------------------- Claude, through the fake Messages API


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-" + "k" * 40)
        yield server


def judged(*points: tuple[int, str, str], feedback: str = "You named what matters.") -> Any:
    data = {"key_points": [{"index": i, "verdict": v, "evidence": e} for i, v, e in points], "feedback": feedback}
    return tool_reply("", ToolUse("toolu_1", "grade_answer", data))


def test_claude_credits_the_paraphrase_by_meaning(tmp_path: Path, api: FakeMessagesAPI) -> None:
    api.enqueue(
        judged(
            (0, "covered", "It's the spec: nobody should ever be billed below zero"),
            (1, "covered", "Don't touch that assertion"),
            (2, "covered", "The store-credit idea is the agent's own guess with nothing in the repo backing it"),
        )
    )
    code, report, _ = run_grade(tmp_path, TESTS_THAT_LIE, intervene_step(TESTS_THAT_LIE), intervene(PARAPHRASE))
    assert code == 0 and report is not None
    assert report["judge"] == "claude" and verdicts(report) == ["covered"] * 3 and report["score"] == 1.0 and not report["missed"]
    assert all(point["source"] == "claude" and point["evidence"] for point in report["key_points"])
    assert report["feedback"] == "You named what matters."
    sent = json.dumps(api.requests[-1].body)
    assert "grade_answer" in sent and "billed below zero" in sent


def test_claude_citing_words_not_in_the_answer_is_not_credited(tmp_path: Path, api: FakeMessagesAPI) -> None:
    api.enqueue(judged((0, "covered", "the failing test encodes the requirement"), (1, "covered", "Don't touch that assertion"), (2, "missed", "")))
    _, report, _ = run_grade(tmp_path, TESTS_THAT_LIE, intervene_step(TESTS_THAT_LIE), intervene(PARAPHRASE))
    assert report is not None and verdicts(report) == ["unsure", "covered", "missed"]
    assert "not in your answer" in report["key_points"][0]["note"]


def test_claude_calling_the_opposite_contradicted_credits_nothing(tmp_path: Path, api: FakeMessagesAPI) -> None:
    api.enqueue(
        judged(
            (0, "contradicted", "the failing test encodes an outdated requirement"),
            (1, "contradicted", "Fix the test, not the code"),
            (2, "contradicted", "the store credit claim was checked by the agent"),
        )
    )
    _, report, _ = run_grade(tmp_path, TESTS_THAT_LIE, intervene_step(TESTS_THAT_LIE), intervene(OPPOSITE))
    assert report is not None and verdicts(report) == ["contradicted"] * 3 and report["missed"] and report["score"] == 0.75


@pytest.mark.parametrize("failure", ["malformed", "server error", "refused key"])
def test_a_failing_judge_falls_back_offline_with_a_notice(tmp_path: Path, api: FakeMessagesAPI, failure: str) -> None:
    if failure == "malformed":
        api.enqueue(tool_reply("", ToolUse("toolu_1", "grade_answer", {"key_points": "all of them"})))
    else:
        api.enqueue(http_error(500 if failure == "server error" else 401))
    code, report, err = run_grade(tmp_path, TESTS_THAT_LIE, intervene_step(TESTS_THAT_LIE), intervene(OPPOSITE), "--judge", "claude")
    assert code == 0 and report is not None
    assert report["judge"] == "offline" and "Claude could not judge" in report["notice"] and "Claude could not judge" in err
    assert "covered" not in verdicts(report) and report["missed"]
