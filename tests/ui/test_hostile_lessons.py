"""The hostile-lesson corpus through every printer and screen: nothing acts, nothing leaks a byte.

For every kind (tests/hostile_lessons.py): `tutor validate`, `tutor export` (md and html),
`tutor progress` with the hostile titles stored, the library, a lesson stepped through to
its score card (every question skipped, so every step is revealed), and investigate on a
lesson whose repository has hostile file names and contents. Everything printed, written or
drawn is checked for escape bytes, C0/C1 controls and bidi controls; no markup action ever
runs (a click on a `[@click=app.screenshot(...)]` title writes nothing); nothing is written
outside TUTOR_HOME and the test's own output; the huge fields show cut.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Select, Tree

from tests.helpers.hostile_lessons import BROKEN_KINDS, PAYLOADS, hostile_lesson, kinds, write_corpus, write_lesson
from tutor.cli import cli, make_app
from tutor.lesson.untrusted import FIELD_LIMIT, is_safe, unsafe_characters
from tutor.ui.screens.library import LibraryScreen
from tutor.ui.widgets.line_table import LineTable
from tests.helpers.ui_support import dom_text, squash, step_on, wait_for_view, wait_until

SIZE = (140, 50)


def assert_safe(text: str, where: str) -> None:
    assert is_safe(text), f"{where} holds {unsafe_characters(text)[:8]}"


def files_under(root: Path) -> set[Path]:
    return set(root.rglob("*")) if root.exists() else set()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the corpus curriculum, the folder a click action would write into)."""
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    root = base / "corpus"
    write_corpus(root, outside=str(outside))
    return root, outside


def test_the_corpus_has_every_kind_the_issue_names() -> None:
    assert len(kinds()) >= 33
    assert len(PAYLOADS) >= 33


def _invoke(*args: str) -> tuple[str, str, int]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"tutor {' '.join(args)} raised {result.exception!r}") from result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout, result.stderr, result.exit_code


def test_validate_prints_the_corpus_safely(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    root, outside = corpus
    out, err, code = _invoke("validate", str(root))
    assert code == 1  # the broken kinds are problems
    assert_safe(out, "validate's output")
    assert_safe(err, "validate's summary")
    assert "lone surrogate" in out and "at most 16 MiB" in out
    assert "⟨RLO⟩" in out, "a folder's bidi override is shown, not obeyed"
    assert not outside.exists()


@pytest.mark.parametrize("kind", [*PAYLOADS, "huge-task", "many-lines"])
def test_export_md_and_html_are_clean(kind: str, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    root, outside = corpus
    folder = root / (f"k{list(PAYLOADS).index(kind):02d}" if kind in PAYLOADS else kind)
    before = files_under(tmp_path)
    md, err, code = _invoke("export", str(folder))
    assert code == 0, err
    assert_safe(md, f"export md of {kind}")
    assert_safe(err, "export's messages")
    target = tmp_path / "page.html"
    _, err, code = _invoke("export", str(folder), "--format", "html", "-o", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert_safe(page, f"export html of {kind}")
    lowered = page.lower()
    assert not re.search(r"<(script|iframe|img|b)\b", lowered), "raw HTML from the lesson is a tag in the page"
    for scheme in ("file:", "javascript:", "vbscript:", "data:", "app.screenshot:", "tutor:", "x-tutor:"):
        assert f'href="{scheme}' not in lowered and f'src="{scheme}' not in lowered, f"a {scheme} link is live in the page"
    written = tmp_path / "lesson.md"
    _, err, code = _invoke("export", str(folder), "-o", str(written))
    assert code == 0, err
    document = written.read_text(encoding="utf-8")
    assert_safe(document, f"export md of {kind}, written to a file")
    # Read with a renderer that allows raw HTML and any link, the .md file still makes nothing live.
    from markdown_it import MarkdownIt

    elsewhere = MarkdownIt("commonmark", {"html": True}).render(document).lower()
    assert not re.search(r"<(script|iframe|img|b)\b", elsewhere), "raw HTML from the lesson is live in the .md file"
    assert_safe(elsewhere, f"the .md file of {kind} as another renderer shows it")
    for scheme in ("file:", "javascript:", "vbscript:", "data:", "app.screenshot:", "tutor:", "x-tutor:"):
        assert f'href="{scheme}' not in elsewhere and f'src="{scheme}' not in elsewhere, f"a {scheme} link is live in the .md file"
    assert elsewhere.count("<details>") == elsewhere.count("</details>"), "lesson text closed a reveal early"
    assert files_under(tmp_path) - before == {target, written}
    assert not outside.exists()


def _slug(kind: str) -> str:
    return "hostile-" + "".join(ch if ch.isalnum() else "-" for ch in kind.lower()).strip("-") if kind in PAYLOADS else f"hostile-{kind}"


def test_progress_prints_stored_hostile_titles_safely(corpus: tuple[Path, Path], tutor_home: Path) -> None:
    from tutor import paths
    from tutor.store import open_progress

    with open_progress(paths.progress_dir()) as store:
        for kind, payload in PAYLOADS.items():
            store.start_attempt(f"{_slug(kind)}\x1b]0;T\x07", "d" * 64, title=f"{kind} {payload}", total=7)
    out, err, code = _invoke("progress")
    assert code == 0, err
    assert_safe(out, "tutor progress")
    assert_safe(err, "tutor progress's warnings")
    assert "Use dict[str, int]" in out


# -- the screens


def _combined(kinds_: list[str]) -> str:
    return " ¦ ".join(PAYLOADS[kind] for kind in kinds_)


def _groups() -> list[list[str]]:
    names = list(PAYLOADS)
    return [names[index::3] for index in range(3)]


def _screen_is_clean(app, where: str) -> str:
    strips = app.screen._compositor.render_strips()  # noqa: SLF001 - Textual is pinned exactly
    for strip in strips:
        for segment in strip:
            assert_safe(segment.text, f"{where}: a drawn segment")
    for toast in app._notifications:  # noqa: SLF001
        assert_safe(str(toast.message) + str(toast.title), f"{where}: a notification")
    assert_safe(app.format_title(app.title, app.sub_title).plain, f"{where}: the title")
    return "\n".join(strip.text for strip in strips)


class Spy:
    """Whether any action from a click ran: app.screenshot (where the payloads point) and every run_action."""

    def __init__(self, app, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        original = app.run_action

        async def run_action(action, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            self.calls.append(str(action))
            return await original(action, *args, **kwargs)

        monkeypatch.setattr(app, "run_action", run_action)
        monkeypatch.setattr(app, "action_screenshot", lambda *args, **kwargs: self.calls.append("SCREENSHOT"))
        monkeypatch.setattr(app, "save_screenshot", lambda *args, **kwargs: self.calls.append("SCREENSHOT"))


# The rows are clicked in four parts, each its own test: one test clicking every row ran for a minute, the last
# test of the suite to finish on a loaded machine.
_PARTS = 4


@pytest.mark.parametrize("part", range(_PARTS))
async def test_library_shows_hostile_titles_as_written_and_clicks_run_nothing(part: int, corpus: tuple[Path, Path], tutor_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = corpus
    (tutor_home / "config.toml").write_text(f"curricula = [{json.dumps(str(root.parent))}]\n", encoding="utf-8")
    home_before = files_under(tutor_home)
    app = make_app()
    spy = Spy(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.library is not None, "the library", timeout=20)
        table = app.screen.query_one("#lessons", LineTable)
        await wait_until(pilot, lambda: table.row_count > 30, "the corpus listed")
        shown = _screen_is_clean(app, "the library")
        cells = " ".join(str(getattr(cell, "plain", cell)) for row in range(table.row_count) for cell in table.cells_at(row))
        assert_safe(cells, "the library's cells")
        for honest in ("Use dict[str, int]", "Serve uploads from [/tmp]", "before [/] after", "CLICKME[/]"):
            assert honest in cells, f"{honest!r} is shown as written"
        assert "CLICKME" in shown or "CLICKME" in cells
        # Click the title cell of every row on screen, and highlight every row (its details, its notifications).
        for row in range(part, table.row_count, _PARTS):
            library = app.screen
            table = library.query_one("#lessons", LineTable)
            table.move_cursor(row=row)
            await pilot.pause()
            y = 1 + row - int(table.scroll_y)
            if 0 < y < table.region.height:
                await pilot.click(table, offset=(8, y))
                await pilot.pause()
            _screen_is_clean(app, f"the library at row {row}")
            if app.screen is not library:  # the click opened the lesson: it must open cleanly, then back
                await wait_until(pilot, lambda: app.screen is library or not getattr(app.screen, "transitioning", False), "the lesson to open")
                _screen_is_clean(app, f"the lesson of row {row}")
                if app.screen is not library:
                    app.action_library()
                await wait_until(pilot, lambda: app.screen is library, "back in the library")
        await pilot.pause()
        actions = [call for call in spy.calls if "screenshot" in call.lower() or call == "SCREENSHOT" or "quit" in call]
        assert not actions, actions
    assert not outside.exists(), "a click action wrote outside TUTOR_HOME"
    written = files_under(tutor_home) - home_before
    assert all(tutor_home in path.parents for path in written)


@pytest.mark.parametrize("group", range(3))
async def test_a_hostile_lesson_from_task_to_score_card(group: int, tmp_path: Path, tutor_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    kinds_ = _groups()[group]
    lesson = hostile_lesson(kinds_[0], _combined(kinds_), outside=str(outside))
    folder = write_lesson(tmp_path / "lesson", lesson)
    app = make_app(lesson=folder)
    spy = Spy(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        view = await wait_for_view(pilot, "the lesson", timeout=20)
        _screen_is_clean(app, "the task")
        await pilot.click(offset=(60, 3))  # the header, where the title is
        seen = 0
        while not view.finished and seen < 40:
            view = await _step(pilot)
            _screen_is_clean(app, f"step {view.cursor}")
            assert_safe(dom_text(app), f"the text held at step {view.cursor}")
            for x, y in ((40, 10), (60, 20), (80, 30)):
                await pilot.click(offset=(x, y))
            seen += 1
        assert view.finished
        assert not [call for call in spy.calls if "screenshot" in call.lower() or call == "SCREENSHOT"]
    assert not outside.exists()


async def _step(pilot):
    """One move (skip the open question, else next), with the focus on the frame: a click may have put it in a field."""
    await wait_for_view(pilot, "the lesson's frame")
    frame = pilot.app.screen.query_one("#frame")
    if not pilot.app.screen._view.awaiting_answer:  # noqa: SLF001
        frame.focus()
        await wait_until(pilot, lambda: frame.has_focus, "the frame to take focus")
    return await step_on(pilot)


async def test_the_huge_task_opens_cut(corpus: tuple[Path, Path]) -> None:
    root, _ = corpus
    app = make_app(lesson=root / "huge-task")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_view(pilot, "the lesson", timeout=30)
        held = dom_text(app)
        assert len(held) < 10 * FIELD_LIMIT, f"{len(held):,} characters held by widgets"
        await wait_until(pilot, lambda: "not shown" in squash(dom_text(app)), "the note that the task is cut")
        _screen_is_clean(app, "the huge task")


async def test_the_100k_line_output_shows_capped(corpus: tuple[Path, Path]) -> None:
    root, _ = corpus
    app = make_app(lesson=root / "many-lines")
    async with app.run_test(size=SIZE) as pilot:
        view = await wait_for_view(pilot, "the lesson", timeout=30)
        while view.cursor < 4 or view.awaiting_answer:
            view = await _step(pilot)
        _screen_is_clean(app, "the output")
        held = dom_text(app)
        assert len(held) < 10 * FIELD_LIMIT + 200_000
        assert "more lines not shown" in held


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
async def test_investigate_with_hostile_file_names_and_contents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    import contextlib

    from tests.helpers.hostile_lessons import build_hostile_bundle_lesson
    from tutor.ui.screens.investigate import InvestigateScreen

    outside = tmp_path / "outside"
    folder = build_hostile_bundle_lesson(tmp_path, outside=str(outside))
    app = make_app(lesson=folder)
    spy = Spy(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        view = await wait_for_view(pilot, "the lesson", timeout=20)
        while view.cursor < 4 or view.awaiting_answer:
            view = await _step(pilot)
        _screen_is_clean(app, "the revealed result with its diff")
        frame = app.screen.query_one("#frame")
        frame.focus()
        await wait_until(pilot, lambda: frame.has_focus, "the frame to take focus")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InvestigateScreen), "investigate")
        screen = app.screen
        await wait_until(pilot, lambda: screen.repo is not None and isinstance(screen.query_one("#at", Select).value, str), "the repository read")
        tree = screen.query_one("#files", Tree)
        await wait_until(pilot, lambda: len(tree.root.children) > 1, "the files listed")
        _screen_is_clean(app, "investigate")
        labels, stack = [], [tree.root]
        while stack:
            node = stack.pop()
            labels.append(node.label.plain)
            stack.extend(node.children)
        assert_safe(" ".join(labels), "the file tree")
        assert "dict[str, int].py" in labels, labels
        for node in [child for child in tree.root.children if not child.children]:
            tree.select_node(node)
            await pilot.pause()
            await wait_until(pilot, lambda: "at " in screen.query_one("#viewer-title").content.plain, "a file shown")
            _screen_is_clean(app, f"the file {node.label.plain}")
        await pilot.press("d")
        await pilot.pause()
        _screen_is_clean(app, "the diff")
        for x, y in ((10, 8), (30, 10), (80, 12)):
            await pilot.click(offset=(x, y))
        assert not [call for call in spy.calls if "screenshot" in call.lower() or call == "SCREENSHOT"]
        # "Shell here" on the same hostile code: the shell (a stand-in that records what it sees) gets a
        # private copy whose links out are notes; the banner is plain; the copy is gone afterwards.
        record = tmp_path / "shell-saw.txt"
        shell = tmp_path / "fake-shell.sh"
        shell.write_text(f'#!/bin/sh\npwd > "{record}"\nfind . -type l >> "{record}"\ncat passwd >> "{record}"\n')
        shell.chmod(0o755)
        monkeypatch.setenv("SHELL", str(shell))
        monkeypatch.setattr(type(app), "suspend", lambda self: contextlib.nullcontext())
        capfd.readouterr()
        await pilot.press("s")
        notes = lambda: [str(note.message) for note in app._notifications]  # noqa: E731, SLF001
        await wait_until(pilot, lambda: "The throwaway copy was removed." in notes(), "the shell to end", timeout=20)
        _screen_is_clean(app, "investigate after the shell")
    printed = capfd.readouterr().out
    assert_safe(printed, "the shell banner")
    assert "3 links that led outside the copy were replaced by notes" in printed, printed
    seen = record.read_text()
    copy = Path(seen.splitlines()[0])
    assert not copy.exists(), "the throwaway copy outlived the shell"
    assert "root:" not in seen, seen
    assert not [line for line in seen.splitlines()[1:] if line.startswith("./")], f"links were materialised: {seen}"
    assert not outside.exists()
    os.environ.pop("TUTOR_FORCE_TUI", None)


def test_every_broken_kind_is_in_the_corpus(corpus: tuple[Path, Path]) -> None:
    root, _ = corpus
    names = {path.name for path in root.iterdir()}
    assert {"lone-surrogate", "too-large", "bad-id"} <= names
    assert any(name.startswith("folder-") for name in names)
    assert len(BROKEN_KINDS) == 4
