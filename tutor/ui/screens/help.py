"""The keys of the screen on show, on `?`: its own help (Textual's `HELP`) or a table of its bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

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
