"""The team folder format (issue 15): `team.toml`, the folder's layout, and result files.

Pure, like `tutor.lesson` (which is all it imports, with the standard library): it names paths
and reads and writes text; driving git and showing reports live above it. The format is
documented in `docs/team-format.md`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Each name, loaded from its module when first asked: `tutor learn` reads a lesson's team (`folder`) without
# loading the result files' reader and pool, which only team commands need.
_MODULE_OF = {
    "DEFAULT_MIN_GROUP": "folder",
    "KEY_POINT_VERDICTS": "results",
    "KeyPointVerdict": "results",
    "MAX_RESULT_BYTES": "results",
    "MAX_TEAM_TOML_BYTES": "folder",
    "RESULT_FORMAT": "results",
    "ResultAnswer": "results",
    "ResultFile": "results",
    "ResultPool": "pool",
    "TeamConfig": "folder",
    "TeamFormatError": "folder",
    "TeamLayout": "folder",
    "digest12": "folder",
    "is_safe_slug": "folder",
    "load_results": "pool",
    "new_handle": "folder",
    "parse_result": "results",
    "read_result": "results",
    "read_team_config": "folder",
    "team_toml": "folder",
    "to_json": "results",
    "write_team_config": "folder",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
