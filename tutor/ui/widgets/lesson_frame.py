"""The lesson screen's frame: the task, step, question or score card on show, scrolled as one."""

from __future__ import annotations

from textual.containers import VerticalScroll


class LessonFrame(VerticalScroll, can_focus=True):
    """Focused, it takes the lesson's keys (n, p, scrolling) and shows it with a tint of its own background.

    Textual styles a widget and everything in it again whenever its focus changes, in case a rule
    depends on it. Focus moves between the frame and a question's first field each time a question
    shows and each time its answer is revealed, so every widget just mounted was styled twice: a
    third of showing a question. No rule of Tutor's depends on the frame's focus but its own
    (`#frame:focus`), so only the frame is styled again; what is in it is drawn again, on the new tint.
    """

    def watch_has_focus(self, _has_focus: bool) -> None:
        self.app.stylesheet.update_nodes([self], animate=True)
        for node in self.walk_children():
            node.refresh()
