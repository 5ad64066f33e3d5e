"""The one dialog for a question with a few answers, each on a key (and, where asked, a button).

`Choice` draws the question, an optional note, the keys with what each does (or a hint and
buttons), and dismisses with the value of the answer chosen. The dialogs of Tutor are named uses
of it, so tests and styles can tell them apart: `Confirm` (a yes/no before something is left
behind: `y` goes ahead, `n` or `escape` stays), `SaveRecording` (record mode), `LeaveAnnotate`
(the lesson editor, in `annotate_parts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..plain import assemble, plain


class Answer(msgspec.Struct, frozen=True):
    """One answer: the keys that give it (the first is shown), what it does, its value."""

    keys: tuple[str, ...]
    label: str
    value: Any
    button: str = ""  # a button's id, when the dialog shows buttons
    button_label: str = ""
    variant: str = "default"


class Choice(ModalScreen[Any]):
    """A question and its answers; dismissed with the chosen answer's value."""

    def __init__(self, question: str, answers: Sequence[Answer], *, note: str | None = None, hint: str = "", dialog_id: str = "confirm") -> None:
        super().__init__()
        self.question, self.answers, self.note, self.hint, self.dialog_id = question, tuple(answers), note, hint, dialog_id

    def compose(self) -> ComposeResult:
        with Vertical(id=self.dialog_id):
            yield Static(plain(self.question, "bold"))
            if self.note is not None:
                yield Static(plain(self.note, "italic"))
            if self.hint:
                yield Static(self.hint, classes="hint")
            else:
                parts: list[Any] = []
                for index, answer in enumerate(self.answers):
                    last = index == len(self.answers) - 1
                    parts += [(f" {answer.keys[0]} ", "bold reverse"), f" {answer.label}" + ("" if last else "   ")]
                yield Static(assemble(*parts))
            buttons = [answer for answer in self.answers if answer.button]
            if buttons:
                with Horizontal(classes="buttons"):
                    for answer in buttons:
                        yield Button(answer.button_label or answer.label, id=answer.button, variant=answer.variant)  # type: ignore[arg-type]

    def on_key(self, event: events.Key) -> None:
        for answer in self.answers:
            if event.key in answer.keys:
                event.stop()
                event.prevent_default()
                self.dismiss(answer.value)
                return

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        for answer in self.answers:
            if answer.button and answer.button == event.button.id:
                self.dismiss(answer.value)
                return


class Confirm(Choice):
    """Yes or no before something is left behind: `y` goes ahead (True), `n` or `escape` stays (False)."""

    def __init__(self, question: str, *, yes: str, no: str = "stay") -> None:
        super().__init__(question, [Answer(("y",), yes, True), Answer(("n", "escape"), no, False)])


class SaveRecording(Choice):
    """Save the recording as a lesson (`y`: "save"), keep only the journal (`n`: "keep"), or go back (`escape`: None)."""

    def __init__(self, can_save: bool, note: str) -> None:
        back = Answer(("escape",), "back", None)
        if can_save:
            answers = [Answer(("y",), "save the lesson and quit", "save"), Answer(("n",), "quit, keeping only the journal", "keep"), back]
            super().__init__("Save this recording as a lesson?", answers, note=note, dialog_id="save-dialog")
        else:
            super().__init__("Nothing to save yet: there is no goal.", [Answer(("n",), "quit (the journal is kept)", "keep"), back], dialog_id="save-dialog")
