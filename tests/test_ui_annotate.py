"""`tutor annotate`: the editor screen driven by Textual's Pilot, on a copy of a bundled lesson."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Checkbox, Input, OptionList, Select, Static, TextArea

from tutor.cli import cli
from tutor.learn import Replay
from tutor.lesson import read_lesson
from tutor.lesson.io import lesson_digest
from tutor.services.annotate import AnnotateError, AnnotateSession
from tutor.settings import load_settings
from tutor.ui.app import TutorApp
from tutor.ui.screens.annotate import AnnotateScreen, LeaveAnnotate
from ui_support import screen_text, squash

LESSON = Path(__file__).parent.parent / "curricula" / "steering-101" / "done-without-evidence"
SIZE = (120, 50)


@pytest.fixture
def lesson_copy(tmp_path: Path) -> Path:
    target = tmp_path / "done-without-evidence"
    shutil.copytree(LESSON, target, ignore=shutil.ignore_patterns("source"))
    return target


def annotate_app(folder: Path) -> TutorApp:
    return TutorApp(settings=load_settings(), annotate=AnnotateSession.open(folder))


async def select_step(pilot, step_id: str) -> None:
    steps = pilot.app.screen.query_one("#annotate-steps", OptionList)
    steps.focus()
    steps.highlighted = steps.get_option_index(step_id)
    await pilot.pause()
    assert pilot.app.screen.step_id == step_id


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def ask_error(screen) -> str:
    return squash(str(screen.query_one("#annotate-ask-error", Static).content))


def notes(app) -> list[str]:
    return [note.message for note in app._notifications]  # noqa: SLF001


async def test_edits_are_saved_validated_and_the_hidden_step_never_replayed(lesson_copy: Path) -> None:
    bundle = (lesson_copy / "repo.bundle").read_bytes()
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert "Goal" in screen_text(app) and "s16" in screen_text(app)

        # An annotation, typed for real, previewed as Markdown once typing pauses.
        await select_step(pilot, "s2")
        field = screen.query_one("#annotate-annotation", TextArea)
        assert field.text  # the senior's words, to be replaced
        field.focus()
        field.clear()
        await pilot.press("*", "*", "V", "a", "g", "u", "e", "*", "*")
        await pilot.pause(0.5)
        preview = screen.query_one(".annotate-preview")
        assert preview.markdown == "**Vague**"
        assert "unsaved" in screen.sub_title

        # An intervene ask with key points, on the result right after an agent step.
        await select_step(pilot, "s4")
        kinds = screen.query_one("#annotate-ask-type", Select)
        assert [value for _, value in kinds._options] == ["none", "outcome", "intervene", "choice"]  # noqa: SLF001
        kinds.value = "intervene"
        await settle(pilot)
        screen.query_one("#annotate-ask-lines", TextArea).insert("it only reads a file\nlet it run\n")
        screen.query_one("#annotate-ask-prompt", Input).value = "Would you let it read that?"
        await settle(pilot)
        assert ask_error(screen) == ""

        # A category, with one key.
        await select_step(pilot, "s9")
        screen.query_one("#annotate-category").focus()
        await pilot.press("v")
        await settle(pilot)
        assert screen.editor.step("s9").category.value == "verify"

        # A step that teaches nothing, hidden from the list.
        await select_step(pilot, "s15")
        await pilot.press("h")
        await settle(pilot)
        assert screen.query_one("#annotate-hidden", Checkbox).value
        assert "hidden from learners" in screen_text(app)

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(note.startswith("Saved") for note in notes(app)), notes(app)
        assert "unsaved" not in screen.sub_title

    read = read_lesson(lesson_copy)
    assert read.ok, read.problems
    lesson = read.lesson
    assert lesson.step("s2").annotation == "**Vague**"
    ask = lesson.step("s4").ask
    assert (ask.type, ask.prompt, ask.key_points) == ("intervene", "Would you let it read that?", ["it only reads a file", "let it run"])
    assert lesson.step("s9").category.value == "verify"
    assert lesson.step("s15").hidden and not lesson.step("s14").hidden
    assert (lesson_copy / "repo.bundle").read_bytes() == bundle

    replay = Replay(lesson)
    assert replay.view().total == len(lesson.steps) - 1
    while not replay.finished:
        replay.skip() if replay.awaiting_answer() else replay.next()
    shown = [entry.step.id for entry in replay.view().timeline]
    assert "s15" not in shown and "s14" in shown and "s16" in shown


async def test_a_refused_edit_blocks_saving_and_nothing_is_written(lesson_copy: Path) -> None:
    before = (lesson_copy / "lesson.json").read_bytes()
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        # Hiding a step that asks something is refused on the spot.
        await select_step(pilot, "s6")
        await pilot.press("h")
        await settle(pilot)
        assert any("Cannot hide s6" in note and "remove it first" in note for note in notes(app)), notes(app)
        assert not screen.editor.step("s6").hidden

        # A choice ask with one option cannot stand: the reason shows, and saving waits for it.
        await select_step(pilot, "s10")
        screen.query_one("#annotate-ask-type", Select).value = "choice"
        await settle(pilot)
        screen.query_one("#annotate-ask-prompt", Input).value = "What should the senior ask for?"
        screen.query_one("#annotate-ask-lines", TextArea).insert("evidence")
        screen.query_one("#annotate-ask-answer", Input).value = "1"
        await settle(pilot)
        error = ask_error(screen)
        assert "a choice ask needs at least two options" in error
        app._notifications.clear()  # noqa: SLF001
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notes(app) == ["Not saved: s10: a choice ask needs at least two options, one per line"]
        assert (lesson_copy / "lesson.json").read_bytes() == before

        # A second option makes it stand.
        screen.query_one("#annotate-ask-lines", TextArea).insert("\nnothing")
        await settle(pilot)
        assert ask_error(screen) == ""
        assert screen.editor.step("s10").ask.options == ["evidence", "nothing"]


async def test_leaving_with_unsaved_changes_asks(lesson_copy: Path) -> None:
    before = (lesson_copy / "lesson.json").read_bytes()
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await select_step(pilot, "s3")
        screen.query_one("#annotate-annotation", TextArea).insert("Reads first: good.")
        await settle(pilot)
        screen.query_one("#annotate-steps").focus()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LeaveAnnotate)
        assert "Save?" in screen_text(app)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("ctrl+q")  # the app's quit asks too
        await settle(pilot)
        assert isinstance(app.screen, LeaveAnnotate)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, LeaveAnnotate)
        await pilot.press("n")
        await settle(pilot)
    assert app.return_code in (0, None)
    assert (lesson_copy / "lesson.json").read_bytes() == before


async def test_leaving_saves_on_yes_and_leaves_at_once_when_clean(lesson_copy: Path) -> None:
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_step(pilot, "s3")
        app.screen.query_one("#annotate-annotation", TextArea).insert("Reads first: good.")
        await settle(pilot)
        app.screen.query_one("#annotate-steps").focus()
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert read_lesson(lesson_copy).lesson.step("s3").annotation == "Reads first: good."

    clean = annotate_app(lesson_copy)
    async with clean.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not clean.is_running or not isinstance(clean.screen, LeaveAnnotate)


async def test_showing_a_step_again_and_the_hide_checkbox(lesson_copy: Path) -> None:
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await select_step(pilot, "s5")  # an agent step: its results s6 and s7 would go with it, and s6 asks
        screen.query_one("#annotate-hidden", Checkbox).toggle()
        await settle(pilot)
        assert any("its result s6 carries an ask" in note for note in notes(app)), notes(app)
        assert not screen.query_one("#annotate-hidden", Checkbox).value
        assert not screen.session.dirty

        await select_step(pilot, "s3")
        await pilot.press("h")
        await settle(pilot)
        assert [step.id for step in screen.editor.lesson.steps if step.hidden] == ["s3", "s4"]
        assert any("with its results: s4" in note for note in notes(app)), notes(app)
        await select_step(pilot, "s4")
        await pilot.press("h")  # its agent step is hidden: refused
        await settle(pilot)
        assert screen.editor.step("s4").hidden
        assert any("Cannot show s4: the agent step it answers (s3) is hidden" in note for note in notes(app)), notes(app)
        await select_step(pilot, "s3")
        await pilot.press("h")
        await settle(pilot)
        assert not screen.session.dirty


async def test_the_file_changed_by_someone_else_is_not_overwritten(lesson_copy: Path) -> None:
    session = AnnotateSession.open(lesson_copy)
    session.editor.set_annotation("s2", "mine")
    other = AnnotateSession.open(lesson_copy)
    other.editor.set_annotation("s2", "theirs")
    other.save()
    with pytest.raises(AnnotateError, match="changed by someone else"):
        session.save()
    assert read_lesson(lesson_copy).lesson.step("s2").annotation == "theirs"


def test_a_save_writes_only_lesson_json_and_keeps_the_format(lesson_copy: Path) -> None:
    before = {path.name: path.read_bytes() for path in lesson_copy.iterdir() if path.is_file()}
    session = AnnotateSession.open(lesson_copy)
    digest = lesson_digest(session.editor.lesson)
    session.save()  # nothing changed: byte-identical
    assert {path.name: path.read_bytes() for path in lesson_copy.iterdir() if path.is_file()} == before
    session.editor.set_hidden("s2", True)
    session.save()
    assert (lesson_copy / "repo.bundle").read_bytes() == before["repo.bundle"]
    assert lesson_digest(read_lesson(lesson_copy).lesson) != digest
    assert sorted(path.name for path in lesson_copy.iterdir()) == sorted(before)  # no temp file left


def test_cli_refuses_a_broken_or_missing_lesson_in_one_line(tmp_path: Path, lesson_copy: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["annotate", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and len(missing.output.strip().splitlines()) == 1
    (lesson_copy / "lesson.json").write_text('{"format": "tutor.lesson/1", "id": "x"}', encoding="utf-8")
    broken = runner.invoke(cli, ["annotate", str(lesson_copy)])
    assert broken.exit_code == 1
    lines = broken.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tutor: cannot annotate a broken lesson:"), broken.output
    assert "Traceback" not in broken.output
    help_text = runner.invoke(cli, ["annotate", "--help"])
    assert help_text.exit_code == 0 and "teaching layer" in help_text.output


async def test_a_lesson_built_from_source_says_where_to_edit(tmp_path: Path) -> None:
    folder = tmp_path / "built"
    shutil.copytree(LESSON, folder)
    app = annotate_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("built from its source/" in note for note in notes(app)), notes(app)


async def test_reports_from_fields_of_a_step_left_behind_edit_nothing(lesson_copy: Path) -> None:
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        old_kind = screen.query_one("#annotate-ask-type", Select)
        old_note = screen.query_one("#annotate-annotation", TextArea)
        await select_step(pilot, "s3")
        await pilot.press("h")
        await settle(pilot)
        # A fast terminal can deliver these after the side was rebuilt for another step.
        old_kind.value = "choice"
        old_note.text = "typed into a field no longer shown"
        screen.post_message(Select.Changed(old_kind, "choice"))
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        assert screen.editor.step("s1").ask.type == "goal"
        assert screen.editor.step("s1").annotation != "typed into a field no longer shown"
        assert screen.editor.step("s3").annotation == read_lesson(lesson_copy).lesson.step("s3").annotation
        # And keys as fast as Pilot sends them leave the lesson valid and the side on the highlighted step.
        await pilot.press("down", "h", "down", "down", "h", "up", "up", "h", "down", "down", "down", "h", "h")
        await settle(pilot)
        assert screen.editor.check() == []
        assert screen.step_id == screen.query_one("#annotate-steps", OptionList).highlighted_option.id
