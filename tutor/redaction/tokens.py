"""Provider tokens: secrets recognised by their shape alone (`ghp_…`, `sk-ant-…`, `AKIA…`).

Each rule starts with a literal and refuses to start in the middle of a run of its own
characters, and its quantifiers are bounded, so matching stays linear. Most specific first:
when findings overlap, the earlier rule names the kind.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass

from .literals import _looks_random

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class _Rule:
    """A case-sensitive pattern, searched for when one of its triggers is in the text (or always, if none)."""

    kind: str
    regex: re.Pattern[str]
    triggers: tuple[str, ...]
    group: str | int = 0
    check: bool = False  # the value must pass `_plausible_literal` (not a placeholder)
    lead: int = 0  # the secret starts this many characters before the match (checked by a lookbehind)
    accept: Callable[[str], bool] | None = None  # the value must pass this too
    late: bool = False  # overlapping findings of other rules name the kind (`-u AC...:token` is basic-auth)
    # For the native prefilter (`needles`): a pattern that matches wherever `regex` does, written forward where
    # `regex` starts from a look-behind (fast in Python, but a prefilter can only drop it: it then says "may match"
    # nearly everywhere). "": the regex itself.
    prefilter: str = ""


def _tok(prefix: str, width: int, body: str, before: str = "A-Za-z0-9") -> str:
    """`prefix` (a regex of `width` characters) then `body`, not preceded by [before].

    The boundary is checked after the literal so that the regex engine can still
    skip ahead to the prefix, and so that a match never starts inside a run of
    token characters (which would make repeated prefixes quadratic).
    """
    return f"{prefix}(?<![{before}].{{{width}}}){body}"


def _rule(
    kind: str,
    pattern: str,
    *triggers: str,
    group: str | int = 0,
    check: bool = False,
    lead: int = 0,
    accept: Callable[[str], bool] | None = None,
    late: bool = False,
    prefilter: str = "",
) -> _Rule:
    return _Rule(kind, re.compile(pattern), triggers, group, check, lead, accept, late, prefilter)


def _pem_in_base64(value: str) -> bool:
    """Does this base64 (`LS0tLS1CRUdJTi...`, "-----BEGIN" encoded) start a private key block?"""
    head = "".join(value[:160].split())[:96]
    try:
        return b"PRIVATE KEY" in base64.b64decode(head[: len(head) - len(head) % 4])
    except (binascii.Error, ValueError):
        return False


_B64URL = r"A-Za-z0-9_\-"


def _has_digit_and_letter(value: str) -> bool:
    """A token after a common prefix (`LTAI`, `AKID`, `secret_`): random, not an upper-case word or name."""
    body = value[4:]
    return any(c.isdigit() for c in body) and any(c.isalpha() for c in body)


# Most specific first: when findings overlap, the earlier rule names the kind.
_TOKEN_RULES: tuple[_Rule, ...] = (
    _rule("anthropic-key", _tok("sk-ant-", 7, rf"[a-z]{{2,8}}\d{{2}}-[{_B64URL}]{{20,}}+"), "sk-ant-"),
    _rule(
        "openai-key",
        _tok("sk-", 3, rf"(?:(?:proj|svcacct|admin|None)-[{_B64URL}]{{20,}}+|[A-Za-z0-9]{{32,}}+)"),
        "sk-",
    ),
    _rule(
        "aws-access-key",
        _tok("(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])", 4, r"[A-Z0-9]{16}(?![A-Za-z0-9])"),
    ),
    _rule("github-token", _tok("gh[pousr]_", 4, r"[A-Za-z0-9]{36,255}+"), "gh"),
    _rule("github-token", _tok("github_pat_", 11, r"[A-Za-z0-9_]{22,255}+"), "github_pat_"),
    _rule(
        "gitlab-token",
        _tok("gl", 2, rf"(?:pat|ptt|dt|rt|soat|cbt|imt|ft|agent|oas)-[{_B64URL}]{{20,}}+"),
        "gl",
    ),
    _rule("grafana-token", _tok("gl", 2, r"(?:sa|c)_[A-Za-z0-9_=+/\-]{32,}+"), "glsa_", "glc_"),
    _rule("slack-token", _tok("xox[baprse]-", 5, r"[A-Za-z0-9\-]{10,}+"), "xox"),
    _rule("slack-token", _tok("xapp-", 5, r"[A-Za-z0-9\-]{20,}+"), "xapp-"),
    _rule(
        "slack-webhook",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9_/\-]{20,}+)",
        "hooks.slack.com/",
        group="s",
    ),
    _rule(
        "discord-webhook",
        r"discord(?:app)?\.com/api/webhooks/\d{1,30}+/(?P<s>[A-Za-z0-9_\-]{20,}+)",
        "/api/webhooks/",
        group="s",
    ),
    _rule("stripe-key", _tok("sk_", 3, r"(?:live|test)_[A-Za-z0-9]{16,}+", "A-Za-z0-9_"), "_live_", "_test_"),
    _rule("stripe-key", _tok("rk_", 3, r"(?:live|test)_[A-Za-z0-9]{16,}+", "A-Za-z0-9_"), "_live_", "_test_"),
    _rule("stripe-webhook-secret", _tok("whsec_", 6, r"[A-Za-z0-9+/=]{24,}+"), "whsec_"),
    _rule("google-api-key", _tok("AIza", 4, rf"[{_B64URL}]{{35}}(?![{_B64URL}])"), "AIza"),
    _rule("google-oauth-secret", _tok("GOCSPX-", 7, rf"[{_B64URL}]{{20,}}+"), "GOCSPX-"),
    _rule("google-oauth-token", _tok(r"ya29\.", 5, rf"[{_B64URL}]{{20,}}+"), "ya29."),
    _rule("npm-token", _tok("npm_", 4, r"[A-Za-z0-9]{36,}+"), "npm_"),
    _rule("twilio-key", _tok("SK", 2, r"[0-9a-fA-F]{32}(?![A-Za-z0-9])"), "SK"),
    _rule("sendgrid-key", _tok(r"SG\.", 3, rf"[{_B64URL}]{{16,}}+\.[{_B64URL}]{{16,}}+"), "SG."),
    _rule("huggingface-token", _tok("hf_", 3, r"[A-Za-z0-9]{30,}+"), "hf_"),
    _rule("huggingface-token", _tok("api_org_", 8, r"[A-Za-z0-9]{30,}+"), "api_org_"),
    _rule("pypi-token", _tok("pypi-AgE", 8, rf"[{_B64URL}]{{50,}}+"), "pypi-AgE"),
    _rule("digitalocean-token", _tok("do[por]_v1_", 7, r"[a-f0-9]{64}(?![A-Za-z0-9])"), "_v1_"),
    _rule("shopify-token", _tok("shp(?:at|ss|ca|pa)_", 6, r"[a-fA-F0-9]{32}(?![A-Za-z0-9])"), "shp"),
    _rule("vault-token", _tok(r"hv[sbr]\.", 4, rf"[{_B64URL}]{{24,}}+"), "hv"),
    _rule("linear-key", _tok("lin_api_", 8, r"[A-Za-z0-9]{40,}+"), "lin_api_"),
    _rule("postman-key", _tok("PMAK-", 5, r"[a-fA-F0-9]{24}-[a-fA-F0-9]{34}(?![A-Za-z0-9])"), "PMAK-"),
    _rule("databricks-token", _tok("dapi", 4, r"[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])"), "dapi"),
    _rule("age-secret-key", _tok("AGE-SECRET-KEY-1", 16, r"[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"), "AGE-SECRET-KEY-1"),
    _rule("groq-key", _tok("gsk_", 4, r"[A-Za-z0-9]{48,}+"), "gsk_"),
    _rule("xai-key", _tok("xai-", 4, r"[A-Za-z0-9]{60,}+"), "xai-"),
    _rule("replicate-token", _tok("r8_", 3, r"[A-Za-z0-9]{37,}+"), "r8_"),
    _rule("perplexity-key", _tok("pplx-", 5, r"[A-Za-z0-9]{40,}+"), "pplx-"),
    _rule("atlassian-token", _tok("ATATT3", 6, r"[A-Za-z0-9_=\-]{100,}+"), "ATATT3"),
    _rule("onepassword-token", _tok("ops_eyJ", 7, r"[A-Za-z0-9+/_=\-]{100,}+"), "ops_eyJ"),
    _rule("newrelic-key", _tok("NRAK-", 5, r"[A-Z0-9]{27}(?![A-Za-z0-9])"), "NRAK-"),
    _rule("sentry-token", _tok("sntry[su]_", 7, r"[A-Za-z0-9+/=_\-]{40,}+"), "sntry"),
    _rule("doppler-token", _tok(r"dp\.", 3, r"(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,}+"), "dp."),
    _rule("docker-hub-token", _tok("dckr_", 5, r"(?:pat|oat)_[A-Za-z0-9_\-]{24,}+"), "dckr_"),
    _rule("pulumi-token", _tok("pul-", 4, r"[a-f0-9]{40}(?![A-Za-z0-9])"), "pul-"),
    _rule("figma-token", _tok("figd_", 5, r"[A-Za-z0-9_\-]{36,}+"), "figd_"),
    _rule(  # sgp_<40 hex>, sgp_<16 hex instance id>_<40 hex>, sgp_local_<40 hex>
        "sourcegraph-token",
        _tok("sgp_", 4, r"(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}(?![A-Za-z0-9])"),
        "sgp_",
    ),
    _rule("contentful-token", _tok("CFPAT-", 6, r"[A-Za-z0-9_\-]{40,}+"), "CFPAT-"),
    _rule("netlify-token", _tok("nfp_", 4, r"[A-Za-z0-9_]{36,}+"), "nfp_"),
    _rule("square-token", _tok("sq0atp-", 7, rf"[{_B64URL}]{{22,}}+"), "sq0atp-"),
    _rule("square-secret", _tok("sq0csp-", 7, rf"[{_B64URL}]{{40,}}+"), "sq0csp-"),
    _rule(  # EAAA and exactly 60 more, not inside (nor at the head of) a longer base64 run
        "square-token",
        _tok("EAAA", 4, rf"[{_B64URL}]{{60}}(?![A-Za-z0-9_+/=\-])", "A-Za-z0-9_+/=\\-"),
        "EAAA",
        accept=_has_digit_and_letter,
    ),
    _rule(  # a Mapbox secret token: sk.<base64url JSON>.<signature> (pk. ones are public)
        "mapbox-token",
        _tok(r"sk\.eyJ", 6, rf"[{_B64URL}]{{10,}}+\.[{_B64URL}]{{16,}}+", "A-Za-z0-9_."),
        "sk.eyJ",
    ),
    _rule(  # a Notion integration token: secret_ and exactly 43 letters and digits (legacy), ntn_...
        "notion-token",
        _tok("secret_", 7, r"[A-Za-z0-9]{43}(?![A-Za-z0-9_\-])", "A-Za-z0-9_"),
        "secret_",
        accept=_has_digit_and_letter,
    ),
    _rule("notion-token", _tok("ntn_", 4, r"[0-9]{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])"), "ntn_"),
    _rule(  # an Alibaba Cloud AccessKey ID
        "alibaba-access-key",
        _tok("LTAI", 4, r"[A-Za-z0-9]{12,20}(?![A-Za-z0-9])"),
        "LTAI",
        accept=_has_digit_and_letter,
    ),
    _rule(  # a Tencent Cloud SecretId
        "tencent-secret-id",
        _tok("AKID", 4, r"[A-Za-z0-9]{32}(?![A-Za-z0-9])"),
        "AKID",
        accept=_has_digit_and_letter,
    ),
    _rule(  # a PuTTY key file (.ppk): the base64 lines after `Private-Lines: N`, also JSON-escaped
        "private-key",
        r"Private-Lines:[ \t]*+\d{1,4}+[ \t]*+(?:\r?\n|\\r\\n|\\n)"
        r"(?P<s>[A-Za-z0-9+/=]{4,}+(?![^\s\\\"'])(?:(?:\r?\n|\\r\\n|\\n)[A-Za-z0-9+/=]{4,}+(?![^\s\\\"'])){0,1024}+)",
        "Private-Lines:",
        group="s",
    ),
    _rule(
        "mailchimp-key",
        r"-us(?<=(?<![A-Za-z0-9])[0-9a-f]{32}-us)\d{1,2}(?![A-Za-z0-9])",
        "-us",
        lead=32,
    ),
    _rule(
        "azure-client-secret",
        r"Q~(?<=(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~)[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])",
        "Q~",
        lead=4,
    ),
    _rule("mailgun-key", _tok("key-", 4, r"[0-9a-f]{32}(?![A-Za-z0-9])"), "key-"),
    _rule("mailgun-key", _tok("pubkey-", 7, r"[0-9a-f]{32}(?![A-Za-z0-9])"), "pubkey-"),
    _rule(  # a webhook signing key: 32 hex, 8 hex, 8 hex
        "mailgun-key",
        r"-(?<=(?<![A-Za-z0-9\-])[0-9a-f]{32}-)[0-9a-f]{8}-[0-9a-f]{8}(?![A-Za-z0-9\-])",
        "-",
        lead=32,
    ),
    _rule(  # an auth token (32 hex) right after its account SID: Client("AC...", "..."), `twilio login AC... ...`
        "twilio-auth-token",
        _tok("AC", 2, r"[0-9a-fA-F]{32}[\s\"',:;=/()\[\]]{1,12}+(?P<s>[0-9a-fA-F]{32})(?![A-Za-z0-9])"),
        "AC",
        group="s",
        late=True,
    ),
    _rule(  # a private key block, base64-encoded: kubeconfig `client-key-data`, `base64 id_rsa`
        "private-key",
        _tok(
            "LS0tLS1CRUdJTi",
            14,
            r"[A-Za-z0-9+/]{8,}+={0,2}(?:\r?\n[A-Za-z0-9+/]{4,}+={0,2}(?![^\r\n]))*+",
            "A-Za-z0-9+/",
        ),
        "LS0tLS1CRUdJTi",
        accept=_pem_in_base64,
        late=True,
    ),
    _rule(
        "telegram-bot-token",
        r"(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_\-]{32,35}(?![A-Za-z0-9_\-])",
        ":AA",
    ),
    _rule(
        "jwt",
        _tok("eyJ", 3, rf"[{_B64URL}]{{10,}}+\.e[wy][{_B64URL}]{{10,}}+(?:\.[{_B64URL}]++)?", _B64URL),
        "eyJ",
    ),
    _rule(  # https://<key>@o123.ingest.sentry.io/456, and the old https://<key>:<secret>@host/7
        "sentry-dsn",
        r"://(?P<s>[0-9a-f]{32}(?::[0-9a-f]{32})?)@",
        "://",
        group="s",
    ),
    _rule(  # a token as the URL's user: https://<token>@host/...
        "url-token",
        r"://(?P<s>[A-Za-z0-9_\-]{20,128}+)@",
        "://",
        group="s",
        check=True,
        accept=_looks_random,
    ),
    _rule(
        "url-password",
        # No user is a password alone (`redis://:pw@host`); a `#` unencoded in it is still part of it.
        r"://(?P<u>[^\s:@/?#\[\]\"'<>\\]{0,256}+):(?P<s>[^\s@/?\[\]\"'<>\\]{1,256}+)@",
        "://",
        group="s",
        check=True,
    ),
    _rule("azure-sas", r"sig=(?<=[?&]sig=)(?P<s>[A-Za-z0-9%+/=]{16,}+)", "sig=", group="s"),
    *(  # a Discord bot token: the user id in base64 (it starts M, N or O), a timestamp, an HMAC
        _rule(
            "discord-bot-token",
            rf"\.(?<=(?<![{_B64URL}])[MNO][{_B64URL}]{{{width - 1}}}\.)[{_B64URL}]{{6}}\.[{_B64URL}]{{27,38}}+(?![{_B64URL}.])",
            ".",
            lead=width,
            prefilter=rf"[MNO][{_B64URL}]{{{width - 1}}}\.[{_B64URL}]{{6}}\.[{_B64URL}]{{27}}",
        )
        for width in (23, 24, 26, 27)
    ),
    _rule(  # a .pgpass line: hostname:port:database:username:password
        "password",
        r"(?m)^[A-Za-z0-9.\-*_\[\]]{1,253}+:(?:\d{1,5}|\*):[^:\s]{1,128}+:[^:\s]{1,128}+:"
        r"(?P<s>(?:[^\s\\]|\\.){1,256}+)[ \t]*+\r?$",
        ":",
        group="s",
        check=True,
    ),
)


def _index_by_trigger(rules: tuple[_Rule, ...]) -> tuple[tuple[tuple[str, tuple[int, ...]], ...], tuple[int, ...]]:
    """Each trigger with the rules (their places in `rules`) it lets run, and the rules that always run.

    A text is checked once per distinct trigger rather than once per rule: most texts hold
    none of them, and most triggers are shared (`sk-`, `://`, `gl`).
    """
    by_trigger: dict[str, list[int]] = {}
    always: list[int] = []
    for index, rule in enumerate(rules):
        if not rule.triggers:
            always.append(index)
        for trigger in rule.triggers:
            by_trigger.setdefault(trigger, []).append(index)
    return tuple((trigger, tuple(indexes)) for trigger, indexes in by_trigger.items()), tuple(always)


_RULES_BY_TRIGGER, _UNTRIGGERED_RULES = _index_by_trigger(_TOKEN_RULES)
