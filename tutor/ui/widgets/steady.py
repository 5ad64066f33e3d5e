"""Widgets that keep what they drew when told they are the size they drew it at."""

from __future__ import annotations

from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip


class KeepsDrawing:
    """For a Textual widget that forgets what it drew on every Resize: a Resize to the size it last drew at is dropped.

    `DataTable` forgets every cell it rendered, and `OptionList` (the lesson's timeline)
    every line, on each Resize event. The first comes just after a widget's first frame
    (Textual lays the screen out, paints, then tells each widget its size), so the first
    key waited while every visible cell or line was drawn again before acting. Textual calls each class's handler in turn, this one
    first (it comes first in the widget's bases), unless one prevents the rest.
    """

    _drawn_at: Size | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn_at = self.size  # type: ignore[attr-defined]  # mixed into a Widget
        return super().render_lines(crop)  # type: ignore[misc]  # the Widget's own

    def _on_resize(self, event: events.Resize | None = None) -> None:  # Textual passes the event (`OptionList`'s takes none)
        if event is not None and event.size == self._drawn_at:
            event.prevent_default()
