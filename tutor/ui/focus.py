"""Focus that shows in the frame painted next, not one frame later."""

from __future__ import annotations

from textual.widget import Widget


def focus_at_once(widget: Widget, *, scroll_visible: bool = True) -> None:
    """Focus `widget`, and have the next frame draw it focused.

    `Widget.focus` moves the focus after the current message, and Textual marks a widget
    focused (`has_focus`, hence its `:focus` styles) only when the widget handles its
    Focus event: on a screen being mounted both come after the first frame is painted.
    That frame showed the widget unfocused, and the first key then waited while it was
    restyled and repainted whole (the library's table of lessons: every visible cell
    again, 20-40 ms) before acting. Here the screen's focus moves now, and the flag Textual
    (pinned) sets when the event arrives is set now too; the event still follows.
    """
    screen = widget.screen
    screen.set_focus(widget, scroll_visible=scroll_visible)
    if screen.focused is widget:
        widget.has_focus = True
