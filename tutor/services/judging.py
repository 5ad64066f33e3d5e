"""Judging a committed free-text answer: what a judge may be shown, and the hints beside each point.

A judge (Claude, in `tutor.agent.judge`) is asked only after the learner has committed,
and is shown only what the learner has seen by then plus the senior's step now revealed:
the task, the steps revealed before it, the senior's step and why, the points, the
answer. When it cannot judge, the learner's own check takes over (`JudgeUnavailable`
carries the one line saying why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.learn import GoalAnswer, Grade, InterveneAnswer, Judge, Judgement, JudgeRequest, PointVerdict, Verdict
from tutor.learn.matcher import Hint, hint
from tutor.lesson import AnyStep, CorrectionStep, GoalStep, Lesson
from tutor.lesson.export import step_markdown

if TYPE_CHECKING:
    from tutor.learn import Replay

MAX_REVEALED_STEPS = 40  # the newest ones; a judge needs the context, not the whole history


@dataclass(frozen=True)
class PointHint:
    point: str
    hint: Hint


def point_hints(grade: Grade, answer_text: str) -> list[PointHint]:
    """Tutor's word matcher beside each of the senior's points: the learner's matching words, a likely contradiction."""
    goal = grade.ask_type.value == "goal"
    return [PointHint(point, hint(point, answer_text, words_can_cover=not goal)) for point in grade.points]


def answer_text(grade: Grade, replay: Replay) -> str:
    committed = replay.state.committed.get(grade.step_id)
    answer = committed.answer if committed is not None else None
    return answer.text if isinstance(answer, (GoalAnswer, InterveneAnswer)) else ""


def judge_request(lesson: Lesson, replay: Replay, step_id: str) -> JudgeRequest:
    """What the judge of `step_id`'s answer is shown: nothing the learner has not seen, but the senior's step now revealed."""
    grade = replay.grade_of(step_id)
    committed = replay.state.committed.get(step_id)
    if grade is None or committed is None or committed.answer is None:
        raise ValueError(f"step {step_id!r} has no committed answer to judge")
    index = lesson.index_of(step_id)
    revealed = [position for position in range(index) if replay.is_revealed(position)]
    return request_for(lesson, step_id, committed.answer, grade, revealed)


def request_for(lesson: Lesson, step_id: str, answer: Any, grade: Grade, revealed: list[int] | None = None) -> JudgeRequest:
    """The judge's request for `answer` at `step_id`; `revealed`: the positions of the steps seen before it (default: all)."""
    index = lesson.index_of(step_id)
    step = lesson.steps[index]
    positions = range(index) if revealed is None else revealed
    revealed_text = [step_markdown(lesson.steps[position]) for position in positions]
    decision = ""
    if isinstance(answer, InterveneAnswer):
        decision = f"stepped in ({answer.category.value if answer.category else 'no category'})" if answer.intervene else "let it run"
    return JudgeRequest(
        kind=grade.ask_type.value,
        task=lesson.task,
        revealed=tuple(revealed_text[-MAX_REVEALED_STEPS:]),
        senior=_senior(step),
        why=_why(step, grade),
        points=grade.points,
        answer=answer.text if isinstance(answer, (GoalAnswer, InterveneAnswer)) else "",
        decision=decision,
    )


def matcher_judgement(grade: Grade, text: str) -> Judgement:
    """Tutor's word matcher as a judgement (`tutor grade --judge offline`): covered only where it is sure, never in a lesson."""
    points = tuple(
        PointVerdict(index, each.hint.verdict, each.hint.evidence if each.hint.verdict is not Verdict.MISSED else "")
        for index, each in enumerate(point_hints(grade, text))
    )
    return Judgement(Judge.MATCHER, points)


def _senior(step: AnyStep) -> str:
    if isinstance(step, GoalStep):
        return step.text
    if isinstance(step, CorrectionStep):
        return f"The senior stepped in ({step.category.value}: {step.category.meaning}): {step.text}"
    return step_markdown(step)


def _why(step: AnyStep, grade: Grade) -> str:
    parts = [getattr(step, "why", "") or "", step.annotation or ""]
    if grade.accepted:
        parts.append(f"The learner's answer is one the senior accepts too: {grade.accepted}")
    return "\n\n".join(part for part in parts if part)


def judge_for_settings(settings: Any) -> Any:
    """The judge a lesson uses: Claude (`tutor.agent.judge.ClaudeJudge`) when `grading` and a key allow, else None (the learner's own check)."""
    from tutor.agent.judge import judge_for

    try:
        return judge_for(getattr(settings, "grading", "auto"), model=getattr(settings, "model", "") or None)
    except ValueError:
        return None  # an unknown setting was already reported when settings were read
