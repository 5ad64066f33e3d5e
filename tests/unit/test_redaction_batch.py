"""Many strings redacted with one joined scan (`tutor.redaction.batch`, through `Redaction.redact_obj`) give what
redacting each alone gives.

The strings are made of the redaction corpus's cases, fragments that reach across a blank
line, halves of secrets that a join could glue together, characters that lower-case oddly,
filler and arbitrary text, with line breaks anywhere (at the start and end of a string too).
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.helpers.redaction_pieces import ACROSS, CASES, FILLER, PIECES
from tutor.redaction import Redactor
from tutor.redaction.assignments import _DOTENV_LINE, _DOTENV_LINES, _NETRC_START, _netrc_words
from tutor.redaction.batch import batchable, clean_texts
from tutor.redaction.paragraphs import SHORTEST, Redaction

# A secret cut in two: joined without a blank line between them, the halves would make it whole again.
_GHP = "ghp_" + "Zq8vW3nL0pK2" * 3
_HALVES = [_GHP[:20], _GHP[20:], "sk-ant-api03-", "a" * 40, "machine", "host login u password p4ssW0rd9x", "-----BEGIN", " RSA PRIVATE KEY-----"]
_BREAKS = ["", "\n", "\n\n", "\n\n\n", " ", "\r\n", "\t"]


@st.composite
def strings(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(PIECES, st.sampled_from(_HALVES)), min_size=0, max_size=6))
    seps = draw(st.lists(st.sampled_from(_BREAKS), min_size=len(parts) + 1, max_size=len(parts) + 1))
    return seps[0] + "".join(part + sep for part, sep in zip(parts, seps[1:]))


@st.composite
def long_strings(draw: st.DrawFn) -> str:
    text = draw(strings())
    while len(text) < SHORTEST:  # split into paragraphs, each of which joins the scan
        text += draw(st.sampled_from(["\n\n", "\n"])) + draw(st.sampled_from(FILLER + ACROSS + CASES[:50]))
    return text


def _alone(redactor: Redactor, texts: list[str]) -> list[str]:
    return [redactor.redact(text) for text in texts]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(strings(), strings(), long_strings()), max_size=25))
@example([_GHP[:20], _GHP[20:]])
@example([_GHP[:20] + "\n", "\n" + _GHP[20:]])
@example(["token = ", "'" + _GHP + "'"])
@example(["machine host", "login u password p4ssW0rd9x"])
def test_redacting_many_at_once_is_redacting_each_alone(texts: list[str]) -> None:
    redactor = Redactor()
    assert Redaction(redactor).redact_obj(texts) == _alone(redactor, texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(strings(), max_size=25))
@example(["Qw3rty-Uiop-", "Asdf-77"])
@example(["x Qw3rty-Uiop-Asdf-", "77 y"])
def test_with_known_values_each_is_redacted_as_alone(texts: list[str]) -> None:
    redactor = Redactor.from_environment({"MY_API_TOKEN": "Qw3rty-Uiop-Asdf-77"}, extra_values=["hunter2-Secret-99"])
    texts = [*texts, "Qw3rty-Uiop-\n\nAsdf-77", "a Qw3rty-Uiop-Asdf-77 b", "hunter2-\nSecret-99"]
    assert Redaction(redactor).redact_obj(texts) == _alone(redactor, texts)


def test_the_corpus_at_once_is_the_corpus_each_alone() -> None:
    redactor = Redactor()
    assert Redaction(redactor).redact_obj({"cases": CASES, "again": CASES[::-1]}) == {"cases": _alone(redactor, CASES), "again": _alone(redactor, CASES[::-1])}


def test_a_secret_is_found_in_a_text_among_many_clean_ones() -> None:
    redactor = Redactor()
    texts = [f"line {n} of a build log" for n in range(500)] + ["export GITHUB_TOKEN=" + _GHP] + [f"step {n}" for n in range(500)]
    clean = clean_texts(redactor, [text for text in texts if batchable(text)])
    assert clean.count(False) == 1 and not clean[500]
    assert Redaction(redactor).redact_obj(texts)[500] == "export GITHUB_TOKEN=[REDACTED:github-token]"


def test_what_reaches_across_a_blank_line_is_not_scanned_joined() -> None:
    for text in ("machine api.example.com", "default\n", "x\n  default login", "-----BEGIN RSA PRIVATE KEY-----", "AC" + "0f" * 16, "\u0130NDEX"):
        assert not batchable(text), text
    for text in ("the default branch", "defaults: none", "the machine, then", "ok\n"):
        assert batchable(text), text


def test_a_text_that_is_not_batchable_is_left_to_be_redacted_alone() -> None:
    """`clean_texts` finds them itself: from the texts joined, then one by one only where the join shows one."""
    redactor = Redactor()
    across = ["machine api.example.com", "-----BEGIN RSA PRIVATE KEY-----", "AC" + "0f" * 16, "\u0130NDEX"]
    texts = [f"line {n} of a build log" for n in range(300)] + across + [f"step {n}" for n in range(300)]
    clean = clean_texts(redactor, texts)
    assert [texts[i] for i, ok in enumerate(clean) if not ok] == across
    assert all(clean_texts(redactor, [f"line {n} of a build log" for n in range(300)]))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["machine", "default", "machine default", "\n", " ", "\t", "x", "host", "defaultmachine",
                                 "mach", "ine", "-", ".", "a b"]), max_size=20).map("".join))
def test_netrc_entry_starts_are_found_at_their_words_as_the_pattern_finds_them(text: str) -> None:
    assert [m.span() for m in _netrc_words(text)] == [m.span() for m in _NETRC_START.finditer(text)]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["API_TOKEN=", "export ", "KEY", "=", "abc123", "$x", '"q"', "\n", "\r\n", " ", "\t", "a",
                                 "X_Y", "0", "\u2028", "==", "#"]), max_size=20).map("".join))
def test_env_lines_are_found_from_each_line_start_as_the_pattern_finds_them(text: str) -> None:
    """Searched as the first line, then from each newline: the same names and values as the `^` pattern's search."""
    assert [(m.span("k"), m.span("s")) for m in _DOTENV_LINES.finditer(text)] == [(m.span("k"), m.span("s")) for m in _DOTENV_LINE.finditer(text)]


_VALUES = st.recursive(
    st.none() | st.integers() | PIECES,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.one_of(PIECES, st.sampled_from(["password", "token", "Authorization", "text"])), inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_redacting_in_place_is_redacting_a_copy(value: object) -> None:
    import copy

    redactor = Redactor()
    expected = Redaction(redactor).redact_obj(value)
    if not isinstance(value, (dict, list)):
        return
    mine = copy.deepcopy(value)
    Redaction(redactor).redact_in_place(mine)
    assert mine == expected
    assert list(mine) == list(expected) if isinstance(mine, dict) else True  # keys in the same order


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["KEY=v", "  KEY=v", "x", "\n", "KEY=", "=", "K"]), max_size=12).map("".join))
def test_a_line_start_pattern_substitutes_as_the_pattern_does(text: str) -> None:
    """`AtLineStarts.sub`, with a text or a function: what the `(?m)^` pattern's own `sub` gives."""
    import re

    from tutor.redaction.searching import AtLineStarts

    pattern = re.compile(r"(?m)^[ \t]*(?P<k>[A-Z]+)=")
    lines = AtLineStarts(pattern)
    assert lines.sub("", text) == pattern.sub("", text)
    assert lines.sub(lambda m: f"<{m.group('k')}>", text) == pattern.sub(lambda m: f"<{m.group('k')}>", text)
