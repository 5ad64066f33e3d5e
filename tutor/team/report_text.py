"""The team report's figures in words, the same on the screen and in the HTML page.

Tutor's own wording only: the callers clean what comes from outside (a lesson's title, an
option's text, the team's words) at their boundary.
"""

from __future__ import annotations

from .agreement import MIN_RANKED
from .report import AskReport, Bar, KeyPointCount, Spread, VersionReport
from .report_rounds import GroupSession, Revote, RoundFigures
from .tallies import TallyMode

NONE = "—"


def plural(count: int, noun: str) -> str:
    """`1 answer`, `2 answers` (tutor.words is outside what tutor.team imports)."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def fraction(value: float | None) -> str:
    """A figure from 0 to 1 (or -1 to 1) with two decimals; a dash when there is none."""
    return NONE if value is None else f"{value:.2f}"


def hidden_note(min_group: int) -> str:
    return f"hidden: fewer than {plural(min_group, 'answer')}"


def spread_line(spread: Spread | None, min_group: int) -> str:
    """A spread on one line: `works 3 · fails 5 ✓`, the senior's answer marked with ✓."""
    if spread is None:
        return hidden_note(min_group)
    parts = []
    for bar in spread.bars():
        parts.append(f"{bar.label} {bar.count}" + (" ✓" if bar.senior else "") + (" (nobody)" if bar.note == "nobody chose it" else ""))
    return " · ".join(parts)


def look_text(ask: AskReport) -> str:
    if ask.worth_a_look is None:
        return NONE
    return "worth a look" if ask.worth_a_look else "no"


def agreement_text(version: VersionReport, min_group: int) -> str:
    if version.agreement_hidden:
        return f"agreement hidden: fewer than {plural(min_group, 'learner')}"
    if version.agreement is None:
        return "agreement: undefined (too few answers to the yes/no and pick-one questions, or all the same)"
    return f"agreement (Krippendorff's alpha) {version.agreement:.2f}"


def version_line(version: VersionReport, min_group: int) -> str:
    return f"{plural(version.learners, 'learner')} · version {version.digest12} · {agreement_text(version, min_group)}"


def key_point_line(point: KeyPointCount) -> str:
    """`covered by 4 (2 partly) of 7 judged`; the point's own words are the caller's to add."""
    return f"covered by {point.covered + point.partly} ({point.partly} partly) of {point.judged} judged"


def discrimination_text(ask: AskReport) -> str:
    if ask.discrimination is None:
        return f"{NONE} (from {MIN_RANKED} learners)"
    return fraction(ask.discrimination)


EXPLAIN = (
    "One row per question, the most often wrong and sure first. Each learner counts once, by their "
    "first attempt at this version of the lesson. Facility: the mean score. Wrong and sure: answers "
    "that were wrong with high confidence. Discrimination: how much better the strongest third (by "
    f"their other answers) did than the weakest third, from {MIN_RANKED} learners. Worth a look: "
    "most of the strongest third disagreed with the senior."
)


# -- group replays: the first vote and the revote


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


def change_text(change: float | None) -> str:
    """`+29 points`, `-14 points`, `no change`: the move in the share that agreed with the senior."""
    if change is None:
        return NONE
    points = round(change * 100)
    return "no change" if points == 0 else f"{points:+d} points"


def round_heading(figures: RoundFigures) -> str:
    return f"{'first vote' if figures.round == 1 else 'revote'} ({plural(figures.n, 'answer')})"


def agreed_line(revote: Revote, min_group: int) -> str:
    """`agreed with the senior 33% → 78% (+44 points)`, or why it cannot be said."""
    if revote.first.hidden or revote.second.hidden:
        return f"agreed with the senior: {hidden_note(min_group)}"
    if revote.first.spread is None:
        return "a goal has no answer of the senior's to agree with: compare the goals"
    if revote.first.agreed is None or revote.second.agreed is None:
        return "agreed with the senior: unknown (the lesson of this version is not in the team's curricula)"
    return f"agreed with the senior {percent(revote.first.agreed)} → {percent(revote.second.agreed)} ({change_text(revote.change)})"


def revote_line(revote: Revote, min_group: int) -> str:
    return f"revote in {plural(revote.sessions, 'group session')}: {agreed_line(revote, min_group)}"


def paired_bars(revote: Revote) -> list[tuple[str, int, int, bool]]:
    """(label, first vote's count, revote's count, the senior's answer) per answer of either round, in the spread's order."""
    rows: dict[str, list[int]] = {}
    senior: set[str] = set()
    for column, figures in enumerate((revote.first, revote.second)):
        bars: tuple[Bar, ...] = figures.spread.bars() if figures.spread is not None else ()
        for bar in bars:
            rows.setdefault(bar.label, [0, 0])[column] = bar.count
            if bar.senior:
                senior.add(bar.label)
    return [(label, first, second, label in senior) for label, (first, second) in rows.items()]


def sessions_line(sessions: tuple[GroupSession, ...]) -> str:
    """`3 group sessions (2 hosted, 1 facilitated), 4 revotes`."""
    hosted = sum(1 for session in sessions if session.mode is TallyMode.HOSTED)
    kinds = ", ".join(part for part in (f"{hosted} hosted" if hosted else "", f"{len(sessions) - hosted} facilitated" if len(sessions) > hosted else "") if part)
    revotes = sum(session.revotes for session in sessions)
    return f"{plural(len(sessions), 'group session')} ({kinds}), {plural(revotes, 'revote')}"
