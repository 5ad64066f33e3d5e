"""The redaction corpus: many kinds of secret, each made at random and planted in realistic surroundings.

Every secret here is FAKE: random characters behind a provider's prefix, made at run
time (prefixes are glued from pieces, so this file holds no token-shaped string and no
scanner flags it). `corpus(seed)` gives one `Case` per kind; different seeds give
different values. `ENV_PREFIX` names the environment variables whose values some cases
print encoded: a redactor must be made knowing them (`Redactor.from_environment(env)`).

`python tests/redaction_corpus.py` prints the kinds and one case of each.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"


@dataclass(frozen=True)
class Case:
    """One kind of secret in its surroundings: `text` must come out without any of `secrets`."""

    kind: str
    text: str
    secrets: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)  # environment values the redactor knows (encoded kinds)
    encoded: bool = False  # the secrets are environment values: their encodings must vanish too


def rs(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def password(rng: random.Random, n: int = 16) -> str:
    """Letters, digits and a symbol, as people (and generators) make passwords."""
    return rs(rng, string.ascii_letters, 4) + rs(rng, ALNUM, n - 8) + rng.choice("!#%^*-_+") + rs(rng, string.digits, 3)


def pem(rng: random.Random, label: str, lines: int = 8) -> str:
    body = "\n".join(rs(rng, B64, 64) for _ in range(lines))
    return f"-----BEGIN {label}-----\n{body}\n{rs(rng, B64, 20)}==\n-----END {label}-----\n"


def jwt(rng: random.Random) -> str:
    def b64u(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64u(json.dumps({"alg": "RS256", "typ": "JWT", "kid": rs(rng, HEX, 8)}).encode())
    payload = b64u(json.dumps({"sub": str(uuid.UUID(int=rng.getrandbits(128))), "exp": rng.randrange(10**9, 2 * 10**9)}).encode())
    return f"{header}.{payload}.{rs(rng, B64URL, 86)}"


def a_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


Maker = Callable[[random.Random], Case]
MAKERS: dict[str, Maker] = {}


def kind(name: str) -> Callable[[Maker], Maker]:
    def register(maker: Maker) -> Maker:
        MAKERS[name] = maker
        return maker

    return register


def simple(name: str, template: str, secret: Callable[[random.Random], str]) -> None:
    """A kind whose text is `template` with `{s}` the secret (which must vanish whole)."""

    def make(rng: random.Random) -> Case:
        value = secret(rng)
        return Case(name, template.replace("{s}", value), (value,))

    MAKERS[name] = make


# ---------------------------------------------------------------- cloud providers

simple("aws-access-key-id", "[default]\naws_access_key_id = {s}\nregion = eu-west-1\n", lambda r: "AK" + "IA" + rs(r, UPPER_ALNUM, 16))
simple("aws-secret-access-key", "[prod]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {s}\n", lambda r: rs(r, B64, 40))
simple("aws-session-token", "export AWS_SESSION_TOKEN={s}\n", lambda r: "FwoGZXIvYXdzE" + rs(r, B64, 300))
simple("google-api-key", 'const firebaseConfig = {\n  apiKey: "{s}",\n  projectId: "shop-prod",\n};\n', lambda r: "AI" + "za" + rs(r, B64URL, 35))


@kind("gcp-service-account")
def _gcp(rng: random.Random) -> Case:
    key = pem(rng, "PRIVATE KEY", 12)
    data = {
        "type": "service_account", "project_id": "shop-prod-123", "private_key_id": rs(rng, HEX, 40),
        "private_key": key, "client_email": "deployer@shop-prod-123.iam.gserviceaccount.com",
        "client_id": rs(rng, string.digits, 21), "token_uri": "https://oauth2.googleapis.com/token",
    }
    # As a file prints (JSON, `\n` escaped): the key's body must go.
    return Case("gcp-service-account", "$ cat sa.json\n" + json.dumps(data, indent=2) + "\n", tuple(key.splitlines()[1:-2]))


@kind("azure-storage-connection-string")
def _azure_conn(rng: random.Random) -> Case:
    key = rs(rng, B64, 86) + "=="
    text = f"AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=shopassets;AccountKey={key};EndpointSuffix=core.windows.net\n"
    return Case("azure-storage-connection-string", text, (key,))


@kind("azure-sas")
def _azure_sas(rng: random.Random) -> Case:
    sig = quote(base64.b64encode(rng.randbytes(32)).decode(), safe="")
    text = f"curl 'https://shopassets.blob.core.windows.net/backups/db.tgz?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig={sig}' -o db.tgz\n"
    return Case("azure-sas", text, (sig,))


simple("azure-client-secret", "AZURE_CLIENT_ID=" + "0" * 8 + "-0000-0000-0000-" + "0" * 12 + "\nclient_secret: {s}\n", lambda r: rs(r, ALNUM, 3) + str(r.randrange(10)) + "Q" + "~" + rs(r, ALNUM + "_", 34))
simple("digitalocean-token", "$ doctl auth init --access-token {s}\n", lambda r: "do" + "p_v1_" + rs(r, HEX, 64))
simple("heroku-api-key", "$ heroku authorizations:create\nexport HEROKU_API_KEY={s}\n", a_uuid)

# ---------------------------------------------------------------- code hosting, packages

simple("github-token-classic", "$ git clone https://github.com/acme/shop.git\nexport GH_TOKEN={s}\n", lambda r: "gh" + "p_" + rs(r, ALNUM, 36))
simple("github-oauth-token", "github.com:\n    oauth_token: {s}\n    user: octocat\n", lambda r: "gh" + "o_" + rs(r, ALNUM, 36))
simple("github-fine-grained", 'headers = {"Accept": "application/vnd.github+json"}\nclient = Github("{s}")\n', lambda r: "github" + "_pat_" + rs(r, ALNUM, 22) + "_" + rs(r, ALNUM, 59))
simple("github-app-token", "installation token: {s} (expires in 1h)\n", lambda r: "gh" + "s_" + rs(r, ALNUM, 36))
simple("gitlab-token", "git remote add origin https://oauth2:{s}@gitlab.com/acme/shop.git\n", lambda r: "gl" + "pat-" + rs(r, B64URL, 20))
simple("npm-token", "//registry.npmjs.org/:_authToken={s}\n", lambda r: "np" + "m_" + rs(r, ALNUM, 36))
simple("pypi-token", "[pypi]\n  username = __token__\n  password = {s}\n", lambda r: "py" + "pi-" + "AgEIcHlwaS5vcmc" + rs(r, B64URL, 70))


@kind("docker-config-auth")
def _docker(rng: random.Random) -> Case:
    secret = password(rng)
    auth = base64.b64encode(f"deployer:{secret}".encode()).decode()
    text = json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": auth}}, "credsStore": ""}, indent=2) + "\n"
    return Case("docker-config-auth", "$ cat ~/.docker/config.json\n" + text, (auth,))


# ---------------------------------------------------------------- chat, mail, payments, monitoring

simple("slack-bot-token", "SLACK_BOT_TOKEN={s}\nSLACK_CHANNEL=#deploys\n", lambda r: "xox" + "b-" + rs(r, string.digits, 12) + "-" + rs(r, string.digits, 13) + "-" + rs(r, ALNUM, 24))
simple("slack-user-token", 'slack = WebClient(token="{s}")\n', lambda r: "xox" + "p-" + rs(r, string.digits, 12) + "-" + rs(r, string.digits, 12) + "-" + rs(r, string.digits, 13) + "-" + rs(r, HEX, 32))
simple("slack-webhook", "curl -X POST -d '{\"text\":\"deployed\"}' {s}\n", lambda r: "https://hooks." + "slack.com/services/T" + rs(r, UPPER_ALNUM, 8) + "/B" + rs(r, UPPER_ALNUM, 10) + "/" + rs(r, ALNUM, 24))
simple("discord-bot-token", "bot.run('{s}')\n", lambda r: r.choice("MN") + rs(r, ALNUM, 25) + "." + rs(r, B64URL, 6) + "." + rs(r, B64URL, 38))
simple("telegram-bot-token", "TELEGRAM_URL=https://api.telegram.org/bot{s}/sendMessage\n", lambda r: str(r.randrange(10**8, 10**9)) + ":A" + "A" + rs(r, B64URL, 33))
simple("stripe-live-key", "stripe.api_key = '{s}'\n", lambda r: "sk" + "_live_" + rs(r, ALNUM, 24))
simple("stripe-restricted-key", "STRIPE_KEY: {s}\n", lambda r: "rk" + "_live_" + rs(r, ALNUM, 24))
simple("square-token", "SQUARE_ACCESS_TOKEN = {s}\n", lambda r: "EAAA" + rs(r, B64URL, 60))
simple("braintree-token", "gateway = braintree.BraintreeGateway(access_token='{s}')\n", lambda r: "access_token$production$" + rs(r, LOWER_ALNUM, 16) + "$" + rs(r, HEX, 32))
simple("shopify-token", "X-Shopify-Access-Token: {s}\n", lambda r: "sh" + "pat_" + rs(r, HEX, 32))
simple("mailgun-key", "requests.post(url, auth=('api', '{s}'), data=mail)\n", lambda r: "key-" + rs(r, HEX, 32))
simple("sendgrid-key", "sg = SendGridAPIClient('{s}')\n", lambda r: "S" + "G." + rs(r, B64URL, 22) + "." + rs(r, B64URL, 43))


@kind("twilio-auth-token")
def _twilio(rng: random.Random) -> Case:
    token = rs(rng, HEX, 32)
    sid = "AC" + rs(rng, HEX, 32)
    return Case("twilio-auth-token", f'client = Client("{sid}", "{token}")\nmessage = client.messages.create(to=to, from_=src, body=b)\n', (token,))


@kind("sentry-dsn")
def _sentry(rng: random.Random) -> Case:
    key = rs(rng, HEX, 32)
    return Case("sentry-dsn", f'sentry_sdk.init(\n    dsn="https://{key}@o{rng.randrange(10**5, 10**7)}.ingest.sentry.io/{rng.randrange(10**6, 10**7)}",\n)\n', (key,))


simple("datadog-api-key", "DD_API_KEY={s} DD_SITE=datadoghq.eu ./run-agent\n", lambda r: rs(r, HEX, 32))
simple("newrelic-key", "newrelic:\n  license: x\n  api_key: {s}\n", lambda r: "NR" + "AK-" + rs(r, UPPER_ALNUM, 27))
simple("openai-key", 'client = OpenAI(api_key="{s}")\n', lambda r: "sk-" + "proj-" + rs(r, B64URL, 156))
simple("anthropic-key", "$ env | grep ANTH\nANTHROPIC_API_KEY={s}\n", lambda r: "sk-" + "ant-" + "api03-" + rs(r, B64URL, 93) + "AA")
simple("huggingface-token", "$ huggingface-cli login --token {s}\n", lambda r: "h" + "f_" + rs(r, ALNUM, 34))
simple("terraform-cloud-token", 'credentials "app.terraform.io" {\n  token = "{s}"\n}\n', lambda r: rs(r, ALNUM, 14) + ".atlas" + "v1." + rs(r, ALNUM, 67))
simple("vault-token", "$ vault login\nToken (will be hidden):\nkey                  value\ntoken                {s}\n", lambda r: "hv" + "s." + rs(r, B64URL, 90))
simple("jwt", "Set-Cookie: session={s}; Path=/; HttpOnly\n", jwt)
simple("bearer-header", "curl -H 'Authorization: Bearer {s}' https://api.example.com/v1/orders\n", lambda r: rs(r, B64URL, 40))


@kind("basic-auth-header")
def _basic(rng: random.Random) -> Case:
    value = base64.b64encode(f"admin:{password(rng)}".encode()).decode()
    return Case("basic-auth-header", f"> GET /admin HTTP/1.1\n> Host: intranet\n> Authorization: Basic {value}\n", (value,))


# ---------------------------------------------------------------- private keys

simple("pem-rsa", "$ cat ~/.ssh/deploy_rsa\n{s}$ ls\n", lambda r: pem(r, "RSA " + "PRIVATE KEY"))
simple("pem-ec", "{s}", lambda r: pem(r, "EC " + "PRIVATE KEY", 3))
simple("pem-openssh", "key: |\n  {s}", lambda r: pem(r, "OPENSSH " + "PRIVATE KEY", 6).replace("\n", "\n  "))
simple("pgp-private-key", "$ gpg --export-secret-keys --armor ops@example.com\n{s}", lambda r: pem(r, "PGP " + "PRIVATE KEY BLOCK", 10))


@kind("kubeconfig-client-key-data")
def _kube_key(rng: random.Random) -> Case:
    data = base64.b64encode(pem(rng, "RSA " + "PRIVATE KEY", 6).encode()).decode()
    text = f"users:\n- name: admin@prod\n  user:\n    client-certificate-data: {base64.b64encode(rng.randbytes(300)).decode()}\n    client-key-data: {data}\n"
    return Case("kubeconfig-client-key-data", text, (data,))


@kind("kubeconfig-token")
def _kube_token(rng: random.Random) -> Case:
    token = rs(rng, LOWER_ALNUM, 6) + "." + rs(rng, LOWER_ALNUM, 16)
    return Case("kubeconfig-token", f"users:\n- name: ci\n  user:\n    token: {token}\n", (token,))


# ---------------------------------------------------------------- passwords in files and commands

simple("netrc-one-line", "machine api.heroku.com login ops@example.com password {s}\n", password)
simple("netrc-multi-line", "machine git.example.com\n    login ci-bot\n    password {s}\nmachine other.example.com\n", password)
simple("pgpass", "db.internal:5432:shop:app:{s}\n", password)
simple("mysql-p", "$ mysql -h db.internal -u root -p{s} shop -e 'select count(*) from orders'\n", password)
simple("sshpass-p", "$ sshpass -p '{s}' ssh deploy@10.0.3.7 'systemctl restart shop'\n", password)
simple("postgres-url", "DATABASE_URL=postgres://shop:{s}@db.internal:5432/shop?sslmode=require\n", password)
simple("mongodb-srv-url", 'client = MongoClient("mongodb+srv://app:{s}@cluster0.ab1cd.mongodb.net/shop?retryWrites=true")\n', password)
simple("redis-url", "CELERY_BROKER_URL=redis://:{s}@cache.internal:6379/0\n", password)
simple("url-basic-auth", "$ curl https://admin:{s}@jenkins.internal/job/deploy/build\n", password)
simple("dotenv-password", "# .env\nDEBUG=false\nDB_PASSWORD={s}\nDB_HOST=db.internal\n", password)
simple("dotenv-secret", "SECRET_KEY={s}\nALLOWED_HOSTS=shop.example.com\n", lambda r: rs(r, ALNUM + "!@#%^&*(-_=+)", 50))
simple("json-password", '{"db": {"user": "shop", "password": "{s}", "host": "db"}}\n', password)
simple("yaml-password", "database:\n  user: shop\n  password: {s}\n  host: db.internal\n", password)
simple("gpg-passphrase-env", "$ export GPG_PASSPHRASE='{s}'\n$ gpg --batch --pinentry-mode loopback --passphrase \"$GPG_PASSPHRASE\" -d backup.gpg\n", password)
simple("cli-password-flag", "$ psql --host db --username shop --password={s}\n", password)
simple("age-secret-key", "# created: 2024-05-01\n{s}\n", lambda r: "AGE-" + "SECRET-KEY-1" + rs(r, BECH32, 58))


# ---------------------------------------------------------------- environment values, encoded

ENV_PREFIX = "CORPUS_"


def _env_case(name: str, show: Callable[[str, bytes], str], variable: str = "", value_of: Callable[[random.Random], str] | None = None) -> Maker:
    def make(rng: random.Random) -> Case:
        nonlocal variable
        variable = variable or ENV_PREFIX + name.upper().replace("-", "_") + "_TOKEN"
        # `/` and `+`: URL-encoding changes them
        value = value_of(rng) if value_of else rs(rng, ALNUM, 10) + rng.choice("/+=") + rs(rng, ALNUM, 14)
        blob = f"HOME=/root\0{variable}={value}\0LANG=C.UTF-8\0".encode()
        return Case(name, show(value, blob), (value,), {variable: value}, encoded=True)

    return make


def _b64_lines(data: bytes) -> str:
    return base64.encodebytes(data).decode()


MAKERS["env-value-raw"] = _env_case("env-value-raw", lambda v, b: f"$ printenv\nPATH=/usr/bin\nSOMETHING={v}\n")
MAKERS["env-value-base64"] = _env_case("env-value-base64", lambda v, b: "$ base64 -w0 /proc/$PPID/environ\n" + base64.b64encode(b).decode() + "\n")
MAKERS["env-value-base64-wrapped"] = _env_case("env-value-base64-wrapped", lambda v, b: "$ base64 /proc/$PPID/environ\n" + _b64_lines(b"x" + b * 2))
MAKERS["env-value-base64url"] = _env_case("env-value-base64url", lambda v, b: "token=" + base64.urlsafe_b64encode(b"??" + b).decode().rstrip("=") + "\n")
MAKERS["env-value-hex"] = _env_case("env-value-hex", lambda v, b: "$ xxd -p /proc/$PPID/environ\n" + "\n".join(b.hex()[i : i + 60] for i in range(0, len(b) * 2, 60)) + "\n")
MAKERS["env-value-hex-upper"] = _env_case("env-value-hex-upper", lambda v, b: "0x" + b.hex().upper() + "\n")
MAKERS["env-value-hex-spaced"] = _env_case("env-value-hex-spaced", lambda v, b: "$ od -An -tx1 env\n" + " ".join(f"{c:02x}" for c in b) + "\n")
MAKERS["env-value-url-encoded"] = _env_case("env-value-url-encoded", lambda v, b: f"GET /callback?token={quote(v, safe='')}&state=ok HTTP/1.1\n")
MAKERS["env-value-url-plus"] = _env_case("env-value-url-plus", lambda v, b: f"form: q={quote_plus(v)}&x=1\n")
# The sandbox finding: the model's key read from the parent's environment, base64-encoded.
MAKERS["env-anthropic-key-base64"] = _env_case(
    "env-anthropic-key-base64",
    lambda v, b: "$ base64 /proc/$PPID/environ\n" + _b64_lines(b"USER=tutor\0" + b),
    variable="ANTHROPIC_API_KEY",
    value_of=lambda r: "sk-" + "ant-" + "api03-" + rs(r, B64URL, 93) + "AA",
)
MAKERS["env-value-json-escaped"] = _env_case("env-value-json-escaped", lambda v, b: json.dumps({"environ": b.decode()}) + "\n")


# ---------------------------------------------------------------- issue 13: what a security tester found missing
# (token formats, password options of commands, and more encodings of known values)


def _with_digit(rng: random.Random, alphabet: str, n: int) -> str:
    """`n` characters of `alphabet`, one of them a digit (some rules want one, as real tokens have)."""
    body = rs(rng, alphabet, n - 1)
    at = rng.randrange(n)
    return body[:at] + rng.choice(string.digits) + body[at:]


def _mapbox(rng: random.Random) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"u": "acme", "a": rs(rng, LOWER_ALNUM, 25)}).encode()).decode().rstrip("=")
    return "s" + "k." + payload + "." + rs(rng, ALNUM, 22)


simple("docker-hub-token", "$ echo {s} | docker login -u acme --password-stdin\n", lambda r: "dckr" + "_pat_" + rs(r, B64URL, 27))
simple("pulumi-token", "$ pulumi login --token {s}\n", lambda r: "pu" + "l-" + rs(r, HEX, 40))
simple("figma-token", 'curl -H "X-Figma-Token: {s}" https://api.figma.com/v1/me\n', lambda r: "fig" + "d_" + rs(r, B64URL, 40))
simple("sourcegraph-token", "$ src login https://sourcegraph.example.com --token {s}\n", lambda r: "sg" + "p_" + rs(r, HEX, 16) + "_" + rs(r, HEX, 40))
simple("contentful-token", "contentful login --management-token {s}\n", lambda r: "CF" + "PAT-" + rs(r, B64URL, 43))
simple("netlify-token", "$ netlify deploy --auth {s} --prod\n", lambda r: "nf" + "p_" + rs(r, ALNUM, 36))
simple("square-secret", "application secret: {s}\n", lambda r: "sq0" + "csp-" + rs(r, B64URL, 43))
simple("square-access-token-bare", "Calling Square with {s} (sandbox)\n", lambda r: "EA" + "AA" + _with_digit(r, B64URL, 60))
simple("mapbox-secret-token", "// uploads use {s}\n", _mapbox)
simple("notion-legacy-token", 'const notion = new Client({ auth: "{s}" })\n', lambda r: "sec" + "ret_" + _with_digit(r, ALNUM, 43))
simple("alibaba-access-key", "Using AccessKey {s} in region cn-hangzhou\n", lambda r: "LT" + "AI" + _with_digit(r, ALNUM, 20))
simple("tencent-secret-id", "cred = credential.Credential({s}, os.environ['TC_KEY'])\n", lambda r: "AK" + "ID" + _with_digit(r, ALNUM, 32))
simple("docker-login-password", "$ docker login -u acme -p {s} registry.example.com\nWARNING! Using --password via the CLI is insecure.\n", password)
simple("openssl-k", "$ openssl enc -aes-256-cbc -salt -k {s} -in db.sql -out db.sql.enc\n", password)
simple("openssl-passout", "$ openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass:{s} -out bundle.p12\n", password)
simple("zip-password", "$ zip -r -P {s} backup.zip reports/\n  adding: reports/ (stored 0%)\n", password)
simple("7z-password", "$ 7z a -p{s} -mhe=on backup.7z reports/\n", password)
simple("htpasswd-b", "$ htpasswd -bB /etc/nginx/.htpasswd admin {s}\nAdding password for user admin\n", password)
simple(
    "aws-configure-prompt",
    "$ aws configure\nAWS Access Key ID [None]: AKIAIOSFODNN7EXAMPLE\nAWS Secret Access Key [None]: {s}\nDefault region name [None]: eu-west-1\n",
    lambda r: rs(r, B64, 40),
)
simple("azure-devops-pat", "$ cat ci.env\nAZURE_DEVOPS_EXT_PAT={s}\nAZURE_DEVOPS_ORG=acme\n", lambda r: _with_digit(r, LOWER_ALNUM, 52))
simple("gcp-private-key-id", '{\n  "type": "service_account",\n  "private_key_id": "{s}",\n  "client_id": "1234"\n}\n', lambda r: rs(r, HEX, 40))


@kind("putty-private-key")
def _putty(rng: random.Random) -> Case:
    private = [rs(rng, B64, 64) for _ in range(3)] + [rs(rng, B64, 20) + "=="]
    text = (
        "$ cat ~/.ssh/deploy.ppk\nPuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: deploy\n"
        f"Public-Lines: 2\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ{rs(rng, B64, 34)}\n{rs(rng, B64, 40)}\n"
        f"Private-Lines: {len(private)}\n" + "\n".join(private) + f"\nPrivate-MAC: {rs(rng, HEX, 64)}\n"
    )
    return Case("putty-private-key", text, tuple(private))


def _xxd_i(blob: bytes) -> str:
    """`xxd -i environ`: a C array, 12 bytes a line."""
    hexes = [f"0x{c:02x}" for c in blob]
    lines = ",\n".join("  " + ", ".join(hexes[i : i + 12]) for i in range(0, len(hexes), 12))
    return f"$ xxd -i environ\nunsigned char environ[] = {{\n{lines}\n}};\nunsigned int environ_len = {len(blob)};\n"


def _utf16(blob: bytes) -> bytes:
    return blob.decode().encode("utf-16-le")


MAKERS["env-value-xxd-i"] = _env_case("env-value-xxd-i", lambda v, b: _xxd_i(b))
MAKERS["env-value-backslash-x"] = _env_case("env-value-backslash-x", lambda v, b: "b'" + "".join(f"\\x{c:02x}" for c in v.encode()) + "'\n")
MAKERS["env-value-url-lower"] = _env_case("env-value-url-lower", lambda v, b: "GET /cb?t=" + re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(v, safe="")) + " HTTP/1.1\n")
MAKERS["env-value-url-every-byte"] = _env_case("env-value-url-every-byte", lambda v, b: "q=" + "".join(f"%{c:02X}" for c in v.encode()) + "&x=1\n")
MAKERS["env-value-json-u-escapes"] = _env_case("env-value-json-u-escapes", lambda v, b: '{"t": "' + "".join(f"\\u{ord(c):04x}" for c in v) + '"}\n')
MAKERS["env-value-utf16-base64"] = _env_case("env-value-utf16-base64", lambda v, b: "PS> [Convert]::ToBase64String($bytes)\n" + base64.b64encode(_utf16(b)).decode() + "\n")
MAKERS["env-value-utf16-hex"] = _env_case("env-value-utf16-hex", lambda v, b: _utf16(b).hex() + "\n")


def corpus(seed: int) -> list[Case]:
    """One case of every kind, made from `seed`."""
    cases = []
    for name, make in MAKERS.items():
        case = make(random.Random(f"{seed}:{name}"))
        cases.append(Case(name, case.text, case.secrets, case.env, case.encoded))
    return cases


def environment(cases: list[Case]) -> dict[str, str]:
    """The environment variables the cases' redactor must know."""
    env: dict[str, str] = {}
    for case in cases:
        env.update(case.env)
    return env


def encoded_forms(value: str) -> list[str]:
    """The forms of an environment value that must vanish (as the redactor's own `variants` makes them)."""
    from tutor.redaction.encodings import variants

    return variants(value, 4)


if __name__ == "__main__":
    import sys

    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    made = corpus(seed)
    print(f"{len(made)} kinds")
    for case in made:
        print(f"--- {case.kind}\n{case.text}")
