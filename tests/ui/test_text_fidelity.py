"""Text reaches the learner as its writer meant it (issue 11, "Text is mangled").

What a person typed shows exactly as typed; lesson Markdown is rendered (code spans, tables),
with `<tag>` and `__init__.py` read as written; what a file holds keeps its blank lines;
the HTML export renders tables. Each test reads the screen (or the exported document).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget

from tutor.cli import cli, make_app
from tutor.learn import ChoiceAnswer, Committed, GoalAnswer, InterveneAnswer, Judge, Judgement, PointVerdict, Verdict, grade
from tutor.lesson import Category, ChoiceAsk, Confidence
from tutor.lesson.models import CorrectionStep, GoalStep, NoteStep, parse
from tutor.ui.widgets.grade_panel import GradePanel
from tutor.ui.widgets.prose import Prose
from tests.helpers.ui_support import screen_text, wait_until

SIZE = (110, 50)

# What `read_file` returned for a small package: one blank line, then two.
READ_OUTPUT = '"""The package."""\n\nfrom .core import run\n\n\n__all__ = ["run"]\n'

TABLE = "| Flag | Meaning |\n| --- | --- |\n| `-q` | quiet |\n| `-x` | stop at the first failure |"


class Shows(App):
    """Just the widgets under test, as a screen would hold them."""

    def __init__(self, *widgets: Widget) -> None:
        super().__init__()
        self.shown = widgets

    def compose(self) -> ComposeResult:
        yield VerticalScroll(*self.shown)


async def shown(pilot: Any, *needles: str, timeout: float = 20) -> str:
    """The screen's text once every needle is on it (waits on the condition, never a fixed time)."""
    await wait_until(pilot, lambda: all(needle in screen_text(pilot.app) for needle in needles), f"{needles!r} on screen", timeout)
    return screen_text(pilot.app)


def styles_of(app: App, word: str) -> list[Any]:
    """The style of every piece of screen text that holds `word`."""
    found = []
    for strip in app.screen._compositor.render_strips():  # noqa: SLF001 - Textual is pinned exactly
        for segment in strip:
            if word in segment.text:
                found.append(segment.style)
    return found


def rows(text: str) -> list[str]:
    return text.splitlines()


def row_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(rows(text)) if needle in line)


# ---------------------------------------------------------------- the learner's own words


def goal_step() -> GoalStep:
    return parse(
        {
            "id": "s1",
            "kind": "goal",
            "text": "Make the setup script work.",
            "ask": {"type": "goal", "rubric": ["names the file to change"]},
        },
        GoalStep,
    )


TYPED_GOAL = "Fix <project> setup in __init__.py\n\nkeep snake_case_name and *stars* and [b]brackets[/b] as typed"


async def test_a_typed_goal_shows_exactly_as_typed() -> None:
    step = goal_step()
    answer = GoalAnswer(text=TYPED_GOAL, confidence=Confidence.MEDIUM)
    app = Shows(GradePanel(step, Committed(step.id, answer), grade(step, answer)))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown(pilot, "Goal score")
        first, blank, last = TYPED_GOAL.splitlines()
        assert first in text  # `<project>` kept, `__init__` not turned bold
        assert last in text  # no emphasis taken from `*`, no markup taken from `[b]`
        # the line break and the blank line are kept
        assert row_of(text, last) - row_of(text, first) == 2
        assert rows(text)[row_of(text, first) + 1].strip(" ▌│") == blank
        assert all(not style.bold for style in styles_of(app, "init"))


async def test_a_typed_message_to_the_agent_shows_exactly_as_typed() -> None:
    step = parse(
        {
            "id": "s2",
            "kind": "correction",
            "category": "scope",
            "text": "Stop: only the parser.",
            "ask": {"type": "intervene", "key_points": ["only touch `parse.py`"]},
        },
        CorrectionStep,
    )
    answer = InterveneAnswer(intervene=True, category=Category.SCOPE, text="Leave <project> and __init__.py alone", confidence=Confidence.HIGH)
    judged = Judgement(Judge.SELF, (PointVerdict(0, Verdict.COVERED),))
    app = Shows(GradePanel(step, Committed(step.id, answer, judged), grade(step, answer, judged)))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown(pilot, "You would step in")
        assert "Leave <project> and __init__.py alone" in text
        # the senior's key point is lesson Markdown: its code span is rendered
        assert "only touch parse.py" in text and "`" not in text


# ---------------------------------------------------------------- lesson prose


async def test_lesson_prose_keeps_underscores_and_angle_brackets_and_still_emphasises() -> None:
    markdown = (
        "Leave cli.py, __init__.py and snake_case_name alone; read pkg/__init__.py first.\n\n"
        "Fix <project> setup. Still *emphasised* and **strong**."
    )
    app = Shows(Prose(markdown))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown(pilot, "Still")
        assert "Leave cli.py, __init__.py and snake_case_name alone; read pkg/__init__.py first." in text
        assert "Fix <project> setup." in text
        assert all(not style.bold for style in styles_of(app, "init"))
        assert any(style.bold for style in styles_of(app, "strong"))
        assert any(style.italic for style in styles_of(app, "emphasised"))


# ---------------------------------------------------------------- a choice's explanation


def choice_step(explain: str) -> NoteStep:
    return parse(
        {
            "id": "s3",
            "kind": "note",
            "text": "Checking the fix.",
            "ask": {
                "type": "choice",
                "prompt": "What do you ask for?",
                "options": ["Run `python -m pytest -q` twenty times", "Run the suite once with `-p random`"],
                "answer": 1,
                "explain": explain,
            },
        },
        NoteStep,
    )


async def test_a_choice_explanation_is_rendered_as_markdown() -> None:
    explain = "The default order was green with the bug, so `pytest -q` proves nothing.\n\nShuffle with `-p random`; see __init__.py and [red]this[/red]."
    step = choice_step(explain)
    assert isinstance(step.ask, ChoiceAsk)
    answer = ChoiceAnswer(index=0, confidence=Confidence.HIGH)
    app = Shows(GradePanel(step, Committed(step.id, answer), grade(step, answer)))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown(pilot, "Shuffle with")
        assert "`" not in text, text
        assert "You chose 1. Run python -m pytest -q twenty times" in text
        assert "the answer is “Run the suite once with -p random”" in text
        assert "so pytest -q proves nothing." in text
        assert "Shuffle with -p random; see __init__.py and [red]this[/red]." in text  # never Textual markup
        assert any(style.bgcolor is not None for style in styles_of(app, "pytest -q proves") + styles_of(app, "pytest -q"))


async def test_the_points_to_check_are_never_read_as_markup() -> None:
    from tutor.ui.widgets.point_check import PointCheck, PointRow

    rows = [PointRow("keeps [b]tests[/b] as they are", ("[b]tests[/b]",)), PointRow("names `__init__.py`", (), "not [red]this[/red]")]
    app = Shows(PointCheck("s1", rows))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown(pilot, "Your own check")
        assert "keeps [b]tests[/b] as they are" in text and "your words: [b]tests[/b]" in text
        assert "names __init__.py" in text and "not [red]this[/red]" in text


# ---------------------------------------------------------------- what a file holds


def write_lesson(folder: Path) -> Path:
    lesson = {
        "format": "tutor.lesson/1",
        "id": "text-fidelity",
        "title": "Text fidelity",
        "summary": "Reading a package.",
        "author": "Tutor tests",
        "created": "2026-01-01T00:00:00Z",
        "level": "beginner",
        "minutes": 5,
        "tags": [],
        "origin": "scripted",
        "task": f"Read `pkg/__init__.py`: __init__.py decides what <project> exports.\n\n{TABLE}\n\n~~Rewrite it.~~ Read it.",
        "steps": [
            {"id": "s1", "kind": "agent", "text": "I'll read it.", "calls": [{"id": "c1", "tool": "read_file", "input": {"path": "pkg/__init__.py"}}]},
            {"id": "s2", "kind": "result", "call": "c1", "ok": True, "output": READ_OUTPUT},
            {"id": "s3", "kind": "note", "text": "Done."},
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lesson.json").write_text(json.dumps(lesson, indent=2), encoding="utf-8")
    return folder


def assert_blank_lines_kept(text: str) -> None:
    top, middle, bottom = row_of(text, '"""The package."""'), row_of(text, "from .core import run"), row_of(text, '__all__ = ["run"]')
    assert (middle - top, bottom - middle) == (2, 3), text


async def go_to_step(pilot: Any, number: int) -> None:
    """Press `n` until step `number` is on screen, each time once the lesson screen can act on it."""

    def ready() -> bool:
        screen = pilot.app.screen
        return getattr(screen, "_view", None) is not None and not screen.holds_keys

    while True:
        await wait_until(pilot, ready, "the lesson screen ready", 20)
        cursor = pilot.app.screen._view.cursor  # noqa: SLF001
        if cursor >= number:
            assert cursor == number
            return
        await pilot.press("n")
        await wait_until(pilot, lambda: ready() and pilot.app.screen._view.cursor != cursor, f"n to move on from step {cursor}", 20)  # noqa: SLF001


async def test_read_file_result_keeps_its_blank_lines(tmp_path: Path) -> None:
    app = make_app(lesson=write_lesson(tmp_path / "lesson"))
    async with app.run_test(size=(120, 60)) as pilot:
        await shown(pilot, "The task")
        await go_to_step(pilot, 2)
        assert_blank_lines_kept(await shown(pilot, '__all__ = ["run"]'))


async def test_command_output_in_a_live_session_keeps_its_blank_lines() -> None:
    from tutor.ui.widgets.live import ProposalCard

    card = ProposalCard({"id": "c1", "tool": "run", "input": {"command": "cat pkg/__init__.py"}}, "command", "cat pkg/__init__.py", gated=True)
    app = Shows(card)
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, "cat pkg/__init__.py")
        from tutor.agent.records import parse_record

        card.show_result(parse_record({"kind": "result", "call": "c1", "ok": True, "exit_code": 0, "output": READ_OUTPUT}), None)
        assert_blank_lines_kept(await shown(pilot, '__all__ = ["run"]'))


# ---------------------------------------------------------------- `tutor export`


def export(lesson: Path, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["export", str(lesson), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_html_export_renders_tables_and_strikethrough_and_keeps_text(tmp_path: Path) -> None:
    page = export(write_lesson(tmp_path / "lesson"), "html")
    assert "<table>" in page and "<th>Flag</th>" in page and "<td><code>-x</code></td>" in page
    assert "| Flag |" not in page
    assert "<s>Rewrite it.</s>" in page
    assert "__init__.py decides what &lt;project&gt; exports." in page  # not bold, not dropped, not HTML
    assert '<pre><code class="language-text">' + READ_OUTPUT.replace('"', "&quot;") + "</code></pre>" in page


def test_markdown_export_keeps_the_lessons_text_verbatim(tmp_path: Path) -> None:
    text = export(write_lesson(tmp_path / "lesson"), "md")
    assert TABLE in text
    # `<project>` would be a tag to a Markdown renderer that allows raw HTML (it would vanish), so the
    # file writes it as `&lt;project>`: every renderer then shows what the author wrote.
    assert "__init__.py decides what &lt;project> exports." in text
    from markdown_it import MarkdownIt

    assert "decides what &lt;project&gt; exports." in MarkdownIt("commonmark", {"html": True}).render(text)
    assert "~~Rewrite it.~~ Read it." in text
    assert "```text\n" + READ_OUTPUT + "```" in text
