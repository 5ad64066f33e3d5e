"""`tutor host LESSON`: the facilitator's screen of a group replay.

The join code on top, who is in the room on the left, and the session as it stands: the task
in the lobby, the open question with only "N of M answered" (never a spread while answers are
open), the spread once closed (hidden below the team's minimum group), a revote's beside the
first, and the senior's step at the reveal. `space` moves the session on, `d` starts a
discussion and a revote, `p` pauses, `b` looks back, `e` ends.

The session itself is `tutor.services.group_host.GroupHost`, running on Textual's own asyncio
loop: this screen only reads its `view` (on each `on_change`) and calls its moves, none of
which blocks. Names and problems come from other people, the lesson from outside: all of it
reaches the screen through `tutor.ui.plain`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Header, Static

from tutor.errors import UserError
from tutor.learn import AskFrame, StepFrame
from tutor.services.group_host import GroupHost, HostView
from tutor.lesson import AskType

from tutor.words import plural

from ..plain import assemble, command, line, plain
from ..start import ChangeRelay
from .following import FollowingScreen
from ..widgets.footer import TutorFooter
from ..widgets.group_parts import (
    DISCUSS_HINT,
    answered_text,
    ask_card,
    distribution_widget,
    options_of,
    participant_lines,
    phase_name,
    senior_answer,
    senior_labels,
)
from ..widgets.prose import Prose
from ..widgets.step_view import StepView
from .group_keys import HOST_KEYS

# What `space` does in each phase: the footer names it.
SPACE_MOVES = {
    "lobby": "start",
    "open": "close",
    "revote-open": "close",
    "closed": "reveal",
    "revote-closed": "reveal",
    "discuss": "revote",
    "revealed": "next",
}
OPEN_PHASES = frozenset({"open", "revote-open"})


class GroupHostScreen(FollowingScreen):
    HELP = HOST_KEYS
    DEFAULT_CSS = """
    GroupHostScreen #group-code { height: auto; padding: 0 1; background: $boost; }
    GroupHostScreen #group-status { height: auto; padding: 0 1; color: $text-muted; }
    GroupHostScreen #group-status.paused { color: $warning; text-style: bold; }
    GroupHostScreen #group-body { height: 1fr; }
    GroupHostScreen #group-room { width: 30; height: 1fr; padding: 0 1; border-right: solid $primary-background-lighten-2; }
    GroupHostScreen.-narrow #group-room { width: 20; }
    GroupHostScreen #group-frame { width: 1fr; height: 1fr; padding: 0 2; }
    GroupHostScreen .group-answered { margin-top: 1; text-style: bold; }
    GroupHostScreen .group-spread { height: auto; margin-top: 1; }
    GroupHostScreen .group-option { margin-left: 2; }
    GroupHostScreen .group-looking { margin-top: 1; color: $warning; }
    """

    BINDINGS = [
        Binding("space", "advance('start')", "Start", id="group-start", tooltip="Open the first question"),
        Binding("space", "advance('close')", "Close answers", id="group-close", tooltip="Close this round: late answers are refused"),
        Binding("space", "advance('reveal')", "Reveal", id="group-reveal", tooltip="Reveal the senior's step"),
        Binding("space", "advance('revote')", "Open the revote", id="group-revote", tooltip="After the discussion: everyone answers again"),
        Binding("space", "advance('next')", "Next", id="group-next", tooltip="On to the next question (or the end)"),
        Binding("d", "discuss", "Discuss", id="group-discuss", tooltip="Talk to someone who answered differently, then revote"),
        Binding("p", "pause('pause')", "Pause", id="group-pause", tooltip="Pause: no answers are taken until you resume"),
        Binding("p", "pause('resume')", "Resume", id="group-resume", tooltip="Take answers again"),
        Binding("b", "back", "Back", id="group-back", tooltip="Show an earlier revealed step (view only)"),
        Binding("escape", "now", "Now", id="group-now", tooltip="Back from an earlier step to where the session is"),
        Binding("e", "end", "End", id="group-end", tooltip="End the session for everyone"),
    ]

    def __init__(self, host: GroupHost, changes: ChangeRelay | None = None) -> None:
        """`host`: a started `GroupHost`; `changes`: the relay its `on_change` calls (`tutor.ui.start.ChangeRelay`)."""
        super().__init__(changes)
        self.host = host
        self.view: HostView | None = None
        self._shown: tuple | None = None  # what the frame was built from: rebuilt only when it changes
        self._keys_state: tuple | None = None
        self._stopping = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="group-code")
        yield Static("", id="group-status")
        with Horizontal(id="group-body"):
            yield VerticalScroll(Static("", id="group-people"), id="group-room")
            yield VerticalScroll(id="group-frame", can_focus=True)
        yield TutorFooter()

    def on_mount(self) -> None:
        self.query_one("#group-frame").focus()
        self.follow()

    def refresh_view(self) -> None:
        self._session_changed()

    # -- drawing

    async def rebuild(self) -> None:
        view = self.host.view
        self.view = view
        self.sub_title = f"host · {view.title}"
        self.query_one("#group-code", Static).update(self._code_line(view))
        status = self.query_one("#group-status", Static)
        status.update(self._status_line(view))
        status.set_class(bool(view.paused), "paused")
        self.query_one("#group-people", Static).update(participant_lines(view.participants, view.problems))
        shown = (view.phase, view.step_number, view.round, view.frame, view.first, view.second, view.showing)
        if shown != self._shown:
            self._shown = shown
            frame = self.query_one("#group-frame", VerticalScroll)
            await frame.remove_children()
            await frame.mount_all(self.frame_widgets(view))
            frame.scroll_home(animate=False)
        else:
            for count in self.query(".group-answered").results(Static):
                count.update(answered_text(view.answered, view.expected, round_number=view.round))
        keys = (view.phase, view.paused, view.can_advance, view.can_discuss, view.showing, view.revealed_steps)
        if keys != self._keys_state:
            self._keys_state = keys
            self.refresh_bindings()

    def _code_line(self, view: HostView) -> Text:
        return assemble(("Join code: ", "bold"), line(view.join_code, "bold reverse", exact=True), ("   each participant runs `tutor join` with it", "dim"))

    def _status_line(self, view: HostView) -> Text:
        parts: list[Any] = []
        if view.step_number:
            parts.append(f"Step {view.step_number} of {view.total_steps} · ")
        parts.append((phase_name(view.phase), "bold"))
        if view.phase in OPEN_PHASES:
            parts += [" · ", answered_text(view.answered, view.expected, round_number=view.round)]
        if view.paused:
            parts.append(("   ⏸ paused: no answers are taken", "bold"))
        return assemble(*parts)

    def frame_widgets(self, view: HostView) -> list[Widget]:
        if view.phase == "ended":
            return self._ended(view)
        frame = view.frame
        if view.showing is not None and isinstance(frame, StepFrame):
            return [
                Static(f"Looking back at step {frame.number} (view only): escape returns to where the session is.", classes="group-looking"),
                StepView(frame.number, view.total_steps, frame.step, frame.call),
            ]
        if view.phase == "lobby":
            return [
                Static(assemble(("⌂ ", "bold"), line(view.title, "bold")), classes="step-title"),
                Prose(view.task, classes="task"),
                Static("Waiting for participants. When everyone is in, space opens the first question.", classes="hint"),
            ]
        if isinstance(frame, AskFrame):
            return self._question(view, frame)
        if isinstance(frame, StepFrame):
            widgets: list[Widget] = []
            ask = frame.step.ask
            if ask is not None and view.first is not None:
                widgets.append(
                    distribution_widget(
                        AskType(ask.type), view.first, view.second, min_group=view.min_group, options=options_of(frame.step), senior=senior_labels(frame.step)
                    )
                )
            widgets.append(StepView(frame.number, view.total_steps, frame.step, frame.call))
            widgets.extend(senior_answer(frame.step))
            widgets.append(Static("space: on to the next question" if view.can_advance else "", classes="hint"))
            return widgets
        return [Static(plain(phase_name(view.phase)), classes="hint")]

    def _question(self, view: HostView, frame: AskFrame) -> list[Widget]:
        widgets: list[Widget] = []
        phase = view.phase
        if phase in OPEN_PHASES:
            widgets.append(Static(answered_text(view.answered, view.expected, round_number=view.round), classes="group-answered"))
            if phase == "revote-open":
                widgets.append(Static("The revote is open: everyone answers again, alone.", classes="hint"))
        elif phase == "discuss":
            widgets.append(Static(plain(DISCUSS_HINT, "bold"), classes="group-answered"))
        if view.first is not None and phase in ("closed", "discuss", "revote-closed"):
            widgets.append(
                distribution_widget(frame.ask_type, view.first, view.second if phase == "revote-closed" else None, min_group=view.min_group, options=frame.options)
            )
        widgets.extend(ask_card(frame, view.total_steps))
        hints = {
            "open": "space closes the answers (late answers are refused)",
            "revote-open": "space closes the revote",
            "closed": "space reveals the senior's step · d: discuss, then revote",
            "discuss": "space opens the revote",
            "revote-closed": "space reveals the senior's step",
        }
        if phase in hints:
            widgets.append(Static(hints[phase], classes="hint"))
        return widgets

    def _ended(self, view: HostView) -> list[Widget]:
        widgets: list[Widget] = [
            Static(assemble(("The session has ended", "bold"), f" · {plural(len(view.participants), 'participant')}"), classes="step-title"),
            Static("Each participant's answers are an attempt in their own progress.", classes="hint"),
        ]
        if view.tally is not None:
            widgets.append(Static(assemble("The room's counts are saved in ", command(str(view.tally))), classes="hint"))
        widgets.append(Static("q quits.", classes="hint"))
        return widgets

    # -- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if view is None:
            return None if action in {"advance", "discuss", "pause", "back", "now", "end"} else True
        if action == "advance":
            return view.can_advance and view.showing is None and SPACE_MOVES.get(view.phase) == parameters[0]
        if action == "discuss":
            return True if view.can_discuss else None if view.phase == "closed" else False
        if action == "pause":
            return view.phase != "ended" and bool(view.paused) == (parameters[0] == "resume")
        if action == "back":
            return view.phase != "ended" and bool(view.revealed_steps)
        if action == "now":
            return view.showing is not None
        if action == "end":
            return view.phase != "ended"
        return True

    def _move(self, move: str, *args: Any) -> None:
        try:
            getattr(self.host, move)(*args)
        except UserError as error:  # a move the session does not allow now (the footer was a moment behind)
            self.notify(str(error), severity="warning", timeout=3)
        self.refresh_view()

    def action_advance(self, move: str) -> None:
        self._move("advance")

    def action_discuss(self) -> None:
        self._move("discuss")

    def action_pause(self, which: str) -> None:
        self._move("toggle_pause")

    def action_back(self) -> None:
        view = self.view
        if view is None:
            return
        revealed = sorted(view.revealed_steps)
        current = view.showing if view.showing is not None else None
        earlier = [number for number in revealed if current is None or number < current]
        if current is None and isinstance(view.frame, StepFrame) and earlier and earlier[-1] == view.frame.number:
            earlier = earlier[:-1]  # the step on screen is the newest revealed: back means the one before
        if not earlier:
            self.notify("No earlier step to show.", timeout=3)
            return
        self._move("show", earlier[-1])

    def action_now(self) -> None:
        self._move("show", None)

    def action_end(self) -> None:
        from .confirm import Confirm

        def answered(end: bool | None) -> None:
            if end:
                self._move("end")

        self.app.push_screen(Confirm("End the session for everyone? Each participant keeps their answers.", yes="end it"), answered)

    def action_finish(self) -> None:
        """Quitting (`q`, `ctrl+q`): ends the session for everyone first, after asking, unless it has ended."""
        from .confirm import Confirm

        if self.view is not None and self.view.phase == "ended":
            self._stop_and_exit()
            return

        def answered(end: bool | None) -> None:
            if end:
                self._stop_and_exit()

        self.app.push_screen(Confirm("Quit? The session ends for everyone (each participant keeps their answers).", yes="end and quit"), answered)

    def _stop_and_exit(self) -> None:
        if self._stopping:
            return
        self._stopping = True

        async def stop() -> None:
            try:
                await self.host.stop()
            finally:
                self.app.exit()

        self.run_worker(stop(), group="group-stop")
