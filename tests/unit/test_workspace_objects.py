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


def test_a_link_planted_in_the_git_folder_never_carries_tutors_own_writes_elsewhere(tmp_path: Path) -> None:
    """Objects and refs are written relative to folders opened without following links: a planted link fails, nothing lands outside."""
    from tutor.vcs.workspace.objects import write_object

    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    outside = tmp_path / "outside"
    outside.mkdir()
    body = b"planted\n"
    sha = write_object(repo / ".git", "blob", body, "sha1")
    assert git(repo, "cat-file", "blob", sha) == "planted"
    fanout = repo / ".git" / "objects" / sha[:2]
    for entry in fanout.iterdir():
        entry.chmod(0o644)
        entry.unlink()
    fanout.rmdir()
    fanout.symlink_to(outside)
    with pytest.raises(VcsError, match="not a folder"):
        write_object(repo / ".git", "blob", body, "sha1")
    (repo / ".git" / "refs" / "tutor").mkdir()
    (repo / ".git" / "refs" / "tutor" / "calls").symlink_to(outside)
    with pytest.raises(VcsError, match="not a folder"):
        write_ref(repo / ".git", "refs/tutor/calls/0001", sha)
    assert list(outside.iterdir()) == []


def test_a_fanout_folder_linked_after_a_trusted_scan_is_still_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan of `objects` skipped while its ctime is unchanged: planting a link changes it, so the next rescan scans and refuses.

    A snapshot by paths that starts no git process skips the scan: its own writes never follow the link.
    """
    import tutor.vcs.workspace.gitdir as gitdir

    monkeypatch.setattr(gitdir, "SETTLED_NS", -1)  # trust every clean scan at once (normally only a folder settled two seconds)
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "a.txt").write_text("a\n")
    workspace = Workspace.from_folder(seed, tmp_path / "ws")
    (workspace.root / "a.txt").write_text("b\n")
    workspace.snapshot("calls/0001")  # a rescan: the scan runs, and is trusted from now on (the folder unchanged)
    assert workspace._git_dir_check.objects_checked is not None
    (workspace.root / "a.txt").write_text("b2\n")
    workspace.snapshot("calls/0002")
    outside = tmp_path / "outside"
    outside.mkdir()
    taken = next(entry for entry in (workspace.git_dir / "objects").iterdir() if len(entry.name) == 2)
    os.rename(taken, tmp_path / "parked")
    taken.symlink_to(outside)
    for number in range(3, 40):  # the plain case: whatever fan-out folder its objects need, nothing goes through the link
        (workspace.root / "a.txt").write_text(f"{number}\n")
        try:
            workspace.snapshot(f"calls/{number:04d}", paths=["a.txt"])
        except VcsError as error:
            assert "not a folder" in str(error)
    assert list(outside.iterdir()) == []
    (workspace.root / "a.txt").write_text("rescanned\n")
    with pytest.raises(VcsError, match="tampered"):
        workspace.snapshot("calls/0040")  # a rescan runs git add: the scan runs first and refuses
    assert list(outside.iterdir()) == []


def test_a_reopened_workspace_chains_its_next_snapshot_on_the_newest_one(tmp_path: Path) -> None:
    """Each snapshot rewrites `tutor-last` in place (not the state file); `open` reads it, and falls back to the state file's word if it is unreadable."""
    from tutor.vcs.workspace.common import LAST_FILE, STATE_FILE

    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "a.txt").write_text("a\n")
    workspace = Workspace.from_folder(seed, tmp_path / "ws")
    state = (workspace.git_dir / STATE_FILE).read_text()
    commits = []
    for number in range(3):
        (workspace.root / "a.txt").write_text(f"{number}\n")
        commits.append(workspace.snapshot(f"calls/{number:04d}", paths=["a.txt"]))
    assert (workspace.git_dir / STATE_FILE).read_text() == state  # not rewritten per snapshot
    assert (workspace.git_dir / LAST_FILE).read_text() == f"{commits[-1]}\n"
    workspace.close()

    reopened = Workspace.open(workspace.root)
    assert reopened.last == commits[-1]
    (reopened.root / "a.txt").write_text("after\n")
    after = reopened.snapshot("calls/0003", paths=["a.txt"])
    assert git(reopened.root, "rev-parse", f"{after}^") == commits[-1]
    reopened.close()

    (workspace.git_dir / LAST_FILE).write_text("0" * 40 + "\n")  # names no commit (a torn write, a command): the state file's word
    assert Workspace.open(workspace.root).last == workspace.base


def test_the_newest_snapshot_id_is_never_written_through_a_link_or_another_name(tmp_path: Path) -> None:
    from tutor.vcs.workspace.common import LAST_FILE

    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "a.txt").write_text("a\n")
    workspace = Workspace.from_folder(seed, tmp_path / "ws")
    (workspace.root / "a.txt").write_text("b\n")
    workspace.snapshot("calls/0001", paths=["a.txt"])
    last = workspace.git_dir / LAST_FILE
    for plant in ("symlink", "hardlink"):
        victim = tmp_path / f"user-file-{plant}"
        victim.write_text("x" * len(last.read_text()))  # the same size: an in-place write would fit
        last.unlink()
        if plant == "symlink":
            last.symlink_to(victim)
        else:
            os.link(victim, last)
        (workspace.root / "a.txt").write_text(f"{plant}\n")
        commit = workspace.snapshot(f"calls/{plant}", paths=["a.txt"])
        assert victim.read_text() == "x" * 41
        assert not last.is_symlink() and last.stat().st_nlink == 1 and last.read_text() == f"{commit}\n"
