"""Typed settings, read from `config.toml`. A broken config file never stops Tutor: defaults apply, with a warning."""

from __future__ import annotations

import getpass
import os
import tomllib
from pathlib import Path

import msgspec
from msgspec.structs import fields

from . import paths
from .errors import UserError

DEFAULT_MODEL = ""  # empty: the newest Sonnet in the installed SDK's model list (`tutor.agent.client.newest_sonnet`)
# Who judges a free-text answer: Claude when a key is set ("auto"), always Claude, or the learner's own check.
GRADINGS = ("auto", "claude", "offline")


class TeamMembership(msgspec.Struct, frozen=True):
    """One team this member joined (`teams.toml`): the team's clone, and this member's random handle in it."""

    path: Path
    handle: str
    name: str = ""  # the team's name when joined; `team.toml` in the clone is the truth
    share_words: bool = False  # this member opted in to sharing their own words (if the team allows it)


class Settings(msgspec.Struct):
    learner: str = ""
    model: str = DEFAULT_MODEL
    theme: str = "textual-dark"
    command_timeout: float = 120.0  # seconds, for the agent's `run` tool
    output_cap: int = 64 * 1024  # bytes of command output kept
    ungated_reads: bool = True
    api_max_retries: int = 2  # the SDK's own retries, made only before any byte of a reply arrives
    grading: str = "auto"  # one of GRADINGS (`tutor.agent.judge.judge_for`)
    curricula: list[str] = msgspec.field(default_factory=list)  # extra curriculum folders
    # The agent's commands (`tutor.agent.sandbox`): bubblewrap on Linux when it runs.
    sandbox_network: bool = False  # let sandboxed commands use the network
    sandbox_env: list[str] = msgspec.field(default_factory=list)  # extra variable names passed to commands (`PIP_*` takes a prefix); secrets never pass
    sandbox_paths: list[str] = msgspec.field(default_factory=list)  # extra folders commands may read (read-only), e.g. a toolchain under $HOME
    sandbox_bwrap: str = ""  # the bubblewrap binary; empty: `bwrap` on PATH
    teams: list[TeamMembership] = msgspec.field(default_factory=list)  # from `teams.toml`, not `config.toml`
    warnings: list[str] = msgspec.field(default_factory=list)

    def curriculum_roots(self) -> list[Path]:
        roots = [paths.bundled_curricula_dir(), paths.user_curricula_dir()]
        roots += [Path(entry).expanduser() for entry in self.curricula]
        roots += [team.path / "curricula" for team in self.teams]
        return roots


def _default_learner() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not worth failing over
        return os.environ.get("USER", "learner")


def load_settings(path: Path | None = None) -> Settings:
    settings = _load_config(path)
    if path is None:
        try:
            settings.teams = load_teams()
        except TeamsFileError as error:
            settings.warnings.append(str(error))
    return settings


def _load_config(path: Path | None) -> Settings:
    path = path or paths.config_file()
    settings = Settings(learner=_default_learner())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        settings.warnings.append(f"{path}: ignored, cannot read it ({error})")
        return settings
    known = {f.name: f for f in fields(Settings) if f.name not in ("warnings", "teams")}
    for key, value in data.items():
        if key not in known:
            settings.warnings.append(f"{path}: {key}: unknown setting, ignored")
            continue
        expected = type(getattr(settings, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            settings.warnings.append(f"{path}: {key}: expected {expected.__name__}, ignored")
            continue
        if expected is list and not all(isinstance(item, str) for item in value):
            settings.warnings.append(f"{path}: {key}: expected a list of strings, ignored")
            continue
        if key == "grading" and value not in GRADINGS:
            settings.warnings.append(f"{path}: grading: expected one of {', '.join(GRADINGS)}, not {value!r}; using auto")
            continue
        setattr(settings, key, value)
    return settings


def save_setting(key: str, value: str | int | float | bool, path: Path | None = None) -> None:
    """Update one top-level setting, keeping the others (used for the remembered theme)."""
    path = path or paths.config_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    data[key] = value
    lines = [f"{name} = {_toml_value(item)}" for name, item in data.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    from .lesson.io import write_atomic

    write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    import json

    return json.dumps(str(value), ensure_ascii=False)


# ---------------------------------------------------------------- teams.toml
# Memberships live in their own file, written only by Tutor, so that joining a team never
# rewrites the user's hand-edited `config.toml` (its comments and layout are kept byte for byte).


class TeamsFileError(UserError):
    """`teams.toml` cannot be read; nothing is written over it (memberships would be lost)."""


def load_teams(path: Path | None = None) -> list[TeamMembership]:
    """The memberships in `teams.toml` (none when it does not exist); `TeamsFileError` when it is unreadable."""
    path = path or paths.teams_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TeamsFileError(f"{path}: cannot read it ({' '.join(str(error).split())}); fix or remove it") from None
    entries = data.get("team", [])
    if not isinstance(entries, list):
        raise TeamsFileError(f"{path}: team: expected [[team]] tables")
    teams = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not isinstance(entry.get("handle"), str):
            raise TeamsFileError(f"{path}: team {number}: expected a path and a handle (strings)")
        name = entry.get("name", "")
        words = entry.get("share_words", False) is True
        teams.append(TeamMembership(Path(entry["path"]), entry["handle"], name if isinstance(name, str) else "", words))
    return teams


def save_teams(teams: list[TeamMembership], path: Path | None = None) -> None:
    """Write `teams.toml` (atomically) with exactly `teams`."""
    from .lesson.io import write_atomic

    path = path or paths.teams_file()
    lines = ["# The teams you joined (`tutor team join`), each with your handle in it. Written by Tutor.", ""]
    for team in teams:
        lines += [
            "[[team]]",
            f"path = {_toml_string(str(team.path))}",
            f"handle = {_toml_string(team.handle)}",
            f"name = {_toml_string(team.name)}",
            f"share_words = {'true' if team.share_words else 'false'}",
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, "\n".join(lines).encode("utf-8"))


def _toml_string(text: str) -> str:
    """A TOML basic string: `"` and `\\` escaped, control characters (and DEL) as `\\uXXXX`."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)
