"""Redaction of secrets from everything a live session stores.

`Redactor` finds secrets in text and replaces each with a marker
`[REDACTED:<kind>]`, where kind names what was there (`anthropic-key`,
`aws-access-key`, `password`, `env:MY_TOKEN`, ...). It looks for:

- provider tokens with a recognisable shape, in the style of gitleaks: Anthropic,
  OpenAI, AWS access key ids, GitHub, GitLab, Slack, Stripe, Google, npm, Twilio,
  SendGrid, Hugging Face, PyPI, Vault, and more (see `_TOKEN_RULES`);
- structures that carry a secret: private key blocks, JWTs, `Authorization:`
  and `Cookie:` headers, `Bearer` tokens, passwords in URLs (`user:pass@host`),
  `curl -u user:pass`, AWS secret keys and Azure account keys in assignments;
- values assigned to secret-named keys in code, config files, `.env` files, JSON,
  YAML, XML, `.netrc` and command-line flags (`password = "..."`,
  `"token": "..."`, `API_KEY=...`, `--password ...`). Quoted values and the values
  of upper-case environment-style keys are taken as literals; an unquoted value
  after a lower-case key (`token = make_token()`, `password: str`) is only taken
  when it looks random (letters and digits, or long and mixed), so that code
  survives;
- the exact values of secret-looking environment variables
  (`Redactor.from_environment`), plus any extra values the caller names.

Ordinary hex (git commit SHAs), UUIDs and base64 outside secret-named
assignments are left alone: lessons quote `git log` output.

Every pattern is written so that matching stays linear: quantifiers are bounded
or possessive, and each token pattern starts with a literal and refuses to start
in the middle of a run of its own characters. Case-insensitive patterns are only
tried where a keyword was found (`str.find` on the lower-cased text).

`redact` is idempotent: markers are never matched again, and a pass is repeated
until nothing more is found, so `redact(redact(x)) == redact(x)`.

Known limits (documented, not bugs): an unquoted password without digits after a
lower-case key (`password: correcthorse` in YAML) is kept, as is a quoted value
shorter than six characters; values that are placeholders (`<token>`, `xxxx`,
`${TOKEN}`, `your_token_here`), references to other variables, URLs, paths and
plain numbers are never treated as secrets; secrets split across lines (other than
private key blocks) or encoded (base64 of a secret, other than HTTP Basic) are not
found, except that environment values are also matched URL-encoded and
JSON-escaped.
"""

from __future__ import annotations

import json
import math
import os
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

__all__ = ["MARKER", "Finding", "Redactor", "is_secret_name", "marker"]

MARKER = "[REDACTED:{kind}]"
_MARKER_RE = re.compile(r"\[REDACTED:[A-Za-z0-9_.:\-]{1,80}\]")
_KIND_UNSAFE = re.compile(r"[^A-Za-z0-9_.:\-]")

# A pass is repeated while it still finds something; each pass replaces some
# unredacted text by a marker, so this converges long before the cap.
_MAX_PASSES = 8

# Environment values shorter than this are not treated as secrets (too likely
# to occur by chance in ordinary text).
MIN_ENV_VALUE = 8
# Values given explicitly (`extra_values`) need only be this long.
MIN_EXTRA_VALUE = 4
# Quoted values (and environment-style assignments) under a secret-named key.
_MIN_LITERAL = 6
# Unquoted values under a lower-case secret-named key, which must also look random.
_MIN_LOOSE = 8
# A private key block is searched for its END line this far from BEGIN.
_PEM_MAX = 65536


def marker(kind: str) -> str:
    """The text that replaces a secret of this kind."""
    return MARKER.format(kind=kind)


@dataclass(frozen=True, slots=True)
class Finding:
    """A secret found in a text: `text[start:end]`, of this kind."""

    kind: str
    start: int
    end: int


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class _Rule:
    """A case-sensitive pattern, searched for when one of its triggers is in the text (or always, if none)."""

    kind: str
    regex: re.Pattern[str]
    triggers: tuple[str, ...]
    group: str | int = 0
    check: bool = False  # the value must pass `_plausible_literal` (not a placeholder)
    lead: int = 0  # the secret starts this many characters before the match (checked by a lookbehind)


def _tok(prefix: str, width: int, body: str, before: str = "A-Za-z0-9") -> str:
    """`prefix` (a regex of `width` characters) then `body`, not preceded by [before].

    The boundary is checked after the literal so that the regex engine can still
    skip ahead to the prefix, and so that a match never starts inside a run of
    token characters (which would make repeated prefixes quadratic).
    """
    return f"{prefix}(?<![{before}].{{{width}}}){body}"


def _rule(
    kind: str, pattern: str, *triggers: str, group: str | int = 0, check: bool = False, lead: int = 0
) -> _Rule:
    return _Rule(kind, re.compile(pattern), triggers, group, check, lead)


_B64URL = r"A-Za-z0-9_\-"

# Most specific first: when findings overlap, the earlier rule names the kind.
_TOKEN_RULES: tuple[_Rule, ...] = (
    _rule("anthropic-key", _tok("sk-ant-", 7, rf"[a-z]{{2,8}}\d{{2}}-[{_B64URL}]{{20,}}+"), "sk-ant-"),
    _rule(
        "openai-key",
        _tok("sk-", 3, rf"(?:(?:proj|svcacct|admin|None)-[{_B64URL}]{{20,}}+|[A-Za-z0-9]{{32,}}+)"),
        "sk-",
    ),
    _rule(
        "aws-access-key",
        _tok("(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])", 4, r"[A-Z0-9]{16}(?![A-Za-z0-9])"),
    ),
    _rule("github-token", _tok("gh[pousr]_", 4, r"[A-Za-z0-9]{36,255}+"), "gh"),
    _rule("github-token", _tok("github_pat_", 11, r"[A-Za-z0-9_]{22,255}+"), "github_pat_"),
    _rule(
        "gitlab-token",
        _tok("gl", 2, rf"(?:pat|ptt|dt|rt|soat|cbt|imt|ft|agent|oas)-[{_B64URL}]{{20,}}+"),
        "gl",
    ),
    _rule("grafana-token", _tok("gl", 2, r"(?:sa|c)_[A-Za-z0-9_=+/\-]{32,}+"), "glsa_", "glc_"),
    _rule("slack-token", _tok("xox[baprse]-", 5, r"[A-Za-z0-9\-]{10,}+"), "xox"),
    _rule("slack-token", _tok("xapp-", 5, r"[A-Za-z0-9\-]{20,}+"), "xapp-"),
    _rule(
        "slack-webhook",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9_/\-]{20,}+)",
        "hooks.slack.com/",
        group="s",
    ),
    _rule(
        "discord-webhook",
        r"discord(?:app)?\.com/api/webhooks/\d{1,30}+/(?P<s>[A-Za-z0-9_\-]{20,}+)",
        "/api/webhooks/",
        group="s",
    ),
    _rule("stripe-key", _tok("sk_", 3, r"(?:live|test)_[A-Za-z0-9]{16,}+", "A-Za-z0-9_"), "_live_", "_test_"),
    _rule("stripe-key", _tok("rk_", 3, r"(?:live|test)_[A-Za-z0-9]{16,}+", "A-Za-z0-9_"), "_live_", "_test_"),
    _rule("stripe-webhook-secret", _tok("whsec_", 6, r"[A-Za-z0-9+/=]{24,}+"), "whsec_"),
    _rule("google-api-key", _tok("AIza", 4, rf"[{_B64URL}]{{35}}(?![{_B64URL}])"), "AIza"),
    _rule("google-oauth-secret", _tok("GOCSPX-", 7, rf"[{_B64URL}]{{20,}}+"), "GOCSPX-"),
    _rule("google-oauth-token", _tok(r"ya29\.", 5, rf"[{_B64URL}]{{20,}}+"), "ya29."),
    _rule("npm-token", _tok("npm_", 4, r"[A-Za-z0-9]{36,}+"), "npm_"),
    _rule("twilio-key", _tok("SK", 2, r"[0-9a-fA-F]{32}(?![A-Za-z0-9])"), "SK"),
    _rule("sendgrid-key", _tok(r"SG\.", 3, rf"[{_B64URL}]{{16,}}+\.[{_B64URL}]{{16,}}+"), "SG."),
    _rule("huggingface-token", _tok("hf_", 3, r"[A-Za-z0-9]{30,}+"), "hf_"),
    _rule("huggingface-token", _tok("api_org_", 8, r"[A-Za-z0-9]{30,}+"), "api_org_"),
    _rule("pypi-token", _tok("pypi-AgE", 8, rf"[{_B64URL}]{{50,}}+"), "pypi-AgE"),
    _rule("digitalocean-token", _tok("do[por]_v1_", 7, r"[a-f0-9]{64}(?![A-Za-z0-9])"), "_v1_"),
    _rule("shopify-token", _tok("shp(?:at|ss|ca|pa)_", 6, r"[a-fA-F0-9]{32}(?![A-Za-z0-9])"), "shp"),
    _rule("vault-token", _tok(r"hv[sbr]\.", 4, rf"[{_B64URL}]{{24,}}+"), "hv"),
    _rule("linear-key", _tok("lin_api_", 8, r"[A-Za-z0-9]{40,}+"), "lin_api_"),
    _rule("postman-key", _tok("PMAK-", 5, r"[a-fA-F0-9]{24}-[a-fA-F0-9]{34}(?![A-Za-z0-9])"), "PMAK-"),
    _rule("databricks-token", _tok("dapi", 4, r"[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])"), "dapi"),
    _rule("age-secret-key", _tok("AGE-SECRET-KEY-1", 16, r"[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"), "AGE-SECRET-KEY-1"),
    _rule("groq-key", _tok("gsk_", 4, r"[A-Za-z0-9]{48,}+"), "gsk_"),
    _rule("xai-key", _tok("xai-", 4, r"[A-Za-z0-9]{60,}+"), "xai-"),
    _rule("replicate-token", _tok("r8_", 3, r"[A-Za-z0-9]{37,}+"), "r8_"),
    _rule("perplexity-key", _tok("pplx-", 5, r"[A-Za-z0-9]{40,}+"), "pplx-"),
    _rule("atlassian-token", _tok("ATATT3", 6, r"[A-Za-z0-9_=\-]{100,}+"), "ATATT3"),
    _rule("onepassword-token", _tok("ops_eyJ", 7, r"[A-Za-z0-9+/_=\-]{100,}+"), "ops_eyJ"),
    _rule("newrelic-key", _tok("NRAK-", 5, r"[A-Z0-9]{27}(?![A-Za-z0-9])"), "NRAK-"),
    _rule("sentry-token", _tok("sntry[su]_", 7, r"[A-Za-z0-9+/=_\-]{40,}+"), "sntry"),
    _rule("doppler-token", _tok(r"dp\.", 3, r"(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,}+"), "dp."),
    _rule(
        "mailchimp-key",
        r"-us(?<=(?<![A-Za-z0-9])[0-9a-f]{32}-us)\d{1,2}(?![A-Za-z0-9])",
        "-us",
        lead=32,
    ),
    _rule(
        "azure-client-secret",
        r"Q~(?<=(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~)[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])",
        "Q~",
        lead=4,
    ),
    _rule(
        "telegram-bot-token",
        r"(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_\-]{32,35}(?![A-Za-z0-9_\-])",
        ":AA",
    ),
    _rule(
        "jwt",
        _tok("eyJ", 3, rf"[{_B64URL}]{{10,}}+\.e[wy][{_B64URL}]{{10,}}+(?:\.[{_B64URL}]++)?", _B64URL),
        "eyJ",
    ),
    _rule(
        "url-password",
        r"://(?P<u>[^\s:@/?#\[\]\"'<>\\]{1,256}+):(?P<s>[^\s@/?#\[\]\"'<>\\]{1,256}+)@",
        "://",
        group="s",
        check=True,
    ),
    _rule("azure-sas", r"sig=(?<=[?&]sig=)(?P<s>[A-Za-z0-9%+/=]{16,}+)", "sig=", group="s"),
)

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
_KEY_CHAR = re.compile(r"[A-Za-z0-9_.\-]")
_CAMEL_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")

# The last word of a key that names something about a secret, not the secret.
_NON_SECRET_TAILS = frozenset(
    """
    type types url uri urls endpoint endpoints name names field fields param params header headers
    hint length len count counts size limit limits max min file files path paths dir dirs folder env
    var vars stdin cmd command prompt policy expiry expires expiration expired ttl timeout format
    regex pattern label placeholder description desc help required enabled disabled index idx usage
    used budget estimate estimated counter cache store manager provider class kind mode method scheme
    version validator validation reset strength rules rule age changed updated created at status
    error errors message msg input widget form filter host port model region level retries
    location source helper backend lifetime duration encoding fingerprint
    """.split()
)

_STOPWORDS = frozenset(
    """
    true false yes no on off null none nil undefined required optional str string bytes int bool
    any object dict list secret secrets password passwd pass pwd pw token tokens bearer basic auth redacted
    changeme change_me example sample dummy placeholder default empty unset missing hidden masked
    notset not_set todo tbd fixme value variable env environment
    """.split()
)
# Placeholders, tested with `match` (a prefix) on the lower-cased value, and endings.
_PLACEHOLDER = re.compile(
    r"[x*.\-_#•]++$|<[^<>]*+>$|\(?hidden\)?$"
    r"|(?:your|my|the|some|insert|enter|put|replace)[_\-\s.]"
    r"|(?:example|sample|dummy|placeholder|redacted)"
)
_PLACEHOLDER_ENDS = ("_here", "-here", " here", "placeholder", "...", "\u2026")  # sk_test_...
_NUMBER = re.compile(r"[-+]?\d[\d_,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,20}://")
_PATH = re.compile(r"(?:~|\.{1,2}|\$\w+)?/[\w.@\-]+(?:/[\w.@\-]*)+|[A-Za-z]:\\[\w.\\ \-]*")
_DOTTED = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+")
# Three words or more and no digit: a message or a label, not a secret (passphrases are missed).
_PROSE = re.compile(r"[^\s\d]++(?:\s++[^\s\d]++){2,}+")
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# A name rather than a value: words, few digits, one of them says what it names.
_NAME_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9]*+(?:[_\-. ][A-Za-z0-9]++)*+")
_NAME_WORDS = frozenset(
    "pass pwd pw password passwd passphrase secret secrets token tokens key keys apikey auth credential credentials".split()
)
_REFERENCE_BITS = ("${", "{{", "%(", "$(", "#{", "{%", "<%")


def _entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
_HAS_LOWER = re.compile(r"[a-z]")
_HAS_UPPER = re.compile(r"[A-Z]")
_HAS_SYMBOL = re.compile(r"[^\w\s]")


def _looks_random(value: str) -> bool:
    """An unquoted value after a lower-case key: a secret, or an expression in code?"""
    if len(value) < _MIN_LOOSE or _DOTTED.fullmatch(value):
        return False
    has_digit = _HAS_DIGIT.search(value) is not None
    if has_digit and _HAS_ALPHA.search(value):
        return True
    if len(value) < 16:
        return False
    classes = has_digit + sum(p.search(value) is not None for p in (_HAS_LOWER, _HAS_UPPER, _HAS_SYMBOL))
    return classes >= 3 or len(value) >= 24 and _entropy(value) >= 4.0


def _plausible_literal(value: str, minimum: int = _MIN_LITERAL, quoted: bool = False) -> bool:
    """Could this value, found where a secret goes, be one (rather than a placeholder)?

    Unquoted, a value starting with `#` is a comment, `&`/`*` a YAML anchor or
    alias, `@`/`:` a decorator or symbol; quoted, these are just characters.
    """
    value = value.strip()
    if len(value) < minimum:
        return False
    if value[0] in ("$[" if quoted else "$%{<@#&*:[") or any(bit in value for bit in _REFERENCE_BITS):
        return False
    if value[0] == "%" and value[-1] == "%":  # %APPDATA%
        return False
    if _HEX_COLOUR.fullmatch(value):
        return False
    if "{" in value and "}" in value:  # a template (f-string, format string)
        return False
    if sum(c.isalnum() for c in value) * 2 < len(value):  # punctuation: a pattern, a separator
        return False
    lowered = value.lower()
    if lowered.replace("-", "_") in _STOPWORDS or _PLACEHOLDER.match(lowered) or lowered.endswith(_PLACEHOLDER_ENDS):
        return False
    if len(value) < 16 and _NUMBER.fullmatch(value):
        return False
    if _URL.match(value) or _PATH.fullmatch(value) or _ENV_NAME.fullmatch(value):
        return False
    # A name that mentions what it names (`"X-Api-Key"`, `password_confirmation`, `Access token`).
    return not (
        _NAME_LIKE.fullmatch(value)
        and sum(c.isdigit() for c in value) <= 2
        and not _NAME_WORDS.isdisjoint(_key_words(value))
    )


def _key_words(suffix: str) -> list[str]:
    return [p.lower() for p in _CAMEL_SPLIT.split(suffix) if p]


def _keyword_at(text: str, i: int, kw: str, weak: bool) -> bool:
    """Is `kw`, found at `text[i:]`, a word of a key rather than part of another word?"""
    end = i + len(kw)
    last = text[end - 1]
    if end < len(text):
        after = text[end]
        if ("a" <= after <= "z" and "a" <= last <= "z") or ("A" <= after <= "Z" and "A" <= last <= "Z"):
            return False
    if weak and i > 0:
        before, first = text[i - 1], text[i]
        if ("a" <= before <= "z" or "A" <= before <= "Z") and not ("a" <= before <= "z" and "A" <= first <= "Z"):
            return False
    return True


# ------------------------------------------------------------ environment variables

_SECRET_NAME_WORDS = frozenset(
    """
    key keys token tokens secret secrets password passwords passwd pass pwd pw passphrase credential
    credentials creds cred auth cookie cookies session private api apikey dsn signature salt pat jwt
    bearer
    """.split()
)
_SECRET_NAME_PARTS = (
    "secret", "token", "password", "passwd", "apikey", "api_key", "accesskey", "access_key",
    "privatekey", "private_key", "database_url", "databaseurl", "connection_string",
    "connectionstring", "conn_str", "credential",
)
_ALWAYS_SECRET_NAMES = ("database_url", "databaseurl", "connection_string", "connectionstring", "conn_str", "dsn")
# Well-known variables whose names look secret but whose values are not.
_NOT_SECRET_NAMES = frozenset(
    """
    DESKTOP_SESSION XDG_SESSION_ID XDG_SESSION_TYPE XDG_SESSION_CLASS XDG_SESSION_DESKTOP
    XDG_SESSION_PATH DBUS_SESSION_BUS_ADDRESS SESSION_MANAGER SSH_AUTH_SOCK GPG_AGENT_INFO
    XAUTHORITY GNOME_KEYRING_CONTROL GNOME_KEYRING_PID KEYTIMEOUT SSH_ASKPASS SUDO_ASKPASS
    GIT_ASKPASS PASSWORD_STORE_DIR TERM_SESSION_ID ITERM_SESSION_ID TMUX_PANE SESSIONNAME
    """.split()
)
_NOT_SECRET_VALUES = re.compile(r"(?i)(?:unix|tcp|local|abstract)[:/].*|true|false|yes|no|on|off|none|null")


def is_secret_name(name: str) -> bool:
    """Does this environment variable's name say its value is secret?

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
    if not words or words[-1] in _NON_SECRET_TAILS:
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
    if len(value) < MIN_ENV_VALUE or value.strip() != value and len(value.strip()) < MIN_ENV_VALUE:
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


# --------------------------------------------------------------------------- redactor


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    rank: int
    kind: str


class Redactor:
    """Finds secrets in text and replaces them with `[REDACTED:<kind>]` markers.

    `Redactor()` uses the patterns only; `Redactor.from_environment()` also
    redacts the exact values of secret-looking environment variables. A redactor
    holds secret values: its repr shows none of them.
    """

    __slots__ = ("_values", "_value_re")

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        """`values`: exact secret values to redact wherever they occur, each to its kind."""
        cleaned: dict[str, str] = {}
        for value, kind in (values or {}).items():
            if value and value not in cleaned:
                cleaned[value] = _KIND_UNSAFE.sub("_", kind)[:70] or "secret-value"
        self._values = cleaned
        self._value_re = (
            re.compile("|".join(re.escape(v) for v in sorted(cleaned, key=len, reverse=True))) if cleaned else None
        )

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        extra_values: Iterable[str] = (),
    ) -> Redactor:
        """A redactor for the values of secret-named variables in `environ` (default: `os.environ`).

        A variable counts when `is_secret_name(name)` and its value passes the
        checks of `_secret_env_value` (at least `MIN_ENV_VALUE` characters, not a
        boolean, number, credential-free URL or existing path). Each value is also
        matched URL-encoded and JSON-escaped. `extra_values` are always redacted
        (kind `secret-value`) when at least `MIN_EXTRA_VALUE` characters long.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name in sorted(environ):
            value = environ[name]
            if not isinstance(value, str) or not is_secret_name(name) or not _secret_env_value(value):
                continue
            kind = "env:" + _KIND_UNSAFE.sub("_", name)
            for variant in _variants(value):
                values.setdefault(variant, kind)
        for value in extra_values:
            if isinstance(value, str) and len(value) >= MIN_EXTRA_VALUE:
                for variant in _variants(value):
                    values.setdefault(variant, "secret-value")
        return cls(values)

    def __repr__(self) -> str:
        return f"<Redactor with {len(self._values)} secret value(s)>"

    # ------------------------------------------------------------------ public

    def found(self, text: str) -> list[Finding]:
        """The secrets in `text`, in order, overlapping findings merged (for tests and the UI)."""
        if not text:
            return []
        markers = [(m.start(), m.end()) for m in _MARKER_RE.finditer(text)] if "[REDACTED:" in text else []
        hits: list[_Hit] = []
        rank = 0
        present: dict[str, bool] = {}  # trigger -> found in text (several rules share one)
        for rule in _TOKEN_RULES:
            rank += 1
            if not rule.triggers or any(_present(t, text, present) for t in rule.triggers):
                for m in rule.regex.finditer(text):
                    start, end = m.span(rule.group)
                    start -= rule.lead
                    if end > start and (not rule.check or _plausible_literal(m.group(rule.group), 1)):
                        hits.append(_Hit(start, end, rank, rule.kind))
        rank += 1
        self._private_keys(text, hits, rank)
        lowered = text.lower()
        if len(lowered) != len(text):  # some character lower-cases to several: keep offsets aligned
            lowered = text.translate(_ASCII_LOWER)
        marker_starts = [s for s, _ in markers]
        for krule in _KEYWORD_RULES:
            rank += 1
            self._keyword_rule(text, lowered, krule, hits, rank, markers, marker_starts)
        rank += 1
        self._assignments(text, lowered, hits, rank, markers, marker_starts)
        rank += 1
        if self._value_re is not None:
            for m in self._value_re.finditer(text):
                hits.append(_Hit(m.start(), m.end(), rank, self._values[m.group()]))
        if markers:
            hits = _outside_markers(text, hits, markers)
        return _merge(hits)

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by `[REDACTED:<kind>]`. Idempotent."""
        if not isinstance(text, str):
            raise TypeError(f"redact() takes str, not {type(text).__name__}")
        for _ in range(_MAX_PASSES):
            findings = self.found(text)
            if not findings:
                break
            parts: list[str] = []
            pos = 0
            for f in findings:
                parts.append(text[pos : f.start])
                parts.append(marker(f.kind))
                pos = f.end
            parts.append(text[pos:])
            text = "".join(parts)
        return text

    def redact_bytes(self, data: bytes) -> bytes:
        """File contents redacted: decoded as UTF-8 (invalid bytes kept as they are), redacted, encoded back."""
        text = bytes(data).decode("utf-8", "surrogateescape")
        redacted = self.redact(text)
        if redacted is text or redacted == text:
            return bytes(data)
        return redacted.encode("utf-8", "surrogateescape")

    def redact_obj(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string redacted, dict keys included.

        A string under a secret-named key (`{"password": "..."}`, `{"Authorization": ...}`)
        is replaced whole when it could be a secret, since it has no context of its own.
        """
        return self._obj(value, None)

    # ----------------------------------------------------------------- helpers

    def _obj(self, value: Any, key: str | None) -> Any:
        if isinstance(value, str):
            if key is not None:
                kind = _field_kind(key)
                if kind and _plausible_literal(value, quoted=True) and not _PROSE.fullmatch(value.strip()):
                    return marker(kind)
            return self.redact(value)
        if isinstance(value, dict):
            return {
                (self.redact(k) if isinstance(k, str) else k): self._obj(v, k if isinstance(k, str) else None)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._obj(v, None) for v in value]
        if isinstance(value, tuple):
            return tuple(self._obj(v, None) for v in value)
        return value

    @staticmethod
    def _private_keys(text: str, hits: list[_Hit], rank: int) -> None:
        if "-----BEGIN" not in text:
            return
        ends: list[tuple[int, int]] | None = None
        covered = 0
        for m in _PEM_BEGIN.finditer(text):
            if m.start() < covered:
                continue
            if ends is None:
                ends = [(e.start(), e.end()) for e in _PEM_END.finditer(text)] if "-----END" in text else []
            k = bisect_left(ends, (m.end(), -1))
            if k < len(ends) and ends[k][0] - m.end() <= _PEM_MAX:
                end = ends[k][1]
            else:
                body = _PEM_BODY.match(text, m.end())
                end = body.end() if body else m.end()
            hits.append(_Hit(m.start(), end, rank, "private-key"))
            covered = end

    @staticmethod
    def _keyword_rule(
        text: str,
        lowered: str,
        rule: _KeywordRule,
        hits: list[_Hit],
        rank: int,
        markers: list[tuple[int, int]],
        marker_starts: list[int],
    ) -> None:
        for kw in rule.keywords:
            i = lowered.find(kw)
            while i != -1:
                nxt = i + 1
                skip = (rule.word_start and i > 0 and text[i - 1].isalpha()) or (
                    markers and _inside(i, markers, marker_starts)
                )
                m = None if skip else rule.regex.match(text, i)
                if m is not None:
                    value = m.group("s")
                    if (not rule.check or _plausible_literal(value)) and (rule.numbers or not value.isdigit()):
                        hits.append(_Hit(m.start("s"), m.end("s"), rank, rule.kind))
                        nxt = max(nxt, m.end())
                i = lowered.find(kw, nxt)

    @staticmethod
    def _assignments(
        text: str,
        lowered: str,
        hits: list[_Hit],
        rank: int,
        markers: list[tuple[int, int]],
        marker_starts: list[int],
    ) -> None:
        for weak, table in ((False, _STRONG_KEYWORDS), (True, _WEAK_KEYWORDS)):
            for kw, kind in table.items():
                i = lowered.find(kw)
                while i != -1:
                    nxt = i + 1
                    if _keyword_at(text, i, kw, weak) and not (markers and _inside(i, markers, marker_starts)):
                        span, skip = _assignment_value(text, i, len(kw))
                        if span is not None:
                            hits.append(_Hit(span[0], span[1], rank, kind))
                            skip = max(skip, span[1])
                        # Keywords inside a value already looked at are not keys.
                        nxt = max(nxt, skip)
                    i = lowered.find(kw, nxt)


def _assignment_value(text: str, i: int, kw_len: int) -> tuple[tuple[int, int] | None, int]:
    """The span of the secret assigned to the key whose keyword is at `text[i:i+kw_len]`, if any.

    Also returns where the next keyword may start: past an unquoted value glued to
    its `=` or `:`, taken or not (a keyword inside a long run of `a=b=c` is no key;
    skipping it keeps adversarial input linear).
    """
    m = _ASSIGN_TAIL.match(text, i + kw_len)
    if m is None:
        return None, 0
    value = m.group("uq")
    # Past `key=value` glued together; after `key value` or `a = b = "..."` the value may be the next key.
    glued = value is not None and m.group("sep") is not None and m.start("uq") == m.end("sep")
    skip = m.end("uq") if glued else 0
    suffix = m.group("suffix")
    if "." in suffix.rstrip(".") or not _NON_SECRET_TAILS.isdisjoint(_key_words(suffix)):
        # `Token.Name: ...` is about a token class; `token_type`, `password_hint` name no secret.
        return None, skip
    # Where the key's name starts (`--db-password`, `MYSQL_ROOT_PASSWORD`, `<password>`).
    start = i
    floor = max(0, i - 64)
    while start > floor and _KEY_CHAR.match(text, start - 1):
        start -= 1
    key = text[start : m.start("suffix") + len(m.group("suffix"))]
    before = text[start - 1] if start > 0 else ""
    sep = m.group("sep")
    stripped_sep = sep.strip() if sep is not None else ""
    if stripped_sep == ">" and before != "<":  # `>` separates only in XML: <password>...</password>
        return None, skip
    if m.group("ws") is not None and not _flag_or_netrc(text, start, key):
        # `--password hunter2` or a .netrc line; never prose ("password manager").
        return None, skip
    annotation = m.group("annt")
    if annotation is not None and _looks_random(annotation) and _plausible_literal(annotation, _MIN_LOOSE):
        # Not a type after all: `password: s3cr3tv4lue = ...` is YAML-ish, the secret first.
        return (m.start("annt"), m.end("annt")), 0
    comparison = stripped_sep in ("==", "!=")  # `if token == "integer":` compares with a constant
    for group in ("eq", "dq", "sq", "bq"):
        quoted = m.group(group)
        if quoted is not None:
            ok = _plausible_literal(quoted, quoted=True) and not _PROSE.fullmatch(quoted.strip())
            if comparison:
                ok = ok and _looks_random(quoted)
            return ((m.start(group), m.end(group)) if ok else None), 0
    assert value is not None
    span = (m.start("uq"), m.end("uq"))
    if stripped_sep == ">":
        ok = text.startswith("</", span[1]) and _plausible_literal(value)
        return (span if ok else None), skip
    if m.group("ws") is not None:
        # A plain lower-case word after a flag is prose ("the --password option").
        ok = not value.startswith("-") and _plausible_literal(value) and not (value.isalpha() and value.islower())
        return (span if ok else None), skip
    name = key.lstrip("-")
    upper_key = any("A" <= c <= "Z" for c in name) and not any("a" <= c <= "z" for c in name)
    if upper_key and m.group("ann") is None and (sep == "=" or stripped_sep == ":"):
        # API_KEY=..., export TOKEN=..., DB_PASSWORD: ... (compose files): literals.
        return (span if _plausible_literal(value) else None), skip
    if name != key and stripped_sep == "=" and not value.startswith("-"):
        # `--password=hunter2`: a literal on a command line.
        return (span if _plausible_literal(value) else None), skip
    if span[1] < len(text) and text[span[1]] in "([{":  # a call or subscript: code, not a secret
        return None, skip
    trimmed = value.rstrip(":.")  # `if token == Comment.Special:`
    span = (span[0], span[0] + len(trimmed))
    ok = _plausible_literal(trimmed, _MIN_LOOSE) and _looks_random(trimmed)
    return (span if ok else None), skip


def _flag_or_netrc(text: str, key_start: int, key: str) -> bool:
    if key.startswith("-"):
        return True
    line_start = text.rfind("\n", 0, key_start) + 1
    line = text[line_start : min(len(text), key_start + 400)].lower()
    return line.lstrip().startswith(("machine ", "default ")) or " machine " in line[: key_start - line_start]


def _field_kind(key: str) -> str | None:
    """The kind of secret a JSON field of this name holds, if its name says it holds one."""
    lowered = key.lower()
    if lowered in ("authorization", "proxy-authorization"):
        return "authorization"
    if lowered in ("cookie", "set-cookie"):
        return "cookie"
    if not _NON_SECRET_TAILS.isdisjoint(_key_words(key)):
        return None
    for weak, table in ((False, _STRONG_KEYWORDS), (True, _WEAK_KEYWORDS)):
        for kw, kind in table.items():
            i = lowered.find(kw)
            while i != -1:
                if _keyword_at(key, i, kw, weak):
                    return kind
                i = lowered.find(kw, i + 1)
    return None


def _present(trigger: str, text: str, memo: dict[str, bool]) -> bool:
    found = memo.get(trigger)
    if found is None:
        found = memo[trigger] = trigger in text
    return found


def _variants(value: str) -> list[str]:
    """A secret value as it may appear: as is, URL-encoded, JSON-escaped."""
    out = [value]
    for variant in (quote(value, safe=""), json.dumps(value)[1:-1]):
        if variant not in out and len(variant) >= min(len(value), MIN_EXTRA_VALUE):
            out.append(variant)
    return out


def _inside(pos: int, markers: list[tuple[int, int]], marker_starts: list[int]) -> bool:
    k = bisect_right(marker_starts, pos) - 1
    return k >= 0 and markers[k][0] <= pos < markers[k][1]


def _outside_markers(text: str, hits: list[_Hit], markers: list[tuple[int, int]]) -> list[_Hit]:
    """Hits with the parts that are existing markers cut out, so that redacting is idempotent.

    What is left of a hit that overlapped a marker is kept only where it has a
    letter or digit (not the quotes around a marker).
    """
    out: list[_Hit] = []
    starts = [s for s, _ in markers]
    for hit in hits:
        k = max(0, bisect_right(starts, hit.start) - 1)
        overlapping = []
        while k < len(markers) and markers[k][0] < hit.end:
            if markers[k][1] > hit.start:
                overlapping.append(markers[k])
            k += 1
        if not overlapping:
            out.append(hit)
            continue
        pos = hit.start
        for ms, me in overlapping:
            if ms > pos and any(c.isalnum() for c in text[pos:ms]):
                out.append(_Hit(pos, ms, hit.rank, hit.kind))
            pos = max(pos, me)
        if pos < hit.end and any(c.isalnum() for c in text[pos : hit.end]):
            out.append(_Hit(pos, hit.end, hit.rank, hit.kind))
    return out


def _merge(hits: list[_Hit]) -> list[Finding]:
    """Overlapping hits become one finding, named by the most specific rule among them."""
    if not hits:
        return []
    hits.sort(key=lambda h: (h.start, -h.end, h.rank))
    merged: list[Finding] = []
    start, end, rank, kind = hits[0].start, hits[0].end, hits[0].rank, hits[0].kind
    for h in hits[1:]:
        if h.start < end:
            if h.end > end:
                end = h.end
            if h.rank < rank:
                rank, kind = h.rank, h.kind
        else:
            merged.append(Finding(kind, start, end))
            start, end, rank, kind = h.start, h.end, h.rank, h.kind
    merged.append(Finding(kind, start, end))
    return merged


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
