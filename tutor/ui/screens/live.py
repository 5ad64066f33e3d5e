"""The live screen: one session (pair or record), from the goal to the summary.

A view of `tutor.services.live_session.LiveSessionService`: every journal record arrives
as one `RecordArrived` message, in journal order (Textual keeps a node's messages in
order), once it is on disk, and the transcript draws it. Every key is one of the
service's moves. The agent runs in a worker; the service writes the journal and reads
previews in threads, so keys are answered while it works.

What the bottom of the screen shows follows `phase`, `correcting` and `form` (reactive):
they set CSS classes on `#pair-input` and `#pair-side`, and `tutor.tcss` shows and hides
the fields from those. What differs between pair and record mode (texts, keys, the
prediction form or the senior's annotations) is in the mode object (`live_modes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from tutor.services.live_session import LiveRecord, LiveSessionService, Mentor, MentorNote, NotSaved, Phase, Refused, SessionState, Stream

from ..plain import plain
from ..widgets.footer import TutorFooter
from ..widgets.live import CategoryPicker, MentorCard, label_card
from ..widgets.transcript import Transcript

if TYPE_CHECKING:
    from tutor.services.live import LiveSession

    from .live_modes import LiveMode

VIEW_CLASSES = ("-phase-goal", "-phase-agent", "-phase-gate", "-phase-running", "-phase-human", "-phase-failed",
                "-phase-ended", "-picking", "-correcting", "-form-annotate", "-form-ask-type", "-form-ask", "-extra")


class LiveScreen(Screen[None]):
    """One live session; `mode` says what pair and record mode do differently."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True, id="submit", tooltip="Send what you wrote (the goal, a correction, a message)"),
        Binding("w", "predict('works')", "Works", id="predict-works", tooltip="Predict that the proposed action works"),
        Binding("f", "predict('fails')", "Fails", id="predict-fails", tooltip="Predict that the proposed action fails"),
        Binding("1", "confidence('low')", "Low", show=False, id="confidence-low"),
        Binding("2", "confidence('medium')", "Medium", show=False, id="confidence-medium"),
        Binding("3", "confidence('high')", "High", show=False, id="confidence-high"),
        Binding("r", "run", "Run", id="run", tooltip="Let the agent's action run (predict first)"),
        Binding("c", "correct", "Correct", id="correct", tooltip="Stop the action and tell the agent what to do instead (predict first)"),
        Binding("ctrl+r", "retry", "Retry", priority=True, id="retry", tooltip="Ask the agent again after a failure"),
        Binding("escape", "stop", "Stop", id="stop", tooltip="Stop the streaming reply or the running command; leave the correction form"),
        Binding("ctrl+e", "end", "End session", priority=True, id="end", tooltip="End the session and see the summary"),
    ]

    phase: var[Phase] = var("goal")
    correcting: var[str | None] = var(None)  # None, "category", or the chosen category
    form: var[str | None] = var(None)  # recording's forms: "annotate", "ask-type", "ask:<type>"

    class RecordArrived(Message):
        """One journal record, on disk, for the screen to show."""

        def __init__(self, live: LiveRecord) -> None:
            super().__init__()
            self.live = live

    def __init__(self, session: LiveSession, mode: LiveMode, *, mentor: Mentor | None = None) -> None:
        super().__init__()
        self.session = session
        self.service = LiveSessionService(session, mentor=mentor)
        self.mode = mode
        self.confidence = "medium"
        self.busy = False  # the worker is driving the agent
        self._worker: Worker[Phase] | None = None
        self._posted = self._handled = 0
        self._composed = False
        # Until the transcript is drawn and the field focused, keys wait (TutorApp holds them):
        # what is typed while the session opens goes into the goal, not nowhere.
        self.holds_keys = True
        self._preparing = False  # a new session's workspace (git) is being made: see `prepare_soon`

    @property
    def state(self) -> SessionState:
        return self.service.state

    # -- layout

    def compose(self) -> ComposeResult:
        yield Static(self.mode.status_text(self), id="pair-status")
        # Where the agent's commands run, as the service says it (never more than is true).
        line, sandboxed = self.service.sandbox_line
        yield Static(plain(line, "dim" if sandboxed else "bold"), id="sandbox-status")
        with Horizontal(id="pair-body"):
            yield Transcript()
            with Vertical(id="pair-side"):
                yield VerticalScroll(id="mentor")
        with Vertical(id="pair-input"):
            yield Static("", id="gate-bar")
            yield CategoryPicker(id="categories")
            yield from self.mode.compose_forms()
            yield TextArea(id="compose-text", classes="answer-text")
            yield from self.mode.compose_extra_fields()
            yield Static("", id="input-hint", classes="hint")
        yield TutorFooter()

    async def on_mount(self) -> None:
        self._composed = True
        self.service.listen(self._post_record)
        self._view_classes()
        for problem in self.service.problems:
            self.notify(f"Journal: {problem}", severity="warning", timeout=8)
        transcript = self.query_one(Transcript)
        if self.state.phase == "goal":
            await transcript.mount(label_card(f"{self.mode.label} mode", self.mode.intro, classes="intro-card"))
            await self.query_one("#mentor").mount(Static(plain("The mentor reads your goal when you press ctrl+s.", "dim italic")))
        for live in await self.service.history():  # a resumed session shows what its journal holds, as before
            await self._show(live, replaying=True)
        if self.state.partial:
            await transcript.interrupted(self.state.partial)
        # Anchored: the transcript follows what is added (cards grow after they are mounted, as
        # results arrive) until the learner scrolls up to read; back at the bottom, it follows again.
        transcript.anchor()
        self.enter_phase()
        # Focus lands through the app's queue; keys open up behind it, so none reach the old focus.
        self.app.call_later(self._accept_keys)
        if self.state.phase in ("agent", "gate", "running"):
            self.drive()

    def _accept_keys(self) -> None:
        self.holds_keys = False
        self.app.release_keys()  # type: ignore[attr-defined]

    # -- a new session's workspace, journal and engine, made once the human starts (tutor.services.live)

    @on(TextArea.Changed)
    def _typed(self) -> None:
        self.prepare_soon()  # the goal is being written: the workspace is made meanwhile

    def prepare_soon(self) -> None:
        """Make the session's workspace (git: slow) in a worker, once; a move made before it is done waits for it.
        Not on mounting: the first screen loads no git, and the first key is not slowed by it."""
        if not self.service.ready and not self._preparing:
            self._preparing = True
            self.run_worker(self._prepare(), group="prepare", exclusive=True, exit_on_error=False)

    async def _prepare(self) -> None:
        from tutor.services.errors import UserError

        try:
            await self.service.prepare()
        except UserError as error:  # the workspace or the journal could not be made: nothing to work in
            self.app.exit(return_code=1, message=plain(f"tutor: {error}"))
            return
        self.mode.refresh_status(self)

    # -- records, in order, once they are on disk

    def _post_record(self, live: LiveRecord) -> None:
        self._posted += 1
        self.post_message(self.RecordArrived(live))

    @property
    def drawn(self) -> bool:
        """Everything journaled so far is on screen (tests wait for this)."""
        return self._handled == self._posted and not self.query_one(Transcript).pending

    @on(RecordArrived)
    async def _record_arrived(self, message: RecordArrived) -> None:
        try:
            record = message.live.record
            if isinstance(record, Stream):
                await self.query_one(Transcript).stream(record.text)
            else:
                await self._show(message.live)
                self.mode.refresh_status(self)
        except Exception as error:  # noqa: BLE001 - a card that cannot be drawn must not stop the session
            self.log.error(f"cannot draw {message.live.record.kind}: {error!r}")
        finally:
            self._handled += 1

    async def _show(self, live: LiveRecord, *, replaying: bool = False) -> None:
        record = live.record
        if isinstance(record, MentorNote):
            card = MentorCard(record.comment, label=str(record.comment.get("label", "Mentor")))
            if record.about == "goal" and self.state.phase == "goal":
                side = self.query_one("#mentor", VerticalScroll)
                await side.remove_children()
                await side.mount(card)
                self._view_classes()
            else:
                await self.query_one(Transcript).mount(card)
            return
        await self.query_one(Transcript).show(live, self.state, replaying=replaying)

    # -- the view: classes show and hide, the mode says the words

    def watch_phase(self) -> None:
        self._view_classes()

    def watch_correcting(self) -> None:
        self._view_classes()

    def watch_form(self) -> None:
        self._view_classes()

    def _view_classes(self) -> None:
        if not self._composed:
            return
        form = (self.form or "").split(":")[0]
        on_ = {f"-phase-{self.phase}", "-picking" if self.correcting == "category" else "-correcting" if self.correcting else "",
               f"-form-{form}" if form else "", "-extra" if self.mode.extra_field(self) else ""}
        panel = self.query_one("#pair-input")
        for name in VIEW_CLASSES:
            panel.set_class(name in on_, name)
        self.query_one("#pair-side").set_class(not self.mode.side_panel(self), "-hidden")

    def enter_phase(self) -> None:
        """The session moved on (or the human opened a form): the bottom of the screen asks for what is next."""
        self.phase = self.state.phase
        self._view_classes()
        self.mode.prompt(self)
        self.refresh_bindings()
        self.mode.refresh_status(self)
        # A new phase needs the learner's eyes on the newest card: back to the bottom, anchored again.
        self.query_one(Transcript).scroll_end(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # True: enabled; None: shown dimmed (not yet); False: hidden (not in this phase).
        return self.mode.check_action(self, action)

    # -- the human's moves

    def field(self) -> TextArea:
        return self.query_one("#compose-text", TextArea)

    async def move(self, name: str, *args: object, **options: object) -> bool:
        """One of the service's moves; what refuses it is said, not raised."""
        try:
            await getattr(self.service, name)(*args, **options)
        except Refused as error:
            self.notify(str(error).capitalize(), severity="warning")
            return False
        except NotSaved as error:
            self.notify(f"Not saved: {error}", severity="error", timeout=15)
            return False
        self.enter_phase()
        return True

    async def action_predict(self, outcome: str) -> None:
        current = self.state.current
        if current is not None:
            await self.move("predict", current.call.id, outcome, self.confidence)

    async def action_confidence(self, level: str) -> None:
        self.confidence = level
        current = self.state.current
        if current is not None and current.prediction is not None:
            await self.move("predict", current.call.id, current.prediction["outcome"], level)
        self.enter_phase()

    def action_run(self) -> None:
        current = self.state.current
        if current is not None and self.check_action("run", ()):
            self.drive(run=current.call.id)

    def action_correct(self) -> None:
        if self.state.current is not None and self.check_action("correct", ()):
            self.correcting = "category"
            self.enter_phase()

    @on(CategoryPicker.Picked)
    def _picked(self, event: CategoryPicker.Picked) -> None:
        self.correcting = event.category
        self.field().text = ""
        self.enter_phase()

    async def action_submit(self) -> None:
        await self.mode.submit(self)

    async def action_retry(self) -> None:
        if await self.move("retry"):
            self.drive()

    def action_stop(self) -> None:
        if self.mode.stop(self):
            return
        if self.correcting:
            self.correcting = None
            self.enter_phase()
            return
        if self.busy and self._worker is not None:
            if self.state.phase == "running":
                self.service.cancel_command()
            else:
                self._worker.cancel()
            return
        self.notify("Nothing is running. q quits (the session is kept), ctrl+e ends it.", timeout=4)

    async def action_end(self) -> None:
        await self.move("end")

    # -- the agent's side, in a worker

    def drive(self, run: str | None = None) -> None:
        self.busy = True
        self.enter_phase()
        if run is not None:
            self.query_one("#gate-bar", Static).update(plain("Running… escape stops it", "italic"))
        self._worker = self.run_worker(self.service.advance(run), group="agent", exclusive=True, exit_on_error=False)

    def stop_worker(self) -> None:
        if self.busy and self._worker is not None:
            self.service.cancel_command()
            self._worker.cancel()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.busy = False
        if event.state == WorkerState.ERROR:
            self.notify(f"The session stopped: {event.worker.error}", severity="error", timeout=15)
        self.enter_phase()
