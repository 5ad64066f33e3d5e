"""Record mode: a senior steers the agent live, and says why, so that learners can replay it.

The same engine and screen as pair mode (`PairScreen`), without predictions: at the gate
`r` runs the call and `c` corrects it (a category key, the words, and why). `a` annotates
the current step, `m` marks an ask on it for learners, and `ctrl+q` asks whether to save
the recording as a lesson (`y`) or keep only the journal (`n`).

"The current step" is what the senior is looking at: at the gate, the agent's proposal
(an annotation goes on the agent's message; an ask goes on whatever settles the call, its
result or the correction, which does not exist yet); otherwise the newest step.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ..widgets.live import KeyPicker, label_card
from .pair import PairScreen
from ..plain import assemble, plain

HOW_RECORDING_WORKS = """\
**How recording works.** You steer the agent as you would at work; Tutor keeps every step, \
with your reasons, as a lesson learners replay. The agent works in a private copy of the \
repository (Tutor never writes to yours; the line at the top says whether its commands are sandboxed).

- at the gate, `r` lets the proposed action run, or `c` corrects it: a category key, your message, why, `ctrl+s`
- `a` annotates the current step (why it matters, what to notice); `m` marks a question for learners on it
- while you write a message, `escape` leaves the field so that `a` and `m` reach the screen
- `escape` stops a reply or a command; `ctrl+q` saves the lesson (`y`) or keeps only the journal (`n`)

With no questions marked, the lesson asks for the goal, and whether to intervene at each of your \
corrections and at the call you let run before it.

**Start with the goal** below; `ctrl+s` starts the agent.
"""

ASK_CHOICES = {
    "goal": ("g", "the learner writes the goal first"),
    "outcome": ("o", "the learner predicts whether it works"),
    "intervene": ("i", "the learner decides: let it run, or correct it (and how)"),
}
GOAL_RUBRIC = "says how we will know it is done\nbounds the scope\nnames the concrete thing to change"


class RecordScreen(PairScreen):
    """`tutor record`: a senior's live session, annotated as it happens, saved as a lesson."""

    MODE_LABEL = "Record"
    INTRO = HOW_RECORDING_WORKS
    LIST_COMMAND = "tutor record --list"

    BINDINGS = [
        Binding("a", "annotate", "Annotate", id="annotate", tooltip="Comment on the current step: why it matters, what to notice"),
        Binding("m", "mark_ask", "Mark ask", id="mark-ask", tooltip="Ask learners a question at the current step before they see it"),
        # ctrl+q and q are the app's quit keys; the app hands quitting to `action_finish` here.
        Binding("ctrl+q", "finish", "Save/quit", priority=True, id="finish", tooltip="Save the recording as a lesson, or keep only the journal"),
    ]

    def __init__(self, session: Any, *, mentor: Any = None, out: Any = None, author: str = "") -> None:
        super().__init__(session, mentor=None)
        self.out = out
        self.author = author
        self.form: str | None = None  # "annotate", "ask-type", or "ask:<type>"
        self.saved: Any = None  # tutor.services.recording.SavedLesson once written

    def compose_forms(self) -> ComposeResult:
        yield KeyPicker("Which question for learners, here?", id="ask-types")

    def compose_extra_fields(self) -> ComposeResult:
        yield TextArea(id="compose-extra", classes="answer-text extra-text")

    async def on_mount(self) -> None:
        self.query_one("#ask-types").display = False
        self.query_one("#compose-extra").display = False

    # -- what "the current step" is

    def _target(self, for_ask: bool) -> tuple[dict[str, Any], str] | None:
        state = self.loop.state
        current = state.current
        if state.phase == "gate" and current is not None:
            if for_ask:
                return {"call": current.call.id}, f"the proposed {current.call.tool} call"
            return {"proposal": current.call.id}, "the agent's proposal"
        if not state.steps:
            return None
        seq, kind = state.steps[-1]
        return {"seq": seq}, {"assistant": "the agent's message"}.get(kind, f"the {kind}")

    def _ask_types(self) -> tuple[list[str], str]:
        """The asks that can stand on the current step, and a note when that is none of them."""
        state = self.loop.state
        current = state.current
        if state.phase == "gate" and current is not None:
            return ["intervene", "outcome"], ""  # a call that stops at the gate is a step of its own in the lesson
        if not state.steps:
            return [], ""
        seq, kind = state.steps[-1]
        types = {"goal": ["goal"], "result": ["outcome"]}.get(kind, [])
        if kind in ("result", "correction") and self._follows_its_proposal(seq):
            types = ["intervene"] + types
        return types, "" if types else "no question can stand on this step; `tutor annotate` can add a multiple-choice one"

    def _follows_its_proposal(self, seq: int) -> bool:
        """Whether the result or correction made by record `seq` comes right after an agent step in the lesson.

        It does when the call it settles stopped at the gate (such a call is an agent step of
        its own) or was the first call of its message.
        """
        state = self.loop.state
        for call in state.calls.values():
            if call.settled_seq == seq:
                first = [c for c in state.order if state.calls[c].turn == call.turn][:1] == [call.call.id]
                return (call.gated and call.started) or call.correction is not None or first
        return False

    # -- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.loop.state.phase
        calm = not self.busy and not self.correcting and self.form is None
        if action in ("predict", "confidence", "end"):
            return False
        if action in ("run", "correct"):
            return phase == "gate" and calm
        if action in ("annotate", "mark_ask"):
            return phase in ("gate", "human", "failed") and calm and bool(self.loop.state.steps)
        if action == "finish":
            return True
        if action == "stop":
            return self.busy or bool(self.correcting) or self.form is not None or phase in ("human", "failed")
        if action == "submit" and self.form is not None and self.form != "ask-type":
            return True
        return super().check_action(action, parameters)

    def action_run(self) -> None:
        current = self.loop.state.current
        if current is not None and self.check_action("run", ()):
            self._drive(run=current.call.id)

    def action_correct(self) -> None:
        if self.loop.state.current is not None and self.check_action("correct", ()):
            self.correcting = "category"
            self._enter_phase()

    def action_annotate(self) -> None:
        if self.check_action("annotate", ()):
            self.form = "annotate"
            self._clear_fields()
            self._enter_phase()

    def action_mark_ask(self) -> None:
        if not self.check_action("mark_ask", ()):
            return
        types, note = self._ask_types()
        if not types:
            self.notify(note.capitalize(), severity="warning")
            return
        self.form = "ask-type"
        picker = self.query_one("#ask-types", KeyPicker)
        picker.offer({ASK_CHOICES[t][0]: (t, ASK_CHOICES[t][1]) for t in types}, note)
        self._enter_phase()

    @on(KeyPicker.Picked, "#ask-types")
    def _ask_type_picked(self, event: KeyPicker.Picked) -> None:
        self.form = f"ask:{event.value}"
        field, extra = self._fields()
        field.text = self._default_prompt(event.value)
        extra.text = GOAL_RUBRIC if event.value == "goal" else ""
        self._enter_phase()

    def _default_prompt(self, ask_type: str) -> str:
        if ask_type == "goal":
            return "What goal would you give the agent?"
        if ask_type == "intervene":
            return "The agent is about to do this. Would you let it?"
        current = self.loop.state.current
        command = current.call.input.get("command") if current is not None and current.call.tool == "run" else None
        return f"Will `{command}` succeed?" if isinstance(command, str) and len(command) < 80 else "Will it work?"

    def action_stop(self) -> None:
        if self.form is not None:
            self.form = None
            self._clear_fields()
            self._enter_phase()
            return
        if not self.busy and self.loop.state.phase in ("human", "failed"):
            # Out of the message field, so that a and m reach the screen (the message typed so far stays).
            self.query_one("#transcript").focus()
            self.query_one("#input-hint", Static).update("a: annotate the newest step · m: mark a question on it · tab: back to your message")
            return
        super().action_stop()

    def action_submit(self) -> None:
        phase = self.loop.state.phase
        field, extra = self._fields()
        text = field.text.strip()
        if self.form == "annotate":
            target = self._target(for_ask=False)
            if target and self._move(self.loop.annotate, target[0], text):
                self._close_form()
            return
        if self.form and self.form.startswith("ask:"):
            self._submit_ask(self.form.split(":", 1)[1], text, extra.text)
            return
        if phase == "goal":
            if not text:
                self.notify("Write the goal first.", severity="warning")
                return
            if self._move(self.loop.set_goal, text):
                field.text = ""
                self._enter_phase()
                self._drive()
            return
        super().action_submit()

    def correction_why(self) -> str:
        return self.query_one("#compose-extra", TextArea).text

    def clear_input(self) -> None:
        self._clear_fields()

    def after_correction(self, category: str, message: str, proposal: str) -> None:
        """A senior's correction needs no mentor."""

    def _submit_ask(self, ask_type: str, prompt: str, lines: str) -> None:
        target = self._target(for_ask=True)
        if target is None:
            return
        ask: dict[str, Any] = {"type": ask_type, "prompt": prompt or self._default_prompt(ask_type)}
        items = [line.strip(" -•\t") for line in lines.splitlines() if line.strip(" -•\t")]
        if ask_type == "goal":
            ask["rubric"] = items
        elif ask_type == "intervene":
            ask["key_points"] = items
        if self._move(self.loop.mark_ask, target[0], ask):
            self._close_form()

    def _close_form(self) -> None:
        self.form = None
        self._clear_fields()
        self._enter_phase()

    def _fields(self) -> tuple[TextArea, TextArea]:
        return self.query_one("#compose-text", TextArea), self.query_one("#compose-extra", TextArea)

    def _clear_fields(self) -> None:
        for field in self._fields():
            field.text = ""

    # -- what the bottom of the screen asks for

    def _enter_phase(self) -> None:
        super()._enter_phase()
        bar = self.query_one("#gate-bar", Static)
        field, extra = self._fields()
        hint = self.query_one("#input-hint", Static)
        picker = self.query_one("#ask-types", KeyPicker)
        picker.display = self.form == "ask-type"
        extra.display = False
        phase = self.loop.state.phase
        if self.form == "annotate":
            target = self._target(for_ask=False)
            bar.update(plain(f"✎ Annotating {target[1] if target else 'the step'}", "bold"))
            field.display = True
            field.placeholder = "Why this step matters, what a learner should notice (Markdown)"
            hint.update("ctrl+s: keep the annotation · escape: back")
            field.focus()
        elif self.form == "ask-type":
            target = self._target(for_ask=True)
            bar.update(plain(f"? A question for learners on {target[1] if target else 'the step'}", "bold"))
            field.display = False
            hint.update("")
            picker.focus()
        elif self.form and self.form.startswith("ask:"):
            ask_type = self.form.split(":", 1)[1]
            bar.update(plain(f"? {ask_type.capitalize()} question: what learners are asked", "bold"))
            field.display = True
            field.placeholder = "The question learners see"
            if ask_type in ("goal", "intervene"):
                extra.display = True
                extra.placeholder = (
                    "Rubric lines the learner checks their goal against, one per line" if ask_type == "goal"
                    else "Key points a good correction makes, one per line (blank: your correction's own words)"
                )
            hint.update(self._field_hint("compose-text"))
            field.focus()
        elif phase == "goal":
            bar.update(plain("◎ The goal, before the agent starts", "bold"))
            hint.update("ctrl+s: start the agent with this goal")
            self.query_one("#pair-side").display = False
        elif phase == "gate" and self.correcting not in (None, "category"):
            extra.display = True
            extra.placeholder = "Why (for learners, Markdown): what you saw that made you step in"
            hint.update(self._field_hint("compose-text"))
        elif phase == "gate" and not self.correcting:
            bar.update(self._gate_text())
        elif phase == "ended":
            bar.update(plain("Session ended. ctrl+q: save it as a lesson, or keep only the journal.", "bold"))
        self.refresh_bindings()

    def on_descendant_focus(self, event: Any) -> None:
        # The hint names the field that has the keyboard, once it has it: what to type where.
        if self.form and self.form.startswith("ask:") or self.correcting not in (None, "category"):
            self.query_one("#input-hint", Static).update(self._field_hint(getattr(event.widget, "id", "") or ""))

    def _field_hint(self, field_id: str) -> str:
        if self.form and self.form.startswith("ask:"):
            ask_type = self.form.split(":", 1)[1]
            lines = {"goal": "Rubric lines", "intervene": "Key points"}.get(ask_type)
            if field_id == "compose-extra" and lines:
                return f"{lines}, one per line · shift+tab: the question · ctrl+s: mark it · escape: back"
            more = f" · tab: {lines.lower()}" if lines else ""
            return f"The question learners see{more} · ctrl+s: mark it · escape: back"
        if field_id == "compose-extra":
            return "Why, for learners · shift+tab: your words · ctrl+s: send the correction · escape: back to the gate"
        return "Your words to the agent · tab: why · ctrl+s: send the correction · escape: back to the gate"

    def tally_line(self) -> str:
        # A recording has no predictions: count what the lesson will hold instead.
        state = self.loop.state
        tally = state.tally()
        return (f"{tally.ran} ran · {tally.corrected} corrected · {len(state.annotations)} annotated · "
                f"{len(state.asks)} question(s) marked for learners")

    def _gate_text(self) -> Text:
        text = plain()
        text.append("At the gate: ", "bold")
        for key, what in (("r", "run"), ("c", "correct"), ("a", "annotate"), ("m", "mark a question"), ("ctrl+q", "save")):
            text.append(f" {key} ", "bold reverse")
            text.append(f" {what}  ")
        return text

    # -- cards only recording has

    async def draw_more(self, record: dict[str, Any], transcript: VerticalScroll) -> None:
        kind = record.get("kind")
        if kind == "annotation":
            await transcript.mount(label_card("✎ Your annotation", str(record.get("text", "")), classes="annotation-card"))
        elif kind == "ask":
            ask = record.get("ask") or {}
            lines = [str(ask.get("prompt", ""))]
            lines += [f"- {item}" for item in ask.get("key_points") or ask.get("rubric") or []]
            await transcript.mount(label_card(f"? Learners are asked ({ask.get('type')})", "\n".join(lines), classes="ask-card"))
        elif kind == "saved":
            await transcript.mount(label_card("Saved", f"The lesson is at `{record.get('path')}`.", classes="summary-card"))

    # -- leaving: save, or keep only the journal

    def action_finish(self) -> None:
        if self.busy and self._worker is not None:
            self.loop.cancel_command()
            self._worker.cancel()
        can_save = self.loop.state.goal is not None
        self.app.push_screen(SaveRecording(can_save, self._defaults_note()), self._finished)

    def _defaults_note(self) -> str:
        state = self.loop.state
        if state.asks:
            return f"{len(state.asks)} question(s) marked for learners."
        corrections = sum(1 for _, kind in state.steps if kind == "correction")
        return (
            "No questions marked, so these are proposed: a goal question on the goal, and "
            f"'would you intervene?' at each of your {corrections} correction(s) and at the call you let run before each."
        )

    def _finished(self, choice: str | None) -> None:
        if choice == "save":
            self._save()
        elif choice == "keep":
            self.app.exit()

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self) -> None:
        from tutor.services.recording import SaveError, save_recording

        self.app.call_from_thread(self.notify, "Saving the lesson…", timeout=3)
        try:
            saved = save_recording(self.session, out=self.out, author=self.author)
        except SaveError as error:
            self.app.call_from_thread(self.notify, f"Not saved: {error}", severity="error", timeout=15)
            return
        self.saved = saved
        self.app.saved_lesson = saved
        self.app.call_from_thread(self.app.exit)


class SaveRecording(ModalScreen[str | None]):
    """Save the recording as a lesson (`y`), keep only the journal (`n`), or go back (`escape`)."""

    BINDINGS = [
        Binding("y", "choose('save')", "Save lesson", id="save-yes"),
        Binding("n", "choose('keep')", "Journal only", id="save-no"),
        Binding("escape", "choose('back')", "Back", id="save-back"),
    ]

    def __init__(self, can_save: bool, note: str) -> None:
        super().__init__()
        self.can_save = can_save
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog"):
            if self.can_save:
                yield Static(plain("Save this recording as a lesson?", "bold"))
                yield Static(plain(self.note, "italic"))
                yield Static(assemble((" y ", "bold reverse"), " save the lesson and quit   ", (" n ", "bold reverse"),
                                           " quit, keeping only the journal   ", (" escape ", "bold reverse"), " back"))
            else:
                yield Static(plain("Nothing to save yet: there is no goal.", "bold"))
                yield Static(assemble((" n ", "bold reverse"), " quit (the journal is kept)   ", (" escape ", "bold reverse"), " back"))

    def action_choose(self, choice: str) -> None:
        if choice == "save" and not self.can_save:
            return
        self.dismiss(None if choice == "back" else choice)
