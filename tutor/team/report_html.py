"""The team report as one standalone HTML page (`tutor team report --format html`).

Standalone and inert: CSS and SVG bar charts inline, no script, no link, no image source, no
reference to anything outside the page. Every text is cleaned (`tutor.lesson.untrusted`) and
escaped, and written so that the page's bytes hold no `http` at all, not even in a lesson's or
an answer's URL (its `h` becomes `&#104;`) and no `=` in text (`&#61;`): a page that a script
can check for external references with a grep. The team's own words are never on the page.
"""

from __future__ import annotations

import html
import re

from tutor.lesson.untrusted import one_line

from .report import AskReport, Bar, KeyPointCount, TeamReport, VersionReport
from .report_rounds import RoundFigures
from .report_text import EXPLAIN, agreed_line, fraction, hidden_note, key_point_line, look_text, plural, round_heading, sessions_line, version_line

_SCHEME = re.compile(r"([hH])(?=[tT][tT][pP])")
BAR_HEIGHT = 16
LABEL_WIDTH = 150
CHART_WIDTH = 360
TEXT_LIMIT = 400  # an option's or a key point's words, on one line

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; margin-top: 1.2rem; }
.meta, .explain { color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.look { color: #a33; font-weight: bold; }
.hidden { color: #777; font-style: italic; }
ul.points { margin: 0.3rem 0 0; padding-left: 1.2rem; font-size: 0.9em; }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d1f; }
svg rect.bar { fill: #8e9aaf; } svg rect.senior { fill: #3a7d44; }
"""


def inert(text: str) -> str:
    """Escaped text (already cleaned) with no `http` and no `=` left in its bytes."""
    return _SCHEME.sub(lambda match: f"&#{ord(match.group(1))};", html.escape(text, quote=True)).replace("=", "&#61;")


def _text(text: str, *, limit: int = TEXT_LIMIT) -> str:
    """Text from outside (or Tutor's own) on one line, cleaned, cut, escaped, inert."""
    return inert(one_line(text, limit=limit))


def chart(bars: tuple[Bar, ...], *, label: str) -> str:
    """Horizontal bars, the senior's answer in green; counts written beside each bar."""
    height = BAR_HEIGHT * len(bars) + 4
    top = max((bar.count for bar in bars), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 40
    parts = [f'<svg width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="{_text(label)}">']
    for row, bar in enumerate(bars):
        y = row * BAR_HEIGHT + 2
        width = round(span * bar.count / top)
        note = " (senior)" if bar.senior else " (nobody)" if bar.count == 0 and bar.note else ""
        parts.append(f'<text x="0" y="{y + 12}">{_text(bar.label + note, limit=40)}</text>')
        parts.append(f'<rect class="{"bar senior" if bar.senior else "bar"}" x="{LABEL_WIDTH}" y="{y + 2}" width="{width}" height="{BAR_HEIGHT - 4}"></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + width + 4}" y="{y + 12}">{bar.count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _points(points: tuple[KeyPointCount, ...]) -> str:
    if not points:
        return ""
    items = "".join(f"<li>{_text(point.text if point.text is not None else f'point {point.index + 1}')}: {_text(key_point_line(point))}</li>" for point in points)
    return f'<ul class="points">{items}</ul>'


def _options(ask: AskReport) -> str:
    facts = ask.facts
    if facts is None or not facts.options:
        return ""
    items = "".join(f"<li>{index + 1}. {_text(option)}</li>" for index, option in enumerate(facts.options))
    return f'<ul class="points">{items}</ul>'


def _row(ask: AskReport, min_group: int) -> str:
    prompt = f'<div class="meta">{_text(ask.facts.prompt)}</div>' if ask.facts is not None and ask.facts.prompt else ""
    if ask.spread is None:
        spread = f'<span class="hidden">{_text(hidden_note(min_group))}</span>'
    else:
        spread = chart(ask.spread.bars(), label=f"answers to {ask.step}") + _options(ask) + _points(ask.key_points or ())
    look = f'<span class="look">{_text(look_text(ask))}</span>' if ask.worth_a_look else _text(look_text(ask))
    cells = [
        f"<td>{_text(ask.step)}{prompt}</td>",
        f"<td>{_text(ask.type.value)}</td>",
        f'<td class="num">{ask.n}</td>',
        f'<td class="num">{ask.skipped}</td>',
        f'<td class="num">{_text(fraction(ask.facility))}</td>',
        f'<td class="num">{ask.confidently_wrong}</td>',
        f'<td class="num">{_text(fraction(ask.discrimination))}</td>',
        f"<td>{look}</td>",
        f"<td>{spread}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


HEADINGS = ("Question", "Type", "Answered", "Skipped", "Facility", "Wrong and sure", "Discrimination", "Senior's look", "Answers")


def _version(version: VersionReport, rows: list[AskReport], min_group: int) -> str:
    title = version.title if version.title is not None else version.lesson
    head = "".join(f"<th>{_text(heading)}</th>" for heading in HEADINGS)
    body = "".join(_row(ask, min_group) for ask in rows)
    return (
        f"<section><h2>{_text(title)}</h2>"
        f'<p class="meta">{_text(version.lesson)} · {_text(version_line(version, min_group))}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{_revotes(version, min_group)}</section>"
    )


REVOTE_HEADINGS = ("Question", "Type", "Sessions", "First vote", "Revote", "Agreed with the senior")


def _vote(figures: RoundFigures, step: str, min_group: int) -> str:
    heading = f'<div class="meta">{_text(round_heading(figures))}</div>'
    if figures.hidden:
        return heading + f'<span class="hidden">{_text(hidden_note(min_group))}</span>'
    if figures.spread is None:
        return heading + _text(f"{plural(figures.n, 'goal')} written")
    return heading + chart(figures.spread.bars(), label=f"{round_heading(figures)} at {step}")


def _revotes(version: VersionReport, min_group: int) -> str:
    """The group sessions' first votes and revotes, ask by ask in lesson order: what the discussion changed."""
    if not version.group_sessions:
        return ""
    rows = []
    for ask in version.asks:
        if ask.revote is None:
            continue
        cells = [
            f"<td>{_text(ask.step)}</td>",
            f"<td>{_text(ask.type.value)}</td>",
            f'<td class="num">{ask.revote.sessions}</td>',
            f"<td>{_vote(ask.revote.first, ask.step, min_group)}</td>",
            f"<td>{_vote(ask.revote.second, ask.step, min_group)}</td>",
            f"<td>{_text(agreed_line(ask.revote, min_group))}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    meta = f'<h3>{_text("Group sessions: the first vote and the revote")}</h3><p class="meta">{_text(sessions_line(version.group_sessions))}</p>'
    if not rows:
        return meta
    head = "".join(f"<th>{_text(heading)}</th>" for heading in REVOTE_HEADINGS)
    return meta + f'<table class="revotes"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def report_html(report: TeamReport, *, team: str = "") -> str:
    """The whole page: one section per lesson version, its asks sorted as the screen sorts them."""
    rows = report.rows()
    sections = [_version(version, [ask for ask in rows if report.version_of(ask) is version], report.min_group) for version in report.versions]
    if not sections:
        sections.append(f'<p class="hidden">{_text("No results yet: nobody in the team has shared an answer.")}</p>')
    heading = f"Team report: {team}" if team else "Team report"
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_text(heading)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_text(heading)}</h1><p class=\"explain\">{_text(EXPLAIN, limit=2000)}</p>"
        + "".join(sections)
        + "</body></html>\n"
    )
    # The page's own markup holds no `http`; this keeps it so whatever a caller or a later edit adds.
    return _SCHEME.sub(lambda match: f"&#{ord(match.group(1))};", page)
