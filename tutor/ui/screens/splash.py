"""The first frame of `tutor learn`: the lesson's title and task, painted before the engine loads.

It imports nothing heavy on purpose; the lesson screen replaces it a moment later.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from ..widgets.footer import TutorFooter
from ..plain import plain


class SplashScreen(Screen):
    # Nothing here can act on a key: what is typed waits for the lesson screen (see TutorApp.on_event).
    holds_keys = True

    def __init__(self, title: str, task: str) -> None:
        super().__init__()
        self.lesson_title, self.task_text = title, task

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="frame"):
            yield Static(plain("⌂ The task", "bold"), classes="step-title")
            yield Static(plain(self.task_text), classes="prose task")
            yield Static("Opening the lesson…", classes="hint")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.sub_title = self.lesson_title
