"""Incident timelines from the status feed.

Feed stamps are ISO 8601, written by each region's status service: UTC with a
trailing "Z", or local time with an offset such as "-08:00", sometimes with
milliseconds. The pager bridge still writes its stamps without any offset;
those are UTC.
"""

from datetime import datetime

_LAYOUT = "%Y-%m-%dT%H:%M:%S"


def parse_stamp(stamp: str) -> datetime:
    """A feed timestamp as a datetime."""
    return datetime.strptime(stamp[:19], _LAYOUT)


def duration_minutes(opened: str, resolved: str) -> int:
    """Whole minutes from `opened` to `resolved`."""
    elapsed = parse_stamp(resolved) - parse_stamp(opened)
    return int(elapsed.total_seconds() // 60)
