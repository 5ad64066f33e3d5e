"""`tutor progress`: what this learner has done, from the progress store."""

from __future__ import annotations

from ..words import plural
from . import TutorError, cli, echo


@cli.command()
def progress() -> None:
    """Show what you have done: lessons, attempts, scores, reviews due."""
    from datetime import date

    from .. import paths
    from ..store import open_progress
    from ..store.progress import StoreError

    try:
        store = open_progress(paths.progress_dir())
    except StoreError as error:
        raise TutorError(str(error)) from error
    for warning in store.warnings:
        echo(f"tutor: warning: {warning}", err=True)
    attempts = store.attempts()
    if not attempts:
        echo("No lessons started yet. Run `tutor` to pick one.")
        return
    by_lesson: dict[str, list] = {}
    for attempt in attempts:
        by_lesson.setdefault(attempt.lesson_id, []).append(attempt)
    width = max(len(lesson_id) for lesson_id in by_lesson)
    for lesson_id, records in by_lesson.items():
        latest = records[-1]
        best = max((r.score for r in records if r.finished and r.score is not None), default=None)
        if latest.finished:
            state = f"done, {latest.score:.0%}" if latest.score is not None else "done"
        else:
            state = f"in progress, step {max(latest.cursor, 1)} of {latest.total}" if latest.total else "in progress"
        extra = f"  best {best:.0%}" if best is not None and len(records) > 1 else ""
        tries = plural(len(records), "attempt")
        echo(f"{lesson_id:<{width}}  {state}  ({tries}){extra}  {latest.title}".rstrip())
    due = store.due_cards(date.today())
    total = len(store.cards())
    echo(f"\nReview queue: {len(due)} due of {plural(total, 'card')}" + (" (`tutor review`)" if due else ""))
