"""A senior reviews a learner's live session; the learner reads the review beside their own decisions.

One screen, two modes. With a reviewer, the senior walks the trajectory step by step and
marks where they would have intervened (`i`: a category by one key, then what they would
have said), then saves the review (`ctrl+s`). Without one, it is the learner's read-only
view: every card shows what they predicted and decided, and under it each reviewer's mark.
Cards are drawn from the journal only; the review is kept beside it, never in it.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, TextArea

from tutor.lesson.untrusted import one_line
from tutor.words import plural

from ..widgets.footer import TutorFooter
from ..widgets.live import CategoryPicker
from ..widgets.prose import LearnerWords, Prose
from ..widgets.step_view import DiffLog
from .confirm import Confirm
from ..plain import assemble, command, plain, text_of

OUTPUT_LINES = 12  # a result's output is shown as its last lines; the whole of it is in the journal
KIND_TITLES = {
    "goal": "◎ Goal contract",
    "prompt": "› Prompt",
    "agent": "◆ The agent",
    "mentor": "✎ Mentor",
    "failure": "⚠ The agent could not answer",
    "end": "■ Session ended",
}
DECISION_STYLES = {"ran": "green", "read": "dim", "corrected": "yellow", "stopped": "dim", "interrupted": "red", "waiting": "dim"}


def open_session_review(app: Any, session: Any, reviewer: str | None = None, *, root: bool = False) -> None:
    """Load the session and its reviews, then show them (reviewer None: the learner's read-only view).

    `session` is a session's name as `tutor review-session` takes it (`ID`, `HANDLE/ID`), or a
    `tutor.services.session_reviews.SessionRef`.
    """
    from tutor.services.live import SessionError
    from tutor.services.session_reviews import load_reviews, load_trajectory, resolve_session

    try:
        ref = resolve_session(session) if isinstance(session, str) else session
        trajectory = load_trajectory(ref)
        screen = SessionReviewScreen(trajectory, load_reviews(ref), reviewer=reviewer, root=root, session=ref)
    except SessionError as error:
        if root:
            app.exit(return_code=1, message=plain(f"tutor: {error}"))
        else:
            app.notify(f"Cannot open the session: {error}", severity="error", timeout=10)
        return
    app.push_screen(screen)


class MarkCategoryPicker(CategoryPicker):
    """The pair screen's one-key categories (same letters), asked as a reviewer's question."""

    QUESTION = "What kind of intervention? Press its key:"
    LEAVE_HINT = "escape: leave the form"


class StepCard(Vertical):
    """One step of the trajectory; a call's card holds the proposal and the learner's decision beside it."""

    def __init__(self, step: Any, *, who: str) -> None:
        super().__init__(id=f"step-{step.id}", classes=f"review-step review-{step.kind}")
        self.step = step
        self.who = who

    def compose(self) -> ComposeResult:
        from tutor.services.session_reviews import call_preview, describe_decision, result_output

        step = self.step
        when = time.strftime("%H:%M:%S", time.localtime(step.at)) if step.at else ""
        if step.call is None:
            yield Static(assemble((KIND_TITLES.get(step.kind, step.kind), "bold"), (f"  {when}", "dim")), classes="card-title")
            if step.text:
                # A learner's goal and messages are what they typed; the rest is Markdown.
                yield LearnerWords(step.text) if step.kind in ("goal", "prompt") else Prose(step.text)
        else:
            call = step.call
            yield Static(assemble(("◆ ", "bold"), (call.tool, "bold"), ("  proposed", "dim"), (f"  {when}", "dim")), classes="card-title")
            kind, preview = call_preview(call)
            if kind == "command":
                yield Static(assemble(("$ ", "bold"), command(preview, "bold")), classes="command")
            elif kind == "diff":
                yield DiffLog(preview)
            elif kind == "error":
                yield Static(plain(preview, "bold red"), classes="call-error")
            else:
                yield Static(plain(preview), classes="call-read")
            lines = describe_decision(call, who=self.who)
            decision = plain()
            for number, line in enumerate(lines):
                style = "bold " + DECISION_STYLES.get(call.decision, "") if line.startswith(self.who) or number == len(lines) - 1 else ""
                decision.append(("\n" if number else "") + line, style.strip())
            yield Static(decision, classes="learner-decision")
            output = result_output(call)
            if output and output != preview and call.tool not in ("read_file", "list_files"):
                tail = [text_of(line, limit=2000) for line in output.splitlines()[-OUTPUT_LINES:]]
                more = len(output.splitlines()) - len(tail)
                shown = (f"… {more} earlier lines\n" if more > 0 else "") + "\n".join(tail)
                yield Static(plain(shown, "dim"), classes="review-output")
        for note in step.notes:
            yield Static(assemble(("The senior noted: ", "bold"), note), classes="review-note")
        yield Vertical(classes="step-marks")

    async def show_marks(self, marks: list[tuple[str, Any, bool]]) -> None:
        """Each reviewer's mark on this step: (reviewer, mark, whether it is the draft being edited)."""
        holder = self.query_one(".step-marks", Vertical)
        await holder.remove_children()
        self.set_class(bool(marks), "-marked")
        widgets = []
        for reviewer, mark, own in marks:
            text = assemble(
                ("✋ ", "bold"), ("reviewed by ", "dim"), (reviewer, "bold"), (" · would have intervened: ", "dim"),
                (mark.category, "bold"), (f" ({mark.meaning})", "dim"),
            )
            if own:
                text.append("  (yours)", "italic")
            if mark.comment:
                text.append("\n" + mark.comment)
            widgets.append(Static(text, classes="review-mark" + (" -own" if own else "")))
        if widgets:
            await holder.mount_all(widgets)


class SessionReviewScreen(Screen):
    """`tutor review-session ID`, and a learner's session opened from the library."""

    BINDINGS = [
        Binding("down,j", "move(1)", "Next step", id="next-step", tooltip="Select the next step of the session"),
        Binding("up,k", "move(-1)", "Previous step", id="previous-step", tooltip="Select the previous step of the session"),
        Binding("home", "move_to(0)", "First step", show=False, id="first-step"),
        Binding("end", "move_to(-1)", "Last step", show=False, id="last-step"),
        Binding("n", "next_mark", "Next mark", id="next-mark", tooltip="Jump to the next step a reviewer marked"),
        Binding("i", "intervene", "I'd intervene", id="intervene", tooltip="I would have intervened here: choose the kind, say what you would have said"),
        Binding("d", "remove_mark", "Remove mark", id="remove-mark", tooltip="Remove your mark from the selected step"),
        Binding("o", "overall", "Overall comment", id="overall-comment", tooltip="Write (or edit) your comment on the whole session"),
        Binding("ctrl+s", "save", "Save", priority=True, id="save", tooltip="Save the mark being written; with no form open, save the review"),
        Binding("escape", "back", "Back", id="back", tooltip="Leave the form; or leave the review (asks first if marks are unsaved)"),
        Binding("q", "quit_review", "Quit", id="quit-review", tooltip="Quit Tutor (asks first if marks are unsaved)"),
    ]

    def __init__(self, trajectory: Any, reviews: Any, *, reviewer: str | None = None, root: bool = False, session: Any = None) -> None:
        from dataclasses import replace

        from tutor.services.session_reviews import OwnSession, new_review

        super().__init__()
        self.trajectory = trajectory
        self.reviews = reviews
        # Which session (`tutor.services.session_reviews.SessionRef`): it says where this reviewer's review is kept.
        self.session = session if session is not None else OwnSession(trajectory.session_id)
        self.root = root
        self.read_only = reviewer is None
        self.index = 0
        self.form: str | None = None  # None, "category", "comment" (a mark) or "overall"
        self.form_category: str | None = None
        self.dirty = False
        self.review: Any = None
        self._own_source: Any = None  # the file this reviewer's review is read from and saved to
        if reviewer is not None:
            self._own_source = self.session.review_path(reviewer)
            stored = reviews.stored_at(self._own_source)
            self.review = stored or new_review(trajectory.session_id, reviewer, seen_seq=trajectory.last_seq)
            if stored is not None:
                # Signed now as they sign today (a team review may have been saved under the handle).
                self.review = replace(stored, reviewer=reviewer.strip() or stored.reviewer, seen_seq=max(stored.seen_seq, trajectory.last_seq))

    # -- layout

    def compose(self) -> ComposeResult:
        yield Static(self._status_text(), id="review-status")
        with Horizontal(id="review-body"):
            steps = VerticalScroll(id="review-steps")
            steps.can_focus = False  # the keys move between steps, not the scroll position
            with steps:
                for step in self.trajectory.steps:
                    yield StepCard(step, who="The learner" if not self.read_only else "You")
                if not self.trajectory.steps:
                    yield Static(plain("This session has no steps yet: it stopped before the goal was set.", "italic"))
            with VerticalScroll(id="review-side"):
                yield Static("", id="review-overall")
        with Vertical(id="review-form"):
            yield Static("", id="mark-bar")
            yield MarkCategoryPicker(id="mark-categories")
            yield TextArea(id="mark-comment", classes="answer-text")
            yield Static("", id="mark-hint", classes="hint")
        yield TutorFooter()

    async def on_mount(self) -> None:
        self.sub_title = f"{'review' if not self.read_only else 'your session'} · {self.trajectory.session_id}"
        for problem in (*self.trajectory.problems, *self.reviews.problems):
            self.notify(problem, severity="warning", timeout=8)
        await self._show_all_marks()
        self._close_form()
        first_marked = self._marked_indexes()
        self._select(first_marked[0] if self.read_only and first_marked else 0)

    # -- what is shown

    def _status_text(self) -> Text:
        trajectory = self.trajectory
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(trajectory.started)) if trajectory.started else "?"
        if self.read_only:
            names = ", ".join(self.reviews.reviewers)
            head = assemble(("Your session ", "bold"), (f"· {trajectory.session_id} · {trajectory.mode} · {when}  ", "dim"))
            head.append(f"reviewed by {names}" if names else "not reviewed yet", "bold green" if names else "italic")
        else:
            marks = len(self.review.marks)
            head = assemble(("Review ", "bold"), (f"· {trajectory.session_id} · {trajectory.mode} · {when}  ", "dim"), ("reviewing as ", "dim"), (self.review.reviewer, "bold"))
            head.append(f"  · {marks} mark{'s' if marks != 1 else ''}")
            if self.dirty:
                head.append("  (unsaved: ctrl+s saves)", "bold yellow")
            from tutor.services.session_reviews import TeamSession

            session = self.session
            if isinstance(session, TeamSession):  # a teammate's shared session: whose, and how the review reaches them
                head.append(f"\nshared by {session.learner} with {one_line(session.team_name, limit=60)}; your review reaches them with `tutor team sync`", "dim")
        if trajectory.task.strip():
            task = trajectory.task.strip().splitlines()[0]
            head.append("\n" + (task if len(task) < 160 else task[:159] + "…"))
        head.append("\n" + trajectory.tally, "italic")
        return head

    def _overall_text(self) -> Text:
        text = plain()
        if not self.read_only:
            text.append("Your overall comment", "bold")
            text.append("  o edits\n", "dim")
            text.append((self.review.comment or "(none yet)") + "\n\n", "" if self.review.comment else "dim italic")
        others = self._stored_reviews()
        for review in others:
            when = review.at.replace("T", " ").replace("Z", " UTC") if review.at else ""
            text.append(f"Reviewed by {review.reviewer}", "bold")
            text.append(f"  {when}\n", "dim")
            text.append(f"{len(review.marks)} mark{'s' if len(review.marks) != 1 else ''}", "")
            if review.seen_seq and review.seen_seq < self.trajectory.last_seq:
                text.append(" · the session went on after this review", "dim italic")
            text.append("\n")
            if review.comment:
                text.append(review.comment + "\n")
            text.append("\n")
        if self.read_only and not others:
            text.append("No review yet. A senior can review this session from the library (v) or with\n", "dim italic")
            text.append(f"tutor review-session {self.trajectory.session_id}", "bold")
        if self.read_only and others:
            text.append("n jumps to the next marked step", "dim italic")
        return text

    def _marks_for(self, step_id: str) -> list[tuple[str, Any, bool]]:
        marks: list[tuple[str, Any, bool]] = []
        for review in self._stored_reviews():
            mark = review.mark_for(step_id)
            if mark is not None:
                marks.append((review.reviewer, mark, False))
        if self.review is not None:
            mark = self.review.mark_for(step_id)
            if mark is not None:
                marks.append((self.review.reviewer, mark, True))
        return marks

    async def _show_all_marks(self) -> None:
        for card in self.query(StepCard):
            await card.show_marks(self._marks_for(card.step.id))
        self._refresh_text()

    async def _show_marks(self, step_id: str) -> None:
        for card in self.query(StepCard):
            if card.step.id == step_id:
                await card.show_marks(self._marks_for(step_id))
        self._refresh_text()

    def _refresh_text(self) -> None:
        self.query_one("#review-status", Static).update(self._status_text())
        self.query_one("#review-overall", Static).update(self._overall_text())

    def _stored_reviews(self) -> list[Any]:
        """The reviews read with the session, but this reviewer's own: their draft replaces what was stored."""
        pairs = zip(self.reviews.reviews, self.reviews.sources, strict=True)
        return [review for review, source in pairs if self.read_only or source != self._own_source]

    def _marked_indexes(self) -> list[int]:
        return [number for number, step in enumerate(self.trajectory.steps) if self._marks_for(step.id)]

    # -- selection

    @property
    def selected(self) -> Any:
        steps = self.trajectory.steps
        return steps[self.index] if steps else None

    def _select(self, index: int) -> None:
        cards = list(self.query(StepCard))
        if not cards:
            return
        self.index = max(0, min(index, len(cards) - 1))
        for number, card in enumerate(cards):
            card.set_class(number == self.index, "-selected")
        self.query_one("#review-steps", VerticalScroll).scroll_to_widget(cards[self.index], animate=False, top=False)
        self.refresh_bindings()

    def action_move(self, delta: int) -> None:
        self._select(self.index + delta)

    def action_move_to(self, index: int) -> None:
        self._select(index if index >= 0 else len(self.trajectory.steps) - 1)

    def action_next_mark(self) -> None:
        marked = self._marked_indexes()
        if not marked:
            self.notify("No step is marked yet.", timeout=3)
            return
        later = [number for number in marked if number > self.index]
        self._select(later[0] if later else marked[0])

    # -- the form

    def _open_form(self, form: str) -> None:
        self.form = form
        bar = self.query_one("#mark-bar", Static)
        picker = self.query_one("#mark-categories", MarkCategoryPicker)
        field = self.query_one("#mark-comment", TextArea)
        hint = self.query_one("#mark-hint", Static)
        self.query_one("#review-form").display = True
        step = self.selected
        where = KIND_TITLES.get(step.kind, step.call.tool if step.call else step.kind) if step is not None else ""
        picker.display = form == "category"
        field.display = form != "category"
        if form == "category":
            bar.update(assemble(("✋ I would have intervened here: ", "bold"), where))
            hint.update("a category key · escape: leave the form")
            picker.focus()
        elif form == "comment":
            from tutor.lesson.taxonomy import Category

            bar.update(assemble(("✋ ", "bold"), (str(self.form_category), "bold"), (f" ({Category(str(self.form_category)).meaning})", "dim"), ": what would you have told the agent?"))
            field.placeholder = "What you would have said instead, and why (the learner reads this next to their decision)"
            hint.update("ctrl+s: keep this mark · escape: leave the form")
            field.focus()
        else:
            bar.update(plain("Your comment on the whole session", "bold"))
            field.placeholder = "What went well, what to practise next"
            hint.update("ctrl+s: keep the comment · escape: leave the form")
            field.focus()
        self.refresh_bindings()

    def _close_form(self) -> None:
        self.form = None
        self.form_category = None
        self.query_one("#review-form").display = False
        self.set_focus(None)
        self.refresh_bindings()

    def action_intervene(self) -> None:
        step = self.selected
        if step is None or self.read_only:
            return
        existing = self.review.mark_for(step.id)
        self.query_one("#mark-comment", TextArea).text = text_of(existing.comment, limit=None) if existing else ""
        self._open_form("category")

    @on(CategoryPicker.Picked)
    def _picked(self, event: CategoryPicker.Picked) -> None:
        event.stop()
        self.form_category = event.category
        self._open_form("comment")

    def action_overall(self) -> None:
        if self.read_only:
            return
        self.query_one("#mark-comment", TextArea).text = text_of(self.review.comment, limit=None)
        self._open_form("overall")

    async def action_remove_mark(self) -> None:
        step = self.selected
        if step is None or self.read_only or self.review.mark_for(step.id) is None:
            return
        self.review = self.review.without_mark(step.id)
        self.dirty = True
        await self._show_marks(step.id)
        self.refresh_bindings()

    async def action_save(self) -> None:
        if self.read_only:
            return
        if self.form == "category":
            self.notify("Choose the kind of intervention first (a category key).", severity="warning", timeout=4)
            return
        text = self.query_one("#mark-comment", TextArea).text.strip()
        if self.form == "comment":
            from tutor.services.session_reviews import new_mark

            if not text:
                self.notify("Say what you would have told the agent.", severity="warning")
                return
            step = self.selected
            self.review = self.review.with_mark(new_mark(step.id, str(self.form_category), text))
            self.dirty = True
            self._close_form()
            await self._show_marks(step.id)
            return
        if self.form == "overall":
            from dataclasses import replace

            self.review = replace(self.review, comment=text)
            self.dirty = True
            self._close_form()
            self._refresh_text()
            return
        self._save_review()

    def _save_review(self) -> bool:
        from tutor.services.live import SessionError
        from tutor.services.session_reviews import save_review

        try:
            self.review, path = save_review(self.review, session=self.session)
        except SessionError as error:
            self.notify(f"Not saved: {error}", severity="error", timeout=15)
            return False
        self.dirty = False
        self._refresh_text()
        self.refresh_bindings()
        marks = len(self.review.marks)
        self.notify(f"Review saved ({marks} mark{'s' if marks != 1 else ''}): {path}", timeout=5)
        return True

    # -- leaving

    def action_back(self) -> None:
        if self.form is not None:
            self._close_form()
            return
        self._leave(quit_app=False)

    def action_quit_review(self) -> None:
        if self.form is not None:
            self.notify("Press a category key, or escape to leave the form.", timeout=3)
            return
        self._leave(quit_app=True)

    def _leave(self, *, quit_app: bool) -> None:
        def go(leave: bool | None) -> None:
            if not leave:
                return
            if quit_app or self.root:
                self.app.exit()
            else:
                self.app.pop_screen()

        if self.dirty:
            marks = len(self.review.marks)
            question = f"Your review ({plural(marks, 'mark')}) is not saved. Leave without saving?"
            self.app.push_screen(Confirm(question, yes="leave without saving"), go)
        else:
            go(True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # True: enabled; None: shown dimmed (not now); False: hidden (not in this mode).
        editing = not self.read_only
        if action in ("intervene", "remove_mark", "overall", "save") and not editing:
            return False
        if self.form is not None:
            # q stays ours while the picker has the keys: disabled here, it would reach the app and quit at once.
            return action in ("save", "back", "quit_review")
        if action == "remove_mark":
            step = self.selected
            return True if step is not None and self.review.mark_for(step.id) is not None else None
        if action == "save":
            return True if self.dirty else None
        if action == "next_mark":
            return True if self._marked_indexes() else None
        return True
