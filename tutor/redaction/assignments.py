"""Secret-named assignments, and the file structures that carry secrets by position: `.netrc`, `.env`.

The redactor's keyword scan (`Redactor._assignments`) finds a secret-named key and asks
`_assignment_value` where its value is; `_netrc` and `_dotenv` find values by where they
stand in a `.netrc` entry or an environment file line. Each adds `_Hit`s (a span, the
rule's rank, a kind) for the redactor to merge.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .literals import (
    _KEY_CHAR,
    _MARKER_RE,
    _MIN_LOOSE,
    _PROSE,
    _key_words,
    _keyword_at,
    _looks_random,
    _names_no_secret,
    _plausible_literal,
)
from .patterns import _ASSIGN_TAIL, _STRONG_KEYWORDS, _WEAK_KEYWORDS
from .searching import AtLineStarts, places


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    rank: int
    kind: str


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
    if "." in suffix.rstrip(".") or _names_no_secret(_key_words(suffix), text[i : i + kw_len].lower()):
        # `Token.Name: ...` is about a token class; `token_type`, `password_hint`, `api_key_id` name no secret.
        # Its value is no key either (`secret_arn = "arn:...:secret:prod-db"`).
        for group in ("eq", "dq", "sq", "bq", "uq"):
            if m.group(group) is not None and (group != "uq" or m.group("sep") is not None):
                skip = max(skip, m.end(group))
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
    if name != key and sep == "=" and not value.startswith("-"):
        # `--password=hunter2`: a literal on a command line.
        return (span if _plausible_literal(value) else None), skip
    if span[1] < len(text) and text[span[1]] in "([{":  # a call or subscript: code, not a secret
        return None, skip
    trimmed = value.rstrip(":.")  # `if token == Comment.Special:`
    span = (span[0], span[0] + len(trimmed))
    ok = _plausible_literal(trimmed, _MIN_LOOSE) and _looks_random(trimmed)
    return (span if ok else None), skip


# `.netrc` entries, on one line or several: `machine <host>` (or `default`), then
# `login`, `password`, `account`, `port` each with a value, until the next entry.
# (`(?<!\S)` written after each keyword, `machine(?<!\Smachine)`: a pattern that starts with its words is searched
# for by them, several times faster over a long text than one that starts with a look-behind.)
_NETRC_START = re.compile(r"machine(?<!\Smachine)[ \t]++\S++(?!\S)|default(?<!\Sdefault)(?!\S)")
_NETRC_TOKEN = re.compile(r"\s++(\"(?:[^\"\\\r\n]|\\.){1,256}+\"|\S{1,512}+)")
_NETRC_KEYS = frozenset(("login", "password", "account", "port"))
_NETRC_SECRETS = frozenset(("password", "account"))
_NETRC_MAX_TOKENS = 16


def netrc_starts(lowered: str) -> Iterator[re.Match[str]]:
    """Where `.netrc` entries may start in a lower-cased text: `machine <host>`, or `default` at the start of a line."""
    if "machine" not in lowered and "default" not in lowered:
        return
    for start in _netrc_words(lowered):
        if start.group().startswith("default"):
            # `default` opens an entry only at the start of a line.
            line_start = lowered.rfind("\n", 0, start.start()) + 1
            if lowered[line_start : start.start()].strip():
                continue
        yield start


def _netrc_words(lowered: str) -> Iterator[re.Match[str]]:
    """`_NETRC_START.finditer(lowered)`, tried only where its words stand: an alternation of two words is tried at
    every place of a text (no literal to skip ahead to), and "default" is common in code."""
    starts = sorted(places(lowered, "machine") + places(lowered, "default"))
    done = 0  # where the last match ended: finditer's matches do not overlap
    for place in starts:
        if place < done:
            continue
        match = _NETRC_START.match(lowered, place)
        if match is not None:
            done = match.end()
            yield match


def _netrc(text: str, lowered: str, hits: list[_Hit], rank: int) -> None:
    """Passwords and accounts of `.netrc` entries (`machine h login u password p`, one token a line or all on one)."""
    for start in netrc_starts(lowered):
        pos = start.end()
        for _ in range(_NETRC_MAX_TOKENS // 2):
            key = _NETRC_TOKEN.match(lowered, pos)
            if key is None or key.group(1) not in _NETRC_KEYS:
                break
            value = _NETRC_TOKEN.match(text, key.end())
            if value is None:
                break
            pos = value.end()
            if key.group(1) in _NETRC_SECRETS:
                s, e = value.span(1)
                if text[s] == '"' and e - s >= 2:
                    s, e = s + 1, e - 1
                if _plausible_literal(text[s:e], 4, quoted=True) and not _MARKER_RE.match(text, s):
                    hits.append(_Hit(s, e, rank, "password"))


# A `.env` line, `export NAME=value`: the value is all of the rest up to a blank, whatever
# its characters (`SECRET_KEY=)Ka%E^Z(0j&d=it#9...`, a Django key). Not values that are
# code (a call, a subscript, a substitution) or quoted (the assignment rules take those).
_DOTENV_LINE = re.compile(r"(?m)^[ \t]*+(?:export[ \t]++)?(?P<k>[A-Z][A-Z0-9_]{0,63}+)=(?P<s>[^\s\"'`$][^\s]{0,511}+)")
_DOTENV_LINES = AtLineStarts(_DOTENV_LINE)  # the same, not tried at every place of a text
_CODE_VALUE = re.compile(r"[A-Za-z_][\w.]*+(?:\(.*\)|\[.*\])[;,]?")


def _dotenv(text: str, hits: list[_Hit], rank: int) -> None:
    if "=" not in text:
        return
    for m in _DOTENV_LINES.finditer(text):
        value = m.group("s")
        kind = _field_kind(m.group("k"))
        if kind is None or _CODE_VALUE.fullmatch(value) or _MARKER_RE.match(value):
            continue
        if _plausible_literal(value, quoted=True, any_chars=True) and not value.startswith(("[", "{")):
            hits.append(_Hit(m.start("s"), m.end("s"), rank, kind))


def _flag_or_netrc(text: str, key_start: int, key: str) -> bool:
    if key.startswith("-"):
        return True
    line_start = text.rfind("\n", 0, key_start) + 1
    line = text[line_start : min(len(text), key_start + 400)].lower()
    return line.lstrip().startswith(("machine ", "default ")) or " machine " in line[: key_start - line_start]


# JSON fields whose names hold no secret keyword, but whose values are secrets.
_FIELD_KINDS = {"client-key-data": "kubeconfig-client-key", "client-certificate-data": "kubeconfig-client-certificate"}


@functools.lru_cache(maxsize=4096)  # keys repeat: every step of a lesson, every record of a journal
def _field_kind(key: str) -> str | None:
    """The kind of secret a JSON field of this name holds, if its name says it holds one."""
    lowered = key.lower()
    if lowered in ("authorization", "proxy-authorization"):
        return "authorization"
    if lowered in ("cookie", "set-cookie"):
        return "cookie"
    if lowered in _FIELD_KINDS:
        return _FIELD_KINDS[lowered]
    if _names_no_secret(_key_words(key)):
        return None
    for weak, table in ((False, _STRONG_KEYWORDS), (True, _WEAK_KEYWORDS)):
        for kw, kind in table.items():
            i = lowered.find(kw)
            while i != -1:
                if _keyword_at(key, i, kw, weak):
                    return kind
                i = lowered.find(kw, i + 1)
    return None


