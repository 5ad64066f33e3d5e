"""`Redactor`: finds secrets with the patterns and the known values, and replaces them with markers."""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .assignments import _assignment_value, _dotenv, _field_kind, _Hit, _netrc
from .encodings import file_codec, variants
from .literals import _MARKER_RE, _PROSE, _keyword_at, _plausible_literal
from .names import _secret_env_value, names_a_secret
from .needles import needles_in
from .patterns import (
    _KEYWORD_RULES,
    _PEM_BEGIN,
    _PEM_BODY,
    _PEM_END,
    _PEM_MAX,
    _STRONG_KEYWORDS,
    _WEAK_KEYWORDS,
    _KeywordRule,
)
from .tokens import _RULES_BY_TRIGGER, _TOKEN_RULES, _UNTRIGGERED_RULES

__all__ = ["MARKER", "MIN_EXTRA_VALUE", "Finding", "Redactor", "marker"]

MARKER = "[REDACTED:{kind}]"
_KIND_UNSAFE = re.compile(r"[^A-Za-z0-9_.:\-]")

# A pass is repeated while it still finds something; each pass replaces some
# unredacted text by a marker, so this converges long before the cap.
_MAX_PASSES = 8
# Strings `redact_obj` remembers as clean, across calls: at most this many, each at most this long (keys and short values).
CLEAN_KEPT_CHARS = 200
CLEAN_KEPT_COUNT = 4096

# Added to the rank of a rule marked `late`: any overlapping rule names the finding.
_LATE = 10_000

# Values given explicitly (`extra_values`) need only be this long.
MIN_EXTRA_VALUE = 4


def marker(kind: str) -> str:
    """The text that replaces a secret of this kind."""
    return MARKER.format(kind=kind)


@dataclass(frozen=True, slots=True)
class Finding:
    """A secret found in a text: `text[start:end]`, of this kind."""

    kind: str
    start: int
    end: int


class _Seen:
    """The strings one `redact_obj` call has redacted, valid while the redactor's known values stay the same."""

    __slots__ = ("texts", "values", "whole")

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        self.texts: dict[str, str] = {}
        self.whole: Any = None  # how a string not seen yet is redacted (None: `redact`); `paragraphs.Redaction` sets it


# --------------------------------------------------------------------------- redactor


class Redactor:
    """Finds secrets in text and replaces them with `[REDACTED:<kind>]` markers.

    `Redactor()` uses the patterns only; `Redactor.from_environment()` also
    redacts the exact values of secret-looking environment variables. A redactor
    holds secret values: its repr shows none of them.
    """

    __slots__ = ("_clean", "_values")

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        """`values`: exact secret values to redact wherever they occur, each to its kind."""
        cleaned: dict[str, str] = {}
        for value, kind in (values or {}).items():
            if value and value not in cleaned:
                cleaned[value] = _KIND_UNSAFE.sub("_", kind)[:70] or "secret-value"
        self._values = cleaned
        # Short strings found to hold no secret, with the known values they were judged by: the keys and repeated
        # values of journal records (`call`, `ok`, `output`...), and a tool's output the journal records again,
        # judged once a session, not once a record.
        self._clean: tuple[Mapping[str, str], set[str]] = (cleaned, set())

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        extra_values: Iterable[str] = (),
    ) -> Redactor:
        """A redactor for the values of secret-named variables in `environ` (default: `os.environ`).

        A variable counts when `names_a_secret(name)` and its value passes the
        checks of `_secret_env_value` (at least `MIN_ENV_VALUE` characters, not a
        boolean, number, credential-free URL or existing path). Each value is also
        matched JSON-escaped, URL-encoded, in hex and in base64 (see `encodings`).
        `extra_values` are always redacted (kind `secret-value`) when at least
        `MIN_EXTRA_VALUE` characters long.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name in sorted(environ):
            value = environ[name]
            if not isinstance(value, str) or not names_a_secret(name) or not _secret_env_value(value):
                continue
            kind = "env:" + _KIND_UNSAFE.sub("_", name)
            for variant in variants(value, MIN_EXTRA_VALUE):
                values.setdefault(variant, kind)
        for value in extra_values:
            if isinstance(value, str) and len(value) >= MIN_EXTRA_VALUE:
                for variant in variants(value, MIN_EXTRA_VALUE):
                    values.setdefault(variant, "secret-value")
        return cls(values)

    def knowing(self, texts: Iterable[str], minimum: int = 8) -> Redactor:
        """This redactor, also knowing the secrets it finds in `texts` as exact values (and their encodings).

        A secret an author or a file states plainly can come back encoded (`base64
        settings.py`, `xxd -p`): a redactor that knows the value catches those forms
        too. Values shorter than `minimum` are not learned (too likely by chance).
        """
        values = dict(self._values)
        for text in texts:
            if not isinstance(text, str) or not text:
                continue
            for finding in self.found(text):
                value = text[finding.start : finding.end]
                if len(value) < minimum or _MARKER_RE.fullmatch(value):
                    continue
                for variant in variants(value, minimum):
                    values.setdefault(variant, finding.kind)
        return Redactor(values) if len(values) != len(self._values) else self

    def __repr__(self) -> str:
        return f"<Redactor with {len(self._values)} secret value(s)>"

    # ------------------------------------------------------------------ public

    def found(self, text: str, lowered: str | None = None) -> list[Finding]:
        """The secrets in `text`, in order, overlapping findings merged (for tests and the UI); `lowered`: `text.lower()`,
        when the caller has made it already."""
        if not text:
            return []
        if lowered is None:
            lowered = text.lower()
        markers = [(m.start(), m.end()) for m in _MARKER_RE.finditer(text)] if "[REDACTED:" in text else []
        hits: list[_Hit] = []
        if len(lowered) != len(text):  # some character lower-cases to several: keep offsets aligned
            lowered = text.translate(_ASCII_LOWER)
        present = needles_in(text, lowered)
        active = set(_UNTRIGGERED_RULES)
        for trigger, indexes in _RULES_BY_TRIGGER:
            if trigger in (text if present is None else present.exact):
                active.update(indexes)
        if present is not None and present.rules is not None:  # an ASCII text: only the rules that may match run
            active &= present.rules
        for index in sorted(active):  # in the rules' order: the rank is the place (1-based)
            rule = _TOKEN_RULES[index]
            rank_here = index + 1 + (_LATE if rule.late else 0)  # late: a more specific rule covering the same text names it
            for m in rule.regex.finditer(text):
                start, end = m.span(rule.group)
                start -= rule.lead
                value = m.group(rule.group)
                if (
                    end > start
                    and (not rule.check or _plausible_literal(value, 1))
                    and (rule.accept is None or rule.accept(value))
                ):
                    hits.append(_Hit(start, end, rank_here, rule.kind))
        rank = len(_TOKEN_RULES) + 1
        self._private_keys(text, hits, rank)
        marker_starts = [s for s, _ in markers]
        keywords = None if present is None else present.folded
        for krule in _KEYWORD_RULES:
            rank += 1
            for kw in krule.keywords:
                i = lowered.find(kw) if keywords is None or kw in keywords else -1
                if i != -1:  # most texts hold none of a rule's keywords: no call for them
                    self._keyword_rule(text, lowered, krule, kw, i, hits, rank, markers, marker_starts)
        rank += 1
        if present is None or present.netrc:
            _netrc(text, lowered, hits, rank)
        rank += 1
        if present is None or present.dotenv:
            _dotenv(text, hits, rank)
        rank += 1
        self._assignments(text, lowered, keywords, hits, rank, markers, marker_starts)
        rank += 1
        if self._values:
            self._literal_hits(text, hits, rank)
        if markers:
            hits = _outside_markers(text, hits, markers)
        return _merge(hits)

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by `[REDACTED:<kind>]`. Idempotent."""
        if not isinstance(text, str):
            raise TypeError(f"redact() takes str, not {type(text).__name__}")
        clean = self._clean_kept(text)
        if clean is not None and text in clean:
            return text
        original = text
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
        if text is original:
            self._keep_clean(clean, text)
        return text

    def _clean_kept(self, text: str) -> set[str] | None:
        """The set of short strings known to be clean under the values known now, if `text` is short enough to be kept there.

        Taken before `text` is judged: if a value is learned meanwhile, a new set replaces it,
        so a judgment made without that value never lands in the new set.
        """
        if len(text) > CLEAN_KEPT_CHARS:
            return None
        values, clean = self._clean
        if values is not self._values:  # a value was learned: what was clean may not be now
            values, clean = self._clean = (self._values, set())
        return clean

    def _keep_clean(self, clean: set[str] | None, text: str) -> None:
        if clean is not None and len(clean) < CLEAN_KEPT_COUNT:
            clean.add(text)

    def redact_bytes(self, data: bytes) -> bytes:
        """File contents redacted: decoded as UTF-8 (invalid bytes kept as they are), or as UTF-16
        when that is what they are (`encodings.file_codec`), redacted, encoded back the same way."""
        data = bytes(data)
        codec = file_codec(data)
        if codec != "utf-8":
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                codec = "utf-8"
            else:
                redacted = self.redact(text)
                return data if redacted == text else redacted.encode(codec)
        text = data.decode("utf-8", "surrogateescape")
        redacted = self.redact(text)
        if redacted is text or redacted == text:
            return data
        return redacted.encode("utf-8", "surrogateescape")

    def redact_obj(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string redacted, dict keys included.

        A string under a secret-named key (`{"password": "..."}`, `{"Authorization": ...}`)
        is replaced whole when it could be a secret, since it has no context of its own.
        """
        return self._obj(value, None, _Seen(self._values))

    # ----------------------------------------------------------------- helpers

    def _obj(self, value: Any, key: str | None, seen: _Seen) -> Any:
        if isinstance(value, str):
            return self._field(key, value, seen)
        if isinstance(value, dict):
            return {
                (self._text(k, seen) if isinstance(k, str) else k): self._obj(v, k if isinstance(k, str) else None, seen)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._obj(v, None, seen) for v in value]
        if isinstance(value, tuple):
            return tuple(self._obj(v, None, seen) for v in value)
        return value

    def _field(self, key: str | None, value: str, seen: _Seen) -> str:
        """A string value redacted, standing under `key` (None: in a list): whole, when the key names a secret."""
        if key is not None:
            kind = _field_kind(key)
            if kind and _plausible_literal(value, quoted=True) and not _PROSE.fullmatch(value.strip()):
                return marker(kind)
        return self._text(value, seen)

    def _text(self, text: str, seen: _Seen) -> str:
        """`redact(text)`, worked out once per distinct string in one `redact_obj` call (keys and
        short values repeat thousands of times in a lesson or a journal record)."""
        if seen.values is not self._values:  # a remembering redactor learned a value: earlier results may miss it
            seen.values = self._values
            seen.texts.clear()
        done = seen.texts.get(text)
        if done is None:
            clean = self._clean_kept(text)
            if clean is not None and text in clean:
                done = text
            else:
                done = self.redact(text) if seen.whole is None else seen.whole(text)
                if done == text:
                    self._keep_clean(clean, text)  # to the set of the values it was judged by
            seen.texts[text] = done
        return done

    def _literal_hits(self, text: str, hits: list[_Hit], rank: int) -> None:
        """The known values, as they are and wrapped: `base64` breaks lines every 76 characters,
        `xxd -p` every 60, `od -tx1` puts a space between bytes. A value of `_MIN_WRAPPED`
        characters or more is also found with whitespace anywhere inside it."""
        for value, kind in self._values.items():
            i = text.find(value)
            while i != -1:
                hits.append(_Hit(i, i + len(value), rank, kind))
                i = text.find(value, i + len(value))
        if _WS.search(text) is None:
            return
        view = _WS.sub("", text)
        to_text: Any = None
        for value, kind in self._values.items():
            if len(value) < _MIN_WRAPPED:
                continue
            j = view.find(value)
            while j != -1:
                if to_text is None:
                    to_text = _view_to_text(text)
                start, end = to_text(j), to_text(j + len(value) - 1) + 1
                if end - start != len(value):  # not found as it is above
                    hits.append(_Hit(start, end, rank, kind))
                j = view.find(value, j + len(value))

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
        kw: str,
        i: int,
        hits: list[_Hit],
        rank: int,
        markers: list[tuple[int, int]],
        marker_starts: list[int],
    ) -> None:
        """The rule tried wherever its keyword `kw` stands, from its first place `i` on."""
        while i != -1:
            nxt = i + 1
            skip = (rule.word_start and i > 0 and text[i - 1].isalpha()) or (
                markers and _inside(i, markers, marker_starts)
            )
            m = None if skip else rule.regex.match(text, i)
            if m is not None:
                value = m.group("s")
                if (
                    (not rule.check or _plausible_literal(value))
                    and (rule.numbers or not value.isdigit())
                    and (rule.accept is None or rule.accept(value))
                ):
                    hits.append(_Hit(m.start("s"), m.end("s"), rank, rule.kind))
                    nxt = max(nxt, m.end())
            i = lowered.find(kw, nxt)

    @staticmethod
    def _assignments(
        text: str,
        lowered: str,
        keywords: frozenset[str] | None,
        hits: list[_Hit],
        rank: int,
        markers: list[tuple[int, int]],
        marker_starts: list[int],
    ) -> None:
        """`keywords`: the keywords `lowered` holds, when a scan found them (`needles_in`); None: look for each."""
        for weak, table in ((False, _STRONG_KEYWORDS), (True, _WEAK_KEYWORDS)):
            for kw, kind in table.items():
                i = lowered.find(kw) if keywords is None or kw in keywords else -1
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


_WS = re.compile(r"\s+")
# Known values at least this long are also found with whitespace inside them.
_MIN_WRAPPED = 12


def _view_to_text(text: str) -> Any:
    """For `text` with its whitespace removed (`_WS.sub("", text)`): a function from an index there to one in `text`."""
    view_starts: list[int] = []  # where, in the view, each run of whitespace was
    removed: list[int] = []  # how many characters were removed up to and including that run
    total = 0
    for m in _WS.finditer(text):
        view_starts.append(m.start() - total)
        total += m.end() - m.start()
        removed.append(total)

    def to_text(v: int) -> int:
        k = bisect_right(view_starts, v)
        return v + (removed[k - 1] if k else 0)

    return to_text


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
