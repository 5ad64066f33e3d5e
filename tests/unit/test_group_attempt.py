"""Each participant's answers in a group replay are a normal attempt in their own progress: keyed
`group:<digest>`, each answer saved with its grade's score at its reveal, the revote kept when given, a skip
where they were asked and did not answer, finished with its score when the host ends, and review cards
for missed asks (posed from the participant's own copy of the lesson, or from the copy kept of the lesson as
they were shown it: tests/unit/test_group_cards.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.group_support import STEERING, Changes, some_answer, spoiler_lesson_data, write_lesson
from tutor.learn import Answer, AskFrame, ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer, grade
from tutor.lesson import AnyStep, AskType, ChoiceAsk, Confidence, CorrectionStep, ResultStep, lesson_digest
from tutor.lesson.io import load_lesson
from tutor.services.group_client import GroupClient
from tutor.services.group_host import GroupHost
from tutor.services.reviews import ReviewQueue
from tutor.store.progress import Progress

pytestmark = pytest.mark.timeout(120)


def senior_answer(step: AnyStep) -> Answer:
    """The answer the senior's step makes right."""
    ask = step.ask
    assert ask is not None
    if ask.type == AskType.OUTCOME.value:
        assert isinstance(step, ResultStep)
        return OutcomeAnswer(step.ok, Confidence.HIGH)
    if isinstance(ask, ChoiceAsk):
        return ChoiceAnswer(ask.answer, Confidence.HIGH)
    if ask.type == AskType.INTERVENE.value:
        if isinstance(step, CorrectionStep):
            return InterveneAnswer(True, step.category, "stop and check this first", Confidence.HIGH)
        return InterveneAnswer(False, None, "", Confidence.HIGH)
    return GoalAnswer("Make the failing test pass without editing the tests, and show the suite green.", Confidence.MEDIUM)


def wrong_answer(frame: AskFrame, right: Answer) -> Answer:
    if isinstance(right, OutcomeAnswer):
        return OutcomeAnswer(not right.works, Confidence.HIGH)
    if isinstance(right, ChoiceAnswer):
        return ChoiceAnswer((right.index + 1) % len(frame.options), Confidence.HIGH)
    if isinstance(right, InterveneAnswer):
        return InterveneAnswer(not right.intervene, None, "", Confidence.HIGH)
    return GoalAnswer("make it better", Confidence.HIGH)


def only_attempt(folder: Path) -> tuple[Any, dict[str, Any], dict[str, float | None], dict[str, float | None], list[dict[str, Any]]]:
    with Progress(folder) as progress:
        (record,) = progress.attempts()
        return record, progress.load_state(record.id), progress.answer_scores(record.id), progress.answer_seconds(record.id), progress.cards()


async def play(host: GroupHost, changes: Changes, answering: dict[GroupClient, Any], *, discuss_at: int | None = None, revote: dict[GroupClient, Any] | None = None) -> None:
    """Play to the end: at each open round each client in `answering` answers with `pick(frame, round)`."""
    clients = list(answering)
    while host.view.phase != "ended":
        view = host.view
        if view.phase in ("open", "revote-open"):
            where = (view.phase, view.step_number, view.round)
            await changes.until(lambda: all((c.view.phase, c.view.step_number, c.view.round) == where and c.view.ask is not None for c in clients))
            pickers = answering if view.phase == "open" else (revote or answering)
            for client, pick in pickers.items():
                given = pick(client.view.ask)
                if given is not None:
                    await client.answer(given)
            await changes.until(lambda: host.view.answered == sum(1 for client, pick in pickers.items() if pick(client.view.ask) is not None))
        if view.phase == "closed" and view.step_number == discuss_at:
            host.discuss()
        else:
            host.advance()
    await changes.until(lambda: all(c.view.phase == "ended" for c in clients), "every client at the end")
    for client in clients:
        await client.settled()


async def test_each_participants_progress_holds_a_finished_attempt_with_their_scores(tmp_path: Path) -> None:
    folder = STEERING / "tests-that-lie"
    lesson = load_lesson(folder).for_learners()
    digest = lesson_digest(load_lesson(folder))
    steps = {index + 1: step for index, step in enumerate(lesson.steps)}
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    ann = GroupClient(code, "Ann", on_change=changes, progress_folder=tmp_path / "ann")
    bob = GroupClient(code, "Bob", on_change=changes, progress_folder=tmp_path / "bob")
    for client in (ann, bob):
        await client.connect()
    await play(
        host,
        changes,
        {
            ann: lambda frame: senior_answer(steps[frame.number]),
            bob: lambda frame: wrong_answer(frame, senior_answer(steps[frame.number])),
        },
    )
    await host.stop()
    for client in (ann, bob):
        await client.leave()

    scores = {}
    for who, client in (("ann", ann), ("bob", bob)):
        record, state, saved, seconds, cards = only_attempt(tmp_path / who)
        assert record.key == f"group:{digest}" and record.lesson_id == "tests-that-lie" and record.digest == digest
        assert record.finished and record.id == client.view.attempt_id and record.total == len(lesson.steps)
        answered = {entry["step"]: entry for entry in state["committed"]}
        assert set(answered) == {step.id for step in lesson.asks}
        for step in lesson.asks:
            entry = answered[step.id]
            assert not entry["skipped"]
            given = client.view.answers[step.id]
            assert saved[step.id] == pytest.approx(grade(step, given).score)  # saved with its grade's score
            assert seconds[step.id] is not None and seconds[step.id] >= 0
        scores[who] = record.score
        missed = {step.id for step in lesson.asks if client.view.grades[step.id].missed}
        assert {card["step"] for card in cards} == missed  # review cards as solo replay makes them
        assert {card["key"].rsplit("/", 1)[0] for card in cards} <= {"bundled:steering-101/tests-that-lie"}
        assert bool(missed) == (who == "bob")
    assert scores["ann"] > scores["bob"]
    # Bob's cards come back in his review, posed from his own copy of the lesson.
    with Progress(tmp_path / "bob") as progress:
        queue = ReviewQueue(progress, [STEERING.parent], today=date.today() + timedelta(days=1))
        assert queue.items and not queue.skipped


async def test_the_revote_is_kept_an_unanswered_ask_is_a_skip_and_cards_from_the_kept_copy(tmp_path: Path) -> None:
    folder = write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    ann = GroupClient(code, "Ann", on_change=changes, progress_folder=tmp_path / "ann")
    await ann.connect()

    def first(frame: AskFrame) -> Answer | None:
        if frame.number == 7:
            return None  # she lets the choice go by
        return some_answer(frame, works=True, intervene=False)

    await play(host, changes, {ann: first}, discuss_at=6, revote={ann: lambda frame: some_answer(frame, intervene=True)})
    await host.stop()
    await ann.leave()
    record, state, saved, _, cards = only_attempt(tmp_path / "ann")
    assert record.finished and record.key.startswith("group:")
    committed = {entry["step"]: entry for entry in state["committed"]}
    assert committed["correction-id-hidden-six"]["answer"]["intervene"] is True  # the revote, not the first vote
    assert ann.view.grades["correction-id-hidden-six"].decision_correct is True
    assert committed["s8"]["skipped"] is True and saved["s8"] == 0.0 and "s8" not in ann.view.grades
    assert committed["s4"]["answer"]["works"] is True and saved["s4"] == 0.0  # it failed: wrong, and saved as such
    # The lesson is not in her curricula: her cards are posed from the copy kept of the lesson she was shown.
    assert {card["step"] for card in cards} == {"s4", "s8"}
    assert all(card["key"].startswith(f"{record.key}/") for card in cards)


async def test_a_participant_who_leaves_early_keeps_the_answers_revealed_so_far(tmp_path: Path) -> None:
    folder = write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    ann = GroupClient(code, "Ann", on_change=changes, progress_folder=tmp_path / "ann")
    await ann.connect()
    for _ in range(4):
        host.advance()  # step 1 revealed (unanswered: she was asked), step 4 open
    await changes.until(lambda: ann.view.phase == "open" and ann.view.step_number == 4)
    await ann.answer(OutcomeAnswer(False))
    host.advance()
    host.advance()
    await changes.until(lambda: "s4" in ann.view.grades)
    await ann.leave()
    await changes.until(lambda: not host.view.participants[0].connected and host.view.participants[0].left)
    await host.stop()
    record, state, saved, _, _ = only_attempt(tmp_path / "ann")
    assert not record.finished and record.frontier == 4
    assert {entry["step"]: entry["skipped"] for entry in state["committed"]} == {"s1": True, "s4": False}
    assert saved["s4"] == 1.0


def test_joining_opens_no_store_the_first_save_does_and_leaving_leaves_an_attempt(tmp_path: Path) -> None:
    """Issue 18: the participant's first screen waits for no TinyDB; the attempt is there all the same."""
    from tutor.group.host_messages import LessonInfo
    from tutor.lesson import NoteStep
    from tutor.services.group_attempt import GroupAttempt

    info = LessonInfo("tests-that-lie", "Tests that lie", "Fix it.", "a" * 64, 3)
    joined = GroupAttempt(tmp_path / "joined", info, lessons_folder=tmp_path / "copies")
    assert joined.progress is None and not (tmp_path / "joined").exists()
    joined.close()  # left before any step was revealed
    with Progress(tmp_path / "joined") as progress:
        (record,) = progress.attempts()
        assert record.key == joined.key and record.answers == 0 and not record.finished
    played = GroupAttempt(tmp_path / "played", info, lessons_folder=tmp_path / "copies")
    played.reveal(1, NoteStep(id="s1", text="a note"), None, asked=False)
    assert played.attempt_id is not None
    played.close()
    with Progress(tmp_path / "played") as progress:
        assert [record.id for record in progress.attempts()] == [played.attempt_id]
