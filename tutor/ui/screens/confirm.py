"""A yes/no question before something is left behind: `y` goes ahead, `n` or `escape` stays."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from ..plain import assemble, plain


class Confirm(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str, *, yes: str, no: str = "stay") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(plain(self.question, "bold"))
            yield Static(assemble((" y ", "bold reverse"), f" {self.yes}   ", (" n ", "bold reverse"), f" {self.no}"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
