"""Issue 13 ("Redaction"): the gaps a security tester found, each closed and kept closed.

Every value here is made at run time from a random seed (printed on failure; `TUTOR_CORPUS_SEED`
picks one), and provider prefixes are glued from pieces, so this file holds no token-shaped string.
Each finding has its false-positive guard: the ordinary text it must leave alone.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import string
from collections.abc import Callable
from urllib.parse import quote

import pytest

from tutor.redaction import Redactor
from tutor.redaction.encodings import MIN_SPELLED, variants
from tutor.redaction.remembering import RememberingRedactor

SEED = int(os.environ.get("TUTOR_CORPUS_SEED", "0")) or random.SystemRandom().randrange(1, 10**9)
ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"
HEX = "0123456789abcdef"
VAR = "DEPLOY" + "_TOKEN"  # the environment variable whose value the redactor knows


def rng(tag: str) -> random.Random:
    return random.Random(f"{SEED}:{tag}")


def rs(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def with_digit(r: random.Random, alphabet: str, n: int) -> str:
    body = rs(r, alphabet, n - 1)
    return body[:5] + r.choice(string.digits) + body[5:]


def a_password(r: random.Random) -> str:
    return rs(r, string.ascii_uppercase, 2) + rs(r, string.ascii_lowercase, 6) + rs(r, string.digits, 3) + r.choice("!#%^*_+") + rs(r, ALNUM, 4)


def gone(out: str, secret: str, kind: str | None = None) -> None:
    assert secret not in out, f"seed {SEED}: {out!r}"
    if kind is not None:
        assert f"[REDACTED:{kind}]" in out, f"seed {SEED}: {out!r}"


# ------------------------------------------------------------------ 1. encodings of known values


def xxd_i(blob: bytes) -> str:
    hexes = [f"0x{c:02x}" for c in blob]
    lines = ",\n".join("  " + ", ".join(hexes[i : i + 12]) for i in range(0, len(hexes), 12))
    return f"unsigned char environ[] = {{\n{lines}\n}};\nunsigned int environ_len = {len(blob)};\n"


def lower_percent(value: str) -> str:
    """URL-encoded as `quote` does, with lower-case hex (`%2f`)."""
    return re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(value, safe=""))


ENCODERS: dict[str, Callable[[str], str]] = {
    "xxd -i": lambda v: xxd_i(("HOME=/root\0" + VAR + "=" + v + "\0").encode()),
    "\\x escapes": lambda v: "b'" + "".join(f"\\x{c:02x}" for c in v.encode()) + "'",
    "\\X escapes": lambda v: "".join(f"\\x{c:02X}" for c in v.encode()),
    "lower-case %xx": lambda v: "GET /cb?t=" + lower_percent(v) + "&ok=1",
    "every byte %XX": lambda v: "q=" + "".join(f"%{c:02X}" for c in v.encode()),
    "every byte %xx": lambda v: "q=" + "".join(f"%{c:02x}" for c in v.encode()),
    "JSON \\u escapes": lambda v: '{"t": "' + "".join(f"\\u{ord(c):04x}" for c in v) + '"}',
    "UTF-16LE hex": lambda v: (VAR + "=" + v).encode("utf-16-le").hex(),
    "UTF-16LE base64": lambda v: base64.b64encode(("x=" + v + "\0").encode("utf-16-le")).decode(),
}


def a_value(r: random.Random) -> str:
    return rs(r, ALNUM, 10) + r.choice("/+=") + rs(r, ALNUM, 10) + r.choice("/+") + rs(r, ALNUM, 5)


@pytest.mark.parametrize("encoding", ENCODERS)
def test_an_environment_secret_is_caught_in_every_encoding_found(encoding: str) -> None:
    value = a_value(rng(encoding))
    text = ENCODERS[encoding](value)
    out = Redactor.from_environment({VAR: value}).redact(text)
    assert f"[REDACTED:env:{VAR}]" in out, f"seed {SEED}: {out!r}"
    for form in variants(value, 4):
        assert form not in out.replace(" ", "").replace("\n", ""), f"seed {SEED}: {form} in {out!r}"


@pytest.mark.parametrize("encoding", ENCODERS)
def test_a_secret_remembered_in_a_session_is_caught_in_every_encoding_found(encoding: str) -> None:
    r = rng("remembered " + encoding)
    token = "gh" + "p_" + rs(r, ALNUM, 36)
    redactor = RememberingRedactor()
    assert token not in redactor.redact(f"$ cat .env\nGH_TOKEN={token}\n")
    out = redactor.redact(ENCODERS[encoding](token))
    assert "[REDACTED:github-token]" in out, f"seed {SEED}: {out!r}"


def test_xxd_i_is_caught_wherever_its_line_breaks_cut_the_value() -> None:
    value = a_value(rng("xxd offsets"))
    redactor = Redactor.from_environment({VAR: value})
    for offset in range(12):
        out = redactor.redact(xxd_i(b"x" * offset + value.encode() + b"\n"))
        flat = out.replace(" ", "").replace("\n", "")
        assert ",".join(f"0x{c:02x}" for c in value.encode()[2:-2]) not in flat, f"seed {SEED}, offset {offset}: {out!r}"
        assert f"[REDACTED:env:{VAR}]" in out


def test_short_values_get_no_byte_by_byte_forms() -> None:
    short = "k3y" + "Zq"
    assert len(short) < MIN_SPELLED
    forms = variants(short, 4)
    assert not any(f.startswith(("\\x", "\\u", "0x", "%")) for f in forms), forms
    redactor = Redactor.from_environment({}, extra_values=[short])
    text = 'printf "' + "".join(f"\\x{c:02x}" for c in short.encode()) + '"\n' + xxd_i(short.encode())
    assert redactor.redact(text) == text


def test_ordinary_xxd_i_dumps_and_lower_case_urls_are_kept() -> None:
    redactor = Redactor.from_environment({VAR: a_value(rng("fp encodings"))})
    dump = xxd_i(b'#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n')
    urls = "https://example.com/search?q=caf%c3%a9%20au%20lait&path=a%2fb%2fc\nhttps://example.com/a%2Fb?x=%e2%9c%93\n"
    escapes = "b'\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR'\n" + '{"s": "\\u0068\\u0065\\u006c\\u006c\\u006f"}\n'
    for text in (dump, urls, escapes):
        assert redactor.redact(text) == text
        assert Redactor().redact(text) == text


# ------------------------------------------------------------------ 2. token formats

TOKENS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "docker hub PAT": ("docker-hub-token", lambda r: "dckr" + "_pat_" + rs(r, B64URL, 27)),
    "pulumi": ("pulumi-token", lambda r: "pu" + "l-" + rs(r, HEX, 40)),
    "figma": ("figma-token", lambda r: "fig" + "d_" + rs(r, B64URL, 40)),
    "sourcegraph": ("sourcegraph-token", lambda r: "sg" + "p_" + rs(r, HEX, 40)),
    "sourcegraph with instance": ("sourcegraph-token", lambda r: "sg" + "p_" + rs(r, HEX, 16) + "_" + rs(r, HEX, 40)),
    "contentful": ("contentful-token", lambda r: "CF" + "PAT-" + rs(r, B64URL, 43)),
    "netlify": ("netlify-token", lambda r: "nf" + "p_" + rs(r, ALNUM, 36)),
    "square secret": ("square-secret", lambda r: "sq0" + "csp-" + rs(r, B64URL, 43)),
    "square access token": ("square-token", lambda r: "sq0" + "atp-" + rs(r, B64URL, 22)),
    "square EAAA token": ("square-token", lambda r: "EA" + "AA" + with_digit(r, B64URL, 60)),
    "mapbox secret": (
        "mapbox-token",
        lambda r: "s" + "k." + base64.urlsafe_b64encode(json.dumps({"u": "acme", "a": rs(r, ALNUM, 20)}).encode()).decode().rstrip("=") + "." + rs(r, ALNUM, 22),
    ),
    "notion legacy": ("notion-token", lambda r: "sec" + "ret_" + with_digit(r, ALNUM, 43)),
    "notion": ("notion-token", lambda r: "nt" + "n_" + rs(r, string.digits, 11) + rs(r, ALNUM, 35)),
    "alibaba": ("alibaba-access-key", lambda r: "LT" + "AI" + with_digit(r, ALNUM, r.randrange(12, 21))),
    "tencent": ("tencent-secret-id", lambda r: "AK" + "ID" + with_digit(r, ALNUM, 32)),
}


@pytest.mark.parametrize("name", TOKENS)
def test_provider_tokens_are_recognised_by_shape(name: str) -> None:
    kind, make = TOKENS[name]
    token = make(rng(name))
    for text in (f"token: {token}\n", f"curl -H 'X-Key: {token}' https://api.example.com\n", f"({token})"):
        gone(Redactor().redact(text), token, kind)


def test_putty_private_lines_are_redacted_and_the_public_ones_kept() -> None:
    r = rng("ppk")
    public = ["AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + rs(r, ALNUM, 34), rs(r, ALNUM, 40)]
    private = [rs(r, ALNUM + "+/", 64) for _ in range(2)] + [rs(r, ALNUM, 22) + "=="]
    mac = rs(r, HEX, 64)
    ppk = (
        "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n" + "\n".join(public) + "\n"
        "Private-Lines: 3\n" + "\n".join(private) + f"\nPrivate-MAC: {mac}\n"
    )
    for text in (ppk, json.dumps({"content": ppk})):
        out = Redactor().redact(text)
        assert out.count("[REDACTED:private-key]") == 1, out
        assert all(line not in out for line in private), f"seed {SEED}: {out!r}"
        assert all(line in out for line in public) and mac in out and "Private-MAC:" in out


def test_token_prefixes_in_ordinary_words_are_kept() -> None:
    text = (
        "ALTAIR and LTAIWORDS are stars; AKIDNEY, AKIDS and AKIDENTIFIERISLONGERTHANTHIRTYTWOCHARS are words.\n"
        "sec" + "ret_" + with_digit(rng("notion42"), ALNUM, 42) + " and sec" + "ret_" + with_digit(rng("notion44"), ALNUM, 44) + " have the wrong length.\n"
        "LT" + "AI" + "ABCDEFGHIJKLMNOP has no digit; pul-requests, figd_ and nfp_short are no tokens.\n"
        "EAAA" + "EAAAEAAAEAAA" * 5 + "+/ is base64 of a binary file.\n"
    )
    assert Redactor().found(text) == []


# ------------------------------------------------------------------ 3. command lines and prompts

COMMANDS: dict[str, str] = {
    "docker login -p": "$ docker login -u acme -p {pw} registry.example.com",
    "docker login --password": "$ docker login --username acme --password {pw}",
    "docker login --password=": "$ docker login --password={pw} ghcr.io",
    "podman login -p": "$ podman login -p {pw} quay.io",
    "openssl enc -k": "$ openssl enc -aes-256-cbc -salt -k {pw} -in db.sql -out db.enc",
    "openssl -pass pass:": "$ openssl enc -aes-256-cbc -pass pass:{pw} -in db.sql -out db.enc",
    "openssl -passin pass:": "$ openssl rsa -in key.pem -passin pass:{pw} -out plain.pem",
    "zip -P": "$ zip -P {pw} secret.zip notes.txt",
    "zip -r -P": "$ zip -r -P {pw} backup.zip reports/",
    "unzip -P": "$ unzip -P {pw} backup.zip",
    "7z a -p": "$ 7z a -p{pw} -mhe=on backup.7z reports/",
    "7z x -p": "$ 7z x -p{pw} backup.7z",
    "7z -p quoted": "$ 7z a '-p{pw}' backup.7z reports/",
    "htpasswd -b": "$ htpasswd -b /etc/nginx/.htpasswd admin {pw}",
    "htpasswd -bc": "$ htpasswd -bc .htpasswd admin {pw}",
    "htpasswd -nbB": "$ htpasswd -nbB admin {pw}",
    "htpasswd -B -b": "$ htpasswd -B -b .htpasswd admin {pw}",
}


@pytest.mark.parametrize("name", COMMANDS)
def test_passwords_given_to_commands_are_redacted(name: str) -> None:
    pw = a_password(rng(name))
    out = Redactor().redact(COMMANDS[name].replace("{pw}", pw) + "\nok\n")
    gone(out, pw, "password")
    assert out.endswith("\nok\n")


def test_aws_configure_prompts_are_redacted() -> None:
    r = rng("aws")
    key_id = "AK" + "IA" + rs(r, string.ascii_uppercase + string.digits, 16)
    secret = rs(r, ALNUM + "+/", 40)
    for prompt in ("[None]", "[****************" + rs(r, ALNUM, 4) + "]"):
        text = f"$ aws configure\nAWS Access Key ID [None]: {key_id}\nAWS Secret Access Key {prompt}: {secret}\nDefault region name [None]: eu-west-1\n"
        out = Redactor().redact(text)
        gone(out, secret, "aws-secret-key")
        gone(out, key_id, "aws-access-key")
        assert "Default region name [None]: eu-west-1" in out
    gone(Redactor().redact(f"$ aws configure set aws_secret_access_key {secret}\n"), secret, "aws-secret-key")


def test_a_pat_under_an_upper_case_name_is_redacted() -> None:
    pat = with_digit(rng("pat"), string.ascii_lowercase + string.digits, 52)
    for text in (f"AZURE_DEVOPS_EXT_PAT={pat}\n", f"export AZURE_DEVOPS_EXT_PAT={pat}\n", f"env:\n  AZURE_DEVOPS_EXT_PAT: {pat}\n", f'GH_PAT="{pat}"\n'):
        gone(Redactor().redact(text), pat, "token")


def test_a_service_accounts_private_key_id_is_redacted() -> None:
    key_id = rs(rng("gcp"), HEX, 40)
    text = json.dumps({"type": "service_account", "project_id": "shop", "private_key_id": key_id, "client_id": "1234"}, indent=2)
    gone(Redactor().redact(text), key_id, "gcp-private-key-id")
    gone(Redactor().redact(text.replace("\n", "\\n")), key_id, "gcp-private-key-id")


def test_ordinary_commands_are_kept() -> None:
    text = "\n".join(
        (
            "$ docker login registry.example.com",
            "$ docker login -u acme --password-stdin ghcr.io",
            "$ docker ps -a --format '{{.Names}}'",
            "$ zip -r backup.zip reports/",
            "$ unzip -p backup.zip notes.txt",
            "$ gzip -P 4 big.log",
            "$ 7z x backup.7z",
            "$ 7z a -p backup.7z reports/",
            "$ openssl enc -d -aes-256-cbc -in db.enc -out db.sql",
            "$ openssl enc -d -aes-256-cbc -kfile key.txt -in db.enc",
            "$ htpasswd -c /etc/nginx/.htpasswd admin",
            "use htpasswd -b to pass the password on the command line",
            "Run zip -P with a password, or docker login -p with a token.",
            "pat = re.compile(r'[a-z]+')",
            "PAT: a personal access token, made in the settings",
            '  "private_key_id": "<key id>",',
            "AWS Secret Access Key [None]:",
        )
    )
    assert Redactor().found(text) == [], Redactor().redact(text)
