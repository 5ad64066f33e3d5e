"""pagerlog: incident timelines and the weekly reliability report."""

from .report import summary
from .timeline import duration_minutes, parse_stamp

__all__ = ["duration_minutes", "parse_stamp", "summary"]
