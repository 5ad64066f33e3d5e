"""Fake secrets made at run time: one generator per kind of token the redactor knows.

Every secret is FAKE and made from random characters (a prefix glued from pieces, then
random text), so that no secret scanner flags this file and no real key is ever written down.
Shared by tests/unit/test_redact.py and tests/unit/test_build_secrets.py.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
LOWER = string.ascii_lowercase
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"

Rng = random.Random
Gen = Callable[[Rng], str]


def rs(rng: Rng, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def secretish(rng: Rng, n: int = 20) -> str:
    """A random password-like value: letters and digits, always some of each."""
    return rs(rng, LOWER, 3) + rs(rng, ALNUM, n - 6) + rs(rng, string.digits, 3)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(rng: Rng) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": rs(rng, HEX, 12), "iat": rng.randrange(10**9, 2 * 10**9)}).encode())
    return f"{header}.{payload}.{rs(rng, B64URL, 43)}"


# Prefixes are glued from pieces so that this file holds no token-shaped string.
TOKENS: dict[str, list[Gen]] = {
    "anthropic-key": [
        lambda r: "sk-" + "ant-" + "api03-" + rs(r, B64URL, 93) + "AA",
        lambda r: "sk-" + "ant-" + "admin01-" + rs(r, B64URL, 93) + "AA",
    ],
    "openai-key": [
        lambda r: "sk-" + "proj-" + rs(r, B64URL, 156),
        lambda r: "sk-" + "svcacct-" + rs(r, B64URL, 120),
        lambda r: "sk-" + rs(r, ALNUM, 48),
    ],
    "aws-access-key": [
        lambda r: "AK" + "IA" + rs(r, UPPER_ALNUM, 16),
        lambda r: "AS" + "IA" + rs(r, UPPER_ALNUM, 16),
    ],
    "github-token": [
        *[(lambda p: lambda r: "gh" + p + "_" + rs(r, ALNUM, 36))(p) for p in "pousr"],
        lambda r: "github" + "_pat_" + rs(r, ALNUM, 22) + "_" + rs(r, ALNUM, 59),
    ],
    "gitlab-token": [lambda r: "gl" + "pat-" + rs(r, B64URL, 20)],
    "slack-token": [
        *[
            (lambda p: lambda r: "xox" + p + "-" + rs(r, string.digits, 12) + "-" + rs(r, string.digits, 13) + "-" + rs(r, ALNUM, 24))(p)
            for p in "bpar"
        ],
        lambda r: "xa" + "pp-1-" + rs(r, UPPER_ALNUM, 11) + "-" + rs(r, string.digits, 13) + "-" + rs(r, HEX, 64),
    ],
    "stripe-key": [
        lambda r: "sk" + "_live_" + rs(r, ALNUM, 24),
        lambda r: "rk" + "_live_" + rs(r, ALNUM, 24),
        lambda r: "sk" + "_test_" + rs(r, ALNUM, 24),
    ],
    "stripe-webhook-secret": [lambda r: "wh" + "sec_" + rs(r, ALNUM, 32)],
    "google-api-key": [lambda r: "AI" + "za" + rs(r, B64URL, 35)],
    "google-oauth-secret": [lambda r: "GOC" + "SPX-" + rs(r, B64URL, 28)],
    "google-oauth-token": [lambda r: "ya" + "29." + rs(r, B64URL, 120)],
    "jwt": [make_jwt],
    "npm-token": [lambda r: "np" + "m_" + rs(r, ALNUM, 36)],
    "twilio-key": [lambda r: "S" + "K" + rs(r, HEX, 32)],
    "sendgrid-key": [lambda r: "S" + "G." + rs(r, B64URL, 22) + "." + rs(r, B64URL, 43)],
    "huggingface-token": [lambda r: "h" + "f_" + rs(r, ALNUM, 34)],
    "pypi-token": [lambda r: "py" + "pi-" + "AgEIcHlwaS5vcmc" + rs(r, B64URL, 70)],
    "digitalocean-token": [lambda r: "do" + "p_v1_" + rs(r, HEX, 64)],
    "shopify-token": [lambda r: "sh" + "pat_" + rs(r, HEX, 32)],
    "vault-token": [lambda r: "hv" + "s." + rs(r, B64URL, 90)],
    "linear-key": [lambda r: "lin" + "_api_" + rs(r, ALNUM, 40)],
    "postman-key": [lambda r: "PM" + "AK-" + rs(r, HEX, 24) + "-" + rs(r, HEX, 34)],
    "databricks-token": [lambda r: "da" + "pi" + rs(r, HEX, 32)],
    "age-secret-key": [lambda r: "AGE-" + "SECRET-KEY-1" + rs(r, BECH32, 58)],
    "groq-key": [lambda r: "gs" + "k_" + rs(r, ALNUM, 52)],
    "xai-key": [lambda r: "xa" + "i-" + rs(r, ALNUM, 80)],
    "replicate-token": [lambda r: "r" + "8_" + rs(r, ALNUM, 37)],
    "perplexity-key": [lambda r: "pp" + "lx-" + rs(r, ALNUM, 48)],
    "atlassian-token": [lambda r: "ATA" + "TT3" + rs(r, B64URL, 180)],
    "onepassword-token": [lambda r: "op" + "s_" + "eyJ" + rs(r, B64, 200)],
    "newrelic-key": [lambda r: "NR" + "AK-" + rs(r, UPPER_ALNUM, 27)],
    "sentry-token": [lambda r: "sntr" + "ys_" + "eyJ" + rs(r, B64URL, 80)],
    "doppler-token": [lambda r: "d" + "p.pt." + rs(r, ALNUM, 43)],
    "mailchimp-key": [lambda r: rs(r, HEX, 32) + "-u" + "s" + str(r.randrange(1, 21))],
    "azure-client-secret": [lambda r: rs(r, ALNUM, 3) + str(r.randrange(10)) + "Q" + "~" + rs(r, ALNUM + "_", 34)],
    "telegram-bot-token": [lambda r: str(r.randrange(10**8, 10**9)) + ":A" + "A" + rs(r, B64URL, 33)],
    "grafana-token": [lambda r: "gl" + "sa_" + rs(r, ALNUM, 32) + "_" + rs(r, HEX, 8)],
}
