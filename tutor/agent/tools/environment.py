"""The environment an agent's command runs with: an allowlist, never a secret, quiet reproducible defaults.

Which names count as secret is not decided here: `tutor.redaction.names` owns the
one vocabulary, and `kept_out_of_commands` is its rule for this use (broader than the
redactor's, since a variable wrongly kept from a command costs little and one wrongly
passed can leak).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

__all__ = ["ALLOWED_ENV", "ALLOWED_ENV_PREFIXES", "command_environment", "safe_environment"]

ALLOWED_ENV = ("PATH", "LANG", "TERM", "TZ", "USER", "LOGNAME")
ALLOWED_ENV_PREFIXES = ("LC_",)
# A URL with anything before an `@` in its authority: `user:pw@host`, and also a bare token as the
# user (`https://<token>@pkgs.dev.azure.com/...`, as package indexes are often configured).
_URL_WITH_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.\-]*://[^/\s@?#]+@", re.IGNORECASE)
_FORCED_ENV = {
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "TZ": "UTC",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
}


def safe_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for `run`: `environ` (default `os.environ`) without secrets or git overrides.

    Drops every name `kept_out_of_commands` names (`ANTHROPIC_*`, `OPENAI_*`, `AWS_*`,
    `GITHUB_TOKEN`, `GH_TOKEN`, every name containing KEY, TOKEN, SECRET, PASSWORD, PASSWD,
    CREDENTIAL, AUTH, COOKIE, SESSION or PRIVATE in any case, ...), every value that is a
    URL with credentials in it (`postgres://u:pw@host`, `https://TOKEN@host`), and all `GIT_*` variables (a stray
    `GIT_DIR` would point git at another repository). Then sets quiet, reproducible
    defaults (UTC, no colour, no pager, no git prompts, no .pyc files, `PYTHONHASHSEED=0`,
    `LC_ALL=C.UTF-8` unless `LC_ALL` is set). PATH, HOME, LANG and the rest are kept.
    """
    from tutor.redaction.names import kept_out_of_commands

    source = os.environ if environ is None else environ
    env = {
        name: value
        for name, value in source.items()
        if not kept_out_of_commands(name) and not _URL_WITH_CREDENTIALS.search(value)
    }
    env.update(_FORCED_ENV)
    env.setdefault("LC_ALL", "C.UTF-8")
    env.setdefault("PATH", os.defpath)
    return env


def command_environment(environ: Mapping[str, str] | None = None, extra: Iterable[str] = (), *, home: str) -> dict[str, str]:
    """The environment of a live session's command: an allowlist of `environ`, never a secret, `HOME` private.

    Kept: `PATH`, `LANG`, `LC_*`, `TERM`, `TZ`, `USER`, `LOGNAME` and the names in `extra`
    (the `sandbox_env` setting; a trailing `*` takes a prefix, `PIP_*`). Then
    `safe_environment` drops anything secret-looking that an `extra` name let in (an API
    key never enters, whatever the settings say) and sets its quiet defaults. `HOME` is
    `home` (the sandbox's, or a private folder).
    """
    source = os.environ if environ is None else environ
    names = [name for name in extra if isinstance(name, str) and name]
    exact = set(ALLOWED_ENV) | {name for name in names if not name.endswith("*")}
    prefixes = ALLOWED_ENV_PREFIXES + tuple(name[:-1] for name in names if name.endswith("*") and len(name) > 1)
    kept = {name: value for name, value in source.items() if name in exact or name.startswith(prefixes)}
    env = safe_environment(kept)
    env["HOME"] = home
    return env
