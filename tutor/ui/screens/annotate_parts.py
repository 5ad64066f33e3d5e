"""The annotate screen's parts: the step list and its rows, a result shown read-only, the
category keys, the ask's fields, and the dialog that asks before unsaved changes are left."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, Select, Static, TextArea

from tutor.lesson import AgentStep, AnyStep, Call, ChoiceAsk, GoalAsk, InterveneAsk, ResultStep
from tutor.lesson.edit import ask_types_for
from tutor.lesson.prompts import DEFAULT_PROMPTS
from tutor.lesson.taxonomy import CATEGORY_MEANINGS, Category

from ..glyphs import ASK_LABELS, CATEGORY_KEYS, KIND_ICONS
from ..widgets.live import CategoryPicker
from ..plain import assemble, line, plain, text_of
from .confirm import Answer, Choice

MAX_OUTPUT_LINES = 200  # the editor shows what a result printed to remind, not to read in full
CATEGORY_COLUMNS, CATEGORY_WIDTH = 3, 15  # the picker's grid: fits the narrowest detail pane
NO_ASK = "none"
LINES_LABELS = {
    "goal": "Rubric: what a good goal does, one item per line (the learner ticks their goal against it)",
    "intervene": "Key points: what the learner should say, one per line",
    "choice": "Options, one per line",
}


def step_summary(step: AnyStep) -> str:
    """One line naming what the step is, for the step list."""
    if isinstance(step, ResultStep):
        text = ("ok" if step.ok else "failed") + (f" ({step.exit_code})" if step.exit_code is not None else "") + f" · {step.call}"
    elif isinstance(step, AgentStep) and not step.text and step.calls:
        first = step.calls[0]
        text = f"{first.tool} {first.input.get('command') or first.input.get('path') or ''}"
    else:
        text = getattr(step, "text", "") or ""
        if step.kind == "correction":
            text = f"{step.category.value}: {text}"
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return " ".join(first_line.replace("`", "").replace("**", "").split())[:90]


def result_body(step: ResultStep, call: Call | None) -> list[Widget]:
    """A result, read-only. Its output is plain text: a Log sizes itself in a thread, and
    stepping quickly through the list removes it before that thread reports back."""
    verdict = assemble(("✓ worked", "bold green") if step.ok else ("✗ failed", "bold red"))
    if step.exit_code is not None:
        verdict.append(f"  exit code {step.exit_code}", "dim")
    if call is not None:
        target = call.input.get("command") if call.tool == "run" else f"{call.tool} {call.input.get('path', '')}"
        verdict.append(line(f"  {target}", "bold", limit=2000, exact=True))
    widgets: list[Widget] = [Static(verdict, classes="verdict")]
    lines_out = step.output.splitlines() or ["(no output)"]
    shown = plain("\n".join(lines_out[:MAX_OUTPUT_LINES]), no_wrap=True, overflow="ellipsis")
    if len(lines_out) > MAX_OUTPUT_LINES:
        shown.append(f"\n… {len(lines_out) - MAX_OUTPUT_LINES} more lines", "dim italic")
    if step.commit:
        widgets.append(Static(plain(f"code after it: commit {step.commit[:12]}", "dim")))
    return [*widgets, Static(shown, classes="annotate-output")]


def step_row(number: int, step: AnyStep) -> Text:
    marks = assemble(
        ("?" if step.ask is not None else " ", "bold yellow"),
        ("¶" if step.annotation else " ", "bold cyan"),
        ("⊘" if step.hidden else " ", "bold red"),
    )
    row = assemble(
        (f"{number:>3} ", "dim"),
        (f"{KIND_ICONS[step.kind]} ", "bold"),
        line(f"{step.id:<6} ", "bold"),
        marks,
        " ",
        line(step_summary(step), "dim"),
        no_wrap=True,
        overflow="ellipsis",
    )
    if step.hidden:
        row.stylize("strike dim", 4)
    return row


class StepList(OptionList):
    """The trajectory, one row per step: its place, kind, id, markers (? ask, ¶ annotation, ⊘ hidden)."""

    BINDINGS = [
        Binding("h", "toggle_hidden", "Hide/show", id="annotate-hide", tooltip="Hide this step from learners, or show it again"),
    ]

    class ToggleHidden(Message):
        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    def action_toggle_hidden(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.ToggleHidden(option.id))


class CategoryKeys(CategoryPicker):
    """The shared one-key category picker, marking the category the correction has now."""

    def __init__(self, current: Category, **kwargs: Any) -> None:
        self.current = current
        super().__init__(**kwargs)

    def _table(self) -> Text:  # compact: a grid of keys, then what the chosen one means
        text = plain()
        for index, (key, category) in enumerate(CATEGORY_KEYS.items()):
            if index and index % CATEGORY_COLUMNS == 0:
                text.append("\n")
            text.append(f" {key} ", "bold reverse")
            name = f" {category}"
            text.append(name, "bold underline" if category == self.current.value else "")
            text.append(" " * (CATEGORY_WIDTH - len(name)))
        text.append(f"\n● {self.current.value}: ", "bold")
        text.append(CATEGORY_MEANINGS[self.current], "italic")
        return text

    def show(self, current: Category) -> None:
        self.current = current
        self.update(self._table())


class LeaveAnnotate(Choice):
    """Unsaved changes: save ("save"), leave without them ("discard"), or stay (None)."""

    def __init__(self, why: str) -> None:
        answers = [
            Answer(("y",), "save and leave", "save", button="annotate-leave-save", button_label="Save  y", variant="primary"),
            Answer(("n",), "leave without saving", "discard", button="annotate-leave-discard", button_label="Don't save  n", variant="error"),
            Answer(("c", "escape"), "cancel", None, button="annotate-leave-cancel", button_label="Cancel  c"),
        ]
        super().__init__(why, answers, hint="Save? y: save and leave · n: leave without saving · c or escape: cancel", dialog_id="annotate-leave-dialog")


def calls_of(lesson: Any) -> dict[str, Call]:
    """Each result step's call (by the result's id): the call of the agent step before it that it answers."""
    found: dict[str, Call] = {}
    latest: dict[str, Call] = {}
    for step in lesson.steps:
        if isinstance(step, AgentStep):
            latest = {call.id: call for call in step.calls}
        elif isinstance(step, ResultStep) and step.call in latest:
            found[step.id] = latest[step.call]
    return found


def ask_widgets(lesson: Any, step: AnyStep) -> tuple[list[Widget], dict[str, Any]]:
    """The ask's part of the editor for one step, and the values its fields start with (by field name)."""
    label = Static("Ask · the learner answers it before the reveal", classes="label")
    if step.hidden:
        return [label, Static("A hidden step asks nothing: learners never see it.", classes="hint")], {}
    ask = step.ask
    allowed = [ask_type.value for ask_type in ask_types_for(lesson, step.id)]
    current = ask.type if ask is not None else NO_ASK
    options = [("No ask", NO_ASK)] + [(f"{ASK_LABELS[kind]} ({kind})", kind) for kind in allowed]
    prompt = ask.prompt if ask is not None and ask.prompt != DEFAULT_PROMPTS[ask.type] else ""
    items: list[str] = []
    if isinstance(ask, GoalAsk):
        items = ask.rubric
    elif isinstance(ask, InterveneAsk):
        items = ask.key_points
    elif isinstance(ask, ChoiceAsk):
        items = ask.options
    answer = str(ask.answer + 1) if isinstance(ask, ChoiceAsk) else ""
    explain = ask.explain if isinstance(ask, ChoiceAsk) else ""
    lines_text = "\n".join(items)
    seen = {"ask-type": current, "ask-prompt": prompt, "ask-lines": lines_text, "ask-answer": answer, "ask-explain": explain}
    fields = Vertical(id="annotate-ask-fields")
    for widget in (
        Static("Question (blank: the usual one)", id="annotate-ask-prompt-label", classes="label"),
        Input(text_of(prompt, limit=None), id="annotate-ask-prompt", placeholder=DEFAULT_PROMPTS.get(current, "")),
        Static("", id="annotate-ask-lines-label", classes="label"),
        TextArea(text_of(lines_text, limit=None), id="annotate-ask-lines", classes="annotate-lines", soft_wrap=True, tab_behavior="focus"),
        Static("Answer: the number of the right option", id="annotate-ask-answer-label", classes="label"),
        Input(answer, id="annotate-ask-answer", type="integer", placeholder="1"),
        Static("Explain (shown after the answer)", id="annotate-ask-explain-label", classes="label"),
        TextArea(text_of(explain, limit=None), id="annotate-ask-explain", classes="annotate-lines", soft_wrap=True, tab_behavior="focus"),
    ):
        fields.compose_add_child(widget)
    widgets: list[Widget] = [
        label,
        Select(options, value=current, allow_blank=False, id="annotate-ask-type", tooltip="Which question the learner answers here (only the types that may stand on this step)"),
        fields,
        Static("", id="annotate-ask-error", classes="annotate-error"),
    ]
    return widgets, seen


def show_ask_fields(node: DOMNode) -> None:
    """Show the fields the chosen ask type has, labelled for it (`node`: the editor's screen)."""
    selects = node.query("#annotate-ask-type")
    if not selects:
        return
    kind = str(selects.first(Select).value)
    fields = node.query_one("#annotate-ask-fields")
    fields.display = kind != NO_ASK
    if kind == NO_ASK:
        return
    node.query_one("#annotate-ask-prompt", Input).placeholder = DEFAULT_PROMPTS[kind] or "The question (required)"
    node.query_one("#annotate-ask-prompt-label", Static).update("Question" if kind == "choice" else "Question (blank: the usual one)")
    has_lines = kind in LINES_LABELS
    node.query_one("#annotate-ask-lines-label", Static).update(LINES_LABELS.get(kind, ""))
    for field_id in ("#annotate-ask-lines-label", "#annotate-ask-lines"):
        node.query_one(field_id).display = has_lines
    for field_id in ("#annotate-ask-answer-label", "#annotate-ask-answer", "#annotate-ask-explain-label", "#annotate-ask-explain"):
        node.query_one(field_id).display = kind == "choice"
