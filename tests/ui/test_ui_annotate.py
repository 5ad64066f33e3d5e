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
from tutor.ui.start import AnnotateStart
from tutor.ui.screens.annotate import AnnotateScreen, LeaveAnnotate
from tests.helpers.ui_support import drained, squash, wait_for_text, wait_until

LESSON = Path(__file__).parents[2] / "curricula" / "steering-101" / "done-without-evidence"
SIZE = (120, 50)


@pytest.fixture
def lesson_copy(tmp_path: Path) -> Path:
    target = tmp_path / "done-without-evidence"
    shutil.copytree(LESSON, target, ignore=shutil.ignore_patterns("source"))
    return target


def annotate_app(folder: Path) -> TutorApp:
    return TutorApp(AnnotateStart(AnnotateSession.open(folder)), settings=load_settings())


async def ready(pilot) -> AnnotateScreen:
    """Wait until the editor is up, its side built for the highlighted step."""
    app = pilot.app
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, AnnotateScreen) and app.screen.step_id is not None and not app.screen._building,  # noqa: SLF001
        "the annotate screen",
    )
    return app.screen


async def select_step(pilot, step_id: str) -> None:
    screen = pilot.app.screen
    steps = screen.query_one("#annotate-steps", OptionList)
    steps.focus()
    steps.highlighted = steps.get_option_index(step_id)
    await wait_until(pilot, lambda: screen.step_id == step_id and not screen._building and steps.has_focus, f"the side to show {step_id}")  # noqa: SLF001


def ask_error(screen) -> str:
    return squash(str(screen.query_one("#annotate-ask-error", Static).content))


def notes(app) -> list[str]:
    return [note.message for note in app._notifications]  # noqa: SLF001


async def test_edits_are_saved_validated_and_the_hidden_step_never_replayed(lesson_copy: Path) -> None:
    bundle = (lesson_copy / "repo.bundle").read_bytes()
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await wait_for_text(pilot, "Goal", "s16")

        # An annotation, typed for real, previewed as Markdown once typing pauses.
        await select_step(pilot, "s2")
        field = screen.query_one("#annotate-annotation", TextArea)
        assert field.text  # the senior's words, to be replaced
        field.focus()
        field.clear()
        await pilot.press("*", "*", "V", "a", "g", "u", "e", "*", "*")
        preview = screen.query_one(".annotate-preview")
        await wait_until(pilot, lambda: preview.markdown == "**Vague**", "the Markdown preview of what was typed")
        assert "unsaved" in screen.sub_title

        # An intervene ask with key points, on the result right after an agent step.
        await select_step(pilot, "s4")
        kinds = screen.query_one("#annotate-ask-type", Select)
        assert [value for _, value in kinds._options] == ["none", "outcome", "intervene", "choice"]  # noqa: SLF001
        kinds.value = "intervene"
        await wait_until(pilot, lambda: screen.query_one("#annotate-ask-lines").display, "the intervene ask's fields")
        screen.query_one("#annotate-ask-lines", TextArea).insert("it only reads a file\nlet it run\n")
        screen.query_one("#annotate-ask-prompt", Input).value = "Would you let it read that?"
        await wait_until(
            pilot,
            lambda: (ask := screen.editor.step("s4").ask) is not None and ask.prompt == "Would you let it read that?" and len(ask.key_points) == 2,
            "the intervene ask taken",
        )
        assert ask_error(screen) == ""

        # A category, with one key.
        await select_step(pilot, "s9")
        screen.query_one("#annotate-category").focus()
        await pilot.press("v")
        await wait_until(pilot, lambda: screen.editor.step("s9").category.value == "verify", "the category verify")

        # A step that teaches nothing, hidden from the list.
        await select_step(pilot, "s15")
        await pilot.press("h")
        await wait_until(pilot, lambda: screen.query_one("#annotate-hidden", Checkbox).value, "s15 hidden")
        await wait_for_text(pilot, "hidden from learners")

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(note.startswith("Saved") for note in notes(app)), "the save")
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
        screen = await ready(pilot)
        # Hiding a step that asks something is refused on the spot.
        await select_step(pilot, "s6")
        await pilot.press("h")
        await wait_until(pilot, lambda: any("Cannot hide s6" in note and "remove it first" in note for note in notes(app)), "hiding s6 refused")
        assert not screen.editor.step("s6").hidden

        # A choice ask with one option cannot stand: the reason shows, and saving waits for it.
        await select_step(pilot, "s10")
        screen.query_one("#annotate-ask-type", Select).value = "choice"
        await wait_until(pilot, lambda: screen.query_one("#annotate-ask-answer").display, "the choice ask's fields")
        screen.query_one("#annotate-ask-prompt", Input).value = "What should the senior ask for?"
        screen.query_one("#annotate-ask-lines", TextArea).insert("evidence")
        screen.query_one("#annotate-ask-answer", Input).value = "1"
        await wait_until(pilot, lambda: "a choice ask needs at least two options" in ask_error(screen), "the reason the ask cannot stand")
        await drained(pilot)
        app._notifications.clear()  # noqa: SLF001
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: notes(app), "the answer to ctrl+s")
        await drained(pilot)
        assert notes(app) == ["Not saved: s10: a choice ask needs at least two options, one per line"]
        assert (lesson_copy / "lesson.json").read_bytes() == before

        # A second option makes it stand.
        screen.query_one("#annotate-ask-lines", TextArea).insert("\nnothing")
        await wait_until(pilot, lambda: ask_error(screen) == "", "the reason to go")
        assert screen.editor.step("s10").ask.options == ["evidence", "nothing"]


async def test_leaving_with_unsaved_changes_asks(lesson_copy: Path) -> None:
    before = (lesson_copy / "lesson.json").read_bytes()
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await select_step(pilot, "s3")
        screen.query_one("#annotate-annotation", TextArea).insert("Reads first: good.")
        await wait_until(pilot, lambda: "unsaved" in screen.sub_title, "the edit taken")
        steps = screen.query_one("#annotate-steps")
        steps.focus()
        await wait_until(pilot, lambda: steps.has_focus, "the step list to take focus")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LeaveAnnotate), "leaving to ask first")
        await wait_for_text(pilot, "Save?")
        await pilot.press("c")
        await wait_until(pilot, lambda: app.screen is screen, "c to stay")
        await pilot.press("ctrl+q")  # the app's quit asks too
        await wait_until(pilot, lambda: isinstance(app.screen, LeaveAnnotate), "ctrl+q to ask first")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "escape to stay")
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, LeaveAnnotate), "q to ask first")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.return_code is not None, "n to leave without saving")
    assert app.return_code == 0
    assert (lesson_copy / "lesson.json").read_bytes() == before


async def test_leaving_saves_on_yes_and_leaves_at_once_when_clean(lesson_copy: Path) -> None:
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await select_step(pilot, "s3")
        screen.query_one("#annotate-annotation", TextArea).insert("Reads first: good.")
        await wait_until(pilot, lambda: "unsaved" in screen.sub_title, "the edit taken")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LeaveAnnotate), "leaving to ask first")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_code is not None, "y to save and leave")
    assert read_lesson(lesson_copy).lesson.step("s3").annotation == "Reads first: good."

    clean = annotate_app(lesson_copy)
    async with clean.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: clean.return_code is not None, "escape to leave at once: nothing is unsaved")


async def test_showing_a_step_again_and_the_hide_checkbox(lesson_copy: Path) -> None:
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await select_step(pilot, "s5")  # an agent step: its results s6 and s7 would go with it, and s6 asks
        screen.query_one("#annotate-hidden", Checkbox).toggle()
        await wait_until(pilot, lambda: any("its result s6 carries an ask" in note for note in notes(app)), "hiding s5 refused")
        await wait_until(pilot, lambda: not screen.query_one("#annotate-hidden", Checkbox).value, "the box put back")
        await drained(pilot)
        assert not screen.session.dirty

        await select_step(pilot, "s3")
        await pilot.press("h")
        await wait_until(pilot, lambda: [step.id for step in screen.editor.lesson.steps if step.hidden] == ["s3", "s4"], "s3 hidden with s4")
        await wait_until(pilot, lambda: any("with its results: s4" in note for note in notes(app)), "the note that s4 went with it")
        await select_step(pilot, "s4")
        await pilot.press("h")  # its agent step is hidden: refused
        await wait_until(pilot, lambda: any("Cannot show s4: the agent step it answers (s3) is hidden" in note for note in notes(app)), "showing s4 refused")
        assert screen.editor.step("s4").hidden
        await select_step(pilot, "s3")
        await pilot.press("h")
        await wait_until(pilot, lambda: not screen.editor.step("s3").hidden, "s3 shown again")
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
        await ready(pilot)
        await wait_until(pilot, lambda: any("built from its source/" in note for note in notes(app)), "the note to edit source/ instead")


async def test_reports_from_fields_of_a_step_left_behind_edit_nothing(lesson_copy: Path) -> None:
    app = annotate_app(lesson_copy)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        old_kind = screen.query_one("#annotate-ask-type", Select)
        old_note = screen.query_one("#annotate-annotation", TextArea)
        await select_step(pilot, "s3")
        await pilot.press("h")
        await wait_until(pilot, lambda: screen.editor.step("s3").hidden and not screen._building, "s3 hidden and its side rebuilt")  # noqa: SLF001
        # A fast terminal can deliver these after the side was rebuilt for another step.
        old_kind.value = "choice"
        old_note.text = "typed into a field no longer shown"
        screen.post_message(Select.Changed(old_kind, "choice"))
        await drained(pilot, screen)
        assert isinstance(app.screen, AnnotateScreen)
        assert screen.editor.step("s1").ask.type == "goal"
        assert screen.editor.step("s1").annotation != "typed into a field no longer shown"
        assert screen.editor.step("s3").annotation == read_lesson(lesson_copy).lesson.step("s3").annotation
        # And keys as fast as Pilot sends them leave the lesson valid and the side on the highlighted step.
        await pilot.press("down", "h", "down", "down", "h", "up", "up", "h", "down", "down", "down", "h", "h")
        steps = screen.query_one("#annotate-steps", OptionList)
        await drained(pilot, steps, screen)
        await wait_until(
            pilot,
            lambda: not screen._building and screen.step_id == steps.highlighted_option.id,  # noqa: SLF001
            "the side on the highlighted step",
        )
        assert screen.editor.check() == []
