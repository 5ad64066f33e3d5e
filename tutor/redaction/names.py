"""The one vocabulary of secret names: which variable names say their value is secret, and which values count.

Two uses, two rules, one owner:

- `names_a_secret(name)`: the redactor's rule (a variable whose value it learns and
  redacts, a key whose assigned value it removes). Narrow on purpose, by words, so that
  `KEYBOARD` or `TOKEN_FILE` are not secrets and lessons keep their text.
- `kept_out_of_commands(name)`: the agent's command environment (`tutor.agent.tools
  .environment`). Broader, and it includes `names_a_secret`: a variable wrongly kept from
  a command costs little, one wrongly passed can leak.

(The words after which the redactor looks for a secret by context, which a streamed
piece must not cut, are `patterns.CONTEXT_CUES`: keywords in text, not variable names.)
"""

from __future__ import annotations

import functools
import os
import re

from .literals import _CAMEL_SPLIT, _NON_SECRET_TAILS, _SECRET_ID, _NUMBER, _URL, _keyword_at

__all__ = ["MIN_ENV_VALUE", "kept_out_of_commands", "names_a_secret"]

# Environment values shorter than this are not treated as secrets (too likely
# to occur by chance in ordinary text).
MIN_ENV_VALUE = 8

_SECRET_NAME_WORDS = frozenset(
    [
        "key", "keys", "token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "pass", "pwd",
        "pw", "passphrase", "credential", "credentials", "creds", "cred", "auth", "cookie", "cookies",
        "session", "private", "api", "apikey", "dsn", "signature", "salt", "pat", "jwt", "bearer",
    ]
)
_SECRET_NAME_PARTS = (
    "secret", "token", "password", "passwd", "apikey", "api_key", "accesskey", "access_key",
    "privatekey", "private_key", "database_url", "databaseurl", "connection_string",
    "connectionstring", "conn_str", "credential",
)
_ALWAYS_SECRET_NAMES = ("database_url", "databaseurl", "connection_string", "connectionstring", "conn_str", "dsn")
# Well-known variables whose names look secret but whose values are not.
_NOT_SECRET_NAMES = frozenset(
    [
        "DESKTOP_SESSION", "XDG_SESSION_ID", "XDG_SESSION_TYPE", "XDG_SESSION_CLASS", "XDG_SESSION_DESKTOP",
        "XDG_SESSION_PATH", "DBUS_SESSION_BUS_ADDRESS", "SESSION_MANAGER", "SSH_AUTH_SOCK", "GPG_AGENT_INFO",
        "XAUTHORITY", "GNOME_KEYRING_CONTROL", "GNOME_KEYRING_PID", "KEYTIMEOUT", "SSH_ASKPASS", "SUDO_ASKPASS",
        "GIT_ASKPASS", "PASSWORD_STORE_DIR", "TERM_SESSION_ID", "ITERM_SESSION_ID", "TMUX_PANE", "SESSIONNAME",
    ]
)
_NOT_SECRET_VALUES = re.compile(r"(?i)(?:unix|tcp|local|abstract)[:/].*|true|false|yes|no|on|off|none|null")


@functools.lru_cache(maxsize=4096)  # a pure rule asked of the same environment's names at every import and session
def names_a_secret(name: str) -> bool:
    """Does this environment variable's (or key's) name say its value is secret? The redactor's rule.

    Case-insensitive, by words (`MY_API_KEY`, `githubToken`, `DB_PASS`), so that
    `KEYBOARD` or `CAPITAL` are not; a last word naming a property of the secret
    (`TOKEN_FILE`, `API_URL`, `SECRET_PATH`) makes it not secret, except for
    names that always hold credentials (`DATABASE_URL`, `*_DSN`, connection strings).
    """
    if name.upper() in _NOT_SECRET_NAMES:
        return False
    lowered = name.lower()
    if any(part in lowered for part in _ALWAYS_SECRET_NAMES):
        return True
    words = [w.lower() for w in _CAMEL_SPLIT.split(name) if w]
    if not words or (words[-1] in _NON_SECRET_TAILS and tuple(words[-2:]) != _SECRET_ID):
        # `TOKEN_FILE`, `AWS_ACCESS_KEY_ID`; but a `VAULT_SECRET_ID` is a credential.
        return False
    if any(w in _SECRET_NAME_WORDS for w in words):
        return True
    # Glued names (`PGPASSWORD`, `GITHUBTOKEN`), but not longer words (`TOKENIZERS`).
    for part in _SECRET_NAME_PARTS:
        i = lowered.find(part)
        while i != -1:
            if _keyword_at(name, i, part, weak=False):
                return True
            i = lowered.find(part, i + 1)
    return False


# Kept out of commands besides what `names_a_secret` says: these words anywhere in the name
# (any case), these prefixes, names and endings, and these parts.
_COMMAND_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE", "SESSION", "PRIVATE")
_COMMAND_SECRET_PREFIXES = ("ANTHROPIC_", "OPENAI_", "AWS_", "GIT_")
_COMMAND_SECRET_NAMES = frozenset({"GITHUB_TOKEN", "GH_TOKEN", "GH_PAT", "DB_PASS"})
_COMMAND_SECRET_SUFFIXES = ("_PAT", "_PASS", "_PWD", "_PASSPHRASE", "_DSN", "_CREDS", "_SIGNATURE")
_COMMAND_SECRET_PARTS = ("PASSPHRASE", "CONNECTION_STRING", "CONNECTIONSTRING", "CONN_STR", "DATABASE_URL")


def kept_out_of_commands(name: str) -> bool:
    """Whether an environment variable of this name is kept away from the agent's commands.

    Everything `names_a_secret` names, and more: the words KEY, TOKEN, SECRET, PASSWORD,
    PASSWD, CREDENTIAL, AUTH, COOKIE, SESSION and PRIVATE anywhere in the name (any case,
    so `*_KEY_ID` too: an id is half of a credential), `ANTHROPIC_*`, `OPENAI_*`,
    `AWS_*` and `GIT_*` (a stray `GIT_DIR` would point git elsewhere), `GITHUB_TOKEN`,
    `GH_TOKEN`, `GH_PAT`, `DB_PASS`, a name ending in `_PAT`, `_PASS`, `_PWD`,
    `_PASSPHRASE`, `_DSN`, `_CREDS` or `_SIGNATURE`, or holding `PASSPHRASE`,
    `CONNECTION_STRING` / `CONN_STR` or `DATABASE_URL`.
    """
    upper = name.upper()
    if (
        upper in _COMMAND_SECRET_NAMES
        or upper.startswith(_COMMAND_SECRET_PREFIXES)
        or any(word in upper for word in _COMMAND_SECRET_WORDS)
        or upper.endswith(_COMMAND_SECRET_SUFFIXES)
        or any(part in upper for part in _COMMAND_SECRET_PARTS)
    ):
        return True
    return names_a_secret(name)


def _url_without_credentials(value: str) -> bool:
    match = _URL.match(value)
    if not match:
        return False
    rest = value[match.end() :]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    return "@" not in authority and "?" not in rest


def _secret_env_value(value: str) -> bool:
    """Is this value of a secret-named variable worth redacting?

    Skipped: values shorter than `MIN_ENV_VALUE`, booleans, plain numbers, socket
    addresses (`unix:path=...`), URLs carrying no credentials, and absolute paths
    that exist on this machine.
    """
    if len(value) < MIN_ENV_VALUE or (value.strip() != value and len(value.strip()) < MIN_ENV_VALUE):
        return False
    if _NOT_SECRET_VALUES.fullmatch(value) or (len(value) < 16 and _NUMBER.fullmatch(value)):
        return False
    if _url_without_credentials(value):
        return False
    if os.path.isabs(value) or value.startswith("~"):
        try:
            if os.path.exists(os.path.expanduser(value)):
                return False
        except (OSError, ValueError):
            pass
    return True

