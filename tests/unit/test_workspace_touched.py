"""A snapshot told which files a tool touched records the same tree as a full rescan (`tutor.vcs.workspace.touched`).

Every snapshot here is checked against the tree a full rescan gives: a twin workspace
made from the same seed gets the same calls and rescans after each (or, where no tracked
file became ignored, a `git add -A` from an empty index over the same working tree, with
the workspace's own pinned git, redacted as the workspace redacts): whatever mix of
writes, edits, commands and deletions came before, the tree is the same. The tool calls go through the real `Tools`,
whose results say what they touched, as in a live session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tutor.agent.tools import Tools
from tutor.vcs._git import run_direct
from tutor.vcs.workspace import VcsError, Workspace
from tutor.vcs.workspace.redaction import redact_index

PLANTED = "sk-live-" + "7f3a9c1e5b2d4680aaaa0123456789ab"  # from parts, under a plain name: the sources hold no secret-shaped literal
PATHS = ("a.txt", "src/b.py", "src/deep/c.py", "build/out.txt", "debug.log", "new/dir/d.md", "vendor/lib/e.txt")


def redact(data: bytes) -> bytes:
    return data.replace(PLANTED.encode(), b"[REDACTED]")


def seed(folder: Path) -> Path:
    for name, text in {
        "a.txt": "alpha\n",
        "src/b.py": "print('b')\n",
        "src/deep/c.py": "c = 1\n",
        ".gitignore": "build/\n*.log\n",
        "README.md": "# seed\n",
    }.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return folder


@pytest.fixture
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="tutor-touched-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make(scratch: Path, *, redacted: bool = False) -> tuple[Workspace, Tools]:
    workspace = Workspace.from_folder(seed(scratch / "seed"), scratch / "ws", deterministic=True)
    if redacted:
        workspace.redact_base(redact)
    return workspace, Tools(workspace.root, timeout=30)


def full_tree(workspace: Workspace, *, redacted: bool = False) -> str:
    """The tree `git add -A` records from an empty index over the working tree (redacted as the workspace redacts)."""
    index = Path(tempfile.mkdtemp(prefix="tutor-touched-index-")) / "index"
    try:
        with workspace._git(index_file=index) as git:
            run_direct(git, "add", "-A")
            if redacted:
                redact_index(git, redact, None)
            return run_direct(git, "write-tree").decode().strip()
    finally:
        shutil.rmtree(index.parent, ignore_errors=True)


def tree_of(workspace: Workspace, commit: str) -> str:
    with workspace._git() as git:
        return run_direct(git, "rev-parse", "--verify", f"{commit}^{{tree}}").decode().strip()


def files_in(workspace: Workspace, commit: str) -> dict[str, str]:
    with workspace._git() as git:
        names = run_direct(git, "ls-tree", "-r", "-z", "--name-only", commit).decode().split("\0")
        return {name: run_direct(git, "cat-file", "blob", f"{commit}:{name}").decode() for name in names if name}


class Session:
    """Tool calls on a workspace, each followed by the snapshot a live session takes (by the paths the tool reports)."""

    def __init__(self, workspace: Workspace, tools: Tools, *, rescan: bool = False) -> None:
        self.workspace, self.tools, self.count, self.rescan = workspace, tools, 0, rescan

    def call(self, tool: str, **arguments: str) -> str:
        result = self.tools.execute(tool, arguments)
        self.count += 1
        paths = None if self.rescan else result.touched
        return self.workspace.snapshot(f"calls/{self.count:04d}", f"after {tool}", paths=paths)


# ---------------------------------------------------------------- the property

OPERATIONS = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(PATHS), st.sampled_from(["one\n", "two\n", f"token {PLANTED}\n", ""])),
    st.tuples(st.just("edit"), st.sampled_from(PATHS), st.just("")),
    st.tuples(st.just("run"), st.sampled_from(PATHS), st.sampled_from(["delete", "append", "nested repository", "ignore src"])),
)
COMMANDS: dict[str, Callable[[str], str]] = {
    "delete": lambda path: f"rm -f -- '{path}'",
    "append": lambda path: f"mkdir -p -- \"$(dirname -- '{path}')\" && echo more >> '{path}'",
    "nested repository": lambda path: (
        "git init -q vendor/lib && GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z"
        " git -C vendor/lib -c user.name=a -c user.email=a@b commit -q --allow-empty -m x"
    ),
    "ignore src": lambda path: "echo 'src/deep/' >> .gitignore",
}


def apply(session: Session, operation: tuple[str, str, str]) -> str:
    kind, path, value = operation
    if kind == "write":
        return session.call("write_file", path=path, content=value)
    if kind == "edit":
        target = session.workspace.root / path
        current = target.read_text() if target.is_file() else "absent"
        return session.call("edit_file", path=path, old=current or "absent", new=current + "!")
    return session.call("run", command=COMMANDS[value](path))


@pytest.mark.parametrize("redacted", [False, True], ids=["plain", "redacted"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=8))
# Found by this test once: a file written straight into the trees, then its folder made a nested
# repository by a command; the rescan must start from the index a rescan after every call has.
@example(operations=[("write", "vendor/lib/e.txt", "one\n"), ("run", "a.txt", "nested repository")])
def test_every_snapshot_by_paths_is_the_tree_a_full_rescan_gives(redacted: bool, operations: list[tuple[str, str, str]]) -> None:
    """Two workspaces from one seed get the same calls; one snapshots by paths, its twin always rescans."""
    scratch = Path(tempfile.mkdtemp(prefix="tutor-touched-"))
    try:
        session = Session(*make(scratch / "one", redacted=redacted))
        twin = Session(*make(scratch / "twin", redacted=redacted), rescan=True)
        for operation in operations:
            commit, twins = apply(session, operation), apply(twin, operation)
            assert tree_of(session.workspace, commit) == tree_of(twin.workspace, twins), operation
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------- the cases by name


def test_a_file_a_command_edits_after_a_write_is_in_the_next_snapshot(scratch: Path) -> None:
    session = Session(*make(scratch))
    session.call("write_file", path="notes.md", content="first\n")
    commit = session.call("run", command="echo second >> notes.md")
    assert files_in(session.workspace, commit)["notes.md"] == "first\nsecond\n"


def test_a_deletion_by_a_command_shows_in_its_snapshot(scratch: Path) -> None:
    session = Session(*make(scratch))
    session.call("edit_file", path="a.txt", old="alpha", new="beta")
    commit = session.call("run", command="rm a.txt src/b.py")
    stored = files_in(session.workspace, commit)
    assert "a.txt" not in stored and "src/b.py" not in stored and stored["src/deep/c.py"] == "c = 1\n"
    assert "a.txt" in session.workspace.diff(session.workspace.base, commit)


def test_a_written_file_is_recorded_with_its_content_and_nothing_else_moves(scratch: Path) -> None:
    session = Session(*make(scratch))
    before = files_in(session.workspace, session.workspace.base)
    commit = session.call("write_file", path="src/new/module.py", content="x = 2\n")
    after = files_in(session.workspace, commit)
    assert after.pop("src/new/module.py") == "x = 2\n"
    assert after == before


def test_an_ignored_file_a_tool_writes_stays_out_as_a_rescan_leaves_it(scratch: Path) -> None:
    session = Session(*make(scratch))
    assert session.call("write_file", path="build/out.txt", content="built\n") == session.workspace.base  # tree unchanged
    assert session.call("write_file", path="debug.log", content="log\n") == session.workspace.base


def test_a_write_through_a_symlinked_folder_records_the_real_file(scratch: Path) -> None:
    workspace, tools = make(scratch)
    Session(workspace, tools).call("run", command="ln -s src/deep alias")
    result = tools.execute("write_file", {"path": "alias/c.py", "content": "c = 3\n"})
    assert result.ok and result.touched == ("src/deep/c.py",)
    commit = workspace.snapshot("calls/x", paths=result.touched)
    assert files_in(workspace, commit)["src/deep/c.py"] == "c = 3\n"
    assert tree_of(workspace, commit) == full_tree(workspace)


def test_a_refused_file_call_touches_nothing_and_a_command_anything(scratch: Path) -> None:
    _, tools = make(scratch)
    assert tools.execute("edit_file", {"path": "a.txt", "old": "not there", "new": "x"}).touched == ()
    assert tools.execute("write_file", {"path": "../outside", "content": "x"}).touched == ()
    assert tools.execute("write_file", {"path": "./src//b.py", "content": "x"}).touched == ("src/b.py",)
    assert tools.execute("run", {"command": "true"}).touched is None


def test_a_secret_in_a_touched_file_is_redacted_in_the_snapshot(scratch: Path) -> None:
    session = Session(*make(scratch, redacted=True))
    commit = session.call("write_file", path="config.env", content=f"TOKEN={PLANTED}\n")
    assert files_in(session.workspace, commit)["config.env"] == "TOKEN=[REDACTED]\n"
    assert (session.workspace.root / "config.env").read_text() == f"TOKEN={PLANTED}\n"  # the agent's file is left as it is


def test_paths_that_only_a_rescan_records_right_are_rescanned(scratch: Path) -> None:
    """A changed `.gitignore`, a path with `..`: the narrow update would differ, so it is not used."""
    workspace, _ = make(scratch)
    (workspace.root / "build").mkdir()
    (workspace.root / "build" / "kept.txt").write_text("kept\n")
    (workspace.root / ".gitignore").write_text("*.log\n")  # build/ is no longer ignored: a rescan picks build/kept.txt up
    commit = workspace.snapshot("s1", paths=[".gitignore"])
    assert "build/kept.txt" in files_in(workspace, commit)
    (workspace.root / "a.txt").write_text("changed\n")
    commit = workspace.snapshot("s2", paths=["src/../a.txt"])
    assert files_in(workspace, commit)["a.txt"] == "changed\n"
    assert tree_of(workspace, commit) == full_tree(workspace)


def test_an_opened_workspace_and_one_after_a_failed_snapshot_rescan_first(scratch: Path) -> None:
    workspace, _ = make(scratch)
    workspace.snapshot("s1")
    (workspace.root / "a.txt").write_text("changed while Tutor was away\n")
    (workspace.root / "b.txt").write_text("written by a tool\n")
    reopened = Workspace.open(workspace.root)
    commit = reopened.snapshot("s2", paths=["b.txt"])
    assert files_in(reopened, commit)["a.txt"] == "changed while Tutor was away\n"

    (reopened.root / "a.txt").write_text("changed again\n")
    (reopened.root / "c.txt").write_text("new\n")
    lock = reopened.git_dir / "refs" / "tutor" / "s3.lock"
    lock.write_text("")  # another git holds the ref: the snapshot fails after the index was touched
    with pytest.raises(VcsError):
        reopened.snapshot("s3", paths=["c.txt"])
    lock.unlink()
    commit = reopened.snapshot("s3", paths=["c.txt"])
    assert files_in(reopened, commit)["a.txt"] == "changed again\n"
    assert tree_of(reopened, commit) == full_tree(reopened)


async def test_a_live_session_snapshots_a_file_call_by_its_path_and_a_command_whole(tmp_path: Path) -> None:
    from tests.helpers.live_support import make_user_repo
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.services.live import start_session
    from tutor.settings import Settings

    calls = (
        ToolCall("c1", "write_file", {"path": "notes/a.txt", "content": f"TOKEN={PLANTED}\n"}),
        ToolCall("c2", "edit_file", {"path": "notes/a.txt", "old": "TOKEN=", "new": "API_TOKEN="}),
        ToolCall("c3", "run", {"command": "echo ran >> notes/a.txt && rm -f notes/gone.txt"}),
    )
    agent = ScriptedAgent([AgentTurn("Working.", calls), AgentTurn("Done.")])
    session = start_session(mode="record", settings=Settings(), repo=make_user_repo(tmp_path), task="t", agent=agent)
    loop = session.loop
    workspace = loop.workspace
    told: list[tuple[str, ...] | None] = []
    snapshot = workspace.snapshot

    def spy(ref_name: str, message: str = "snapshot", *, paths: tuple[str, ...] | None = None) -> str:
        told.append(paths)
        return snapshot(ref_name, message, paths=paths)

    workspace.snapshot = spy
    loop.set_goal("Write, edit and run; done when all three ran.")
    commits = []
    for call in calls:
        assert await loop.advance() == "gate"
        result = await loop.run(call.id)
        assert result["ok"], result
        await loop.settle_snapshots()  # taken after the result, journaled as its own record
        commits.append(loop.state.calls[call.id].result["commit"])
    assert told == [("notes/a.txt",), ("notes/a.txt",), None]
    stored = [files_in(workspace, commit)["notes/a.txt"] for commit in commits]
    assert stored[1].startswith("API_" + "TOKEN=")
    assert stored[2].endswith("ran\n")
    assert not any(PLANTED in text for text in stored)  # the session's redactor saw every file it stored
    session.close()


def test_git_started_directly_feeds_stdin_and_fails_in_one_line(scratch: Path) -> None:
    workspace, _ = make(scratch)
    with workspace._git() as git:
        blob = run_direct(git, "hash-object", "--stdin", stdin=b"hello\n").decode().strip()
        assert blob == "ce013625030ba8dba906f756967f9e9ca394464a"
        with pytest.raises(VcsError, match=r"^git rev-parse failed: Needed a single revision$") as caught:
            run_direct(git, "rev-parse", "--verify", "--end-of-options", "no-such-thing")
    assert "\n" not in str(caught.value)


def twins(scratch: Path) -> tuple[Session, Session]:
    """A session snapshotting by paths and its twin, made from the same seed, rescanning after every call."""
    return Session(*make(scratch / "one")), Session(*make(scratch / "twin"), rescan=True)


def both(pair: tuple[Session, Session], tool: str, **arguments: str) -> None:
    one, twin = pair
    commit, twins_commit = one.call(tool, **arguments), twin.call(tool, **arguments)
    assert tree_of(one.workspace, commit) == tree_of(twin.workspace, twins_commit), (tool, arguments)


def test_an_edit_of_a_file_the_snapshot_holds_runs_no_git(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(*make(scratch))
    session.call("run", command="echo more >> README.md")  # a rescan: git writes the new trees (loose, read directly)
    started: list[object] = []
    original = subprocess.Popen.__init__

    def counted(self: subprocess.Popen[bytes], args: object, *rest: object, **options: object) -> None:
        started.append(args)
        original(self, args, *rest, **options)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess.Popen, "__init__", counted)
    session.call("edit_file", path="src/deep/c.py", old="c = 1", new="c = 2")
    commit = session.call("edit_file", path="src/deep/c.py", old="c = 2", new="c = 3")
    session.call("write_file", path="a.txt", content="rewritten\n")
    assert started == []
    monkeypatch.undo()
    assert files_in(session.workspace, commit)["src/deep/c.py"] == "c = 3\n"
    assert tree_of(session.workspace, session.workspace.last) == full_tree(session.workspace)


def test_files_snapshotted_without_the_index_are_kept_by_the_next_index_update(scratch: Path) -> None:
    pair = twins(scratch)
    both(pair, "edit_file", path="a.txt", old="alpha", new="beta")  # no index update
    both(pair, "write_file", path="new.txt", content="new\n")  # the index is updated: a.txt must not go back to alpha
    both(pair, "edit_file", path="src/b.py", old="'b'", new="'B'")
    both(pair, "run", command="echo tail >> src/b.py")
    both(pair, "edit_file", path="a.txt", old="beta", new="gamma")
    assert files_in(pair[0].workspace, pair[0].workspace.last)["a.txt"] == "gamma\n"


def test_the_entries_of_files_written_without_the_index_are_the_ones_git_lists(scratch: Path) -> None:
    """A rescan first puts them in the index; read from the trees in memory, they are byte for byte `git ls-tree -z`."""
    workspace, _ = make(scratch)
    (workspace.root / "tool.sh").write_text("#!/bin/sh\n")
    (workspace.root / "tool.sh").chmod(0o755)
    (workspace.root / "src" / "deep" / "c.py").write_text("c = 2\n")
    (workspace.root / "new").mkdir()
    (workspace.root / "new" / "link").symlink_to("../a.txt")
    workspace.snapshot("s1", paths=["tool.sh", "src/deep/c.py", "new/link"])
    unindexed = sorted(workspace._unindexed)
    assert unindexed == ["new/link", "src/deep/c.py", "tool.sh"]
    with workspace._git() as git:
        tree = run_direct(git, "rev-parse", f"{workspace.last}^{{tree}}").decode().strip()
        listed = run_direct(git, "ls-tree", "-z", "--end-of-options", tree, "--", *unindexed)
    assert workspace._tree_writer.index_entries(tree, unindexed) == listed
    assert workspace._tree_writer.index_entries(tree, ["not/there.txt"]) is None


def test_modes_are_recorded_as_git_records_them(scratch: Path) -> None:
    pair = twins(scratch)
    both(pair, "run", command="chmod +x src/b.py")
    both(pair, "edit_file", path="src/b.py", old="'b'", new="'x'")  # stays executable (100755)
    both(pair, "run", command="git config core.fileMode false && chmod -x src/b.py")
    both(pair, "edit_file", path="src/b.py", old="'x'", new="'y'")  # git keeps the recorded mode now
    both(pair, "run", command="git config core.symlinks false")
    both(pair, "edit_file", path="a.txt", old="alpha", new="omega")


def test_packed_trees_are_read_through_git_and_give_the_same_tree(scratch: Path) -> None:
    pair = twins(scratch)
    both(pair, "run", command="git repack -a -d -q && git prune-packed")  # every tree now packed: read with cat-file
    both(pair, "edit_file", path="src/deep/c.py", old="c = 1", new="c = 2")
    both(pair, "edit_file", path="a.txt", old="alpha", new="beta")


def test_new_files_beside_folders_of_the_same_prefix_are_in_gits_order(scratch: Path) -> None:
    """git sorts a folder as if its name ended in '/': `src-a`, `src.py`, then the folder `src`."""
    pair = twins(scratch)
    both(pair, "write_file", path="src.py", content="x\n")
    both(pair, "write_file", path="src-a/b.txt", content="y\n")
    both(pair, "write_file", path="src/deep.txt", content="z\n")
    both(pair, "edit_file", path="src.py", old="x", new="w")
    one = pair[0].workspace
    with one._git() as git:
        listing = run_direct(git, "ls-tree", "--name-only", one.last).decode().split("\n")
    assert listing.index("src-a") < listing.index("src.py") < listing.index("src")
    with one._git() as git:
        run_direct(git, "fsck", "--strict", "--no-dangling")


def test_a_touched_path_that_became_a_link_is_stored_as_the_link_never_what_it_points_at(scratch: Path) -> None:
    workspace, _ = make(scratch)
    outside = scratch / "outside-secret.txt"
    outside.write_text("not the workspace's\n")
    (workspace.root / "a.txt").unlink()
    os.symlink(outside, workspace.root / "a.txt")
    commit = workspace.snapshot("s1", paths=["a.txt"])
    with workspace._git() as git:
        assert run_direct(git, "ls-tree", commit, "--", "a.txt").decode().startswith("120000 blob")
    assert files_in(workspace, commit)["a.txt"] == str(outside)
    assert tree_of(workspace, commit) == full_tree(workspace)


def test_a_secret_in_a_file_name_is_stored_under_a_redacted_unique_name(scratch: Path) -> None:
    session = Session(*make(scratch, redacted=True))
    commit = session.call("run", command=f"echo one > 'notes-{PLANTED}.txt' && echo two > 'notes-[REDACTED].txt'")
    stored = files_in(session.workspace, commit)
    assert not any(PLANTED in name or PLANTED in text for name, text in stored.items())
    assert sorted(name for name in stored if name.startswith("notes-")) == ["notes-[REDACTED].txt", "notes-[REDACTED].txt.2"]
    commit = session.call("edit_file", path="a.txt", old="alpha", new="beta")  # a later step keeps them
    assert sorted(name for name in files_in(session.workspace, commit) if name.startswith("notes-")) == [
        "notes-[REDACTED].txt", "notes-[REDACTED].txt.2"]
