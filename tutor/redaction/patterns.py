"""The patterns: private key blocks, keyword-anchored rules, secret-named keys (provider tokens: `tokens`).

Every pattern is written so that matching stays linear: quantifiers are bounded
or possessive, and each token pattern starts with a literal and refuses to start
in the middle of a run of its own characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .literals import _looks_random, _plausible_option_value

# A private key block is searched for its END line this far from BEGIN.
_PEM_MAX = 65536


# ---------------------------------------------------------------- private key blocks

_PEM_BEGIN = re.compile(r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----")
# A block whose END is missing (truncated output): the base64 and header lines after BEGIN.
_PEM_BODY = re.compile(
    r"(?:[ \t]*+(?:\r?\n|\\r\\n|\\n)?[ \t]*+"
    r"(?:[A-Za-z0-9+/=]{2,}+|[A-Z][A-Za-z\-]{1,30}+:[^\r\n\\]{0,200}+))*+"
)

# ------------------------------------------------------------ keyword-anchored rules


@dataclass(frozen=True, slots=True)
class _KeywordRule:
    """A case-insensitive pattern tried (with `match`) wherever one of its keywords is."""

    kind: str
    keywords: tuple[str, ...]
    regex: re.Pattern[str]
    check: bool = False  # the value must pass `_plausible_literal` (not a placeholder or reference)
    word_start: bool = True  # the keyword may not follow a letter
    numbers: bool = True  # a value of digits only counts (`-u 1000:1000` is a uid:gid, not a password)
    accept: Callable[[str], bool] | None = None  # the value must pass this too


# A password glued to its option or after it, quoted or not: `-pS3cret`, `-p 'S3 cret'`, `-p"x"`.
_OPTION_VALUE = (
    r"(?P<q>[\"']?)"
    r"(?P<s>(?<=\")[^\"\r\n]{1,256}+(?=\")|(?<=')[^'\r\n]{1,256}+(?=')|[^\s\"'`;|&]{1,256}+)"
)


def _command_password(value: str) -> bool:
    """A value after a command's password option and a blank (`zip -P <password>`): not a reference or
    placeholder, and not a plain lower-case word (prose: "zip -P with a password")."""
    return _plausible_option_value(value) and not (value.isalpha() and value.islower())


# The MySQL and MariaDB clients (`mysql_config -pthread` is not one).
_MYSQL = r"(?i:mysql|mariadb)(?:-?(?:dump|admin|import|check|show|slap|binlog|upgrade)|sh)?+(?![\w\-])"


_KEYWORD_RULES: tuple[_KeywordRule, ...] = (
    _KeywordRule(
        "aws-secret-key",
        ("secret",),
        re.compile(
            r"(?i)secret[_\-.]?access[_\-.]?key\\{0,3}[\"']?[ \t]*+(?::=|=>|:|=)[ \t]*+\\{0,3}[\"']?"
            r"(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        word_start=False,
    ),
    _KeywordRule(
        "azure-storage-key",
        ("accountkey=", "sharedaccesskey="),
        re.compile(r"(?i)(?:accountkey|sharedaccesskey)=(?P<s>[A-Za-z0-9+/=]{20,}+)"),
        word_start=False,
    ),
    _KeywordRule(
        "authorization",
        ("authorization",),
        re.compile(
            r"(?i)authorization\\{0,3}[\"']?[ \t]*+[:=][ \t]*+(?:[rbuf]{0,2}\\{0,3}[\"'][ \t]*+)?"
            r"(?>(?:bearer|basic|token|digest|bot|apikey|sso-key|jwt|negotiate|ntlm|key)[ \t]++)?"
            r"(?P<s>[A-Za-z0-9\-._~+/=:]{6,}+)"
        ),
        check=True,
        word_start=False,
    ),
    _KeywordRule(
        "bearer-token",
        ("bearer",),
        re.compile(r"(?i)bearer[ \t]++(?P<s>[A-Za-z0-9\-._~+/]{20,}+=*+)"),
        check=True,
    ),
    _KeywordRule(
        "cookie",
        ("cookie",),
        re.compile(
            r"(?i)cookie\\{0,3}[\"']?[ \t]*+:[ \t]*+\\{0,3}[\"']?"
            r"(?P<s>[^\r\n\"'\\;=\s]{1,128}+=[^\r\n\"'\\]{4,2048}+)"
        ),
        word_start=False,
    ),
    _KeywordRule(
        "basic-auth",
        ("-u", "--user"),
        re.compile(
            r"(?:-u|--user)(?:[ \t]++|=)\\{0,3}[\"']?"
            r"(?P<u>[^\s:\"'`\\]{1,128}+):(?P<s>[^\s\"'`\\]{1,256}+)"
        ),
        check=True,
        numbers=False,
    ),
    _KeywordRule(  # `mysql -uroot -pS3cret shop`: the password glued to -p (`-p` alone asks for it)
        "password",
        ("mysql", "mariadb"),
        # Only options (each with at most one value) between the command and -p: not prose
        # that names MariaDB and later an option (`MariaDB clients (mysql_config -pthread)`).
        re.compile(_MYSQL + r"(?:[ \t]++-(?!p)[^\s;|&]{1,64}+(?:[ \t]++[^\s\-;|&][^\s;|&]{0,64}+)?){0,12}+[ \t]++-p" + _OPTION_VALUE),
        accept=_plausible_option_value,
    ),
    _KeywordRule(  # `sshpass -p S3cret ssh host`, its options before -p (never the command's own -p)
        "password",
        ("sshpass",),
        re.compile(r"(?i:sshpass)(?:[ \t]++-[^p\s]\S{0,64}+){0,4}+[ \t]++-p[ \t]*+" + _OPTION_VALUE),
        accept=_plausible_option_value,
    ),
    _KeywordRule(  # `docker login -u ci -p <password> registry` (`--password-stdin` reads it from stdin: nothing to find)
        "password",
        ("docker", "podman", "nerdctl"),
        re.compile(
            r"(?i:docker|podman|nerdctl)[ \t]++login(?:[ \t]++(?!-p|--password[ \t=])[^\s;|&]{1,256}+){0,12}+"
            r"[ \t]++(?:-p[ \t]*+|--password(?:[ \t]++|=))" + _OPTION_VALUE
        ),
        accept=_command_password,
    ),
    _KeywordRule(  # openssl's `-pass pass:...`, `-passin pass:...`, `-passout pass:...` (not `env:`, `file:`)
        "password",
        ("-pass",),
        re.compile(r"-pass(?:in|out)?[ \t]++(?:pass):" + _OPTION_VALUE),
        accept=_plausible_option_value,
    ),
    _KeywordRule(  # `openssl enc -aes-256-cbc -k <password> -in f` (not `-kfile`)
        "password",
        ("openssl",),
        re.compile(r"(?i:openssl)(?:[ \t]++(?!-k[ \t])[^\s;|&]{1,256}+){0,24}+[ \t]++-k[ \t]++" + _OPTION_VALUE),
        accept=_command_password,
    ),
    _KeywordRule(  # `zip -P <password> out.zip f`, `unzip -P <password> in.zip` (`unzip -p` pipes: case matters)
        "password",
        ("zip", "unzip"),
        re.compile(
            r"(?:un)?zip(?![\w.\-])(?:[ \t]++(?!-P|--password[ \t=])[^\s;|&]{1,256}+){0,24}+"
            r"[ \t]++(?:-P[ \t]*+|--password(?:[ \t]++|=))" + _OPTION_VALUE
        ),
        accept=_command_password,
    ),
    _KeywordRule(  # `7z a -p<password> out.7z f`: the password glued to -p (`-p` alone asks for it)
        "password",
        ("7z",),
        re.compile(r"7z[ar]?(?![\w.\-])(?:[ \t]++(?![\"']?-p)[^\s;|&]{1,256}+){0,24}+[ \t]++[\"']?-p" + _OPTION_VALUE),
        accept=_plausible_option_value,
    ),
    _KeywordRule(  # `htpasswd -b FILE USER <password>`, `htpasswd -nb USER <password>` (-n: no file)
        "password",
        ("htpasswd",),
        re.compile(
            r"htpasswd(?=(?:[ \t]++-[A-Za-z]{1,8}){0,3}?[ \t]++-[A-Za-z]{0,7}b)"
            r"(?:[ \t]++-(?:(?=[A-Za-z]{0,7}n)(?P<n>[A-Za-z]{1,8}+)|[A-Za-z]{1,8}+)(?!\S)){1,4}+"
            r"(?(n)|[ \t]++[^\s;|&\-][^\s;|&]{0,256}+)[ \t]++[^\s;|&\-][^\s;|&]{0,128}+[ \t]++" + _OPTION_VALUE
        ),
        accept=_command_password,
    ),
    _KeywordRule(  # `aws configure`'s prompt, `AWS Secret Access Key [None]: ...`; `aws configure set aws_secret_access_key ...`
        "aws-secret-key",
        ("secret",),
        re.compile(
            r"(?i)secret[ _\-.]?access[ _\-.]?key(?:[ \t]++\[[^\]\r\n]{0,64}+\])?\\{0,3}[\"']?"
            r"(?:[ \t]*+(?::=|=>|:|=)|[ \t])[ \t]*+\\{0,3}[\"']?"
            r"(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        word_start=False,
    ),
    _KeywordRule(  # a personal access token under an upper-case name ending in PAT: `AZURE_DEVOPS_EXT_PAT=...`, `GH_PAT: ...`
        "token",
        ("pat",),
        re.compile(
            r"(?<![A-Za-z0-9])PAT(?![A-Za-z0-9_])\\{0,3}[\"']?[ \t]*+(?::=|=|:)[ \t]*+\\{0,3}(?P<q>[\"']?)"
            r"(?P<s>[^\s\"'`;|&\\]{8,512}+)"
        ),
        check=True,
        word_start=False,
        accept=_looks_random,
    ),
    _KeywordRule(  # a GCP service account's key id (`"private_key_id": "<40 hex>"`): its name ends in `_id`
        "gcp-private-key-id",
        ("private_key_id",),
        re.compile(r"(?i)private_key_id\\{0,3}[\"']?[ \t]*+[:=][ \t]*+\\{0,3}[\"']?(?P<s>[0-9a-fA-F]{40})(?![0-9A-Za-z])"),
        word_start=False,
    ),
    _KeywordRule(
        "kubeconfig-client-key",
        ("client-key-data",),
        re.compile(r"(?i)client-key-data\\{0,3}[\"']?[ \t]*+[:=][ \t]*+\\{0,3}[\"']?(?P<s>[A-Za-z0-9+/=]{40,}+)(?![\w\-.])"),
        word_start=False,
    ),
    _KeywordRule(
        "kubeconfig-client-certificate",
        ("client-certificate-data",),
        re.compile(
            r"(?i)client-certificate-data\\{0,3}[\"']?[ \t]*+[:=][ \t]*+\\{0,3}[\"']?(?P<s>[A-Za-z0-9+/=]{40,}+)(?![\w\-.])"
        ),
        word_start=False,
    ),
)

# ------------------------------------------------------------ secret-named assignments

# keyword -> kind. Strong keywords may be glued to a prefix (`dbpassword`,
# `GITHUB_TOKEN`); weak ones must start a word (`DB_PASS`, not `bypass`). None may
# run on into more letters of the same case (`tokens`, `tokenizer`, `secretary`).
_STRONG_KEYWORDS: dict[str, str] = {
    "password": "password",
    "passwd": "password",
    "passphrase": "password",
    "secret": "secret",
    "token": "token",
    "apikey": "api-key",
    "api_key": "api-key",
    "api-key": "api-key",
    "access_key": "access-key",
    "accesskey": "access-key",
    "access-key": "access-key",
    "private_key": "private-key",
    "privatekey": "private-key",
    "private-key": "private-key",
    "credential": "credential",
    "credentials": "credential",
    "signing_key": "secret",
    "encryption_key": "secret",
    "master_key": "secret",
}
_WEAK_KEYWORDS: dict[str, str] = {"pass": "password", "pwd": "password", "auth": "auth"}

# Words after which the redactor may find a secret by its context (a keyword, then the
# value): text streamed in pieces must not be cut between such a word and the end of its
# line, or the two halves would each look harmless (`tutor.agent.loop` holds such a line
# back). Derived from the rules above: the strong keywords and the keyword rules' words,
# plus `private` (key material). The weak keywords (`pass`, `pwd`, `auth`) and the
# option rules (`-u`, `--user`) are left out: they occur in most prose ("author",
# "re-use") and holding every such line back would stall the stream.
CONTEXT_CUES: tuple[str, ...] = tuple(
    sorted(
        set(_STRONG_KEYWORDS)
        | {word for rule in _KEYWORD_RULES for word in rule.keywords if word.isalpha() and len(word) >= 5}
        | {"private"}
    )
)

_ASSIGN_TAIL = re.compile(
    r"""
    (?P<suffix>[A-Za-z0-9_.\-]{0,64}+)          # the rest of the key's name
    (?:\\{0,3}["'`])?                           # the closing quote of a quoted key
    \]?                                         # params['password']
    (?:
        (?P<ann>[ \t]*+:[ \t]*+(?P<annt>[A-Za-z_][\w.]{0,64}+)(?:\[[^\]\r\n]{0,80}+\])?
            (?:[ \t]*+\|[ \t]*+[A-Za-z_][\w.]{0,64}+)?[ \t]*+=)(?![=>])   # name: str = ...
      | (?P<sep>[ \t]*+(?::=|=>|==|!=|=|:|>))
      | (?P<ws>[ \t]++)
    )
    [ \t]*+
    (?:
        [rRbBuUfF]{0,2}
        (?:
            \\{1,3}"(?P<eq>[^"\\\r\n]{1,512}+)
          | "(?P<dq>(?:[^"\\\r\n]|\\.){1,512}+)
          | '(?P<sq>[^'\r\n]{1,512}+)
          | `(?P<bq>[^`\r\n]{1,512}+)
        )
      | (?P<uq>[^\s"'`,;&|<>(){}\[\]\\]{1,512}+)
    )
    """,
    re.VERBOSE,
)
