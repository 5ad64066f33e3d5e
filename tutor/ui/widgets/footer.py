"""The footer of every screen: on a narrow terminal it packs its keys tight, so none is cut off."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

# Below this many columns the footer drops its spacing and the palette key (ctrl+p still opens it).
NARROW_COLUMNS = 110


class TutorFooter(Footer):
    def on_mount(self) -> None:
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(self.app.size.width)

    def _fit(self, columns: int) -> None:
        narrow = columns < NARROW_COLUMNS
        self.compact = narrow
        self.show_command_palette = not narrow
