"""A live session's transcript: the cards of its journal records, in order, and the agent's streamed words.

The widget owns what it shows: the agent's reply being streamed (`AgentText`), the text
waiting to be drawn in the next batch, and one card per record. It is told of records
one at a time, in journal order, by the live screen (`tutor.ui.screens.live`), only
after they are on disk.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.services.live_session import (
    Annotation, AskMark, Assistant, Cancelled, Correction, End, Failure, Goal, LiveRecord, Prediction, Prompt, Result, Run, Saved, SessionState,
)

from ..plain import plain
from .live import AgentText, ProposalCard, card_id, label_card

TEXT_REDRAW_SECONDS = 0.15  # streamed text is drawn at most this often


class Transcript(VerticalScroll):
    """The transcript column: cards drawn from records; streamed text drawn in batches."""

    def __init__(self) -> None:
        super().__init__(id="transcript", can_focus=True)
        self._agent_text: AgentText | None = None
        self._pending: list[str] = []  # streamed text not drawn yet
        self._cooling = False  # streamed text was drawn less than TEXT_REDRAW_SECONDS ago

    # -- streamed text

    async def stream(self, text: str) -> None:
        """A piece of the agent's reply. Streamed text is drawn in batches, a few times a second: each
        draw lays out the transcript, and drawing per piece would starve the stream itself."""
        self._pending.append(text)
        if not self._cooling:
            await self._draw_text()

    async def _draw_text(self) -> None:
        self._cooling = self.pending
        if self._cooling:
            await self.flush_text()
            self.set_timer(TEXT_REDRAW_SECONDS, self._draw_text)

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    async def flush_text(self) -> None:
        if not self._pending:
            return
        text, self._pending = "".join(self._pending), []
        if self._agent_text is None:
            self._agent_text = AgentText()
            await self.mount(Static(plain("◆ The agent", "bold"), classes="card-title agent-title"))
            await self.mount(self._agent_text)
        await self._agent_text.add(text)

    async def interrupted(self, partial: str) -> None:
        """A resumed session's reply that was cut off mid-stream."""
        title = "◆ The agent (this reply was cut off; the agent will be asked again)"
        await self.mount(label_card(title, partial, classes="agent-card interrupted"))

    # -- records

    async def show(self, live: LiveRecord, state: SessionState, *, replaying: bool = False) -> None:  # noqa: C901 - one case per kind
        await self.flush_text()
        record = live.record
        match record:
            case Goal():
                await self.mount(label_card("◎ Your goal contract", record.text, classes="goal-card", typed=True))
            case Prompt():
                await self.mount(label_card("› You", record.text, classes="prompt-card", typed=True))
            case Assistant():
                await self._assistant(live, record, replaying)
            case Prediction():
                card = self.card(record.call)
                if card is not None:
                    card.show_prediction({"outcome": record.outcome, "confidence": record.confidence})
            case Run() if record.gated:
                card = self.card(record.call)
                if card is not None:
                    card.show_state(plain("Running… (escape stops it)", "italic"))
            case Result():
                card = self.card(record.call)
                call_state = state.calls.get(record.call)
                if card is not None and call_state is not None:
                    card.show_result(record, call_state.prediction_right)
            case Correction():
                for call_id in record.stopped if "stopped" in record.data else ():
                    card = self.card(call_id)
                    if card is not None:
                        card.show_stopped(record, own=call_id == record.call)
            case Failure():
                retry = "ctrl+r retries" if record.retryable else "fix it, then ctrl+r retries"
                body = f"{record.data.get('message')}\n\n{retry}, or write a message below."
                await self.mount(label_card("⚠ The agent could not answer", body, classes="error-card"))
            case Cancelled():
                if self._agent_text is not None:
                    await self._agent_text.finish(None)
                    self._agent_text = None
                await self.mount(Static(plain("You stopped the reply. ctrl+r asks again, or write a message below.", "italic"), classes="hint"))
            case End():
                await self.mount(label_card("Session ended", summary_text(record.summary), classes="summary-card"))
            case Annotation():
                await self.mount(label_card("✎ Your annotation", record.text, classes="annotation-card"))
            case AskMark():
                ask = record.ask
                lines = [str(ask.get("prompt", ""))]
                items = ask.get("key_points") or ask.get("rubric") or []
                lines += [f"- {item}" for item in (items if isinstance(items, list) else [])]
                await self.mount(label_card(f"? Learners are asked ({ask.get('type')})", "\n".join(lines), classes="ask-card"))
            case Saved():
                await self.mount(label_card("Saved", f"The lesson is at `{record.data.get('path')}`.", classes="summary-card"))
            case _:
                pass

    async def _assistant(self, live: LiveRecord, record: Assistant, replaying: bool) -> None:
        text = record.text
        if self._agent_text is not None and not replaying:
            await self._agent_text.finish(text)
        elif text:
            await self.mount(Static(plain("◆ The agent", "bold"), classes="card-title agent-title"))
            shown = AgentText()
            await self.mount(shown)
            await shown.show(text)
        self._agent_text = None
        for preview in live.previews:
            await self.mount(ProposalCard(preview.call.as_dict(), preview.kind, preview.text, gated=preview.gated))

    def card(self, call_id: str) -> ProposalCard | None:
        found = self.query(f"#{card_id(call_id)}")
        return found.first(ProposalCard) if found else None


def summary_text(summary: dict[str, object]) -> str:
    lines = [f"- Agent turns: {summary.get('turns', 0)}", f"- Actions run: {summary.get('ran', 0)}, corrected: {summary.get('corrected', 0)}"]
    graded = summary.get("graded", 0)
    if summary.get("predicted"):
        lines.append(f"- Predictions right: {summary.get('right', 0)} of {graded} graded ({summary.get('predicted')} made)")
    brier = summary.get("brier")
    if isinstance(brier, (int, float)):
        lines.append(f"- Calibration (Brier, 0 is perfect): {brier:.2f}")
    lines.append("\nThe session is kept: a senior can review it, and it can become a lesson.")
    return "\n".join(lines)
