"""`tutor.vcs.workspace.objects`: the snapshot's commit and ref written by Tutor are the ones git writes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tutor.vcs.workspace import AUTHOR, FIXED_DATE, VcsError, Workspace
from tutor.vcs.workspace.objects import git_date, loose_refs, write_commit, write_ref


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    base.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, **(env or {}))
    done = subprocess.run(["git", *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def commit_tree(repo: Path, tree: str, parents: list[str], message: str, date: str) -> str:
    name, email = AUTHOR
    identity = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date,
                "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": date}
    return git(repo, "commit-tree", *[arg for parent in parents for arg in ("-p", parent)], "-m", message, tree, env=identity)


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_commit_written_by_tutor_has_the_id_git_commit_tree_gives(tmp_path: Path, object_format: str) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", f"--object-format={object_format}", str(repo))
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "a.txt")
    tree = git(repo, "write-tree")
    first = commit_tree(repo, tree, [], "seed", FIXED_DATE)
    second = commit_tree(repo, tree, [first], "two", FIXED_DATE)
    cases = [
        ([], "seed", FIXED_DATE),
        ([first], "after call 1: write_file", FIXED_DATE),
        ([first, second], "two parents\n\nand a body ending in a newline\n", "@1767300000 +0000"),
        ([second], "ünïcode — ✓", "2025-06-30T23:15:00-07:30"),
    ]
    for parents, message, date in cases:
        ours = write_commit(repo / ".git", tree, parents, message, date)
        assert ours == commit_tree(repo, tree, parents, message, date), (parents, message, date)
        assert git(repo, "cat-file", "-t", ours) == "commit"
    git(repo, "fsck", "--strict", "--no-dangling")


def test_dates_read_as_git_reads_them() -> None:
    assert git_date(FIXED_DATE) == "1767225600 +0000"
    assert git_date("@1767225600 +0000") == "1767225600 +0000"
    assert git_date("2026-01-01T05:30:00+05:30") == "1767225600 +0530"
    with pytest.raises(VcsError):
        git_date("2026-01-01T00:00:00")


def test_a_ref_written_by_tutor_reads_back_and_a_lock_stops_it_as_it_stops_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    tree = git(repo, "write-tree")
    commit = commit_tree(repo, tree, [], "x", FIXED_DATE)
    write_ref(repo / ".git", "refs/tutor/calls/0001", commit)
    assert git(repo, "rev-parse", "refs/tutor/calls/0001") == commit
    (repo / ".git" / "refs" / "tutor" / "calls" / "0002.lock").write_text("")
    with pytest.raises(VcsError, match="locked"):
        write_ref(repo / ".git", "refs/tutor/calls/0002", commit)
    with pytest.raises(VcsError, match="not a folder"):
        write_ref(repo / ".git", "refs/tutor/calls/0001/x", commit)
    assert not (repo / ".git" / "logs" / "refs" / "tutor").exists()  # no reflog, as Tutor's git writes none


def test_snapshots_use_git_update_ref_once_refs_are_packed(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "a.txt").write_text("a\n")
    workspace = Workspace.from_folder(seed, tmp_path / "ws")
    (workspace.root / "a.txt").write_text("b\n")
    first = workspace.snapshot("calls/0001", paths=["a.txt"])
    assert loose_refs(workspace.git_dir)
    git(workspace.root, "pack-refs", "--all")
    assert not loose_refs(workspace.git_dir)
    (workspace.root / "a.txt").write_text("c\n")
    second = workspace.snapshot("calls/0002", paths=["a.txt"])
    refs = workspace.refs()
    assert refs["refs/tutor/calls/0001"] == first and refs["refs/tutor/calls/0002"] == second
    assert git(workspace.root, "rev-parse", f"{second}^") == first
    git(workspace.root, "fsck", "--strict", "--no-dangling")
