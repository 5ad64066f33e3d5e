"""The annotate screen: a lesson's teaching layer, edited beside its trajectory.

The steps themselves are history and shown read-only. Every change goes through
`tutor.lesson.edit`, which refuses (with a reason shown here) anything that would
not validate, so the lesson the screen holds is always one `tutor validate` passes;
a draft that was refused is kept only in its fields, and blocks saving until fixed.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Header, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from tutor.lesson import AnyStep, ResultStep
from tutor.lesson.edit import EditRefused, lines
from tutor.lesson.taxonomy import Category

from ..glyphs import KIND_ICONS, KIND_LABELS
from ..widgets.footer import TutorFooter
from ..widgets.live import CategoryPicker
from ..widgets.prose import Prose
from ..widgets.step_view import step_body
from ..plain import assemble, plain, text_of
from .annotate_parts import (
    NO_ASK,
    CategoryKeys,
    LeaveAnnotate,
    StepList,
    ask_widgets,
    calls_of,
    result_body,
    show_ask_fields,
    step_row,
)

PREVIEW_DELAY = 0.3  # seconds of quiet typing before the Markdown preview is redrawn


def _name(widget: Widget) -> str | None:
    """A field's name: its id without the screen's prefix (ids are global to the stylesheet)."""
    return widget.id.removeprefix("annotate-") if widget.id else None


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
            yield StepList(*[Option(step_row(number, step), id=step.id) for number, step in enumerate(self.lesson.steps, 1)], id="annotate-steps")
            yield VerticalScroll(id="annotate-detail")
        yield TutorFooter()

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
        show_ask_fields(self)
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
            body = result_body(step, calls_of(self.lesson).get(step.id))
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
        ask, seen = ask_widgets(self.lesson, step)
        self._seen.update(seen)
        widgets += ask
        self._seen["hidden"] = step.hidden
        widgets.append(
            Checkbox("Hidden from learners (h in the step list)", step.hidden, id="annotate-hidden", tooltip="A step that teaches nothing can be hidden; the trajectory keeps it")
        )
        return widgets

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
            show_ask_fields(self)
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
