"""The team folder format (issue 15): `team.toml`, the folder's layout, and result files.

Pure, like `tutor.lesson` (which is all it imports, with the standard library): it names paths
and reads and writes text; driving git and showing reports live above it. The format is
documented in `docs/team-format.md`.
"""

from __future__ import annotations

from .folder import (
    DEFAULT_MIN_GROUP,
    MAX_TEAM_TOML_BYTES,
    TeamConfig,
    TeamFormatError,
    TeamLayout,
    digest12,
    is_safe_slug,
    new_handle,
    read_team_config,
    team_toml,
    write_team_config,
)
from .pool import ResultPool, load_results
from .results import (
    KEY_POINT_VERDICTS,
    MAX_RESULT_BYTES,
    RESULT_FORMAT,
    KeyPointVerdict,
    ResultAnswer,
    ResultFile,
    parse_result,
    read_result,
    to_json,
)

__all__ = [
    "DEFAULT_MIN_GROUP",
    "KEY_POINT_VERDICTS",
    "MAX_RESULT_BYTES",
    "MAX_TEAM_TOML_BYTES",
    "RESULT_FORMAT",
    "KeyPointVerdict",
    "ResultAnswer",
    "ResultFile",
    "ResultPool",
    "TeamConfig",
    "TeamFormatError",
    "TeamLayout",
    "digest12",
    "is_safe_slug",
    "load_results",
    "new_handle",
    "parse_result",
    "read_result",
    "read_team_config",
    "team_toml",
    "to_json",
    "write_team_config",
]
