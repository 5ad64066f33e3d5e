"""One line per incident for the weekly reliability report."""

from .timeline import duration_minutes


def summary(incident: str, title: str, opened: str, resolved: str) -> str:
    """'INC-2291 Checkout errors: 15 min', or '2 h 5 min' past the hour."""
    minutes = duration_minutes(opened, resolved)
    hours, rest = divmod(minutes, 60)
    took = f"{hours} h {rest} min" if hours else f"{minutes} min"
    return f"{incident} {title}: {took}"
