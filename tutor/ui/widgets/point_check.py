"""The learner's own check: after the reveal, each of the senior's points marked y (I said this), p (partly) or n (no).

Tutor's word matcher shows beside each point which of the learner's words match it, and
warns where they may say the opposite; it never marks anything itself. The marks are the
grade, and they are asked before the learner moves on.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from tutor.learn import Verdict

from ..plain import assemble, plain
from .prose import inline_markdown

MARKS = {Verdict.COVERED: ("✓", "green", "I said this"), Verdict.PARTLY: ("◐", "yellow", "partly"), Verdict.MISSED: ("✗", "red", "no")}


class PointRow(msgspec.Struct, frozen=True):
    point: str
    matched: tuple[str, ...] = ()  # the learner's words the matcher found in it
    opposite: str = ""  # where the learner's words may say the opposite


class PointCheck(Vertical, can_focus=True):
    DEFAULT_CLASSES = "point-check"
    BINDINGS = [
        Binding("y", "mark('covered')", "I said this", id="mark-yes"),
        Binding("p", "mark('partly')", "Partly", id="mark-partly"),
        Binding("n", "mark('missed')", "No", id="mark-no"),
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("enter", "record", "Record the marks", id="record-marks"),
    ]

    @dataclass
    class Checked(Message):
        step_id: str
        marks: tuple[Verdict, ...]

    cursor: reactive[int] = reactive(0)

    def __init__(self, step_id: str, rows: list[PointRow], *, notice: str = "") -> None:
        super().__init__()
        self.step_id, self.rows, self.notice = step_id, rows, notice
        self.marks: list[Verdict | None] = [None] * len(rows)

    def compose(self) -> ComposeResult:
        if self.notice:
            yield Static(plain(self.notice, "italic"), classes="judge-notice")
        yield Static(
            assemble(("Your own check. ", "bold"), "Compare your answer with the senior's points, and mark each: ",
                          ("y", "bold reverse"), " I said this  ", ("p", "bold reverse"), " partly  ", ("n", "bold reverse"), " no"),
            classes="label",
        )
        for index in range(len(self.rows)):
            yield Static(self._row(index), id=f"point-{index}", classes="check-row")
        yield Static(self._footer(), id="check-footer", classes="hint")

    def _row(self, index: int) -> Text:
        row, mark = self.rows[index], self.marks[index]
        pointer = ("▶ " if index == self.cursor and self.has_focus else "  ", "bold")
        box = (f"[{MARKS[mark][0]}] ", f"bold {MARKS[mark][1]}") if mark is not None else ("[ ] ", "bold")
        text = assemble(pointer, box, inline_markdown(row.point))
        if mark is not None:
            text.append(f"  ({MARKS[mark][2]})", "dim")
        if row.matched:
            text.append("\n      your words: " + ", ".join(row.matched), "dim")
        if row.opposite:
            text.append(f"\n      ⚠ your words may say the opposite: “{row.opposite}”", "bold yellow")
        return text

    def _footer(self) -> str:
        left = sum(mark is None for mark in self.marks)
        if left:
            return f"{left} to mark · ↑↓ move · the score follows your marks; Tutor's word hints never mark anything"
        return "All marked: enter records them (↑↓ and y/p/n change a mark first)"

    def _redraw(self) -> None:
        for index in range(len(self.rows)):
            self.query_one(f"#point-{index}", Static).update(self._row(index))
        self.query_one("#check-footer", Static).update(self._footer())

    def watch_cursor(self) -> None:
        if self.is_mounted:
            self._redraw()

    def on_focus(self) -> None:
        self._redraw()

    def on_blur(self) -> None:
        self._redraw()

    def action_mark(self, verdict: str) -> None:
        self.marks[self.cursor] = Verdict(verdict)
        following = next((i for i in range(self.cursor + 1, len(self.rows)) if self.marks[i] is None), None)
        if following is not None:
            self.cursor = following
        self._redraw()

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))

    def complete(self) -> tuple[Verdict, ...] | None:
        """The marks, once every point has one."""
        if any(mark is None for mark in self.marks):
            return None
        return tuple(mark for mark in self.marks if mark is not None)

    def action_record(self) -> None:
        marks = self.complete()
        if marks is None:
            self.notify("Mark every point first: y, p or n.", severity="warning", timeout=3)
            self.cursor = next(i for i, mark in enumerate(self.marks) if mark is None)
            return
        self.post_message(self.Checked(self.step_id, marks))


def open_check(node: DOMNode) -> PointCheck | None:
    """The check waiting for the learner's marks under `node` (a screen), if there is one.

    Asked by the lesson's `check_action`, so for each of the footer's keys when it looks for a change: found by type
    (a few microseconds), where a CSS query took 0.25 ms."""
    return next(iter(node.walk_children(PointCheck)), None)
