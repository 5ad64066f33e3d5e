"""The lesson screen: the task, a timeline of revealed steps, and the current frame.

It holds no replay logic: every decision (what is visible, what may be answered,
where next goes) is the engine's, reached through the run service.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Header, Static

from tutor.lesson import Confidence
from tutor.words import plural
from tutor.learn import AskFrame, EndFrame, ReplayError, StepFrame, TaskFrame, View

from ..widgets.footer import TutorFooter
from ..widgets.form_rows import FormActions
from ..widgets.lesson_frame import LessonFrame
from ..widgets.ask_panel import AskPanel, form_has_focus
from ..widgets.point_check import PointCheck, open_check
from ..widgets.prose import Prose
from ..widgets.score_card import ScoreCardView
from ..widgets.step_view import DiffLog, StepView
from ..widgets.timeline import Timeline
from ..plain import assemble, plain
from .lesson_keys import LESSON_KEYS
from .answer_judging import AnswerJudging, Judged
from .gc_pacing import IdleCollector, hold_automatic_gc
from .store_opening import StoreOpening

DRAFT_SAVE_SECONDS = 0.5  # a draft is written once typing pauses this long (and on every way out)


def task_widgets(frame: TaskFrame, view: View) -> list[Widget]:
    """The lesson's task, before its first step."""
    widgets: list[Widget] = [
        Static(assemble(("⌂ The task", "bold"), (f"   {plural(view.total, 'step')}", "dim")), classes="step-title"),
        Prose(frame.task, classes="task"),
    ]
    if view.lesson_changed:
        widgets.append(Static("This lesson changed since your attempt began.", classes="warning"))
    widgets.append(Static("Press n (or →) to begin. Answer each question before its step is revealed.", classes="hint"))
    return widgets


def keep_in_view(frame: VerticalScroll, field: Widget) -> None:
    if field.is_mounted and field.has_focus:
        frame.scroll_to_widget(field, animate=False)


class PlayerScreen(Screen):
    """Steps through anything that offers the replay moves: a lesson run or a review session."""

    HELP = LESSON_KEYS
    BINDINGS = [
        Binding("n,right", "next", "Next", id="next", tooltip="Reveal or go to the next step"),
        Binding("p,left", "back", "Back", id="back", tooltip="Go back to the previous step"),
        Binding("ctrl+s", "submit", "Submit", priority=True, id="submit", tooltip="Commit your answer (works while typing)"),
        Binding("ctrl+g", "skip", "Skip", priority=True, id="skip", tooltip="Reveal without answering: scores zero (works while typing)"),
        Binding("1", "confidence('low')", "Low", show=False, id="confidence-low"),
        Binding("2", "confidence('medium')", "Medium", show=False, id="confidence-medium"),
        Binding("3", "confidence('high')", "High", show=False, id="confidence-high"),
        Binding("escape", "library", "Library", id="library", tooltip="Back to the library; your place is saved"),
    ]

    def __init__(self, run: Any, *, title: str) -> None:
        super().__init__()
        self.run = run
        self.lesson_title = title
        self.has_code = False  # whether there is code to investigate (a lesson with a repository)
        self._view: View | None = None
        # True while one frame is replaced by the next: a key typed then would reach whatever
        # had focus before (a typed "q" would quit), so single-key actions wait it out.
        self.transitioning = False
        self._keys_ready = False  # the new frame's focus has landed
        self._draft_timer: Any = None
        self.judging = AnswerJudging(self)
        # At the learner's first pause: what the run leaves for then (a long lesson's digest), off every key's path.
        self.collector = IdleCollector(self, settle=getattr(run, "settle", None))
        self.store = StoreOpening(self)  # the run's store, when it starts without it: opened after the first frame

    @property
    def holds_keys(self) -> bool:
        """Keys wait (in TutorApp) until the frame on screen can take them: no key lands on a frame being replaced,
        nor on a question whose answer waits for the store to be saved to."""
        return self._view is None or self.transitioning or not self._keys_ready or self.store.waiting

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="player"):
            yield Timeline(id="timeline")
            yield LessonFrame(id="frame")
        yield TutorFooter()

    async def on_mount(self) -> None:
        self.sub_title = self.lesson_title
        # The app suspended (ctrl+z) is not time at the question: its clock stops, and runs again on return.
        self.app.app_suspend_signal.subscribe(self, lambda _app: self._question_clock(shown=False))
        self.app.app_resume_signal.subscribe(self, lambda _app: self._question_clock(shown=True))
        for note in getattr(self.run, "notes", []):
            self.notify(plain(note), title="Note", timeout=8)  # type: ignore[arg-type]  # a Text shows as it is
        # Collections happen while the learner reads, not on the key press that turns the page, nor before the
        # first frame takes keys: the first full collection (and the freeze that moves the lesson out of the
        # collector's way) is the idle collector's, once the learner pauses (`IdleCollector`).
        hold_automatic_gc(self, True)
        # The first frame is built as the screen mounts: waiting for a refresh first cost a layout of the empty
        # frame, and the wait for the next tick, before the task could be drawn.
        await self.show_view()

    def on_unmount(self) -> None:
        import gc

        self.save_drafts()
        close = getattr(self.run, "close", None)
        if close is not None:
            close()  # another Tutor may open this attempt now
        hold_automatic_gc(self, False)
        gc.unfreeze()  # frames frozen while on screen may be garbage now: let the collector see them

    def on_screen_suspend(self) -> None:
        self.save_drafts()
        hold_automatic_gc(self, False)

    def on_screen_resume(self) -> None:
        hold_automatic_gc(self, True)

    # -- rendering

    async def show_view(self, focus_answer: bool = True) -> None:
        self.transitioning = True
        self._keys_ready = False
        # One paint for the whole swap: a paint of the half-built frame would also use up
        # the screen's refresh tick, and the finished frame would wait for the next one.
        batch = self.app.batch_update()
        batch.__enter__()
        try:
            view = self.run.view()
            self._view = view
            self.judging.start_if_due(view)
            self.query_one(Timeline).show(view)
            frame = self.query_one("#frame", VerticalScroll)
            await frame.remove_children()
            await frame.mount_all(self.frame_widgets(view))
            frame.scroll_home(animate=False)
            panel = self.query(AskPanel)
            check = open_check(self)
            if panel and focus_answer:
                field = panel.first().first_field()
                # Focus's own scroll-into-view can run before the new frame is laid out and
                # leave the question scrolled away; scroll (if at all) once layout is done.
                field.focus(scroll_visible=False)
                frame.call_after_refresh(keep_in_view, frame, field)
            elif check is not None:
                # The marks are due before moving on: y, p and n go to the check (the verdict stays on top).
                check.focus(scroll_visible=False)
            elif not isinstance(self.focused, Timeline):
                frame.focus()
        finally:
            batch.__exit__(None, None, None)
            self.transitioning = False
        self._question_clock(shown=True)
        # The keys hidden while transitioning are back: the footer is told even when the view's keys are as before,
        # since it may have been drawn meanwhile (it redraws only if they differ from what it shows).
        self.refresh_bindings()
        # Focus moves through the app's queue: keys open up behind it, never onto the old focus.
        self.app.call_later(self._accept_keys)
        # Housekeeping waits until the new frame is on screen: never between a key and its paint.
        self.call_after_refresh(self.collector.frame_shown)

    def _question_clock(self, *, shown: bool) -> None:
        """Tell the run what is on screen: the open question's seconds to answer count only while it is shown."""
        method = getattr(self.run, "question_shown" if shown else "question_hidden", None)
        if method is not None:
            method()

    def _accept_keys(self) -> None:
        self._keys_ready = True
        self.app.release_keys()  # type: ignore[attr-defined]

    def frame_widgets(self, view: View) -> list:
        frame = view.frame
        if isinstance(frame, TaskFrame):
            return task_widgets(frame, view)
        if isinstance(frame, AskFrame):
            return [AskPanel(frame, view.total, has_code=self.has_code)]
        if isinstance(frame, StepFrame):
            grade, check = self.judging.panels(frame)
            widgets: list = [StepView(frame.number, view.total, frame.step, frame.call, grade=grade, check=check)]
            hint = "n: next step" if view.can_next else ""
            if hint:
                widgets.append(Static(hint, classes="hint"))
            return widgets
        if isinstance(frame, EndFrame):
            return [ScoreCardView(frame.card, self.lesson_title)]
        return self.other_frame_widgets(view)

    def other_frame_widgets(self, view: View) -> list:
        return [Static(plain(str(view.frame)))]

    # -- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self._view
        if view is None:
            return True
        if self.transitioning and action in ("next", "back", "confidence", "retry", "investigate", "library"):
            return False
        if action == "next":
            return True if view.can_next else None
        if action == "back":
            return True if view.can_back else None
        # Submit and skip are offered only where there is something to submit or skip.
        if action == "submit":
            return view.awaiting_answer or open_check(self) is not None
        if action == "skip":
            return view.awaiting_answer
        if action == "confidence":
            return True if view.awaiting_answer else None
        return True

    # -- what the learner has typed and not sent

    @on(AskPanel.DraftChanged)
    def _draft_changed(self, event: AskPanel.DraftChanged) -> None:
        event.stop()
        try:
            self.run.set_draft(event.draft)
        except ReplayError:
            return  # the question was answered meanwhile
        self.store.open_soon()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_SAVE_SECONDS, self.save_drafts)

    @on(AskPanel.LeftForm)
    def _left_form(self, event: AskPanel.LeftForm) -> None:
        event.stop()
        self.query_one("#frame").focus()

    def save_drafts(self) -> None:
        """Write the kept draft now (typing paused, or the learner is leaving)."""
        from tutor.services.lesson_run import SaveFailed

        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        try:
            self.run.flush()
        except SaveFailed as error:
            self.notify(str(error), severity="error", timeout=10)

    def unsent_draft(self) -> bool:
        """Whether the open question's form holds work the learner would mind losing."""
        panels = self.query(AskPanel)
        return bool(panels) and panels.first().current_draft().has_work

    def on_key(self, event: events.Key) -> None:
        # `n` is greyed out at an open question; pressed anyway (from outside the form), say why.
        if event.key in ("n", "right") and self._view is not None and self._view.awaiting_answer and not form_has_focus(self):
            event.stop()
            event.prevent_default()
            self.notify("Answer first (ctrl+s), or skip (ctrl+g): the step is revealed after.", severity="warning", timeout=3)

    async def _do(self, move: str, *args: object) -> bool:
        from tutor.services.lesson_run import SaveFailed

        try:
            getattr(self.run, move)(*args)
        except ReplayError as error:
            self.notify(str(error).capitalize() + ".", severity="warning", timeout=3)
            return False
        except SaveFailed as error:
            self.notify(str(error), severity="error", timeout=10)
        if getattr(self.run, "unsaved", False):
            # A move, written once the keys pause: to the store by then. The store opens (TinyDB, every attempt file:
            # a thread) once the new frame is painted, not while it is built, which the thread would slow.
            self.call_after_refresh(self.store.open_soon)
        return True

    async def action_next(self) -> None:
        if self._view is not None and self._view.awaiting_answer:
            self.notify("Answer first (ctrl+s), or skip (ctrl+g).", severity="warning", timeout=3)
            return
        if await self._do("next"):
            await self.show_view()

    async def action_back(self) -> None:
        if await self._do("back"):
            await self.show_view(focus_answer=False)

    def action_submit(self) -> None:
        self._after_typed_keys(self._submit)

    def action_skip(self) -> None:
        self._after_typed_keys(partial(self._commit, "skip"))

    def _after_typed_keys(self, callback: Any) -> None:
        """Run `callback` once the focused widget has handled the keys already sent to it.

        ctrl+s and ctrl+g are priority bindings, run the moment they arrive, while the
        characters typed just before may still wait in the text field's queue: "submit"
        must not overtake them.
        """
        # Queued behind the focused widget's keys, then handed back to this screen: run in
        # the text field's own loop, the callback would wait on removing that very field.
        (self.focused or self).call_later(self.call_later, callback)

    async def _submit(self) -> None:
        panels = self.query(AskPanel)
        if not panels:
            check = open_check(self)
            if check is not None:
                check.action_record()
            return
        answer = panels.first().submission()
        if answer is not None:
            await self._commit("answer", answer)

    async def _commit(self, move: str, *args: object) -> None:
        """Answer (or skip) the open question; then the check takes the keys when there is one, else the frame (so `n` works at once)."""
        if move == "skip" and (self._view is None or not self._view.awaiting_answer):
            return
        if self.store.defer(partial(self._commit, move, *args)):
            return  # written at once: committed once the store is open
        if await self._do(move, *args):
            await self.show_view()
            (open_check(self) or self.query_one("#frame")).focus(scroll_visible=False)

    def action_confidence(self, level: str) -> None:
        for panel in self.query(AskPanel):
            panel.set_confidence(Confidence(level))

    def action_library(self) -> None:
        # The library reads progress as it comes back: what waits is written first, the store attached if it was
        # not yet and a new attempt started (`LessonRun.close`), not left to this screen's unmounting, which may
        # come after that read.
        self.save_drafts()
        close = getattr(self.run, "close", None)
        if close is not None:
            close()
        self.app.action_library()  # type: ignore[attr-defined]

    @on(Button.Pressed, "#library")
    def _library_pressed(self) -> None:
        self.action_library()

    @on(FormActions.Pressed)
    async def _form_action(self, event: FormActions.Pressed) -> None:
        if event.action == "submit":
            await self._submit()
        elif event.action == "skip":
            await self._commit("skip")

    @on(Judged)
    @on(PointCheck.Checked)
    async def _judged(self, event: Judged | PointCheck.Checked) -> None:
        """The points of an answer judged: by Claude (or why it could not), or by the learner's own check."""
        if self.store.defer(partial(self._judged, event)):
            return
        judgement = self.judging.judgement_of(event)
        if judgement is not None and not await self._do("judge", event.step_id, judgement):
            return
        await self.show_view(focus_answer=False)
        if isinstance(event, PointCheck.Checked):
            self.query_one("#frame").focus()

    @on(Timeline.Jump)
    async def _jump(self, event: Timeline.Jump) -> None:
        if await self._do("go", event.cursor):
            await self.show_view(focus_answer=False)


class LessonScreen(PlayerScreen):
    """One lesson, from its task to its score card; saved after every answer and move."""

    BINDINGS = [
        Binding("r", "retry", "Retry", id="retry", tooltip="Start a new attempt at this lesson"),
        Binding("i", "investigate", "Investigate", id="investigate", tooltip="Browse the code as of the steps revealed so far"),
        Binding("ctrl+o", "investigate", "Investigate", show=False, id="investigate-from-form", tooltip="Browse the code so far, even while answering"),
    ]

    @dataclass
    class StepDiff(Message):
        step_id: str
        diff: str

    def __init__(self, run: Any, *, title: str, lesson_path: Any = None) -> None:
        super().__init__(run, title=title)
        # Moves are saved once the learner pauses (and on every way out), not on the key press.
        run.save_moves_at_once = False
        self.lesson_path = lesson_path
        self.has_code = run.lesson.repo is not None and lesson_path is not None
        self._lesson_repo: Any = None

    async def show_view(self, focus_answer: bool = True) -> None:
        await super().show_view(focus_answer)
        if self.run.unsaved:  # written once the keys pause: a held n writes once, after its last step
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(DRAFT_SAVE_SECONDS, self.save_drafts)
        frame = self._view.frame if self._view else None
        step = getattr(frame, "step", None)
        if isinstance(frame, StepFrame) and step is not None and getattr(step, "commit", None) and self.run.lesson.repo and self.lesson_path:
            self.call_after_refresh(self.load_step_diff, step.id, step.commit)  # git, in a thread: after the paint

    @work(thread=True, exclusive=True, group="step-diff")
    def load_step_diff(self, step_id: str, commit: str) -> None:
        """The change this step made to the code, from the lesson's bundle (git runs here, off the UI thread)."""
        from tutor.services.investigate import commit_before, open_lesson_repo
        from tutor.services.errors import VcsError

        try:
            if self._lesson_repo is None:
                self._lesson_repo = open_lesson_repo(self.run.lesson, self.lesson_path)
            before = commit_before(self.run.lesson, step_id, self._lesson_repo.steps)
            diff = self._lesson_repo.diff(before, commit) if before and before != commit else ""
        except (VcsError, OSError) as error:
            self.app.call_from_thread(self.notify, f"Cannot read the lesson's code: {error}", severity="warning")
            return
        if diff.strip():
            self.post_message(self.StepDiff(step_id, diff))

    @on(StepDiff)
    async def _step_diff(self, event: StepDiff) -> None:
        frame = self._view.frame if self._view else None
        if not isinstance(frame, StepFrame) or frame.step.id != event.step_id:
            return  # the learner has moved on
        slots = self.query(".step-code")
        if slots:
            await slots.first().mount_all(
                [Static("The code changed at this step (from the lesson's repository):", classes="label"), DiffLog(event.diff)]
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self._view is not None and self._view.finished
        if action == "investigate":
            # Open at a question too, when the learner most needs to look: it offers only revealed steps.
            return self.has_code
        return super().check_action(action, parameters)

    async def action_retry(self) -> None:
        if self._view is None or not self._view.finished:
            return
        if self.store.defer(self.action_retry):
            return  # the finished attempt's last writes go to it, before the new one starts
        self.run.retry()
        self.notify("A new attempt: your earlier one stays in your history.", timeout=4)
        await self.show_view()

    def action_investigate(self) -> None:
        if self.run.lesson.repo is None or self.lesson_path is None:
            return
        from .investigate import InvestigateScreen

        self.app.push_screen(InvestigateScreen(self.run.lesson, self.lesson_path, self.run.replay))

    @on(Button.Pressed, "#retry")
    async def _retry_pressed(self) -> None:
        await self.action_retry()

    @on(ScoreCardView.NextLesson)
    def _next_lesson(self, event: ScoreCardView.NextLesson) -> None:
        """The score card's "Next lesson": the one after this in its curriculum's order; on the last, say so."""
        from tutor.services.library import next_lesson

        roots = self.app.settings.curriculum_roots()  # type: ignore[attr-defined]
        found = next_lesson(self.lesson_path, self.run.curriculum, roots) if self.lesson_path is not None else None
        if found is None or found.path is None:
            event.card.show_last(found.curriculum_title if found is not None else None)
            return
        self.app.open_lesson(found.path, curriculum=found.curriculum)  # type: ignore[attr-defined]
