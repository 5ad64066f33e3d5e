"""Hidden steps in the format, and the pure editing of a lesson's teaching layer (tutor.lesson.edit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.learn import Replay
from tutor.lesson import AskType, Category, Lesson, dump_lesson, lesson_digest, load_lesson, read_lesson
from tutor.lesson import edit
from tutor.lesson.edit import EditRefused, LessonEditor
from tutor.lesson.export import lesson_markdown
from tutor.lesson.io import lesson_to_data
from tutor.lesson.validate import check_lesson_data
from tutor.services.lesson_run import LessonRun

from tests.helpers.strategies import lessons

CURRICULUM = Path(__file__).parents[2] / "curricula" / "steering-101"
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _data() -> dict[str, Any]:
    """A small lesson with every kind of step and every place an ask may stand."""
    return {
        "format": "tutor.lesson/1",
        "id": "edit-me",
        "title": "Edit me",
        "origin": "scripted",
        "task": "Fix the parser.",
        "steps": [
            {"id": "s1", "kind": "goal", "text": "Make parse() accept empty input.", "ask": {"type": "goal", "rubric": ["says when it is done"]}},
            {"id": "s2", "kind": "prompt", "text": "Please fix parse()."},
            {"id": "s3", "kind": "agent", "text": "I'll look around.", "calls": [{"id": "c1", "tool": "read_file", "input": {"path": "p.py"}}, {"id": "c2", "tool": "run", "input": {"command": "ls"}}]},
            {"id": "s4", "kind": "result", "call": "c1", "ok": True, "output": "def parse(): ..."},
            {"id": "s5", "kind": "result", "call": "c2", "ok": True, "output": "p.py"},
            {"id": "s6", "kind": "agent", "text": "I'll delete the test.", "calls": [{"id": "c3", "tool": "run", "input": {"command": "rm test_p.py"}}]},
            {"id": "s7", "kind": "correction", "category": "test", "text": "No: fix the code.", "why": "The test is the requirement.",
             "ask": {"type": "intervene", "key_points": ["the test is the requirement"]}},
            {"id": "s8", "kind": "note", "text": "Tests are requirements."},
        ],
    }


def _lesson(data: dict[str, Any] | None = None) -> Lesson:
    lesson, problems = check_lesson_data(data or _data(), "lesson.json")
    assert lesson is not None and not problems, problems
    return lesson


def _problems(data: dict[str, Any]) -> list[str]:
    return [f"{p.where}: {p.what}" for p in check_lesson_data(data, "lesson.json")[1]]


def _hide(data: dict[str, Any], *ids: str) -> dict[str, Any]:
    for step in data["steps"]:
        if step["id"] in ids:
            step["hidden"] = True
    return data


# ---------------------------------------------------------------- hidden in the format


def test_bundled_lessons_save_byte_identically() -> None:
    paths = sorted(CURRICULUM.glob("*/lesson.json"))
    assert paths
    for path in paths:
        read = read_lesson(path.parent)
        assert read.ok, read.problems
        assert dump_lesson(read.lesson) == path.read_text(encoding="utf-8"), path


def test_hidden_is_written_only_when_true_right_after_the_kind() -> None:
    lesson = _lesson(_hide(_data(), "s2"))
    saved = json.loads(dump_lesson(lesson))
    assert list(saved["steps"][1]) == ["id", "kind", "hidden", "text"]
    assert saved["steps"][1]["hidden"] is True
    assert all("hidden" not in step for step in saved["steps"][2:])
    assert _lesson(saved) == lesson


def test_hidden_false_written_by_hand_is_dropped_and_digests_as_absent() -> None:
    data = _data()
    data["steps"][1]["hidden"] = False
    assert lesson_digest(_lesson(data)) == lesson_digest(_lesson())
    assert '"hidden"' not in dump_lesson(_lesson(data))


def test_hidden_must_be_a_boolean() -> None:
    data = _data()
    data["steps"][1]["hidden"] = "yes"
    assert any(line.startswith("steps[1].hidden:") for line in _problems(data))


def test_a_hidden_step_cannot_ask() -> None:
    problems = _problems(_hide(_data(), "s1"))
    assert any(line.startswith("steps[0].ask: a hidden step cannot carry an ask") for line in problems)


def test_a_shown_result_of_a_hidden_agent_step_is_refused() -> None:
    problems = _problems(_hide(_data(), "s3", "s4"))
    assert problems == ["steps[4]: the result is shown but the agent step it answers (steps[2]) is hidden: hide the result too, or show that step"]
    assert _problems(_hide(_data(), "s3", "s4", "s5")) == []


def test_a_hidden_result_of_a_shown_agent_step_is_fine() -> None:
    assert _problems(_hide(_data(), "s4")) == []


def test_an_intervene_ask_needs_its_agent_step_shown() -> None:
    problems = _problems(_hide(_data(), "s6"))
    assert problems == ["steps[6].ask: an intervene ask judges the agent step right before it, which is hidden: show that step"]


def test_at_least_one_step_and_one_goal_stay_shown() -> None:
    data = _data()
    for step in data["steps"]:
        step.pop("ask", None)
        step["hidden"] = True
    assert _problems(data) == ["steps: every step is hidden: learners need at least one step to replay"]
    data = _data()
    del data["steps"][0]["ask"]
    assert _problems(_hide(data, "s1")) == ["steps[0].hidden: every goal step is hidden: keep one shown, the steps after it are judged against it"]


def test_a_lesson_without_goal_steps_may_hide_steps() -> None:
    data = _data()
    del data["steps"][0]
    assert _problems(_hide(data, "s2")) == []


def test_for_learners_drops_hidden_steps_and_stays_valid() -> None:
    lesson = _lesson(_hide(_data(), "s3", "s4", "s5"))
    shown = lesson.for_learners()
    assert [step.id for step in shown.steps] == ["s1", "s2", "s6", "s7", "s8"]
    assert edit.check(shown) == []
    plain = _lesson()
    assert plain.for_learners() is plain


def test_replay_and_export_never_show_a_hidden_step() -> None:
    lesson = _lesson(_hide(_data(), "s3", "s4", "s5"))
    replay = Replay(lesson)
    assert replay.digest == lesson_digest(lesson)
    assert replay.view().total == 5
    while not replay.finished:
        if replay.awaiting_answer():
            replay.skip()
        else:
            replay.next()
    seen = [entry.step.id for entry in replay.view().timeline]
    assert seen == ["s1", "s2", "s6", "s7", "s8"]
    text = lesson_markdown(lesson)
    assert "I'll look around" not in text and "def parse()" not in text
    assert "I'll delete the test" in text


def test_a_lesson_run_counts_only_shown_steps_and_keeps_the_full_digest() -> None:
    lesson = _lesson(_hide(_data(), "s3", "s4", "s5"))
    run = LessonRun(lesson, None)
    assert run.digest == lesson_digest(lesson)
    assert [step.id for step in run.lesson.steps] == ["s1", "s2", "s6", "s7", "s8"]
    assert run.view().total == 5


def test_hiding_a_step_is_a_change_an_attempt_notices() -> None:
    plain = _lesson()
    replay = Replay(plain)
    replay.next()
    hidden = _lesson(_hide(_data(), "s2"))
    resumed = Replay(hidden, replay.state)
    assert resumed.lesson_changed


# ---------------------------------------------------------------- editing


def test_annotation_set_and_removed() -> None:
    lesson = _lesson()
    edited = edit.set_annotation(lesson, "s2", "\n\n**Vague.** Say what done means.  \n\n")
    assert edited.step("s2").annotation == "**Vague.** Say what done means."
    assert edit.set_annotation(edited, "s2", "  \n ").step("s2").annotation is None
    assert edit.set_annotation(lesson, "s2", "") is lesson


def test_why_and_category_only_on_corrections() -> None:
    lesson = _lesson()
    edited = edit.set_category(edit.set_why(lesson, "s7", "Because."), "s7", "safety")
    assert edited.step("s7").why == "Because." and edited.step("s7").category is Category.SAFETY
    with pytest.raises(EditRefused, match="only a correction has a why; s2 is a prompt step"):
        edit.set_why(lesson, "s2", "x")
    with pytest.raises(EditRefused, match="only a correction has a category"):
        edit.set_category(lesson, "s8", "test")
    with pytest.raises(EditRefused, match="unknown category 'sloppy'"):
        edit.set_category(lesson, "s7", "sloppy")


def test_unknown_step_is_refused() -> None:
    with pytest.raises(EditRefused, match="no step 'nope'"):
        edit.set_annotation(_lesson(), "nope", "x")


def test_each_ask_type_where_it_may_stand() -> None:
    lesson = _lesson()
    goal = edit.set_goal_ask(lesson, "s1", prompt="", rubric=["bounds the scope", " ", "says when it is done"])
    assert goal.step("s1").ask.rubric == ["bounds the scope", "says when it is done"]
    assert goal.step("s1").ask.prompt == "What goal would you give the agent?"
    outcome = edit.set_outcome_ask(lesson, "s5", prompt="Will ls show p.py?")
    assert outcome.step("s5").ask.type == "outcome" and outcome.step("s5").ask.prompt == "Will ls show p.py?"
    intervene = edit.set_intervene_ask(lesson, "s4", key_points="reading is harmless\n\nlet it run\n")
    assert intervene.step("s4").ask.key_points == ["reading is harmless", "let it run"]
    choice = edit.set_choice_ask(lesson, "s8", prompt="Which?", options=["a", "b", "c"], answer=2, explain="c it is")
    ask = choice.step("s8").ask
    assert (ask.options, ask.answer, ask.explain) == (["a", "b", "c"], 2, "c it is")
    assert edit.remove_ask(choice, "s8").step("s8").ask is None


@pytest.mark.parametrize(
    ("step_id", "ask_type", "parts", "reason"),
    [
        ("s2", "goal", {}, "a goal ask stands only on a goal step; s2 is a prompt step"),
        ("s3", "outcome", {}, "an outcome ask stands only on a result step"),
        ("s5", "intervene", {}, "an intervene ask stands only on the step right after an agent step"),
        ("s8", "intervene", {}, "an intervene ask stands only on the correction or result right after an agent step; s8 is a note step"),
        ("s8", "choice", {"prompt": " ", "options": ["a", "b"], "answer": 0}, "a choice ask needs a question"),
        ("s8", "choice", {"prompt": "Q?", "options": ["a", ""], "answer": 0}, "at least two options"),
        ("s8", "choice", {"prompt": "Q?", "options": ["a", "b"], "answer": 2}, r"one of the 2 options \(1 to 2\)"),
        ("s8", "riddle", {}, "unknown ask type 'riddle'"),
    ],
)
def test_asks_refused_where_they_cannot_stand(step_id: str, ask_type: str, parts: dict, reason: str) -> None:
    with pytest.raises(EditRefused, match=reason) as refused:
        edit.set_ask(_lesson(), step_id, ask_type, **parts)
    assert "\n" not in str(refused.value)


def test_ask_types_for_a_step() -> None:
    lesson = _lesson()
    assert edit.ask_types_for(lesson, "s1") == [AskType.GOAL, AskType.CHOICE]
    assert edit.ask_types_for(lesson, "s4") == [AskType.OUTCOME, AskType.INTERVENE, AskType.CHOICE]
    assert edit.ask_types_for(lesson, "s5") == [AskType.OUTCOME, AskType.CHOICE]
    assert edit.ask_types_for(lesson, "s7") == [AskType.INTERVENE, AskType.CHOICE]
    assert edit.ask_types_for(edit.set_hidden(lesson, "s2", True), "s2") == []


def test_hiding_an_agent_step_hides_its_results_and_showing_brings_them_back() -> None:
    lesson = _lesson()
    hidden = edit.set_hidden(lesson, "s3", True)
    assert [step.id for step in hidden.steps if step.hidden] == ["s3", "s4", "s5"]
    with pytest.raises(EditRefused, match=r"the agent step it answers \(s3\) is hidden"):
        edit.set_hidden(hidden, "s4", False)
    shown = edit.toggle_hidden(hidden, "s3")
    assert not any(step.hidden for step in shown.steps)
    assert dump_lesson(shown) == dump_lesson(lesson)


def test_hiding_is_refused_where_it_would_lose_a_question() -> None:
    lesson = _lesson()
    with pytest.raises(EditRefused, match="it carries an ask: remove it first"):
        edit.set_hidden(lesson, "s7", True)
    with pytest.raises(EditRefused, match="the intervene ask of s7 judges this proposal"):
        edit.set_hidden(lesson, "s6", True)
    asking_result = edit.set_outcome_ask(lesson, "s5")
    with pytest.raises(EditRefused, match="its result s5 carries an ask"):
        edit.set_hidden(asking_result, "s3", True)
    no_goal_ask = edit.remove_ask(lesson, "s1")
    with pytest.raises(EditRefused, match="every goal step is hidden"):
        edit.set_hidden(no_goal_ask, "s1", True)
    with pytest.raises(EditRefused, match="hidden step cannot ask anything"):
        edit.set_choice_ask(edit.set_hidden(lesson, "s8", True), "s8", prompt="Q?", options=["a", "b"], answer=0)


def test_an_intervene_ask_after_a_hidden_agent_step_is_refused() -> None:
    lesson = edit.remove_ask(_lesson(), "s7")
    hidden = edit.set_hidden(lesson, "s6", True)
    with pytest.raises(EditRefused, match="s6 is hidden: show it first"):
        edit.set_intervene_ask(hidden, "s7")


def test_the_editor_tracks_changes_and_refusals_leave_it_alone() -> None:
    editor = LessonEditor(_lesson())
    assert not editor.dirty
    editor.set_annotation("s2", "A note.")
    assert editor.dirty
    before = editor.lesson
    with pytest.raises(EditRefused):
        editor.set_ask("s2", "outcome")
    assert editor.lesson is before
    editor.set_annotation("s2", "")
    assert not editor.dirty
    editor.toggle_hidden("s8")
    editor.mark_saved()
    assert not editor.dirty and editor.check() == []


def test_editing_a_bundled_lesson_keeps_its_trajectory() -> None:
    read = read_lesson(CURRICULUM / "tests-that-lie")
    editor = LessonEditor(read.lesson)
    correction = next(step for step in read.lesson.steps if step.kind == "correction")
    editor.set_why(correction.id, "Because the test is the spec.")
    editor.set_category(correction.id, "correctness")
    quiet = next(step for step in read.lesson.steps if step.ask is None and step.kind == "note")
    editor.toggle_hidden(quiet.id)
    assert edit.trajectory(editor.lesson) == edit.trajectory(read.lesson)
    assert editor.check(str(read.path / "lesson.json"), read.path) == []


# ---------------------------------------------------------------- any sequence of edits

_text = st.sampled_from(["", "  ", "A note.", "**bold**\n\nmore", "line one\nline two\n", "\n\nindented\n"])
_edits = st.one_of(
    st.tuples(st.just("annotation"), st.integers(0, 20), _text),
    st.tuples(st.just("why"), st.integers(0, 20), _text),
    st.tuples(st.just("category"), st.integers(0, 20), st.sampled_from([*Category, "nonsense"])),
    st.tuples(
        st.just("ask"),
        st.integers(0, 20),
        st.sampled_from(["goal", "outcome", "intervene", "choice", None]),
        _text,
        st.lists(_text, max_size=4),
        st.integers(-1, 4),
    ),
    st.tuples(st.just("unask"), st.integers(0, 20)),
    st.tuples(st.just("hide"), st.integers(0, 20), st.booleans()),
    # Hiding is where steps interact: tried more often, and after asks are removed.
    st.tuples(st.just("toggle"), st.integers(0, 20)),
    st.tuples(st.just("toggle"), st.integers(0, 20)),
)

# The length drawn first: `st.lists` alone averages too few edits to reach hidden steps.
_edit_scripts = st.integers(0, 30).flatmap(lambda size: st.lists(_edits, min_size=size, max_size=size))


def _apply(lesson: Lesson, move: tuple) -> Lesson:
    name, index, *args = move
    step_id = lesson.steps[index % len(lesson.steps)].id
    if name == "annotation":
        return edit.set_annotation(lesson, step_id, args[0])
    if name == "why":
        return edit.set_why(lesson, step_id, args[0])
    if name == "category":
        return edit.set_category(lesson, step_id, args[0])
    if name == "ask":
        ask_type, prompt, items, answer = args
        return edit.set_ask(lesson, step_id, ask_type, prompt=prompt, rubric=items, key_points=items, options=items, answer=answer, explain=prompt)
    if name == "unask":
        return edit.remove_ask(lesson, step_id)
    if name == "hide":
        return edit.set_hidden(lesson, step_id, args[0])
    return edit.toggle_hidden(lesson, step_id)


@PROPERTY
@given(lessons(min_steps=3, max_steps=10), _edit_scripts)
def test_any_edits_are_refused_or_leave_a_valid_lesson_with_the_same_trajectory(lesson: Lesson, moves: list[tuple]) -> None:
    history = edit.trajectory(lesson)
    for move in moves:
        before = lesson
        try:
            lesson = _apply(lesson, move)
        except EditRefused as refused:
            reason = str(refused)
            assert reason and "\n" not in reason
            assert lesson is before
            continue
        assert edit.check(lesson) == [], move
        assert edit.trajectory(lesson) == history
        # What a save writes reads back as the same lesson.
        assert _lesson(json.loads(dump_lesson(lesson))) == lesson
    shown = lesson.for_learners()
    assert edit.check(shown) == []
    assert not any(step.hidden for step in shown.steps)
    replay = Replay(lesson)
    while not replay.finished:
        replay.skip() if replay.awaiting_answer() else replay.next()
    hidden = {step.id for step in lesson.steps if step.hidden}
    assert not hidden & {entry.step.id for entry in replay.view().timeline}
    assert lesson_to_data(shown)["steps"] == [data for data in lesson_to_data(lesson)["steps"] if not data.get("hidden")]


def test_editing_an_intervene_ask_keeps_its_other_right_answers_and_a_new_category_leaves_them() -> None:
    from tutor.lesson import Category
    from tutor.paths import bundled_curricula_dir

    lesson = load_lesson(bundled_curricula_dir() / "steering-101" / "done-without-evidence")
    step = next(s for s in lesson.steps if s.kind == "correction" and s.ask is not None and s.ask.accept and s.ask.related)
    edited = edit.set_intervene_ask(lesson, step.id, prompt="Would you let it?", key_points=["one point"])
    assert edited.step(step.id).ask.accept == step.ask.accept and edited.step(step.id).ask.related == step.ask.related
    related = step.ask.related[0]
    moved = edit.set_category(lesson, step.id, related)
    assert moved.step(step.id).category is Category(related) and related not in moved.step(step.id).ask.related
