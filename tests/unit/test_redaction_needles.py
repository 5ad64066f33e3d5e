"""The redactor's needles and the rules' prefilter, found in one native scan (`tutor.redaction.needles`,
`prefilter`), give what searching each and running each rule gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.redaction import needles, redactor
from tutor.redaction.patterns import _KEYWORD_RULES, _STRONG_KEYWORDS, _WEAK_KEYWORDS
from tutor.redaction.redactor import Redactor
from tutor.redaction.assignments import _DOTENV_LINE, _NETRC_START
from tutor.redaction.prefilter import RulePrefilter, looser
from tutor.redaction.tokens import _RULES_BY_TRIGGER, _TOKEN_RULES

from tests.helpers.redaction_pieces import CASES, PIECES

TRIGGERS = sorted({trigger for trigger, _ in _RULES_BY_TRIGGER})
KEYWORDS = sorted({kw for rule in _KEYWORD_RULES for kw in rule.keywords} | set(_STRONG_KEYWORDS) | set(_WEAK_KEYWORDS))

pytestmark = pytest.mark.skipif(needles._the_scanner() is None, reason="hyperscan is not installed or refuses this CPU")

# Pieces a text is made of: whole needles, in other cases, cut in two (so that a join could make one), and what
# surrounds them in real text, including characters whose lower case is another length or ASCII (the Kelvin sign).
_PIECES = st.sampled_from([piece for piece in [*TRIGGERS, *KEYWORDS, *(k.upper() for k in KEYWORDS), *(k.title() for k in KEYWORDS),
     *(t[: len(t) // 2] for t in TRIGGERS), *(t[len(t) // 2 :] for t in TRIGGERS),
     " ", "\n", "=", ":", '"', "-", "_", "x", "7", "é", "\u212a", "\u0130", "\ud800", "\U0001f600", "ſ"] if piece])
_TEXTS = st.lists(_PIECES | st.text(min_size=1, max_size=8), min_size=1, max_size=400).map("".join)


def _python_needles(text: str, lowered: str) -> tuple[set[str], set[str]]:
    return {t for t in TRIGGERS if t in text}, {k for k in KEYWORDS if k in lowered}


def _lowered(text: str) -> str:
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate({c: c + 32 for c in range(65, 91)})


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_scan_finds_the_needles_each_search_finds(text: str) -> None:
    text = text * (1 + needles._MIN_SCANNED // max(1, len(text)))  # long enough to be scanned
    lowered = _lowered(text)
    present = needles.needles_in(text, lowered)
    assert present is not None
    exact, folded = _python_needles(text, lowered)
    assert set(present.exact) == exact
    assert set(present.folded) == folded


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=30))
def test_a_redactor_finds_the_same_with_the_scan_and_without(pieces: list[str]) -> None:
    """On the redaction corpus's cases and the pieces around them (`redaction_pieces`), joined and made long enough
    to be scanned."""
    text = "\n".join(pieces)
    text = (text + "\n") * (1 + needles._MIN_SCANNED // (len(text) + 1))
    plain = Redactor()
    with_scan = plain.found(text)
    original = redactor.needles_in
    redactor.needles_in = lambda _text, _lowered: None  # searched one needle at a time, as without hyperscan
    try:
        without = plain.found(text)
    finally:
        redactor.needles_in = original
    assert needles.needles_in(text, _lowered(text)) is not None  # the first call did scan
    assert with_scan == without


def test_every_case_of_the_redaction_corpus_is_found_the_same_with_the_scan() -> None:
    plain = Redactor()
    original = redactor.needles_in
    for case in CASES:
        text = case + "\n" + "x" * needles._MIN_SCANNED
        with_scan = plain.found(text)
        redactor.needles_in = lambda _text, _lowered: None
        try:
            assert with_scan == plain.found(text), case
        finally:
            redactor.needles_in = original


def test_a_short_text_is_searched_in_python() -> None:
    assert needles.needles_in("password=x", "password=x") is None


def test_the_scan_is_used_from_several_threads_at_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    text = ("token = 'abc' gh AKIA " * 40) + "x" * needles._MIN_SCANNED
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: needles.needles_in(text, text.lower()), range(64)))
    first = results[0]
    assert first is not None
    assert all(r is not None and r.exact == first.exact and r.folded == first.folded for r in results)
    assert (set(first.exact), set(first.folded)) == _python_needles(text, text.lower())
    assert "token" in first.folded


# ---------------------------------------------------------------- the rules' prefilter (`prefilter.looser`)


def test_a_pattern_is_made_looser_only_where_pcre_is_known_to_match_as_much() -> None:
    assert looser(r"ab\s+c") == r"ab[\s\x1c-\x1f]+c"  # Python's \s takes the separators \x1c-\x1f, PCRE's does not
    assert looser(r"[^\s'\"]{8,64}") == r"[^\s\x1c-\x1f'\"]{4,}"
    assert looser(r"x(?<![A-Z].{7})y{2}") == r"x(?<![A-Z].{7})y{2,}"  # a negative lookaround is kept as it is
    assert looser(r"\x41{3}") == r"\x41{3,}"
    for unsure in (r"\u0041", r"\N{BULLET}", r"(a)\1", r"[[:alpha:]]", r"(?x) a", r"(?a)\w", "é", r"a{,3}", r"(a", r"a)"):
        assert looser(unsure) is None, unsure


def test_each_rule_s_prefilter_matches_wherever_the_rule_finds_a_case_of_the_corpus() -> None:
    """The rule prefilter's soundness, rule by rule: every match of a rule's regex in a case (made ASCII-long)
    is a text its prefilter reports."""
    scanner = needles._the_scanner()
    assert scanner is not None
    checked = 0
    for case in CASES:
        if not case.isascii():
            continue
        text = case + "\n" + "x" * needles._MIN_SCANNED
        present = needles.needles_in(text, text.lower())
        assert present is not None and present.rules is not None
        for place, rule in enumerate(_TOKEN_RULES):
            if rule.regex.search(text) is not None:
                assert place in present.rules, (rule.kind, case)
                checked += 1
        if _NETRC_START.search(text.lower()) is not None:
            assert present.netrc, case
        if _DOTENV_LINE.search(text) is not None:
            assert present.dotenv, case
    assert checked > 50  # the corpus holds a case of most rules


def test_the_compiled_prefilter_is_kept_for_the_next_process_and_a_damaged_one_is_compiled_again(tmp_path: Path) -> None:
    import hyperscan

    patterns = [rule.regex for rule in _TOKEN_RULES[:6]]
    text = ("see " + " ".join(CASES[:40]) + " " + "x" * 600).encode("ascii", "ignore")

    def matched(prefilter: RulePrefilter) -> frozenset[int]:
        found: list[int] = []
        prefilter.database.scan(text, match_event_handler=lambda place, *_: found.append(place),
                                scratch=hyperscan.Scratch(prefilter.database))
        return prefilter.may_match(found)

    made = RulePrefilter.compiled(hyperscan, patterns, tmp_path)
    [kept] = tmp_path.glob("redaction-rules-*.hsdb")
    original = RulePrefilter._compile
    RulePrefilter._compile = classmethod(lambda cls, *_: pytest.fail("compiled again"))  # type: ignore[method-assign]
    try:
        loaded = RulePrefilter.compiled(hyperscan, patterns, tmp_path)
    finally:
        RulePrefilter._compile = original  # type: ignore[method-assign]
    assert matched(loaded) == matched(made) and loaded.unfiltered == made.unfiltered

    kept.write_bytes(kept.read_bytes()[:-10] + b"0123456789")  # damaged: its checksum no longer holds
    again = RulePrefilter.compiled(hyperscan, patterns, tmp_path)
    assert matched(again) == matched(made)
    assert RulePrefilter.compiled(hyperscan, patterns[:5], tmp_path) is not None  # other rules: kept apart
    assert len(list(tmp_path.glob("redaction-rules-*.hsdb"))) == 2


_SHAPE_CHARS = "ABCMNOxyz019_-."


@settings(max_examples=300, deadline=None)
@given(before=st.text(alphabet=_SHAPE_CHARS + " /=", max_size=30), width=st.sampled_from([23, 24, 26, 27]),
       head=st.sampled_from("MNOA"), middle=st.integers(4, 8), tail=st.integers(25, 40),
       after=st.text(alphabet=_SHAPE_CHARS + " /", max_size=10))
def test_a_rule_s_own_prefilter_matches_wherever_the_rule_does(before: str, width: int, head: str, middle: int, tail: int, after: str) -> None:
    """A rule written from a look-behind carries a forward prefilter: on Discord-shaped tokens (the right widths and
    wrong ones), wherever the rule's regex matches, its prefilter does, in Python and in the native scan."""
    token = head + "Q" * (width - 1) + "." + "w" * middle + "." + "z" * tail
    text = before + token + after
    long_text = text + "\n" + "x" * needles._MIN_SCANNED
    present = needles.needles_in(long_text, long_text.lower())
    assert present is not None and present.rules is not None
    import re

    for place, rule in enumerate(_TOKEN_RULES):
        if rule.prefilter and rule.regex.search(text) is not None:
            assert re.search(rule.prefilter, text) is not None, (rule.kind, text)
            assert place in present.rules, (rule.kind, text)


def test_code_full_of_dotted_names_does_not_wake_the_discord_rules() -> None:
    """Their prefilter asks for the token's shape (M, N or O, then a run, a dot, a run, a dot, a run), not any dot
    between runs, as the look-behind they start from left it: most dotted code leaves them asleep."""
    code = "import os.path\nresult = self.module.helper.call(config.items.values, Optional[str])\n" * 40
    present = needles.needles_in(code, code.lower())
    assert present is not None and present.rules is not None
    discord = {place for place, rule in enumerate(_TOKEN_RULES) if rule.kind == "discord-bot-token"}
    assert discord and not discord & present.rules
    shaped = code + "DISCORD=" + "M" + "Q" * 23 + "." + "w" * 6 + "." + "z" * 30 + "\n"
    woken = needles.needles_in(shaped, shaped.lower())
    assert woken is not None and woken.rules is not None and discord & woken.rules
    assert any(rule.regex.search(shaped) for rule in _TOKEN_RULES if rule.kind == "discord-bot-token")
