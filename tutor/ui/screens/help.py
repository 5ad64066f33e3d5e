"""The keys, on `?`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

KEYS = """\
# Keys

| key | what it does |
| --- | --- |
| `n` or `→` | next step (when no text field has focus) |
| `p` or `←` | previous step (when no text field has focus) |
| `ctrl+s` | submit the current answer, from anywhere on the screen |
| `ctrl+g` | skip the current question: it scores zero and the step is revealed |
| `1` `2` `3` | confidence: low, medium, high (when no text field has focus) |
| `tab` / `shift+tab` | move between fields |
| `enter` / `space` | choose the highlighted option |
| `r` | retry a finished lesson (a new attempt), or open the review queue from the library |
| `i` | investigate the code at the revealed steps (lessons with a repository) |
| `c` | continue the last lesson (library) |
| `escape` | back to the library (your place is saved) |
| `ctrl+p` | command palette: open any lesson, the review queue, every action |
| `?` | this help |
| `q` | quit (when no text field has focus) |
| `ctrl+q` | quit, always |

After you submit or skip, the answer field lets go of the keyboard, so `n` works at once.
Your progress is saved after every answer and every move.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(KEYS)
