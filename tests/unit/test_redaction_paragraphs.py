"""Redacting a long text a paragraph at a time (`tutor.redaction.paragraphs.Redaction`) gives what redacting it whole gives.

Texts made of the redaction corpus's cases, of fragments that reach across a blank line
(a `.netrc` entry, a Twilio SID and its token, a private key block, an assignment with its
value after the break, base64 and PuTTY blocks), of characters that lower-case oddly, and of
filler, joined by single and blank lines in any order: the result is the same, pass after pass,
with and without known values, and a second time from the memo.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.redaction_pieces import ACROSS as _ACROSS
from tests.helpers.redaction_pieces import CASES as _CASES
from tests.helpers.redaction_pieces import FILLER as _FILLER
from tests.helpers.redaction_pieces import HEX as _HEX
from tests.helpers.redaction_pieces import PIECES as _PIECES
from tests.helpers.redaction_pieces import SID as _SID
from tests.helpers.redaction_pieces import TOKEN as _TOKEN
from tutor.redaction import Redactor
from tutor.redaction.paragraphs import SHORTEST, Redaction, splittable

@st.composite
def long_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(_PIECES, min_size=1, max_size=30))
    seps = draw(st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n", " ", "\r\n\r\n", "\n \n"]), min_size=len(parts), max_size=len(parts)))
    text = "".join(p + s for p, s in zip(parts, seps))
    while len(text) < SHORTEST:  # long enough to be split
        text += "\n\n" + draw(st.sampled_from(_FILLER + _ACROSS))
    return text


@settings(max_examples=600, deadline=None)
@given(long_texts())
def test_by_paragraphs_is_redacting_whole(text: str) -> None:
    redactor = Redactor()
    memo = Redaction(redactor)
    assert memo.redact(text) == redactor.redact(text)
    assert memo.redact(text + "\n\nmore") == redactor.redact(text + "\n\nmore")  # its paragraphs now from the memo
    assert memo.redact_obj({"a": [text], "password": "Zq8vW3nL0pK2xx"}) == redactor.redact_obj({"a": [text], "password": "Zq8vW3nL0pK2xx"})


@settings(max_examples=100, deadline=None)
@given(long_texts())
def test_with_known_values_it_redacts_whole(text: str) -> None:
    redactor = Redactor.from_environment({"MY_API_TOKEN": "Qw3rty-Uiop-Asdf-77"}, extra_values=["hunter2-Secret-99"])
    assert Redaction(redactor).redact(text + "\n\nQw3rty-Uiop-\n\nAsdf-77") == redactor.redact(text + "\n\nQw3rty-Uiop-\n\nAsdf-77")


def test_the_corpus_joined_by_blank_lines_is_redacted_alike_and_split() -> None:
    text = "\n\n".join(case for case in _CASES if "-----BEGIN" not in case and "machine" not in case.lower() and "default" not in case.lower())
    text = "\n\n".join(part for part in text.split("\n\n") if not ("AC" in part and any(c in _HEX for c in part)))
    assert splittable(text)  # the shortcut is taken: this tests it, not the fallback
    redactor = Redactor()
    assert Redaction(redactor).redact(text) == redactor.redact(text)


def test_what_reaches_across_a_blank_line_is_redacted_whole() -> None:
    for text in (f"{_SID},\n\n{_TOKEN}", "machine h\n\nlogin u\n\npassword Zq8vW3nL0pK2", "-----BEGIN RSA PRIVATE KEY-----\n\nMIIE\n-----END RSA PRIVATE KEY-----"):
        long = text + "\n\n" + "filler line\n" * 200
        assert not splittable(long)
        assert Redaction(Redactor()).redact(long) == Redactor().redact(long)


def test_a_redactor_that_learns_redacts_whole() -> None:
    from tutor.redaction.remembering import RememberingRedactor

    secret = "ghp_" + "c" * 36
    text = "token = " + secret + "\n\n" + "filler line\n" * 200 + "\n\n" + "Z2hwX2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    assert Redaction(RememberingRedactor()).redact(text) == RememberingRedactor().redact(text)
