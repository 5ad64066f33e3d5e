"""The redaction corpus through every channel that stores text: no planted secret survives.

Channels: (a) the redactor itself; (b) a live session (record mode): its journal, its
workspace's snapshots, and the lesson and bundle made from it; (c) a lesson built with
`tutor build` from a source whose notes, write_file contents and outputs carry the
secrets; (d) that lesson's bundle, every object and commit message; (e) `tutor import
claude-code` of a transcript carrying them. Each channel takes every kind at once.

A secret "survives" if it is found as it is, or (for environment values, which the
redactor knows) in any of its encodings, or its last 16 characters (long secrets) —
also with whitespace and JSON `\\n` escapes removed, so that a value wrapped by `base64`
or spaced by `od` is caught. Seeds vary: `TUTOR_CORPUS_SEED` picks another.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.redaction_corpus import ENV_PREFIX, Case, corpus, encoded_forms, environment
from tutor.record.redact import Redactor

# A new seed every day (the same in every test worker), or the one asked for.
SEED = int(os.environ.get("TUTOR_CORPUS_SEED", "0")) or int(time.strftime("%Y%m%d"))
SEEDS = [1, 2, 3, SEED]

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _forms(case: Case) -> list[str]:
    out: list[str] = []
    for secret in case.secrets:
        forms = encoded_forms(secret) if case.encoded else [secret]
        if len(secret) >= 24:
            forms.append(secret[-16:])
        out.extend(f for f in forms if f not in out)
    return out


_FLATTEN = re.compile(r"\s+|\\[nrt]")


def survivors(stored: str, cases: list[Case]) -> list[str]:
    """The kinds whose secret (or an encoding of it) is in `stored`."""
    flat = _FLATTEN.sub("", stored)
    found = []
    for case in cases:
        for form in _forms(case):
            if form in stored or (len(form) >= 12 and form in flat):
                found.append(f"{case.kind}: {form[:10]}...")
                break
    return found


def git_objects(git_dir_or_bundle: Path, tmp: Path) -> str:
    """Every object (blobs, trees, commits with their messages) of a bundle or a git dir, as text."""
    if git_dir_or_bundle.is_file():
        repo = tmp / ("unbundled-" + git_dir_or_bundle.parent.name)
        subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
        subprocess.run(["git", "--git-dir", str(repo), "fetch", "-q", str(git_dir_or_bundle), "refs/*:refs/*"], check=True)
        git_dir_or_bundle = repo
    out = subprocess.run(
        ["git", "--git-dir", str(git_dir_or_bundle), "cat-file", "--batch-all-objects", "--batch"], check=True, capture_output=True
    ).stdout
    return out.decode("utf-8", "replace")


def all_text(cases: list[Case]) -> str:
    return "\n".join(f"## {case.kind}\n{case.text}" for case in cases)


def env_file(cases: list[Case]) -> str:
    """The environment values, one `NAME=value` a line: commands print this file encoded."""
    return "".join(f"{name}={value}\n" for name, value in environment(cases).items())


@pytest.fixture
def cases(monkeypatch: pytest.MonkeyPatch) -> list[Case]:
    made = corpus(SEED)
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    for name, value in environment(made).items():
        monkeypatch.setenv(name, value)
    return made


def test_the_corpus_has_fifty_kinds_or_more() -> None:
    made = corpus(1)
    assert len({case.kind for case in made}) >= 50
    assert all(case.secrets and all(s in case.text or case.encoded for s in case.secrets) for case in made)
    assert corpus(1) != corpus(2), "seeds give different secrets"


# ------------------------------------------------------------------------ (a) the redactor


@pytest.mark.parametrize("seed", SEEDS)
def test_a_the_redactor_leaves_no_secret_of_any_kind(seed: int) -> None:
    made = corpus(seed)
    redactor = Redactor.from_environment(environment(made))
    left = []
    for case in made:
        out = redactor.redact(case.text)
        left += survivors(out, [case])
        assert redactor.redact(out) == out, case.kind
        assert "[REDACTED:" in out, case.kind
    assert left == [], f"seed {seed}: {left}"


def test_a_the_redactor_leaves_no_secret_in_the_whole_corpus_at_once() -> None:
    made = corpus(SEED)
    text = all_text(made)
    assert survivors(Redactor.from_environment(environment(made)).redact(text), made) == []
    assert survivors(text, made) != [], "the control: the corpus does hold them"


# ------------------------------------------------------------------------ (b) a live session


@needs_git
async def test_b_a_live_session_stores_no_secret(cases: list[Case], tmp_path: Path, tutor_home: Path) -> None:
    from tests.helpers.live_support import make_user_repo
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.record.session_lesson import write_session_lesson
    from tutor.services.live import journal_path, session_records, session_workspace, start_session
    from tutor.settings import Settings

    text = all_text(cases)
    turns = [
        AgentTurn("Here is what I found:\n" + text, (
            ToolCall("c1", "write_file", {"path": "corpus.txt", "content": text}),
            ToolCall("c2", "run", {"command": "cat corpus.txt"}),
            ToolCall("c3", "write_file", {"path": "env.txt", "content": env_file(cases)}),
            ToolCall("c4", "run", {"command": "base64 env.txt; od -An -tx1 env.txt; cat env.txt"}),
        )),
        AgentTurn("Done."),
    ]
    repo = make_user_repo(tmp_path)
    session = start_session(mode="record", settings=Settings(), repo=repo, task="rotate the keys", agent=ScriptedAgent(turns))
    loop = session.loop
    loop.set_goal("Rotate the keys; done when none is left in the project.")
    while await loop.advance() == "gate":
        await loop.run(loop.state.current.call.id)
    loop.end()
    session.close()

    journal = journal_path(session.id).read_text(encoding="utf-8")
    assert "[REDACTED:" in journal and "cat corpus.txt" in journal
    records = session_records(session.id)
    outputs = [r for r in records if r.get("kind") == "result"]
    assert len(outputs) == 4 and all(r.get("ok") for r in outputs), outputs
    workspace = session_workspace(records)
    snapshots = git_objects(Path(workspace.git_dir), tmp_path)
    out = tmp_path / "from-session"
    write_session_lesson(records, workspace, out, lesson_id="corpus-session")
    lesson = (out / "lesson.json").read_text(encoding="utf-8")
    bundle = git_objects(out / "repo.bundle", tmp_path)
    assert "corpus.txt" in bundle and "[REDACTED:" in bundle, "the control: the bundle holds the files"
    for name, stored in (("journal", journal), ("snapshots", snapshots), ("session lesson", lesson), ("session bundle", bundle)):
        assert survivors(stored, cases) == [], f"{name} (seed {SEED})"


# ------------------------------------------------------------------- (c, d) tutor build and its bundle


def _toml(value: str) -> str:
    return json.dumps(value)


@needs_git
def test_c_d_a_built_lesson_and_its_bundle_hold_no_secret(cases: list[Case], tmp_path: Path) -> None:
    from tutor.build.builder import build_lesson
    from tutor.build.source import read_source

    text = all_text(cases)
    source = tmp_path / "corpus" / "source"
    (source / "seed").mkdir(parents=True)
    (source / "seed" / "settings.txt").write_text(text)
    (source / "lesson.toml").write_text(f"""
id = "corpus"
title = "Secrets everywhere"
task = {_toml("Rotate them: " + cases[0].text)}

[[steps]]
kind = "goal"
text = "Find the keys; done when they are listed."
ask = {{ type = "goal" }}

[[steps]]
kind = "note"
text = {_toml(text)}
annotation = {_toml(text)}

[[steps]]
kind = "agent"
text = {_toml("I will write them down, then print them. " + text)}
calls = [
  {{ tool = "write_file", input = {{ path = "corpus.txt", content = {_toml(text)} }} }},
  {{ tool = "run", input = {{ command = "cat corpus.txt settings.txt" }} }},
  {{ tool = "write_file", input = {{ path = "env.txt", content = {_toml(env_file(cases))} }} }},
  {{ tool = "run", input = {{ command = "base64 env.txt; od -An -tx1 env.txt; base64 corpus.txt" }} }},
]

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "result"
expect = "ok"
ask = {{ type = "outcome", prompt = {_toml("Will it print " + cases[1].text + "?")} }}
""")
    build_lesson(read_source(source), source.parent)
    lesson = (source.parent / "lesson.json").read_text(encoding="utf-8")
    assert lesson.count("[REDACTED:") >= 4 * len(cases), "the control: the lesson shows them, redacted"
    bundle = git_objects(source.parent / "repo.bundle", tmp_path)
    assert "corpus.txt" in bundle and "settings.txt" in bundle
    assert survivors(lesson, cases) == [], f"lesson.json (seed {SEED})"
    assert survivors(bundle, cases) == [], f"repo.bundle (seed {SEED})"


# --------------------------------------------------------------------- (e) tutor import claude-code


def test_e_an_imported_claude_code_transcript_holds_no_secret(cases: list[Case], tmp_path: Path) -> None:
    from tutor.cli import cli

    text = all_text(cases)

    def user(content: object) -> dict:
        return {"type": "user", "isSidechain": False, "cwd": "/home/u/proj", "uuid": "u", "message": {"role": "user", "content": content}}

    def assistant(msg_id: str, *blocks: dict) -> dict:
        return {"type": "assistant", "isSidechain": False, "cwd": "/home/u/proj", "uuid": "a", "message": {"id": msg_id, "role": "assistant", "content": list(blocks)}}

    def use(use_id: str, name: str, **data: object) -> dict:
        return {"type": "tool_use", "id": use_id, "name": name, "input": data}

    def result(use_id: str, content: str) -> dict:
        return user([{"type": "tool_result", "tool_use_id": use_id, "content": content, "is_error": False}])

    records = [
        user("Rotate these keys: " + cases[0].text),
        assistant("m1", {"type": "text", "text": "I found these:\n" + text}),
        assistant("m2", use("t1", "Write", file_path="/home/u/proj/corpus.txt", content=text)),
        result("t1", "File created successfully at: /home/u/proj/corpus.txt"),
        assistant("m3", use("t2", "Bash", command="cat corpus.txt", description="show")),
        result("t2", text),
        assistant("m4", use("t3", "Read", file_path="/home/u/proj/corpus.txt")),
        result("t3", "\n".join(f"{n:6}\u2192{line}" for n, line in enumerate(text.splitlines(), 1))),
        assistant("m5", use("t4", "Edit", file_path="/home/u/proj/corpus.txt", old_string=cases[2].text, new_string=cases[3].text)),
        result("t4", "The file has been updated."),
        user("Thanks. Also " + cases[4].text),
        assistant("m6", {"type": "text", "text": "Done."}),
    ]
    transcript = tmp_path / "session.jsonl"
    transcript.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    out = tmp_path / "imported"
    run = CliRunner().invoke(cli, ["import", "claude-code", str(transcript), "--out", str(out)])
    assert run.exit_code == 0, run.output
    lesson = (out / "lesson.json").read_text(encoding="utf-8")
    assert lesson.count("[REDACTED:") >= 2 * len(cases)
    assert survivors(lesson, cases) == [], f"imported lesson (seed {SEED})"
    assert survivors(run.output, cases) == []


# ------------------------------------------------------------------------ false positives


def test_false_positives_on_the_projects_sources_a_pytest_log_and_a_git_log(capsys: pytest.CaptureFixture[str]) -> None:
    """benchmarks/redaction_false_positives.py: nothing there is a secret, so every finding is a false positive.

    The only findings allowed are the example passwords the redactor's own comments show
    (`-pS3cret`, `--password hunter2`): found rightly, written there to be.
    """
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "redaction_false_positives.py"
    spec = importlib.util.spec_from_file_location("redaction_false_positives", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    results = {corpus.name: corpus for corpus in module.false_positives()}
    with capsys.disabled():
        for corpus in results.values():
            print(f"\n{corpus.name}: {len(corpus.findings)} finding(s) in {corpus.characters:,} characters")
    assert set(results) == {"sources", "pytest log", "git log -p"}
    assert results["sources"].characters > 500_000 and results["pytest log"].characters > 5_000
    for corpus in results.values():
        wrong = [f for f in corpus.findings if f[2] not in module.ACCEPTED]
        assert wrong == [], f"{corpus.name}: false positives {wrong}"
        assert len(corpus.findings) <= 12, corpus.findings
    assert results["pytest log"].findings == []
