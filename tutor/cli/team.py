"""`tutor team`: make a team folder, join a team, list the teams joined (here); publish, sync, share
and report live in their own modules (`team_publish`, `team_sync`, `team_share`, `team_report`),
loaded with this group (issue 15)."""

from __future__ import annotations

from pathlib import Path

import click

from . import cli, echo


@cli.group()
def team() -> None:
    """Teams: share lessons and results through a git repository the members push to.

    Tutor runs your own git on your own clone; it never holds credentials.
    """


@team.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="The team's name (default: the folder's name).")
def team_init(folder: Path, name: str | None) -> None:
    """Make a team folder in FOLDER (a git repository; `git init` if it is not one) and commit it."""
    from ..services.team import init_team

    name = name if name is not None else folder.expanduser().resolve().name
    commit = init_team(folder, name)
    echo(f"Made the team {name!r} in {folder} (commit {commit[:12]}).")
    echo("Push it where your team can clone it; each member runs `tutor team join` on their clone (or the URL).")


@team.command("join")
@click.argument("source", metavar="DIR_OR_URL")
@click.option("--into", "dest", type=click.Path(file_okay=False, path_type=Path), help="Where to clone a URL (default: a folder named after it, here).")
def team_join(source: str, dest: Path | None) -> None:
    """Join a team: DIR_OR_URL is your clone of the team's repository, or its URL (cloned with your git)."""
    from ..services.team import join_team

    joined = join_team(source, dest=dest)
    team_ = joined.membership
    if joined.cloned:
        echo(f"Cloned into {team_.path}.")
    if joined.already:
        echo(f"Already a member of {team_.name!r} ({team_.path}); your handle there is {team_.handle}.")
        return
    echo(f"Joined {team_.name!r} ({team_.path}); your handle there is {team_.handle}.")
    echo("The team's lessons are in the library (`tutor`), in their own section.")


@team.command("list")
def team_list() -> None:
    """List the teams you joined, with your handle in each."""
    from ..services.team import joined_teams

    teams = joined_teams()
    if not teams:
        echo("No teams joined yet. Join one with `tutor team join DIR_OR_URL`.")
        return
    for membership, name in teams:
        shown = repr(name) if name is not None else f"{membership.name!r} (cannot read its team.toml now)"
        echo(f"{shown}  {membership.handle}  {membership.path}")


# The group's other commands add themselves to `team` (they import it from here).
from . import team_publish, team_report, team_share, team_sync  # noqa: E402, F401
