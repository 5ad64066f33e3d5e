"""A sandboxed command cannot make Tutor's own git, which runs outside the sandbox, do its work.

Found by attack: a command that rewrote the workspace's `.git/config` (a promisor remote whose
`uploadpack` is a shell command, then an object deleted so that the next snapshot fetches it)
ran a program outside the sandbox with the user's full rights; one that put links in
`.git/logs` made Tutor's `update-ref` append to any file, the user's repository included.
The workspace's `.git` is read-only inside the sandbox, so neither can be prepared.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

from tutor.agent.sandbox import find_bwrap, probe

REASON = probe(find_bwrap())
needs_bwrap = pytest.mark.skipif(bool(REASON) or shutil.which("git") is None, reason=REASON or "git is not installed")


def tree_of(repo: Path) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for folder, _, files in os.walk(repo):
        for name in files:
            path = Path(folder, name)
            info = path.lstat()
            content = os.readlink(path) if stat.S_ISLNK(info.st_mode) else hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(repo))] = (info.st_mode, content)
    return found


async def run_session(tutor_home: Path, tmp_path: Path, commands: list[str]) -> tuple[Path, list[dict]]:
    from tests.helpers.live_support import make_user_repo
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.services.live import session_records, start_session
    from tutor.settings import Settings

    # The user's repository outside /tmp (the sandbox's /tmp is private, which would hide it anyway).
    root = tutor_home / "projects"
    root.mkdir()
    repo = make_user_repo(root)
    calls = tuple(ToolCall(f"c{i}", "run", {"command": command}) for i, command in enumerate(commands, 1))
    session = start_session(mode="record", settings=Settings(), repo=repo, task="t", agent=ScriptedAgent([AgentTurn("Working.", calls), AgentTurn("Done.")]))
    assert session.sandbox.active, session.sandbox.line
    loop = session.loop
    loop.set_goal("Do it; done when done.")
    while await loop.advance() == "gate":
        await loop.run(loop.state.current.call.id)
    loop.end()
    session.close()
    return repo, session_records(session.id)


@needs_bwrap
async def test_a_promisor_remote_cannot_be_planted_for_tutors_git(tutor_home: Path, tmp_path: Path) -> None:
    marker = tutor_home / "ran-outside"
    attack = (
        "last=$(git for-each-ref --sort=-refname --format='%(objectname)' refs/tutor | head -1); "
        "rm -f .git/tutor-index .git/objects/$(echo $last | cut -c1-2)/$(echo $last | cut -c3-); "
        "git config core.repositoryformatversion 1; git config extensions.partialClone evil; "
        'git config remote.evil.url "$PWD/.git"; git config remote.evil.promisor true; '
        f"git config remote.evil.uploadpack \"sh -c 'id > {marker}'; false\"; echo attempted"
    )
    _repo, records = await run_session(tutor_home, tmp_path, ["echo hello > new.txt", attack, "echo again >> new.txt"])
    results = [record for record in records if record.get("kind") == "result"]
    assert len(results) == 3
    assert not marker.exists(), marker.read_text()
    assert "Read-only file system" in str(results[1]), results[1]
    snapshots = {record["call"] for record in records if record.get("kind") in ("result", "snapshot") and record.get("commit")}
    assert len(snapshots) == 3, "every command was still snapshotted"


@needs_bwrap
async def test_reflog_links_cannot_make_tutors_git_append_to_the_users_files(tutor_home: Path, tmp_path: Path) -> None:
    attack = (
        'user_top=$(dirname "$(dirname "$(cat .git/objects/info/alternates)")"); '
        "mkdir -p .git/logs/refs/tutor/calls; "
        'for n in 0002 0003 0004; do ln -sf "$user_top/app.py" .git/logs/refs/tutor/calls/$n; done; '
        "git config user.name 'x; touch /tmp/owned; #'; echo attempted"
    )
    from tests.helpers.live_support import make_user_repo  # noqa: F401 - the same repository the session makes

    root = tutor_home / "projects"
    repo, records = await run_session(tutor_home, tmp_path, ["echo hi > a.txt", attack, "echo x >> a.txt"])
    assert repo.parent == root
    app = (repo / "app.py").read_text()
    assert app == "def add(a, b):\n    return a - b\n", app
    results = [record for record in records if record.get("kind") == "result"]
    assert "Read-only file system" in str(results[1]), results[1]


@needs_bwrap
def test_the_workspace_git_folder_is_read_only_inside_and_the_work_tree_writable(tmp_path: Path) -> None:
    from tests.helpers.live_support import make_user_repo
    from tutor.agent.sandbox import sandbox_status
    from tutor.agent.tools import Tools
    from tutor.settings import Settings
    from tutor.vcs.workspace import Workspace

    repo = make_user_repo(tmp_path)
    before = tree_of(repo)
    workspace = Workspace.from_repository(repo, tmp_path / "ws", objects="alternates")
    tools = Tools(workspace.root, sandbox=sandbox_status(Settings(), read_only=workspace.shared_objects), timeout=20)
    out = tools.execute("run", {"command": "git log --oneline | wc -l; git status --short | head -3; touch .git/x; rm -rf .git; echo ok > mine.txt; cat mine.txt"})
    text = str(out)
    assert "Read-only file system" in text and "ok" in text, text
    assert (workspace.root / "mine.txt").read_text() == "ok\n"
    assert (workspace.root / ".git" / "HEAD").is_file()
    workspace.snapshot("refs/tutor/calls/0001")
    assert tree_of(repo) == before
