"""Record mode through the real screen and the real SDK, against the fake Messages API on 127.0.0.1.

A senior runs one call, corrects the next (category key, words, why), annotates, marks a
question for learners, and saves: the lesson validates, replays, and holds the correction,
the real outputs and the snapshots; nothing of the user's repository changed, and neither
its ignored `.env` nor secrets planted in outputs and files reached the journal or lesson.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.widgets import TextArea

from tests.helpers.fake_messages_api import ToolUse, text_reply, tool_reply
from tests.helpers.live_support import fingerprint, git, make_user_repo
from tests.helpers.pair_support import api, settings  # noqa: F401 - api is a fixture
from tutor.lesson import read_lesson
from tutor.learn.replay import Replay
from tutor.record.journal import read_journal
from tutor.services.live import journal_path, resume_session, start_session
from tutor.ui.app import TutorApp
from tutor.ui.start import RecordStart
from tutor.ui.screens.record import RecordScreen, SaveRecording
from tutor.ui.widgets.live import CategoryPicker, KeyPicker
from tutor.vcs.lesson_repo import LessonRepo
from tests.helpers.ui_support import drained, settled, type_fast, wait_until

GOAL = "add() returns the sum; done when python3 test_app.py prints ok; only touch app.py"
RUN_TEST = ToolUse("toolu_run1", "run", {"command": "python3 test_app.py"})
GUT_TEST = ToolUse("toolu_gut", "write_file", {"path": "test_app.py", "content": "print('ok')\n"})
FIX = ToolUse("toolu_fix", "edit_file", {"path": "app.py", "old": "return a - b", "new": "return a + b"})
CHECK = ToolUse("toolu_run2", "run", {"command": "python3 test_app.py"})
PLANTED = "ghp_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"  # a GitHub token shape the redactor knows


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_user_repo(tmp_path)


def record_session(repo: Path, task: str = "add() is broken; the test says so") -> object:
    session = start_session(mode="record", settings=settings(), repo=repo, task=task)
    session.loop.retry_delay = 0.0
    return session


def enqueue_trajectory(api) -> None:  # noqa: ANN001, F811 - the fixture's value
    api.enqueue(
        tool_reply("Let me run the test first.", RUN_TEST),
        tool_reply("The test fails; I'll make it pass.", GUT_TEST),
        tool_reply("Right, fixing the sign in `add`.", FIX),
        tool_reply("Now the check.", CHECK),
        text_reply("Done: `add` adds and `python3 test_app.py` prints ok."),
    )


async def start_with_goal(pilot, screen, *, typed: bool = False) -> None:  # noqa: ANN001
    """Write the goal and start the agent. typed: every character as a key (slow); else a few keys, the rest inserted."""
    await wait_until(pilot, lambda: isinstance(pilot.app.focused, TextArea), "the goal's field to take focus")
    if typed:
        await pilot.press(*GOAL)
    else:
        await type_fast(pilot, GOAL)
    await pilot.press("ctrl+s")  # recording: no mentor round, the goal starts the agent
    await wait_until(pilot, lambda: screen.service.state.phase != "goal", "the goal")
    await settled(pilot, screen)


async def ask_to_save(pilot) -> None:  # noqa: ANN001
    await pilot.press("ctrl+q")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SaveRecording), "the save question")


def dialog_text(app) -> str:  # noqa: ANN001
    return " ".join(str(widget.render()) for widget in app.screen.query("Static"))


def focused_id(app) -> str | None:  # noqa: ANN001
    return app.focused.id if app.focused is not None else None


async def test_record_run_correct_annotate_mark_and_save(api, repo: Path, tmp_path: Path) -> None:  # noqa: F811
    before = fingerprint(repo)
    enqueue_trajectory(api)
    session = record_session(repo)
    out = tmp_path / "recorded-lesson"
    app = TutorApp(RecordStart(session, out), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        await start_with_goal(pilot, screen, typed=True)  # every letter a key: none of them acts in the goal's field
        assert screen.service.state.current.call.id == "toolu_run1"
        await pilot.press("w")  # no predictions in record mode: w does nothing
        await drained(pilot, app, screen)
        assert screen.service.state.current.prediction is None
        await pilot.press("r")
        await settled(pilot, screen)
        assert screen.service.state.current.call.id == "toolu_gut"
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.focused, CategoryPicker), "the category picker")
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea) and app.focused.id == "compose-text", "the correction's field")
        await type_fast(pilot, "Do not touch the test; fix add in app.py.")
        await pilot.press("tab")
        await wait_until(pilot, lambda: focused_id(app) == "compose-extra", "tab to the why field")
        await type_fast(pilot, "The test encodes the requirement; gutting it hides the bug.")
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        assert screen.service.state.current.call.id == "toolu_fix"
        await pilot.press("a")
        await wait_until(pilot, lambda: screen.form == "annotate" and focused_id(app) == "compose-text", "the annotation's field")
        await type_fast(pilot, "A one-character fix: **the minimal change**.")
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        assert screen.form is None
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.focused, KeyPicker), "the ask-type picker")
        assert set(app.focused.choices) == {"i", "o"}
        await pilot.press("i")
        await wait_until(pilot, lambda: getattr(app.focused, "text", None) == "The agent is about to do this. Would you let it?", "the intervene ask's prompt")
        await pilot.press("tab")
        await wait_until(pilot, lambda: focused_id(app) == "compose-extra", "tab to the key points")
        await type_fast(pilot, "the fix is in app.py")
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        assert len(screen.service.state.asks) == 1
        await pilot.press("r")
        await settled(pilot, screen)
        await pilot.press("r")
        await settled(pilot, screen)
        assert screen.service.state.phase == "human"
        await ask_to_save(pilot)
        assert "1 question(s) marked" in dialog_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: app.saved_lesson is not None, "the lesson to be saved")
    saved = app.saved_lesson
    assert saved.folder == out and not saved.warnings
    assert fingerprint(repo) == before

    read = read_lesson(out)
    assert read.ok, read.problems
    lesson = read.lesson
    assert lesson.origin.value == "recorded" and lesson.author == settings().learner
    kinds = [step.kind for step in lesson.steps]
    assert kinds == ["goal", "agent", "result", "agent", "correction", "agent", "result", "agent", "result", "agent"]
    first_run = lesson.steps[2]
    assert not first_run.ok and "add is broken" in first_run.output  # the real output of the real command
    correction = lesson.steps[4]
    assert correction.category.value == "test" and correction.text == "Do not touch the test; fix add in app.py."
    assert correction.why == "The test encodes the requirement; gutting it hides the bug."
    assert lesson.steps[5].annotation == "A one-character fix: **the minimal change**."
    fix_result = lesson.steps[6]
    assert fix_result.ask is not None and fix_result.ask.type == "intervene"
    assert fix_result.ask.key_points == ["the fix is in app.py"]
    assert [s.id for s in lesson.asks] == [fix_result.id]  # marked asks replace the defaults
    assert lesson.steps[8].ok and "ok" in lesson.steps[8].output

    lesson_repo = LessonRepo.for_lesson(out, lesson.repo)
    commit = lesson_repo.commit_for_step(fix_result.id)
    assert commit is not None and b"a + b" in lesson_repo.read_file(commit, "app.py")
    bundle_files = subprocess.run(["git", "-C", str(tmp_path), "bundle", "list-heads", str(out / "repo.bundle")],
                                  capture_output=True, text=True, check=True).stdout
    assert "refs/tutor/base" in bundle_files

    replay = Replay(lesson)  # it replays: every step can be reached, every ask answered or skipped
    while replay.can_next() or replay.awaiting_answer():
        replay.skip() if replay.awaiting_answer() else replay.next()
    assert replay.finished

    records = read_journal(journal_path(session.id)).records
    assert [r["kind"] for r in records][-2:] == ["end", "saved"]
    assert any(r["kind"] == "annotation" for r in records) and any(r["kind"] == "ask" for r in records)


async def test_without_marked_asks_the_defaults_are_proposed_and_used(api, repo: Path, tmp_path: Path, tutor_home: Path) -> None:  # noqa: F811
    enqueue_trajectory(api)
    session = record_session(repo, task="Fix add")
    app = TutorApp(RecordStart(session), settings=settings())  # no --out: a new lesson in the user's curriculum
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await start_with_goal(pilot, screen)
        await pilot.press("r")
        await settled(pilot, screen)
        await pilot.press("c", "s")
        await wait_until(pilot, lambda: screen.correcting == "scope" and focused_id(app) == "compose-text", "the scope correction's field")
        await type_fast(pilot, "Leave the test alone.")
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        await ask_to_save(pilot)
        note = dialog_text(app)
        assert "No questions marked" in note and "1 correction(s)" in note
        await pilot.press("y")
        await wait_until(pilot, lambda: app.saved_lesson is not None, "the lesson to be saved")
    folder = tutor_home / "curricula" / "recorded" / "fix-add"
    assert app.saved_lesson.folder == folder
    lesson = read_lesson(folder).lesson
    asks = {step.id: step.ask.type for step in lesson.asks}
    assert asks == {"goal": "goal", "result-1": "intervene", "correction-1": "intervene"}
    assert lesson.step("correction-1").ask.key_points == ["Leave the test alone."]
    from tutor.lesson.curriculum import discover_curricula

    curricula = discover_curricula([tutor_home / "curricula"])
    assert [c.title for c in curricula] == ["Recorded lessons"] and curricula[0].lesson_folders == ["fix-add"]
    assert not curricula[0].problems


async def test_n_keeps_only_the_journal_and_the_recording_resumes(api, repo: Path) -> None:  # noqa: F811
    enqueue_trajectory(api)
    session = record_session(repo)
    app = TutorApp(RecordStart(session), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await start_with_goal(pilot, screen)
        await pilot.press("a")
        await wait_until(pilot, lambda: screen.form == "annotate" and focused_id(app) == "compose-text", "the annotation's field")
        await type_fast(pilot, "Running the test first is the right instinct.")
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        await ask_to_save(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.return_code is not None, "n to quit, keeping the journal")
    assert app.saved_lesson is None
    session.close()
    resumed = resume_session(session.id, settings=settings(), mode="record")
    try:
        assert resumed.loop.state.phase == "gate" and resumed.loop.state.current.call.id == "toolu_run1"
        assert [a["text"] for a in resumed.loop.state.annotations] == ["Running the test first is the right instinct."]
        app = TutorApp(RecordStart(resumed), settings=settings())
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            await settled(pilot, screen)
            assert screen.query(".annotation-card")  # the resumed transcript shows it again
            await pilot.press("r")
            await settled(pilot, screen)
            assert resumed.loop.state.calls["toolu_run1"].result is not None
    finally:
        resumed.close()
    with pytest.raises(Exception, match="not a pair session"):
        resume_session(session.id, settings=settings(), mode="pair")


async def test_each_call_at_the_gate_is_its_own_step_and_asks_stand_only_where_they_can(api, repo: Path, tmp_path: Path) -> None:  # noqa: F811
    api.enqueue(
        tool_reply("Reading, then two commands.", ToolUse("toolu_r", "read_file", {"path": "app.py"}),
                   ToolUse("toolu_a", "run", {"command": "true"}), ToolUse("toolu_b", "run", {"command": "false"})),
        text_reply("Both ran."),
    )
    session = record_session(repo)
    out = tmp_path / "lesson"
    app = TutorApp(RecordStart(session, out), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await start_with_goal(pilot, screen)
        assert screen.service.state.current.call.id == "toolu_a"  # the read ran without stopping
        await pilot.press("r")
        await settled(pilot, screen)
        assert screen.service.state.current.call.id == "toolu_b"
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.focused, KeyPicker), "the ask-type picker")
        assert set(app.focused.choices) == {"i", "o"}  # the third call of the message, yet a step of its own
        await pilot.press("o")
        await wait_until(pilot, lambda: screen.form == "ask:outcome", "the outcome ask's form")
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        await pilot.press("r")
        await settled(pilot, screen)
        assert screen.service.state.phase == "human"
        assert app.focused.id == "compose-text"  # writing the next message: a and m would be typed
        await pilot.press("escape")
        await wait_until(pilot, lambda: focused_id(app) == "transcript", "escape to leave the message field")
        await pilot.press("m")  # the newest step is the agent's closing words: no question can stand there
        await wait_until(pilot, lambda: any("no question can stand" in note.message.lower() for note in app._notifications), "m to be refused")  # noqa: SLF001
        assert screen.form is None
        await ask_to_save(pilot)
        await pilot.press("y")
        await wait_until(pilot, lambda: app.saved_lesson is not None, "the save")
    lesson = read_lesson(out).lesson
    shape = [(step.kind, [c.id for c in getattr(step, "calls", [])]) for step in lesson.steps]
    assert shape == [("goal", []), ("agent", ["call-1"]), ("result", []), ("agent", ["call-2"]), ("result", []),
                     ("agent", ["call-3"]), ("result", []), ("agent", [])]
    assert lesson.steps[1].text == "Reading, then two commands." and lesson.steps[5].text == "(the same message, its next call)"
    assert lesson.steps[6].ask.type == "outcome" and lesson.steps[6].ok is False


async def test_secrets_and_ignored_files_never_reach_the_journal_or_the_lesson(api, repo: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    before = fingerprint(repo)
    (repo / "config.py").write_text(f'GITHUB_TOKEN = "{PLANTED}"\n')  # an uncommitted file the agent will read
    before = fingerprint(repo)
    api.enqueue(
        tool_reply("Reading the config.", ToolUse("toolu_read", "read_file", {"path": "config.py"}),
                   ToolUse("toolu_env", "run", {"command": f"echo token={PLANTED}; ls -a; cat .env || true"})),
        text_reply("Done."),
    )
    session = record_session(repo)
    out = tmp_path / "lesson"
    app = TutorApp(RecordStart(session, out), settings=settings())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await start_with_goal(pilot, screen)
        await pilot.press("r")
        await settled(pilot, screen)
        await ask_to_save(pilot)
        await pilot.press("y")
        await wait_until(pilot, lambda: app.saved_lesson is not None, "the save")
    assert fingerprint(repo) == before
    workspace = Path(session.loop.state.header["workspace"])
    assert not (workspace / ".env").exists()
    journal = journal_path(session.id).read_text()
    lesson_text = (out / "lesson.json").read_text()
    secret_in_env = (repo / ".env").read_text().split("=", 1)[1].strip()
    for stored in (journal, lesson_text):
        assert PLANTED not in stored and secret_in_env not in stored
    assert "REDACTED" in lesson_text or "redacted" in lesson_text
    run_output = read_lesson(out).lesson.step("result-2").output
    assert "No such file" in run_output or ".env" in run_output  # `cat .env` found nothing: it is not there
    bundle = out / "repo.bundle"
    clone = tmp_path / "from-bundle"
    subprocess.run(["git", "clone", "-q", "--mirror", str(bundle), str(clone)], check=True, capture_output=True)
    objects = subprocess.run(["git", "-C", str(clone), "cat-file", "--batch-all-objects", "--batch"], capture_output=True, check=True).stdout
    assert PLANTED.encode() not in objects and secret_in_env.encode() not in objects
    assert b".env" not in subprocess.run(["git", "-C", str(clone), "log", "--all", "--name-only", "--format="], capture_output=True, check=True).stdout
    git(repo, "status", "--porcelain")  # the user's checkout still reads fine
