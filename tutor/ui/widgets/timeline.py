"""The timeline: revealed steps with an icon per kind, and only a count of what is still hidden.

Drawn a line at a time (Textual's line API): a key that reveals a step redraws the lines that
changed (the new step's, the highlight's old and new line, the last line), not the whole list.
Textual's `OptionList`, which this replaced, redrew every visible line on each change: 6 ms of a
34 ms key press on the test VM, in a 3-step lesson (`benchmarks/bench_keypress.py`).

Keys as in a list: up, down, page up and down, home, end move the highlight (never onto a
line that cannot be chosen), enter or a click chooses the highlighted line: a step's line
jumps there (`Jump`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import msgspec
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tutor.learn import TimelineEntry, View
from tutor.words import plural

from ..glyphs import KIND_ICONS, KIND_LABELS, verdict
from ..plain import assemble, line, plain
from .line_table import CURSOR_KEYS
from .style_once import StyleOncePerDraw

TASK_LINE = "frame-0"
LAST_LINE = "frame-end"


def _summary(entry: TimelineEntry) -> str:
    step = entry.step
    text = getattr(step, "text", "") or ""
    if step.kind == "result":
        text = ("ok" if step.ok else "failed") + (f" ({step.exit_code})" if step.exit_code is not None else "")
    elif step.kind == "correction":
        text = step.category.value + ": " + step.text
    elif step.kind == "agent" and step.calls:
        first = step.calls[0]
        text = text or f"{first.tool} {first.input.get('command') or first.input.get('path') or ''}"
    line = " ".join(text.replace("`", "").replace("**", "").split())
    return line[:80]


class TimelineLine(msgspec.Struct, frozen=True):
    """One line: its id (`frame-N`, `frame-end`), its text, and whether it can be chosen."""

    id: str
    text: Text
    disabled: bool = False


class Timeline(StyleOncePerDraw, ScrollView, can_focus=True):
    """Frames reached so far. Choosing one jumps there; it never lists anything not yet revealed."""

    BINDINGS: ClassVar[list[BindingType]] = list(CURSOR_KEYS)
    COMPONENT_CLASSES: ClassVar[set[str]] = {"timeline--highlighted", "timeline--disabled"}
    DEFAULT_CSS = """
    Timeline {
        height: auto;
        max-height: 100%;
        color: $foreground;
        background: $surface;
        overflow-x: hidden;
        & > .timeline--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .timeline--highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .timeline--disabled {
            color: $text-disabled;
        }
    }
    """

    @dataclass
    class Jump(Message):
        cursor: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, classes=classes)
        self._entries: list[TimelineEntry] = []  # the steps' lines, below the task's and above the last one
        self.lines: list[TimelineLine] = []
        self.highlighted: int | None = None
        self._room = 0  # blank lines under the last one, to scroll by half pages (`_scroll_to_row`)
        self._drawn: dict[int, tuple[TimelineLine, int, Style, Strip]] = {}  # a row's strip, with what it was drawn from

    # -- contents

    def show(self, view: View) -> None:
        """Show VIEW's timeline, redrawing only the lines that changed.

        Revealing a step appends one line: a 10,000-step lesson neither compares nor
        redraws 10,000 lines per key. A line is kept only while its entry is equal (its
        step, not just its number: a review moves on to another lesson whose step 1 is
        another step; and its grade); the engine hands back the same entry objects while
        they read the same, so the comparison is mostly identity, done in C."""
        new = view.timeline
        old = self._entries
        common = min(len(old), len(new))
        if old[:common] != list(new[:common]):
            common = next(index for index, (was, now) in enumerate(zip(old, new)) if was != now)
        if not self.lines:
            self.lines.append(TimelineLine(TASK_LINE, assemble(("  ⌂ ", "bold"), "Task")))
        before = len(self.lines)
        del self.lines[common + 1 :]  # the task's line stays
        self.lines.extend([*(self._line(entry) for entry in new[common:]), self._last_line(view)])
        self._entries = list(new)
        for row in range(common + 1, max(before, len(self.lines))):
            self._drawn.pop(row, None)
            self.refresh_line(row)
        if len(self.lines) < before:
            self._room = 0  # another lesson's steps (a review): no blank room kept from the last one's
        self._set_height()
        self._highlight(view)

    def _line(self, entry: TimelineEntry) -> TimelineLine:
        step = entry.step
        label = assemble(
            (f"{entry.number:>3} {KIND_ICONS[step.kind]} ", "bold"),
            (KIND_LABELS[step.kind], "bold"),
            " ",
            no_wrap=True,
            overflow="ellipsis",
        )
        if entry.grade is not None:
            mark = verdict(entry.grade.score, entry.grade.skipped, entry.grade.pending)
            label.append(f"[{mark}] ", "italic")
        label.append(line(_summary(entry), "dim"))
        return TimelineLine(f"frame-{entry.number}", label)

    def _last_line(self, view: View) -> TimelineLine:
        if view.hidden:
            text = plain(f"  … {plural(view.hidden, 'step')} hidden", "dim italic")
        elif view.finished:
            text = plain("  ★ Score card", "bold")
        else:
            text = plain("  ✓ all steps revealed", "dim")
        return TimelineLine(LAST_LINE, text, disabled=not view.finished)

    def _highlight(self, view: View) -> None:
        last = len(self.lines) - 1
        if view.cursor > view.total:
            self.move_highlight(last)
            return
        # The current frame's line: frames are listed in order from the task's (row 0), so frame N is mostly on row N
        # (looked for only when not: never a walk through a long lesson's lines on a key). Else (an open question's)
        # the last line.
        target = f"frame-{view.cursor}"
        row = view.cursor if 0 <= view.cursor <= last and self.lines[view.cursor].id == target else None
        if row is None:
            row = next((index for index, shown in enumerate(self.lines) if shown.id == target), last)
        self.move_highlight(row)

    # -- the highlight

    def move_highlight(self, row: int) -> None:
        """Highlight ROW (kept within the lines), scrolled into view; only its line and the one it left are redrawn."""
        if not self.lines:
            return
        row = max(0, min(row, len(self.lines) - 1))
        old, self.highlighted = self.highlighted, row
        if old != row:
            if old is not None:
                self.refresh_line(old)
            self.refresh_line(row)
        self._scroll_to_row(row)

    def _scroll_to_row(self, row: int) -> None:
        height = self.scrollable_content_region.height
        if not height:  # not laid out yet: scrolled once it is (`_size_updated`)
            return
        top = round(self.scroll_offset.y)
        below = min(row + 1, len(self.lines) - 1)  # the line under the highlight: on the current step, what is still hidden
        if row < top:
            self.scroll_to(y=max(0, row - height // 2), animate=False, immediate=True)
        elif below >= top + height:
            # Half a page on, with blank room under the last line if need be: walking forward (the current step is
            # then the last but one line), the next half page of steps redraws only their own lines, where scrolling
            # by one line a step would redraw every line on screen each time.
            target = max(0, below - height // 2)
            self._room = max(0, target + height - len(self.lines))
            self._set_height()
            self.scroll_to(y=target, animate=False, immediate=True)
        self._forget_far_lines()

    def _forget_far_lines(self) -> None:
        """Keep the strips of the lines on screen and a page each side: a walk through 10,000 steps keeps a few pages."""
        height = self.scrollable_content_region.height
        if len(self._drawn) <= 4 * max(height, 10):
            return
        top = round(self.scroll_offset.y)
        self._drawn = {row: drawn for row, drawn in self._drawn.items() if top - height <= row < top + 2 * height}

    def _set_height(self) -> None:
        """The lines' height, and the blank room under them: set quietly (through the reactive, a new height would
        redraw every line); the scroll bar is told here."""
        height = len(self.lines) + self._room
        if height != self.virtual_size.height:
            self.set_reactive(Timeline.virtual_size, Size(0, height))
            self._scroll_update(self.virtual_size)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if self.highlighted is not None:
            self._scroll_to_row(self.highlighted)
        return changed

    def _chosen_row(self, start: int, step: int) -> int | None:
        """The first line that can be chosen from START on, going by STEP (1 down, -1 up)."""
        row = start
        while 0 <= row < len(self.lines):
            if not self.lines[row].disabled:
                return row
            row += step
        return None

    def _move(self, row: int, step: int) -> None:
        row = max(0, min(row, len(self.lines) - 1))
        found = self._chosen_row(row, step)
        if found is None:
            found = self._chosen_row(row, -step)
        if found is not None:
            self.move_highlight(found)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self._move((self.highlighted if self.highlighted is not None else -1) + 1, 1)

    def action_cursor_up(self) -> None:
        self._move((self.highlighted if self.highlighted is not None else len(self.lines)) - 1, -1)

    def action_page_down(self) -> None:
        self._move((self.highlighted or 0) + self._page(), 1)

    def action_page_up(self) -> None:
        self._move((self.highlighted or 0) - self._page(), -1)

    def action_first(self) -> None:
        self._move(0, 1)

    def action_last(self) -> None:
        self._move(len(self.lines) - 1, -1)

    def action_select_cursor(self) -> None:
        row = self.highlighted
        if row is None or not 0 <= row < len(self.lines) or self.lines[row].disabled:
            return
        line_id = self.lines[row].id
        if line_id != LAST_LINE:  # the score card's line is where a finished lesson already stands
            self.post_message(self.Jump(int(line_id.removeprefix("frame-"))))

    async def _on_click(self, event: events.Click) -> None:
        row = round(self.scroll_offset.y) + event.y - self.gutter.top
        if not 0 <= row < len(self.lines) or self.lines[row].disabled:
            return
        event.stop()
        self.move_highlight(row)
        self.action_select_cursor()

    # -- drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = round(self.scroll_offset.y) + y
        base = self.rich_style
        if not 0 <= row < len(self.lines):
            return Strip.blank(width, base)
        shown = self.lines[row]
        if row == self.highlighted:
            style = base + self.get_component_rich_style("timeline--highlighted")
        elif shown.disabled:
            style = base + self.get_component_rich_style("timeline--disabled")
        else:
            style = base
        drawn = self._drawn.get(row)
        if drawn is not None and drawn[0] is shown and drawn[1] == width and drawn[2] == style:
            return drawn[3]  # drawn before, as now (a scroll redraws every line on screen)
        strip = self._strip(shown.text, width, style)
        self._drawn[row] = (shown, width, style, strip)
        return strip

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        """TEXT on one line of WIDTH cells, cut with an ellipsis, on STYLE (the text's own styles drawn over it)."""
        fitted = Text(no_wrap=True, end="")
        fitted.append_text(text)  # the text's own style becomes a span: Rich's render leaves it out otherwise
        fitted.truncate(width, overflow="ellipsis", pad=True)
        return Strip(list(fitted.render(self.app.console)), width).apply_style(style)
