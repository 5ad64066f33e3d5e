"""The team report as data for scripts (`tutor team report --format json`), the schema in
`docs/team-format.md`: `{"lessons": [{"lesson", "digest", "learners", "asks": [{"step", "type",
"n", "skipped", "facility", "confidently_wrong", "distribution", ..., "revote"}], "group_sessions"}]}`. Asks are in lesson
order (the screen sorts them); `distribution` is null when hidden. Keys may be added, never
renamed or dropped. The team's own words are never in it: they are shown on the screen alone.
"""

from __future__ import annotations

from typing import Any

from .report import AskReport, ChoiceSpread, GoalSpread, InterveneSpread, OutcomeSpread, Spread, TeamReport, VersionReport, GOAL_BUCKETS
from .report_rounds import GroupSession, Revote, RoundFigures

DECIMALS = 4


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def spread_data(spread: Spread | None) -> dict[str, Any] | None:
    if spread is None:
        return None
    if isinstance(spread, OutcomeSpread):
        senior = None if spread.senior_works is None else "works" if spread.senior_works else "fails"
        return {"works": spread.works, "fails": spread.fails, "senior": senior}
    if isinstance(spread, ChoiceSpread):
        return {"options": list(spread.counts), "unchosen": list(spread.unchosen), "answer": spread.answer}
    if isinstance(spread, InterveneSpread):
        decision: dict[str, Any] | None = None
        if spread.senior_steps_in is not None:
            decision = {"step_in": spread.senior_steps_in, "category": spread.senior_category.value if spread.senior_category else None}
        return {
            "let_run": spread.let_run,
            "step_in": spread.step_in,
            "categories": {category.value: count for category, count in spread.categories},
            "senior": decision,
        }
    assert isinstance(spread, GoalSpread)
    return {"scores": dict(zip(GOAL_BUCKETS, spread.buckets, strict=True)), "pending": spread.pending}


def ask_data(ask: AskReport) -> dict[str, Any]:
    key_points = None
    if ask.key_points is not None:
        key_points = [
            {"index": point.index, "text": point.text, "covered": point.covered, "partly": point.partly, "judged": point.judged}
            for point in ask.key_points
        ]
    return {
        "step": ask.step,
        "type": ask.type.value,
        "n": ask.n,
        "skipped": ask.skipped,
        "facility": _number(ask.facility),
        "confidently_wrong": ask.confidently_wrong,
        "distribution": spread_data(ask.spread),
        "key_points": key_points,
        "discrimination": _number(ask.discrimination),
        "worth_a_look": ask.worth_a_look,
        "revote": revote_data(ask.revote),
    }


def _round_data(figures: RoundFigures) -> dict[str, Any]:
    return {"round": figures.round, "n": figures.n, "distribution": spread_data(figures.spread), "agreed": _number(figures.agreed)}


def revote_data(revote: Revote | None) -> dict[str, Any] | None:
    """The first vote and the revote of the group sessions that took one on the ask; null when none did."""
    if revote is None:
        return None
    return {
        "sessions": revote.sessions,
        "rounds": [_round_data(revote.first), _round_data(revote.second)],
        "agreed_change": _number(revote.change),
    }


def session_data(session: GroupSession) -> dict[str, Any]:
    return {
        "session": session.session,
        "mode": session.mode.value,
        "started": session.started,
        "finished": session.finished,
        "participants": session.participants,
        "asks": session.asks,
        "revotes": session.revotes,
    }


def version_data(version: VersionReport) -> dict[str, Any]:
    return {
        "lesson": version.lesson,
        "digest": version.digest,
        "title": version.title,
        "learners": version.learners,
        "agreement": _number(version.agreement),
        "agreement_hidden": version.agreement_hidden,
        "asks": [ask_data(ask) for ask in version.asks],
        "group_sessions": [session_data(session) for session in version.group_sessions],
    }


def report_data(report: TeamReport) -> dict[str, Any]:
    return {"min_group": report.min_group, "lessons": [version_data(version) for version in report.versions]}
