"""A live session's redactor remembers: a secret found once (in the user's files, in a command's
output) is then caught in base64, hex and URL-encoded form, which no pattern could recognise.

The check is independent of the redactor: every run of base64 or hex left in what was stored is
decoded at every alignment and searched for the secrets' bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from tests.helpers.redaction_corpus import corpus
from tutor.redaction import Redactor
from tutor.redaction.remembering import RememberingRedactor

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def plain_secrets(seed: int, least: int = 12) -> tuple[str, list[str]]:
    """Text holding every pattern-found kind of the corpus (not the environment ones), and their secrets."""
    cases = [case for case in corpus(seed) if not case.encoded]
    secrets = [secret for case in cases for secret in case.secrets if len(secret) >= least and "\n" not in secret]
    return "".join(case.text + "\n" for case in cases), secrets


def recoverable(stored: str, secrets: list[str]) -> list[str]:
    """The secrets whose bytes some base64, hex or URL-encoded run of `stored` decodes to."""
    flat = re.sub(r"\s+|\\n", "", stored)
    decoded: list[bytes] = [stored.encode(), unquote(stored).encode()]
    for run in re.findall(r"[A-Za-z0-9+/_\-]{12,}", flat):
        for cut in range(4):
            piece = run[cut:]
            piece = piece[: len(piece) - len(piece) % 4]
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    decoded.append(decode(piece))
                except (binascii.Error, ValueError):
                    pass
    for run in re.findall(r"[0-9a-fA-F]{12,}", flat):
        for cut in range(2):
            piece = run[cut:]
            decoded.append(bytes.fromhex(piece[: len(piece) - len(piece) % 2]))
    return [secret for secret in secrets if any(secret.encode() in blob for blob in decoded)]


def test_once_found_a_secret_is_caught_encoded() -> None:
    text, secrets = plain_secrets(1)
    assert len(secrets) >= 30
    blob = text.encode()
    encoded = base64.b64encode(blob).decode() + "\n" + blob.hex() + "\n" + quote(text, safe="")
    assert recoverable(Redactor().redact(encoded), secrets), "the control: patterns alone miss encoded secrets"
    remembering = RememberingRedactor()
    assert remembering.redact(text) != text
    assert recoverable(remembering.redact(encoded), secrets) == []
    assert remembering.learned() > len(secrets)


def test_a_value_under_a_secret_named_key_is_remembered() -> None:
    remembering = RememberingRedactor()
    value = "correct-horse-battery-staple-42"
    assert remembering.redact_obj({"password": value}) == {"password": "[REDACTED:password]"}
    assert value.encode().hex() not in remembering.redact("dump: " + value.encode().hex())


def test_short_and_already_redacted_values_are_not_learned() -> None:
    remembering = RememberingRedactor()
    remembering.redact("[REDACTED:password] and password=abc12")
    assert remembering.learned() == 0
    ordinary = base64.b64encode(b"hello world, nothing secret here").decode()
    assert remembering.redact(ordinary) == ordinary


@needs_git
async def test_a_live_session_stores_no_encoded_copy_of_a_secret_in_the_users_files(tmp_path: Path, tutor_home: Path) -> None:
    """The user's repository holds secrets; the agent prints the file base64- and hex-encoded and URL-quoted."""
    from tests.helpers.live_support import git, make_user_repo
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.services.live import journal_path, session_records, start_session
    from tutor.settings import Settings

    text, secrets = plain_secrets(2)
    repo = make_user_repo(tmp_path)
    (repo / "settings.py").write_text(text)
    git(repo, "add", "settings.py")
    git(repo, "commit", "-q", "-m", "settings")
    quote_it = "python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=\"\"))' settings.py"
    turns = [
        AgentTurn("Let me look at the settings, encoded.", (
            ToolCall("c1", "run", {"command": "base64 settings.py"}),
            ToolCall("c2", "run", {"command": "od -An -tx1 settings.py | tr -d ' \\n'; echo"}),
            ToolCall("c3", "run", {"command": quote_it}),
        )),
        AgentTurn("Done."),
    ]
    session = start_session(mode="record", settings=Settings(), repo=repo, task="audit the settings", agent=ScriptedAgent(turns))
    loop = session.loop
    loop.set_goal("Audit the settings; done when each secret is listed.")
    while await loop.advance() == "gate":
        await loop.run(loop.state.current.call.id)
    loop.end()
    session.close()

    results = [record for record in session_records(session.id) if record.get("kind") == "result"]
    assert len(results) == 3 and all(record.get("ok") for record in results), [(r.get("output"), r.get("error")) for r in results]
    assert all(len(json.dumps(record)) > 1000 for record in results), "the control: the commands printed the file"
    assert recoverable(journal_path(session.id).read_text(encoding="utf-8"), secrets) == []


@needs_git
async def test_a_secret_in_a_file_name_or_a_utf16_file_is_not_in_the_snapshots_or_the_bundle(tmp_path: Path, tutor_home: Path) -> None:
    """Found by attack: `touch "notes-$(cat tok.txt)"` kept the token in a tree's file name; a UTF-16 copy kept it in a blob."""
    import subprocess

    from tests.helpers.live_support import make_user_repo
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.record.session_lesson import write_session_lesson
    from tutor.services.live import session_records, session_workspace, start_session
    from tutor.settings import Settings

    token = "ghp_" + "".join(__import__("random").Random(7).choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=36))
    repo = make_user_repo(tmp_path)
    (repo / "tok.txt").write_text(token + "\n")
    utf16 = "python3 - {} {} <<'EOF'\nimport sys\nopen(sys.argv[1], 'wb').write(open('tok.txt').read().encode(sys.argv[2]))\nEOF"
    turns = [
        AgentTurn("Filing notes.", (
            ToolCall("c1", "run", {"command": 'touch "notes-$(cat tok.txt | tr -d "\\n").txt"; mkdir -p "d-$(cat tok.txt | tr -d "\\n")"; echo x > "d-$(cat tok.txt | tr -d "\\n")/f"'}),
            ToolCall("c2", "run", {"command": utf16.format("win.env", "utf-16")}),
            ToolCall("c3", "run", {"command": utf16.format("win-le.env", "utf-16-le")}),
        )),
        AgentTurn("Done."),
    ]
    session = start_session(mode="record", settings=Settings(), repo=repo, task="file notes", agent=ScriptedAgent(turns))
    loop = session.loop
    loop.set_goal("File the notes; done when they are there.")
    while await loop.advance() == "gate":
        await loop.run(loop.state.current.call.id)
    loop.end()
    session.close()
    records = session_records(session.id)
    workspace = session_workspace(records)
    results = [record for record in records if record.get("kind") == "result"]
    assert len(results) == 3 and all(record.get("ok") for record in results), [(r.get("output"), r.get("error")) for r in results]
    names = list((Path(workspace.root)).iterdir())
    assert token.encode("utf-16-le") in (Path(workspace.root) / "win-le.env").read_bytes(), "the control: a UTF-16 copy"
    assert any(token in path.name for path in names), "the control: the agent's own files keep their names"
    out = tmp_path / "lesson"
    write_session_lesson(records, workspace, out, lesson_id="notes")

    def stored(git_dir_or_bundle: Path) -> bytes:
        target = git_dir_or_bundle
        if target.suffix == ".bundle":
            target = tmp_path / "unbundled"
            subprocess.run(["git", "init", "-q", "--bare", str(target)], check=True)
            subprocess.run(["git", "-C", str(target), "fetch", "-q", str(git_dir_or_bundle), "refs/*:refs/*"], check=True, capture_output=True)
        # What the snapshots hold (reachable from refs/tutor/*, what a lesson is made of); the workspace's
        # own files and the starting point it was cloned at are, like the user's, not redacted.
        listing = subprocess.run(["git", "--git-dir", str(target), "rev-list", "--objects", "--glob=refs/tutor/*"], capture_output=True, check=True).stdout
        ids = b"\n".join(line.split(b" ")[0] for line in listing.splitlines()) + b"\n"
        objects = subprocess.run(["git", "--git-dir", str(target), "cat-file", "--batch"], input=ids, capture_output=True, check=True).stdout
        trees = subprocess.run(["git", "--git-dir", str(target), "log", "--glob=refs/tutor/*", "--name-only", "--format="], capture_output=True, check=True).stdout
        return objects + trees

    for name, blob in (("snapshots", stored(Path(workspace.git_dir))), ("bundle", stored(out / "repo.bundle"))):
        for codec in ("utf-8", "utf-16-le", "utf-16-be"):
            at = blob.find(token.encode(codec))
            assert at < 0, f"the token in the {name} ({codec}): {blob[max(0, at - 300) : at + 60]!r}"
        assert b"[REDACTED:github-token]" in blob, name


def test_a_string_once_clean_is_redacted_once_its_secret_is_learned() -> None:
    """`redact_obj` remembers short strings it found clean, across records (a journal's keys and repeated values):
    what it remembers holds only for the values it knew then. A string first seen before its secret was learned
    is redacted when it comes again after."""
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    encoded = base64.b64encode(token.encode()).decode()
    remembering = RememberingRedactor()
    record = {"kind": "result", "output": encoded, "ok": True}
    assert remembering.redact_obj(record) == record  # base64 of an unknown token: nothing to see yet
    assert remembering.redact_obj(record) == record  # the same record again: remembered as clean
    remembering.redact_obj({"kind": "result", "output": f"export GITHUB_TOKEN={token}"})  # now found, and learned
    assert encoded not in json.dumps(remembering.redact_obj(record)), "a string remembered as clean before the token was learned"
    plain = Redactor()
    assert plain.redact_obj({"k": "calm words"}) == {"k": "calm words"} == plain.redact_obj({"k": "calm words"})
    assert plain.redact_obj({"k": f"token {token}"}) != {"k": f"token {token}"}


def test_a_tools_output_remembered_clean_is_redacted_once_its_secret_is_learned() -> None:
    """`redact` remembers the short texts it found clean too (a tool's output, which the journal's record of it
    redacts again), with the same rule: a text judged before a secret was learned is judged again after."""
    token = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
    encoded = base64.b64encode(token.encode()).decode()
    remembering = RememberingRedactor()
    assert remembering.redact(encoded) == encoded == remembering.redact(encoded)  # unknown yet, then remembered as clean
    assert remembering.redact_obj({"output": encoded}) == {"output": encoded}  # the journal's record of it: the same answer
    remembering.redact(f"GITHUB_TOKEN={token}")  # found, and learned with its encodings
    assert encoded not in remembering.redact(encoded), "a text remembered as clean before the token was learned"
    assert encoded not in json.dumps(remembering.redact_obj({"output": encoded}))
    plain = Redactor()
    assert plain.redact("calm words") == "calm words" == plain.redact("calm words")
    assert token not in plain.redact(f"token {token}") and token not in plain.redact(f"token {token}")
