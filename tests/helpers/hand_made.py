"""Hand-made lessons and steps shared by the replay, grading and review tests."""

from __future__ import annotations

from typing import Any

from tutor.learn import (
    ChoiceAnswer,
    GoalAnswer,
    InterveneAnswer,
    Judge,
    Judgement,
    OutcomeAnswer,
    PointVerdict,
    Replay,
    Verdict,
)
from tutor.lesson import (
    FORMAT,
    AgentStep,
    AnyStep,
    Call,
    Category,
    ChoiceAsk,
    Confidence,
    CorrectionStep,
    GoalAsk,
    GoalStep,
    InterveneAsk,
    Lesson,
    NoteStep,
    Origin,
    OutcomeAsk,
    PromptStep,
    ResultStep,
)


def make_lesson(**changes: Any) -> Lesson:
    steps: list[AnyStep] = [
        GoalStep(
            id="s1",
            text="Make the failing coupon test pass; do not edit tests.",
            criteria=["names the failing test"],
            annotation="A goal is a contract.",
            ask=GoalAsk(rubric=["says how we will know it is done", "bounds the scope"]),
        ),
        PromptStep(id="s2", text="Fix the coupon bug in ledger/totals.py."),
        AgentStep(id="s3", text="Reproducing first.", calls=[Call(id="c1", tool="run", input={"command": "pytest -q"})]),
        ResultStep(id="s4", call="c1", ok=False, exit_code=1, output="1 failed, 11 passed", ask=OutcomeAsk()),
        AgentStep(id="s5", text="I'll update the expected value in the test.", calls=[Call(id="c2", tool="edit", input={"path": "tests/test_totals.py"})]),
        CorrectionStep(
            id="s6",
            category=Category.TEST,
            text="Stop: the test is the requirement.",
            why="Changing the expectation hides the bug.",
            ask=InterveneAsk(key_points=["the test encodes the requirement", "fix the code, not the test"]),
        ),
        NoteStep(
            id="s7",
            text="Wrap-up.",
            ask=ChoiceAsk(prompt="What was wrong?", options=["nothing", "the code", "the test"], answer=1, explain="The code let totals go negative."),
        ),
    ]
    data: dict[str, Any] = {"format": FORMAT, "id": "tests-that-lie", "title": "Tests that lie", "origin": Origin.SCRIPTED, "task": "Fix the coupon bug.", "steps": steps}
    data.update(changes)
    return Lesson(**data)


def play_through(replay: Replay) -> None:
    """Answer every ask of the hand-made lesson and reach the end."""
    answers = {
        "s1": GoalAnswer("Make `test_coupon` pass, only touching ledger/totals.py", Confidence.HIGH),
        "s4": OutcomeAnswer(works=False, confidence=Confidence.HIGH),
        "s6": InterveneAnswer(intervene=True, category=Category.TEST, text="the test encodes the requirement", confidence=Confidence.MEDIUM),
        "s7": ChoiceAnswer(index=2, confidence=Confidence.LOW),
    }
    while replay.can_next() or replay.awaiting_answer() or replay.awaiting_judgement():
        if replay.awaiting_answer():
            replay.answer(answers[replay.lesson.steps[replay.current_step_index()].id])
        elif replay.awaiting_judgement():
            step_id = replay.lesson.steps[replay.current_step_index()].id
            replay.judge(step_id, own_marks(len(replay.grade_of(step_id).points), Verdict.COVERED))
        else:
            replay.next()


def own_marks(count: int, *verdicts: Verdict) -> Judgement:
    """The learner's own check of `count` points, the verdicts repeated in turn."""
    return Judgement(Judge.SELF, tuple(PointVerdict(index, verdicts[index % len(verdicts)]) for index in range(count)))


KEY_POINTS = ["the test encodes the requirement", "fix the code, not the test"]


def goal_step(rubric: list[str] | None = None, criteria: list[str] | None = None) -> GoalStep:
    return GoalStep(
        id="g",
        text="Make the coupon test pass by fixing ledger/totals.py; do not edit tests.",
        criteria=criteria if criteria is not None else ["names the failing test", "keeps the tests"],
        ask=GoalAsk(rubric=rubric if rubric is not None else ["says how we will know it is done", "bounds the scope"]),
    )


def result_step(ok: bool, exit_code: int | None = 1, ask: str = "outcome") -> ResultStep:
    the_ask = OutcomeAsk() if ask == "outcome" else InterveneAsk(key_points=["ignored"])
    return ResultStep(id="r", call="c1", ok=ok, exit_code=exit_code, output="…", ask=the_ask)


def correction_step(key_points: list[str] | None = None) -> CorrectionStep:
    return CorrectionStep(
        id="x",
        category=Category.TEST,
        text="Stop: the test is the requirement.",
        ask=InterveneAsk(key_points=KEY_POINTS if key_points is None else key_points),
    )


def choice_step() -> NoteStep:
    return NoteStep(
        id="n",
        text="…",
        ask=ChoiceAsk(prompt="What was wrong?", options=["nothing", "the code", "the test"], answer=1, explain="The code let totals go negative."),
    )


def marks(*verdicts: Verdict) -> Judgement:
    """The learner's own check: one mark per point."""
    return Judgement(Judge.SELF, tuple(PointVerdict(index, verdict) for index, verdict in enumerate(verdicts)))
