"""`tutor team publish LESSON`: copy a lesson into the team's curricula, validated and redacted, and commit it."""

from __future__ import annotations

import click

from . import TutorError, _resolve_lesson, echo
from .team import team


@team.command("publish")
@click.argument("lesson")
@click.option("--team", "team_choice", metavar="NAME", help="The team to publish to: its name or its clone's path (default: the only team you joined).")
@click.option("--id", "new_id", metavar="NEW-ID", help="Publish under this id instead of the lesson's own (the copy's id only; your lesson is unchanged).")
@click.option("--take-over", is_flag=True, help="Replace the team's lesson of this id even though another member published it, and become its publisher.")
def team_publish(lesson: str, team_choice: str | None, new_id: str | None, take_over: bool) -> None:
    """Publish LESSON to your team: a copy in the team's curricula, committed in your clone.

    LESSON is a lesson folder, its lesson.json, curriculum/lesson, or a lesson id. It must pass
    `tutor validate`, and its id must be used by no other lesson you have (else give --id).
    Secrets in lesson.json are redacted in the copy (your lesson is never changed); repo.bundle
    is copied as it is. The lesson is listed last in the team's curriculum.toml; publishing it
    again makes a new version in the same place. A lesson another member published is theirs:
    publish yours under another --id, or replace theirs with --take-over. Only the lesson's
    folder and curriculum.toml (and .gitattributes, the first time) are committed; members see
    the lesson after `tutor team sync`.
    """
    from ..lesson.peek import direct_lesson_folder
    from ..lesson.untrusted import one_line
    from ..services.team import resolve_team
    from ..services.team_publish import PublishError, publish_lesson

    membership = resolve_team(team_choice)
    source = direct_lesson_folder(lesson) or _resolve_lesson(lesson, "team publish")
    try:
        published = publish_lesson(source, membership, new_id=new_id, take_over=take_over)
    except PublishError as error:
        raise TutorError(str(error), error.problems) from None
    for warning in published.warnings:
        echo(f"tutor: {warning}", err=True)
    title = one_line(published.title, limit=120)
    team_name = one_line(published.team_name, limit=120)
    renamed = f" as {published.lesson_id} (its own id is {published.source_id})" if published.lesson_id != published.source_id else ""
    if published.commit is None:
        echo(f"{title!r}{renamed} is in the team {team_name!r} already, unchanged since the last publish: nothing committed ({published.folder}).")
    elif not published.updated:
        echo(f"Published {title!r}{renamed} to the team {team_name!r}: {published.folder}")
    else:
        version = "a new version" if published.new_version else "the same version"
        echo(f"Updated {title!r}{renamed} in the team {team_name!r} ({version}): {published.folder}")
    if published.took_over:
        whose = published.previous_publisher or "no recorded publisher"
        echo(f"Taken over from {whose} (--take-over): you are its publisher now, and a publish of it by anyone else is refused.")
    if published.commit is not None:
        files = "the lesson's folder, curriculum.toml and .gitattributes" if published.attributes_added else "the lesson's folder and curriculum.toml"
        echo(f"Committed {published.commit[:12]} in your clone ({files} only).")
    if published.attributes_added:
        echo("Added to .gitattributes: git merges the team's lesson lists by union, so members who publish between syncs never conflict.")
    if published.redactions:
        noun = "secret" if published.redactions == 1 else "secrets"
        echo(f"Redacted {published.redactions} {noun} in the copy (your lesson is unchanged).")
    else:
        echo("No secrets found to redact in lesson.json.")
    if published.bundle is not None:
        echo(f"{published.bundle} is copied as it is: Tutor does not scan a bundle's code for secrets.")
    echo("Members see it after `tutor team sync` (yours pushes it, theirs pull it).")
