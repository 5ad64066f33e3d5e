"""What `tutor pair` shows when there is no API key: how to set one, and the scripted demo instead."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from ..widgets.footer import TutorFooter
from ..plain import assemble, plain


class NoKeyScreen(Screen):
    BINDINGS = [
        Binding("d", "demo", "Scripted demo", id="demo", tooltip="Pair with a scripted agent on a bundled sample project"),
        Binding("q", "app.quit", "Quit", id="quit-no-key", tooltip="Leave; set a key and run the command again"),
    ]

    def __init__(self, help_text: str) -> None:
        super().__init__()
        self.help_text = help_text

    def compose(self) -> ComposeResult:
        with Vertical(id="no-key"):
            yield Static(plain("Pair mode needs an Anthropic API key", "bold"), classes="step-title")
            yield Static(plain(self.help_text), classes="prose")
            yield Static(
                assemble(
                    "Without a key you can still practise: ",
                    (" d ", "bold reverse"),
                    " starts the scripted demo (the same screen, a scripted agent, a small sample project; "
                    "its commands run for real in a private workspace). Or run ",
                    ("tutor pair --demo", "bold"),
                    ".",
                ),
                classes="hint",
            )
        yield TutorFooter()

    def action_demo(self) -> None:
        self.app.start_demo_pair()  # type: ignore[attr-defined]
