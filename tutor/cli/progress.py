"""`tutor progress`: what this learner has done, from the progress store's index (one small file, however much is stored)."""

from __future__ import annotations

from ..words import plural
from . import TutorError, cli, echo


@cli.command()
def progress() -> None:
    """Show what you have done: lessons, attempts, scores, reviews due."""
    from datetime import date

    from .. import paths
    from ..store.errors import StoreError
    from ..store.overview import read_overview

    try:
        overview = read_overview(paths.progress_dir())
    except StoreError as error:
        raise TutorError(str(error)) from error
    for warning in overview.warnings:
        echo(f"tutor: warning: {warning}", err=True)
    lessons = overview.by_lesson_id()
    if not lessons:
        echo("No lessons started yet. Run `tutor` to pick one.")
        return
    width = max(len(lesson_id) for lesson_id in lessons)
    for lesson_id, standing in lessons.items():
        latest = standing.latest
        assert latest is not None  # a lesson is listed for its attempts
        if latest.finished:
            state = f"done, {latest.score:.0%}" if latest.score is not None else "done"
        else:
            state = f"in progress, step {max(latest.cursor, 1)} of {latest.total}" if latest.total else "in progress"
        extra = f"  best {standing.best:.0%}" if standing.best is not None and standing.attempts > 1 else ""
        tries = plural(standing.attempts, "attempt")
        echo(f"{lesson_id:<{width}}  {state}  ({tries}){extra}  {latest.title}".rstrip())
    due = overview.due_cards(date.today())
    echo(f"\nReview queue: {len(due)} due of {plural(len(overview.cards), 'card')}" + (" (`tutor review`)" if due else ""))
