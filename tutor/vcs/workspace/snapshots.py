"""`Workspace`: a made workspace, its snapshots (commits of the working tree under `refs/tutor/`), diffs and bundle.

`snapshot` records the working tree as a commit under `refs/tutor/<name>`, using a
private index (`.git/tutor-index`) that persists between snapshots, so `git add -A`
rehashes only what changed; told the paths a file tool touched, it updates only their
entries (`touched`), or, in the plain case, writes the new trees itself (`trees`; a new
file's ignore rules asked of a kept `git check-ignore`, `ignores`), starting no git
process. The commit and its ref are written by Tutor (`objects`), not by two more git
processes. Parents chain: each snapshot's parent is the previous new snapshot commit, or
`base`, whose id each snapshot rewrites in place in `.git/tutor-last` (the state file
is written when the workspace is made). An unchanged tree makes no empty commit: the new
ref points at the previous commit. Before each of its own git operations the workspace
checks that nothing in its `.git` was redirected towards another repository (`gitdir`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from .._git import SHA_RE, GitRunner, VcsError, diff_commits, open_git, remove_tree, require_sha, run, run_direct
from ..bundle import create_bundle
from . import creation
from .common import (
    FIXED_DATE,
    INDEX_FILE,
    LAST_FILE,
    REF_PREFIX,
    STATE_FILE,
    check_ref_name,
    commit_tree,
    git_env,
)
from .gitdir import GitDirCheck, plain_file
from .ignores import IgnoreChecker
from .objects import loose_refs, read_loose, write_commit, write_ref
from .redaction import redact_index
from .touched import checked_paths, stored_as_is, update_paths
from .trees import TreeWriter, plain_modes

__all__ = ["Workspace"]

_PREFIX_RE = re.compile(r"^refs/[A-Za-z0-9._/-]*$")


class Workspace:
    """A private repository whose working tree (`root`) is where a session's tools act."""

    root: Path
    git_dir: Path
    base: str
    deterministic: bool

    def __init__(
        self, root: Path, base: str, *, deterministic: bool = False, last: str | None = None, shared_objects: tuple[str, ...] = ()
    ) -> None:
        """Attach to an existing workspace; use `from_repository`, `from_folder` or `open` to get one."""
        self.root = Path(os.path.realpath(root))
        self.git_dir = self.root / ".git"
        self.base = require_sha(base, "base commit")
        self.deterministic = deterministic
        self._last = require_sha(last, "snapshot commit") if last is not None else self.base
        self._last_tree: str | None = None
        self._synced = False  # the private index matches the working tree as of the last snapshot: `paths` may be trusted
        self._unindexed: set[str] = set()  # files snapshotted without the index (`trees`): the next index update adds them
        self._tree_writer = TreeWriter(self.git_dir, self.root)
        self._ignores = IgnoreChecker(self.root, self.git_dir)  # a kept `git check-ignore` for new files
        self._git_dir_check = GitDirCheck(self.root, self.git_dir)
        self._lock = threading.Lock()
        self._redact: Callable[[bytes], bytes] | None = None
        self._ours = False  # made or opened as a workspace: `remove` may delete it even if `.git` is gone
        self.shared_objects = tuple(shared_objects)  # the user's object folders borrowed through alternates (read-only)

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r}, base={self.base[:12]})"

    # ------------------------------------------------------------ making one

    @classmethod
    def from_repository(
        cls, source: str | os.PathLike[str], dest: str | os.PathLike[str], *, deterministic: bool = False, objects: str = "copy"
    ) -> Workspace:
        """A workspace at `dest` (which must not exist) holding the user's repository at `source`: HEAD plus uncommitted changes.

        Nothing in the user's repository is written: not its working tree, index, HEAD,
        refs, config, hooks or logs. `source` must be the top folder of a working tree
        (not a subfolder, not a bare repository) whose HEAD is a commit. `objects` is
        "copy" or "alternates" (see the package's docstring). Made by `creation.from_repository`.
        """
        return creation.from_repository(cls, source, dest, deterministic=deterministic, objects=objects)

    @classmethod
    def from_folder(cls, seed: str | os.PathLike[str], dest: str | os.PathLike[str], *, deterministic: bool = True) -> Workspace:
        """A workspace at `dest` (which must not exist) holding a copy of the plain folder `seed`, committed as `base`.

        Files, folders and symlinks that stay inside `seed` (relative ones) are copied; a
        `.git` inside `seed` is left out; a symlink leaving `seed`, an absolute symlink or
        a special file is an error. With `deterministic` (the default) the commit has a
        fixed author and date, so the same content gives the same commit id every time.
        """
        return creation.from_folder(cls, seed, dest, deterministic=deterministic)

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, shared_objects: list[str] | tuple[str, ...] | None = None) -> Workspace:
        """The workspace made earlier at `root` (to resume a session); `VcsError` if there is none.

        `shared_objects` is what the session's journal says the workspace borrows (commands
        can write the workspace's state file, not the journal); None: the state file's word.
        """
        real = Path(os.path.realpath(root))
        try:
            state = json.loads((real / ".git" / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise VcsError(f"{real}: not a Tutor workspace") from None
        if not isinstance(state, dict) or state.get("format") != "tutor.workspace/1":
            raise VcsError(f"{real}: not a Tutor workspace (unknown state format)")
        try:
            if shared_objects is None:
                shared_objects = state.get("shared_objects") or ()
            shared = tuple(str(p) for p in shared_objects if isinstance(p, str) and os.path.isabs(p))
            workspace = cls(
                real, require_sha(state.get("base"), "base commit"), deterministic=bool(state.get("deterministic")), last=state.get("last"),
                shared_objects=shared,
            )
        except VcsError as error:
            raise VcsError(f"{real}: not a Tutor workspace (bad state file: {error})") from None
        workspace._check_git_dir()
        workspace._ours = True
        newer = workspace._saved_last()
        if newer is not None:
            workspace._last = newer
        return workspace

    def _saved_last(self) -> str | None:
        """The newest snapshot as `LAST_FILE` names it, if that is a commit here (None: the state file's word stands)."""
        held = plain_file(os.path.join(self.git_dir, LAST_FILE))
        try:
            sha = require_sha(held.decode("ascii").strip() if held else None, "snapshot commit")
        except (VcsError, UnicodeDecodeError):
            return None
        if read_loose(self.git_dir, "commit", sha) is not None:
            return sha
        try:
            with self._git() as git:
                kind = run_direct(git, "cat-file", "-t", "--end-of-options", sha).decode().strip()
        except VcsError:
            return None
        return sha if kind == "commit" else None

    def release_stale_locks(self) -> list[str]:
        """Remove the lock files a killed git left in this workspace's `.git`; returns what was removed.

        A git killed mid-snapshot (a power cut, `kill -9` of Tutor's process group) leaves
        `tutor-index.lock` or a ref's `.lock`, and every later snapshot would then fail. Only
        call this when no other process can be using the workspace: a resumed session holds
        its journal's lock, and a workspace belongs to one session.
        """
        removed: list[str] = []
        candidates = [self.git_dir / name for name in (f"{INDEX_FILE}.lock", "index.lock", "HEAD.lock", "packed-refs.lock", "config.lock")]
        refs = self.git_dir / "refs"
        if refs.is_dir():
            candidates += [path for path in refs.rglob("*.lock") if not path.is_symlink()]
        for path in candidates:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path.relative_to(self.git_dir).as_posix())
        return removed

    def _finish(self) -> None:
        """Seed the private index from the fresh checkout's index (valid stat data: the first snapshot is quick)."""
        shutil.copy2(self.git_dir / "index", self.git_dir / INDEX_FILE)
        self._save_state()
        self._ours = True
        self._synced = True

    def _save_state(self) -> None:
        state = {"format": "tutor.workspace/1", "base": self.base, "last": self._last, "deterministic": self.deterministic}
        if self.shared_objects:
            state["shared_objects"] = list(self.shared_objects)
        temp = self.git_dir / f".{STATE_FILE}.tmp"
        if os.path.lexists(temp):  # never written through whatever a command left there
            os.unlink(temp)
        temp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        os.replace(temp, self.git_dir / STATE_FILE)
        self._save_last()

    def _save_last(self) -> None:
        """Write the newest snapshot's id to `LAST_FILE`, over the old one in place: no new file, no rename, each a journal write on ext4.

        Same length every time (one object format a workspace), so a kill never leaves
        half of it; a power cut might, and `open` then falls back to the state file's
        `last`: the next snapshot's parent is an older snapshot, its tree still right.
        """
        path = os.path.join(self.git_dir, LAST_FILE)
        line = f"{self._last}\n".encode()
        try:
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK)
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                info = os.fstat(fd)  # a plain file of ours: not a link to, nor another name of, any other file
                if stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_size == len(line) and os.pwrite(fd, line, 0) == len(line):
                    return
            finally:
                os.close(fd)
        temp = os.path.join(self.git_dir, f".{LAST_FILE}.tmp")  # the first time, or something else is there: a new file
        if os.path.lexists(temp):
            os.unlink(temp)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        if os.path.isdir(path) and not os.path.islink(path):
            remove_tree(Path(path))
        os.replace(temp, path)

    # ------------------------------------------------------------ snapshots

    def snapshot(self, ref_name: str, message: str = "snapshot", *, paths: Iterable[str] | None = None) -> str:
        """Commit the working tree as `refs/tutor/<ref_name>`; returns the commit id.

        Ignored files (the user's ignores, plus `DEFAULT_EXCLUDES`) are left out. The
        parent is the previous snapshot that made a commit, or `base`. If the tree is the
        same as that commit's, no commit is made: the ref points at that commit. An
        existing ref of that name is moved.

        `paths` says what changed since the previous snapshot: the files a tool touched
        ('/'-separated, relative to `root`), whose entries alone are updated (see
        `touched`); None (after a command, which may touch anything) rescans the whole
        tree. The tree is the same either way. The first snapshot of an opened
        workspace, and the one after a failed snapshot, always rescan.
        """
        ref = REF_PREFIX + check_ref_name(ref_name)
        if not isinstance(message, str) or "\0" in message or not message.strip():
            raise VcsError("snapshot message must be a non-empty string without NUL")
        named = None if paths is None else list(paths)
        with self._lock:
            # The scan of `objects` waits until a git process that writes objects is about to run: the plain
            # case runs none (its own writes never follow a link), and the scan is the check's largest part.
            self._git_dir_check(ref, self.shared_objects, objects=False)
            index = self.git_dir / INDEX_FILE
            synced, self._synced = self._synced, False  # until this snapshot is done: a failure leaves the next one a rescan
            with self._git(index_file=index) as git:
                if not index.exists():  # lost (or an old workspace): rebuild from the last commit; slower once
                    self._git_dir_check.check_objects()
                    run_direct(git, "read-tree", "--end-of-options", self._last)
                    synced = False
                if self._last_tree is None:
                    self._last_tree = run_direct(git, "rev-parse", "--verify", "--end-of-options", f"{self._last}^{{tree}}").decode().strip()
                touched = checked_paths(self.root, named) if synced and named is not None else None
                read: dict[str, tuple[bytes, bytes]] = {}
                plain = touched is not None and stored_as_is(self.root, self.git_dir, touched, self._redact, read)
                written = None
                if plain and touched and plain_modes(self.git_dir):  # the trees written here, not by git from the index
                    written = self._tree_writer.replace_files(git, self._last_tree, touched, self._ignores, read)
                if written is not None:
                    tree = written
                    self._unindexed.update(self._tree_writer.recorded)
                else:
                    self._git_dir_check.check_objects()
                    if touched is None:
                        if self._unindexed:
                            # Files written straight into the trees are not in the index yet. Put their
                            # entries in first, as the last snapshot holds them: `add -A` then starts from
                            # the index a rescan after every call would have (a command may since have
                            # made their folder a nested repository, which `add -A` sees otherwise).
                            entries = self._tree_writer.index_entries(self._last_tree, sorted(self._unindexed))
                            if entries is None:  # not all in memory: ask git
                                entries = run_direct(git, "ls-tree", "-z", "--end-of-options", self._last_tree, "--", *sorted(self._unindexed))
                            if entries:
                                run_direct(git, "update-index", "-z", "--index-info", stdin=entries)
                        run_direct(git, "add", "-A")
                    elif not update_paths(git, self.root, touched + sorted(self._unindexed.difference(touched))):
                        touched = None
                    self._unindexed.clear()
                    if self._redact is not None and (touched is None or not plain):
                        redact_index(git, self._redact, self._last_tree)
                    tree = require_sha(run_direct(git, "write-tree").decode().strip(), "tree")
                if tree == self._last_tree:
                    commit = self._last
                else:
                    when = FIXED_DATE if self.deterministic else None
                    commit = write_commit(self.git_dir, tree, [self._last], message, when)
                if loose_refs(self.git_dir):
                    write_ref(self.git_dir, ref, commit)
                else:
                    run_direct(git, "update-ref", "-m", "tutor: snapshot", "--end-of-options", ref, commit)
            if commit != self._last:
                self._last, self._last_tree = commit, tree
                self._save_last()
            self._synced = True
        return commit

    def redact_base(self, redact: Callable[[bytes], bytes], message: str = "the starting point (secrets redacted)") -> str:
        """Start the snapshots afresh from a parentless commit of the base tree with every file passed through `redact`.

        What is bundled is then only this root and the snapshots after it: none of the
        history behind the base (a user's whole repository) and no secret in any file.
        Later snapshots pass the files they change through `redact` too. The agent's
        working tree is left as it is: only what is stored is redacted. Returns the
        new root commit, also kept at `refs/tutor/base`.
        """
        with self._lock:
            self._check_git_dir()
            self._redact = redact
            # The index becomes the base's tree: it still matches the working tree only if nothing was snapshotted yet.
            self._synced = self._synced and self._last == self.base
            self._unindexed.clear()
            index = self.git_dir / INDEX_FILE
            with self._git(index_file=index) as git:
                run(git, "read-tree", "--end-of-options", self.base)
                redact_index(git, redact, None)
                tree = run(git, "write-tree").strip()
                when = FIXED_DATE if self.deterministic else None
                commit = commit_tree(git, tree, [], message, when)
                run(git, "update-ref", "-m", "tutor: redacted base", "--end-of-options", REF_PREFIX + "base", commit)
            self._last, self._last_tree = commit, tree
            self._save_state()
        return commit

    def redact_snapshots(self, redact: Callable[[bytes], bytes]) -> None:
        """Pass the files each later snapshot changes through `redact` (a resumed session: `redact_base` ran before)."""
        with self._lock:
            self._redact = redact

    def name_snapshot(self, ref_name: str, commit: str) -> None:
        """Point `refs/tutor/<ref_name>` at an existing snapshot commit (a lesson names its steps' commits)."""
        ref = REF_PREFIX + check_ref_name(ref_name)
        commit = require_sha(commit, "snapshot commit")
        self._check_git_dir(ref)
        with self._git() as git:
            run(git, "update-ref", "-m", "tutor: name", "--end-of-options", ref, commit)

    @property
    def last(self) -> str:
        """The newest snapshot commit (the parent of the next one), or `base`."""
        return self._last

    def refs(self, prefix: str = REF_PREFIX) -> dict[str, str]:
        """Ref name -> commit id for every ref under `prefix` (by default the snapshots, `refs/tutor/`)."""
        if not isinstance(prefix, str) or not _PREFIX_RE.match(prefix) or ".." in prefix:
            raise VcsError(f"not a ref prefix: {prefix!r}")
        self._check_git_dir()
        with self._git() as git:
            output = run(git, "for-each-ref", "--format=%(objectname) %(refname)", "--end-of-options", prefix)
        found: dict[str, str] = {}
        for line in output.splitlines():
            sha, _, name = line.partition(" ")
            if name.startswith(prefix):
                found[name] = require_sha(sha, "object")
        return found

    def bundle(self, out: str | os.PathLike[str], refs: list[str] | None = None) -> Path:
        """Write `refs` (full names, or snapshot names under `refs/tutor/`; default all of `refs/tutor/*`) to the bundle `out`."""
        if refs is None:
            names = sorted(self.refs())
            if not names:
                raise VcsError(f"{self.root}: no snapshots to bundle yet")
        else:
            names = [name if name.startswith("refs/") else REF_PREFIX + check_ref_name(name) for name in refs]
        self._check_git_dir()
        return create_bundle(self.git_dir, out, names)

    def diff(self, a: str, b: str) -> str:
        """The unified diff from `a` to `b`: commit ids, or snapshot names (`steps/s4` or `refs/tutor/steps/s4`).

        Plumbing (`diff-tree`), no colour, no external or textconv drivers, renames
        detected: the same two commits always give the same text.
        """
        self._check_git_dir()
        with self._git() as git:
            first, second = self._commit(git, a), self._commit(git, b)
            return diff_commits(git, first, second)

    def _commit(self, git: GitRunner, value: str) -> str:
        if isinstance(value, str) and SHA_RE.match(value):
            return value
        if not isinstance(value, str):
            raise VcsError(f"not a commit id or snapshot name: {value!r}")
        name = value if value.startswith(REF_PREFIX) else REF_PREFIX + check_ref_name(value)
        check_ref_name(name[len(REF_PREFIX) :])
        try:
            return require_sha(run(git, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}").strip())
        except VcsError:
            raise VcsError(f"{self.root}: no snapshot {name}") from None

    # ------------------------------------------------------------ removing

    def remove(self) -> None:
        """Delete the workspace folder (read-only files and folders included); nothing to do if it is gone.

        A `Workspace` made by hand (not by `from_repository`, `from_folder` or `open`)
        only deletes a folder that holds a Tutor workspace's state file.
        """
        if not os.path.lexists(self.root):
            return
        if not self._ours and not (self.git_dir / STATE_FILE).is_file():
            raise VcsError(f"{self.root}: does not look like a Tutor workspace; refusing to delete it")
        self.close()
        remove_tree(self.root)

    def close(self) -> None:
        """Stop the git process the snapshots keep (it also stops when the workspace is dropped); the workspace stays usable."""
        with self._lock:
            self._ignores.close()

    # ------------------------------------------------------------ internals

    def _git(self, *, index_file: Path | None = None) -> AbstractContextManager[GitRunner]:
        """A git runner pinned to this workspace's `.git` (no discovery), with `safe_env`."""
        return open_git(self.root, git_env(self.git_dir, work_tree=self.root, index_file=index_file or self.git_dir / "index"))

    def _check_git_dir(self, ref: str | None = None) -> None:
        """Refuse to work if something in the workspace redirected its git folder towards another repository (`gitdir.GitDirCheck`)."""
        self._git_dir_check(ref, self.shared_objects)
