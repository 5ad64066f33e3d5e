"""Where Tutor keeps things. `TUTOR_HOME` overrides every location (tests, portable installs)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "tutor"


def home() -> Path:
    override = os.environ.get("TUTOR_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    if os.environ.get("TUTOR_HOME"):
        return home() / "config.toml"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def teams_file() -> Path:
    """The teams this member joined, with their handle in each (`tutor team join`), beside `config.toml`."""
    return config_file().parent / "teams.toml"


def progress_dir() -> Path:
    return home() / "progress"


def sessions_dir() -> Path:
    return home() / "sessions"


def group_lessons_dir() -> Path:
    """The lessons kept from group replays a participant played (`tutor.services.group_lessons`), for their reviews."""
    return home() / "group-lessons"


def cache_dir() -> Path:
    return home() / "cache"


def redaction_cache_dir() -> Path:
    """Where the redactor's compiled scanner is kept between processes (`tutor.redaction.needles.kept_in`)."""
    return cache_dir() / "redaction"


def workspaces_dir() -> Path:
    return home() / "workspaces"


def user_curricula_dir() -> Path:
    return home() / "curricula"


def bundled_curricula_dir() -> Path:
    """The curricula shipped with Tutor: inside the installed package, or the source checkout's `curricula/`."""
    package = Path(__file__).resolve().parent
    installed = package / "_curricula"
    if installed.is_dir():
        return installed
    return package.parent / "curricula"
