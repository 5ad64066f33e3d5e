"""A note's details (a subagent's work, say): folded under the note, collapsed until opened by a click or enter, and shown as text whatever they hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Collapsible
from textual.widgets._collapsible import CollapsibleTitle

from tests.helpers.ui_support import screen_text, wait_until
from tutor.cli import make_app
from tutor.lesson import NoteStep
from tutor.ui.widgets.step_view import NoteDetails, StepView

SIZE = (100, 30)

LINE = "The subagent (general-purpose: Find total() callers) worked here: 3 messages, 2 tool calls; its report is the result below."
DETAILS = (
    "**Its prompt**\n\nFind every caller of cart.total() in src/ and report which ones pass a discount.\n\n**What it did**\n\n"
    "- **Grep** `total\\( in src`\\\n  ✓ `src/checkout.py:12: total(discount=code)`\\\n  `src/admin/refunds.py:40: total(discount=0)`\n"
    "- **Read** `src/admin/refunds.py`\\\n  ✓ `1 def refund(order):`\n"
    "- Two callers pass a discount: checkout.py and admin/refunds.py."
)
HOSTILE = "[b]bold?[/b] [@click=app.quit]quit[/] <script>x</script> \x1b[31mred"


class Shows(App):
    """One revealed step, as the lesson screen holds it."""

    def __init__(self, step: NoteStep) -> None:
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        yield VerticalScroll(StepView(3, 9, self.step))


def note(text: str = LINE, details: str = DETAILS) -> NoteStep:
    return NoteStep(id="note-1", text=text, details=details)


def collapsed(pilot: Any) -> bool:
    return pilot.app.query_one(NoteDetails).collapsed


async def test_details_show_collapsed_under_the_notes_line_and_open_on_a_click() -> None:
    app = Shows(note())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "▶ The subagent (general-purpose" in screen_text(app), "the note's line as the title")
        assert collapsed(pilot)
        assert "Its prompt" not in screen_text(app)
        assert screen_text(app).count("The subagent (general-purpose") == 1  # the line is the title, not said twice
        await pilot.click(CollapsibleTitle)
        await wait_until(pilot, lambda: "src/checkout.py:12: total(discount=code)" in screen_text(app), "the details, opened")
        text = screen_text(app)
        assert "▼ The subagent" in text and "Its prompt" in text and "Grep total\\( in src" in text
        assert "**" not in text  # drawn as Markdown, not as its source
        await pilot.click(CollapsibleTitle)
        await wait_until(pilot, lambda: "Its prompt" not in screen_text(app), "the details, folded again")


async def test_enter_on_the_title_opens_the_details() -> None:
    app = Shows(note())
    async with app.run_test(size=SIZE) as pilot:
        title = app.query_one(CollapsibleTitle)
        title.focus()
        await wait_until(pilot, lambda: title.has_focus, "the title to take focus")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not collapsed(pilot) and "Its prompt" in screen_text(app), "the details, opened by enter")


async def test_a_longer_note_stands_above_details_titled_details() -> None:
    app = Shows(note(text="The senior rewound here.\n\nThey asked instead for a smaller change."))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "▶ Details" in screen_text(app), "the details titled Details")
        assert "They asked instead for a smaller change." in screen_text(app)


async def test_a_note_without_details_has_no_fold() -> None:
    app = Shows(NoteStep(id="note-1", text=LINE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "worked here: 3 messages" in screen_text(app), "the note")
        assert not app.query(Collapsible)
        assert "▶" not in screen_text(app)


async def test_hostile_markup_in_the_title_and_the_details_is_shown_as_text() -> None:
    app = Shows(note(text=HOSTILE, details=HOSTILE + "\n\n" + HOSTILE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "▶ [b]bold?[/b] [@click=app.quit]quit[/]" in screen_text(app), "the title as text")
        assert "<script>x</script>" in screen_text(app) and "\x1b" not in screen_text(app)
        await pilot.click(CollapsibleTitle)
        await wait_until(pilot, lambda: screen_text(app).count("[@click=app.quit]quit[/]") == 3, "the details as text")
        assert app.is_running  # the [@click] in the text ran nothing


def test_snapshot_of_a_note_with_its_details_collapsed(snap_compare) -> None:
    async def drawn(pilot) -> None:
        await wait_until(pilot, lambda: "▶ The subagent" in screen_text(pilot.app), "the collapsed details")
        await pilot.app.workers.wait_for_complete()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(Shows(note()), terminal_size=SIZE, run_before=drawn)


def write_lesson(folder: Path) -> Path:
    steps = [
        {"id": "s1", "kind": "agent", "text": "I'll hand the search to a subagent.",
         "calls": [{"id": "c1", "tool": "Task", "input": {"description": "Find total() callers", "prompt": "Find every caller."}}]},
        {"id": "s2", "kind": "note", "text": LINE, "details": DETAILS},
        {"id": "s3", "kind": "result", "call": "c1", "ok": True, "output": "Two callers pass a discount."},
        {"id": "s4", "kind": "note", "text": "Done."},
    ]
    lesson = {"format": "tutor.lesson/1", "id": "note-details", "title": "Note details", "origin": "imported",
              "task": "Find who passes a discount.", "steps": steps}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lesson.json").write_text(json.dumps(lesson), encoding="utf-8")
    return folder


async def move_on(pilot: Any, ready: Any, cursor: Any) -> None:
    before = cursor()
    await pilot.press("n")
    await wait_until(pilot, lambda: ready() and cursor() != before, "n to move on", 20)


async def test_in_the_lesson_the_details_open_on_a_click_and_the_lesson_goes_on(tmp_path: Path) -> None:
    app = make_app(lesson=write_lesson(tmp_path / "lesson"))

    def ready() -> bool:
        screen = app.screen
        return getattr(screen, "_view", None) is not None and not screen.holds_keys

    def cursor() -> int:
        return app.screen._view.cursor  # noqa: SLF001 - the lesson screen's own view

    async with app.run_test(size=(110, 40)) as pilot:
        while True:
            await wait_until(pilot, ready, "the lesson screen ready", 20)
            if cursor() >= 2:
                break
            await move_on(pilot, ready, cursor)
        await wait_until(pilot, lambda: "▶ The subagent" in screen_text(app), "the note's details, collapsed")
        assert "Its prompt" not in screen_text(app)
        await pilot.click(CollapsibleTitle)
        await wait_until(pilot, lambda: "src/checkout.py:12: total(discount=code)" in screen_text(app), "the details, opened")
        await pilot.press("n")
        await wait_until(pilot, lambda: ready() and cursor() == 3, "n to move on from the opened note", 20)
