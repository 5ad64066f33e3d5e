"""Investigate: the files at a revealed step, the diff between two revealed steps, a shell in a throwaway copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Header, Label, Select, Static, Tree

from tutor.words import plural
from tutor.services.investigate import Checkpoint, open_lesson_repo, revealed_checkpoints

from ..widgets.footer import TutorFooter
from ..widgets.step_view import diff_text
from ..plain import line, plain


class InvestigateScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back to the lesson", id="back"),
        Binding("d", "diff", "Diff", id="diff", tooltip="Show the diff between the two chosen steps"),
        Binding("s", "shell", "Shell here", id="shell", tooltip="Open a shell in a throwaway copy of the code at this step"),
    ]

    @dataclass
    class Ready(Message):
        repo: Any
        checkpoints: list[Checkpoint]

    @dataclass
    class Failed(Message):
        error: str

    @dataclass
    class Shown(Message):
        title: str
        body: Text

    @dataclass
    class Files(Message):
        commit: str
        paths: list[str]

    def __init__(self, lesson: Any, folder: Path, replay: Any) -> None:
        super().__init__()
        self.lesson, self.folder, self.replay = lesson, folder, replay
        self.repo: Any = None
        self.checkpoints: list[Checkpoint] = []

    def compose(self) -> ComposeResult:
        yield Header()
        # Two short rows rather than one long one: every control stays on screen at 80 columns.
        with Vertical(id="investigate-bar"):
            with Horizontal(classes="bar-row"):
                yield Label("At")
                yield Select([], id="at", prompt="step", allow_blank=True, compact=True)
                yield Button("Shell  s", id="do-shell", compact=True, tooltip="A throwaway copy; removed when you exit the shell")
            with Horizontal(classes="bar-row"):
                yield Label("Diff")
                yield Select([], id="diff-from", prompt="from", allow_blank=True, compact=True)
                yield Select([], id="diff-to", prompt="to", allow_blank=True, compact=True)
                yield Button("Diff  d", id="do-diff", compact=True)
        with Horizontal(id="investigate-body"):
            yield Tree("files", id="files")
            with VerticalScroll(id="viewer"):
                yield Static("Opening the lesson's repository…", id="viewer-title", classes="step-title")
                yield Static("", id="viewer-body")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Investigate · {self.lesson.title}"
        self.load()

    @work(thread=True, exclusive=True, group="investigate")
    def load(self) -> None:
        from tutor.services.errors import VcsError

        try:
            repo = open_lesson_repo(self.lesson, self.folder)
            points = revealed_checkpoints(self.lesson, self.replay, repo.steps)
        except (VcsError, OSError) as error:
            self.post_message(self.Failed(str(error).splitlines()[0]))
            return
        self.post_message(self.Ready(repo, points))

    @on(Ready)
    def _ready(self, event: Ready) -> None:
        self.repo, self.checkpoints = event.repo, event.checkpoints
        options = [(line(point.label, limit=80), point.commit) for point in self.checkpoints]
        for select_id in ("#at", "#diff-from", "#diff-to"):
            self.query_one(select_id, Select).set_options(options)
        if options:
            self.query_one("#at", Select).value = options[-1][1]
            self.query_one("#diff-from", Select).value = options[max(0, len(options) - 2)][1]
            self.query_one("#diff-to", Select).value = options[-1][1]
        self.query_one("#viewer-title", Static).update(f"{plural(len(options), 'checkpoint')} you have seen. Pick a file, or a diff.")

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.query_one("#viewer-title", Static).update(plain(f"Cannot open the lesson's repository: {event.error}", "bold red"))

    @on(Select.Changed, "#at")
    def _at_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.list_files(event.value)

    @work(thread=True, exclusive=True, group="files")
    def list_files(self, commit: str) -> None:
        from tutor.services.errors import VcsError

        try:
            paths = self.repo.list_files(commit)
        except VcsError as error:
            self.post_message(self.Failed(str(error)))
            return
        self.post_message(self.Files(commit, paths))

    @on(Files)
    def _files(self, event: Files) -> None:
        tree = self.query_one("#files", Tree)
        tree.clear()
        tree.root.expand()
        nodes: dict[str, Any] = {"": tree.root}
        for path in event.paths:
            parts = path.split("/")
            for depth in range(1, len(parts)):
                folder = "/".join(parts[:depth])
                if folder not in nodes:
                    # A file's name is text from the lesson's repository: a Text (a str is markup to Tree), every character shown.
                    nodes[folder] = nodes["/".join(parts[: depth - 1])].add(line(parts[depth - 1] + "/", exact=True), expand=True)
            nodes["/".join(parts[:-1])].add_leaf(line(parts[-1], exact=True), data=(event.commit, path))

    @on(Tree.NodeSelected, "#files")
    def _file_selected(self, event: Tree.NodeSelected) -> None:
        if isinstance(event.node.data, tuple):
            commit, path = event.node.data
            self.show_file(commit, path)

    @work(thread=True, exclusive=True, group="viewer")
    def show_file(self, commit: str, path: str) -> None:
        from tutor.services.errors import VcsError

        try:
            data = self.repo.read_file(commit, path)
        except VcsError as error:
            self.post_message(self.Shown(line(path, exact=True).plain, plain(str(error), "red")))
            return
        text = data.decode("utf-8", errors="replace")
        self.post_message(self.Shown(f"{line(path, exact=True).plain} at {self._label(commit)}", plain(text, no_wrap=True)))

    def _label(self, commit: str) -> str:
        return line(next((point.label for point in self.checkpoints if point.commit == commit), commit[:10]), limit=80).plain

    @on(Shown)
    def _shown(self, event: Shown) -> None:
        self.query_one("#viewer-title", Static).update(plain(event.title, "bold"))
        self.query_one("#viewer-body", Static).update(event.body)
        self.query_one("#viewer", VerticalScroll).scroll_home(animate=False)

    def action_diff(self) -> None:
        start, end = self.query_one("#diff-from", Select).value, self.query_one("#diff-to", Select).value
        if self.repo is None or not isinstance(start, str) or not isinstance(end, str):
            self.notify("Choose two steps to compare.", severity="warning")
            return
        self.show_diff(start, end)

    @work(thread=True, exclusive=True, group="viewer")
    def show_diff(self, start: str, end: str) -> None:
        from tutor.services.errors import VcsError

        try:
            diff = self.repo.diff(start, end)
        except VcsError as error:
            self.post_message(self.Shown("diff", plain(str(error), "red")))
            return
        body = diff_text(diff) if diff.strip() else plain("No change between these two steps.", "italic")
        self.post_message(self.Shown(f"Diff: {self._label(start)} → {self._label(end)}", body))

    def action_shell(self) -> None:
        commit = self.query_one("#at", Select).value
        if self.repo is None or not isinstance(commit, str):
            self.notify("Choose a step first.", severity="warning")
            return
        self.open_shell(commit)

    @work(thread=True, exclusive=True, group="shell")
    def open_shell(self, commit: str) -> None:
        from tutor.services.shell_copy import ShellCopyError, make_copy, remove_copy

        try:
            copy = make_copy(self.repo, commit)
        except ShellCopyError as error:
            self.app.call_from_thread(self.notify, f"Cannot make a copy: {error}", severity="error")
            return
        try:
            self.app.call_from_thread(self._run_shell, copy, self._label(commit))
        finally:
            remove_copy(copy)
        self.app.call_from_thread(self.notify, "The throwaway copy was removed.", timeout=4)

    def _run_shell(self, copy: Any, label: str) -> None:
        import os
        import subprocess

        from textual.app import SuspendNotSupported

        from tutor.services.shell_copy import banner, removed_on_hangup

        shell = os.environ.get("SHELL") or "/bin/sh"
        try:
            with self.app.suspend(), removed_on_hangup(copy):
                print(banner(copy, label), flush=True)
                subprocess.run([shell], cwd=copy.path, check=False)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to a shell; browse the files here instead.", severity="warning")
        except OSError as error:
            self.notify(f"Cannot start {shell}: {error}", severity="error")

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(Button.Pressed, "#do-diff")
    def _diff_pressed(self) -> None:
        self.action_diff()

    @on(Button.Pressed, "#do-shell")
    def _shell_pressed(self) -> None:
        self.action_shell()
