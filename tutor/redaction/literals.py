"""Is a value found where a secret goes one, or a placeholder, a name, a reference, code?

Shared by the rules: what the last word of a key says about it, placeholders and
stopwords, and the two tests of a value (`_plausible_literal`, `_looks_random`).
"""

from __future__ import annotations

import math
import re
from collections import Counter

# Quoted values (and environment-style assignments) under a secret-named key.
_MIN_LITERAL = 6
# Unquoted values under a lower-case secret-named key, which must also look random.
_MIN_LOOSE = 8

# A marker the redactor wrote (`[REDACTED:kind]`): never a secret, never matched again.
_MARKER_RE = re.compile(r"\[REDACTED:[A-Za-z0-9_.:\-]{1,80}\]")
_KEY_CHAR = re.compile(r"[A-Za-z0-9_.\-]")
_CAMEL_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")

# The last word of a key that names something about a secret, not the secret.
_NON_SECRET_TAILS = frozenset(
    [
        "type", "types", "url", "uri", "urls", "endpoint", "endpoints", "name", "names", "field", "fields",
        "param", "params", "header", "headers", "hint", "length", "len", "count", "counts", "size", "limit",
        "limits", "max", "min", "file", "files", "path", "paths", "dir", "dirs", "folder", "env", "var", "vars",
        "stdin", "cmd", "command", "prompt", "policy", "expiry", "expires", "expiration", "expired", "ttl",
        "timeout", "format", "regex", "pattern", "label", "placeholder", "description", "desc", "help",
        "required", "enabled", "disabled", "index", "idx", "usage", "used", "budget", "estimate", "estimated",
        "counter", "cache", "store", "manager", "provider", "class", "kind", "mode", "method", "scheme",
        "version", "validator", "validation", "reset", "strength", "rules", "rule", "age", "changed", "updated",
        "created", "at", "status", "error", "errors", "message", "msg", "input", "widget", "form", "filter",
        "host", "port", "model", "region", "level", "retries", "location", "source", "helper", "backend",
        "lifetime", "duration", "encoding", "fingerprint", "id", "ids", "arn", "arns",
    ]
)
# ... except that a `secret_id` is a secret (HashiCorp Vault's AppRole login is a role_id, public,
# and a secret_id), while an `api_key_id`, a `token_id` or an `access_key_id` names one.
_SECRET_ID = ("secret", "id")


def _names_no_secret(words: list[str], before: str | None = None) -> bool:
    """Do these words of a key (or the words after its keyword; `before` the keyword) say it holds no secret?

    `token_count`, `password_field`, `api_key_id`, `secret_name`: a word naming a property
    of the secret. `secret_id` is the exception: a credential by that name.
    """
    if _NON_SECRET_TAILS.isdisjoint(words):
        return False
    full = ([before] if before else []) + words
    return not (len(full) >= 2 and tuple(full[-2:]) == _SECRET_ID and _NON_SECRET_TAILS.isdisjoint(full[:-1]))

_STOPWORDS = frozenset(
    [
        "true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined", "required", "optional",
        "str", "string", "bytes", "int", "bool", "any", "object", "dict", "list", "secret", "secrets",
        "password", "passwd", "pass", "pwd", "pw", "token", "tokens", "bearer", "basic", "auth", "redacted",
        "changeme", "change_me", "example", "sample", "dummy", "placeholder", "default", "empty", "unset",
        "missing", "hidden", "masked", "notset", "not_set", "todo", "tbd", "fixme", "value", "variable", "env",
        "environment",
    ]
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
# A Kubernetes bootstrap token (`abcdef.0123456789abcdef`): dotted, but not a name.
_BOOTSTRAP_TOKEN = re.compile(r"[a-z0-9]{6}\.[a-z0-9]{16}")
# Three words or more and no digit: a message or a label, not a secret (passphrases are missed).
_PROSE = re.compile(r"[^\s\d]++(?:\s++[^\s\d]++){2,}+")
# A package's version, version range or release channel: what a dependency's key holds (`"@solana/spl-token": "^0.4.13"`,
# `"jsonwebtoken": "^9.0.2"`, `"next-auth": "5.0.0-beta.25"`, `keyring>=24.3,<25`), never a secret. Numbers with dots,
# `x` or `*` for a part, an operator before (npm, pip, Cargo, gems), a pre-release or build tag of words, numbers or
# a short hash after (`-rc.1`, `-canary-f994737d14-20240522`), several joined by `,`, `||`, ` - ` or spaces; npm's
# `workspace:`/`npm:<name>@`/`catalog:` forms; a channel (`latest`, `next`...). A tag part is a word and a number
# (`beta25`, `RC1`, `Final`: one case, or a capital and lower case), a number or a short lower-case hash: a random mix
# of cases after a version is no version.
_VERSION_TAG = r"(?:(?:[a-z]{1,16}+|[A-Z]{1,16}+|[A-Z][a-z]{1,15}+)[0-9]{0,8}+|[0-9]{1,12}+|[0-9a-f]{7,12}+)(?![0-9A-Za-z])"
_VERSION_PART = r"(?:[0-9]{1,9}|[xX*])"
_VERSION_ONE = (  # an operator and a number (`>=2`), or two numbers or more (`1.2`): not a number alone
    rf"(?:(?:\^|~>?|~=|[<>]=?|={{1,3}}|!=)[ \t]*v?{_VERSION_PART}(?:\.{_VERSION_PART}){{0,3}}|v?{_VERSION_PART}(?:\.{_VERSION_PART}){{1,3}})"
    rf"(?:-{_VERSION_TAG}(?:[.\-]{_VERSION_TAG}){{0,5}})?(?:\+{_VERSION_TAG}(?:[.\-]{_VERSION_TAG}){{0,5}})?"
)
_VERSION = re.compile(
    r"(?:workspace:|npm:(?:@[\w.\-]{1,64}/)?[\w.\-]{1,64}@)?"
    rf"(?:{_VERSION_ONE}(?:(?:[ \t]*(?:,|\|\|)[ \t]*|[ \t]+-[ \t]+|[ \t]+){_VERSION_ONE}){{0,4}}|[\^~*])"
    r"|workspace:[*^~]|catalog:[\w\-]{0,32}"
    r"|(?i:latest|next|canary|beta|alpha|rc|stable|nightly|experimental|insiders|preview|lts|edge)"
)
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# A name rather than a value: words, few digits, one of them says what it names.
_NAME_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9]*+(?:[_\-. ][A-Za-z0-9]++)*+")
_NAME_WORDS = frozenset(
    [
        "pass", "pwd", "pw", "password", "passwd", "passphrase", "secret", "secrets", "token", "tokens", "key",
        "keys", "apikey", "auth", "credential", "credentials",
    ]
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
    if len(value) < _MIN_LOOSE:
        return False
    if _DOTTED.fullmatch(value):
        return _BOOTSTRAP_TOKEN.fullmatch(value) is not None and _HAS_DIGIT.search(value) is not None
    has_digit = _HAS_DIGIT.search(value) is not None
    if has_digit and _HAS_ALPHA.search(value):
        return True
    if len(value) < 16:
        return False
    classes = has_digit + sum(p.search(value) is not None for p in (_HAS_LOWER, _HAS_UPPER, _HAS_SYMBOL))
    return classes >= 3 or (len(value) >= 24 and _entropy(value) >= 4.0)


# References to other values, as they are written (for values that may hold any character).
_REFERENCE = re.compile(r"\$\{?[A-Za-z_]|\{\{|\$\(|%\([A-Za-z_]\w*+\)|#\{[A-Za-z_]|\{%|<%")


def _plausible_literal(value: str, minimum: int = _MIN_LITERAL, quoted: bool = False, any_chars: bool = False) -> bool:
    """Could this value, found where a secret goes, be one (rather than a placeholder)?

    Unquoted, a value starting with `#` is a comment, `&`/`*` a YAML anchor or
    alias, `@`/`:` a decorator or symbol; quoted, these are just characters.
    `any_chars`: the value may hold any character (a `.env` line's, a Django key):
    only references written out in full (`${X}`, `%(x)s`) make it not a literal.
    """
    value = value.strip()
    if len(value) < minimum:
        return False
    if any_chars:
        if _REFERENCE.search(value):
            return False
    elif value[0] in ("$[" if quoted else "$%{<@#&*:[") or any(bit in value for bit in _REFERENCE_BITS):
        return False
    if value[0] == "%" and value[-1] == "%":  # %APPDATA%
        return False
    if _HEX_COLOUR.fullmatch(value):
        return False
    if "{" in value and "}" in value and not any_chars:  # a template (f-string, format string)
        return False
    if sum(c.isalnum() for c in value) * 2 < len(value):  # punctuation: a pattern, a separator
        return False
    lowered = value.lower()
    if lowered.replace("-", "_") in _STOPWORDS or _PLACEHOLDER.match(lowered) or lowered.endswith(_PLACEHOLDER_ENDS):
        return False
    if len(value) < 16 and _NUMBER.fullmatch(value):
        return False
    if len(value) <= 128 and _VERSION.fullmatch(value):
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



def _plausible_option_value(value: str) -> bool:
    """A value glued to or after a password option (`mysql -p...`, `sshpass -p ...`): anything but a reference or a placeholder.

    Digits count (`-p123456` is a password); `$MYSQL_PWD`, `%PW%`, `<password>` and `****` do not.
    """
    value = value.strip()
    if len(value) < 3 or value[0] in "$%<{" or any(bit in value for bit in _REFERENCE_BITS):
        return False
    lowered = value.lower()
    return not (lowered.replace("-", "_") in _STOPWORDS or _PLACEHOLDER.match(lowered) or lowered.endswith(_PLACEHOLDER_ENDS))
