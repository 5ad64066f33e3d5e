"""Teams (issue 15): make a team folder, join one, list the teams joined. No Textual.

A team is a git repository the members push to (`docs/team-format.md`). Tutor drives the
member's own `git` on the member's own clone (`tutor.vcs.team_repo`): it never holds a
credential and runs no service. Membership is recorded in the member's `teams.toml`
(`tutor.settings`): the clone's path and a random handle, new for each team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tutor.errors import UserError
from tutor.lesson.untrusted import one_line
from tutor.settings import TeamMembership, load_teams, save_teams
from tutor.team import TeamConfig, TeamFormatError, TeamLayout, new_handle, read_team_config, write_team_config
from tutor.team.folder import team_root_of

__all__ = ["Joined", "TeamError", "init_team", "join_team", "joined_teams", "resolve_team", "set_share_words", "team_root_of"]

KEEP = ".gitkeep"


class TeamError(UserError):
    """A team cannot be made or joined; one line."""


@dataclass(frozen=True)
class Joined:
    membership: TeamMembership
    cloned: bool  # the URL was cloned into `membership.path`
    already: bool  # this member had joined this team before: the handle is the one they had


def _shown(path: Path | str) -> str:
    return one_line(str(path), limit=200)


def init_team(folder: Path, name: str) -> str:
    """Make the team folder layout in `folder` (created if missing), `git init` it if needed, and commit it.

    Returns the commit id. Refuses a folder that already holds a `team.toml`. The `.gitattributes`
    it writes (or completes) has git merge the lessons lists by union (`tutor.team.union_merge`):
    members publishing between syncs never conflict.
    """
    from tutor.lesson.limits import Refused, problem_text, read_regular
    from tutor.team.curriculum_toml import new_curriculum_toml
    from tutor.team.union_merge import GITATTRIBUTES, MAX_GITATTRIBUTES_BYTES, with_union_merge

    folder = folder.expanduser()
    config = TeamConfig(name=name)  # refuses a bad name (TeamFormatError, one line)
    layout = TeamLayout(folder)
    if layout.team_toml.exists() or layout.team_toml.is_symlink():
        raise TeamError(f"{_shown(folder)} already has a team.toml: it is a team folder (join it with `tutor team join`)")
    from tutor.vcs.team_repo import init_and_commit

    attributes = folder / GITATTRIBUTES
    existing = None  # read before anything is written: a refusal leaves the folder as it was
    if attributes.exists() or attributes.is_symlink():  # a repository of its own: its attributes are kept, ours added
        try:
            raw = read_regular(attributes, limit=MAX_GITATTRIBUTES_BYTES, within=folder, name="a .gitattributes", place="the team folder")
            existing = raw.decode("utf-8")
        except (Refused, OSError, UnicodeDecodeError) as error:
            what = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else problem_text(error)
            raise TeamError(f"{_shown(attributes)}: {what}; fix it first") from None
    created = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_team_config(folder, config)
        created.append("team.toml")
        curricula = layout.curricula / "curriculum.toml"
        if not curricula.exists():
            layout.curricula.mkdir(exist_ok=True)
            curricula.write_text(new_curriculum_toml(name, []), encoding="utf-8")
            created.append("curricula/curriculum.toml")
        completed = with_union_merge(existing)
        if completed is not None:
            attributes.write_text(completed, encoding="utf-8")
            created.append(GITATTRIBUTES)
        for sub in (layout.results, layout.sessions, layout.reviews):
            sub.mkdir(exist_ok=True)
            keep = sub / KEEP
            if not keep.exists():
                keep.write_bytes(b"")
                created.append(f"{sub.name}/{KEEP}")
    except OSError as error:
        raise TeamError(f"{_shown(folder)}: cannot make the team folder ({one_line(str(error), limit=200)})") from None
    return init_and_commit(folder, f"Tutor team {name}", created)


def _looks_like_url(text: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) is not None or re.match(r"^[^/\s]+@[^/\s:]+:", text) is not None


def _repo_name(url: str) -> str:
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    tail = tail.removesuffix(".git")
    if not tail or tail in (".", "..") or tail.startswith("-"):
        raise TeamError(f"cannot name a folder after {one_line(url, limit=200)!r}: give one with --into")
    return tail


def join_team(source: str, *, dest: Path | None = None) -> Joined:
    """Join the team at `source`: a local clone of the team's repository, or a URL cloned into `dest`
    (default: a folder named after the repository under the current folder). Records the membership
    with a new random handle; joining again keeps the handle."""
    from tutor.vcs.team_repo import clone, is_clone_root

    cloned = False
    if _looks_like_url(source):
        if source.startswith("-"):
            raise TeamError(f"not a URL: {one_line(source, limit=200)!r}")
        target = (dest if dest is not None else Path.cwd() / _repo_name(source)).expanduser()
        if target.is_symlink() or (target.exists() and (not target.is_dir() or any(target.iterdir()))):
            raise TeamError(f"{_shown(target)} already exists and is not empty: clone into another folder with --into")
        clone(source, target)
        cloned = True
        folder = target
    else:
        if dest is not None:
            raise TeamError("--into is for a URL; a local folder is joined where it is")
        folder = Path(source).expanduser()
        if not folder.is_dir():
            raise TeamError(f"{_shown(folder)}: no such folder (give a clone of the team's repository, or its URL)")
        if not is_clone_root(folder):
            raise TeamError(f"{_shown(folder)} is not a git clone: clone the team's repository first (or give its URL)")
    folder = folder.resolve()
    try:
        config = read_team_config(folder)
    except TeamFormatError as error:
        if cloned:  # the clone stays (a retry into the same folder would be refused): say what to do with it
            raise TeamError(
                f"cloned into {_shown(folder)}, which is not a team folder ({error}): a new team's first member makes it there with "
                f"`tutor team init {_shown(folder)}`, then joins it with `tutor team join {_shown(folder)}`"
            ) from None
        raise TeamError(f"{_shown(folder)} is not a team folder: {error}") from None
    try:
        str(folder).encode("utf-8")
    except UnicodeEncodeError:
        raise TeamError(f"{_shown(folder)}: the path is not UTF-8 text; move the clone to a folder with a plain name") from None
    teams = load_teams()
    for team in teams:
        if _same(team.path, folder):
            return Joined(team, cloned, already=True)
    membership = TeamMembership(folder, new_handle(), config.name)
    save_teams([*teams, membership])
    return Joined(membership, cloned, already=False)


def _same(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return first == second


def joined_teams() -> list[tuple[TeamMembership, str | None]]:
    """Each team joined, with its current name from `team.toml` (None when the clone cannot be read now)."""
    found = []
    for team in load_teams():
        try:
            name: str | None = read_team_config(team.path).name
        except TeamFormatError:
            name = None
        found.append((team, name))
    return found


def resolve_team(choice: str | None = None) -> TeamMembership:
    """The team a `--team` option names: a team's name (as in `team.toml` or when joined) or its
    clone's path; with no choice, the only team joined. One clear line when none or several fit."""
    teams = load_teams()
    if not teams:
        raise TeamError("you have joined no team yet: `tutor team join DIR_OR_URL` first")
    if choice is None:
        if len(teams) == 1:
            return teams[0]
        names = ", ".join(repr(_current_name(team)) for team in teams)
        raise TeamError(f"you are in {len(teams)} teams ({one_line(names, limit=300)}): say which with --team NAME")
    wanted = choice.strip()
    by_path = Path(wanted).expanduser()
    found = [team for team in teams if _current_name(team) == wanted or team.name == wanted or (by_path.exists() and _same(team.path, by_path))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise TeamError(f"no team {one_line(wanted, limit=120)!r} among those you joined (see `tutor team list`)")
    raise TeamError(f"{len(found)} teams are named {one_line(wanted, limit=120)!r}: give the clone's path with --team")


def _current_name(team: TeamMembership) -> str:
    try:
        return read_team_config(team.path).name
    except TeamFormatError:
        return team.name


def set_share_words(team: TeamMembership, share: bool) -> TeamMembership:
    """Record this member's choice to share their own words in `team` (each result's `text`)."""
    from msgspec.structs import replace

    teams = load_teams()
    updated = replace(team, share_words=share)
    save_teams([updated if _same(entry.path, team.path) else entry for entry in teams])
    return updated
