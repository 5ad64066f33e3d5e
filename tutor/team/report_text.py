"""The team report's figures in words, the same on the screen and in the HTML page.

Tutor's own wording only: the callers clean what comes from outside (a lesson's title, an
option's text, the team's words) at their boundary.
"""

from __future__ import annotations

from .agreement import MIN_RANKED
from .report import AskReport, KeyPointCount, Spread, VersionReport

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
