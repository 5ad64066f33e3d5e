"""The keys of the screen on show, on `?`: its own help (Textual's `HELP`) or a table of its bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

# The lesson screens' keys (LessonScreen.HELP): they need more words than a binding's tooltip.
LESSON_KEYS = """\
# Keys

While a question's answer form has focus, letters are the form's: they type into its
text fields and never move, quit or open anything. `escape` leaves the form; then the
single-letter keys act again, and `tab` goes back in. What you put in a form is kept as a
draft until you submit it: through `p` and `n`, leaving, and quitting.

| key | what it does |
| --- | --- |
| `n` or `→` | next step (outside an answer form) |
| `p` or `←` | previous step (outside an answer form) |
| `ctrl+s` | submit the current answer, from anywhere on the screen |
| `ctrl+g` | skip the current question: it scores zero and the step is revealed |
| `y` `p` `n` | your own check, after a reveal: mark each of the senior's points (I said this, partly, no); `enter` records the marks |
| `1` `2` `3` | confidence: low, medium, high (when no text field has focus) |
| `tab` / `shift+tab` | move between fields |
| `enter` / `space` | choose the highlighted option |
| `escape` | leave the answer form; outside it, back to the library (your place and draft are kept) |
| `i` | investigate the code as of the steps revealed so far (lessons with a repository) |
| `ctrl+o` | the same, from inside an answer form |
| `r` | retry a finished lesson (a new attempt) |
| `n` on the score card | the next lesson of the curriculum |
| `ctrl+p` | command palette: open any lesson, the review queue, every action |
| `?` | this help |
| `q` | quit (outside an answer form); with a drafted answer it asks first |
| `ctrl+q` | quit, from anywhere; with a drafted answer it asks first (`y` quits, the draft is kept) |

After you submit or skip, the answer form lets go of the keyboard, so `n` works at once.
Keys you press while a screen is still opening are kept and act, in order, once it can.
Your progress is saved after every answer and every move.
"""


# How a few keys read in the table (the rest read as Textual names them: `ctrl+s`, `escape`).
_KEY_NAMES = {"question_mark": "?", "right": "→", "left": "←", "up": "↑", "down": "↓"}


def keys_of(screen: Screen) -> str:
    """The help for `screen` only, as Markdown: the screen's own `HELP` when it has one, else
    every key it answers now with what it does: its own bindings first, then those its widgets
    show in the footer, then the app's (a widget's plain cursor keys are left out)."""
    if screen.HELP:
        return screen.HELP
    rows: dict[tuple[int, str], tuple[list[str], str]] = {}
    order = {screen: 0, screen.app: 2}
    bindings = sorted(screen.active_bindings.items(), key=lambda item: order.get(item[1].node, 1))
    for key, active in bindings:
        binding = active.binding
        if not binding.description or (active.node not in order and not binding.show):
            continue
        keys, _ = rows.setdefault((id(active.node), binding.action), ([], binding.tooltip or binding.description))
        keys.append(f"`{_KEY_NAMES.get(key, key)}`")
    lines = ["# Keys", "", "| key | what it does |", "| --- | --- |"]
    lines += [f"| {' or '.join(keys)} | {what.replace('|', '/')} |" for keys, what in rows.values()]
    return "\n".join(lines) + "\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self._keys = keys_of(screen)  # read now: once this is on top, the screen's bindings are no longer active

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(self._keys)
