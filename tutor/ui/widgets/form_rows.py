"""The last two rows of a question's form, one widget each: how sure the learner is, and submit or skip.

They were Textual's `RadioSet` (a set and three buttons) and two `Button`s in a row: ten more
widgets on every question frame, styled, arranged and drawn as the frame swaps in. The first
question of `tutor learn` took 122-127 ms from its key to its frame, and 71-81 ms with these
rows drawn as plain text (`benchmarks/README.md`). Each row here draws itself on one line,
takes its keys (left and right; enter or space on the actions) and clicks, and says what
changed in a small Message; each is one stop of `tab`, as a radio set was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tutor.lesson import Confidence

CONFIDENCES = (Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH)
GAP = "   "  # between two choices of a row


def _spans(labels: list[str]) -> list[tuple[int, int]]:
    """Where each label stands on the row (start, end), the labels joined by `GAP`."""
    spans, start = [], 0
    for label in labels:
        spans.append((start, start + len(label)))
        start += len(label) + len(GAP)
    return spans


class _Row(Widget, can_focus=True):
    """A row of labels joined by `GAP` on one line, drawn again as focus comes and goes."""

    def _labels(self) -> list[str]:
        raise NotImplementedError

    def _clicked(self, event: events.Click) -> int | None:
        """The label a click on the row landed on, if any."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y != 0:
            return None
        return next((index for index, (start, end) in enumerate(_spans(self._labels())) if start <= offset.x < end), None)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class ConfidenceRow(_Row):
    """Low, medium or high: one chosen, changed with left and right (or 1, 2, 3 anywhere on the screen) or a click."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Less sure", show=False),
        Binding("right", "move(1)", "More sure", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"confidence-row--chosen"}

    chosen: reactive[Confidence] = reactive(Confidence.MEDIUM)

    @dataclass
    class Changed(Message):
        row: ConfidenceRow
        confidence: Confidence

    def __init__(self, chosen: Confidence, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.set_reactive(ConfidenceRow.chosen, chosen)

    def _labels(self) -> list[str]:
        return [f"{'(•)' if each is self.chosen else '( )'} {each.value.capitalize()}" for each in CONFIDENCES]

    def render(self) -> Text:
        chosen = self.get_component_rich_style("confidence-row--chosen")
        text = Text(no_wrap=True, end="")
        for index, (label, each) in enumerate(zip(self._labels(), CONFIDENCES, strict=True)):
            if index:
                text.append(GAP)
            text.append(label, chosen if each is self.chosen else "")
        return text

    def watch_chosen(self, chosen: Confidence) -> None:
        self.post_message(self.Changed(self, chosen))

    def action_move(self, step: int) -> None:
        index = CONFIDENCES.index(self.chosen) + step
        self.chosen = CONFIDENCES[max(0, min(len(CONFIDENCES) - 1, index))]

    def on_click(self, event: events.Click) -> None:
        index = self._clicked(event)
        if index is not None:
            self.chosen = CONFIDENCES[index]


class FormActions(_Row):
    """Submit and skip: the one under the cursor (left, right) done with enter or space, or either clicked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right", "move(1)", "Next", show=False),
        Binding("enter,space", "press", "Press", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"form-actions--submit", "form-actions--skip", "form-actions--cursor", "form-actions--off"}
    ACTIONS = (("submit", " Submit  ctrl+s "), ("skip", " Skip  ctrl+g "))

    cursor: reactive[int] = reactive(0)
    skip_shown: reactive[bool] = reactive(True)  # a group's form has no skip
    submit_off: reactive[bool] = reactive(False)  # a group's round that closed takes no answer

    @dataclass
    class Pressed(Message):
        actions: FormActions
        action: str  # "submit" or "skip"

    def _shown(self) -> list[tuple[str, str]]:
        return [(name, label) for name, label in self.ACTIONS if name == "submit" or self.skip_shown]

    def _labels(self) -> list[str]:
        return [label for _, label in self._shown()]

    def render(self) -> Text:
        text = Text(no_wrap=True, end="")
        for index, (name, label) in enumerate(self._shown()):
            if index:
                text.append(GAP)
            style = self.get_component_rich_style("form-actions--off" if name == "submit" and self.submit_off else f"form-actions--{name}")
            if self.has_focus and index == self.cursor:
                style += self.get_component_rich_style("form-actions--cursor")
            text.append(label, style)
        return text

    def watch_skip_shown(self, shown: bool) -> None:
        self.cursor = min(self.cursor, len(self._shown()) - 1)

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(len(self._shown()) - 1, self.cursor + step))

    def action_press(self) -> None:
        self._press(self.cursor)

    def on_click(self, event: events.Click) -> None:
        index = self._clicked(event)
        if index is not None:
            self.cursor = index
            self._press(index)

    def _press(self, index: int) -> None:
        name = self._shown()[index][0]
        if name == "submit" and self.submit_off:
            return
        self.post_message(self.Pressed(self, name))
