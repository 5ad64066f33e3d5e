"""Pieces of text for redaction's property tests: the redaction corpus's cases, fragments that reach across
a blank line (a `.netrc` entry, a Twilio SID and its token, a private key block, an assignment with its value
after the break, base64 and PuTTY blocks), characters that lower-case oddly, and filler."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from tests.helpers.redaction_corpus import corpus

__all__ = ["ACROSS", "CASES", "FILLER", "HEX", "PIECES", "SID", "TOKEN"]

CASES = [case.text for seed in (1, 2, 3) for case in corpus(seed)]
HEX = "0123456789abcdef"
_rng = random.Random(17)
SID = "AC" + "".join(_rng.choice(HEX) for _ in range(32))
TOKEN = "".join(_rng.choice(HEX) for _ in range(32))
ACROSS = [
    f"client = Client('{SID}',", f"'{TOKEN}')", f"twilio login {SID}", TOKEN,
    "machine api.example.com", "login alice", "password Zq8vW3nL0pK2", "default", "machine", "MACHINE x",
    "-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7Yq3kZ1tW9sP2xL0aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2u", "-----END RSA PRIVATE KEY-----",
    "password =", "'hunter2-Secret-99'", "API_KEY=", "sk-ant-api03-" + "a" * 30, "Authorization:", "Bearer abcdefghijklmnopqrstuvwxyz012345",
    "Private-Lines: 2", "AAAAB3NzaC1yc2EAAAADAQABAAABAQ", "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==", "QUJDREVGR0hJSktMTU5PUA==",
    "token: ghp_" + "b" * 36, "export SECRET_KEY=)Ka%E^Z(0j&d=it#9x", "[REDACTED:token]", "DB_PASSWORD: Xy7Pq2Lm9Rt4",
    "\u212aey = 'Zz9yY8xX7wW6'", "\u0130NDEX", "\u03a3\u03a3", "stra\u00dfe", "\t", "", " ", "x" * 50,
]
FILLER = ["def handler(order):", "    return order.total * 2", "The cart total is wrong when a coupon applies.", "ok", "{", "}"]
PIECES = st.one_of(st.sampled_from(CASES), st.sampled_from(ACROSS), st.sampled_from(FILLER), st.text(max_size=40))


