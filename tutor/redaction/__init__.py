"""Redaction of secrets from everything a live session stores.

`Redactor` finds secrets in text and replaces each with a marker
`[REDACTED:<kind>]`, where kind names what was there (`anthropic-key`,
`aws-access-key`, `password`, `env:MY_TOKEN`, ...). It looks for:

- provider tokens with a recognisable shape, in the style of gitleaks: Anthropic,
  OpenAI, AWS access key ids, GitHub, GitLab, Slack, Stripe, Google, npm, Twilio
  (API keys, and an auth token next to its account SID), SendGrid, Mailgun, Discord,
  Telegram, Hugging Face, PyPI, Vault, Docker Hub, Pulumi, Figma, Sourcegraph,
  Contentful, Netlify, Square, Mapbox, Notion, Alibaba, Tencent, and more (`tokens`);
- structures that carry a secret: private key blocks (also base64-encoded, as in a
  kubeconfig's `client-key-data`), JWTs, `Authorization:` and `Cookie:` headers,
  `Bearer` tokens, passwords in URLs (`user:pass@host`, `redis://:pass@host`), Sentry
  DSNs, `curl -u user:pass`, `mysql -pPASS`, `sshpass -p PASS`, `docker login -p`,
  `openssl -k`/`-pass pass:`, `zip -P`, `7z -p`, `htpasswd -b`, the `aws configure` prompt,
  `.pgpass` lines, PuTTY key files, AWS secret keys and Azure account keys in assignments;
- values assigned to secret-named keys in code, config files, `.env` files (the whole
  rest of the line, whatever its characters), JSON, YAML, XML, `.netrc` (entries on one
  line or spread over several) and command-line flags (`password = "..."`,
  `"token": "..."`, `API_KEY=...`, `--password ...`). Quoted values and the values
  of upper-case environment-style keys are taken as literals; an unquoted value
  after a lower-case key (`token = make_token()`, `password: str`) is only taken
  when it looks random (letters and digits, or long and mixed), so that code
  survives. A key whose last word names something about a secret (`api_key_id`,
  `token_count`, `secret_arn`) holds none; `secret_id` (Vault) does;
- the exact values of secret-looking environment variables
  (`Redactor.from_environment`), plus any extra values the caller names, and the
  secrets a text states plainly (`Redactor.knowing`, used by `tutor build` on its
  source), and in a live session every secret found so far (`RememberingRedactor`: the
  user's files are redacted when the workspace is made, so a later `base64 settings.py`
  is caught). Known values are matched as they are, JSON-escaped, URL-encoded, in hex
  (lower and upper case) and in base64 and base64url at each of the three alignments
  (`encodings`), as `xxd -i` arrays, `\\xNN`, `%xx` (any case, or every byte), `\\u00XX`
  and UTF-16, also wrapped over lines or spaced (`base64`, `xxd -p`, `od -tx1`). File
  contents in UTF-16 are read as text (`Redactor.redact_bytes`).

Ordinary hex (git commit SHAs), UUIDs and base64 outside secret-named
assignments are left alone: lessons quote `git log` output.

Every pattern is written so that matching stays linear: quantifiers are bounded
or possessive, and each token pattern starts with a literal and refuses to start
in the middle of a run of its own characters. Case-insensitive patterns are only
tried where a keyword was found (`str.find` on the lower-cased text).

`redact` is idempotent: markers are never matched again, and a pass is repeated
until nothing more is found, so `redact(redact(x)) == redact(x)`.

Known limits (documented, not bugs): an unquoted password without digits after a
lower-case key (`password: correcthorse` in YAML) is kept, as is a quoted value
shorter than six characters; values that are placeholders (`<token>`, `xxxx`,
`${TOKEN}`, `your_token_here`), references to other variables, URLs, paths,
plain numbers and package versions (`"jsonwebtoken": "^9.0.2"`, `1.2.3`, `>=2,<3`, `latest`,
`workspace:*`) are never treated as secrets; secrets split across lines (other than
private key blocks and known values) are not found, nor are encoded secrets whose
value the redactor does not know (base64 of a secret it has not yet seen plainly, other
than HTTP Basic, Docker `auth` and private keys); of a known value's base64 form the first
and last one to three characters (which also hold the bits of their neighbours) are
kept; `xxd`'s default layout (hex beside the text, 16 bytes a line) is not matched
across its lines.
"""

from __future__ import annotations

from .names import MIN_ENV_VALUE, kept_out_of_commands, names_a_secret
from .redactor import MARKER, MIN_EXTRA_VALUE, Finding, Redactor, marker

__all__ = ["MARKER", "MIN_ENV_VALUE", "MIN_EXTRA_VALUE", "Finding", "Redactor", "kept_out_of_commands", "marker", "names_a_secret"]
