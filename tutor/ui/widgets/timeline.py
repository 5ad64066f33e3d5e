"""The timeline: revealed steps with an icon per kind, and only a count of what is still hidden."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tutor.learn import TimelineEntry, View
from tutor.words import plural

from ..glyphs import KIND_ICONS, KIND_LABELS, verdict
from ..plain import assemble, line, plain
from .steady import KeepsDrawing


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


class Timeline(KeepsDrawing, OptionList):
    """Frames reached so far. Selecting one jumps there; it never lists anything not yet revealed."""

    @dataclass
    class Jump(Message):
        cursor: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._entries: list[TimelineEntry] = []  # the steps' lines, below the task's and above the final "hidden" one

    def show(self, view: View) -> None:
        """Show VIEW's timeline, redrawing only from its first line that changed.

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
        if self.option_count == 0:
            self.add_option(Option(assemble(("  ⌂ ", "bold"), "Task"), id="frame-0"))
        while self.option_count > common + 1:  # the task's line stays
            self._drop_last_option()
        self.add_options([*(self._option(entry) for entry in new[common:]), self._hidden_option(view)])
        self._entries = list(new)
        self._highlight(view)

    def _drop_last_option(self) -> None:
        """Remove the last line, keeping the heights measured for the others.

        `OptionList.remove_option_at_index` forgets every line's height, and measuring
        them again costs a lesson's length on every key. Removing the last line changes no
        other line's place, so its own lines are cut off the end of the cache. Textual is
        pinned; should these internals move, the public (slow) way is taken."""
        index = self.option_count - 1
        try:
            option = self._options[index]
            cache = self._line_cache
            height = cache.heights.pop(index, None)
            cache.index_to_line.pop(index, None)
            if height and cache.lines and cache.lines[-1][0] == index:
                del cache.lines[-height:]
            self._options.pop()
            del self._option_to_index[option]
            if option.id is not None:
                del self._id_to_option[option.id]
            self._mouse_hovering_over = None
        except (AttributeError, KeyError, IndexError):  # pragma: no cover - a Textual whose internals changed
            self.remove_option_at_index(index)
            return
        self.refresh()

    def _option(self, entry: TimelineEntry) -> Option:
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
        return Option(label, id=f"frame-{entry.number}")

    def _hidden_option(self, view: View) -> Option:
        if view.hidden:
            text = plain(f"  … {plural(view.hidden, 'step')} hidden", "dim italic")
        elif view.finished:
            text = plain("  ★ Score card", "bold")
        else:
            text = plain("  ✓ all steps revealed", "dim")
        return Option(text, id="frame-end", disabled=not view.finished)

    def _highlight(self, view: View) -> None:
        target = "frame-end" if view.cursor > view.total else f"frame-{view.cursor}"
        try:
            index = self.get_option_index(target)
        except Exception:  # noqa: BLE001 - the current frame is an open question: point at the hidden line
            index = self.option_count - 1
        self.highlighted = index
        self.scroll_to_highlight()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("frame-") and option_id != "frame-end":
            self.post_message(self.Jump(int(option_id.removeprefix("frame-"))))
