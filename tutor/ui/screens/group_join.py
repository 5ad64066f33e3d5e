"""`tutor join CODE`: a participant's screen of a group replay.

What the participant sees follows the host: the task while waiting, then at each question the
steps revealed since the last one, the question's form (`AskPanel`, built from the `AskFrame`
the host sent, which holds nothing of the hidden step), "answered, waiting" once sent, the
room's spread once closed, and at the reveal the senior's step with their own grade (through
`StepView` and `GradePanel`, as solo replay shows them) on their screen only.

What a participant types is never lost: the form's draft is kept per question, a form whose
round closes while they type stays on screen with its text (and is filled again for a
revote), and a dropped connection shows "reconnecting…" while the client takes its seat back.

The session is `tutor.services.group_client.GroupClient` on Textual's own asyncio loop: the
screen reads its `view` on each `on_change` and sends answers from a worker. Everything from
the host (the lesson, names, reasons) reaches the screen through `tutor.ui.plain`.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Header, Static, TextArea

from tutor.errors import UserError
from tutor.learn import Answer, AskFrame, Draft, StepFrame
from tutor.lesson import Confidence
from tutor.services.group_client import GroupClient, ParticipantView

from ..plain import assemble, line, plain
from ..start import ChangeRelay
from .following import FollowingScreen
from ..widgets.ask_panel import AskPanel
from ..widgets.footer import TutorFooter
from ..widgets.form_rows import FormActions
from ..widgets.group_reveal import own_reveal, point_rows
from ..widgets.point_check import PointCheck, open_check
from ..widgets.group_parts import DISCUSS_HINT, GroupAskPanel, answered_text, ask_card, distribution_widget, phase_name
from ..widgets.prose import Prose
from ..widgets.step_view import StepView
from .group_keys import JOIN_KEYS

OPEN_PHASES = frozenset({"open", "revote-open"})
ASK_PHASES = frozenset({"open", "closed", "discuss", "revote-open", "revote-closed"})


class GroupJoinScreen(FollowingScreen):
    HELP = JOIN_KEYS
    DEFAULT_CSS = """
    GroupJoinScreen #join-status { height: auto; padding: 0 1; background: $boost; }
    GroupJoinScreen #join-status.trouble { color: $warning; text-style: bold; }
    GroupJoinScreen #join-frame { height: 1fr; padding: 0 2; }
    GroupJoinScreen #join-frame:focus { background-tint: $foreground 3%; }
    GroupJoinScreen #join-steps, GroupJoinScreen #join-ask, GroupJoinScreen #join-after { height: auto; }
    GroupJoinScreen .join-notice { margin-top: 1; text-style: bold; }
    GroupJoinScreen .join-answered { margin-top: 1; }
    GroupJoinScreen .join-notice.kept { color: $warning; }
    GroupJoinScreen .group-spread { height: auto; margin-top: 1; }
    GroupJoinScreen .group-option { margin-left: 2; }
    GroupJoinScreen .join-since { margin-top: 1; color: $text-muted; text-style: italic; }
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Send", priority=True, id="join-send", tooltip="Send your answer (works while typing)"),
        Binding("1", "confidence('low')", "Low", show=False, id="join-confidence-low"),
        Binding("2", "confidence('medium')", "Medium", show=False, id="join-confidence-medium"),
        Binding("3", "confidence('high')", "High", show=False, id="join-confidence-high"),
    ]

    def __init__(self, client: GroupClient, changes: ChangeRelay | None = None) -> None:
        """`client`: a connected `GroupClient`; `changes`: the relay its `on_change` calls (`tutor.ui.start.ChangeRelay`)."""
        super().__init__(changes)
        self.client = client
        self.view: ParticipantView | None = None
        self.drafts: dict[int, Draft] = {}  # what each question's form holds, by step number: never lost to a redraw
        self._steps_shown: tuple | None = None
        self._ask_shown: tuple | None = None
        self._after_shown: tuple | None = None
        self._notes_shown = 0
        self._sending = False
        self._leaving = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="join-status")
        with VerticalScroll(id="join-frame", can_focus=True):
            yield Vertical(id="join-steps")
            yield Vertical(id="join-ask")
            yield Vertical(id="join-after")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.query_one("#join-frame").focus()
        self.follow()

    # -- drawing

    async def rebuild(self) -> None:
        view = self.client.view
        self.view = view
        self.sub_title = f"join · {view.title}" if view.title else "join"
        steps = self._lead_in(view)
        # The steps' content too: an agent step's note comes again, whole, once the ask judging it is revealed.
        lead_in = (view.phase == "ended", tuple(shown.step for shown in view.revealed if shown.number in steps))
        if lead_in != self._steps_shown:
            self._steps_shown = lead_in
            await self._fill("#join-steps", self._step_widgets(view, steps))
        ask = self._ask_key(view)
        if ask != self._ask_shown:
            self._ask_shown = ask
            await self._fill("#join-ask", self._ask_widgets(view))
            self._focus_form()
        self._mark_kept_form(view)
        pending = tuple(shown.step.id for shown in self._checks_due(view))
        after = (view.phase, view.step_number, view.round, view.answered, view.first, view.second, view.bye_reason, view.connected, self._grade_key(view), pending)
        if after != self._after_shown:
            self._after_shown = after
            await self._fill("#join-after", self._after_widgets(view))
            frame = self.query_one("#join-frame", VerticalScroll)
            if view.phase == "ended" or view.bye_reason is not None:
                frame.call_after_refresh(frame.scroll_end, animate=False)
            check = open_check(self)
            if view.phase == "revealed":
                frame.call_after_refresh(frame.scroll_to_widget, self.query_one("#join-after"), animate=False, top=True)
                (check or frame).focus(scroll_visible=False)  # the marks are due: y, p and n go to the check
            elif check is not None and not self.query(AskPanel):
                check.focus()  # waiting, with nothing to type: the marks still due take the keys
        for count in self.query(".join-answered").results(Static):
            count.update(self._answered_line(view))
        if self.focused is None:  # what had the keys was redrawn away (a check recorded, a form sent)
            self.query_one("#join-frame").focus()
        # Last, once the frame below holds what it says (and the form has the keys).
        status = self.query_one("#join-status", Static)
        status.update(self._status_line(view))
        status.set_class(not view.connected, "trouble")
        for note in view.notes[self._notes_shown :]:
            self.notify(note, severity="warning", timeout=10)
        self._notes_shown = len(view.notes)
        self.refresh_bindings()

    async def _fill(self, selector: str, widgets: list[Widget]) -> None:
        box = self.query_one(selector, Vertical)
        await box.remove_children()
        if widgets:
            await box.mount_all(widgets)

    def _status_line(self, view: ParticipantView) -> Text:
        if view.phase == "ended":
            return assemble(("The session has ended", "bold"), " · your answers are in your progress")
        if view.bye_reason is not None:
            return assemble(("The host has gone: ", "bold"), plain(view.bye_reason, limit=300))
        if view.reconnecting:
            return plain("reconnecting… your answers so far are kept", "bold")
        if not view.connected:
            return plain("Not connected to the host.", "bold")
        parts: list[Any] = [("Connected", "bold"), " as ", line(view.name, "bold", limit=60), " · "]
        if view.step_number:
            parts.append(f"step {view.step_number} of {view.total_steps} · ")
        parts.append(phase_name(view.phase))
        if view.phase in OPEN_PHASES:
            parts += [" · ", answered_text(view.answered_count, view.expected, round_number=view.round)]
            parts.append(("   ✓ yours is in", "green") if view.answered else ("   ✎ your answer is due", "bold"))
        if view.paused:
            parts.append(("   ⏸ paused by the host", "bold"))
        return assemble(*parts)

    def _lead_in(self, view: ParticipantView) -> tuple[int, ...]:
        """The steps revealed since the last question before the current one (what led to it); at the
        end, those revealed after the last question."""
        if view.phase == "ended":
            current = max((shown.number for shown in view.revealed), default=0) + 1
        elif view.phase in ASK_PHASES | {"revealed"} and view.step_number is not None:
            current = view.step_number
        else:
            return ()
        before = [shown for shown in view.revealed if shown.number < current]
        last_ask = max((shown.number for shown in before if shown.step.ask is not None), default=0)
        return tuple(shown.number for shown in before if shown.number > last_ask)

    def _step_widgets(self, view: ParticipantView, numbers: tuple[int, ...]) -> list[Widget]:
        if not numbers:
            return []
        by_number = {shown.number: shown for shown in view.revealed}
        since = "What happened after the last question:" if view.phase == "ended" else "What happened since the last question:"
        widgets: list[Widget] = [Static(since, classes="join-since")]
        for number in numbers:
            shown = by_number[number]
            widgets.append(StepView(number, view.total_steps, shown.step, shown.call))
        return widgets

    def _can_send(self, view: ParticipantView) -> bool:
        return view.phase in OPEN_PHASES and not view.answered and view.connected and not view.paused

    def _form_kept(self, view: ParticipantView) -> bool:
        """A form stays on screen while its round is open and unanswered, and after it closes while it holds typed work."""
        if view.ask is None or view.answered or view.phase not in ASK_PHASES:
            return False
        if view.phase in OPEN_PHASES:
            return True
        draft = self.drafts.get(view.ask.number)
        return draft is not None and draft.has_work

    def _ask_key(self, view: ParticipantView) -> tuple:
        if view.ask is None or view.phase not in ASK_PHASES:
            return ()
        # The form is rebuilt for a new question or round, never when only the phase moves (a
        # round closing under the participant's typing keeps the very widget they type in).
        return (view.ask.number, view.round, "form" if self._form_kept(view) else "card")

    def _ask_widgets(self, view: ParticipantView) -> list[Widget]:
        if view.ask is None or view.phase not in ASK_PHASES:
            return []
        if not self._form_kept(view):
            return ask_card(view.ask, view.total_steps)
        frame: AskFrame = replace(view.ask, draft=self.drafts.get(view.ask.number))
        return [GroupAskPanel(frame, view.total_steps)]

    def _mark_kept_form(self, view: ParticipantView) -> None:
        """A form on screen whose round is no longer open: say so, keep its text, and its submit button off."""
        for panel in self.query(AskPanel):
            closed = not self._can_send(view)
            panel.query_one(FormActions).submit_off = closed
            panel.set_class(closed and view.phase not in OPEN_PHASES, "closed")

    def _after_widgets(self, view: ParticipantView) -> list[Widget]:
        phase = view.phase
        if view.bye_reason is not None or phase == "ended":
            return self._ended(view)
        if phase == "lobby":
            return [
                Static(assemble(("⌂ ", "bold"), line(view.title, "bold")), classes="step-title"),
                Prose(view.task, classes="task"),
                Static("Waiting for the host to open the first question.", classes="hint"),
            ]
        widgets: list[Widget] = []
        if phase in OPEN_PHASES:
            if view.answered:
                widgets.append(Static(assemble(("✓ Answered", "bold green"), ": waiting for the others."), classes="join-notice"))
            widgets.append(Static(self._answered_line(view), classes="join-answered"))
        elif phase in ("closed", "revote-closed", "discuss"):
            widgets.extend(self._closed_notice(view))
        ask = view.ask
        if phase == "revealed":
            widgets.extend(self._reveal(view))
        elif ask is not None and phase in ("closed", "discuss", "revote-closed") and view.first is not None:
            second = view.second if phase == "revote-closed" else None
            widgets.append(distribution_widget(ask.ask_type, view.first, second, min_group=view.min_group, options=ask.options))
        due = self._checks_due(view)
        if due:
            widgets.append(Static("While you wait: your own check of an earlier answer is still due", classes="join-since"))
            for shown in due:
                widgets.append(Static(assemble(("Step ", "bold"), (str(shown.number), "bold"), " · ", line(shown.step.ask.prompt if shown.step.ask else "")), classes="label"))
                widgets.append(PointCheck(shown.step.id, point_rows(shown)))
        return widgets

    def _checks_due(self, view: ParticipantView) -> list[StepFrame]:
        """Earlier answers whose points still wait for the participant's own check: offered while they wait
        (their round answered or closed), never over a form they are typing in, and not after the end."""
        if view.phase in ("lobby", "ended", "revealed") or view.bye_reason is not None or self._form_kept(view):
            return []
        return [shown for shown in view.revealed if shown.grade is not None and shown.grade.pending and shown.committed is not None]

    def _answered_line(self, view: ParticipantView) -> Text:
        return answered_text(view.answered_count, view.expected, round_number=view.round)

    def _closed_notice(self, view: ParticipantView) -> list[Widget]:
        widgets: list[Widget] = []
        kept = self._form_kept(view)
        if view.phase == "discuss":
            widgets.append(Static(plain(DISCUSS_HINT), classes="join-notice"))
        if kept:
            widgets.append(
                Static(
                    "The answers closed before you sent yours: your text is kept above"
                    + (" and can be sent in the revote." if view.phase != "revote-closed" else "."),
                    classes="join-notice kept",
                )
            )
        elif view.answered:
            widgets.append(Static(assemble(("✓ Your answer is in.", "bold green"), " Answers are closed."), classes="join-notice"))
        elif view.phase != "discuss":
            widgets.append(Static("Answers are closed: you did not answer this round.", classes="join-notice"))
        return widgets

    def _grade_key(self, view: ParticipantView) -> tuple:
        shown = self._revealed_ask(view)
        return () if shown is None else (shown.number, shown.grade)

    def _revealed_ask(self, view: ParticipantView) -> StepFrame | None:
        if view.phase != "revealed":
            return None
        return next((shown for shown in view.revealed if shown.number == view.step_number), None)

    def _reveal(self, view: ParticipantView) -> list[Widget]:
        shown = self._revealed_ask(view)
        return [] if shown is None else own_reveal(shown, view)

    def _ended(self, view: ParticipantView) -> list[Widget]:
        if view.phase == "ended":
            head = assemble(("The session has ended.", "bold"), " Your answers are an attempt in your own progress (see `tutor progress`).")
        else:
            head = assemble(("The host has gone", "bold"), ": ", plain(view.bye_reason or "", limit=300))
        return [Static(head, classes="join-notice"), Static("q quits.", classes="hint")]

    def _focus_form(self) -> None:
        panels = self.query(AskPanel)
        if not panels:
            return
        field = panels.first().first_field()
        field.focus(scroll_visible=False)
        if isinstance(field, TextArea):
            field.move_cursor(field.document.end)  # a kept draft goes on where it stopped
        frame = self.query_one("#join-frame", VerticalScroll)
        frame.scroll_home(animate=False)

        def keep_in_view() -> None:
            # Once laid out: the steps that led here stay above, as much of them as fits with the field in view.
            if field.is_mounted:
                frame.scroll_to_widget(field, animate=False)

        self.call_after_refresh(keep_in_view)

    # -- the form

    @on(AskPanel.DraftChanged)
    def _draft_changed(self, event: AskPanel.DraftChanged) -> None:
        event.stop()
        if self.view is not None and self.view.ask is not None:
            self.drafts[self.view.ask.number] = event.draft

    @on(AskPanel.LeftForm)
    def _left_form(self, event: AskPanel.LeftForm) -> None:
        event.stop()
        self.query_one("#join-frame").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return bool(self.query(AskPanel)) or None
        if action == "confidence":
            return True if self.query(AskPanel) else None
        return True

    def action_confidence(self, level: str) -> None:
        for panel in self.query(AskPanel):
            panel.set_confidence(Confidence(level))

    def action_submit(self) -> None:
        # ctrl+s is a priority binding: let the characters typed just before it reach the form first.
        (self.focused or self).call_later(self.call_later, self._submit)

    @on(FormActions.Pressed)
    def _submit_pressed(self, event: FormActions.Pressed) -> None:
        event.stop()
        if event.action == "submit":
            self._submit()

    def _submit(self) -> None:
        view = self.client.view
        panels = self.query(AskPanel)
        if not panels or self._sending:
            return
        if not self._can_send(view):
            self.notify(self._why_not(view), severity="warning", timeout=5)
            return
        answer = panels.first().submission()
        if answer is None:
            return
        self._sending = True
        self.run_worker(self._send(answer), group="join-send")

    def _why_not(self, view: ParticipantView) -> str:
        if view.bye_reason is not None:
            return "The host has gone: nothing can be sent."
        if not view.connected:
            return "Reconnecting… your answer stays here: send it again once connected."
        if view.paused:
            return "The host has paused the session: send your answer when it resumes."
        if view.answered:
            return "Your answer for this round is in."
        return "The answers are closed: your text stays here."

    async def _send(self, answer: Answer) -> None:
        try:
            await self.client.answer(answer)  # taken: the client's change redraws the screen
        except UserError as error:
            self.notify(str(error), severity="error", timeout=8)
        finally:
            self._sending = False

    @on(PointCheck.Checked)
    def _checked(self, event: PointCheck.Checked) -> None:
        """The participant's own marks of the senior's points: their grade, saved in their progress."""
        from tutor.learn import Judge, Judgement, PointVerdict

        event.stop()
        judgement = Judgement(Judge.SELF, tuple(PointVerdict(index, verdict) for index, verdict in enumerate(event.marks)))

        async def record() -> None:
            try:
                await self.client.judge(event.step_id, judgement)  # recorded: the client's change redraws the grade
            except UserError as error:
                self.notify(str(error), severity="error", timeout=8)

        self.run_worker(record(), group="join-judge")

    # -- leaving

    def action_finish(self) -> None:
        """Quitting (`q`, `ctrl+q`): while the session runs, ask first; then leave it (the host is told) and quit."""
        from .confirm import Confirm

        view = self.view
        if view is None or view.phase == "ended" or view.bye_reason is not None:
            self._leave_and_exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self._leave_and_exit()

        typed = any(draft.has_work for draft in self.drafts.values()) and bool(self.query(AskPanel))
        question = "Leave the group session?" + (" Your unsent answer is lost." if typed else " The answers you sent are kept in your progress.")
        self.app.push_screen(Confirm(question, yes="leave"), answered)

    def _leave_and_exit(self) -> None:
        if self._leaving:
            return
        self._leaving = True

        async def leave() -> None:
            try:
                await self.client.leave()
            finally:
                self.app.exit()

        self.run_worker(leave(), group="join-leave")
