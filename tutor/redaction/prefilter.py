"""Which of the redactor's rules may match an ASCII text: one Hyperscan scan of their regexes, made looser.

A rule's trigger (`.`, `:`, `-`, `://`) is in nearly every long text, so its regex ran over
nearly every text too. Here each rule's regex is compiled by Hyperscan in prefilter mode
(its lookarounds and other constructs it lacks are approximated by something that matches
more), its counted repeats loosened (`X{20,64}` becomes `X{4,}`: more, and far quicker to
compile), one database for them all. A rule whose prefilter does not match cannot match,
and is not run; a rule that may match runs in Python as before, which alone decides.

Soundness (a prefilter must match wherever the rule would) rests on:

- ASCII text only: on it Python's `\\d`, `\\w`, `\\b` are PCRE's; Python's `\\s` is wider (it
  takes the separators `\\x1c`-`\\x1f`), so `\\s` is written `[\\s\\x1c-\\x1f]`; `\\S` and
  Python's `\\Z` are narrower than PCRE's, which is the safe way round;
- a pattern is translated only when every escape and construct in it is one whose meaning
  is known to be the same or wider in PCRE (`looser` returns None otherwise, and that rule
  always runs); a pattern Hyperscan refuses always runs too;
- prefilter mode: "the pattern will match a superset of the inputs the original would".

Tests compare the redactor's findings with and without it on the redaction corpus.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import struct
from pathlib import Path
from typing import Any

__all__ = ["RulePrefilter", "looser"]

_LEAST = 4  # a counted repeat asks for at most this many
_MOST_KEPT = 16 << 20  # a kept database larger than this is not read (it is ~0.3 MB)
_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d*))?\}")
# Escapes that mean the same in Python and PCRE on ASCII text, or something wider in PCRE (`\Z`, `\S`).
_SAME_ESCAPES = frozenset("AZbBdDwWSntrf")
_HEX = re.compile(r"[0-9A-Fa-f]{2}")
_INLINE = re.compile(r"\(\?(?:[:=!>]|<[=!]|P<\w+>|P=\w+\)|[ims]+[:)])")  # groups, lookarounds, names, i m s flags


def looser(pattern: str) -> str | None:
    """`pattern` written for PCRE so that it matches at least what it matches in Python on ASCII text; None if
    it holds anything this cannot vouch for."""
    if not pattern.isascii():
        return None
    out: list[str] = []
    i, end = 0, len(pattern)
    in_class = False
    negated: list[bool] = []  # for each open group: is it a negative lookaround (where a looser repeat would match less)
    while i < end:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= end:
                return None
            escaped = pattern[i + 1]
            if escaped == "s":
                out.append(r"\s\x1c-\x1f" if in_class else r"[\s\x1c-\x1f]")
            elif escaped == "x" and _HEX.fullmatch(pattern, i + 2, i + 4):
                out.append(pattern[i : i + 4])
                i += 4
                continue
            elif escaped in _SAME_ESCAPES or not escaped.isalnum():
                out.append(pattern[i : i + 2])
            else:
                return None
            i += 2
            continue
        if in_class:
            if char == "[":
                return None  # PCRE would read `[:alpha:]` and the like
            if char == "]":
                in_class = False
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):  # a `]` first in a set is itself
                out.append(r"\]")
                i += 1
            continue
        if char == "{":
            quantifier = _QUANTIFIER.match(pattern, i)
            if quantifier is None:
                return None
            if any(negated):  # inside `(?!...)` or `(?<!...)`: kept as it is
                out.append(quantifier.group())
            else:
                out.append(f"{{{min(int(quantifier.group(1)), _LEAST)},}}")
            i = quantifier.end()
            continue
        if char == "(":
            if pattern.startswith("(?", i) and _INLINE.match(pattern, i) is None:
                return None
            negated.append(pattern.startswith(("(?!", "(?<!"), i))
        elif char == ")":
            if not negated:
                return None
            negated.pop()
        out.append(char)
        i += 1
    return None if in_class or negated else "".join(out)


class RulePrefilter:
    """One Hyperscan database of the rules' looser patterns (`looser`), each reported once when it may match."""

    def __init__(self, database: Any, count: int, prefiltered: frozenset[int]) -> None:
        self.database = database
        self.count = count  # the rules' places run 0..count-1
        self.unfiltered = frozenset(range(count)) - prefiltered  # rules with no prefilter: they always run

    @classmethod
    def compiled(cls, hyperscan: Any, patterns: list[re.Pattern[str]], kept_in: Path | None = None) -> RulePrefilter:
        """The database for these regexes, in their order (a place is an id).

        Compiling takes ~40 ms, as long as an import saves by it: with `kept_in` (a cache folder), the
        database is kept there, named by what it was made from, and loaded (a tenth of a millisecond)
        by the next process.
        """
        source = _source(hyperscan, patterns)
        path = kept_in / f"redaction-rules-{hashlib.sha256(source).hexdigest()[:24]}.hsdb" if kept_in is not None else None
        if path is not None:
            kept = _load(hyperscan, path, len(patterns))
            if kept is not None:
                return kept
        made = cls._compile(hyperscan, patterns)
        if path is not None:
            made.keep(hyperscan, path)
        return made

    @classmethod
    def _compile(cls, hyperscan: Any, patterns: list[re.Pattern[str]]) -> RulePrefilter:
        expressions: list[bytes] = []
        ids: list[int] = []
        flags: list[int] = []
        for place, regex in enumerate(patterns):
            pattern = looser(regex.pattern)
            if pattern is None or regex.flags & re.VERBOSE:
                continue
            flag = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
            flag |= hyperscan.HS_FLAG_CASELESS if regex.flags & re.IGNORECASE else 0
            flag |= hyperscan.HS_FLAG_MULTILINE if regex.flags & re.MULTILINE else 0
            flag |= hyperscan.HS_FLAG_DOTALL if regex.flags & re.DOTALL else 0
            expressions.append(pattern.encode("ascii"))
            ids.append(place)
            flags.append(flag)
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            database.compile(expressions=expressions, ids=ids, flags=flags)
        except hyperscan.error:  # one pattern refused: find which, and leave them out (they always run)
            kept = [k for k in range(len(ids)) if _compiles(hyperscan, expressions[k], flags[k])]
            expressions, ids, flags = [expressions[k] for k in kept], [ids[k] for k in kept], [flags[k] for k in kept]
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            database.compile(expressions=expressions, ids=ids, flags=flags)
        return cls(database, len(patterns), frozenset(ids))

    def keep(self, hyperscan: Any, path: Path) -> None:
        """Write the database to `path` (a cache: written whole or not at all, and a failure only costs a compile)."""
        ids = sorted(frozenset(range(self.count)) - self.unfiltered)
        payload = struct.pack(f">H{len(ids)}H", len(ids), *ids) + hyperscan.dumpb(self.database)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def may_match(self, matched: list[int]) -> frozenset[int]:
        """The places of the rules that may match, given the ids the scan reported."""
        return self.unfiltered.union(matched)


def _compiles(hyperscan: Any, expression: bytes, flags: int) -> bool:
    try:
        hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(expressions=[expression], ids=[0], flags=[flags])
    except hyperscan.error:
        return False
    return True


def _source(hyperscan: Any, patterns: list[re.Pattern[str]]) -> bytes:
    """What a kept database was made from: Hyperscan's version, the machine, the patterns, this translation."""
    parts = [getattr(hyperscan, "__version__", "?"), platform.machine(), str(_LEAST)]
    parts += [f"{regex.flags}:{regex.pattern}" for regex in patterns]
    return "\n".join(parts).encode("utf-8", "surrogatepass")


def _load(hyperscan: Any, path: Path, count: int) -> RulePrefilter | None:
    """The database kept at `path`, or None (absent, damaged, too large, or not for this machine)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_MOST_KEPT + 1)
    except OSError:
        return None
    digest, payload = data[:32], data[32:]
    if len(data) > _MOST_KEPT or len(payload) < 2 or hashlib.sha256(payload).digest() != digest:
        return None
    (size,) = struct.unpack_from(">H", payload)
    head = 2 + 2 * size
    ids = struct.unpack_from(f">{size}H", payload, 2) if len(payload) >= head else ()
    if len(ids) != size or any(place >= count for place in ids):
        return None
    try:
        database = hyperscan.loadb(payload[head:], hyperscan.HS_MODE_BLOCK)
    except (hyperscan.error, ValueError, TypeError):
        return None
    return RulePrefilter(database, count, frozenset(ids))
