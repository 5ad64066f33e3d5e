"""Rendering one revealed step: Markdown for prose, a capped log for output, a coloured diff for edits."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.highlighter import Highlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.strip import Strip
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Collapsible, Log, Static

from tutor.lesson import AgentStep, AnyStep, Call, CorrectionStep, GoalStep, NoteStep, PromptStep, ResultStep
from tutor.lesson.diffs import file_diff

from tutor.words import plural

from ..glyphs import KIND_ICONS, KIND_LABELS
from ..plain import LINE_LIMIT, assemble, command, line as one_line, plain, text_of
from .prose import Prose, inline_markdown
from .style_once import StyleOncePerDraw

MAX_OUTPUT_LINES = 2000
MAX_DIFF_LINES = 1500


_MORE_DIFF = "\N{HORIZONTAL ELLIPSIS} "  # the line saying how much of a long diff is left out (no diff line starts so)


def diff_line_style(line: str) -> str:
    """The style a diff's line is drawn in, by how it starts: headers bold, hunks cyan, additions green, removals red."""
    if line.startswith(("+++", "---")):
        return "bold"
    if line.startswith("@@"):
        return "cyan"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    if line.startswith(_MORE_DIFF):
        return "dim italic"
    return ""


def diff_lines(diff: str) -> list[str]:
    """A diff's lines as shown: at most `MAX_DIFF_LINES`, each through the boundary, then how many were left out."""
    return _shown(diff, MAX_DIFF_LINES, _MORE_DIFF + "{} more lines of diff not shown")


def diff_text(diff: str) -> Text:
    """A diff as one Text (for a viewer that scrolls it whole); `DiffLog` draws the same a line at a time."""
    text = plain(no_wrap=True, overflow="ellipsis")
    for line in diff_lines(diff):
        text.append(line + "\n", diff_line_style(line))
    text.rstrip()
    return text


def edit_diff(call: Call) -> str:
    path = str(call.input.get("path", "file"))
    old = str(call.input.get("old", ""))
    new = str(call.input.get("new", call.input.get("content", "")))
    return "\n".join(file_diff(path, old, new))


def call_widgets(call: Call) -> list:
    """What the agent proposes to do with one tool call (commands and paths shown exactly: every invisible character marked)."""
    tool, data = call.tool, call.input
    if tool == "run":
        return [Static(assemble(("$ ", "bold"), command(data.get("command", ""), "bold")), classes="command")]
    if tool == "edit_file":
        return [
            Static(assemble(("edit ", "bold"), command(data.get("path", ""), limit=LINE_LIMIT)), classes="call-title"),
            DiffLog(edit_diff(call)),
        ]
    if tool == "write_file":
        content = str(data.get("content", ""))
        return [
            Static(assemble(("write ", "bold"), command(data.get("path", ""), limit=LINE_LIMIT), (f"  ({plural(len(content.splitlines()), 'line')})", "dim")), classes="call-title"),
            DiffLog("\n".join("+" + line for line in content.splitlines())),
        ]
    if tool in ("read_file", "list_files"):
        verb = "read" if tool == "read_file" else "list"
        return [Static(assemble((f"{verb} ", "bold"), command(data.get("path", "."), limit=LINE_LIMIT)), classes="call-title")]
    return [Static(assemble(one_line(f"{tool} ", "bold"), plain(str(data)[:400])), classes="call-title")]


class ShownLines(StyleOncePerDraw, Log):
    """Lines of text (each already through the boundary), drawn line by line only where they are scrolled into view.

    The text is written once the widget is mounted: `Log` measures the lines' width in a
    thread worker that needs the app, so lines written before mounting ended the app with
    NoActiveAppError (Python 3.12+), as could a log removed while that thread still ran
    (a learner stepping on quickly). Here the measuring is done in place, at once; it is
    a fraction of a millisecond for the 2,000 lines shown at most. `Log.write` would
    measure in place too, but line by line, twelve times slower.
    """

    def __init__(self, lines: list[str], *, classes: str, line_style: Callable[[str], str] | None = None) -> None:
        super().__init__(highlight=line_style is not None, auto_scroll=False, classes=classes)
        self._line_style = line_style
        if line_style is not None:
            self.highlighter = _LineStyles(line_style)  # Log's own drawing, kept for a line with text selected in it
        # `write_lines` splits every line again, and an empty line splits into nothing:
        # a blank line is written as one space, so it stays a line.
        self._unwritten = [line or " " for line in lines]

    def on_mount(self) -> None:
        self.write_lines(self._unwritten)
        self._unwritten = []

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]  # replaces Log's thread worker (Textual is pinned)
        if lines:
            self._update_maximum_width(updates, max(cell_len(self._process_line(line)) for line in lines))

    def _render_line_strip(self, y: int, rich_style: Style) -> Strip:
        """A line as one segment: it has one style throughout (Textual is pinned). `Log` lays each line out as a Rich
        Text, which is most of its cost, and keeps none (its cache is filled only while text is selected)."""
        if self.text_selection is not None:
            return super()._render_line_strip(y, rich_style)
        text = self._process_line(self._lines[y])
        extra = self._line_style(text) if self._line_style is not None else ""
        # Rich keeps the styles it parsed (`Style.parse` is cached): a diff's few styles are parsed once.
        return Strip([Segment(text, rich_style + Style.parse(extra) if extra else rich_style)], cell_len(text))


class _LineStyles(Highlighter):
    """A line's style (`ShownLines`' `line_style`) as a Rich highlighter, for `Log`'s own drawing of a line."""

    def __init__(self, line_style: Callable[[str], str]) -> None:
        self._line_style = line_style

    def highlight(self, text: Text) -> None:
        style = self._line_style(text.plain)
        if style:
            text.stylize(style)


def _shown(text: str, cap: int, left_out: str) -> list[str]:
    """`text`'s lines, at most `cap`, each through the boundary (Log hides only some controls, and never an escape
    sequence), and a last line saying how many were left out (`left_out`, formatted with that number)."""
    lines = text.splitlines()
    shown = [text_of(line, limit=LINE_LIMIT) for line in lines[:cap]]
    if len(lines) > cap:
        shown.append(left_out.format(len(lines) - cap))
    return shown


class OutputLog(ShownLines):
    """What a command printed, capped."""

    def __init__(self, output: str) -> None:
        super().__init__(_shown(output, MAX_OUTPUT_LINES, "\N{HORIZONTAL ELLIPSIS} {} more lines not shown") or ["(no output)"], classes="output")


def output_log(output: str) -> OutputLog:
    return OutputLog(output)


class DiffLog(ShownLines):
    """A diff drawn as `diff_text` draws it (`diff_lines`, `diff_line_style`), but a line at a time where it is in view: revealing an edit of 400 lines
    styled and laid out every line before its first frame (most of that key press), where a few dozen are seen.

    A focus stop, as a command's output is: a diff longer than its box (the `Static` it replaces was cut at its box's
    height) is scrolled with the arrow and page keys once tabbed to, or with the mouse.
    """

    DEFAULT_CSS = """
    DiffLog {
        height: auto;
        overflow-y: auto;
    }
    """

    def __init__(self, diff: str) -> None:
        super().__init__(diff_lines(diff) or [" "], classes="diff", line_style=diff_line_style)


def step_body(step: AnyStep, call: Call | None = None) -> list:
    """The widgets showing a step's content (without its heading or annotation)."""
    widgets: list = []
    if isinstance(step, GoalStep):
        widgets.append(Prose(step.text, classes="prose"))
        if step.criteria:
            widgets.append(Prose("**Done when**\n\n" + "\n".join(f"- {c}" for c in step.criteria), classes="prose"))
    elif isinstance(step, PromptStep):
        widgets.append(Static("The senior to the agent:", classes="label"))
        widgets.append(Prose(step.text, classes="prose prompt"))
    elif isinstance(step, AgentStep):
        if step.text:
            widgets.append(Prose(step.text, classes="prose"))
        for each in step.calls:
            widgets.extend(call_widgets(each))
    elif isinstance(step, ResultStep):
        mark, style = ("✓ worked", "green") if step.ok else ("✗ failed", "red")
        line = assemble((mark, f"bold {style}"))
        if step.exit_code is not None:
            line.append(f"  exit code {step.exit_code}", "dim")
        if call is not None:
            target = call.input.get("command") if call.tool == "run" else f"{call.tool} {call.input.get('path', '')}"
            line.append(one_line(f"  {target}", "bold", limit=LINE_LIMIT, exact=True))
        widgets.append(Static(line, classes="verdict"))
        widgets.append(output_log(step.output))
    elif isinstance(step, CorrectionStep):
        widgets.append(
            Static(
                assemble(("✋ The senior stepped in: ", "bold"), (step.category.value, "bold reverse"), f"  {step.category.meaning}"),
                classes="verdict",
            )
        )
        widgets.append(Prose(step.text, classes="prose prompt"))
        if step.why:
            widgets.append(Prose("**Why:** " + step.why, classes="prose"))
    elif isinstance(step, NoteStep):
        widgets.extend(note_widgets(step))
    return widgets


def note_widgets(step: NoteStep) -> list:
    """A note, and its details folded under it: a one-line note is the title of its details, a longer one stands above them."""
    if not step.details.strip():
        return [Prose(step.text, classes="prose")]
    lines = [line for line in step.text.splitlines() if line.strip()]
    if len(lines) == 1:
        return [NoteDetails(lines[0], step.details)]
    return [Prose(step.text, classes="prose"), NoteDetails("", step.details)]


class NoteDetails(Collapsible):
    """A note's details: collapsed until opened (a click, or enter on its title), drawn as the lesson's other Markdown.

    The title is the note's line (inline Markdown, as a choice's option is) or "Details";
    it is handed to the title as a Rich `Text`, so nothing in it is read as Textual markup.
    """

    DEFAULT_CSS = """
    NoteDetails {
        margin-top: 1;
        padding-bottom: 0;
    }
    NoteDetails > CollapsibleTitle {
        width: 1fr;
    }
    """

    def __init__(self, title: str, details: str) -> None:
        self.heading = inline_markdown(title) if title.strip() else Text("Details")  # before Collapsible's own setup, which shows it
        super().__init__(Prose(details, classes="prose note-details"), title="Details", collapsed=True, classes="note-details")

    def _watch_title(self, title: str) -> None:
        """Replaces Collapsible's, which hands the title on as a `str` (read as markup): the heading goes as text."""
        self._title.label = self.heading


class StepView(Vertical):
    """A revealed step: its heading, the grade of the learner's answer (verdict first), the
    learner's own check of the senior's points when it is due, the step itself, the code it
    changed (mounted into `.step-code` once read), and last the senior's note."""

    DEFAULT_CLASSES = "step-view"

    def __init__(
        self, number: int, total: int, step: AnyStep, call: Call | None = None, *, grade: Widget | None = None, check: Widget | None = None
    ) -> None:
        super().__init__(classes=f"step-view kind-{step.kind}")
        self.number, self.total, self.step, self.call = number, total, step, call
        self.grade, self.check = grade, check

    def compose(self) -> ComposeResult:
        yield Static(
            assemble((f"{KIND_ICONS[self.step.kind]} {KIND_LABELS[self.step.kind]}", "bold"), (f"   step {self.number} of {self.total}", "dim")),
            classes="step-title",
        )
        if self.grade is not None:
            yield self.grade
        if self.check is not None:
            yield self.check  # the learner's own check is due now: right under the verdict, in view
        yield from step_body(self.step, self.call)
        if getattr(self.step, "commit", None):
            yield Vertical(classes="step-code")  # the code changed at this step, once read (`LessonScreen.load_step_diff`)
        if self.step.annotation:
            note = Prose(self.step.annotation, classes="prose annotation")
            note.border_title = "Senior's note"
            yield note
