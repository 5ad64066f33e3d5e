"""`tutor grade`: how one answer to one ask would be graded, for authors checking their points.

The answer comes from a JSON file (hostile until read: bounded, strictly shaped). With
`--judge claude` (or `auto` and a key), Claude judges the answer's points, as in a lesson;
`offline` shows what Tutor's word matcher sees (source "hint": covered only where it is
sure, else unsure, missed or contradicted). When Claude cannot judge, the matcher's view
is given with a notice saying why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tutor.errors import UserError
from tutor.learn import Answer, AnswerMismatch, GoalAnswer, Grade, InterveneAnswer, Judge, Judgement, grade
from tutor.learn.answers import AnswerFormatError, answer_from_json
from tutor.lesson import AskType, Lesson

from .judging import matcher_judgement, request_for

MAX_ANSWER_FILE_BYTES = 256 * 1024
JUDGES = ("auto", "claude", "offline")


class GradeInputError(UserError, ValueError):
    """The step or the answer cannot be graded: one line saying why."""


def read_answer(path: Path) -> Answer:
    """The answer in `path`: `{"type": "intervene", "intervene": true, "category": "test", "text": "…", "confidence": "high"}`,
    `{"type": "goal", "text": "…"}`, `{"type": "outcome", "works": true}` or `{"type": "choice", "choice": 1}` (0-based, as a
    lesson's `answer`); confidence is optional (medium)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_ANSWER_FILE_BYTES + 1)
    except OSError as error:
        raise GradeInputError(f"{path}: cannot read it ({error.strerror or error})") from None
    if len(raw) > MAX_ANSWER_FILE_BYTES:
        raise GradeInputError(f"{path}: larger than {MAX_ANSWER_FILE_BYTES // 1024} KB; an answer is a few lines")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise GradeInputError(f"{path}: not JSON ({error})") from None
    if not isinstance(data, dict):
        raise GradeInputError(f"{path}: expected a JSON object with a \"type\"")
    return answer_from(data, str(path))


def answer_from(data: dict[str, Any], where: str) -> Answer:
    """The answer in `data` (`tutor.learn.answers.answer_from_json`), its problem as a one-line `GradeInputError`."""
    try:
        return answer_from_json(data, where)
    except AnswerFormatError as error:
        raise GradeInputError(str(error)) from None


def grade_report(lesson: Lesson, step_id: str, answer: Answer, judge: str = "auto") -> dict[str, Any]:
    """The grade as `tutor grade` prints it (JSON-ready)."""
    if judge not in JUDGES:
        raise GradeInputError(f"--judge must be one of {', '.join(JUDGES)}")
    learners = lesson.for_learners()
    try:
        step = learners.step(step_id)
    except KeyError:
        asks = ", ".join(s.id for s in learners.asks) or "none"
        raise GradeInputError(f"lesson {lesson.id!r} has no step {step_id!r} (its questions: {asks})") from None
    if step.ask is None:
        asks = ", ".join(s.id for s in learners.asks) or "none"
        raise GradeInputError(f"step {step_id!r} asks nothing (the lesson's questions: {asks})")
    try:
        result = grade(step, answer)
    except AnswerMismatch as error:
        raise GradeInputError(str(error)) from None
    text = answer.text if isinstance(answer, (GoalAnswer, InterveneAnswer)) else ""
    notice = ""
    judgement: Judgement | None = None
    if result.pending:
        if judge != "offline":
            judgement, notice = _ask_claude(judge, learners, step_id, answer, result)
        if judgement is None:
            judgement = matcher_judgement(result, text)
        result = grade(step, answer, judgement)
    return _report(result, judgement, notice)


def _ask_claude(mode: str, lesson: Lesson, step_id: str, answer: Answer, pending: Grade) -> tuple[Judgement | None, str]:
    from tutor.agent.judge import JudgeUnavailable, judge_for

    claude = judge_for(mode)
    if claude is None:
        return None, ""  # auto, without a key: the matcher, as asked
    import asyncio  # only to ask Claude: the offline grade loads no event loop

    try:
        return asyncio.run(claude.judge(request_for(lesson, step_id, answer, pending))), ""
    except JudgeUnavailable as failure:
        return None, failure.notice


def _report(result: Grade, judgement: Judgement | None, notice: str) -> dict[str, Any]:
    source = "claude" if judgement is not None and judgement.judge is Judge.CLAUDE else "hint"
    by_index = {point.index: point for point in judgement.points} if judgement is not None else {}
    points = []
    for index, point in enumerate(result.points):
        verdict = by_index.get(index)
        entry: dict[str, Any] = {
            "point": point,
            "verdict": verdict.verdict.value if verdict is not None else "missed",
            "evidence": verdict.evidence if verdict is not None else "",
            "source": source if result.judgement is not None else "none",  # not judged: the decision was already wrong
        }
        if verdict is not None and verdict.note:
            entry["note"] = verdict.note
        points.append(entry)
    report: dict[str, Any] = {
        "step": result.step_id,
        "judge": "claude" if source == "claude" else "offline",
        "score": round(result.score, 4),
        "missed": result.missed,
        "decision_correct": result.decision_correct,
        "category": result.category_match.value if result.category_match is not None else None,
        "key_points": points,
    }
    if result.correct is not None and result.ask_type is not AskType.INTERVENE:
        report["correct"] = result.correct
    if result.accepted:
        report["accepted"] = result.accepted
    if judgement is not None and judgement.feedback:
        report["feedback"] = judgement.feedback
    if notice:
        report["notice"] = notice
    return report
