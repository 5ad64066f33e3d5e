"""`tutor team sync`: write this member's results, then commit, pull and push their own files; `tutor team words`."""

from __future__ import annotations

import sys

import click

from . import echo
from .team import team


@team.command("sync")
@click.option("--team", "choice", metavar="NAME", help="Sync this team only (its name or its clone's path). Default: every team you joined.")
def team_sync(choice: str | None) -> None:
    """Share your results, shared sessions and reviews with the team, and get theirs.

    Writes a result file for each lesson of the team you finished, commits your own files
    (only those under your handle), pulls the team's commits (rebase) and pushes, with your
    own git and its credentials. Offline, or when the push is refused, your work stays
    committed in your clone and goes with the next sync. Exit 1 when a team could not be synced.
    """
    from ..errors import UserError
    from ..services.team_sync import sync_team, teams_to_sync

    failed = False
    for membership in teams_to_sync(choice):
        try:
            synced = sync_team(membership)
        except UserError as error:  # this team's clone is gone or broken: say so, sync the others
            echo(f"{membership.name or membership.path}: not synced: {error}")
            failed = True
            continue
        for line in synced.lines():
            echo(line)
        failed = failed or not synced.kept
    if failed:
        sys.exit(1)


@team.command("words")
@click.argument("choice", type=click.Choice(["on", "off", "show"]), default="show")
@click.option("--team", "team_choice", metavar="NAME", help="The team (default: the only team you joined).")
def team_words(choice: str, team_choice: str | None) -> None:
    """Whether your own words (goals, reasons) go into your shared results: on, off, or show.

    Off by default. Words are shared only when the team allows it (`share_words = true` in
    its team.toml) and you turn this on; they pass through the redactor first.
    """
    from ..services.team import resolve_team, set_share_words
    from ..team import read_team_config

    membership = resolve_team(team_choice)
    if choice != "show":
        membership = set_share_words(membership, choice == "on")
    allowed = read_team_config(membership.path).share_words
    mine = "on" if membership.share_words else "off"
    team_says = "allows it" if allowed else "does not allow it (share_words = false in its team.toml)"
    sharing = "shared" if allowed and membership.share_words else "not shared"
    echo(f"Your words in {membership.name!r}: {mine}; the team {team_says}. So your words are {sharing}.")
