"""The replay engine: nothing of a hidden step is ever shown, answers are final, attempts resume exactly."""

from __future__ import annotations

import msgspec
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.learn import (
    Draft,
    Judge,
    Verdict,
    grade,
    AnswerMismatch,
    AskFrame,
    AttemptState,
    ChoiceAnswer,
    EndFrame,
    GoalAnswer,
    InterveneAnswer,
    OutcomeAnswer,
    Replay,
    ReplayError,
    StepFrame,
    TaskFrame,
    View,
)
from tutor.lesson import (
    AgentStep,
    AnyStep,
    AskType,
    Category,
    ChoiceAsk,
    Lesson,
    NoteStep,
    ResultStep,
    lesson_digest,
    load_lesson,
)

from tests.helpers.hand_made import make_lesson, own_marks, play_through
from tests.helpers.strategies import actions, lessons, make_answer, step_tokens

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# `draft` is the learner's own unsubmitted words for this question, never anything of the step.
ASK_FRAME_FIELDS = {"number", "ask_type", "prompt", "options", "proposal", "call", "categories", "draft"}


# ---------------------------------------------------------------- a hand-made lesson


def resumed(replay: Replay, lesson: Lesson | None = None) -> Replay:
    data = json.loads(json.dumps(replay.state.to_data()))
    return Replay(lesson or replay.lesson, AttemptState.from_data(data))


# ---------------------------------------------------------------- a model of what the learner may see


class Model:
    """The replay rules of DESIGN.md, written out as simply as possible."""

    def __init__(self, lesson: Lesson):
        self.steps = list(lesson.steps)
        self.end = len(self.steps) + 1
        self.cursor = 0
        self.frontier = 0
        self.answered: dict[str, bool] = {}  # step id -> skipped
        self.pending: set[str] = set()  # answered steps whose points await a judge
        self.finished = False
        self.drafts: dict[str, Draft] = {}

    def open_at(self, cursor: int) -> AnyStep | None:
        if 1 <= cursor < self.end:
            step = self.steps[cursor - 1]
            if step.ask is not None and step.id not in self.answered:
                return step
        return None

    def revealed(self, index: int) -> bool:
        step = self.steps[index]
        return index + 1 <= self.frontier and (step.ask is None or step.id in self.answered)

    def expect(self, act: tuple, committed_ids: list[str]) -> str:
        """What the engine must do with `act`; updates the model when it is allowed."""
        kind = act[0]
        if kind == "advance":
            kind = "answer" if self.open_at(self.cursor) else "judge" if self.pending_here() else "next"
            if kind == "judge":
                act = ADVANCE_JUDGE
        if kind == "next":
            if self.cursor >= self.end or self.open_at(self.cursor) or self.pending_here():
                return "ReplayError"
            self.cursor += 1
            self.frontier = max(self.frontier, self.cursor)
            self.finished = self.finished or self.cursor == self.end
            return "ok"
        if kind == "back":
            if self.cursor == 0:
                return "ReplayError"
            self.cursor -= 1
            return "ok"
        if kind == "go":
            if not 0 <= act[1] <= self.frontier:
                return "ReplayError"
            self.cursor = act[1]
            return "ok"
        if kind == "answer":
            step = self.open_at(self.cursor)
            if step is None:
                return "ReplayError"
            if isinstance(step.ask, ChoiceAsk) and act[1].out_of_range:
                return "AnswerMismatch"
            self.answered[step.id] = False
            self.drafts.pop(step.id, None)
            # Which answers have points to judge is grading's rule, not replay's: asked of grading.
            if grade(step, make_answer(step.ask, act[1])).pending:
                self.pending.add(step.id)
            return "ok"
        if kind == "skip":
            step = self.open_at(self.cursor)
            if step is None:
                return "ReplayError"
            self.answered[step.id] = True
            self.drafts.pop(step.id, None)
            return "ok"
        if kind == "draft":
            step = self.open_at(self.cursor)
            if step is None:
                return "ReplayError"
            draft = Draft(text=act[1], intervene=act[2])
            if draft.empty:
                self.drafts.pop(step.id, None)
            else:
                self.drafts[step.id] = draft
            return "ok"
        assert kind == "judge"
        target = judge_target(act, committed_ids, self.steps, self.pending_here())
        if target not in self.pending:
            return "ReplayError"
        self.pending.discard(target)
        return "ok"

    def shown(self, index: int) -> AnyStep:
        """A revealed step as shown: an agent step's note waits for the intervene ask right after it."""
        step = self.steps[index]
        following = self.steps[index + 1] if index + 1 < len(self.steps) else None
        if isinstance(step, AgentStep) and following is not None and following.ask is not None and following.ask.type == "intervene" and following.id not in self.answered:
            return step.replaced(annotation=None)
        return step

    def pending_here(self) -> str | None:
        """The step on screen, when it was answered and awaits its judge."""
        if 1 <= self.cursor < self.end:
            step = self.steps[self.cursor - 1]
            if step.id in self.pending and self.revealed(self.cursor - 1):
                return step.id
        return None


# "advance" at an answer awaiting its judge: the learner marks the step on screen, every point covered.
ADVANCE_JUDGE = ("judge", 1, ())


def judge_target(act: tuple, committed_ids: list[str], steps: list[AnyStep], here: str | None) -> str:
    """A step to judge: mostly the one on screen awaiting it, sometimes any committed one (or none)."""
    if here is not None and act[1] % 3:
        return here
    return committed_ids[act[1] % len(committed_ids)] if committed_ids else "s-1"


def apply(replay: Replay, act: tuple) -> tuple[str, Any]:
    """Perform one action; the outcome's kind ("ok" or the error's name) and its value."""
    kind = act[0]
    if kind == "advance":
        kind = "answer" if replay.awaiting_answer() else "judge" if replay.awaiting_judgement() else "next"
        if kind == "judge":
            act = ADVANCE_JUDGE
    try:
        if kind == "next":
            replay.next()
            return "ok", None
        if kind == "back":
            replay.back()
            return "ok", None
        if kind == "go":
            replay.go(act[1])
            return "ok", None
        if kind == "answer":
            index = replay.current_step_index()
            step = replay.lesson.steps[index] if index is not None else None
            answer = make_answer(step.ask, act[1]) if step is not None and step.ask is not None else OutcomeAnswer(works=act[1].works)
            return "ok", replay.answer(answer)
        if kind == "skip":
            return "ok", replay.skip()
        if kind == "draft":
            return "ok", replay.set_draft(Draft(text=act[1], intervene=act[2]))
        assert kind == "judge"
        here = replay.lesson.steps[replay.current_step_index()].id if replay.awaiting_judgement() else None
        target = judge_target(act, list(replay.state.committed), replay.lesson.steps, here)
        count = len(replay.grade_of(target).points) if replay.grade_of(target) is not None else 0
        verdicts = [list(Verdict)[seed % len(Verdict)] for seed in act[2]] or [Verdict.MISSED]
        return "ok", replay.judge(target, own_marks(count, *verdicts))
    except ReplayError:
        return "ReplayError", None
    except AnswerMismatch:
        return "AnswerMismatch", None


def assert_nothing_hidden_shows(replay: Replay, model: Model, view: View) -> None:
    shown = repr(view) + repr(msgspec.to_builtins(view))
    steps = model.steps
    for index, step in enumerate(steps):
        if model.revealed(index):
            continue
        # The open question shows its own prompt (and options); a step past the
        # frontier shows nothing at all.
        ask_shown = index + 1 == model.frontier and step.ask is not None
        leaked = sorted(token for token in step_tokens(step, ask_shown=ask_shown) if token in shown)
        assert not leaked, f"step {step.id} ({step.kind}) is hidden but the view shows {leaked}"

    assert [entry.number for entry in view.timeline] == [i + 1 for i in range(len(steps)) if model.revealed(i)]
    assert [entry.step for entry in view.timeline] == [model.shown(i) for i in range(len(steps)) if model.revealed(i)]
    for index, step in enumerate(steps):
        if step.annotation and model.shown(index).annotation is None:
            assert step.annotation not in shown, f"the note on {step.id} shows before the intervene ask that judges it is answered"
    assert all(entry.number <= view.frontier for entry in view.timeline)
    assert view.hidden == view.total - len(view.timeline)

    frame = view.frame
    if isinstance(frame, AskFrame):
        index = frame.number - 1
        step = steps[index]
        assert not model.revealed(index) and frame.number == model.cursor == model.frontier
        assert {f.name for f in msgspec.structs.fields(frame)} == ASK_FRAME_FIELDS  # no step, no kind, no answer
        assert frame.ask_type is AskType(step.ask.type)
        assert frame.prompt == step.ask.prompt
        assert frame.options == (tuple(step.ask.options) if isinstance(step.ask, ChoiceAsk) else ())
        assert frame.categories == (tuple(Category) if frame.ask_type is AskType.INTERVENE else ())
        if frame.proposal is not None:
            assert frame.ask_type is AskType.INTERVENE
            assert frame.proposal == model.shown(index - 1) and model.revealed(index - 1)
        if frame.call is not None:
            assert frame.ask_type is AskType.OUTCOME and isinstance(step, ResultStep)
            owners = [i for i in range(index) if isinstance(steps[i], AgentStep) and frame.call in steps[i].calls]
            assert owners and all(model.revealed(i) for i in owners)
        for value in msgspec.structs.astuple(frame):
            assert value is not step
            assert not isinstance(value, Category)
    elif isinstance(frame, StepFrame):
        assert model.revealed(frame.number - 1) and frame.step == model.shown(frame.number - 1)
    elif isinstance(frame, EndFrame):
        assert view.finished and view.frontier == model.end
    else:
        assert isinstance(frame, TaskFrame) and view.cursor == 0


# ---------------------------------------------------------------- properties


@PROPERTY
@given(lesson=lessons(), script=actions)
def test_no_view_shows_anything_of_a_hidden_step(lesson: Lesson, script: list[tuple]) -> None:
    replay = Replay(lesson)
    model = Model(lesson)
    assert_nothing_hidden_shows(replay, model, replay.view())
    for act in script:
        before_state, before_grades = replay.state.to_data(), replay.grades()
        expected = model.expect(act, list(replay.state.committed))
        outcome, _ = apply(replay, act)
        assert outcome == expected, act
        if outcome != "ok":
            assert replay.state.to_data() == before_state
            assert replay.grades() == before_grades
        view = replay.view()
        assert (view.cursor, view.frontier, view.finished) == (model.cursor, model.frontier, model.finished)
        assert view.awaiting_answer == (model.open_at(model.cursor) is not None)
        assert view.can_next == (model.cursor < model.end and model.open_at(model.cursor) is None and model.pending_here() is None)
        assert view.awaiting_judgement == (model.pending_here() is not None)
        assert view.can_back == (model.cursor > 0)
        assert not view.lesson_changed
        assert replay.state.drafts == model.drafts
        if isinstance(view.frame, AskFrame):
            assert view.frame.draft == model.drafts.get(model.steps[view.frame.number - 1].id)
        assert_nothing_hidden_shows(replay, model, view)


@PROPERTY
@given(lesson=lessons(), script=actions, checkpoints=st.lists(st.booleans(), min_size=60, max_size=60))
def test_a_resumed_attempt_is_the_same_attempt(lesson: Lesson, script: list[tuple], checkpoints: list[bool]) -> None:
    original = Replay(lesson)
    twin = Replay(lesson)
    for act, checkpoint in zip(script, checkpoints):
        if checkpoint:
            # Alternate the two ways a state comes back: straight, and through JSON.
            data = original.state.to_data()
            twin = Replay(lesson, AttemptState.from_data(json.loads(json.dumps(data)) if act[0] != "next" else data))
            assert twin.resume_notes == []
            assert twin.view() == original.view()
            assert twin.grades() == original.grades()
        assert apply(original, act)[0] == apply(twin, act)[0]
        assert twin.view() == original.view()
        assert twin.grades() == original.grades()
        assert twin.state.to_data() == original.state.to_data()
    assert twin.score_card() == original.score_card()


@settings(PROPERTY, max_examples=60)
@given(lesson=lessons(), script=actions)
def test_state_round_trips_through_json(lesson: Lesson, script: list[tuple]) -> None:
    replay = Replay(lesson)
    for act in script:
        apply(replay, act)
    data = replay.state.to_data()
    assert json.loads(json.dumps(data)) == data
    again = AttemptState.from_data(json.loads(json.dumps(data)))
    assert again == replay.state
    assert again.to_data() == data


# ---------------------------------------------------------------- moving


def test_starts_on_the_task_with_every_step_hidden() -> None:
    lesson = make_lesson()
    view = Replay(lesson).view()
    assert view.frame == TaskFrame("Tests that lie", "Fix the coupon bug.")
    assert (view.cursor, view.frontier, view.total, view.hidden) == (0, 0, 7, 7)
    assert view.timeline == ()
    assert view.can_next and not view.can_back and not view.awaiting_answer and not view.finished


def test_next_is_refused_while_a_question_is_open() -> None:
    replay = Replay(make_lesson())
    replay.next()
    view = replay.view()
    assert isinstance(view.frame, AskFrame) and view.awaiting_answer and not view.can_next
    with pytest.raises(ReplayError, match="answer or skip"):
        replay.next()
    assert replay.cursor == replay.frontier == 1
    replay.answer(GoalAnswer("Fix it"))
    assert not replay.can_next() and replay.awaiting_judgement()  # its points are still to be marked
    replay.judge("s1", own_marks(len(replay.grade_of("s1").points), Verdict.MISSED))
    assert replay.can_next()
    replay.next()
    assert replay.cursor == 2


def test_back_and_go_stay_within_what_was_reached() -> None:
    replay = Replay(make_lesson())
    with pytest.raises(ReplayError, match="start"):
        replay.back()
    replay.next()
    replay.skip()
    replay.next()
    replay.next()  # frontier 3
    for beyond in (4, 9, -1):
        with pytest.raises(ReplayError, match="not been reached"):
            replay.go(beyond)
    assert replay.cursor == 3
    replay.go(0)
    assert isinstance(replay.view().frame, TaskFrame) and replay.frontier == 3
    replay.go(3)
    replay.back()
    assert replay.cursor == 2 and replay.view().frame.step.id == "s2"


def test_going_back_to_an_open_question_still_hides_it() -> None:
    replay = Replay(make_lesson())
    replay.next()  # the goal ask, unanswered
    replay.back()
    view = replay.view()
    assert view.frontier == 1 and view.timeline == () and view.hidden == 7
    replay.go(1)
    assert isinstance(replay.view().frame, AskFrame)


def test_reaching_the_end_finishes_with_a_score_card() -> None:
    replay = Replay(make_lesson())
    play_through(replay)
    view = replay.view()
    assert view.finished and view.cursor == view.frontier == 8
    assert isinstance(view.frame, EndFrame)
    assert view.frame.card == replay.score_card()
    assert view.frame.card.asks == view.frame.card.answered == 4
    assert view.hidden == 0 and len(view.timeline) == 7
    assert not view.can_next and view.can_back
    with pytest.raises(ReplayError, match="end"):
        replay.next()
    replay.go(2)
    assert replay.view().finished  # looking back does not un-finish


# ---------------------------------------------------------------- what the open question shows


def test_ask_frames_carry_the_question_and_no_more() -> None:
    lesson = make_lesson()
    replay = Replay(lesson)
    replay.next()
    goal = replay.view().frame
    assert goal == AskFrame(number=1, ask_type=AskType.GOAL, prompt="What goal would you give the agent?")
    replay.skip()
    for _ in range(3):
        replay.next()
    outcome = replay.view().frame
    assert outcome == AskFrame(number=4, ask_type=AskType.OUTCOME, prompt="Will it work?", call=lesson.steps[2].calls[0])
    replay.answer(OutcomeAnswer(works=True))
    replay.next()
    replay.next()
    intervene = replay.view().frame
    assert intervene.ask_type is AskType.INTERVENE
    assert intervene.proposal == lesson.steps[4].replaced(annotation=None)  # its note waits for the answer
    assert intervene.categories == tuple(Category)
    assert "Stop: the test is the requirement" not in repr(replay.view())
    assert "Changing the expectation" not in repr(replay.view())
    replay.answer(InterveneAnswer(intervene=False))
    replay.next()
    choice = replay.view().frame
    assert choice == AskFrame(number=7, ask_type=AskType.CHOICE, prompt="What was wrong?", options=("nothing", "the code", "the test"))
    assert "The code let totals go negative" not in repr(replay.view())


def test_an_answer_reveals_the_step_with_its_grade() -> None:
    replay = Replay(make_lesson())
    replay.next()
    grade = replay.answer(GoalAnswer("Make `test_coupon` pass, only touching ledger/totals.py"))
    view = replay.view()
    assert isinstance(view.frame, StepFrame)
    assert view.frame.step.id == "s1" and view.frame.grade == grade
    assert view.frame.committed.answer == GoalAnswer("Make `test_coupon` pass, only touching ledger/totals.py")
    assert [entry.number for entry in view.timeline] == [1] and view.timeline[0].grade == grade
    assert "A goal is a contract." in repr(view)


# ---------------------------------------------------------------- answers are final


def test_answering_twice_is_refused_and_changes_nothing() -> None:
    replay = Replay(make_lesson())
    replay.next()
    first = replay.answer(GoalAnswer("make it better"))
    grades = replay.grades()
    with pytest.raises(ReplayError):
        replay.answer(GoalAnswer("Make `test_coupon` pass, only touching ledger/totals.py; done when tests pass"))
    with pytest.raises(ReplayError):
        replay.skip()
    assert replay.grades() == grades == [first]
    assert replay.state.committed["s1"].answer == GoalAnswer("make it better")


def test_a_skip_is_final_too() -> None:
    replay = Replay(make_lesson())
    replay.next()
    replay.skip()
    with pytest.raises(ReplayError):
        replay.answer(GoalAnswer("Fix it"))
    with pytest.raises(ReplayError):
        replay.skip()
    with pytest.raises(ReplayError):
        replay.judge("s1", own_marks(1, Verdict.COVERED))  # a skipped goal has nothing to judge
    assert replay.grade_of("s1").skipped and replay.grade_of("s1").score == 0.0


def test_an_answer_with_points_waits_for_its_judge_before_moving_on_and_is_judged_once() -> None:
    replay = Replay(make_lesson())
    replay.next()
    replay.answer(GoalAnswer("make it better"))
    assert replay.awaiting_judgement() and replay.view().awaiting_judgement and not replay.can_next()
    with pytest.raises(ReplayError, match="mark each"):
        replay.next()
    replay.back()  # looking back is allowed while the check waits
    replay.next()
    points = replay.grade_of("s1").points
    judged = replay.judge("s1", own_marks(len(points), Verdict.PARTLY))
    assert judged.judgement.judge is Judge.SELF and judged.score == 0.5 and not replay.awaiting_judgement()
    with pytest.raises(ReplayError, match="already"):
        replay.judge("s1", own_marks(len(points), Verdict.COVERED))
    assert replay.grade_of("s1") == judged
    assert resumed(replay).grade_of("s1") == judged  # stored with the answer: reopening never regrades
    replay.next()


def test_only_an_answer_awaiting_its_judge_can_be_judged() -> None:
    replay = Replay(make_lesson())
    with pytest.raises(ReplayError):
        replay.judge("s1", own_marks(2, Verdict.COVERED))  # not answered yet
    with pytest.raises(ReplayError):
        replay.judge("nope", own_marks(2, Verdict.COVERED))
    play_through(replay)
    grades = replay.grades()
    for step_id in ("s1", "s4", "s6", "s7"):
        with pytest.raises(ReplayError):
            replay.judge(step_id, own_marks(2, Verdict.COVERED))
    assert replay.grades() == grades


def test_a_wrong_answer_type_is_refused_before_anything_is_recorded() -> None:
    replay = Replay(make_lesson())
    replay.next()
    with pytest.raises(AnswerMismatch):
        replay.answer(OutcomeAnswer(works=True))
    for _ in range(6):
        if replay.awaiting_answer():
            replay.skip()
        replay.next()
    assert replay.current_step_index() == 6
    with pytest.raises(AnswerMismatch, match="out of range"):
        replay.answer(ChoiceAnswer(index=3))
    assert replay.awaiting_answer() and "s7" not in replay.state.committed
    replay.answer(ChoiceAnswer(index=1))
    assert replay.grade_of("s7").correct


def test_the_saved_state_is_a_copy() -> None:
    replay = Replay(make_lesson())
    state = replay.state
    state.cursor = 5
    state.committed["s1"] = None  # type: ignore[assignment]
    assert replay.cursor == 0 and replay.state.committed == {}


# ---------------------------------------------------------------- resuming


def test_resuming_mid_lesson_gives_the_same_view_and_grades() -> None:
    lesson = make_lesson()
    replay = Replay(lesson)
    replay.next()
    replay.answer(GoalAnswer("make it better"))
    replay.judge("s1", own_marks(len(replay.grade_of("s1").points), Verdict.PARTLY))
    replay.next()
    replay.next()
    replay.next()  # the outcome question is open
    again = resumed(replay)
    assert again.view() == replay.view() and again.grades() == replay.grades()
    assert not again.view().lesson_changed and again.resume_notes == []
    play_through(replay)
    play_through(again)
    assert again.view() == replay.view() and again.score_card() == replay.score_card()


def test_a_finished_attempt_resumes_finished() -> None:
    replay = Replay(make_lesson())
    play_through(replay)
    replay.go(3)
    again = resumed(replay)
    assert again.finished and again.cursor == 3 and again.view() == replay.view()


def test_unreadable_saved_answers_are_dropped_not_fatal() -> None:
    replay = Replay(make_lesson())
    play_through(replay)
    data = replay.state.to_data()
    data["committed"][1] = {"step": "s4", "answer": "yes"}
    data["committed"][2] = ["not", "an", "object"]
    data["committed"][3] = {"step": "s7", "answer": {"type": "warp", "index": 1}}
    again = Replay(make_lesson(), AttemptState.from_data(data))
    assert set(again.state.committed) == {"s1"}
    assert again.frontier == 4 and again.cursor == 4 and not again.finished  # stops at the outcome ask again
    assert again.awaiting_answer()
    for garbage in (None, [], "x", {"committed": {"s1": {}}}, {"cursor": -3, "frontier": "9", "committed": None}):
        fresh = Replay(make_lesson(), AttemptState.from_data(garbage))  # type: ignore[arg-type]
        assert (fresh.cursor, fresh.frontier, fresh.state.committed) == (0, 0, {})


# ---------------------------------------------------------------- the lesson changed since


def saved_after_outcome() -> tuple[Lesson, AttemptState]:
    lesson = make_lesson()
    replay = Replay(lesson)
    replay.next()
    replay.answer(GoalAnswer("make it better"))
    replay.judge("s1", own_marks(len(replay.grade_of("s1").points), Verdict.MISSED))
    for _ in range(3):
        replay.next()
    replay.answer(OutcomeAnswer(works=False))
    replay.next()  # frame 5, the second agent step
    return lesson, replay.state


def test_another_digest_is_reported() -> None:
    lesson, state = saved_after_outcome()
    assert not Replay(lesson, state).view().lesson_changed
    state.digest = "0" * 64
    again = Replay(lesson, state)
    assert again.view().lesson_changed
    assert again.resume_notes == [] and set(again.state.committed) == {"s1", "s4"}
    assert (again.cursor, again.frontier) == (5, 5)


def test_answers_for_removed_steps_are_dropped_with_a_note() -> None:
    lesson, state = saved_after_outcome()
    shorter = lesson.replaced(steps=[step for step in lesson.steps if step.id != "s4"])
    again = Replay(shorter, state)
    assert again.view().lesson_changed
    assert set(again.state.committed) == {"s1"}
    assert [grade.step_id for grade in again.grades()] == ["s1"]
    assert len(again.resume_notes) == 1 and "'s4'" in again.resume_notes[0]


def test_answers_that_no_longer_fit_their_ask_are_dropped_and_the_frontier_clamps() -> None:
    lesson, state = saved_after_outcome()
    changed = list(lesson.steps)
    changed[3] = changed[3].replaced(ask=ChoiceAsk(prompt="Which?", options=["a", "b"], answer=0))
    again = Replay(lesson.replaced(steps=changed), state)
    assert set(again.state.committed) == {"s1"}
    assert len(again.resume_notes) == 1 and "s4" in again.resume_notes[0]
    assert again.frontier == again.cursor == 4 and again.awaiting_answer()
    view = again.view()
    assert isinstance(view.frame, AskFrame) and view.frame.ask_type is AskType.CHOICE
    assert "1 failed, 11 passed" not in repr(view)


def test_a_new_question_before_the_frontier_stops_it_there() -> None:
    lesson, state = saved_after_outcome()
    inserted = NoteStep(id="s1b", text="zqnewnote", ask=ChoiceAsk(prompt="New?", options=["y", "n"], answer=0))
    steps = list(lesson.steps)
    steps.insert(1, inserted)
    again = Replay(lesson.replaced(steps=steps), state)
    assert again.frontier == again.cursor == 2 and again.awaiting_answer()
    assert set(again.state.committed) == {"s1", "s4"} and again.resume_notes == []
    view = again.view()
    assert [entry.number for entry in view.timeline] == [1] and view.hidden == 7
    assert "zqnewnote" not in repr(view)
    assert "Reproducing first" not in repr(view)  # past the new frontier


def test_a_shrunken_lesson_can_still_be_finished() -> None:
    # Frontier 5 of a 7-step lesson; the new version has 4 steps, so frame 5 is its end.
    lesson, state = saved_after_outcome()
    shorter = lesson.replaced(steps=lesson.steps[:4])
    again = Replay(shorter, state)
    assert again.frontier == again.end_frame == 5
    view = again.view()
    assert isinstance(view.frame, EndFrame) and view.finished
    assert view.frame.card.asks == 2 and view.frame.card.answered == 2


def test_a_grown_lesson_is_no_longer_finished() -> None:
    lesson = make_lesson()
    replay = Replay(lesson)
    play_through(replay)
    longer = lesson.replaced(steps=[*lesson.steps, NoteStep(id="s8", text="More.")])
    again = Replay(longer, replay.state)
    assert again.view().lesson_changed and not again.finished
    # The old end frame is now the new step: it stands there, revealed, and goes on.
    assert again.frontier == again.cursor == 8 and again.can_next()
    assert again.view().frame.step.id == "s8"
    again.next()
    assert again.finished and isinstance(again.view().frame, EndFrame)


def test_the_digest_is_the_lessons() -> None:
    lesson = make_lesson()
    replay = Replay(lesson)
    assert replay.digest == lesson_digest(lesson) == replay.state.digest
    assert Replay(lesson, digest="custom").state.digest == "custom"


# ---------------------------------------------------------------- the example curriculum, when present

EXAMPLES = sorted(path.parent for path in (Path(__file__).parents[1] / "data" / "curriculum-example").glob("*/lesson.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_lessons_hide_their_questions(path: Any) -> None:
    lesson = load_lesson(path)
    replay = Replay(lesson)
    while not replay.finished:
        if replay.awaiting_answer():
            step = lesson.steps[replay.current_step_index()]
            shown = repr(replay.view())
            for secret in [getattr(step, "text", ""), getattr(step, "output", ""), getattr(step, "why", ""), step.annotation or ""]:
                assert len(secret) < 12 or secret not in shown
            replay.skip()
        replay.next()
    card = replay.view().frame.card
    assert card.skipped == card.asks == len(lesson.asks) and card.overall == 0.0


def test_a_saved_attempt_of_another_lesson_is_not_resumed() -> None:
    from tests.helpers.support import example_lesson_paths
    from tutor.learn import AttemptState, Replay
    from tutor.lesson import load_lesson

    first, second = (load_lesson(path) for path in example_lesson_paths())
    replay = Replay(first)
    replay.next()
    replay.skip()
    foreign = AttemptState.from_data(replay.state.to_data())
    resumed = Replay(second, foreign)
    assert resumed.cursor == 0 and not resumed.grades()
    assert any("belongs to lesson" in note for note in resumed.resume_notes)


def test_an_agent_steps_note_waits_for_the_intervene_ask_that_judges_it() -> None:
    lesson = make_lesson()
    steps = list(lesson.steps)
    agent_index = next(i for i, step in enumerate(steps) if isinstance(step, AgentStep) and i + 1 < len(steps) and steps[i + 1].ask is not None and steps[i + 1].ask.type == "intervene")
    note = "zqgatenote: the senior stopped it here because the test is the spec"
    steps[agent_index] = steps[agent_index].replaced(annotation=note)
    replay = Replay(lesson.replaced(steps=steps))
    while replay.current_step_index() != agent_index + 1:
        if replay.awaiting_answer():
            replay.skip()
        elif replay.awaiting_judgement():
            step_id = replay.lesson.steps[replay.current_step_index()].id
            replay.judge(step_id, own_marks(len(replay.grade_of(step_id).points), Verdict.MISSED))
        else:
            replay.next()
    assert replay.awaiting_answer()
    assert note not in repr(replay.view())  # not in the question's proposal, nor the timeline
    replay.back()
    assert note not in repr(replay.view())  # nor on the agent step itself, looked back at
    replay.next()
    replay.skip()
    assert note in repr(replay.view())  # answered (or skipped): the note is the senior's, shown
    replay.back()
    assert replay.view().frame.step.annotation == note


def test_a_fresh_attempt_works_out_its_digest_only_when_its_state_is_asked() -> None:
    """A long lesson's digest costs tens of milliseconds: given as a function, it is asked once, when the state is
    saved, and it is the lesson's; resuming asks it at once (to tell whether the lesson changed)."""
    lesson = make_lesson()
    asked: list[int] = []

    def digest() -> str:
        asked.append(1)
        return lesson_digest(lesson)

    replay = Replay(lesson, digest=digest)
    replay.next()
    assert not replay.view().lesson_changed and asked == []
    state = replay.state
    assert state.digest == lesson_digest(lesson) and asked == [1]
    assert replay.state.digest == state.digest and asked == [1]  # once
    again = Replay(lesson, state, digest=digest)
    assert not again.view().lesson_changed and asked == [1, 1]
    state.digest = "0" * 64
    assert Replay(lesson, state, digest=digest).view().lesson_changed
