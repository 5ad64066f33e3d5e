"""Package versions are no secrets: a dependency named for tokens, keys or auth keeps its version.

A real session ran `cat package.json`; the lesson showed `"@solana/spl-token": "[REDACTED:token]"`
and the agent's next words, "You use ^0.4.13", contradicted it. A key that holds "token",
"key", "secret", "password" or "auth" is a package's name there, and its value a version:
the value's shape says so. Secrets under the same keys are still taken out.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.helpers.claude_code_format import Session
from tests.helpers.imported import imported_lesson
from tests.helpers.secret_tokens import ALNUM, rs, secretish
from tutor.redaction import Redactor

# Dependencies whose names hold a secret's keyword, with their versions as package files write them.
DEPENDENCIES = {
    "@solana/spl-token": "^0.4.13",
    "jsonwebtoken": "^9.0.2",
    "@types/jsonwebtoken": "^9.0.6",
    "keytar": "^7.9.0",
    "@auth/core": "0.34.1",
    "next-auth": "5.0.0-beta.25",
    "secret-handshake": "1.1.0",
    "passport-jwt": "~4.0.1",
    "api-key-auth": ">=2.0.0",
    "csrf-tokens": "latest",
    "@acme/token-lib": "workspace:*",
    "tokenizers": "workspace:^1.2.0",
    "react-native-keychain": "10.0.0-rc.1",
    "password-validator": "^5.3.0 || ^6.0.0",
    "token-types": ">=4.1.0 <6",
    "bearer-token": "npm:@acme/bearer@^2.1.0",
    "auth-canary": "19.0.0-canary-f994737d14-20240522",
    "secrets-x": "1.x",
    "apikey-tools": "*",
}



def _package_json(extra: dict[str, str] | None = None) -> str:
    return json.dumps({"name": "wallet", "dependencies": {**DEPENDENCIES, **(extra or {})}}, indent=2)


def _session_reading(output: str, answer: str) -> Session:
    s = Session(cwd="/home/alice/projects/wallet")
    s.user("Which spl-token version do we use?")
    use = s.tool_use("Bash", command="cat package.json")
    s.tool_result(use, output)
    s.say(answer)
    s.user("Upgrade it then")
    s.say("Done.")
    return s


def test_a_package_files_versions_reach_the_lesson_as_they_were() -> None:
    data, text = imported_lesson(_session_reading(_package_json(), "You use ^0.4.13."))
    assert "[REDACTED" not in text
    output = next(step["output"] for step in data["steps"] if step["kind"] == "result")
    assert json.loads(output)["dependencies"] == DEPENDENCIES
    assert any(step.get("text") == "You use ^0.4.13." for step in data["steps"])


_VERSION_START = "1.0.0-"


def _secrets(rng: random.Random) -> dict[str, str]:
    """Fake secrets (made at run time: no secret is written in this file) under the keys the dependencies share words with."""
    return {
        "token": "gh" + "p_" + rs(rng, ALNUM, 36),
        "api_token": secretish(rng, 24),
        "spl-token": secretish(rng, 20),
        "jsonwebtoken": secretish(rng, 32),
        "auth": secretish(rng, 16),
        "password": secretish(rng, 14),
        # a version's start does not make a random tail (cases mixed, digits) a version
        "secret": _VERSION_START + "".join(rng.choice(ALNUM[:26]) + rng.choice(ALNUM[26:52]) + rng.choice("0123456789") for _ in range(6)),
    }


def test_secrets_under_the_same_keys_are_still_taken_out() -> None:
    rng = random.Random(7)
    secrets = _secrets(rng)
    env_name, env_value = "API_TOKEN", secretish(rng, 30)
    output = _package_json() + "\n" + json.dumps(secrets, indent=2) + f"\n{env_name}={env_value}\n"
    data, text = imported_lesson(_session_reading(output, "Found them."))
    for value in [*secrets.values(), env_value]:
        assert value not in text
    assert text.count("[REDACTED:") >= len(secrets) + 1
    shown = next(step["output"] for step in data["steps"] if step["kind"] == "result")
    for name, version in DEPENDENCIES.items():
        assert f'"{name}": "{version}"' in shown


@pytest.mark.parametrize("line", [
    'spl-token = "0.4.13"',  # Cargo.toml
    "spl-token: ^0.4.13",  # pnpm-lock.yaml, a YAML value unquoted
    "next-auth: 5.0.0-beta.25",
    "keyring>=24.3,<25",  # requirements.txt
    "secretstorage==3.3.3",
    "gem 'jwt-token', '~> 2.7'",
    '"@solana/spl-token": ">=0.3.8 <0.5"',
])
def test_version_lines_of_other_package_files_are_kept(line: str) -> None:
    assert Redactor().redact(line) == line


@pytest.mark.parametrize("key", sorted(_secrets(random.Random(0))))
def test_values_that_look_like_secrets_are_redacted_still(key: str) -> None:
    for seed in range(20):
        value = _secrets(random.Random(seed))[key]
        for line in (json.dumps({key: value}), f"{key} = {json.dumps(value)}", f"{key}: {json.dumps(value)}"):
            assert value not in Redactor().redact(line), line


_PART = st.integers(min_value=0, max_value=999).map(str)
_VERSIONS = st.builds(
    lambda op, parts, tag: op + ".".join(parts) + tag,
    st.sampled_from(["", "^", "~", ">=", "<", "=", "~>", "~=", "=="]),
    st.lists(_PART, min_size=2, max_size=4),
    st.sampled_from(["", "-beta.1", "-rc.2", "-alpha", "-canary.20240101", "+build.7", "-next.3"]),
)
_KEYS = st.sampled_from(["@solana/spl-token", "jsonwebtoken", "keytar", "secret-handshake", "@auth/core", "token",
                         "api_token", "node-password-hash", "auth"])
# The keys above whose values the redactor takes (`keytar`'s "key" and `@auth/core`'s "auth" name no secret there).
_SECRET_KEYS = st.sampled_from(["@solana/spl-token", "jsonwebtoken", "secret-handshake", "token", "api_token",
                                "node-password-hash", "auth"])


@settings(max_examples=300, deadline=None)
@given(key=_KEYS, version=_VERSIONS)
def test_any_version_specifier_under_a_secret_named_key_is_kept(key: str, version: str) -> None:
    line = f'"{key}": "{version}",'
    assert Redactor().redact(line) == line


@settings(max_examples=200, deadline=None)
@given(key=_SECRET_KEYS, version=_VERSIONS, seed=st.integers(min_value=0, max_value=2**32))
@example(key="@solana/spl-token", version="0.0", seed=7946874)  # found once: 16 letters of mixed case and digits passed for a tag
def test_a_random_value_is_redacted_even_after_a_version(key: str, version: str, seed: int) -> None:
    """A version with a random tail (mixed case, letters and digits) is no version: redacted under a secret's key."""
    rng = random.Random(seed)
    value = version.split("-")[0].lstrip("^~<>=") + "-" + rs(rng, "ABCDEFGHJK", 3) + secretish(rng, 20)
    assert "[REDACTED:" in Redactor().redact(f'"{key}": "{value}",')
