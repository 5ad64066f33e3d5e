"""Secrets never reach storage: `tutor.record.redact.Redactor`.

Every secret here is FAKE and made at run time from random characters (a prefix
glued from pieces, then random text), so that no secret scanner flags this file
and no real key is ever written down.
"""

from __future__ import annotations

import base64
import json
import random
import string
import time
import uuid
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.record.redact import Finding, Redactor, marker, names_a_secret

from tests.helpers.secret_tokens import ALNUM, B64, B64URL, BECH32, HEX, LOWER, TOKENS, UPPER_ALNUM, Gen, Rng, b64url, make_jwt, rs, secretish  # noqa: F401 - some are used only here


# Neutral contexts: nothing but the token's own shape gives it away.
CONTEXTS: dict[str, str] = {
    "shell-output": "$ printenv | grep UPSTREAM\nUPSTREAM_VALUE={s}\n$ echo done\ndone\n",
    "dotenv": "# local settings\nDEBUG=true\nUPSTREAM={s}\nPORT=8000\n",
    "json": '{"id": 17, "upstream": "{s}", "retries": 3}\n',
    "yaml": "service:\n  name: billing\n  upstream: {s}\n  replicas: 2\n",
    "python": 'client = Client(\n    base_url="https://api.example.com",\n    upstream="{s}",\n)\n',
    "http-request": (
        "POST /v1/charges HTTP/1.1\r\nHost: api.example.com\r\nX-Upstream: {s}\r\n"
        "Content-Type: application/json\r\n\r\n{}"
    ),
    "git-remote": "$ git remote -v\norigin\thttps://{s}@github.com/acme/shop.git (fetch)\n",
    "curl": "$ curl -sS -H 'X-Upstream: {s}' https://api.example.com/v1/items\n",
    "stack-trace": (
        "Traceback (most recent call last):\n"
        '  File "/srv/app/main.py", line 12, in <module>\n'
        '    connect("{s}")\n'
        '  File "/srv/app/db.py", line 40, in connect\n'
        '    raise ValueError(f"bad upstream {value!r}")\n'
        "ValueError: bad upstream '{s}'\n"
    ),
    "prose": "I found {s} in the logs, so I rotated it right away.\n",
    "json-in-json": '{"output": "{\\"upstream\\": \\"{s}\\"}"}\n',
}

TOKEN_CASES = [(kind, i) for kind, gens in TOKENS.items() for i in range(len(gens))]


def plant(template: str, secret: str) -> str:
    return template.replace("{s}", secret)


def assert_gone(out: str, secret: str, kind: str | None = None) -> None:
    assert secret not in out
    if len(secret) >= 16:
        assert secret[-16:] not in out
        assert secret[:16] not in out or secret[:16] in secret[16:]  # the head is gone too
    assert "[REDACTED:" in out
    if kind is not None:
        assert marker(kind) in out, out


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


# ------------------------------------------------------------------ provider tokens


def test_at_least_twenty_kinds_are_planted() -> None:
    assert len(TOKENS) >= 20


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize(("kind", "variant"), TOKEN_CASES)
def test_token_is_redacted_in_every_context(redactor: Redactor, kind: str, variant: int, context: str) -> None:
    rng = random.Random(f"{kind}/{variant}/{context}")
    secret = TOKENS[kind][variant](rng)
    text = plant(CONTEXTS[context], secret)
    out = redactor.redact(text)
    assert_gone(out, secret, kind)
    assert redactor.redact(out) == out
    # Only the secret went: the text around it is intact.
    assert out == plant(CONTEXTS[context], marker(kind))


@pytest.mark.parametrize(("kind", "variant"), TOKEN_CASES)
def test_found_reports_the_exact_span(redactor: Redactor, kind: str, variant: int) -> None:
    secret = TOKENS[kind][variant](random.Random(kind + str(variant)))
    text = f"value: {secret}\nnext line\n"
    assert redactor.found(text) == [Finding(kind, 7, 7 + len(secret))]


# ------------------------------------------------------ secrets known by their context


def _aws_secret(r: Rng) -> str:
    return rs(r, B64, 40)


def _pem(r: Rng, label: str, lines: int = 12) -> tuple[str, list[str]]:
    body = [rs(r, B64, 64) for _ in range(lines)] + [rs(r, B64, 20) + "=="]
    return f"-----BEGIN {label}-----\n" + "\n".join(body) + f"\n-----END {label}-----\n", body


def contextual_cases() -> list[tuple[str, str, list[str], str | None]]:
    """(name, text, the secret parts that must vanish, the kind expected or None)."""
    r = random.Random(20240601)
    cases: list[tuple[str, str, list[str], str | None]] = []

    def add(name: str, template: str, secret: str, kind: str | None) -> None:
        cases.append((name, plant(template, secret), [secret], kind))

    add("aws-credentials-file", "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = {s}\nregion = eu-west-1\n", _aws_secret(r), "aws-secret-key")
    add("aws-env", "export AWS_SECRET_ACCESS_KEY={s}\n", _aws_secret(r), "aws-secret-key")
    add("aws-cli-json", '{"Credentials": {"AccessKeyId": "x", "SecretAccessKey": "{s}", "Expiration": "2025"}}', _aws_secret(r), "aws-secret-key")

    for label in ("RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"):
        pem, body = _pem(r, label)
        cases.append((f"pem-{label}", f"$ cat ~/.ssh/id\n{pem}$ ls\n", body, "private-key"))
    pem, body = _pem(r, "PRIVATE KEY")
    service_account = json.dumps({"type": "service_account", "private_key_id": rs(r, HEX, 40), "private_key": pem, "client_email": "bot@acme.iam.gserviceaccount.com"})
    cases.append(("pem-in-json", service_account, body, None))
    pem, body = _pem(r, "RSA PRIVATE KEY")
    truncated = "\n".join(pem.splitlines()[:6]) + "\n$ echo truncated\n"
    cases.append(("pem-truncated", truncated, body[:5], "private-key"))

    bearer = rs(r, B64URL, 40)
    add("authorization-bearer", "GET /me HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer {s}\r\n\r\n", bearer, "authorization")
    basic = base64.b64encode(f"admin:{secretish(r)}".encode()).decode()
    add("authorization-basic", "curl -H 'Authorization: Basic {s}' https://example.com\n", basic, "authorization")
    add("authorization-token", '{"headers": {"authorization": "token {s}"}}', rs(r, HEX, 40), "authorization")
    add("bearer-in-log", "DEBUG sending request with bearer {s} to upstream\n", rs(r, B64URL, 48), "bearer-token")
    jwt = make_jwt(r)
    add("jwt-in-auth-header", "Authorization: Bearer {s}\n", jwt, "jwt")
    add("jwt-in-json", '{"id_token": "{s}", "expires_in": 3600}', make_jwt(r), "jwt")

    add("url-password-postgres", "DATABASE_URL=postgres://app:{s}@db.internal:5432/shop\n", secretish(r), "url-password")
    add("url-password-git-remote", "origin\thttps://deploy:{s}@git.example.com/acme/app.git (push)\n", secretish(r), "url-password")
    add("url-password-pip", "pip install --index-url https://ci:{s}@pypi.example.com/simple acme\n", secretish(r), "url-password")
    add("curl-user", "$ curl -u admin:{s} https://example.com/api\n", secretish(r, 14), "basic-auth")
    add("cookie-header", "GET / HTTP/1.1\r\nCookie: sessionid={s}; theme=dark\r\n\r\n", rs(r, ALNUM, 32), "cookie")
    add("azure-account-key", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={s};EndpointSuffix=core.windows.net", rs(r, B64, 86) + "==", "azure-storage-key")
    add("azure-sas", "https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig={s}", rs(r, ALNUM, 40) + "%3D", "azure-sas")
    add("slack-webhook", "curl -X POST https://hooks.slack.com/services/{s} -d '{}'", "T" + rs(r, UPPER_ALNUM, 8) + "/B" + rs(r, UPPER_ALNUM, 8) + "/" + rs(r, ALNUM, 24), "slack-webhook")
    add("discord-webhook", "WEBHOOK=https://discord.com/api/webhooks/123456789012345678/{s}\n", rs(r, B64URL, 68), "discord-webhook")

    # Secret-named assignments: the value has no shape of its own.
    add("python-assignment", 'DB_HOST = "db"\npassword = "{s}"\n', secretish(r), "password")
    add("python-typed", 'class Settings:\n    api_key: str = "{s}"\n', secretish(r), "api-key")
    add("python-kwarg", 'client = connect(host="db", password="{s}")\n', secretish(r), "password")
    add("json-token", '{"user": "bob", "token": "{s}"}', secretish(r, 32), "token")
    add("json-client-secret", '{"client_id": "abc", "client_secret": "{s}"}', secretish(r, 32), "secret")
    add("yaml-password", "database:\n  user: app\n  password: {s}\n", secretish(r), "password")
    add("yaml-quoted", "auth:\n  api_key: '{s}'\n", secretish(r), "api-key")
    add("dotenv-letters-only", "MYSQL_ROOT_PASSWORD={s}\n", rs(r, LOWER, 14), "password")
    add("dotenv-export", "export SERVICE_TOKEN={s}\n", secretish(r), "token")
    add("compose-env", "    environment:\n      POSTGRES_PASSWORD: {s}\n", rs(r, LOWER, 12), "password")
    add("cli-flag", "$ mysql --user root --password {s} shop\n", secretish(r, 12), "password")
    add("cli-flag-equals", "$ tool login --token={s}\n", rs(r, LOWER, 16), "token")
    add("xml", "<config><password>{s}</password></config>", secretish(r), "password")
    add("netrc", "machine api.example.com login bob password {s}\n", secretish(r), "password")
    add("docker-config", '{"auths": {"ghcr.io": {"auth": "{s}"}}}', base64.b64encode(f"bob:{secretish(r)}".encode()).decode(), "auth")
    add("query-string", "GET https://api.example.com/v1/me?access_token={s}&format=json\n", secretish(r, 30), "token")
    add("php-array", "$config = ['password' => '{s}'];\n", secretish(r), "password")
    add("go-short-assign", 'secretKey := "{s}"\n', secretish(r), "secret")
    add("toml", '[server]\nsecret_key = "{s}"\n', secretish(r, 40), "secret")
    add("docker-run-env", "docker run -e PGPASSWORD={s} postgres\n", rs(r, LOWER, 10), "password")
    add("http-api-key-header", "X-Api-Key: {s}\r\n", rs(r, HEX, 32), "api-key")
    add("symbols-in-quotes", "db_password = '{s}'\n", "#" + secretish(r, 12) + "!", "password")
    add("rails-secret-key-base", "SECRET_KEY_BASE={s}\n", rs(r, HEX, 128), "secret")
    add("chained-assignment", 'user_password = admin_password = "{s}"\n', secretish(r), "password")
    return cases


CONTEXTUAL = contextual_cases()


@pytest.mark.parametrize(("name", "text", "parts", "kind"), CONTEXTUAL, ids=[c[0] for c in CONTEXTUAL])
def test_contextual_secret_is_redacted(redactor: Redactor, name: str, text: str, parts: list[str], kind: str | None) -> None:
    out = redactor.redact(text)
    for part in parts:
        assert_gone(out, part, kind)
    assert redactor.redact(out) == out


def test_private_key_block_goes_whole_and_the_rest_stays(redactor: Redactor) -> None:
    pem, _ = _pem(random.Random(3), "OPENSSH PRIVATE KEY")
    out = redactor.redact(f"before\n{pem}after\n")
    assert out == "before\n[REDACTED:private-key]\nafter\n"


def test_private_key_in_json_escapes(redactor: Redactor) -> None:
    pem, body = _pem(random.Random(4), "PRIVATE KEY")
    raw = json.dumps({"private_key": pem})  # the file as text: "\n" escaped
    out = redactor.redact(raw)
    assert all(line not in out for line in body)
    assert "-----END" not in out


# ------------------------------------------------------------------ environment values


def test_secret_environment_values_are_redacted_by_value() -> None:
    value = "orange-" + rs(random.Random(9), LOWER, 12)  # matches no pattern
    environ = {
        "MY_SERVICE_TOKEN": value,
        "EDITOR": "vim",
        "HOME": "/home/learner",
        "PAGER": "less-is-more-1",
        "LANG": "en_US.UTF-8",
        "XDG_SESSION_TYPE": "wayland-session",
        "OPENAI_API_BASE": "https://api.openai.com/v1",
        "SHORT_TOKEN": "abc",
        "FEATURE_SECRET_ENABLED": "true",
    }
    r = Redactor.from_environment(environ)
    text = (
        f"the service replied: {value} (cached)\n"
        "EDITOR=vim HOME=/home/learner PAGER=less-is-more-1 LANG=en_US.UTF-8\n"
        "session wayland-session, base https://api.openai.com/v1, abc, true\n"
    )
    out = r.redact(text)
    assert value not in out
    assert "[REDACTED:env:MY_SERVICE_TOKEN]" in out
    assert out == text.replace(value, "[REDACTED:env:MY_SERVICE_TOKEN]")
    assert value not in repr(r)


def test_environment_values_are_matched_encoded_too() -> None:
    value = "S3cr3t p@ss/word\"!"
    r = Redactor.from_environment({"DB_PASSWORD": value})
    from urllib.parse import quote

    for text in (f"pw={value}", f"postgres://u:{quote(value, safe='')}@h/db", json.dumps({"x": value})):
        out = r.redact(text)
        assert "p@ss" not in out and "p%40ss" not in out, out
        assert "[REDACTED:" in out


def test_environment_credentials_in_urls_count_and_plain_urls_do_not() -> None:
    r = Redactor.from_environment({"DATABASE_URL": "postgres://u:pw-12345@db/prod", "API_URL": "https://api.example.com/v2"})
    out = r.redact("connecting to postgres://u:pw-12345@db/prod via https://api.example.com/v2")
    assert "pw-12345" not in out and "https://api.example.com/v2" in out


def test_extra_values_are_always_redacted() -> None:
    r = Redactor.from_environment({}, extra_values=["plainword", "ab"])
    assert r.redact("a plainword and ab") == "a [REDACTED:secret-value] and ab"


def test_default_environment_works(monkeypatch: pytest.MonkeyPatch) -> None:
    value = "kiwi-" + rs(random.Random(5), LOWER, 14)
    monkeypatch.setenv("TUTOR_TEST_API_TOKEN", value)
    assert Redactor.from_environment().redact(f"x {value} y") == "x [REDACTED:env:TUTOR_TEST_API_TOKEN] y"


@pytest.mark.parametrize(
    "name",
    ["MY_SERVICE_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASS", "PGPASSWORD", "SENTRY_DSN", "DATABASE_URL",
     "apiKey", "STRIPE_API_KEY", "SESSION_COOKIE", "PRIVATE_KEY", "NPM_AUTH", "OPENAI_API_KEY", "MONGO_CONNECTION_STRING",
     "client_secret", "SMTP_PASSWD", "VAULT_CREDENTIALS"],
)
def test_secret_names(name: str) -> None:
    assert names_a_secret(name)


@pytest.mark.parametrize(
    "name",
    ["EDITOR", "HOME", "PATH", "KEYBOARD_LAYOUT", "CAPITAL", "MONKEY", "TOKEN_FILE", "API_URL", "SSH_AUTH_SOCK",
     "XDG_SESSION_TYPE", "PYTHONPATH", "TERM", "OPENAI_BASE_URL", "SECRET_PATH", "LANG", "TOKENIZERS_PARALLELISM"],
)
def test_not_secret_names(name: str) -> None:
    assert not names_a_secret(name)


# -------------------------------------------------------------------- false positives


def _git_log(r: Rng) -> str:
    lines = []
    for i in range(8):
        sha = rs(r, HEX, 40)
        lines += [f"commit {sha}", "Author: Ada <ada@example.com>", "Date:   Mon Jun 3 10:00:00 2024 +0200", "", f"    fix token refresh in auth.py ({i})", ""]
    lines += [f"{rs(r, HEX, 7)} Make the password check constant-time" for _ in range(5)]
    lines += [f"diff --git a/auth.py b/auth.py\nindex {rs(r, HEX, 7)}..{rs(r, HEX, 7)} 100644", f"HEAD is now at {rs(r, HEX, 40)}"]
    lines += [f"docker pull python@sha256:{rs(r, HEX, 64)}"]
    return "\n".join(lines) + "\n"


PYTEST_OUTPUT = """\
============================= test session starts ==============================
platform linux -- Python 3.12.3, pytest-8.2.0, pluggy-1.5.0
rootdir: /home/learner/shop
collected 5 items

tests/test_auth.py::test_login_with_wrong_password PASSED                [ 20%]
tests/test_auth.py::test_token_expiry FAILED                             [ 40%]
tests/test_auth.py::test_api_key_header PASSED                           [ 60%]
tests/test_secrets.py::test_secret_rotation PASSED                       [ 80%]
tests/test_users.py::test_create_user PASSED                             [100%]

=================================== FAILURES ===================================
______________________________ test_token_expiry _______________________________

    def test_token_expiry():
        token = make_token(expires_in=-1)
>       assert validate(token) is None
E       AssertionError: assert <Token sub=42> is None
E        +  where <Token sub=42> = validate(<Token sub=42>)

tests/test_auth.py:31: AssertionError
=========================== short test summary info ============================
FAILED tests/test_auth.py::test_token_expiry - AssertionError: assert <Token sub=42> is None
========================= 1 failed, 4 passed in 0.42s ==========================
"""

TRACEBACK = """\
Traceback (most recent call last):
  File "/home/learner/shop/app/auth.py", line 57, in login
    token = request.headers.get("Authorization")
  File "/home/learner/shop/app/auth.py", line 61, in login
    if not check_password(user, password):
  File "/home/learner/shop/app/users.py", line 12, in check_password
    return hmac.compare_digest(user.password_hash, hash_password(password))
KeyError: 'password'
"""

CODE = '''\
import os
from getpass import getpass

token = os.environ["GITHUB_TOKEN"]
password = getpass("Password: ")
api_key = settings.api_key
secret_name = os.getenv("SECRET_NAME")
headers = {"Authorization": f"Bearer {token}"}
TOKEN_URL = "https://oauth2.googleapis.com/token"
response = client.messages.create(model=MODEL, max_tokens=4096, messages=messages)
usage = {"input_tokens": 1234, "output_tokens": 567}
password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
token_type = "bearer"


def login(username: str, password: str) -> Token:
    if token is None:
        raise AuthError("missing token")
    return Token(username=username, password=password)


class Settings(BaseModel):
    api_key: SecretStr
    password: str = Field(default="", repr=False)
'''

CONFIG = """\
on: push
jobs:
  test:
    steps:
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.GITHUB_TOKEN }}
      - run: export API_KEY=$(cat key.txt)
env:
  DB_PASSWORD: ${DB_PASSWORD}
  API_KEY: <your-api-key-here>
  SECRET: changeme
password: "<password>"
docker run -u 1000:1000 --rm shop
npm_config_cache=/tmp/npm-cache
"""

PROSE = """\
Enter your password to continue. The password must be at least 12 characters.
Use a password manager; tokens are counted per request and the API key is stored
in the keychain. Set ANTHROPIC_API_KEY in your environment, never in the code.
Reset your password: click the link below. Passwords: never commit them.
The agent ran `git log` and found the secret was leaked in an old commit.
"""

URLS = """\
https://docs.python.org/3/library/re.html#re.search
https://example.com:8443/path?q=1&page=2&sort=desc
git@github.com:acme/shop.git
ssh://git@github.com/acme/shop.git
http://localhost:8000/api/v1/users?limit=10
https://user@example.com/repo.git
"""


def _uuids(r: Rng) -> str:
    return "\n".join(f"request {uuid.UUID(int=r.getrandbits(128), version=4)} finished in {r.randrange(900)} ms" for _ in range(20)) + "\n"


def _image_base64(r: Rng) -> str:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(r.getrandbits(8) for _ in range(3000))
    encoded = base64.b64encode(png).decode()
    return "data:image/png;base64," + encoded + "\n" + "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + "\n"


MORE_CODE = """\
if token == "integer":
    kind = Token.Name.Decorator
if not self.dialect_set_by_tag and token == Comment.Special:
    pass
TOKENS = {
    TOKEN_BLOCK_END: "end of statement block",
    TOKEN_DATA: "template data / text",
}
labels = {"password": "Mot de passe", "token": "Access token", "password_hint": "Your first pet"}
auth_str = f", auth={auth!r}" if auth else ""
SRC_AUTH = "(?:(?:(?!" + SRC_ZCC + "|[@/\\[\\]()]).)+)"
basic_auth_encoding: str = "latin-1"
# The --username and --password options can't be used with ssh.
Pass an explicit `credentials=` provider to the client.
SECRET_KEY=change-me
STRIPE_API_KEY=sk_test_...
API_TOKEN=your-token-here
styles = {Token: '#ffffff', Token.Comment: "#888888"}
token = " * [would prune] "
the command line specified by the trailer.<token>.command config
# to be dumped. fsck(8) uses the <pass> column to determine the order
"""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_git_log(random.Random(1)), id="git-log"),
        pytest.param(MORE_CODE, id="code-that-names-secrets"),
        pytest.param(_uuids(random.Random(2)), id="uuids"),
        pytest.param(PYTEST_OUTPUT, id="pytest"),
        pytest.param(TRACEBACK, id="traceback"),
        pytest.param(_image_base64(random.Random(3)), id="image-base64"),
        pytest.param(URLS, id="urls"),
        pytest.param(PROSE, id="prose"),
        pytest.param(CODE, id="code"),
        pytest.param(CONFIG, id="config-placeholders"),
    ],
)
def test_ordinary_text_is_left_alone(redactor: Redactor, text: str) -> None:
    assert redactor.found(text) == []
    assert redactor.redact(text) == text


# ----------------------------------------------------------------- objects and bytes


def test_redact_obj_redacts_every_string_in_nested_json(redactor: Redactor) -> None:
    rng = random.Random(11)
    gh = TOKENS["github-token"][0](rng)
    ant = TOKENS["anthropic-key"][0](rng)
    plain = secretish(rng)
    entry = {
        "type": "tool_use",
        "input": {"command": f"export GITHUB_TOKEN={gh}", "env": {"API_TOKEN": plain, "EDITOR": "vim"}},
        "headers": [{"Authorization": "Bearer " + rs(rng, ALNUM, 30)}, {"Accept": "application/json"}],
        gh: "a secret as a key",
        "history": [[f"ANTHROPIC_API_KEY={ant}"], ("tuple", ant)],
        "count": 3,
        "ratio": 0.5,
        "ok": True,
        "none": None,
        "password": "",
    }
    out = redactor.redact_obj(entry)
    dumped = json.dumps(out)
    for secret in (gh, ant, plain):
        assert secret not in dumped
    assert out["input"]["env"] == {"API_TOKEN": "[REDACTED:token]", "EDITOR": "vim"}
    assert out["input"]["command"] == "export GITHUB_TOKEN=[REDACTED:github-token]"
    assert out["headers"][0]["Authorization"] == "[REDACTED:authorization]"
    assert out["headers"][1] == {"Accept": "application/json"}
    assert out["[REDACTED:github-token]"] == "a secret as a key"
    assert out["history"][1] == ("tuple", "[REDACTED:anthropic-key]")
    assert (out["count"], out["ratio"], out["ok"], out["none"], out["password"]) == (3, 0.5, True, None, "")
    assert entry["input"]["env"]["API_TOKEN"] == plain  # the original is untouched
    assert redactor.redact_obj(out) == out


def test_redact_bytes_keeps_invalid_utf8(redactor: Redactor) -> None:
    gh = TOKENS["github-token"][0](random.Random(12))
    data = b"\xff\xfe binary \x00 " + f"token={gh} caf\u00e9".encode() + b" \x80\x81 end"
    out = redactor.redact_bytes(data)
    assert gh.encode() not in out
    assert out == b"\xff\xfe binary \x00 token=[REDACTED:github-token] caf\xc3\xa9 \x80\x81 end"
    assert redactor.redact_bytes(out) == out
    blob = bytes(range(256)) * 4
    assert redactor.redact_bytes(blob) == blob


def test_redact_rejects_bytes(redactor: Redactor) -> None:
    with pytest.raises(TypeError):
        redactor.redact(b"token")  # type: ignore[arg-type]


def test_repr_reveals_no_value() -> None:
    r = Redactor.from_environment({"MY_TOKEN": "hush-hush-value"})
    assert "hush" not in repr(r)


# ------------------------------------------------------------------------ properties


def _planted_generators() -> list[Callable[[Rng], tuple[str, str]]]:
    """Each makes (snippet, secret): the secret in the smallest context that identifies it."""
    gens: list[Callable[[Rng], tuple[str, str]]] = []
    for gen_list in TOKENS.values():
        for gen in gen_list:
            gens.append((lambda g: lambda r: (lambda s: (s, s))(g(r)))(gen))

    def aws(r: Rng) -> tuple[str, str]:
        s = _aws_secret(r)
        return f"aws_secret_access_key = {s}", s

    def pem(r: Rng) -> tuple[str, str]:
        text, body = _pem(r, r.choice(["RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY"]), lines=3)
        return text, body[1]

    def assignment(r: Rng) -> tuple[str, str]:
        s = secretish(r)
        template = r.choice(['password = "{s}"', '"token": "{s}"', "API_KEY={s}", "--password {s}", "password: {s}"])
        return template.replace("{s}", s), s

    def url(r: Rng) -> tuple[str, str]:
        s = secretish(r)
        return f"https://bob:{s}@example.com/x", s

    def header(r: Rng) -> tuple[str, str]:
        s = rs(r, B64URL, 40)
        return f"Authorization: Bearer {s}", s

    return gens + [aws, pem, assignment, url, header]


PLANTED = _planted_generators()
SEPARATORS = [" ", "\n", "\t", " \n", "\r\n", "\n\n"]


FRAGMENTS = [
    "password", "PASSWORD", "token", "Token", "secret_key", "api_key", "auth", "pass", "=", ":", ": ", " = ", '"', "'",
    "`", "\\", "\\\"", " ", "\n", "-", "--", "_", ".", "/", "@", "://", "<", ">", "[", "]", "{", "}", "(", ")",
    "sk-ant-api03-", "sk-", "AKIA", "ghp_", "eyJ", "eyJhbGciOi", "Bearer ", "Authorization: ", "Cookie: ", "-u ",
    "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "[REDACTED:x]", "[REDACTED:", "abc123def456",
    "A" * 20, "a1" * 10, "0123456789abcdef" * 2, "https://u:", "machine ", "AccountKey=", "sig=", "?", "&", "$", "${",
]


# Random text, or a mix of fragments that look like the start of a secret.
SURROUNDINGS = st.text(max_size=120) | st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=15).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gen=st.sampled_from(PLANTED),
    rng=st.randoms(use_true_random=False),
    before=SURROUNDINGS,
    after=SURROUNDINGS,
    sep1=st.sampled_from(SEPARATORS),
    sep2=st.sampled_from(SEPARATORS),
)
def test_a_planted_secret_never_survives(
    gen: Callable[[Rng], tuple[str, str]], rng: Rng, before: str, after: str, sep1: str, sep2: str
) -> None:
    redactor = Redactor()
    snippet, secret = gen(rng)
    text = before + sep1 + snippet + sep2 + after
    out = redactor.redact(text)
    assert secret not in out
    assert redactor.redact(out) == out


@pytest.mark.parametrize(
    "template",
    [
        'password password = "{s}"',  # found by the property test: a key after a key
        'password =  password = "{s}"',
        'user_password = admin_password = "{s}"',  # a chained assignment
        "token token token --password {s}",
        "Authorization: Bearer aaaaaaaaaaaaaPWd{s}",  # found by fuzzing: no word of it is a keyword
        "password=password=password={s}",
    ],
)
def test_a_key_right_after_another_key_is_still_a_key(redactor: Redactor, template: str) -> None:
    secret = secretish(random.Random(template))
    out = redactor.redact(plant(template, secret))
    assert secret not in out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=30).map("".join))
def test_redaction_is_idempotent_on_tricky_text(text: str) -> None:
    redactor = Redactor()
    once = redactor.redact(text)
    assert redactor.redact(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_redaction_is_idempotent_on_any_text(text: str) -> None:
    redactor = Redactor.from_environment({"MY_TOKEN": "value-of-my-token"})
    once = redactor.redact(text)
    assert redactor.redact(once) == once
    for f in redactor.found(text):
        assert 0 <= f.start < f.end <= len(text)


# ----------------------------------------------------------------------- performance

ADVERSARIAL = {
    "a": "a" * 200_000,
    "=": "=" * 200_000,
    "a=": "a=" * 100_000,
    "password=": "password=" * 22_000,
    'password="': 'password="' * 20_000,
    "password: ": "password: " * 20_000,
    "pass=pass=": "pass=pass=" * 20_000,
    "token": "token" * 40_000,
    "TOKEN_": "TOKEN_" * 33_000,
    "begin": "-----BEGIN RSA PRIVATE KEY-----" * 6_500,
    "begin-no-end": "-----BEGIN RSA PRIVATE KEY-----\n" + "A" * 200_000,
    "many-begin-one-end": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n" * 3_000 + "-----END RSA PRIVATE KEY-----",
    "eyJ": "eyJ" * 70_000,
    "eyJ.": "eyJaaaaaaaaaaaa." * 13_000,
    "url": "http://a:" * 25_000,
    "url-long": "://a:" + "b" * 200_000,
    "sk-": "sk-" * 70_000,
    "sk-ant": "sk-ant-api03-" * 16_000,
    "ghp_": "ghp_" * 50_000,
    "AKIA": "AKIA" * 50_000,
    "spaces": " " * 200_000,
    "newlines": "\n" * 200_000,
    "--password ": "--password " * 20_000,
    "Authorization": "Authorization: Bearer " * 9_000,
    "cookie": "Cookie: a=" * 20_000,
    "-u": "-u a:" * 40_000,
    "hex": "0123456789abcdef" * 12_500,
    "mailchimp": ("0123456789abcdef" * 2 + "-us") * 5_000,
    "Q~": "aaa1Q~" * 33_000,
    ":AA": "123456789:AA" * 16_000,
    "sig=": "?sig=" * 40_000,
    "secret_access_key=": "secret_access_key=" * 11_000,
    "backslashes": "\\" * 200_000,
    "quotes": '"' * 200_000,
    "markers": "[REDACTED:x]" * 16_000,
    "escaped-json": '{\\"password\\": \\"' * 15_000,
    "annotation": "password: " + "a" * 200_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_input_finishes_quickly(name: str) -> None:
    redactor = Redactor.from_environment({"MY_TOKEN": "value-of-my-token"})
    started = time.perf_counter()
    redactor.redact(ADVERSARIAL[name])
    assert time.perf_counter() - started < 5.0


def test_a_megabyte_of_ordinary_text_is_quick() -> None:
    r = random.Random(7)
    chunk = PYTEST_OUTPUT + TRACEBACK + CODE + PROSE + _git_log(r) + _uuids(r)
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    redactor = Redactor.from_environment({"MY_TOKEN": "value-of-my-token"})
    started = time.perf_counter()
    assert redactor.redact(text) == text
    assert time.perf_counter() - started < 5.0  # in practice well under 0.1 s


# ------------------------------------------------- gaps found by attack (issue 13, finding 5)


def gap_cases() -> list[tuple[str, str, list[str], str]]:
    """(name, text, the secret parts that must vanish, the kind expected): each survived everywhere once."""
    r = random.Random(13)
    cases: list[tuple[str, str, list[str], str]] = []

    def add(name: str, template: str, secret: str, kind: str) -> None:
        cases.append((name, plant(template, secret), [secret], kind))

    add("netrc-multi-line", "machine api.example.com\n  login bob\n  password {s}\n", secretish(r), "password")
    add("netrc-multi-line-letters", "machine git.example.com\nlogin ci\npassword {s}\nmachine other\n", rs(r, LOWER, 14), "password")
    add("netrc-default-block", "default\n\tlogin anonymous\n\tpassword {s}\n", secretish(r), "password")
    add("netrc-account", "machine ftp.example.com login bob\n  account {s}\n", secretish(r), "password")
    add("pgpass", "# hostname:port:database:username:password\ndb.internal:5432:shop:app:{s}\n*:*:*:postgres:{s}\n", secretish(r), "password")
    add("mysql-p-glued", "$ mysql -u root -p{s} shop < dump.sql\n", secretish(r, 12), "password")
    add("mysql-p-quoted", "mysqldump -h db -uroot -p'{s}' --all-databases > all.sql\n", secretish(r, 12) + "!", "password")
    add("mariadb-p-digits", "mariadb -uadmin -p{s} -e 'show databases'\n", rs(r, string.digits, 9), "password")
    add("mysql-password-equals", "mysql --user=root --password={s} shop\n", rs(r, LOWER, 10), "password")
    add("sshpass-p", "$ sshpass -p {s} ssh deploy@10.0.0.5 uptime\n", secretish(r, 12), "password")
    add("sshpass-p-quoted", "sshpass -p '{s}' scp build.tgz deploy@host:/srv\n", rs(r, LOWER, 6) + " " + secretish(r, 8), "password")
    add("sshpass-p-glued", "sshpass -p{s} rsync -a . host:/srv\n", secretish(r, 12), "password")
    add("mailgun-key", "MAILGUN = '{s}'\n", "key-" + rs(r, HEX, 32), "mailgun-key")
    add("mailgun-pubkey", "mg.public = {s}\n", "pub" + "key-" + rs(r, HEX, 32), "mailgun-key")
    add("mailgun-signing-key", "webhook signing key: {s}\n", rs(r, HEX, 32) + "-" + rs(r, HEX, 8) + "-" + rs(r, HEX, 8), "mailgun-key")
    sid = "AC" + rs(r, HEX, 32)
    add("twilio-client", f'client = Client("{sid}", "{{s}}")\n', rs(r, HEX, 32), "twilio-auth-token")
    add("twilio-basic-auth", f"https://api.twilio.com/2010-04-01/Accounts/{sid}.json -u {sid}:{{s}}\n", rs(r, HEX, 32), "basic-auth")
    add("twilio-env", "TWILIO_AUTH_TOKEN={s}\n", rs(r, HEX, 32), "token")
    add("twilio-yaml", f"twilio:\n  account_sid: {sid}\n  auth_token: {{s}}\n", rs(r, HEX, 32), "token")
    add("twilio-args", f"twilio login {sid} {{s}}\n", rs(r, HEX, 32), "twilio-auth-token")
    add("sentry-dsn", "SENTRY_DSN=https://{s}@o123456.ingest.sentry.io/4504567\n", rs(r, HEX, 32), "sentry-dsn")
    add("sentry-dsn-code", 'sentry_sdk.init(dsn="https://{s}@o4504.ingest.us.sentry.io/4506")\n', rs(r, HEX, 32), "sentry-dsn")
    add("sentry-dsn-legacy", "raven: https://{s}@sentry.example.com/3\n", rs(r, HEX, 32) + ":" + rs(r, HEX, 32), "sentry-dsn")
    pem_b64 = base64.b64encode(_pem(r, "RSA PRIVATE KEY", lines=4)[0].encode()).decode()
    add("kubeconfig-client-key-data", "users:\n- name: admin\n  user:\n    client-key-data: {s}\n", pem_b64, "kubeconfig-client-key")
    cert_b64 = base64.b64encode(b"-----BEGIN CERTIFICATE-----\n" + rs(r, B64, 200).encode() + b"\n-----END CERTIFICATE-----\n").decode()
    add("kubeconfig-client-certificate-data", "  user:\n    client-certificate-data: {s}\n", cert_b64, "kubeconfig-client-certificate")
    add("kubeconfig-json", '{"user": {"client-key-data": "{s}"}}', pem_b64, "kubeconfig-client-key")
    add("kubeconfig-token", "users:\n- name: bot\n  user:\n    token: {s}\n", rs(r, LOWER + string.digits, 6) + "." + rs(r, LOWER + string.digits, 16), "token")
    add("base64-private-key-anywhere", "$ base64 -w0 id_rsa\n{s}\n", pem_b64, "private-key")
    return cases


GAPS = gap_cases()


@pytest.mark.parametrize(("name", "text", "parts", "kind"), GAPS, ids=[c[0] for c in GAPS])
def test_secrets_that_once_survived_are_redacted(redactor: Redactor, name: str, text: str, parts: list[str], kind: str) -> None:
    out = redactor.redact(text)
    for part in parts:
        assert_gone(out, part, kind)
    assert redactor.redact(out) == out


def test_kubeconfig_fields_in_json_objects(redactor: Redactor) -> None:
    pem_b64 = base64.b64encode(_pem(random.Random(14), "EC PRIVATE KEY", lines=2)[0].encode()).decode()
    out = redactor.redact_obj({"users": [{"user": {"client-key-data": pem_b64, "client-certificate-data": "QUJD" * 20}}]})
    assert out == {"users": [{"user": {"client-key-data": "[REDACTED:kubeconfig-client-key]", "client-certificate-data": "[REDACTED:kubeconfig-client-certificate]"}}]}


def test_a_twilio_sid_alone_and_hex_alone_are_left_alone(redactor: Redactor) -> None:
    r = random.Random(15)
    text = f"account AC{rs(r, HEX, 32)} created\ncommit {rs(r, HEX, 40)}\nmd5 {rs(r, HEX, 32)}  file.tgz\n"
    assert redactor.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        'api_key_id = "{uuid}"',
        "API_KEY_ID={uuid}",
        '{"api_key_id": "{uuid}", "token_count": 4096}',
        'access_key_id: "{uuid}"',
        'secret_name = "prod/db/credentials-2024"',
        "secret_name: billing-db-credentials-v2",
        "token_count = 123456789",
        "max_token_count: 4096",
        'password_field = "id_password_input3"',
        'token_id = "{uuid}"',
        'secret_version_id = "{uuid}"',
        "key_id={uuid}",
        'secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod-db-AbC1dE"',
        "ssh -p 2222 deploy@host",
        "mkdir -p build/dist && cp -pr src build",
        "gcc -pthread -o app main.c",
        "mysql -p shop < dump.sql",
        "sshpass -e ssh deploy@host",
        "see https://user@example.com/repo.git and ssh://git@github.com/acme/shop.git",
        "cache-key-v2 and monkey-key-of-the-day",
    ],
)
def test_identifiers_and_commands_named_after_secrets_are_left_alone(redactor: Redactor, text: str) -> None:
    text = text.replace("{uuid}", str(uuid.UUID(int=random.Random(text).getrandbits(128), version=4)))
    assert redactor.found(text) == [], redactor.redact(text)


def test_a_vault_secret_id_is_still_a_secret(redactor: Redactor) -> None:
    value = str(uuid.UUID(int=random.Random(16).getrandbits(128), version=4))
    for text in (f'secret_id = "{value}"', f"VAULT_SECRET_ID={value}", json.dumps({"secret_id": value})):
        assert value not in redactor.redact(text), text
    assert value not in json.dumps(redactor.redact_obj({"secret_id": value}))
    assert names_a_secret("VAULT_SECRET_ID") and not names_a_secret("AWS_ACCESS_KEY_ID_FILE")


# ------------------------------------------------------- environment values, encoded


ENV_SECRET = "orange/" + "kiwi+" + "7f3a9c2e1b"  # "/" and "+" change under URL-encoding


def _encodings(value: str) -> dict[str, str]:
    """The value as a command might print it, inside other text: every offset of base64, hex, URL-encoding."""
    from urllib.parse import quote, quote_plus

    raw = value.encode()
    out = {
        "url": "GET /search?q=" + quote(value, safe="") + "&page=2",
        "url-plus": "q=" + quote_plus(value + " !"),
        "hex": "dump: " + raw.hex() + "\n",
        "hex-upper": raw.hex().upper(),
        "hex-in-environ": (b"HOME=/root\x00MY_TOKEN=" + raw + b"\x00").hex(),
    }
    for offset in range(3):
        blob = b"PATH=/usr/bin\x00"[: 12 + offset] + b"MY_TOKEN=" + raw + b"\x00LANG=C.UTF-8\x00"
        out[f"base64-offset-{offset}"] = base64.b64encode(blob).decode()
        out[f"base64-wrapped-{offset}"] = base64.b64encode(b"x" * offset + raw).decode()
        out[f"base64url-offset-{offset}"] = base64.urlsafe_b64encode(b"?" * (offset + 3) + raw + b"\xff\xfe").decode().rstrip("=")
    out["base64-alone"] = base64.b64encode(raw).decode()
    return out


@pytest.mark.parametrize("encoding", sorted(_encodings(ENV_SECRET)))
def test_environment_values_are_caught_in_base64_hex_and_url_encoding(encoding: str) -> None:
    redactor = Redactor.from_environment({"MY_SERVICE_TOKEN": ENV_SECRET})
    text = _encodings(ENV_SECRET)[encoding]
    out = redactor.redact(text)
    assert "[REDACTED:env:MY_SERVICE_TOKEN]" in out, out
    _assert_no_encoding_left(out, ENV_SECRET)


def _assert_no_encoding_left(out: str, value: str) -> None:
    """No run of base64, base64url or hex in `out` decodes to text holding the value (at any alignment)."""
    import binascii
    import re
    from urllib.parse import unquote

    assert value not in out and value not in unquote(out)
    for run in re.findall(r"[A-Za-z0-9+/_\-]{8,}", out):
        for cut in range(4):
            piece = run[cut:]
            piece = piece[: len(piece) - len(piece) % 4]
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    assert value.encode() not in decode(piece)
                except (binascii.Error, ValueError):
                    pass
    for run in re.findall(r"[0-9a-fA-F]{8,}", out):
        for cut in range(2):
            piece = run[cut:]
            assert value.encode() not in bytes.fromhex(piece[: len(piece) - len(piece) % 2])


def test_encoded_environment_values_do_not_catch_ordinary_text() -> None:
    redactor = Redactor.from_environment({"MY_SERVICE_TOKEN": ENV_SECRET})
    r = random.Random(17)
    text = _git_log(r) + _image_base64(r) + PYTEST_OUTPUT + CODE
    assert redactor.redact(text) == text
