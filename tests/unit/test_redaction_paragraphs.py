"""Redacting a long text a paragraph at a time (`tutor.redaction.paragraphs.Redaction`) gives what redacting it whole gives.

Texts made of the redaction corpus's cases, of fragments that reach across a blank line
(a `.netrc` entry, a Twilio SID and its token, a private key block, an assignment with its
value after the break, base64 and PuTTY blocks), of characters that lower-case oddly, and of
filler, joined by single and blank lines in any order: the result is the same, pass after pass,
with and without known values, and a second time from the memo.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.redaction_corpus import corpus
from tutor.redaction import Redactor
from tutor.redaction.paragraphs import SHORTEST, Redaction, splittable

_CASES = [case.text for seed in (1, 2, 3) for case in corpus(seed)]
_HEX = "0123456789abcdef"
_rng = random.Random(17)
_SID = "AC" + "".join(_rng.choice(_HEX) for _ in range(32))
_TOKEN = "".join(_rng.choice(_HEX) for _ in range(32))
_ACROSS = [
    f"client = Client('{_SID}',", f"'{_TOKEN}')", f"twilio login {_SID}", _TOKEN,
    "machine api.example.com", "login alice", "password Zq8vW3nL0pK2", "default", "machine", "MACHINE x",
    "-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7Yq3kZ1tW9sP2xL0aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2u", "-----END RSA PRIVATE KEY-----",
    "password =", "'hunter2-Secret-99'", "API_KEY=", "sk-ant-api03-" + "a" * 30, "Authorization:", "Bearer abcdefghijklmnopqrstuvwxyz012345",
    "Private-Lines: 2", "AAAAB3NzaC1yc2EAAAADAQABAAABAQ", "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==", "QUJDREVGR0hJSktMTU5PUA==",
    "token: ghp_" + "b" * 36, "export SECRET_KEY=)Ka%E^Z(0j&d=it#9x", "[REDACTED:token]", "DB_PASSWORD: Xy7Pq2Lm9Rt4",
    "\u212aey = 'Zz9yY8xX7wW6'", "\u0130NDEX", "\u03a3\u03a3", "stra\u00dfe", "\t", "", " ", "x" * 50,
]
_FILLER = ["def handler(order):", "    return order.total * 2", "The cart total is wrong when a coupon applies.", "ok", "{", "}"]
_PIECES = st.one_of(st.sampled_from(_CASES), st.sampled_from(_ACROSS), st.sampled_from(_FILLER), st.text(max_size=40))


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
