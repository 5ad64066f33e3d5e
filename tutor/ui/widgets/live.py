"""The cards of a live session's transcript: what the agent said, each proposal at the gate, and how it ended.

Cards are built from journal records only (the record as written, redacted), so the
screen never shows anything the journal does not hold.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown, Static

from tutor.services.live_session import Correction, Result
from tutor.lesson.taxonomy import CATEGORY_MEANINGS, Category

from ..glyphs import CATEGORY_KEYS
from tutor.words import plural

from .prose import LearnerWords, Prose
from .step_view import DiffLog, output_log
from ..plain import assemble, command, line, plain, text_of

CONFIDENCE_KEYS = {"low": "1", "medium": "2", "high": "3"}


def card_id(call_id: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in call_id)
    return f"call-{safe}"


SEGMENT_CHARS = 800  # streamed text past this is frozen into one widget at the next paragraph break


class AgentText(Vertical):
    """The agent's words, streamed in through Textual's `MarkdownStream` (appended, never re-rendered whole).

    Textual's Markdown makes a widget of every block, and every layout pass measures them
    all: a 20,000-token reply would be thousands of widgets. So the live `Markdown` only
    holds the tail; at a paragraph break past `SEGMENT_CHARS` the text before it is frozen
    into one static widget, rendered once, and streaming goes on in a fresh `Markdown`.
    """

    DEFAULT_CLASSES = "agent-text"

    def __init__(self) -> None:
        super().__init__()
        self.streamed: list[str] = []
        self._live: Markdown | None = None
        self._stream: Any = None
        self._tail: list[str] = []  # what the live Markdown holds

    @property
    def text(self) -> str:
        return "".join(self.streamed)

    async def add(self, text: str) -> None:
        text = text_of(text, limit=None)  # the agent's words are text from outside too (a piece split mid-escape shows `�`)
        self.streamed.append(text)
        tail = "".join(self._tail) + text
        cut = _paragraph_break(tail, SEGMENT_CHARS) if len(tail) > SEGMENT_CHARS else 0
        if cut <= 0:
            await self._live_markdown()
            self._tail.append(text)
            await self._stream.write(text)
            return
        # Everything before the break is final: one static widget, never through the live Markdown
        # (a large batch would otherwise become hundreds of block widgets first).
        done, rest = tail[:cut], tail[cut:]
        old = self._live
        if self._stream is not None:
            await self._stream.stop()
        self._live, self._stream, self._tail = None, None, []
        await self.mount(Prose(done.rstrip("\n"), classes="agent-segment"), before=old)
        if old is not None:
            await old.remove()
        if rest:
            await self._live_markdown()
            self._tail.append(rest)
            await self._stream.write(rest)

    async def _live_markdown(self) -> None:
        if self._live is None:
            from tutor.lesson.markdown import lesson_markdown_parser

            # The same dialect as the frozen segments: `__init__` and `<tag>` read the same before and after.
            self._live = Markdown("", classes="agent-markdown", parser_factory=lesson_markdown_parser)
            await self.mount(self._live)
            self._stream = Markdown.get_stream(self._live)

    async def finish(self, final: str | None) -> None:
        """Stop streaming; if the finished message reads differently (redaction across pieces), show it as written."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        if final is not None and final != self.text:
            await self.show(final)

    async def show(self, text: str) -> None:
        """The whole message at once (a finished one, or one read back from the journal)."""
        await self.remove_children()
        self._live = None
        self.streamed = [text]
        if text:
            await self.mount(Prose(text, classes="agent-segment"))


def _paragraph_break(text: str, at_least: int) -> int:
    """The end of the last blank line past half of `at_least` characters and outside a code fence; 0 if none."""
    position = len(text)
    while True:
        found = text.rfind("\n\n", 0, position)
        if found < 0 or found + 2 < at_least // 2:
            return 0
        if text.count("```", 0, found) % 2 == 0:
            return found + 2
        position = found


class ProposalCard(Vertical):
    """One tool call at the gate: what it would do, the learner's prediction, then what happened."""

    DEFAULT_CLASSES = "proposal-card"

    def __init__(self, call: dict[str, Any], preview_kind: str, preview: str, *, gated: bool) -> None:
        super().__init__(id=card_id(str(call["id"])))
        self.call = call
        self.preview_kind = preview_kind
        self.preview = preview
        self.gated = gated
        self.prediction: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        tool = str(self.call.get("tool"))
        yield Static(assemble(("◆ ", "bold"), line(tool, "bold"), ("  proposed", "dim")), classes="call-title")
        if self.preview_kind == "command":
            yield Static(assemble(("$ ", "bold"), command(self.preview, "bold")), classes="command")
        elif self.preview_kind == "diff":
            yield DiffLog(self.preview)  # a long one scrolls in its box: at the gate, every line of it can be read
        elif self.preview_kind == "error":
            yield Static(plain(self.preview, "bold red"), classes="call-error")
        else:
            yield Static(plain(self.preview), classes="call-read")
        yield Static("", classes="call-state")

    def show_state(self, line: Text | str) -> None:
        self.query_one(".call-state", Static).update(line)

    def show_prediction(self, prediction: dict[str, Any]) -> None:
        self.prediction = prediction
        self.show_state(assemble(("You predict: ", "dim"), (f"it {prediction['outcome']}", "bold"), (f" ({prediction['confidence']} confidence)", "dim")))

    def show_result(self, result: Result, verdict: bool | None) -> None:
        ok = result.ok
        outcome = "it worked" if ok else "it failed"
        if result.interrupted:
            outcome = "interrupted (Tutor stopped while it ran)"
        elif result.cancelled:
            outcome = "stopped (escape)"
        elif result.timed_out:
            outcome = "timed out"
        parts: list[Any] = [("Result: ", "dim"), (outcome, "bold green" if ok else "bold red")]
        if result.exit_code is not None:
            parts.append((f"  exit code {result.exit_code}", "dim"))
        if self.prediction is not None:
            parts.append(("   You predicted: ", "dim"))
            parts.append((f"it {self.prediction['outcome']}", "bold"))
            if verdict is not None:
                parts.append(("  ✓ right" if verdict else "  ✗ wrong", "bold green" if verdict else "bold red"))
        elif not self.gated:
            parts.append(("   (a read: ran without stopping at the gate)", "dim"))
        self.show_state(assemble(*parts))
        body = result.body
        if self.call.get("tool") in ("read_file", "list_files") and ok:
            lines = body.count("\n") + 1
            self.mount(Static(plain(f"({plural(lines, 'line')} read)", "dim"), classes="call-read"))
        elif body:
            self.mount(output_log(body))
        self.add_class("done")

    def show_stopped(self, correction: Correction, own: bool) -> None:
        if own:
            line = assemble(("✋ You corrected it ", "bold"), (f"({correction.category})", "bold"), (": " + correction.message, ""))
        else:
            line = plain("Stopped with the correction above; it did not run.", "dim")
        self.show_state(line)
        self.add_class("done")


class CategoryPicker(Static, can_focus=True):
    """The correction's category, chosen with one key each (the letters are a contract)."""

    BINDINGS = [
        Binding(key, f"pick('{category}')", category.capitalize(), show=False, id=f"category-{category}")
        for key, category in CATEGORY_KEYS.items()
    ]

    class Picked(Message):
        def __init__(self, category: str) -> None:
            super().__init__()
            self.category = category

    QUESTION = "What kind of correction? Press its key:"
    LEAVE_HINT = "escape: back to the gate"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(self._table(), **kwargs)

    def _table(self) -> Text:
        text = plain(self.QUESTION + "\n", "bold")
        for key, category in CATEGORY_KEYS.items():
            text.append(f"  {key} ", "bold reverse")
            text.append(f" {category:<12}", "bold")
            text.append(CATEGORY_MEANINGS[Category(category)] + "\n", "dim")
        text.append(self.LEAVE_HINT, "dim italic")
        return text

    def action_pick(self, category: str) -> None:
        self.post_message(self.Picked(category))


class KeyPicker(Static, can_focus=True):
    """A choice made with one key each; the keys offered change with what can be chosen now."""

    class Picked(Message):
        def __init__(self, picker: KeyPicker, value: str) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

        @property
        def control(self) -> KeyPicker:
            return self.picker

    def __init__(self, title: str, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.title = title
        self.choices: dict[str, tuple[str, str]] = {}  # key -> (value, what it means)

    def offer(self, choices: dict[str, tuple[str, str]], note: str = "") -> None:
        self.choices = choices
        text = plain(self.title + "\n", "bold")
        for key, (value, meaning) in choices.items():
            text.append(f"  {key} ", "bold reverse")
            text.append(line(f" {value:<12}", "bold"))
            text.append(plain(meaning + "\n", "dim"))
        if note:
            text.append(plain(note + "\n", "italic"))
        text.append("escape: back", "dim italic")
        self.update(text)

    def on_key(self, event: Any) -> None:
        choice = self.choices.get(event.character or "")
        if choice is not None:
            event.stop()
            event.prevent_default()
            self.post_message(self.Picked(self, choice[0]))


class MentorCard(Vertical):
    DEFAULT_CLASSES = "mentor-card"

    def __init__(self, comment: dict[str, Any], *, label: str) -> None:
        super().__init__()
        self.comment = comment
        self.label = label

    def compose(self) -> ComposeResult:
        comment = self.comment
        yield Static(plain(self.label, "bold"), classes="mentor-title")
        if comment.get("notice"):
            yield Static(plain(str(comment["notice"]), "dim italic"))
        lines = [str(comment.get("summary", ""))]
        lines += [f"- {question}" for question in comment.get("questions") or []]
        if comment.get("missing"):
            lines.append("Missing: " + "; ".join(str(item) for item in comment["missing"]))
        yield Prose("\n".join(line for line in lines if line))


def label_card(title: str, body: str, *, classes: str, typed: bool = False) -> Widget:
    """A titled card; `typed`: the body is what a person typed (shown as typed), else Markdown."""
    card = Vertical(classes=f"live-card {classes}")
    card.compose_add_child(Static(plain(title, "bold"), classes="card-title"))
    card.compose_add_child((LearnerWords(body) if typed else Prose(body)) if body else Static(""))
    return card
