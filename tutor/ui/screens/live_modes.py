"""What pair mode and record mode do differently on the live screen: words, keys, and the forms.

A mode holds no widget: it is told the screen (`tutor.ui.screens.live.LiveScreen`) and
says what the bar and the hint read, which keys act, what ctrl+s sends, and whether the
side panel and the extra field are shown. Pair mode asks for a prediction at the gate
and hears the mentor; record mode adds the senior's annotations and asks for learners.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static, TextArea

from tutor.services.live_session import NotSaved

from ..plain import assemble, plain
from ..widgets.live import CategoryPicker

if TYPE_CHECKING:
    from .live import LiveScreen

GOAL_PLACEHOLDER = "What should the agent achieve? How will you both know it is done? What must it leave alone?"


class LiveMode:
    """Pair mode; `RecordMode` changes what differs."""

    label = "Pair"
    intro = ""
    list_command = "tutor pair --list"

    def __init__(self, intro: str) -> None:
        self.intro = intro

    def compose_forms(self) -> ComposeResult:
        """Pickers a mode adds above the text field (recording's ask types)."""
        yield from ()

    def compose_extra_fields(self) -> ComposeResult:
        """Fields a mode adds below the text field (recording's "why")."""
        yield from ()

    # -- what is shown

    def side_panel(self, screen: LiveScreen) -> bool:
        return screen.phase == "goal" or bool(screen.query("#mentor MentorCard"))

    def extra_field(self, screen: LiveScreen) -> bool:
        return False

    def tally_line(self, screen: LiveScreen) -> str:
        return screen.state.tally().line()

    def status_text(self, screen: LiveScreen) -> Text:
        task = str(screen.state.header.get("task") or "").strip()
        text = assemble((f"{self.label} ", "bold"), (f"· {screen.service.id} ", "dim"), (f"· {screen.service.agent_label}", "dim"))
        if task:
            text.append("\n")
            text.append(task if len(task) < 200 else task[:199] + "…")
        text.append("\n")
        text.append(self.tally_line(screen), "italic")
        return text

    def refresh_status(self, screen: LiveScreen) -> None:
        screen.query_one("#pair-status", Static).update(self.status_text(screen))

    def prompt(self, screen: LiveScreen) -> None:
        """The bar, the hint and the focus for the phase the session is at."""
        phase, state = screen.phase, screen.state
        bar = screen.query_one("#gate-bar", Static)
        field = screen.field()
        hint = screen.query_one("#input-hint", Static)
        transcript = screen.query_one("#transcript")
        if phase == "goal":
            bar.update(plain("◎ Your goal contract, before the agent starts", "bold"))
            field.placeholder = GOAL_PLACEHOLDER
            drafted = bool(state.goal_draft)
            hint.update("ctrl+s: start the agent with this goal (revise it first if you like)" if drafted else "ctrl+s: show the goal to the mentor")
            if not field.text and state.goal_draft:
                field.text = state.goal_draft
            field.focus()
        elif phase == "gate" and screen.correcting:
            choosing = screen.correcting == "category"
            bar.update(plain(f"✋ Correcting: {'choose the kind' if choosing else screen.correcting}", "bold"))
            field.placeholder = "What should the agent do instead? (ctrl+s sends)"
            hint.update("ctrl+s: send the correction · escape: back to the gate")
            (screen.query_one(CategoryPicker) if choosing else field).focus()
        elif phase == "gate":
            bar.update(self.gate_text(screen))
            hint.update("")
            transcript.focus()
        elif phase in ("agent", "running"):
            bar.update(plain("The agent is working… escape stops it", "italic"))
            hint.update("")
            transcript.focus()
        elif phase in ("human", "failed"):
            field.placeholder = "Your next message to the agent (ctrl+s sends)"
            bar.update(plain("The agent is waiting for you" if phase == "human" else "⚠ The last reply failed: ctrl+r retries", "bold"))
            hint.update("ctrl+s: send · ctrl+e: end the session" + (" · ctrl+r: retry" if phase == "failed" else ""))
            field.focus()
        elif phase == "ended":
            bar.update(plain(f"Session ended. q quits; the session is kept ({self.list_command}).", "bold"))
            hint.update("")
            transcript.focus()

    def gate_text(self, screen: LiveScreen) -> Text:
        current = screen.state.current
        text = plain()
        text.append("Before it runs: ", "bold")
        prediction = current.prediction if current is not None else None
        if prediction is None:
            text.append("predict ", "")
            text.append(" w ", "bold reverse")
            text.append(" works  ")
            text.append(" f ", "bold reverse")
            text.append(" fails", "")
        else:
            text.append(f"you predict it {prediction['outcome']}", "bold")
        text.append("   confidence ", "")
        for level, key in (("low", "1"), ("medium", "2"), ("high", "3")):
            chosen = (prediction or {}).get("confidence", screen.confidence) == level
            text.append(f" {key} {level} ", "bold reverse" if chosen else "dim")
        text.append("   then ", "")
        style = "bold reverse" if prediction is not None else "dim"
        text.append(" r ", style)
        text.append(" run  ", "" if prediction is not None else "dim")
        text.append(" c ", style)
        text.append(" correct", "" if prediction is not None else "dim")
        return text

    # -- keys

    def check_action(self, screen: LiveScreen, action: str) -> bool | None:
        phase, current = screen.state.phase, screen.state.current
        gate = phase == "gate" and not screen.correcting and not screen.busy
        predicted = current is not None and current.prediction is not None
        if action in ("predict", "confidence"):
            return gate
        if action in ("run", "correct"):
            if not gate:
                return False
            return True if predicted else None  # think first: dimmed until a prediction is made
        if action == "retry":
            return phase == "failed" and not screen.busy
        if action == "end":
            return phase in ("human", "failed", "gate") and not screen.busy and not screen.correcting
        if action == "stop":
            return screen.busy or bool(screen.correcting)
        if action == "submit":
            return phase in ("goal", "human", "failed") or (phase == "gate" and screen.correcting not in (None, "category"))
        return True

    def stop(self, screen: LiveScreen) -> bool:
        """Escape, where the mode has something of its own to leave; True when it did."""
        return False

    # -- ctrl+s

    async def submit(self, screen: LiveScreen) -> None:
        phase, field = screen.state.phase, screen.field()
        text = field.text.strip()
        if phase == "goal":
            await self.submit_goal(screen, text)
        elif phase == "gate" and screen.correcting not in (None, "category"):
            await self._submit_correction(screen, text)
        elif phase in ("human", "failed"):
            if not text:
                screen.notify("Write a message first.", severity="warning")
                return
            if await screen.move("prompt", text):
                field.text = ""
                screen.enter_phase()
                screen.drive()

    async def submit_goal(self, screen: LiveScreen, text: str) -> None:
        if not text:
            screen.notify("Write your goal first.", severity="warning")
            return
        if not screen.state.goal_draft:
            if await screen.move("goal", text, draft=True):
                self.ask_mentor(screen, screen.service.mentor_on_goal(text))
            screen.enter_phase()
            return
        if await screen.move("goal", text):
            screen.field().text = ""
            await screen.query_one("#mentor").remove_children()
            screen.enter_phase()
            screen.drive()

    async def _submit_correction(self, screen: LiveScreen, text: str) -> None:
        current = screen.state.current
        if current is None:
            return
        if not text:
            screen.notify("Say what the agent should do instead.", severity="warning")
            return
        category = str(screen.correcting)
        proposal = screen.query_one("#transcript").card(current.call.id)  # type: ignore[attr-defined]
        if await screen.move("correct", current.call.id, category, text, self.correction_why(screen)):
            screen.correcting = None
            self.clear_input(screen)
            self.after_correction(screen, category, text, proposal.preview if proposal else "")
            screen.enter_phase()
            screen.drive()

    def correction_why(self, screen: LiveScreen) -> str:
        """Why the human corrected (recording asks for it; pair mode does not)."""
        return ""

    def clear_input(self, screen: LiveScreen) -> None:
        screen.field().text = ""

    def after_correction(self, screen: LiveScreen, category: str, message: str, proposal: str) -> None:
        self.ask_mentor(screen, screen.service.mentor_on_correction(category, message, proposal))

    # -- the mentor

    def ask_mentor(self, screen: LiveScreen, asked: Awaitable[None]) -> None:
        """The mentor's comment, journaled (and shown as a record) when it comes; in a worker, so keys go on."""
        screen.run_worker(self._mentor(screen, asked), group="mentor", exit_on_error=False)

    async def _mentor(self, screen: LiveScreen, asked: Awaitable[None]) -> None:
        try:
            await asked
        except NotSaved as error:
            screen.notify(f"Not saved: {error}", severity="error")


PairMode = LiveMode


def extra_field(screen: LiveScreen) -> TextArea:
    return screen.query_one("#compose-extra", TextArea)
