"""Record mode: a senior steers the agent live, and says why, so that learners can replay it.

The live screen (`LiveScreen`) in record mode (`RecordMode`), without predictions: at the gate
`r` runs the call and `c` corrects it (a category key, the words, and why). `a` annotates
the current step, `m` marks an ask on it for learners, and `ctrl+q` asks whether to save
the recording as a lesson (`y`) or keep only the journal (`n`).

"The current step" is what the senior is looking at: at the gate, the agent's proposal
(an annotation goes on the agent's message; an ask goes on whatever settles the call, its
result or the correction, which does not exist yet); otherwise the newest step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import DescendantFocus
from textual.widgets import Static, TextArea

from tutor.lesson.prompts import GOAL_RUBRIC

from ..plain import plain
from ..widgets.live import KeyPicker
from .confirm import SaveRecording
from .live import LiveScreen
from .live_modes import LiveMode, extra_field

if TYPE_CHECKING:
    from pathlib import Path

    from tutor.services.live import LiveSession
    from tutor.services.recording import SavedLesson

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



class RecordMode(LiveMode):
    """Recording: no predictions; the senior's annotations and asks for learners on the current step."""

    label = "Record"
    list_command = "tutor record --list"

    def compose_forms(self) -> ComposeResult:
        yield KeyPicker("Which question for learners, here?", id="ask-types")

    def compose_extra_fields(self) -> ComposeResult:
        yield TextArea(id="compose-extra", classes="answer-text extra-text")

    def side_panel(self, screen: LiveScreen) -> bool:
        return screen.phase != "goal" and bool(screen.query("#mentor MentorCard"))

    def extra_field(self, screen: LiveScreen) -> bool:
        if screen.form is not None:
            return screen.form in ("ask:goal", "ask:intervene")
        return screen.phase == "gate" and screen.correcting not in (None, "category")

    def tally_line(self, screen: LiveScreen) -> str:
        # A recording has no predictions: count what the lesson will hold instead.
        state = screen.state
        tally = state.tally()
        return (f"{tally.ran} ran · {tally.corrected} corrected · {len(state.annotations)} annotated · "
                f"{len(state.asks)} question(s) marked for learners")

    # -- what "the current step" is

    def target(self, screen: LiveScreen, for_ask: bool) -> tuple[dict[str, str | int], str] | None:
        state = screen.state
        current = state.current
        if state.phase == "gate" and current is not None:
            if for_ask:
                return {"call": current.call.id}, f"the proposed {current.call.tool} call"
            return {"proposal": current.call.id}, "the agent's proposal"
        if not state.steps:
            return None
        seq, kind = state.steps[-1]
        return {"seq": seq}, {"assistant": "the agent's message"}.get(kind, f"the {kind}")

    def ask_types(self, screen: LiveScreen) -> tuple[list[str], str]:
        """The asks that can stand on the current step, and a note when that is none of them."""
        state = screen.state
        if state.phase == "gate" and state.current is not None:
            return ["intervene", "outcome"], ""  # a call that stops at the gate is a step of its own in the lesson
        if not state.steps:
            return [], ""
        seq, kind = state.steps[-1]
        types = {"goal": ["goal"], "result": ["outcome"]}.get(kind, [])
        if kind in ("result", "correction") and self._follows_its_proposal(screen, seq):
            types = ["intervene"] + types
        return types, "" if types else "no question can stand on this step; `tutor annotate` can add a multiple-choice one"

    def _follows_its_proposal(self, screen: LiveScreen, seq: int) -> bool:
        """Whether the result or correction made by record `seq` comes right after an agent step in the lesson.

        It does when the call it settles stopped at the gate (such a call is an agent step of
        its own) or was the first call of its message.
        """
        state = screen.state
        for call in state.calls.values():
            if call.settled_seq == seq:
                first = [c for c in state.order if state.calls[c].turn == call.turn][:1] == [call.call.id]
                return (call.gated and call.started) or call.correction is not None or first
        return False

    def default_prompt(self, screen: LiveScreen, ask_type: str) -> str:
        """The ask's question unless the senior writes one: the same wording as every other lesson's (`tutor.lesson.prompts`)."""
        from tutor.lesson.prompts import DEFAULT_PROMPTS, outcome_prompt

        if ask_type != "outcome":
            return DEFAULT_PROMPTS.get(ask_type, "")
        current = screen.state.current
        return outcome_prompt(current.call.input.get("command") if current is not None and current.call.tool == "run" else None)

    # -- keys

    def check_action(self, screen: LiveScreen, action: str) -> bool | None:
        phase = screen.state.phase
        calm = not screen.busy and not screen.correcting and screen.form is None
        if action in ("predict", "confidence", "end"):
            return False
        if action in ("run", "correct"):
            return phase == "gate" and calm
        if action in ("annotate", "mark_ask"):
            return phase in ("gate", "human", "failed") and calm and bool(screen.state.steps)
        if action == "finish":
            return True
        if action == "stop":
            return screen.busy or bool(screen.correcting) or screen.form is not None or phase in ("human", "failed")
        if action == "submit" and screen.form is not None and screen.form != "ask-type":
            return True
        return super().check_action(screen, action)

    def stop(self, screen: LiveScreen) -> bool:
        if screen.form is not None:
            self.close_form(screen)
            return True
        if not screen.busy and screen.state.phase in ("human", "failed"):
            # Out of the message field, so that a and m reach the screen (the message typed so far stays).
            screen.query_one("#transcript").focus()
            screen.query_one("#input-hint", Static).update("a: annotate the newest step · m: mark a question on it · tab: back to your message")
            return True
        return False

    # -- ctrl+s

    async def submit(self, screen: LiveScreen) -> None:
        field, extra = screen.field(), extra_field(screen)
        text = field.text.strip()
        if screen.form == "annotate":
            target = self.target(screen, for_ask=False)
            if target and await screen.move("annotate", target[0], text):
                self.close_form(screen)
            return
        if screen.form and screen.form.startswith("ask:"):
            await self._submit_ask(screen, screen.form.split(":", 1)[1], text, extra.text)
            return
        await super().submit(screen)

    async def submit_goal(self, screen: LiveScreen, text: str) -> None:
        if not text:
            screen.notify("Write the goal first.", severity="warning")
            return
        if await screen.move("goal", text):  # recording: no mentor round, the goal starts the agent
            screen.field().text = ""
            screen.enter_phase()
            screen.drive()

    async def _submit_ask(self, screen: LiveScreen, ask_type: str, prompt: str, lines: str) -> None:
        target = self.target(screen, for_ask=True)
        if target is None:
            return
        ask: dict[str, object] = {"type": ask_type, "prompt": prompt or self.default_prompt(screen, ask_type)}
        items = [line.strip(" -•\t") for line in lines.splitlines() if line.strip(" -•\t")]
        if ask_type == "goal":
            ask["rubric"] = items
        elif ask_type == "intervene":
            ask["key_points"] = items
        if await screen.move("mark_ask", target[0], ask):
            self.close_form(screen)

    def correction_why(self, screen: LiveScreen) -> str:
        return extra_field(screen).text

    def clear_input(self, screen: LiveScreen) -> None:
        screen.field().text = ""
        extra_field(screen).text = ""

    def after_correction(self, screen: LiveScreen, category: str, message: str, proposal: str) -> None:
        """A senior's correction needs no mentor."""

    def close_form(self, screen: LiveScreen) -> None:
        screen.form = None
        self.clear_input(screen)
        screen.enter_phase()

    # -- the forms

    def open_annotation(self, screen: LiveScreen) -> None:
        screen.form = "annotate"
        self.clear_input(screen)
        screen.enter_phase()

    def open_ask(self, screen: LiveScreen) -> None:
        types, note = self.ask_types(screen)
        if not types:
            screen.notify(note.capitalize(), severity="warning")
            return
        screen.form = "ask-type"
        screen.query_one("#ask-types", KeyPicker).offer({ASK_CHOICES[t][0]: (t, ASK_CHOICES[t][1]) for t in types}, note)
        screen.enter_phase()

    def ask_picked(self, screen: LiveScreen, ask_type: str) -> None:
        screen.form = f"ask:{ask_type}"
        screen.field().text = self.default_prompt(screen, ask_type)
        extra_field(screen).text = "\n".join(GOAL_RUBRIC) if ask_type == "goal" else ""
        screen.enter_phase()

    # -- what the bottom of the screen asks for

    def prompt(self, screen: LiveScreen) -> None:
        super().prompt(screen)
        bar = screen.query_one("#gate-bar", Static)
        field, extra = screen.field(), extra_field(screen)
        hint = screen.query_one("#input-hint", Static)
        phase, form = screen.phase, screen.form
        if form == "annotate":
            target = self.target(screen, for_ask=False)
            bar.update(plain(f"✎ Annotating {target[1] if target else 'the step'}", "bold"))
            field.placeholder = "Why this step matters, what a learner should notice (Markdown)"
            hint.update("ctrl+s: keep the annotation · escape: back")
            field.focus()
        elif form == "ask-type":
            target = self.target(screen, for_ask=True)
            bar.update(plain(f"? A question for learners on {target[1] if target else 'the step'}", "bold"))
            hint.update("")
            screen.query_one("#ask-types", KeyPicker).focus()
        elif form and form.startswith("ask:"):
            ask_type = form.split(":", 1)[1]
            bar.update(plain(f"? {ask_type.capitalize()} question: what learners are asked", "bold"))
            field.placeholder = "The question learners see"
            if ask_type in ("goal", "intervene"):
                extra.placeholder = (
                    "Rubric lines the learner checks their goal against, one per line" if ask_type == "goal"
                    else "Key points a good correction makes, one per line (blank: your correction's own words)"
                )
            hint.update(self.field_hint(screen, "compose-text"))
            field.focus()
        elif phase == "goal":
            bar.update(plain("◎ The goal, before the agent starts", "bold"))
            hint.update("ctrl+s: start the agent with this goal")
        elif phase == "gate" and screen.correcting not in (None, "category"):
            extra.placeholder = "Why (for learners, Markdown): what you saw that made you step in"
            hint.update(self.field_hint(screen, "compose-text"))
        elif phase == "gate" and not screen.correcting:
            bar.update(self.gate_text(screen))
        elif phase == "ended":
            bar.update(plain("Session ended. ctrl+q: save it as a lesson, or keep only the journal.", "bold"))

    def field_hint(self, screen: LiveScreen, field_id: str) -> str:
        form = screen.form
        if form and form.startswith("ask:"):
            ask_type = form.split(":", 1)[1]
            lines = {"goal": "Rubric lines", "intervene": "Key points"}.get(ask_type)
            if field_id == "compose-extra" and lines:
                return f"{lines}, one per line · shift+tab: the question · ctrl+s: mark it · escape: back"
            more = f" · tab: {lines.lower()}" if lines else ""
            return f"The question learners see{more} · ctrl+s: mark it · escape: back"
        if field_id == "compose-extra":
            return "Why, for learners · shift+tab: your words · ctrl+s: send the correction · escape: back to the gate"
        return "Your words to the agent · tab: why · ctrl+s: send the correction · escape: back to the gate"

    def gate_text(self, screen: LiveScreen) -> Text:
        text = plain()
        text.append("At the gate: ", "bold")
        for key, what in (("r", "run"), ("c", "correct"), ("a", "annotate"), ("m", "mark a question"), ("ctrl+q", "save")):
            text.append(f" {key} ", "bold reverse")
            text.append(f" {what}  ")
        return text

    def defaults_note(self, screen: LiveScreen) -> str:
        state = screen.state
        if state.asks:
            return f"{len(state.asks)} question(s) marked for learners."
        corrections = sum(1 for _, kind in state.steps if kind == "correction")
        return (
            "No questions marked, so these are proposed: a goal question on the goal, and "
            f"'would you intervene?' at each of your {corrections} correction(s) and at the call you let run before each."
        )


class RecordScreen(LiveScreen):
    """`tutor record`: a senior's live session, annotated as it happens, saved as a lesson."""

    BINDINGS = [
        Binding("a", "annotate", "Annotate", id="annotate", tooltip="Comment on the current step: why it matters, what to notice"),
        Binding("m", "mark_ask", "Mark ask", id="mark-ask", tooltip="Ask learners a question at the current step before they see it"),
        # ctrl+q and q are the app's quit keys; the app hands quitting to `action_finish` here.
        Binding("ctrl+q", "finish", "Save/quit", priority=True, id="finish", tooltip="Save the recording as a lesson, or keep only the journal"),
    ]

    def __init__(self, session: LiveSession, *, mentor: object = None, out: Path | None = None, author: str = "") -> None:
        self.recording = RecordMode(HOW_RECORDING_WORKS)
        super().__init__(session, self.recording, mentor=None)
        self.out = out
        self.author = author
        self.saved: SavedLesson | None = None

    def action_annotate(self) -> None:
        if self.check_action("annotate", ()):
            self.recording.open_annotation(self)

    def action_mark_ask(self) -> None:
        if self.check_action("mark_ask", ()):
            self.recording.open_ask(self)

    @on(KeyPicker.Picked, "#ask-types")
    def _ask_type_picked(self, event: KeyPicker.Picked) -> None:
        self.recording.ask_picked(self, event.value)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # The hint names the field that has the keyboard, once it has it: what to type where.
        if (self.form and self.form.startswith("ask:")) or self.correcting not in (None, "category"):
            self.query_one("#input-hint", Static).update(self.recording.field_hint(self, getattr(event.widget, "id", "") or ""))

    # -- leaving: save, or keep only the journal

    def action_finish(self) -> None:
        self.stop_worker()
        self.app.push_screen(SaveRecording(self.state.goal is not None, self.recording.defaults_note(self)), self._finished)

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
        self.app.saved_lesson = saved  # type: ignore[attr-defined]
        self.app.call_from_thread(self.app.exit)
