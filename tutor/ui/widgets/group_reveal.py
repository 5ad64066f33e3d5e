"""A participant's reveal in a group replay: the senior's step with their own grade, then the room's spread.

Their grade is on their screen alone (the host's shows the room's spread, never anyone's answer).
A free-text answer's points await their own check (`PointCheck`), as in solo replay without
Claude; the marks go to `GroupClient.judge` and into their progress.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Static

from tutor.learn import GoalAnswer, InterveneAnswer, StepFrame, Verdict
from tutor.lesson import AskType
from tutor.services.group_client import ParticipantView

from .grade_panel import GradePanel
from .group_parts import distribution_widget, options_of, senior_answer, senior_labels
from .point_check import PointCheck, PointRow
from .step_view import StepView


def own_reveal(shown: StepFrame, view: ParticipantView) -> list[Widget]:
    """The revealed ask `shown` as this participant sees it: their grade (and check) on the senior's step, the spread."""
    step, grade, committed = shown.step, shown.grade, shown.committed
    panel = check = None
    if grade is not None and committed is not None:
        panel = GradePanel(step, committed, grade)
        if grade.pending:
            check = PointCheck(step.id, point_rows(shown))
    widgets: list[Widget] = []
    if panel is None:
        widgets.append(Static("You did not answer this one.", classes="join-notice"))
    widgets.append(StepView(shown.number, view.total_steps, step, shown.call, grade=panel, check=check))
    if panel is None:
        widgets.extend(senior_answer(step))
    if step.ask is not None and view.first is not None:
        spread = distribution_widget(AskType(step.ask.type), view.first, view.second, min_group=view.min_group, options=options_of(step), senior=senior_labels(step))
        widgets.append(spread)
    widgets.append(Static("The host moves on when the room is ready.", classes="hint"))
    return widgets


def point_rows(shown: StepFrame) -> list[PointRow]:
    """The senior's points to mark, with Tutor's word hints beside each (hints only: the marks are the grade)."""
    from tutor.services.judging import point_hints

    assert shown.grade is not None and shown.committed is not None
    answer = shown.committed.answer
    words = answer.text if isinstance(answer, GoalAnswer | InterveneAnswer) else ""
    rows = []
    for each in point_hints(shown.grade, words):
        opposite = each.hint.evidence if each.hint.verdict is Verdict.CONTRADICTED else ""
        rows.append(PointRow(each.point, each.hint.matched, opposite))
    return rows
