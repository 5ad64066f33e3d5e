"""How long each question was on screen before its answer: the `seconds` stored with an answer.

The rule: a monotonic clock runs for a question while it is on screen in this run of Tutor,
waiting for an answer. It starts when the question is shown, stops when something else is
shown (the learner went back, jumped on the timeline) or the app is suspended (ctrl+z), and
starts again when the question is shown again; the spans add up. Time from an earlier run
(before quitting and resuming the lesson) is not known and not counted: after a resume the
clock starts when the question is shown again. Screens opened on top of the lesson (the code
to investigate, help) do not stop it: the learner is still at the question. The result is
rounded to 0.1 s and never negative; None when the question was never shown in this run.

The replay engine (`tutor.learn.replay`) knows no clock: the lesson screen tells its run when
a question is shown or hidden, and the run asks this clock at commit time.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class AnswerClock:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._spent: dict[str, float] = {}  # step id → seconds on screen in earlier spans
        self._open: tuple[str, float] | None = None  # the question on screen now, and since when

    def shown(self, step_id: str) -> None:
        """The question of `step_id` is on screen (again); showing it while it runs changes nothing."""
        if self._open is not None and self._open[0] == step_id:
            return
        self.hidden()
        self._open = (step_id, self._clock())

    def hidden(self) -> None:
        """No question is on screen any more (or the app is suspended): the running span ends."""
        if self._open is None:
            return
        step_id, since = self._open
        self._open = None
        self._spent[step_id] = self._spent.get(step_id, 0.0) + max(0.0, self._clock() - since)

    def take(self, step_id: str) -> float | None:
        """The question of `step_id` was answered: its seconds on screen (0.1 s), or None if never shown in this run."""
        if self._open is not None and self._open[0] == step_id:
            self.hidden()
        spent = self._spent.pop(step_id, None)
        return None if spent is None else round(max(0.0, spent), 1)
