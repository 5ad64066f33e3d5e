"""The review queue: missed questions asked again, in the same panels as a lesson."""

from __future__ import annotations

from textual.widgets import Static

from tutor.learn import View
from tutor.services.reviews import ReviewDone
from tutor.words import plural

from .lesson import PlayerScreen
from ..plain import plain


class ReviewScreen(PlayerScreen):
    async def show_view(self, focus_answer: bool = True) -> None:
        self.sub_title = self.run.title
        await super().show_view(focus_answer)

    def other_frame_widgets(self, view: View) -> list:
        frame = view.frame
        if isinstance(frame, ReviewDone):
            if frame.reviewed == 0:
                lines = ["Nothing is due for review today.", "Missed questions come back here a day later, then further apart as you get them right."]
            else:
                lines = [f"Review done: {frame.right} of {frame.reviewed} right.", "Cards you got right come back later; the others, tomorrow."]
            if frame.left_out:
                why = "was left out: its lesson or question" if frame.left_out == 1 else "were left out: their lesson or question"
                lines.append(f"{plural(frame.left_out, 'card')} {why} no longer exists.")
            return [Static(plain("★ " + lines[0], "bold"), classes="step-title"), *[Static(line, classes="label") for line in lines[1:]], Static("escape: back to the library", classes="hint")]
        return super().other_frame_widgets(view)
