"""Redaction false positives: what the redactor takes out of text that holds no secret.

Counted on the project's own sources (tutor/**/*.py, tests/**/*.py but tests/e2e and the secret fixtures,
docs/*.md, README.md), on a real pytest log (a small `pytest -v` run, made here), and on
a real `git log -p` of this repository (the last `COMMITS` commits, without the secret
fixtures' own diffs). Every finding is a false positive: none of this text holds a secret.

    python benchmarks/redaction_false_positives.py          # the figures, and each finding

`false_positives()` returns the figures for the test (tests/unit/test_redaction_corpus.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITS = 40
LOG_UNTIL = "b1eb7b7"  # the corpus's commit: its 40 commits hold the redaction package's own history
# Example passwords in the redactor's own documentation (`mysql -uroot -pS3cret shop`,
# `--password hunter2`): found, rightly; they are written there to be.
ACCEPTED = {"S3cret", "hunter2", "s3cr3tv4lue"}
# Files that hold fake secrets on purpose (or patterns shaped like them): not counted.
FIXTURES = {
    "tests/unit/test_redact.py", "tests/helpers/secret_tokens.py", "tests/helpers/redaction_corpus.py", "tests/unit/test_redaction_corpus.py", "tests/unit/test_build_secrets.py",
    "tests/unit/test_import_claude_code.py", "tests/unit/test_live_session.py", "tests/helpers/live_support.py", "tests/helpers/pair_support.py",
    "tests/unit/test_agent_tools.py", "tests/unit/test_session_review.py", "tests/crash/test_record_crash.py", "tests/helpers/record_crash_driver.py",
    "tests/unit/test_import_hardening.py", "tests/helpers/fake_messages_api.py", "tests/ui/test_ui_pair.py", "tests/ui/test_ui_record.py",
    "tests/unit/test_cli.py", "tests/unit/test_sandbox.py", "tests/unit/test_mentor.py", "tests/unit/test_vcs_workspace.py",
    "tests/unit/test_redaction_paragraphs.py", "tests/unit/test_redaction_batch.py", "tests/helpers/redaction_pieces.py",
}
# The pytest run whose log is counted: fast, verbose, no secrets in it. (Four files with property tests took 27 s of
# the suite's slowest test; these three log 120 tests in under 5 s.)
LOG_TESTS = ["tests/unit/test_words.py", "tests/unit/test_import_thread.py", "tests/unit/test_group_protocol.py"]
# ... and a run with failures, for tracebacks: assertion rewriting, locals, diffs of dicts.
FAILING = '''
import hashlib, json, uuid

def test_digest():
    data = {"id": str(uuid.UUID(int=7)), "sha": hashlib.sha256(b"x").hexdigest(), "token_count": 4096}
    assert json.dumps(data) == json.dumps({**data, "token_count": 4097})

def test_commit(tmp_path):
    commit = hashlib.sha1(b"tree").hexdigest()
    session_id = "20240501-120000-" + commit[:6]
    assert (tmp_path / session_id).exists(), f"no workspace for {session_id} at {commit}"
'''


@dataclass
class Corpus:
    name: str
    texts: int = 0
    characters: int = 0
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (where, kind, the text taken)


def _sources() -> list[tuple[str, str]]:
    paths = sorted(ROOT.glob("tutor/**/*.py")) + sorted(path for path in ROOT.glob("tests/**/*.py") if "e2e" not in path.parts and "__snapshots__" not in path.parts) + sorted(ROOT.glob("docs/*.md"))
    paths += [ROOT / "README.md"]
    out = []
    for path in paths:
        relative = path.relative_to(ROOT).as_posix()
        if relative in FIXTURES or not path.is_file():
            continue
        out.append((relative, path.read_text(encoding="utf-8", errors="replace")))
    return out


def _pytest_log() -> list[tuple[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TUTOR_"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=", *LOG_TESTS],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )
    import tempfile

    with tempfile.TemporaryDirectory() as temp:
        failing = Path(temp) / "test_failing.py"
        failing.write_text(FAILING)
        fails = subprocess.run(
            [sys.executable, "-m", "pytest", "-v", "-l", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=", str(failing)],
            cwd=temp, capture_output=True, text=True, env=env, timeout=300,
        )
    return [("pytest -v " + " ".join(LOG_TESTS), run.stdout + run.stderr), ("pytest -v -l (failures)", fails.stdout + fails.stderr)]


def _git_log() -> list[tuple[str, str]]:
    """`git log -p` of the `COMMITS` commits up to `LOG_UNTIL` (fixed, so that later commits change no figure)."""
    # The history counted predates tests/unit, tests/ui, tests/crash and tests/helpers: the fixtures were then flat in tests/.
    flat = {"tests/" + path.rsplit("/", 1)[-1] for path in FIXTURES}
    excluded = [f":(exclude){path}" for path in sorted(FIXTURES | flat)]
    until = LOG_UNTIL if _has_commit(LOG_UNTIL) else "HEAD"
    run = subprocess.run(
        ["git", "log", "-p", f"-{COMMITS}", "--no-color", until, "--", ".", *excluded],
        cwd=ROOT, capture_output=True, text=True, errors="replace", timeout=300,
    )
    return [(f"git log -p -{COMMITS}", run.stdout)] if run.returncode == 0 else []


def _has_commit(rev: str) -> bool:
    run = subprocess.run(["git", "cat-file", "-e", rev + "^{commit}"], cwd=ROOT, capture_output=True)
    return run.returncode == 0


def false_positives() -> list[Corpus]:
    from tutor.record.redact import Redactor

    redactor = Redactor()  # the patterns: an environment's values would only add exact matches
    results = []
    for name, texts in (("sources", _sources()), ("pytest log", _pytest_log()), ("git log -p", _git_log())):
        corpus = Corpus(name)
        for where, text in texts:
            corpus.texts += 1
            corpus.characters += len(text)
            for finding in redactor.found(text):
                line = text.count("\n", 0, finding.start) + 1
                corpus.findings.append((f"{where}:{line}", finding.kind, text[finding.start : finding.end]))
        results.append(corpus)
    return results


def main() -> None:
    for corpus in false_positives():
        accepted = sum(taken in ACCEPTED for _, _, taken in corpus.findings)
        print(
            f"{corpus.name}: {len(corpus.findings)} finding(s) in {corpus.texts} text(s), {corpus.characters:,} characters:"
            f" {len(corpus.findings) - accepted} false positive(s), {accepted} example password(s) of the redactor's documentation"
        )
        for where, kind, taken in corpus.findings:
            note = "  (documented example)" if taken in ACCEPTED else ""
            print(f"    {where}  {kind}  {taken[:60]!r}{note}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
