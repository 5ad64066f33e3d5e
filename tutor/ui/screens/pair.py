"""Pair mode: the learner sets the goal, watches the agent, and predicts before every action runs.

The screen is a view of the live-session engine (`tutor.agent.loop.GatedLoop`): every
card is drawn from a journal record after the record is on disk, and every key is one
of the engine's moves. The agent runs in a worker on the app's event loop; commands and
snapshots run in threads inside the engine, so keys are answered while it works.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from ..widgets.footer import TutorFooter
from ..widgets.live import AgentText, CategoryPicker, MentorCard, ProposalCard, card_id, label_card
from ..plain import assemble, plain

HOW_IT_WORKS = """\
**How pair mode works.** You set the goal; the agent works in a private copy of the repository \
(Tutor never writes to yours; the line at the top says whether its commands are sandboxed). \
Before any write or command runs, you think first:

- `w` it works, or `f` it fails; `1` `2` `3` how sure you are (low, medium, high)
- then `r` lets it run, or `c` corrects it: a category key, your message, `ctrl+s`

Reads run without stopping. `escape` stops a reply or a command; `ctrl+e` ends the session.

**Start with the goal contract below**: what should be true at the end, how you will both \
know it is done, and what must be left alone. `ctrl+s` shows it to the mentor; `ctrl+s` again starts the agent.
"""
TEXT_REDRAW_SECONDS = 0.15  # streamed text is drawn at most this often
GOAL_PLACEHOLDER = "What should the agent achieve? How will you both know it is done? What must it leave alone?"


class PairScreen(Screen):
    """`tutor pair`: one live session, from the goal contract to the summary."""

    MODE_LABEL = "Pair"
    INTRO = HOW_IT_WORKS
    LIST_COMMAND = "tutor pair --list"

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

    def __init__(self, session: Any, *, mentor: Any = None) -> None:
        super().__init__()
        self.session = session
        self.loop = session.loop
        self.mentor = mentor
        self.confidence = "medium"
        self.correcting: str | None = None  # None, "category", or the chosen category
        self.busy = False  # the worker is driving the agent
        self.mentor_busy = False
        self._agent_text: AgentText | None = None
        self._worker: Worker[Any] | None = None
        # One queue, drawn in order by one task: a card must exist before its result is shown on it.
        self._drawing: deque[tuple[str, Any]] = deque()
        self._wake = asyncio.Event()
        self.loop.on_record = self._on_record
        self.loop.on_text = self._on_text
        # Until the transcript is drawn and the field focused, keys wait (TutorApp holds them):
        # what is typed while the session opens goes into the goal, not nowhere.
        self.holds_keys = True

    # -- layout

    def _sandbox_text(self) -> Text:
        """Where the agent's commands run, in the words of `tutor.agent.sandbox` (never more than is true)."""
        status = getattr(self.session, "sandbox", None)
        if status is None:
            from tutor.agent.sandbox import UNSANDBOXED

            return plain(f"The agent's {UNSANDBOXED}.", "bold")
        return plain(status.line, "dim" if status.active else "bold")

    def compose(self) -> ComposeResult:
        yield Static(self._status_text(), id="pair-status")
        yield Static(self._sandbox_text(), id="sandbox-status")
        with Horizontal(id="pair-body"):
            yield VerticalScroll(id="transcript", can_focus=True)
            with Vertical(id="pair-side"):
                yield VerticalScroll(id="mentor")
        with Vertical(id="pair-input"):
            yield Static("", id="gate-bar")
            yield CategoryPicker(id="categories")
            yield from self.compose_forms()
            yield TextArea(id="compose-text", classes="answer-text")
            yield from self.compose_extra_fields()
            yield Static("", id="input-hint", classes="hint")
        yield TutorFooter()

    def compose_forms(self) -> ComposeResult:
        """Pickers a mode adds above the text field (recording's ask types)."""
        yield from ()

    def compose_extra_fields(self) -> ComposeResult:
        """Fields a mode adds below the text field (recording's "why")."""
        yield from ()

    async def on_mount(self) -> None:
        self.query_one("#categories").display = False
        for problem in self.session.problems:
            self.notify(f"Journal: {problem}", severity="warning", timeout=8)
        if self.loop.state.phase == "goal":
            await self.query_one("#transcript").mount(label_card(f"{self.MODE_LABEL} mode", self.INTRO, classes="intro-card"))
            await self.query_one("#mentor").mount(Static(plain("The mentor reads your goal when you press ctrl+s.", "dim italic")))
        await self._replay_transcript()
        self.run_worker(self._draw_forever(), group="draw", exit_on_error=False)
        self._enter_phase()
        # Focus lands through the app's queue; keys open up behind it, so none reach the old focus.
        self.app.call_later(self._accept_keys)
        if self.loop.state.phase in ("agent", "gate", "running"):
            self._drive()

    async def _replay_transcript(self) -> None:
        """A resumed session shows everything its journal holds, as it was shown before."""
        for record in self.session.records:
            await self._draw(record, replaying=True)
        if self.loop.state.partial:
            transcript = self.query_one("#transcript")
            title = "◆ The agent (this reply was cut off; the agent will be asked again)"
            await transcript.mount(label_card(title, self.loop.state.partial, classes="agent-card interrupted"))
        # Anchored: the transcript follows what is added (cards grow after they are mounted, as
        # results arrive) until the learner scrolls up to read; back at the bottom, it follows again.
        self.query_one("#transcript", VerticalScroll).anchor()

    def _accept_keys(self) -> None:
        self.holds_keys = False
        self.app.release_keys()  # type: ignore[attr-defined]

    # -- records to cards

    def _on_record(self, record: dict[str, Any]) -> None:
        self._drawing.append(("record", record))
        self._wake.set()

    def _on_text(self, text: str) -> None:
        self._drawing.append(("text", text))
        self._wake.set()

    @property
    def drawn(self) -> bool:
        """Everything journaled so far is on screen (tests wait for this)."""
        return not self._drawing and not self._drawing_now

    _drawing_now = False

    async def _draw_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._drawing:
                kind, item = self._drawing.popleft()
                self._drawing_now = True
                try:
                    if kind == "text":
                        # Streamed text is drawn in batches, a few times a second: each draw lays
                        # out the transcript, and drawing per piece would starve the stream itself.
                        pieces = [item]
                        while self._drawing and self._drawing[0][0] == "text":
                            pieces.append(self._drawing.popleft()[1])
                        await self._add_text("".join(pieces))
                        if not self._drawing:
                            await asyncio.sleep(TEXT_REDRAW_SECONDS)
                    else:
                        await self._draw(item)
                except Exception as error:  # noqa: BLE001 - a card that cannot be drawn must not stop the session
                    self.log.error(f"cannot draw {kind}: {error!r}")
                finally:
                    self._drawing_now = False

    async def _draw(self, record: dict[str, Any], replaying: bool = False) -> None:
        kind = record.get("kind")
        transcript = self.query_one("#transcript", VerticalScroll)
        state = self.loop.state
        if kind == "goal":
            await transcript.mount(label_card("◎ Your goal contract", str(record.get("text", "")), classes="goal-card", typed=True))
        elif kind == "prompt":
            await transcript.mount(label_card("› You", str(record.get("text", "")), classes="prompt-card", typed=True))
        elif kind == "mentor":
            comment = record.get("comment") or {}
            card = MentorCard(comment, label=str(comment.get("label", "Mentor")))
            if record.get("about") == "goal" and state.phase == "goal":
                side = self.query_one("#mentor", VerticalScroll)
                await side.remove_children()
                await side.mount(card)
            else:
                await transcript.mount(card)
        elif kind == "assistant":
            text = "".join(b.get("text", "") for b in record.get("content", []) if b.get("type") == "text")
            if self._agent_text is not None and not replaying:
                await self._agent_text.finish(text)
            elif text:
                await transcript.mount(Static(plain("◆ The agent", "bold"), classes="card-title agent-title"))
                shown = AgentText()
                await transcript.mount(shown)
                await shown.show(text)
            self._agent_text = None
            for call in record.get("calls", []):
                kind_, preview = self._preview(call)
                gated = not self.loop._ungated(state.calls[str(call["id"])]) if str(call["id"]) in state.calls else True
                await transcript.mount(ProposalCard(call, kind_, preview, gated=gated and not call.get("input_error")))
        elif kind == "prediction":
            card = self._card(record.get("call"))
            if card is not None:
                card.show_prediction({"outcome": record.get("outcome"), "confidence": record.get("confidence")})
        elif kind == "run":
            card = self._card(record.get("call"))
            if card is not None and record.get("gated"):
                card.show_state(plain("Running… (escape stops it)", "italic"))
        elif kind == "result":
            card = self._card(record.get("call"))
            call_state = state.calls.get(str(record.get("call")))
            if card is not None and call_state is not None:
                card.show_result(record, call_state.prediction_right)
        elif kind == "correction":
            for call_id in record.get("stopped") or []:
                card = self._card(call_id)
                if card is not None:
                    card.show_stopped(record, own=call_id == record.get("call"))
        elif kind == "failure":
            retry = "ctrl+r retries" if record.get("retryable") else "fix it, then ctrl+r retries"
            await transcript.mount(label_card("⚠ The agent could not answer", f"{record.get('message')}\n\n{retry}, or write a message below.", classes="error-card"))
        elif kind == "cancelled":
            if self._agent_text is not None:
                await self._agent_text.finish(None)
                self._agent_text = None
            await transcript.mount(Static(plain("You stopped the reply. ctrl+r asks again, or write a message below.", "italic"), classes="hint"))
        elif kind == "end":
            await transcript.mount(label_card("Session ended", self._summary(record.get("summary") or {}), classes="summary-card"))
        else:
            await self.draw_more(record, transcript)
        if not replaying:
            self._refresh_status()

    async def draw_more(self, record: dict[str, Any], transcript: VerticalScroll) -> None:
        """Cards for the records only a mode has (recording's annotations and asks)."""

    async def _add_text(self, text: str) -> None:
        if self._agent_text is None:
            transcript = self.query_one("#transcript", VerticalScroll)
            self._agent_text = AgentText()
            await transcript.mount(Static(plain("◆ The agent", "bold"), classes="card-title agent-title"))
            await transcript.mount(self._agent_text)
        await self._agent_text.add(text)

    def _card(self, call_id: object) -> ProposalCard | None:
        found = self.query(f"#{card_id(str(call_id))}")
        return found.first(ProposalCard) if found else None

    def _preview(self, call: dict[str, Any]) -> tuple[str, str]:
        from tutor.agent.preview import preview
        from tutor.agent.scripted import ToolCall

        tools = self.loop.tools

        def read(path: str) -> str | None:
            result = tools.execute("read_file", {"path": path})
            return result.output if result.ok else None

        return preview(ToolCall(id=str(call["id"]), tool=str(call["tool"]), input=dict(call.get("input") or {}), input_error=call.get("input_error")), read)

    # -- phases: what the bottom of the screen asks for

    def _enter_phase(self) -> None:
        phase = self.loop.state.phase
        bar = self.query_one("#gate-bar", Static)
        field = self.query_one("#compose-text", TextArea)
        hint = self.query_one("#input-hint", Static)
        picker = self.query_one("#categories", CategoryPicker)
        picker.display = self.correcting == "category"
        side = self.query_one("#pair-side")
        side.display = phase == "goal" or bool(self.query("#mentor MentorCard"))
        if phase == "goal":
            bar.update(plain("◎ Your goal contract, before the agent starts", "bold"))
            field.display = True
            field.placeholder = GOAL_PLACEHOLDER
            drafted = bool(self.loop.state.goal_draft)
            hint.update("ctrl+s: start the agent with this goal (revise it first if you like)" if drafted else "ctrl+s: show the goal to the mentor")
            if not field.text and self.loop.state.goal_draft:
                field.text = self.loop.state.goal_draft
            field.focus()
        elif phase == "gate" and self.correcting:
            bar.update(plain(f"✋ Correcting: {self.correcting if self.correcting != 'category' else 'choose the kind'}", "bold"))
            field.display = self.correcting != "category"
            field.placeholder = "What should the agent do instead? (ctrl+s sends)"
            hint.update("ctrl+s: send the correction · escape: back to the gate")
            if self.correcting == "category":
                picker.focus()
            else:
                field.focus()
        elif phase == "gate":
            field.display = False
            bar.update(self._gate_text())
            hint.update("")
            self.query_one("#transcript").focus()
        elif phase in ("agent", "running"):
            field.display = False
            bar.update(plain("The agent is working… escape stops it", "italic"))
            hint.update("")
            self.query_one("#transcript").focus()
        elif phase in ("human", "failed"):
            field.display = True
            field.placeholder = "Your next message to the agent (ctrl+s sends)"
            bar.update(plain("The agent is waiting for you" if phase == "human" else "⚠ The last reply failed: ctrl+r retries", "bold"))
            hint.update("ctrl+s: send · ctrl+e: end the session" + (" · ctrl+r: retry" if phase == "failed" else ""))
            field.focus()
        elif phase == "ended":
            field.display = False
            bar.update(plain(f"Session ended. q quits; the session is kept ({self.LIST_COMMAND}).", "bold"))
            hint.update("")
            self.query_one("#transcript").focus()
        self.refresh_bindings()
        self._refresh_status()
        # A new phase needs the learner's eyes on the newest card: back to the bottom, anchored again.
        self.query_one("#transcript", VerticalScroll).scroll_end(animate=False)

    def _gate_text(self) -> Text:
        current = self.loop.state.current
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
            chosen = (prediction or {}).get("confidence", self.confidence) == level
            text.append(f" {key} {level} ", "bold reverse" if chosen else "dim")
        text.append("   then ", "")
        style = "bold reverse" if prediction is not None else "dim"
        text.append(" r ", style)
        text.append(" run  ", "" if prediction is not None else "dim")
        text.append(" c ", style)
        text.append(" correct", "" if prediction is not None else "dim")
        return text

    def _status_text(self) -> Text:
        header = self.loop.state.header
        task = str(header.get("task") or "").strip()
        text = assemble((f"{self.MODE_LABEL} ", "bold"), (f"· {self.session.id} ", "dim"), (f"· {getattr(self.loop.agent, 'label', '')}", "dim"))
        if task:
            text.append("\n")
            text.append(task if len(task) < 200 else task[:199] + "…")
        text.append("\n")
        text.append(self.tally_line(), "italic")
        return text

    def tally_line(self) -> str:
        return self.loop.state.tally().line()

    def _refresh_status(self) -> None:
        self.query_one("#pair-status", Static).update(self._status_text())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # True: enabled; None: shown dimmed (not yet); False: hidden (not in this phase).
        phase = self.loop.state.phase
        current = self.loop.state.current
        gate = phase == "gate" and not self.correcting and not self.busy
        predicted = current is not None and current.prediction is not None
        if action in ("predict", "confidence"):
            return gate
        if action in ("run", "correct"):
            if not gate:
                return False
            return True if predicted else None  # think first: dimmed until a prediction is made
        if action == "retry":
            return phase == "failed" and not self.busy
        if action == "end":
            return phase in ("human", "failed", "gate") and not self.busy and not self.correcting
        if action == "stop":
            return self.busy or bool(self.correcting)
        if action == "submit":
            return phase in ("goal", "human", "failed") or (phase == "gate" and self.correcting not in (None, "category"))
        return True

    # -- the learner's moves

    def action_predict(self, outcome: str) -> None:
        current = self.loop.state.current
        if current is None:
            return
        self._move(self.loop.predict, current.call.id, outcome, self.confidence)

    def action_confidence(self, level: str) -> None:
        self.confidence = level
        current = self.loop.state.current
        if current is not None and current.prediction is not None:
            self._move(self.loop.predict, current.call.id, current.prediction["outcome"], level)
        self._enter_phase()

    def action_run(self) -> None:
        current = self.loop.state.current
        if current is None or current.prediction is None:
            return
        self._drive(run=current.call.id)

    def action_correct(self) -> None:
        current = self.loop.state.current
        if current is None or current.prediction is None:
            return
        self.correcting = "category"
        self._enter_phase()

    @on(CategoryPicker.Picked)
    def _picked(self, event: CategoryPicker.Picked) -> None:
        self.correcting = event.category
        field = self.query_one("#compose-text", TextArea)
        field.text = ""
        self._enter_phase()

    def action_submit(self) -> None:
        phase = self.loop.state.phase
        field = self.query_one("#compose-text", TextArea)
        text = field.text.strip()
        if phase == "goal":
            if not text:
                self.notify("Write your goal first.", severity="warning")
                return
            if not self.loop.state.goal_draft:
                self._move(self.loop.draft_goal, text)
                self._ask_mentor_about_goal(text)
                self._enter_phase()
                return
            if self._move(self.loop.set_goal, text):
                field.text = ""
                self.query_one("#mentor", VerticalScroll).remove_children()
                self._enter_phase()
                self._drive()
        elif phase == "gate" and self.correcting not in (None, "category"):
            self._submit_correction(text)
        elif phase in ("human", "failed"):
            if not text:
                self.notify("Write a message first.", severity="warning")
                return
            if self._move(self.loop.prompt, text):
                field.text = ""
                self._enter_phase()
                self._drive()

    def _submit_correction(self, text: str) -> None:
        current = self.loop.state.current
        if current is None:
            return
        if not text:
            self.notify("Say what the agent should do instead.", severity="warning")
            return
        category = str(self.correcting)
        proposal = self._card(current.call.id)
        if self._move(self.loop.correct, current.call.id, category, text, self.correction_why()):
            self.correcting = None
            self.clear_input()
            self.after_correction(category, text, proposal.preview if proposal else "")
            self._enter_phase()
            self._drive()

    def correction_why(self) -> str:
        """Why the human corrected (recording asks for it; pair mode does not)."""
        return ""

    def clear_input(self) -> None:
        self.query_one("#compose-text", TextArea).text = ""

    def after_correction(self, category: str, message: str, proposal: str) -> None:
        self._ask_mentor_about_correction(category, message, proposal)

    def action_retry(self) -> None:
        if self._move(self.loop.retry):
            self._enter_phase()
            self._drive()

    def action_stop(self) -> None:
        if self.correcting:
            self.correcting = None
            self._enter_phase()
            return
        if self.busy and self._worker is not None:
            if self.loop.state.phase == "running":
                self.loop.cancel_command()
            else:
                self._worker.cancel()
            return
        self.notify("Nothing is running. q quits (the session is kept), ctrl+e ends it.", timeout=4)

    def action_end(self) -> None:
        if self._move(self.loop.end):
            self._enter_phase()

    def _move(self, method: Any, *args: Any) -> bool:
        from tutor.agent.loop import GateError
        from tutor.record.journal import JournalError

        try:
            method(*args)
        except GateError as error:
            self.notify(str(error).capitalize(), severity="warning")
            return False
        except JournalError as error:
            self.notify(f"Not saved: {error}", severity="error", timeout=15)
            return False
        self._enter_phase()
        return True

    # -- the agent's side, in a worker

    def _drive(self, run: str | None = None) -> None:
        self.busy = True
        self._enter_phase()
        self._worker = self.run_worker(self._advance(run), group="agent", exclusive=True, exit_on_error=False)

    async def _advance(self, run: str | None) -> None:
        if run is not None:
            self.query_one("#gate-bar", Static).update(plain("Running… escape stops it", "italic"))
            await self.loop.run(run)
        await self.loop.advance()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.busy = False
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"The session stopped: {error}", severity="error", timeout=15)
        self._enter_phase()

    # -- the mentor

    @work(group="mentor", exit_on_error=False)
    async def _ask_mentor_about_goal(self, goal: str) -> None:
        task = str(self.loop.state.header.get("task") or "")
        comment = await self._mentor_call("on_goal", goal, task)
        self._record_mentor("goal", comment)

    @work(group="mentor", exit_on_error=False)
    async def _ask_mentor_about_correction(self, category: str, message: str, proposal: str) -> None:
        comment = await self._mentor_call("on_correction", category, message, proposal)
        self._record_mentor("correction", comment)

    async def _mentor_call(self, method: str, *args: str) -> Any:
        import inspect

        from tutor.agent.mentor import RuleMentor

        mentor = self.mentor or RuleMentor()
        result = getattr(mentor, method)(*args)
        if inspect.isawaitable(result):
            result = await result
        return result

    def _record_mentor(self, about: str, comment: Any) -> None:
        from dataclasses import asdict

        from tutor.record.journal import JournalError

        data = asdict(comment)
        data["label"] = comment.label
        try:
            self.loop.record("mentor", about=about, comment=data)
        except JournalError as error:
            self.notify(f"Not saved: {error}", severity="error")

    # -- summary

    @staticmethod
    def _summary(summary: dict[str, Any]) -> str:
        lines = [f"- Agent turns: {summary.get('turns', 0)}", f"- Actions run: {summary.get('ran', 0)}, corrected: {summary.get('corrected', 0)}"]
        graded = summary.get("graded", 0)
        if summary.get("predicted"):
            lines.append(f"- Predictions right: {summary.get('right', 0)} of {graded} graded ({summary.get('predicted')} made)")
        if summary.get("brier") is not None:
            lines.append(f"- Calibration (Brier, 0 is perfect): {summary['brier']:.2f}")
        lines.append("\nThe session is kept: a senior can review it, and it can become a lesson.")
        return "\n".join(lines)
