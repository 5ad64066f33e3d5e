"""The annotate screen: a lesson's teaching layer, edited beside its trajectory.

The steps themselves are history and shown read-only. Every change goes through
`tutor.lesson.edit`, which refuses (with a reason shown here) anything that would
not validate, so the lesson the screen holds is always one `tutor validate` passes;
a draft that was refused is kept only in its fields, and blocks saving until fixed.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Header, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from tutor.lesson import AgentStep, AnyStep, Call, ChoiceAsk, GoalAsk, InterveneAsk, OutcomeAsk, ResultStep
from tutor.lesson.edit import EditRefused, ask_types_for, lines
from tutor.lesson.taxonomy import CATEGORY_MEANINGS, Category

from ..glyphs import ASK_LABELS, CATEGORY_KEYS, KIND_ICONS, KIND_LABELS
from ..widgets.footer import TutorFooter
from ..widgets.live import CategoryPicker
from ..widgets.prose import Prose
from ..widgets.step_view import step_body
from ..plain import assemble, line, plain, text_of

MAX_OUTPUT_LINES = 200  # the editor shows what a result printed to remind, not to read in full
CATEGORY_COLUMNS, CATEGORY_WIDTH = 3, 15  # the picker's grid: fits the narrowest detail pane
PREVIEW_DELAY = 0.3  # seconds of quiet typing before the Markdown preview is redrawn
NO_ASK = "none"
DEFAULT_PROMPTS = {
    "goal": GoalAsk.model_fields["prompt"].default,
    "outcome": OutcomeAsk.model_fields["prompt"].default,
    "intervene": InterveneAsk.model_fields["prompt"].default,
    "choice": "",
}
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


def _name(widget: Widget) -> str | None:
    """A field's name: its id without the screen's prefix (ids are global to the stylesheet)."""
    return widget.id.removeprefix("annotate-") if widget.id else None


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


class LeaveAnnotate(ModalScreen[str | None]):
    """Unsaved changes: save, leave without them, or stay."""

    BINDINGS = [
        Binding("y", "choose('save')", "Save", id="leave-save", tooltip="Save lesson.json, then leave"),
        Binding("n", "choose('discard')", "Don't save", id="leave-discard", tooltip="Leave; the changes are lost"),
        Binding("c,escape", "choose(None)", "Cancel", id="leave-cancel", tooltip="Stay in the editor"),
    ]

    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(id="annotate-leave-dialog"):
            yield Static(plain(self.why, "bold"))
            yield Static("Save? y: save and leave · n: leave without saving · c or escape: cancel", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Save  y", id="annotate-leave-save", variant="primary")
                yield Button("Don't save  n", id="annotate-leave-discard", variant="error")
                yield Button("Cancel  c", id="annotate-leave-cancel")

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"annotate-leave-save": "save", "annotate-leave-discard": "discard"}.get(event.button.id or ""))


class AnnotateScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="annotate-save", tooltip="Validate, then write lesson.json (repo.bundle is never touched)"),
        Binding("escape", "leave", "Leave", id="annotate-leave", tooltip="Close the editor (asks first when something is unsaved)"),
        Binding("q", "leave", "Leave", show=False, id="annotate-quit", tooltip="Close the editor (asks first when something is unsaved)"),
    ]

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session  # a tutor.services.annotate.AnnotateSession
        self.step_id: str | None = None
        # Field id -> the value last seen: a widget reports its initial value as a change
        # too, and only a real change may become an edit.
        self._seen: dict[str, Any] = {}
        # Part of the shown step ("ask", ...) -> why its draft was refused. Saving waits for these.
        self._refused: dict[str, str] = {}
        self._fields: dict[str, Widget] = {}  # the editable fields on screen now, by name
        self._preview_timer: Any = None
        self._building = False

    @property
    def editor(self) -> Any:
        return self.session.editor

    @property
    def lesson(self) -> Any:
        return self.session.editor.lesson

    # -- layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="annotate"):
            yield StepList(*self._rows(), id="annotate-steps")
            yield VerticalScroll(id="annotate-detail")
        yield TutorFooter()

    def _rows(self) -> list[Option]:
        return [Option(step_row(number, step), id=step.id) for number, step in enumerate(self.lesson.steps, 1)]

    async def on_mount(self) -> None:
        self._update_title()
        if self.session.built_from_source:
            self.notify(
                "This lesson is built from its source/: change lesson.toml there, or `tutor build --check` will report these edits.",
                severity="warning",
                timeout=10,
            )
        steps = self.query_one(StepList)
        steps.highlighted = 0
        steps.focus()
        await self._show_step(self.lesson.steps[0].id)

    def _update_title(self) -> None:
        self.sub_title = f"annotate · {self.lesson.title}" + (" · unsaved" if self.session.dirty else "")

    def _calls(self) -> dict[str, Call]:
        found: dict[str, Call] = {}
        latest: dict[str, Call] = {}
        for step in self.lesson.steps:
            if isinstance(step, AgentStep):
                latest = {call.id: call for call in step.calls}
            elif isinstance(step, ResultStep) and step.call in latest:
                found[step.id] = latest[step.call]
        return found

    async def _show_step(self, step_id: str, focus: str | None = None) -> None:
        """Rebuild the right side for one step; a refused draft of the step left behind is dropped, and said so."""
        if self._refused and self.step_id is not None:
            reason = next(iter(self._refused.values()))
            self.notify(f"The refused change to {self.step_id} was dropped: {reason}", severity="warning", timeout=6)
        self._refused.clear()
        self.step_id = step_id
        self._seen.clear()
        detail = self.query_one("#annotate-detail", VerticalScroll)
        self._building = True
        try:
            with self.app.batch_update():
                await detail.remove_children()
                await detail.mount_all(self._detail_widgets(self.editor.step(step_id)))
                self._fields = {name: field for field in detail.query("TextArea, Input, Select, Checkbox") if (name := _name(field))}
                detail.scroll_home(animate=False)
        finally:
            self._building = False
        self._show_ask_fields()
        if focus is not None:
            self.query_one(f"#{focus}").focus()

    def _detail_widgets(self, step: AnyStep) -> list[Widget]:
        number = self.lesson.index_of(step.id) + 1
        title = assemble(
            (f"{KIND_ICONS[step.kind]} {KIND_LABELS[step.kind]}", "bold"),
            (f"  {step.id}", "bold"),
            (f"   step {number} of {len(self.lesson.steps)}", "dim"),
        )
        if step.hidden:
            title.append("   hidden from learners", "bold red")
        content = Vertical(classes="annotate-content")
        body: list[Widget]
        if step.kind == "correction":
            body = [Prose(step.text, classes="prose prompt")]  # category and why are edited below
        elif isinstance(step, ResultStep):
            body = result_body(step, self._calls().get(step.id))
        else:
            body = step_body(step)
        for widget in body:
            content.compose_add_child(widget)
        widgets: list[Widget] = [Static(title, classes="step-title"), content]

        annotation = step.annotation or ""
        self._seen["annotation"] = annotation
        widgets += [
            Static("Annotation · Markdown, shown after the reveal", classes="label"),
            TextArea(text_of(annotation, limit=None), id="annotate-annotation", classes="annotate-text", soft_wrap=True, tab_behavior="focus"),
            Static("Preview", classes="label"),
            Prose(annotation or "*(no annotation)*", classes="annotate-preview"),
        ]
        if step.kind == "correction":
            self._seen["why"] = step.why
            widgets += [
                Static("Why the senior stepped in · Markdown", classes="label"),
                TextArea(text_of(step.why, limit=None), id="annotate-why", classes="annotate-text", soft_wrap=True, tab_behavior="focus"),
                Static("Category · focus it and press a key", classes="label"),
                CategoryKeys(step.category, id="annotate-category"),
            ]
        widgets += self._ask_widgets(step)
        self._seen["hidden"] = step.hidden
        widgets.append(
            Checkbox("Hidden from learners (h in the step list)", step.hidden, id="annotate-hidden", tooltip="A step that teaches nothing can be hidden; the trajectory keeps it")
        )
        return widgets

    def _ask_widgets(self, step: AnyStep) -> list[Widget]:
        label = Static("Ask · the learner answers it before the reveal", classes="label")
        if step.hidden:
            return [label, Static("A hidden step asks nothing: learners never see it.", classes="hint")]
        ask = step.ask
        allowed = [ask_type.value for ask_type in ask_types_for(self.lesson, step.id)]
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
        self._seen.update({"ask-type": current, "ask-prompt": prompt, "ask-lines": lines_text, "ask-answer": answer, "ask-explain": explain})
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
        return [
            label,
            Select(options, value=current, allow_blank=False, id="annotate-ask-type", tooltip="Which question the learner answers here (only the types that may stand on this step)"),
            fields,
            Static("", id="annotate-ask-error", classes="annotate-error"),
        ]

    def _show_ask_fields(self) -> None:
        """Show the fields the chosen ask type has, labelled for it."""
        selects = self.query("#annotate-ask-type")
        if not selects:
            return
        kind = str(selects.first(Select).value)
        fields = self.query_one("#annotate-ask-fields")
        fields.display = kind != NO_ASK
        if kind == NO_ASK:
            return
        self.query_one("#annotate-ask-prompt", Input).placeholder = DEFAULT_PROMPTS[kind] or "The question (required)"
        self.query_one("#annotate-ask-prompt-label", Static).update("Question" if kind == "choice" else "Question (blank: the usual one)")
        has_lines = kind in LINES_LABELS
        self.query_one("#annotate-ask-lines-label", Static).update(LINES_LABELS.get(kind, ""))
        for field_id in ("#annotate-ask-lines-label", "#annotate-ask-lines"):
            self.query_one(field_id).display = has_lines
        for field_id in ("#annotate-ask-answer-label", "#annotate-ask-answer", "#annotate-ask-explain-label", "#annotate-ask-explain"):
            self.query_one(field_id).display = kind == "choice"

    # -- edits

    def _changed(self, widget: Widget, value: Any) -> bool:
        """Whether a field's report is a real change (and remember it).

        A field of a step shown before can still have reports queued after the side was
        rebuilt: only the fields on screen now may edit the step on screen now.
        """
        name = _name(widget)
        if name is None or self._fields.get(name) is not widget or self._seen.get(name) == value:
            return False
        self._seen[name] = value
        return True

    def _edited(self, *step_ids: str) -> None:
        steps = self.query_one(StepList)
        for step_id in step_ids or (self.step_id,):
            if step_id is None:
                continue
            index = self.lesson.index_of(step_id)
            steps.replace_option_prompt_at_index(index, step_row(index + 1, self.lesson.steps[index]))
        self._update_title()

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        field_id, text = _name(event.text_area), event.text_area.text
        if self.step_id is None or not self._changed(event.text_area, text):
            return
        if field_id == "annotation":
            self.editor.set_annotation(self.step_id, text)
            self._edited()
            if self._preview_timer is not None:
                self._preview_timer.stop()
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._update_preview)
        elif field_id == "why":
            self._try("why", self.editor.set_why, self.step_id, text)
        elif field_id in ("ask-lines", "ask-explain"):
            self._apply_ask()

    def _update_preview(self) -> None:
        from ..widgets.prose import markdown_renderable

        previews = self.query(".annotate-preview")
        if previews and self.step_id is not None:
            text = self.editor.step(self.step_id).annotation or ""
            preview = previews.first(Prose)
            preview.markdown = text or "*(no annotation)*"
            preview.update(markdown_renderable(preview.markdown))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if self.step_id is not None and self._changed(event.input, event.value):
            self._apply_ask()

    @on(Select.Changed, "#annotate-ask-type")
    def _ask_type_changed(self, event: Select.Changed) -> None:
        if self.step_id is not None and self._changed(event.select, str(event.value)):
            self._show_ask_fields()
            self._apply_ask()

    def _apply_ask(self) -> None:
        assert self.step_id is not None
        kind = str(self.query_one("#annotate-ask-type", Select).value)
        if kind == NO_ASK:
            self._try("ask", self.editor.remove_ask, self.step_id)
            return
        items = lines(self.query_one("#annotate-ask-lines", TextArea).text)
        answer_text = self.query_one("#annotate-ask-answer", Input).value.strip()
        try:
            answer = int(answer_text) - 1
        except ValueError:
            answer = -1
        self._try(
            "ask",
            self.editor.set_ask,
            self.step_id,
            kind,
            prompt=self.query_one("#annotate-ask-prompt", Input).value,
            rubric=items,
            key_points=items,
            options=items,
            answer=answer,
            explain=self.query_one("#annotate-ask-explain", TextArea).text,
        )

    def _try(self, part: str, edit: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            edit(*args, **kwargs)
        except EditRefused as refused:
            self._refused[part] = str(refused)
            self._show_refusal(part)
            return False
        self._refused.pop(part, None)
        self._show_refusal(part)
        self._edited()
        return True

    def _show_refusal(self, part: str) -> None:
        if part != "ask":
            if part in self._refused:
                self.notify(f"Not changed: {self._refused[part]}", severity="warning", timeout=5)
            return
        errors = self.query("#annotate-ask-error")
        if errors:
            reason = self._refused.get("ask")
            errors.first(Static).update(plain(f"✗ {reason} (not saved until fixed)", "bold") if reason else "")

    @on(CategoryPicker.Picked)
    def _category_picked(self, event: CategoryPicker.Picked) -> None:
        event.stop()
        if self.step_id is not None and self._try("category", self.editor.set_category, self.step_id, event.category):
            self.query_one(CategoryKeys).show(Category(event.category))
            self.notify(f"Category: {event.category}", timeout=2)

    @on(Checkbox.Changed, "#annotate-hidden")
    async def _hidden_changed(self, event: Checkbox.Changed) -> None:
        if self.step_id is None or not self._changed(event.checkbox, event.value):
            return
        if not await self._set_hidden(self.step_id, event.value, focus="annotate-hidden"):
            self._seen["hidden"] = not event.value  # the box is put back: its report of that is no change
            event.checkbox.value = not event.value

    @on(StepList.ToggleHidden)
    async def _toggle_hidden(self, event: StepList.ToggleHidden) -> None:
        await self._set_hidden(event.step_id, not self.editor.step(event.step_id).hidden)

    async def _set_hidden(self, step_id: str, hidden: bool, focus: str | None = None) -> bool:
        before = {step.id for step in self.lesson.steps if step.hidden}
        try:
            self.editor.set_hidden(step_id, hidden)
        except EditRefused as refused:
            self.notify(f"Cannot {'hide' if hidden else 'show'} {step_id}: {refused}", severity="warning", timeout=6)
            return False
        after = {step.id for step in self.lesson.steps if step.hidden}
        self._edited(*(before ^ after))
        if len(before ^ after) > 1:
            self.notify(f"{'Hidden' if hidden else 'Shown'} with its results: {', '.join(sorted(before ^ after - {step_id}))}", timeout=4)
        # What the step may ask changes with its visibility: its form is rebuilt.
        await self._show_step(self.step_id or step_id, focus=focus)
        return True

    @on(OptionList.OptionHighlighted, "#annotate-steps")
    async def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.step_id and not self._building:
            await self._show_step(event.option.id)

    # -- saving and leaving

    def save(self) -> bool:
        """Write the lesson if everything stands; otherwise say, in one line, what does not."""
        from tutor.services.annotate import AnnotateError

        if self._refused:
            self.notify(f"Not saved: {self.step_id}: {next(iter(self._refused.values()))}", severity="error", timeout=8)
            return False
        try:
            path = self.session.save()
        except AnnotateError as error:
            self.notify(str(error), severity="error", timeout=10)
            return False
        self._update_title()
        self.notify(f"Saved {path}", timeout=4)
        return True

    def action_save(self) -> None:
        self.save()

    def action_leave(self) -> None:
        if not self.session.dirty and not self._refused:
            self._close()
            return
        why = "You have unsaved changes." if not self._refused else f"A change to {self.step_id} was refused: {next(iter(self._refused.values()))}"
        self.app.push_screen(LeaveAnnotate(why), self._left)

    def action_finish(self) -> None:
        """The app's own quit (ctrl+q) asks here first: unsaved edits are never dropped silently."""
        self.action_leave()

    def _left(self, choice: str | None) -> None:
        if choice == "discard" or (choice == "save" and self.save()):
            self._close()

    def _close(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
