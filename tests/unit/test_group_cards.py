"""A participant's missed asks in a group replay come back in their reviews even when they do not have
the lesson: the learner's copy rebuilt from what the host sent is kept under `$TUTOR_HOME/group-lessons`
(only when every step was shown), and the review queue poses the cards keyed `group:<digest>` from it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.group_support import STEERING, Changes, some_answer, spoiler_lesson_data, write_lesson
from tests.unit.test_group_attempt import play, senior_answer, wrong_answer
from tutor import paths
from tutor.cli import cli
from tutor.group import step_content
from tutor.learn import AskFrame, Committed, grade, score_card
from tutor.lesson import lesson_digest
from tutor.lesson.io import load_lesson, read_lesson
from tutor.services.group_client import GroupClient
from tutor.services.group_host import GroupHost
from tutor.services.reviews import ReviewQueue
from tutor.settings import load_settings
from tutor.store.progress import Progress

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def without_bundled_lessons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The participant's Tutor ships no curricula: the bundled lesson the host plays is not theirs."""
    empty = tmp_path / "no-bundled-curricula"
    empty.mkdir()
    monkeypatch.setattr(paths, "bundled_curricula_dir", lambda: empty)


def tomorrows_queue() -> ReviewQueue:
    progress = Progress(paths.progress_dir())
    return ReviewQueue(progress, load_settings().curriculum_roots(), today=date.today() + timedelta(days=1))


@pytest.mark.usefixtures("without_bundled_lessons")
async def test_missed_asks_are_reviewed_from_the_kept_copy_without_the_lesson() -> None:
    folder = STEERING / "tests-that-lie"
    played = load_lesson(folder)
    lesson, digest = played.for_learners(), lesson_digest(played)
    steps = {index + 1: step for index, step in enumerate(lesson.steps)}
    wrong_at = {number for number, step in steps.items() if step.ask is not None and step.ask.type != "goal"}
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    bob = GroupClient(code, "Bob", on_change=changes)  # his own progress, under $TUTOR_HOME
    await bob.connect()
    await play(host, changes, {bob: lambda frame: wrong_answer(frame, senior_answer(steps[frame.number])) if frame.number in wrong_at else senior_answer(steps[frame.number])})
    await host.stop()
    await bob.leave()

    copy = paths.group_lessons_dir() / f"tests-that-lie-{digest[:12]}"
    read = read_lesson(copy)
    assert read.ok and read.lesson is not None and not (copy / "repo.bundle").exists()
    assert read.lesson.id == "tests-that-lie" and read.lesson.title == played.title and read.lesson.task == played.task
    assert read.lesson.repo is None  # the host's code is not sent: a result's commit is left out with it
    assert [step_content(step) for step in read.lesson.steps] == [{k: v for k, v in step_content(step).items() if k != "commit"} for step in lesson.steps]
    assert not bob.view.notes

    missed = {step_id for step_id, result in bob.view.grades.items() if result.missed}
    assert missed and {steps[number].id for number in wrong_at} <= missed
    with Progress(paths.progress_dir()) as progress:
        cards = progress.cards()
    assert {card["step"] for card in cards} == missed
    assert {card["key"] for card in cards} == {f"group:{digest}/{step_id}" for step_id in missed}

    queue = tomorrows_queue()
    assert {item.card.step_id for item in queue.items} == missed and queue.skipped == []
    for item in queue.items:  # each is posed: its replay walks to the missed question
        replay = item.replay()
        while not replay.view().awaiting_answer:
            replay.next()
        assert isinstance(replay.view().frame, AskFrame) and replay.open_step_id() == item.card.step_id
    queue.progress.close()


@pytest.mark.usefixtures("without_bundled_lessons")
async def test_tutor_progress_lists_the_group_attempt_and_its_calibration_counts() -> None:
    folder = STEERING / "tests-that-lie"
    lesson = load_lesson(folder).for_learners()
    steps = {index + 1: step for index, step in enumerate(lesson.steps)}
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    ann = GroupClient(code, "Ann", on_change=changes)
    await ann.connect()
    await play(host, changes, {ann: lambda frame: wrong_answer(frame, senior_answer(steps[frame.number]))})
    await host.stop()
    await ann.leave()

    result = CliRunner().invoke(cli, ["progress"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("tests-that-lie"))
    assert "done" in line and "1 attempt" in line and lesson.title in line
    cards = len({step_id for step_id, given in ann.view.grades.items() if given.missed})
    assert cards and f"of {cards} cards" in result.output

    # The answers saved carry their confidence: graded again from the kept copy, they give the score
    # card's calibration the session showed.
    with Progress(paths.progress_dir()) as progress:
        (record,) = progress.attempts()
        state = progress.load_state(record.id)
    (copy,) = (paths.group_lessons_dir()).iterdir()
    kept = load_lesson(copy)
    saved = [Committed.from_data(entry) for entry in state["committed"]]
    regraded = [grade(kept.step(entry.step_id), entry.answer) for entry in saved if entry.answer is not None]
    again = score_card(regraded, total_asks=len(kept.asks))
    shown = score_card(list(ann.view.grades.values()), total_asks=len(lesson.asks))
    assert again.calibration_n > 0 and again.brier is not None and again.brier == pytest.approx(shown.brier)


async def test_a_lesson_with_a_hidden_step_is_kept_as_learners_see_it(tmp_path: Path) -> None:
    folder = write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())  # in no curriculum of hers
    digest = lesson_digest(load_lesson(folder))
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    ann = GroupClient(code, "Ann", on_change=changes)
    await ann.connect()
    await play(host, changes, {ann: lambda frame: None if frame.number == 7 else some_answer(frame, works=True, intervene=False)})
    await host.stop()
    await ann.leave()

    kept = load_lesson(paths.group_lessons_dir() / f"group-spoilers-{digest[:12]}")
    assert [step.id for step in kept.steps] == [step.id for step in load_lesson(folder).for_learners().steps]
    assert "NEVER-SENT-HIDDEN-STEP" not in (paths.group_lessons_dir() / f"group-spoilers-{digest[:12]}" / "lesson.json").read_text()
    assert kept.step("s5").annotation == "NOTE-HIDDEN-5"  # the agent step as last sent, with its note
    queue = tomorrows_queue()
    assert {item.card.step_id for item in queue.items} >= {"s4", "s8", "correction-id-hidden-six"} and queue.skipped == []
    queue.progress.close()


@pytest.mark.usefixtures("without_bundled_lessons")
async def test_a_participant_who_leaves_early_gets_no_copy_and_no_cards() -> None:
    folder = STEERING / "tests-that-lie"
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    ann = GroupClient(code, "Ann", on_change=changes)
    await ann.connect()
    host.advance()
    await changes.until(lambda: ann.view.phase == "open", "the first question open")
    await ann.answer(some_answer(ann.view.ask, works=False, choice=3 % max(1, len(ann.view.ask.options) or 1)))
    host.advance()  # closed
    host.advance()  # revealed, the next open
    await changes.until(lambda: bool(ann.view.grades) or ann.view.revealed, "a reveal")
    await ann.leave()
    while host.view.phase != "ended":  # the others play on to the end
        host.advance()
    await host.stop()

    assert not paths.group_lessons_dir().exists()
    with Progress(paths.progress_dir()) as progress:
        (record,) = progress.attempts()
        assert not record.finished and progress.cards() == []
    assert not ann.view.notes


@pytest.mark.usefixtures("without_bundled_lessons")
async def test_a_session_ended_before_its_last_step_keeps_no_copy_and_makes_no_cards() -> None:
    folder = STEERING / "tests-that-lie"
    changes = Changes()
    host = GroupHost(folder, min_group=1, on_change=changes)
    code = await host.start()
    ann = GroupClient(code, "Ann", on_change=changes)
    await ann.connect()
    host.advance()
    await changes.until(lambda: ann.view.phase == "open", "the first question open")
    host.advance()
    host.advance()  # the first ask revealed unanswered: a skip, a missed ask
    await changes.until(lambda: bool(ann.view.revealed), "a reveal")
    host.end()
    await changes.until(lambda: ann.view.phase == "ended", "the end")
    await ann.settled()
    await host.stop()
    await ann.leave()

    assert not paths.group_lessons_dir().exists()
    with Progress(paths.progress_dir()) as progress:
        (record,) = progress.attempts()
        assert record.finished and progress.cards() == []
    assert not ann.view.notes
