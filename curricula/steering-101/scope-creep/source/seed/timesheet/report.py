"""The weekly report: one line per day, then one per project, then the total."""

from typing import List

from .parse import Entry
from .week import minutes_by_day, minutes_by_project


def format_hours(minutes: int) -> str:
    """485 -> '8:05' (hours:minutes)."""
    hours, rest = divmod(minutes, 60)
    return '%d:%d' % (hours, rest)


def weekly_report(entries: List[Entry]) -> str:
    lines = []
    for day, minutes in minutes_by_day(entries).items():
        lines.append('%-12s %6s' % (day.strftime('%a %d %b'), format_hours(minutes)))
    lines.append('')
    for project, minutes in minutes_by_project(entries).items():
        lines.append('%-12s %6s' % (project, format_hours(minutes)))
    total = sum(entry.minutes for entry in entries)
    lines.append('%-12s %6s' % ('total', format_hours(total)))
    return '\n'.join(lines)
