"""Helpers for live-session tests: a user repository to protect, and its fingerprint."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "User", "GIT_AUTHOR_EMAIL": "user@example.com",
    "GIT_COMMITTER_NAME": "User", "GIT_COMMITTER_EMAIL": "user@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def make_user_repo(root: Path) -> Path:
    """A small project with a commit, an uncommitted change and an ignored `.env` holding a secret."""
    repo = root / "user-repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("def add(a, b):\n    return a - b\n")
    (repo / "test_app.py").write_text("from app import add\n\nassert add(2, 2) == 4, 'add is broken'\nprint('ok')\n")
    (repo / ".gitignore").write_text(".env\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    (repo / "notes.md").write_text("uncommitted notes\n")
    (repo / ".env").write_text("SECRET_TOKEN=ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8\n")
    return repo


def fingerprint(repo: Path) -> str:
    """A hash of every file and symlink under `repo`, `.git` included, with modes: any change shows."""
    digest = hashlib.sha256()
    for path in sorted(repo.rglob("*")):
        relative = path.relative_to(repo).as_posix()
        if path.is_symlink():
            digest.update(f"L {relative} {os.readlink(path)}\n".encode())
        elif path.is_file():
            digest.update(f"F {relative} {path.stat().st_mode:o} ".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        elif path.is_dir():
            digest.update(f"D {relative}\n".encode())
    return digest.hexdigest()


LEARNER_GOAL = "add() returns the sum; done when python3 test_app.py prints ok; only touch app.py"


def learner_turns() -> list:
    """The agent's script for `play_learner_session`: a bad write to the test, the fix, a check, done."""
    from tutor.agent.scripted import AgentTurn, ToolCall

    return [
        AgentTurn("I'll make the test pass.", (ToolCall("bad", "write_file", {"path": "test_app.py", "content": "print('ok')\n"}),)),
        AgentTurn("Fixing add instead.", (ToolCall("fix", "edit_file", {"path": "app.py", "old": "return a - b", "new": "return a + b"}),)),
        AgentTurn("Checking.", (ToolCall("check", "run", {"command": "pwd; python3 test_app.py"}),)),
        AgentTurn("Done: add adds."),
    ]


async def play_learner_session(repo: Path, turns: list, *, end: bool = True) -> str:  # noqa: ANN001 - AgentTurns
    """A pair session as a learner lives it on `repo`: call `bad` corrected (test), `fix` run predicted right, `check` run predicted wrong.

    `turns` is the ScriptedAgent's script: it must propose `bad`, then `fix`, then `check`.
    """
    from tutor.agent.scripted import ScriptedAgent
    from tutor.services.live import start_session
    from tutor.settings import Settings

    session = start_session(mode="pair", settings=Settings(), repo=repo, task="fix add", agent=ScriptedAgent(turns))
    loop = session.loop
    loop.set_goal(LEARNER_GOAL)
    assert await loop.advance() == "gate"
    loop.predict("bad", "works", "high")
    loop.correct("bad", "test", "Do not touch the test; fix add in app.py.")
    assert await loop.advance() == "gate"
    loop.predict("fix", "works", "medium")
    await loop.run("fix")
    assert await loop.advance() == "gate"
    loop.predict("check", "fails", "low")
    await loop.run("check")
    assert await loop.advance() == "human"
    if end:
        loop.end()
    session.close()
    return session.id
