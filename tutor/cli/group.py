"""`tutor host LESSON` and `tutor join CODE`: a group replay, one host and participants terminal to terminal.

Both start their service (`tutor.services.group_host`, `tutor.services.group_client`) on the
asyncio loop the app then runs on, before the app: the host's join code is printed on standard
error before the screen opens (and stays there after it closes), and a bad code or a refusing
host is one line on the command line. The app runs on the same loop (`run_async`), so the
network never waits on the screen nor the screen on the network.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import TutorError, _interactive, _resolve_lesson, cli, echo, make_app

if TYPE_CHECKING:
    from ..settings import TeamMembership

MAX_NAME = 40  # a participant's name, as the host shows it


@cli.command()
@click.argument("lesson")
@click.option("--bind", metavar="ADDR:PORT", default="127.0.0.1:0", show_default=True, help="Where to listen. The default is this machine only (a free port); another address is an explicit choice (teammates elsewhere can use `ssh -L`).")
@click.option("--team", "team_choice", metavar="NAME", help="The team whose folder gets the session's tallies (default: your only team, if you joined exactly one).")
@click.option("--min-group", type=click.IntRange(1, 1000), metavar="N", help="Hide a round's spread below N answers (default: the team's min_group, else 3).")
def host(lesson: str, bind: str, team_choice: str | None, min_group: int | None) -> None:
    """Host a group replay of LESSON: everyone answers each question on their own terminal, sees the
    spread, may discuss and revote, then sees the senior's step.

    Prints a join code (HOST:PORT/TOKEN) on standard error and on screen; each participant runs
    `tutor join CODE`. Keys: space moves on, d discusses and revotes, p pauses, b looks back, e ends.
    """
    from ..lesson.peek import direct_lesson_folder

    path = direct_lesson_folder(lesson) or _resolve_lesson(lesson, "host")
    if not _interactive():
        raise TutorError("hosting needs a terminal: run `tutor host` in one")
    _check_lesson(path)
    team = _team(team_choice)
    import asyncio  # here: `tutor --help` lists this command without loading an event loop

    _exit_with(asyncio.run(_host(path, bind=bind, team=team, min_group=min_group)))


@cli.command()
@click.argument("code")
@click.option("--as", "name", metavar="NAME", help="The name the host and the room see (default: your learner name).")
def join(code: str, name: str | None) -> None:
    """Join a group replay with the CODE its host gave (HOST:PORT/TOKEN).

    Your answers are also an attempt in your own progress, as if you had replayed the lesson alone.
    """
    if not _interactive():
        raise TutorError("joining needs a terminal: run `tutor join` in one")
    chosen = (name if name is not None else _learner()).strip()
    if not chosen:
        raise TutorError("give a name with --as NAME")
    if len(chosen) > MAX_NAME:
        raise TutorError(f"a name is at most {MAX_NAME} characters")
    import asyncio

    _exit_with(asyncio.run(_join(code.strip(), chosen)))


def _check_lesson(path: Path) -> None:
    from ..lesson import read_lesson

    read = read_lesson(path)
    if read.lesson is None or read.problems:
        for problem in read.problems:
            echo(str(problem), err=True)
        raise TutorError("the lesson is broken; fix the problems above (see `tutor validate`)")


def _team(choice: str | None) -> TeamMembership | None:
    """The team given, else the only one joined, else none (the tallies then stay under $TUTOR_HOME)."""
    from ..services.team import joined_teams, resolve_team

    if choice is not None:
        return resolve_team(choice)
    teams = joined_teams()
    return teams[0][0] if len(teams) == 1 else None


def _learner() -> str:
    from ..settings import load_settings

    return load_settings().learner


async def _host(path: Path, *, bind: str, team: TeamMembership | None, min_group: int | None) -> int:
    from ..services.group_host import GroupHost
    from ..ui.start import ChangeRelay, HostStart

    changes = ChangeRelay()
    session = GroupHost(path, bind=bind, min_group=min_group, team=team, on_change=changes)
    code = await session.start()
    echo(f"tutor: join code: {code}", err=True)
    echo(f"tutor: participants run: tutor join {code}", err=True)
    try:
        return await _run(make_app(HostStart(session, changes)))
    finally:
        await session.stop()


async def _join(code: str, name: str) -> int:
    from ..services.group_client import GroupClient
    from ..ui.start import ChangeRelay, JoinStart

    changes = ChangeRelay()
    client = GroupClient(code, name, on_change=changes)
    await client.connect()  # a bad code or a refusing host: one line, before any screen
    try:
        return await _run(make_app(JoinStart(client, changes)))
    finally:
        await client.leave()


async def _run(app: Any) -> int:
    await app.run_async()
    return int(app.return_code or 0)


def _exit_with(code: int) -> None:
    if code:
        sys.exit(code)
