"""Read timesheet lines such as '2024-03-05 acme 1h30m'."""

import re
from datetime import date
from typing import List, NamedTuple

_DURATION = re.compile(r'^(?:(\d+)h)?(?:(\d+)m)?$')


class Entry(NamedTuple):
    day: date
    project: str
    minutes: int


def parse_duration(text: str) -> int:
    """'1h30m' -> 90, '45m' -> 45, '2h' -> 120."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        raise ValueError('not a duration: %r' % text)
    hours, minutes = match.groups()
    return int(hours or 0) * 60 + int(minutes or 0)


def parse_line(line: str) -> Entry:
    day, project, duration = line.split()
    return Entry(date.fromisoformat(day), project, parse_duration(duration))


def parse_lines(lines: List[str]) -> List[Entry]:
    return [parse_line(line) for line in lines if line.strip() and not line.startswith('#')]
