"""A 10,000-step lesson: read, validated and replayed correctly, and each move touches only what it changes.

Nothing here is timed (the benchmarks are: `benchmarks/bench_keypress.py`,
`benchmarks/bench_lesson_open.py`); what is checked is the behaviour that keeps a key
press flat: the engine hands back the same timeline entries for steps already shown,
hidden steps never show, and a broken step deep in a big lesson is still refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from tutor.learn import AttemptState, Replay, StepFrame
from tutor.lesson import lesson_digest, read_lesson

from tests.helpers.strategies import actions, lessons
from tests.unit.test_replay import apply

STEPS = 10_000


def big_lesson_data(steps: int = STEPS, *, hidden_every: int = 97) -> dict[str, Any]:
    """A lesson of STEPS steps: a goal, then cycles of prompt, agent (one call), result, and now and then a hidden note."""
    data: dict[str, Any] = {
        "format": "tutor.lesson/1",
        "id": "ten-thousand-steps",
        "title": "A very long session",
        "origin": "recorded",
        "task": "Follow a long session to its end.",
        "steps": [{"id": "s1", "kind": "goal", "text": "Walk it all.", "ask": {"type": "goal"}}],
    }
    out = data["steps"]
    cycle = 0
    while len(out) < steps:
        cycle += 1
        number = len(out) + 1
        if number % hidden_every == 0:
            out.append({"id": f"s{number}", "kind": "note", "hidden": True, "text": f"hidden note {number}"})
            continue
        call = f"c{cycle}"
        block = [
            {"id": f"s{number}", "kind": "prompt", "text": f"Round {cycle}: run the tests."},
            {"id": f"s{number + 1}", "kind": "agent", "text": f"Running them, round {cycle}.", "calls": [{"id": call, "tool": "run", "input": {"command": "pytest -q"}}]},
            {"id": f"s{number + 2}", "kind": "result", "call": call, "ok": cycle % 3 != 0, "output": f"round {cycle}\n" + "line\n" * 5},
        ]
        out.extend(block[: steps - len(out)])
    if out[-1]["kind"] in ("agent", "prompt"):
        out[-1] = {"id": out[-1]["id"], "kind": "note", "text": "The end."}
    return data


def write(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True)
    (folder / "lesson.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return folder


def test_a_ten_thousand_step_lesson_is_read_replayed_and_walked_to_its_end(tmp_path: Path) -> None:
    data = big_lesson_data()
    read = read_lesson(write(tmp_path / "big", data))
    assert read.ok, read.problems[:3]
    assert read.lesson is not None and len(read.lesson.steps) == STEPS
    assert lesson_digest(read.lesson) == lesson_digest(read_lesson(tmp_path / "big").lesson)  # type: ignore[arg-type]

    hidden_ids = {step["id"] for step in data["steps"] if step.get("hidden")}
    assert hidden_ids
    replay = Replay(read.lesson)
    total = STEPS - len(hidden_ids)
    assert replay.view().total == total
    replay.next()
    replay.skip()  # the goal's ask
    earlier = replay.view().timeline
    while replay.can_next():
        replay.next()
        view = replay.view()
        assert len(view.timeline) == min(view.frontier, total) and view.hidden == total - len(view.timeline)
        # The lines already shown are the very same entries: nothing is rebuilt for steps passed.
        assert all(now is was for now, was in zip(view.timeline, earlier))
        if isinstance(view.frame, StepFrame):
            assert view.frame.step.id not in hidden_ids
        earlier = view.timeline
    assert replay.finished
    assert not hidden_ids & {entry.step.id for entry in earlier}
    assert [entry.number for entry in earlier] == list(range(1, total + 1))


def test_a_big_lesson_whose_step_9000_is_broken_is_refused(tmp_path: Path) -> None:
    from tutor.cli import cli

    data = big_lesson_data()
    data["steps"][8999] = {**data["steps"][8999], "kind": "result", "call": "no-such-call", "ok": "yes"}
    folder = write(tmp_path / "broken", data)
    read = read_lesson(folder)
    assert read.lesson is None
    wheres = {problem.where for problem in read.problems}
    assert {"steps[8999].ok", "steps[8999].call"} & wheres, read.problems
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code != 0
    assert "steps[8999]" in result.output


PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(lesson=lessons(max_steps=14), script=actions)
def test_the_kept_timeline_is_always_what_a_fresh_replay_shows(lesson: Any, script: list[tuple]) -> None:
    """The engine keeps its timeline entries between moves; after any move, answer, skip or judgement
    they are what a replay restored from the same state builds afresh (grades and held-back notes included)."""
    replay = Replay(lesson)
    for act in script:
        apply(replay, act)
        kept = replay.view()
        fresh = Replay(lesson, AttemptState.from_data(json.loads(json.dumps(replay.state.to_data())))).view()
        assert kept.timeline == fresh.timeline
        assert [entry.grade for entry in kept.timeline] == [replay.grade_of(entry.step.id) for entry in kept.timeline]
        assert kept.hidden == fresh.hidden
