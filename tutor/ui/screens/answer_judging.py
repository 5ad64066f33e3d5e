"""Judging a free-text answer's points: Claude when a key is set, else (or when it fails) the learner's own check.

A helper the player screen holds, not a widget: it remembers which answer Claude is judging
and why Claude could not judge others, runs the judge off the key path, and builds the
grade and check shown under a revealed step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.message import Message

from tutor.learn import StepFrame, View

from ..widgets.grade_panel import GradePanel
from ..widgets.point_check import PointCheck, PointRow


@dataclass
class Judged(Message):
    """Claude's judgement of an answer's points arrived (or why there is none)."""

    step_id: str
    judgement: Any  # a tutor.learn Judgement, or None when Claude could not judge
    notice: str


class AnswerJudging:
    def __init__(self, screen: Any) -> None:
        self.screen = screen  # the player screen: its run, its app's judge, its workers and messages
        self.judging: str | None = None  # the step whose answer Claude is judging now
        self.notices: dict[str, str] = {}  # steps Claude could not judge, and why

    def claude_will_judge(self, step_id: str) -> bool:
        """Whether Claude judges this answer (a judge is set up and has not failed on it)."""
        return getattr(self.screen.app, "judge", None) is not None and step_id not in self.notices

    def start_if_due(self, view: View) -> None:
        frame = view.frame
        if not isinstance(frame, StepFrame) or frame.grade is None or not frame.grade.pending:
            return
        step_id = frame.step.id
        if self.judging is not None or not self.claude_will_judge(step_id):
            return
        self.judging = step_id
        request = self.screen.run.judge_request(step_id)
        self.screen.run_worker(partial(self._judge, step_id, request), name="judge_answer", group="judge", exclusive=True, exit_on_error=True)

    async def _judge(self, step_id: str, request: Any) -> None:
        """Claude's judgement, off the key path; on failure, the learner's own check with the reason."""
        from tutor.services.errors import JudgeUnavailable

        try:
            judgement = await self.screen.app.judge.judge(request)
        except JudgeUnavailable as failure:
            self.screen.post_message(Judged(step_id, None, failure.notice))
            return
        self.screen.post_message(Judged(step_id, judgement, ""))

    def panels(self, frame: StepFrame) -> tuple[GradePanel | None, PointCheck | None]:
        """The grade of a revealed step's answer, and the learner's own check when its points await them."""
        grade = check = None
        if frame.committed is not None and frame.grade is not None:
            judging = frame.grade.pending and self.judging == frame.step.id
            grade = GradePanel(frame.step, frame.committed, frame.grade, judging=judging)
            if frame.grade.pending and not judging and not self.claude_will_judge(frame.step.id):
                check = PointCheck(frame.step.id, self._point_rows(frame.grade), notice=self.notices.get(frame.step.id, ""))
        return grade, check

    def _point_rows(self, grade: Any) -> list[PointRow]:
        from tutor.learn import Verdict
        from tutor.services.judging import answer_text, point_hints

        rows = []
        for each in point_hints(grade, answer_text(grade, self.screen.run.replay)):
            found = each.hint
            opposite = found.evidence if found.verdict is Verdict.CONTRADICTED else ""
            rows.append(PointRow(each.point, found.matched, opposite))
        return rows

    def judgement_of(self, event: Judged | PointCheck.Checked) -> Any:
        """The judgement to record: Claude's, or the learner's marks; None when Claude could not judge (the reason is kept)."""
        from tutor.learn import Judge, Judgement, PointVerdict

        if isinstance(event, PointCheck.Checked):
            marks = tuple(PointVerdict(index, verdict) for index, verdict in enumerate(event.marks))
            return Judgement(Judge.SELF, marks, notice=self.notices.get(event.step_id, ""))
        self.judging = None
        if event.judgement is None:
            self.notices[event.step_id] = event.notice
        return event.judgement
