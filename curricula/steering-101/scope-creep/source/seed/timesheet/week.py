"""Add up entries by day and by project."""

from collections import defaultdict
from datetime import date
from typing import Dict, List

from .parse import Entry


def minutes_by_day(entries: List[Entry]) -> Dict[date, int]:
    totals = defaultdict(int)  # type: Dict[date, int]
    for entry in entries:
        totals[entry.day] += entry.minutes
    return dict(sorted(totals.items()))


def minutes_by_project(entries: List[Entry]) -> Dict[str, int]:
    totals = defaultdict(int)  # type: Dict[str, int]
    for entry in entries:
        totals[entry.project] += entry.minutes
    return dict(sorted(totals.items()))
