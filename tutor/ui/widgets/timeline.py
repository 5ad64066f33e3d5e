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


class Timeline(OptionList):
    """Frames reached so far. Selecting one jumps there; it never lists anything not yet revealed."""

    @dataclass
    class Jump(Message):
        cursor: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._keys: list[tuple] = []  # one per option above the final "hidden" line

    def show(self, view: View) -> None:
        # A line is kept only while it would read the same: its step (not just its number: a review
        # moves on to another lesson whose step 1 is another step) and its grade.
        keys: list[tuple] = [("task",)] + [
            (e.number, e.step, e.grade.score if e.grade else None, e.grade.skipped if e.grade else False, e.grade.pending if e.grade else False)
            for e in view.timeline
        ]
        common = 0
        for old, new in zip(self._keys, keys):
            if old != new:
                break
            common += 1
        # Revealing a step appends one line, so keep every line up to the first change and
        # rebuild only after it: a 1,000-step lesson does not redraw 1,000 lines per key.
        while self.option_count > common:
            self.remove_option_at_index(self.option_count - 1)
        entries = {entry.number: entry for entry in view.timeline}
        options = [
            Option(assemble(("  ⌂ ", "bold"), "Task"), id="frame-0") if key == ("task",) else self._option(entries[key[0]])
            for key in keys[common:]
        ]
        options.append(self._hidden_option(view))
        self.add_options(options)
        self._keys = keys
        self._highlight(view)

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
