"""tutor.vcs.workspace: the isolated workspace of a live session, its snapshots, and the tools' path confinement in it.

User repositories are built with the git command line (fixed names and dates, no user
config); everything else goes through the public API. The isolation test is the one the
design insists on: whatever Tutor does with a workspace, the user's repository stays
byte-for-byte the same and none of its hooks, filters or fsmonitor ever run.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tutor.vcs.bundle import verify_bundle
from tutor.agent.tools.paths import resolve
from tutor.agent.tools.results import ToolError
from tutor.vcs.workspace import AUTHOR, VcsError, Workspace, workspace_path

SECRET = "sk-live-7f3a9c1e5b2d4680aaaa0123456789ab"
UNTRACKED_MARK = "untracked-note-4f1e"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "User",
    "GIT_AUTHOR_EMAIL": "user@example.com",
    "GIT_COMMITTER_NAME": "User",
    "GIT_COMMITTER_EMAIL": "user@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}


def plain_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)
    return env


def git(cwd: Path, *args: str, date: str = "2026-01-01T10:00:00Z", check: bool = True) -> str:
    env = plain_env()
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, timeout=30)
    if check:
        assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---------------------------------------------------------------- fingerprints


def fingerprint(top: Path) -> dict[str, tuple]:
    """Every entry under `top` (its .git included): type, mode, bytes or link target, mtime; folders' mtimes too.

    Anything Tutor wrote, even a lock file created and removed, would show up (a folder's
    mtime changes when an entry is added or removed). Left out: link counts and ctimes
    (hardlinking object files changes them), and the mtime of object files: the workspace
    shares them by hardlink (as `git clone --local` does), and git "freshens" an object
    it is asked to write again by touching its file's mtime. Their bytes and modes count.
    """
    found: dict[str, tuple] = {}
    for folder, subfolders, files in os.walk(top):
        for name in [*subfolders, *files]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            key = os.path.relpath(path, top)
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[key] = ("dir", info.st_mode, info.st_mtime_ns)
            else:
                shared = key.startswith(os.path.join(".git", "objects") + os.sep) and stat.S_ISDIR(os.lstat(folder).st_mode)
                mtime = None if shared else info.st_mtime_ns
                found[key] = ("file", info.st_mode, mtime, Path(path).read_bytes())
    found["."] = ("dir", os.lstat(top).st_mode, os.lstat(top).st_mtime_ns)
    return found


def git_children() -> set[int]:
    """Pids of `git` processes (running or zombie) whose parent is this test process."""
    found: set[int] = set()
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == me and comm.startswith("git"):
            found.add(int(entry))
    return found


# ---------------------------------------------------------------- a user's repository


@dataclass(frozen=True)
class UserRepo:
    path: Path
    head: str
    markers: Path  # every hook, filter and fsmonitor program writes here if it ever runs


def make_user_repo(folder: Path, *, object_format: str = "sha1", hostile: bool = True) -> UserRepo:
    """A repository mid-work: history, branches, tags, a stash, staged, unstaged, untracked and ignored files."""
    repo = folder / "user"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", f"--object-format={object_format}", "--initial-branch=main")
    write(repo / "README.md", "# Calc\n")
    write(repo / "src" / "app.py", "def add(a, b):\n    return a - b\n")
    write(repo / "src" / "util.py", "X = 1\n")
    write(repo / "src" / "old.py", "OLD = True\n")
    write(repo / ".gitignore", "/.env\n*.log\nbuild/\n")
    write(repo / "docs" / ".gitignore", "draft.md\n")
    write(repo / "docs" / "guide.md", "guide\n")
    write(repo / ".gitattributes", "* filter=evil diff=evil\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "branch", "feature")
    git(repo, "tag", "v1")
    write(repo / "src" / "util.py", "X = 2\n")
    git(repo, "commit", "-q", "-am", "bump", date="2026-01-02T10:00:00Z")
    git(repo, "tag", "-a", "v2", "-m", "release 2", date="2026-01-02T10:00:00Z")
    write(repo / "README.md", "# Calc (stashed)\n")
    git(repo, "stash", "-q")
    head = git(repo, "rev-parse", "HEAD").strip()
    # Work in progress.
    write(repo / "src" / "app.py", "def add(a, b):\n    return a + b\n")  # staged
    git(repo, "add", "src/app.py")
    write(repo / "README.md", "# Calc, staged\n")
    git(repo, "add", "README.md")
    write(repo / "README.md", "# Calc, staged then edited\n")  # staged, then changed again
    write(repo / "src" / "util.py", "X = 3\n")  # unstaged
    (repo / "src" / "old.py").unlink()  # deleted, unstaged
    write(repo / "notes.txt", f"{UNTRACKED_MARK}\n")  # untracked
    write(repo / "new" / "mod.py", "NEW = 1\n")  # untracked, in a new folder
    # Ignored, in every way a repository can ignore a file.
    write(repo / ".env", f"API_KEY={SECRET}\n")
    write(repo / "app.log", f"log {SECRET}\n")
    write(repo / "docs" / "draft.md", f"draft {SECRET}\n")
    write(repo / "build" / "out.txt", f"built {SECRET}\n")
    write(repo / "private.txt", f"mine {SECRET}\n")
    with (repo / ".git" / "info" / "exclude").open("a") as stream:
        stream.write("private.txt\n")
    markers = folder / "markers"
    markers.mkdir()
    if hostile:
        evil = folder / "evil.sh"
        evil.write_text(f'#!/bin/sh\necho "$0 $*" >> {markers}/ran-$(basename "$0")-$$\ncat\nexit 0\n')
        evil.chmod(0o755)
        hooks_dir = folder / "evil-hooks"
        hooks_dir.mkdir()
        for name in ("pre-commit", "post-commit", "post-checkout", "reference-transaction", "post-index-change", "pre-auto-gc"):
            for where in (repo / ".git" / "hooks", hooks_dir):
                hook = where / name
                hook.write_text(f"#!/bin/sh\ntouch {markers}/hook-{name}-$$\n")
                hook.chmod(0o755)
        with (repo / ".git" / "config").open("a") as stream:
            stream.write(
                f"[core]\n\tfsmonitor = {evil}\n\thooksPath = {hooks_dir}\n\tpager = {evil}\n"
                f'[filter "evil"]\n\tclean = {evil} clean\n\tsmudge = {evil} smudge\n\tprocess = {evil} process\n\trequired = true\n'
                f'[diff "evil"]\n\ttextconv = {evil} textconv\n\tcommand = {evil} diff\n'
                f"[commit]\n\tgpgSign = true\n[gpg]\n\tprogram = {evil}\n"
                f"[uploadpack]\n\tpackObjectsHook = {evil}\n[core]\n\tsshCommand = {evil}\n"
            )
    return UserRepo(repo, head, markers)


@pytest.fixture
def user(tmp_path: Path) -> UserRepo:
    return make_user_repo(tmp_path)


def ls_tree(repo: Path, rev: str) -> dict[str, str]:
    """Path -> blob id of every file at `rev` in `repo` (a work tree or a bare repository)."""
    out = git(repo, "ls-tree", "-r", "--full-tree", rev)
    files = {}
    for line in out.splitlines():
        meta, _, name = line.partition("\t")
        files[name] = meta.split()[2]
    return files


def blob(repo: Path, sha: str) -> str:
    return git(repo, "cat-file", "blob", sha)


# ---------------------------------------------------------------- isolation


def test_the_users_repository_is_never_changed(user: UserRepo, tmp_path: Path) -> None:
    before = fingerprint(user.path)
    dest = tmp_path / "home" / "workspaces" / "s1"
    ws = Workspace.from_repository(user.path, dest)
    root = ws.root
    assert root == dest.resolve() and ws.git_dir == root / ".git"

    # The workspace starts from HEAD plus every uncommitted change, and nothing ignored.
    assert (root / "src" / "app.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert (root / "README.md").read_text() == "# Calc, staged then edited\n"
    assert (root / "src" / "util.py").read_text() == "X = 3\n"
    assert not (root / "src" / "old.py").exists()
    assert (root / "notes.txt").read_text() == f"{UNTRACKED_MARK}\n"
    assert (root / "new" / "mod.py").read_text() == "NEW = 1\n"
    for ignored in (".env", "app.log", "docs/draft.md", "build", "private.txt"):
        assert not (root / ignored).exists(), ignored
    assert git(root, "rev-parse", "HEAD").strip() == ws.base
    assert git(root, "rev-parse", f"{ws.base}^").strip() == user.head
    assert git(root, "log", "-1", "--format=%an <%ae>|%s", ws.base).strip() == f"{AUTHOR[0]} <{AUTHOR[1]}>|uncommitted changes"
    assert git(root, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(root, "status", "--porcelain").strip() == ""
    # Its own repository: no remote, no hooks, only the current branch and the tags.
    assert git(root, "remote").strip() == ""
    assert not (root / ".git" / "hooks").exists() or not any((root / ".git" / "hooks").iterdir())
    refs = set(git(root, "for-each-ref", "--format=%(refname)").split())
    assert refs == {"refs/heads/main", "refs/tags/v1", "refs/tags/v2", "refs/tutor-meta/base"}
    assert git(root, "cat-file", "-t", "v2").strip() == "tag"
    assert "evil" not in (root / ".git" / "config").read_text()

    # The agent works: writes, edits, deletes, makes caches and a secret of its own.
    write(root / "src" / "app.py", "def add(a, b):\n    return b + a\n")
    write(root / "tests" / "test_app.py", "def test():\n    pass\n")
    (root / "notes.txt").unlink()
    write(root / "src" / "__pycache__" / "app.cpython-311.pyc", "bytecode")
    write(root / ".pytest_cache" / "v" / "x", "cache")
    write(root / ".env", f"API_KEY={SECRET}\n")
    s1 = ws.snapshot("steps/s1", "after c1")
    assert ws.snapshot("steps/s2") == s1  # nothing changed
    write(root / "src" / "util.py", "X = 4\n")
    s3 = ws.snapshot("steps/s3")
    # Commands the agent runs in the workspace meet no hooks and no filters either.
    subprocess.run(["git", "add", "-A"], cwd=root, env=plain_env(), check=True, capture_output=True, timeout=30)
    subprocess.run(["git", "commit", "-q", "-m", "agent"], cwd=root, env=plain_env(), check=True, capture_output=True, timeout=30)
    subprocess.run(["git", "diff", "HEAD~1"], cwd=root, env=plain_env(), check=True, capture_output=True, timeout=30)

    bundle = ws.bundle(tmp_path / "out" / "repo.bundle")
    assert verify_bundle(bundle) == {"refs/tutor/steps/s1": s1, "refs/tutor/steps/s2": s1, "refs/tutor/steps/s3": s3}
    ws.remove()
    assert not dest.exists()

    assert fingerprint(user.path) == before
    assert list(user.markers.iterdir()) == []

    # The secret is in no snapshot and nowhere in the bundle, while what should be there is.
    unpacked = tmp_path / "unpacked.git"
    git(tmp_path, "init", "-q", "--bare", str(unpacked))
    git(unpacked, "fetch", "-q", str(bundle), "refs/*:refs/*")
    for ref in ("refs/tutor/steps/s1", "refs/tutor/steps/s3", f"{s1}^"):
        files = ls_tree(unpacked, ref)
        assert not {".env", "app.log", "docs/draft.md", "build/out.txt", "private.txt"} & set(files), files
        assert not [name for name in files if "__pycache__" in name or ".pytest_cache" in name]
    assert blob(unpacked, ls_tree(unpacked, f"{s1}^")["notes.txt"]) == f"{UNTRACKED_MARK}\n"
    everything = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"], cwd=unpacked, env=plain_env(), capture_output=True, timeout=30
    ).stdout
    assert UNTRACKED_MARK.encode() in everything  # the search does see blob contents
    assert SECRET.encode() not in everything
    assert SECRET.encode() not in bundle.read_bytes()

    # The traps are real: the user's own git, used directly, does run them.
    subprocess.run(["git", "add", "-A"], cwd=user.path, env=plain_env(), capture_output=True, timeout=30)
    assert list(user.markers.iterdir()) != []


def test_a_clean_repository_starts_at_head_itself(tmp_path: Path) -> None:
    repo = tmp_path / "clean"
    repo.mkdir()
    git(repo, "init", "-q", "--initial-branch=trunk")
    write(repo / "a.txt", "a\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a")
    git(repo, "checkout", "-q", "--detach")
    head = git(repo, "rev-parse", "HEAD").strip()
    before = fingerprint(repo)
    ws = Workspace.from_repository(repo, tmp_path / "ws")
    assert ws.base == head
    assert git(ws.root, "rev-parse", "HEAD").strip() == head
    assert git(ws.root, "symbolic-ref", "-q", "HEAD", check=False).strip() == ""  # detached, like the user's
    assert ws.snapshot("s1") == head  # nothing changed: no empty commit
    ws.remove()
    assert fingerprint(repo) == before


def test_hostile_environment_and_global_config_change_nothing(
    user: UserRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIT_* variables inherited from a hook and a ~/.gitconfig that names programs are all ignored."""
    before = fingerprint(user.path)
    evil = tmp_path / "evil.sh"
    home = tmp_path / "fakehome"
    (home / ".config" / "git").mkdir(parents=True)
    config = f"[core]\n\thooksPath = {user.path / '.git' / 'hooks'}\n\tfsmonitor = {evil}\n"
    (home / ".gitconfig").write_text(config)
    (home / ".config" / "git" / "config").write_text(config)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_DIR", str(user.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(user.path))
    monkeypatch.setenv("GIT_INDEX_FILE", str(user.path / ".git" / "index"))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(user.path / ".git" / "objects"))
    monkeypatch.setenv("GIT_COMMON_DIR", str(user.path / ".git"))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.hooksPath")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(user.path / ".git" / "hooks"))

    ws = Workspace.from_repository(user.path, tmp_path / "ws")
    write(ws.root / "x.txt", "x\n")
    sha = ws.snapshot("s1")
    assert "x.txt" in ls_tree(ws.root, sha)
    # `bundle` goes through `create_bundle` and `open_repo`, whose `Repo(path)` takes an
    # inherited GIT_COMMON_DIR at its word (see the xfail test below); `verify_bundle`'s
    # `init_bare` fails on an inherited GIT_WORK_TREE.
    monkeypatch.delenv("GIT_COMMON_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    assert verify_bundle(ws.bundle(tmp_path / "b.bundle")) == {"refs/tutor/s1": sha}
    ws.remove()
    assert fingerprint(user.path) == before
    assert list(user.markers.iterdir()) == []


def test_bundle_ignores_an_inherited_git_common_dir(user: UserRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws")
    write(ws.root / "x.txt", "x\n")
    sha = ws.snapshot("s1")
    monkeypatch.setenv("GIT_COMMON_DIR", str(user.path / ".git"))
    assert verify_bundle(ws.bundle(tmp_path / "b.bundle")) == {"refs/tutor/s1": sha}


def test_the_users_global_excludes_file_is_honoured(user: UserRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "fakehome"
    write(home / ".config" / "git" / "ignore", "*.secret\n")
    write(tmp_path / "my-ignores", "credentials.json\n")
    write(home / ".gitconfig", f"[core]\n\texcludesFile = {tmp_path / 'my-ignores'}\n")
    write(user.path / "keys.secret", SECRET)
    write(user.path / "credentials.json", SECRET)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    ws = Workspace.from_repository(user.path, tmp_path / "ws1")
    assert not (ws.root / "credentials.json").exists()
    assert (ws.root / "keys.secret").exists()  # an explicit excludesFile replaces the default one, as in git
    ws.remove()

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    ws = Workspace.from_repository(user.path, tmp_path / "ws2")
    assert not (ws.root / "keys.secret").exists()  # the default ~/.config/git/ignore
    assert (ws.root / "credentials.json").exists()
    ws.remove()


def test_a_linked_worktree_and_sha256_work(tmp_path: Path) -> None:
    user = make_user_repo(tmp_path / "a", hostile=False)
    git(user.path, "worktree", "add", "-q", str(tmp_path / "wt"), "feature")
    write(tmp_path / "wt" / "feature.txt", "wip\n")
    write(tmp_path / "wt" / "private.txt", SECRET)  # ignored through the common info/exclude
    ws = Workspace.from_repository(tmp_path / "wt", tmp_path / "ws")
    assert git(ws.root, "rev-parse", f"{ws.base}^").strip() == git(tmp_path / "wt", "rev-parse", "HEAD").strip()
    assert (ws.root / "feature.txt").read_text() == "wip\n"
    assert not (ws.root / "private.txt").exists()
    assert git(ws.root, "symbolic-ref", "HEAD").strip() == "refs/heads/feature"
    ws.remove()

    other = make_user_repo(tmp_path / "b", object_format="sha256", hostile=False)
    ws = Workspace.from_repository(other.path, tmp_path / "ws256")
    assert len(ws.base) == 64
    write(ws.root / "y.txt", "y\n")
    assert len(ws.snapshot("s1")) == 64
    assert verify_bundle(ws.bundle(tmp_path / "b.bundle"))
    ws.remove()


def test_from_repository_errors_are_one_clear_line(tmp_path: Path, user: UserRepo) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    cases = [
        (tmp_path / "missing", "no such folder"),
        (plain, "not a git repository"),
        (user.path / "src", "is inside the git repository"),
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    cases.append((empty, "has no commits yet"))
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    cases.append((bare, "bare repository"))
    for source, message in cases:
        with pytest.raises(VcsError, match=message) as caught:
            Workspace.from_repository(source, tmp_path / "ws")
        assert "\n" not in str(caught.value)
        assert not (tmp_path / "ws").exists()
    (tmp_path / "taken").mkdir()
    with pytest.raises(VcsError, match="already exists"):
        Workspace.from_repository(user.path, tmp_path / "taken")
    with pytest.raises(VcsError, match="cannot be inside"):
        Workspace.from_repository(user.path, user.path / "ws")
    assert not (user.path / "ws").exists()


def test_workspace_path_is_under_tutor_home(tutor_home: Path) -> None:
    assert workspace_path("s-2026-01-01-abc") == tutor_home / "workspaces" / "s-2026-01-01-abc"
    for bad in ("", "..", "../x", "a/b", "-x", "a..b"):
        with pytest.raises(VcsError):
            workspace_path(bad)


def test_tampering_with_the_workspace_git_folder_cannot_reach_the_user(user: UserRepo, tmp_path: Path) -> None:
    """Commands run in the workspace may rewrite its .git; none of it may lead Tutor's git into the user's repository."""
    before = fingerprint(user.path)
    ws = Workspace.from_repository(user.path, tmp_path / "ws")
    write(ws.root / "x.txt", "x\n")
    user_git = user.path / ".git"

    def refused(plant, undo, message: str = "tampered") -> None:
        plant()
        try:
            with pytest.raises(VcsError, match=message):
                ws.snapshot("steps/s1")
        finally:
            undo()

    # A commondir file: git's ref store would write refs/tutor/* into the user's repository.
    refused(lambda: (ws.git_dir / "commondir").write_text(f"{user_git}\n"), lambda: (ws.git_dir / "commondir").unlink())
    # .git swapped for a gitdir file, or a symlink, to the user's repository.
    moved = tmp_path / "moved.git"

    def swap(kind: str) -> None:
        os.rename(ws.git_dir, moved)
        if kind == "file":
            (ws.root / ".git").write_text(f"gitdir: {user_git}\n")
        else:
            (ws.root / ".git").symlink_to(user_git)

    def unswap() -> None:
        (ws.root / ".git").unlink()
        os.rename(moved, ws.git_dir)

    refused(lambda: swap("file"), unswap)
    refused(lambda: swap("link"), unswap)
    # Symlinked folders that git writes through: refs/tutor, refs/tutor/steps, an objects fan-out folder.
    refused(lambda: (ws.git_dir / "refs" / "tutor").symlink_to(user_git / "refs" / "heads"), lambda: (ws.git_dir / "refs" / "tutor").unlink())
    (ws.git_dir / "refs" / "tutor").mkdir()
    refused(
        lambda: (ws.git_dir / "refs" / "tutor" / "steps").symlink_to(user_git / "refs" / "heads"),
        lambda: (ws.git_dir / "refs" / "tutor" / "steps").unlink(),
    )
    fanout = next(entry.name for entry in (user_git / "objects").iterdir() if len(entry.name) == 2)
    parked = tmp_path / "parked"

    def link_fanout() -> None:
        if (ws.git_dir / "objects" / fanout).exists():
            os.rename(ws.git_dir / "objects" / fanout, parked)
        (ws.git_dir / "objects" / fanout).symlink_to(user_git / "objects" / fanout)

    def unlink_fanout() -> None:
        (ws.git_dir / "objects" / fanout).unlink()
        if parked.exists():
            os.rename(parked, ws.git_dir / "objects" / fanout)

    refused(link_fanout, unlink_fanout)

    def link_index() -> None:
        os.rename(ws.git_dir / "tutor-index", tmp_path / "idx")
        (ws.git_dir / "tutor-index").symlink_to(user_git / "index")

    def unlink_index() -> None:
        (ws.git_dir / "tutor-index").unlink()
        os.rename(tmp_path / "idx", ws.git_dir / "tutor-index")

    refused(link_index, unlink_index)
    # A filter driver planted in the workspace's config is never run by a snapshot.
    evil = tmp_path / "evil-filter.sh"
    evil.write_text(f"#!/bin/sh\ntouch {user.markers}/planted-filter\ncat\n")
    evil.chmod(0o755)
    with (ws.git_dir / "config").open("a") as stream:
        stream.write(f'[filter "evil"]\n\tclean = {evil}\n\tprocess = {evil}\n')
    (ws.git_dir / "info" / "attributes").unlink()
    sha = ws.snapshot("steps/s1")
    assert "x.txt" in ls_tree(ws.root, sha)
    assert (ws.git_dir / "info" / "attributes").read_text().endswith("* -filter\n")
    ws.remove()
    assert fingerprint(user.path) == before
    assert list(user.markers.iterdir()) == []


# ---------------------------------------------------------------- from_folder and snapshots


def make_seed(folder: Path) -> Path:
    seed = folder / "seed"
    write(seed / "README.md", "# Lesson\n")
    write(seed / "src" / "app.py", "def add(a, b):\n    return a - b\n")
    tool = write(seed / "bin" / "tool.sh", "#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    (seed / "docs").mkdir()
    (seed / "docs" / "readme-link").symlink_to("../README.md")
    write(seed / "src" / "__pycache__" / "app.cpython-311.pyc", "bytecode")
    write(seed / ".git" / "HEAD", "not copied\n")
    return seed


def edit_steps(ws: Workspace) -> list[str]:
    """The same three edits, snapshotted: the commit ids."""
    write(ws.root / "src" / "app.py", "def add(a, b):\n    return a + b\n")
    s1 = ws.snapshot("steps/s1", "fix add")
    write(ws.root / "tests" / "test_app.py", "from src.app import add\n")
    write(ws.root / "src" / "__pycache__" / "app.cpython-311.pyc", "new bytecode")
    write(ws.root / "tests" / "__pycache__" / "t.pyc", "bytecode")
    write(ws.root / ".mypy_cache" / "x.json", "{}")
    s2 = ws.snapshot("steps/s2", "add test")
    s3 = ws.snapshot("steps/s3", "no change")
    return [s1, s2, s3]


def test_from_folder_and_snapshots_are_deterministic(tmp_path: Path) -> None:
    seed = make_seed(tmp_path)
    first = Workspace.from_folder(seed, tmp_path / "one")
    second = Workspace.from_folder(seed, tmp_path / "two")
    assert first.base == second.base
    assert git(first.root, "status", "--porcelain").strip() == ""
    assert edit_steps(first) == edit_steps(second)
    assert first.refs() == second.refs()
    files = ls_tree(first.root, first.base)
    assert set(files) == {"README.md", "src/app.py", "bin/tool.sh", "docs/readme-link"}
    modes = {line.split("\t")[1]: line.split()[0] for line in git(first.root, "ls-tree", "-r", first.base).splitlines()}
    assert modes["bin/tool.sh"] == "100755" and modes["docs/readme-link"] == "120000"
    assert git(first.root, "log", "-1", "--format=%an|%ae|%aI|%cI|%s", first.base).strip() == (
        "Tutor|tutor@localhost|2026-01-01T00:00:00+00:00|2026-01-01T00:00:00+00:00|seed"
    )
    # Not deterministic: the same content, but dated now.
    third = Workspace.from_folder(seed, tmp_path / "three", deterministic=False)
    assert third.base != first.base
    assert ls_tree(third.root, third.base) == files


def test_snapshot_parents_refs_and_unchanged_trees(tmp_path: Path) -> None:
    ws = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws")
    s1, s2, s3 = edit_steps(ws)
    assert s3 == s2  # an unchanged tree makes no commit: the ref points at the previous one
    assert ws.refs() == {"refs/tutor/steps/s1": s1, "refs/tutor/steps/s2": s2, "refs/tutor/steps/s3": s2}
    assert ws.refs("refs/tutor/steps/") == ws.refs()
    assert ws.refs("refs/tutor-meta/") == {"refs/tutor-meta/base": ws.base}
    assert git(ws.root, "rev-parse", f"{s1}^").strip() == ws.base
    assert git(ws.root, "rev-parse", f"{s2}^").strip() == s1
    assert git(ws.root, "rev-list", "--count", s2).strip() == "3"
    assert ws.last == s2
    assert git(ws.root, "log", "-1", "--format=%s", s1).strip() == "fix add"
    assert set(ls_tree(ws.root, s2)) == {"README.md", "src/app.py", "bin/tool.sh", "docs/readme-link", "tests/test_app.py"}
    # The user's HEAD and index are the agent's business: snapshots never move them.
    assert git(ws.root, "rev-parse", "HEAD").strip() == ws.base
    # A snapshot after a tree returns to an earlier state is still a new commit on the chain.
    (ws.root / "tests" / "test_app.py").unlink()
    s4 = ws.snapshot("steps/s4")
    assert s4 != s1 and git(ws.root, "rev-parse", f"{s4}^").strip() == s2
    assert git(ws.root, "rev-parse", f"{s4}^{{tree}}").strip() == git(ws.root, "rev-parse", f"{s1}^{{tree}}").strip()
    # Re-using a name moves the ref.
    write(ws.root / "z.txt", "z\n")
    s5 = ws.snapshot("steps/s1")
    assert ws.refs()["refs/tutor/steps/s1"] == s5


def test_diff_between_snapshots(tmp_path: Path) -> None:
    ws = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws")
    s1, s2, _ = edit_steps(ws)
    diff = ws.diff(ws.base, s1)
    assert diff.startswith("diff --git a/src/app.py b/src/app.py\n")
    assert "-    return a - b\n+    return a + b\n" in diff
    by_name = ws.diff("steps/s1", "refs/tutor/steps/s2")
    assert "+++ b/tests/test_app.py" in by_name and "__pycache__" not in by_name
    assert ws.diff(s1, s2) == by_name
    assert ws.diff(s2, s2) == ""
    for bad in ("HEAD", "--output=/tmp/x", "steps/missing", "s1..s2"):
        with pytest.raises(VcsError):
            ws.diff(bad, s1)


def test_bundle_verifies_and_holds_the_snapshot_refs(tmp_path: Path) -> None:
    ws = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws")
    with pytest.raises(VcsError, match="no snapshots"):
        ws.bundle(tmp_path / "empty.bundle")
    s1, s2, _ = edit_steps(ws)
    refs = verify_bundle(ws.bundle(tmp_path / "all.bundle"))
    assert refs == ws.refs()
    assert verify_bundle(ws.bundle(tmp_path / "one.bundle", ["steps/s1"])) == {"refs/tutor/steps/s1": s1}
    assert verify_bundle(ws.bundle(tmp_path / "full.bundle", ["refs/tutor/steps/s2"])) == {"refs/tutor/steps/s2": s2}
    for bad in (["--all"], ["steps/nope"], ["refs/heads/../x"]):
        with pytest.raises(VcsError):
            ws.bundle(tmp_path / "bad.bundle", bad)
    assert not (tmp_path / "bad.bundle").exists()


@pytest.fixture(scope="module")
def shared_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("shared")
    return Workspace.from_folder(make_seed(folder), folder / "ws")


@pytest.mark.parametrize(
    "name",
    ["", "A", "Steps/s1", "-x", "--all", "../x", "a/../b", "a..b", "a//b", "a/", "/a", "x.lock", "a/b.lock/c", "a/.b", "a.",
     "a b", "a\0b", "a:b", "a@{1}", "a~1", "a^", "a*", "é", "x" * 201],
)
def test_snapshot_names_are_checked(shared_ws: Workspace, name: str) -> None:
    ws = shared_ws
    with pytest.raises(VcsError, match="not a snapshot name"):
        ws.snapshot(name)
    assert ws.refs() == {}


def test_snapshot_message_is_checked(tmp_path: Path) -> None:
    ws = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws")
    for bad in ("", "  ", "a\0b", None):
        with pytest.raises(VcsError):
            ws.snapshot("s1", bad)  # type: ignore[arg-type]
    write(ws.root / "a.txt", "a\n")
    sha = ws.snapshot("s1", "--all -m evil\n\nsecond paragraph")
    assert git(ws.root, "log", "-1", "--format=%B", sha).startswith("--all -m evil\n\nsecond paragraph")


def test_a_lost_private_index_and_a_resumed_workspace(tmp_path: Path) -> None:
    ws = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws")
    _s1, s2, _ = edit_steps(ws)
    (ws.git_dir / "tutor-index").unlink()
    again = Workspace.open(ws.root)
    assert (again.base, again.last, again.deterministic) == (ws.base, s2, True)
    assert again.snapshot("steps/s9") == s2  # rebuilt from the last commit: still unchanged
    (ws.root / "README.md").unlink()
    s10 = again.snapshot("steps/s10")
    assert git(ws.root, "rev-parse", f"{s10}^").strip() == s2
    assert "README.md" not in ls_tree(ws.root, s10)
    with pytest.raises(VcsError, match="not a Tutor workspace"):
        Workspace.open(tmp_path)


def test_from_folder_refuses_links_leaving_the_seed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.txt", SECRET)
    for name, target, message in (
        ("abs", str(outside), "absolute target"),
        ("rel", "../outside.txt", "outside the seed"),
        ("dirlink", "..", "outside the seed"),
    ):
        seed = tmp_path / f"seed-{name}"
        write(seed / "a.txt", "a\n")
        (seed / name).symlink_to(target)
        with pytest.raises(VcsError, match=message):
            Workspace.from_folder(seed, tmp_path / f"ws-{name}")
        assert not (tmp_path / f"ws-{name}").exists()
    fifo_seed = tmp_path / "seed-fifo"
    fifo_seed.mkdir()
    os.mkfifo(fifo_seed / "pipe")
    with pytest.raises(VcsError, match="not a regular file"):
        Workspace.from_folder(fifo_seed, tmp_path / "ws-fifo")
    with pytest.raises(VcsError, match="seed folder not found"):
        Workspace.from_folder(tmp_path / "nope", tmp_path / "ws-nope")
    empty = tmp_path / "empty-seed"
    empty.mkdir()
    ws = Workspace.from_folder(empty, tmp_path / "ws-empty")
    assert ls_tree(ws.root, ws.base) == {}


def test_remove_copes_with_read_only_files_and_folders(tmp_path: Path) -> None:
    ws = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws")
    locked = ws.root / "locked"
    write(locked / "inner" / "f.txt", "x")
    (locked / "inner" / "f.txt").chmod(0o444)
    (locked / "inner").chmod(0o500)
    hidden = ws.root / "hidden"
    write(hidden / "g.txt", "y")
    hidden.chmod(0)
    ws.remove()
    assert not ws.root.exists()
    ws.remove()  # already gone: nothing to do
    with pytest.raises(VcsError, match="no workspace here any more"):
        ws.snapshot("s1")
    # A command in the workspace deleted its .git: still Tutor's folder to remove.
    other = Workspace.from_folder(tmp_path / "seed", tmp_path / "other")
    remove_tree_of_git = other.git_dir
    subprocess.run(["rm", "-rf", str(remove_tree_of_git)], check=True)
    other.remove()
    assert not other.root.exists()
    stranger = tmp_path / "stranger"
    write(stranger / "keep.txt", "keep")
    fake = Workspace(stranger, "0" * 40)
    with pytest.raises(VcsError, match="refusing to delete"):
        fake.remove()
    assert (stranger / "keep.txt").exists()


# ---------------------------------------------------------------- tool paths
# The one path confinement (`tutor.agent.tools.paths`), in a real workspace full of traps.


@pytest.fixture(scope="module")
def paths_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace full of traps; the tests only resolve paths in it, so they share it."""
    tmp_path = tmp_path_factory.mktemp("paths")
    seed = tmp_path / "seed"
    write(seed / "a.txt", "a\n")
    write(seed / "sub" / "b.txt", "b\n")
    write(seed / ".github" / "workflows" / "ci.yml", "on: push\n")
    write(seed / "x.git" / "config", "not git\n")
    ws = Workspace.from_folder(seed, tmp_path / "ws")
    root = ws.root
    outside = tmp_path / "outside"
    write(outside / "file", "secret")
    (root / "etc").symlink_to("/etc")
    (root / "up").symlink_to("..")
    (root / "chain1").symlink_to("chain2")
    (root / "chain2").symlink_to("sub/hop")
    (root / "sub" / "hop").symlink_to("../../outside")
    (root / "linkdir").symlink_to(outside)
    (root / "dangling").symlink_to("/nonexistent/tutor/x")
    (root / "dangling-rel").symlink_to("../nowhere")
    (root / "inside-abs").symlink_to(root / "sub")
    (root / "inside-new").symlink_to("sub/not-yet.txt")
    (root / "gitlink").symlink_to(".git")
    (root / "loop1").symlink_to("loop2")
    (root / "loop2").symlink_to("loop1")
    os.mkfifo(root / "fifo")
    (root / "nested" / "repo").mkdir(parents=True)
    return ws


REFUSED = [
    ("../x", "escapes the workspace"),
    ("a/../../x", "escapes the workspace"),
    ("a/./../../b", "escapes the workspace"),
    ("..", "escapes the workspace"),
    ("/etc/passwd", "absolute"),
    ("ROOT/a.txt", "absolute"),  # an absolute path, even one inside the workspace
    ("ROOT", "absolute"),
    ("ROOT/../outside/file", "absolute"),
    ("ROOT-sibling/x", "absolute"),
    ("~/x", "'~'"),
    ("~", "'~'"),
    ("~user/x", "'~'"),  # a shell would expand it to a home folder too
    ("x\0y", "NUL"),
    ("", "empty"),
    ("a" * 5000, "too long"),
    ("n" * 256, "longer than 255"),
    ("\ud800.txt", "UTF-8"),
    ("etc/passwd", "outside the workspace"),  # symlink to /etc
    ("up/x", "outside the workspace"),  # symlink to the parent folder
    ("chain1/file", "outside the workspace"),  # a chain of symlinks that ends outside
    ("linkdir/file", "outside the workspace"),  # a symlinked parent folder
    ("linkdir", "outside the workspace"),
    ("dangling", "outside the workspace"),  # dangling, pointing outside
    ("dangling-rel", "outside the workspace"),
    ("sub/hop", "outside the workspace"),  # the final symlink is checked too
    (".git", r"\.git internals"),
    (".git/config", r"\.git internals"),
    (".git/hooks/pre-commit", r"\.git internals"),
    ("sub/../.git/HEAD", r"\.git internals"),
    ("./.git/HEAD", r"\.git internals"),
    (".GIT/config", r"\.git internals"),  # case-insensitive file systems
    (".Git/HEAD", r"\.git internals"),
    (".git./config", r"\.git internals"),  # NTFS drops trailing dots
    (".g\u200cit/config", r"\.git internals"),  # HFS+ ignores zero-width characters
    ("GIT~1/config", r"\.git internals"),  # NTFS short name
    ("nested/repo/.git/config", r"\.git internals"),
    ("gitlink/config", r"\.git internals"),  # a symlink into .git
    ("loop1", "too many levels of symlinks"),
    ("fifo", "FIFO"),
    ("a.txt/x", "not a directory"),  # under a file
    ("new/dir/file.txt", "no such file"),  # missing folders: only a write makes them
]


@pytest.mark.parametrize(("path", "message"), REFUSED, ids=[repr(p)[:40] for p, _ in REFUSED])
def test_the_confinement_refuses_escapes(paths_ws: Workspace, path: str, message: str) -> None:
    path = path.replace("ROOT", str(paths_ws.root))
    with pytest.raises(ToolError, match=message) as caught:
        resolve(paths_ws.root, path, "read")
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


@pytest.mark.parametrize("value", [None, b"a.txt", 3, ["a.txt"]])
def test_the_confinement_refuses_what_is_not_a_string(paths_ws: Workspace, value: object) -> None:
    with pytest.raises(ToolError, match="must be a string"):
        resolve(paths_ws.root, value)


ALLOWED = [
    ("a.txt", "a.txt"),
    ("./a.txt", "a.txt"),
    ("sub//b.txt", "sub/b.txt"),
    ("sub/./b.txt", "sub/b.txt"),
    ("sub/b.txt/", "sub/b.txt"),
    ("sub/../a.txt", "a.txt"),  # a `..` that stays inside
    (".", ""),
    ("sub/..", ""),
    ("new.txt", "new.txt"),  # does not exist yet: fine, for writes
    ("sub/new.txt", "sub/new.txt"),
    ("..\\x", "..\\x"),  # backslashes are ordinary characters on POSIX: a file named `..\x`
    ("x~", "x~"),
    ("a..b", "a..b"),
    ("...", "..."),
    (".gitignore", ".gitignore"),
    (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
    ("x.git/config", "x.git/config"),
    ("inside-abs/b.txt", "sub/b.txt"),  # an absolute symlink to a place inside: allowed
    ("inside-new", "sub/not-yet.txt"),  # a dangling symlink that stays inside
]


@pytest.mark.parametrize(("path", "expected"), ALLOWED, ids=[repr(p) for p, _ in ALLOWED])
def test_the_confinement_allows_paths_inside(paths_ws: Workspace, path: str, expected: str) -> None:
    resolved = resolve(paths_ws.root, path, "list")
    assert resolved == (paths_ws.root / expected if expected else paths_ws.root)


# ---------------------------------------------------------------- processes


def test_no_git_processes_leak(user: UserRepo, tmp_path: Path) -> None:
    before = git_children()
    ws = Workspace.from_repository(user.path, tmp_path / "ws")
    write(ws.root / "x.txt", "x\n")
    s1 = ws.snapshot("s1")
    ws.snapshot("s2")
    ws.refs()
    ws.diff(ws.base, s1)
    ws.bundle(tmp_path / "b.bundle")
    with pytest.raises(VcsError):
        ws.diff("steps/nope", s1)
    Workspace.open(ws.root).snapshot("s3")
    ws.remove()
    folder = Workspace.from_folder(make_seed(tmp_path), tmp_path / "ws2")
    folder.remove()
    assert git_children() - before == set()
