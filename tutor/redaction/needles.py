"""`needles_in`: which of the redactor's literal needles a text holds, found in one native scan.

Before it runs any rule, `Redactor.found` asks which of about seventy triggers stand in
the text (case-sensitive) and which of about fifty keywords stand in the lower-cased text.
Asked one `in` at a time, each is a pass over the text: on an import's text that was a
third of all redaction. Where the `hyperscan` package is installed and works on this CPU,
all of them are found in one pass (Hyperscan's literal compiler, each needle reported
once); elsewhere `needles_in` answers None and the redactor searches one needle at a time,
as before.

Both ways give the same answer, by construction: a trigger is present when `trigger in
text`, a keyword when `keyword in lowered`. The texts are scanned as UTF-8 (a lone
surrogate passed through as its three bytes); every needle is ASCII, and in UTF-8 an
ASCII byte only ever stands for that character, so a needle's bytes occur exactly where
the needle does. Tests compare the two ways on generated texts.

A text shorter than `_MIN_SCANNED` is searched in Python: there, calling the scanner costs
more than the searches it saves.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .prefilter import RulePrefilter

__all__ = ["Present", "needles_in"]

_MIN_SCANNED = 512


class Present:
    """The needles a text holds: `exact` (triggers, in the text) and `folded` (keywords, in the lower-cased text);
    and, for an ASCII text, which rules may match (`rules`, places in `tokens._TOKEN_RULES`; None: not known) and
    whether a `.netrc` entry or a `.env` line may start in it."""

    __slots__ = ("dotenv", "exact", "folded", "netrc", "rules")

    def __init__(self, exact: frozenset[str], folded: frozenset[str], rules: frozenset[int] | None = None,
                 netrc: bool = True, dotenv: bool = True) -> None:
        self.exact = exact
        self.folded = folded
        self.rules = rules
        self.netrc = netrc
        self.dotenv = dotenv


class _Scanner:
    """Two compiled literal sets (exact and folded needles), the rules' prefilter (`rules`, then the `.netrc` and `.env`
    finders), and a scratch space per thread for each (Hyperscan's is not shared)."""

    def __init__(self, hyperscan: Any, exact: Sequence[str], folded: Sequence[str], rules: list[re.Pattern[str]],
                 netrc: re.Pattern[str], dotenv: re.Pattern[str]) -> None:
        self._exact = tuple(exact)
        self._folded = tuple(folded)
        self._exact_db = _compiled(hyperscan, self._exact)
        self._folded_db = _compiled(hyperscan, self._folded)
        self._token_rules = len(rules)
        self._rules = RulePrefilter.compiled(hyperscan, [*rules, netrc, dotenv], kept_in() if kept_in is not None else None)
        self._hyperscan = hyperscan
        self._local = threading.local()

    def present(self, text: str, lowered: str) -> Present:
        scratches = getattr(self._local, "scratches", None)
        if scratches is None:
            scratch = self._hyperscan.Scratch
            scratches = self._local.scratches = (scratch(self._exact_db), scratch(self._folded_db), scratch(self._rules.database))
        encoded = _utf8(text)
        exact: list[int] = []
        self._exact_db.scan(encoded, match_event_handler=_note, context=exact, scratch=scratches[0])
        folded: list[int] = []
        self._folded_db.scan(_utf8(lowered), match_event_handler=_note, context=folded, scratch=scratches[1])
        found = Present(frozenset(self._exact[i] for i in exact), frozenset(self._folded[i] for i in folded))
        if text.isascii():
            matched: list[int] = []
            self._rules.database.scan(encoded, match_event_handler=_note, context=matched, scratch=scratches[2])
            may = self._rules.may_match(matched)
            count = self._token_rules
            found.rules = frozenset(place for place in may if place < count)
            found.netrc = count in may
            found.dotenv = count + 1 in may
        return found


def _note(needle: int, _start: int, _end: int, _flags: int, found: list[int]) -> None:
    """Hyperscan's match callback: note the needle (returning a true value would stop the scan)."""
    found.append(needle)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _compiled(hyperscan: Any, needles: tuple[str, ...]) -> Any:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[needle.encode("ascii") for needle in needles],
        ids=list(range(len(needles))),
        flags=hyperscan.HS_FLAG_SINGLEMATCH,
        literal=True,
    )
    return database


# Where the compiled rule prefilter may be kept between processes (a cache folder), asked on first use; None:
# compiled in each process. Set by who redacts much (`tutor import`, a live session): this package knows no paths.
kept_in: Callable[[], Path | None] | None = None

_lock = threading.Lock()
_scanner: _Scanner | None = None
_tried = False


def _the_scanner() -> _Scanner | None:
    """The scanner for the redactor's needles, made on first use; None where Hyperscan is missing or refuses this CPU."""
    global _scanner, _tried
    if _tried:
        return _scanner
    with _lock:
        if not _tried:
            _scanner = _made()
            _tried = True
    return _scanner


def _made() -> _Scanner | None:
    try:
        import hyperscan  # noqa: PLC0415  # native, optional: loaded when a long text is first redacted
    except ImportError:
        return None
    from .assignments import _DOTENV_LINE, _NETRC_START  # noqa: PLC0415
    from .patterns import _KEYWORD_RULES, _STRONG_KEYWORDS, _WEAK_KEYWORDS  # noqa: PLC0415
    from .tokens import _RULES_BY_TRIGGER, _TOKEN_RULES  # noqa: PLC0415

    exact = sorted({trigger for trigger, _ in _RULES_BY_TRIGGER})
    folded = sorted({kw for rule in _KEYWORD_RULES for kw in rule.keywords} | set(_STRONG_KEYWORDS) | set(_WEAK_KEYWORDS))
    try:
        # `.netrc` entries are looked for in the lower-cased text: in the text, ignoring case, finds at least those.
        netrc = re.compile(_NETRC_START.pattern, re.IGNORECASE)
        rules = [re.compile(rule.prefilter) if rule.prefilter else rule.regex for rule in _TOKEN_RULES]
        return _Scanner(hyperscan, exact, folded, rules, netrc, _DOTENV_LINE)
    except hyperscan.error:  # e.g. a CPU without the instructions it needs
        return None


def needles_in(text: str, lowered: str) -> Present | None:
    """The needles `text` holds (`lowered`: `text` lower-cased as `found` does it), or None: search them in Python."""
    if len(text) < _MIN_SCANNED:
        return None
    scanner = _the_scanner()
    return None if scanner is None else scanner.present(text, lowered)
