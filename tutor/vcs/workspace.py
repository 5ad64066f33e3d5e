"""The isolated workspace a live session's tools act in, and its snapshots.

    ws = Workspace.from_repository(user_repo, workspace_path("s-2026-01-01-abc"))
    ws.resolve("src/app.py")            # a tool's path, checked: never outside ws.root, never into .git
    sha = ws.snapshot("steps/s4")       # after each executed call: refs/tutor/steps/s4
    ws.diff(ws.base, sha); ws.bundle(lesson_dir / "repo.bundle"); ws.remove()

A workspace is a private repository at `root` (normally `$TUTOR_HOME/workspaces/<session>`):

- `from_repository` makes it from the user's repository without writing anything
  there. It is a local clone done by hand, so that nothing but Tutor's own code decides
  what is read: a fresh `git init` with no templates (so no hooks), the user's object
  files copied in, or borrowed read-only through alternates (see below), the
  user's current branch and tags, and nothing else: no remote, no config, no hooks, no
  other refs. (`git clone --local` would do the same, but it honours inherited `GIT_*`
  variables in ways that cannot all be pinned, and runs `git-upload-pack` inside the
  user's repository.) The user's uncommitted work is captured with the *workspace's*
  git directory and a throwaway index over the user's working tree: `read-tree HEAD`,
  `add -A`, `write-tree`; new blobs land in the workspace's object store, files the
  user ignores (`.gitignore` files, `.git/info/exclude`, their `core.excludesFile`,
  copied into the workspace's `info/exclude`) never enter. If that tree differs from
  HEAD's, it is committed on top of HEAD ("uncommitted changes", by Tutor); that
  commit, or HEAD, is `base`, and is checked out at `root`.
- `from_folder` makes it from a plain folder (a lesson source's seed): same content,
  same commit id, every time.

The workspace never shares a writable file with the user's repository (`objects=`):

- `"copy"` (the default, and what an unsandboxed session uses): every object file and
  pack is copied (read-only, 0444), so nothing done in the workspace, `chmod -R a+w
  .git/objects` or an in-place append included, can reach the user's files through it.
  It costs the object store again in disk, and little time: measured, a 99 MB packed
  store (2,000 files) made a workspace in 1.64 s copied against 1.71 s borrowed, the
  checkout dominating either way (Tutor's own 4.6 MB store: 0.37 s against 0.13 s).
- `"alternates"` (a sandboxed session): the workspace borrows the user's objects
  through `objects/info/alternates` (the absolute path of the user's object folder,
  and of that folder's own alternates), so nothing is copied; `shared_objects` lists
  those folders, and the sandbox shows them to commands read-only (`--ro-bind`), so a
  command cannot chmod, append to or delete them. Git writes new objects only into the
  workspace's own store. Two caveats: when Tutor's own git (outside the sandbox) is
  asked to write an object the user's store already holds, git "freshens" that file's
  mtime there (so that `git gc` keeps it), the one trace a workspace can leave in the
  user's repository; and if the user prunes objects the workspace still needs
  (rewriting history, then `git gc --prune=now`) mid-session, the workspace's history
  behind `base` breaks (its snapshots and bundle do not need it: see `redact_base`).
  Tutor rewrites `info/alternates` to exactly `shared_objects` before each of its own
  git operations, so a command cannot point the snapshots at another object store.
- hardlinks, which earlier versions used, are never made: a linked object file *is* the
  user's file, and a command changing its mode or bytes changes the user's repository.

`snapshot` records the working tree as a commit under `refs/tutor/<name>`, using a
private index (`.git/tutor-index`) that persists between snapshots, so `git add -A`
rehashes only what changed. Parents chain: each snapshot's parent is the previous new
snapshot commit, or `base`. An unchanged tree makes no empty commit: the new ref points
at the previous commit.

Tutor's own git processes are pinned to `root/.git` (checked to be a real folder, its
`objects` and `refs` too; no `.git` file or `commondir` is followed), run with
`safe_env` (no system or global config, hooks off, fsmonitor off, no signing), and
filter drivers are switched off for every path by `.git/info/attributes`, so that
neither the user's configuration nor a command run in the workspace can make Tutor run
a program. The workspace's own config sets hooks off too, for the commands the agent
runs there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from ._git import (
    diff_commits,
    SHA_RE,
    UnsafePathError,
    VcsError,
    add_forced_config,
    init_repository,
    open_git,
    remove_tree,
    require_sha,
    run,
    safe_env,
)
from .bundle import create_bundle

__all__ = [
    "AUTHOR",
    "DEFAULT_EXCLUDES",
    "FIXED_DATE",
    "PathEscape",
    "VcsError",
    "Workspace",
    "workspace_path",
]

AUTHOR = ("Tutor", "tutor@localhost")
FIXED_DATE = "2026-01-01T00:00:00+00:00"  # for deterministic builds
DEFAULT_EXCLUDES = ("__pycache__/", "*.pyc", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/")
REF_PREFIX = "refs/tutor/"
BASE_REF = "refs/tutor-meta/base"  # keeps `base` reachable; outside refs/tutor/ so never bundled by default
STATE_FILE = "tutor-workspace.json"
INDEX_FILE = "tutor-index"
SEED_MESSAGE = "seed"
UNCOMMITTED_MESSAGE = "uncommitted changes"
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255

# Forced on Tutor's git processes in a workspace, on top of `FORCED_CONFIG`.
_EXTRA_CONFIG = (
    ("commit.gpgSign", "false"),
    ("core.excludesFile", os.devnull),
    ("core.logAllRefUpdates", "false"),
    ("core.splitIndex", "false"),
    ("core.untrackedCache", "false"),
)
# Written into the workspace's own config, for the commands run there (not only Tutor's).
_WORKSPACE_CONFIG = (
    "[core]\n"
    f"\thooksPath = {os.devnull}\n"
    "\tfsmonitor = false\n"
    f"\texcludesFile = {os.devnull}\n"
    "[gc]\n\tauto = 0\n"
    "[maintenance]\n\tauto = false\n"
    "[commit]\n\tgpgSign = false\n"
    "[user]\n\tname = Tutor agent\n\temail = agent@tutor.invalid\n"  # commands see no global config (their HOME is private)
)
_ATTRIBUTES = "# Written by Tutor: no filter driver ever runs on this workspace's files.\n* -filter\n"
_SESSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_REF_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9/._-]*$")
_REF_PART_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PREFIX_RE = re.compile(r"^refs/[A-Za-z0-9._/-]*$")
# Characters HFS+ ignores in names: ".g\u200cit" is ".git" there (git refuses them the same way).
_HFS_IGNORABLE = dict.fromkeys(
    [0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E]
    + [0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF]
)


class PathEscape(UnsafePathError):
    """A tool-supplied path that would leave the workspace, enter its `.git`, or is not a plain file path."""


def workspace_path(session_id: str) -> Path:
    """Where the workspace of session `session_id` lives: `$TUTOR_HOME/workspaces/<session_id>`."""
    from tutor.paths import workspaces_dir

    if not isinstance(session_id, str) or not _SESSION_RE.match(session_id) or ".." in session_id:
        raise VcsError(f"not a usable session id for a workspace folder: {session_id!r}")
    return workspaces_dir() / session_id


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
        "copy" or "alternates" (see the module's docstring).
        """
        if objects not in ("copy", "alternates"):
            raise VcsError(f"objects must be 'copy' or 'alternates', not {objects!r}")
        top = _user_top(Path(source))
        user_git, user_common = _user_git_dirs(top)
        target = _new_folder(Path(dest), outside=top)
        with open_git(top, safe_env(user_git, common_dir=user_common, work_tree=top)) as user:
            try:
                head = run(user, "rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}").strip()
            except VcsError:
                raise VcsError(f"{top}: the repository has no commits yet; commit something first") from None
            head = require_sha(head)
            try:
                branch = run(user, "symbolic-ref", "--quiet", "HEAD").strip()
            except VcsError:
                branch = ""  # detached HEAD
            object_format = run(user, "rev-parse", "--show-object-format").strip() or "sha1"
            tags = run(user, "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags/")
        excludes = _user_excludes(top, user_git, user_common)
        try:
            target.mkdir()
        except FileExistsError:
            raise VcsError(f"{target}: already exists; a workspace needs a new folder") from None
        except OSError as error:
            raise VcsError(f"{target}: cannot create the workspace folder ({error.strerror or error})") from None
        try:
            short_branch = branch[len("refs/heads/") :] if branch.startswith("refs/heads/") else ""
            git_dir = init_repository(target, object_format=object_format, initial_branch=short_branch or "main")
            if objects == "alternates":
                shared = _borrow_objects(user_common / "objects", git_dir / "objects")
            else:
                _copy_objects(user_common / "objects", git_dir / "objects")
                shared = _borrow_objects(user_common / "objects", git_dir / "objects", keep_source=False)
            shallow = user_common / "shallow"
            if shallow.is_file() and not shallow.is_symlink():
                shutil.copyfile(shallow, git_dir / "shallow")
            _configure(git_dir, excludes)
            capture_index = git_dir / "tutor-capture-index"
            env = _env(git_dir, work_tree=top, index_file=capture_index)
            when = FIXED_DATE if deterministic else None
            with open_git(top, env) as git:
                try:
                    run(git, "cat-file", "-e", "--end-of-options", f"{head}^{{commit}}")
                except VcsError:
                    raise VcsError(f"{top}: HEAD {head[:12]} could not be copied (a partial or damaged repository?)") from None
                run(git, "read-tree", "--end-of-options", head)
                run(git, "add", "-A")
                tree = run(git, "write-tree").strip()
                head_tree = run(git, "rev-parse", "--verify", "--end-of-options", f"{head}^{{tree}}").strip()
                base = head
                if tree != head_tree:
                    base = _commit_tree(git, tree, [head], UNCOMMITTED_MESSAGE, when)
            capture_index.unlink(missing_ok=True)
            workspace = cls(target, base, deterministic=deterministic, shared_objects=shared)
            workspace._last_tree = tree
            with workspace._git(index_file=git_dir / "index") as git:
                if short_branch:
                    run(git, "update-ref", "-m", "tutor: workspace", "--end-of-options", f"refs/heads/{short_branch}", base)
                else:
                    run(git, "update-ref", "--no-deref", "-m", "tutor: workspace", "--end-of-options", "HEAD", base)
                run(git, "update-ref", "--end-of-options", BASE_REF, base)
                _copy_tags(git, tags)
                run(git, "reset", "--hard", "--quiet")
            workspace._finish()
            return workspace
        except BaseException:
            remove_tree(target)
            raise

    @classmethod
    def from_folder(cls, seed: str | os.PathLike[str], dest: str | os.PathLike[str], *, deterministic: bool = True) -> Workspace:
        """A workspace at `dest` (which must not exist) holding a copy of the plain folder `seed`, committed as `base`.

        Files, folders and symlinks that stay inside `seed` (relative ones) are copied; a
        `.git` inside `seed` is left out; a symlink leaving `seed`, an absolute symlink or
        a special file is an error. With `deterministic` (the default) the commit has a
        fixed author and date, so the same content gives the same commit id every time.
        """
        seed_path = Path(seed)
        if not seed_path.is_dir():
            raise VcsError(f"{seed_path}: seed folder not found")
        seed_real = Path(os.path.realpath(seed_path))
        target = _new_folder(Path(dest), outside=seed_real)
        try:
            target.mkdir()
        except FileExistsError:
            raise VcsError(f"{target}: already exists; a workspace needs a new folder") from None
        except OSError as error:
            raise VcsError(f"{target}: cannot create the workspace folder ({error.strerror or error})") from None
        try:
            _copy_seed(seed_real, target)
            git_dir = init_repository(target, initial_branch="main")
            _configure(git_dir, "")
            index = git_dir / "index"
            with open_git(target, _env(git_dir, work_tree=target, index_file=index)) as git:
                run(git, "add", "-A")
                tree = run(git, "write-tree").strip()
                base = _commit_tree(git, tree, [], SEED_MESSAGE, FIXED_DATE if deterministic else None)
                run(git, "update-ref", "-m", "tutor: seed", "--end-of-options", "refs/heads/main", base)
                run(git, "update-ref", "--end-of-options", BASE_REF, base)
            workspace = cls(target, base, deterministic=deterministic)
            workspace._last_tree = tree
            workspace._finish()
            return workspace
        except BaseException:
            remove_tree(target)
            raise

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
                real, state.get("base"), deterministic=bool(state.get("deterministic")), last=state.get("last"), shared_objects=shared
            )
        except VcsError as error:
            raise VcsError(f"{real}: not a Tutor workspace (bad state file: {error})") from None
        workspace._check_git_dir()
        workspace._ours = True
        return workspace

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

    def _save_state(self) -> None:
        state = {"format": "tutor.workspace/1", "base": self.base, "last": self._last, "deterministic": self.deterministic}
        if self.shared_objects:
            state["shared_objects"] = list(self.shared_objects)
        temp = self.git_dir / f".{STATE_FILE}.tmp"
        temp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        os.replace(temp, self.git_dir / STATE_FILE)

    # ------------------------------------------------------------ snapshots

    def snapshot(self, ref_name: str, message: str = "snapshot") -> str:
        """Commit the working tree as `refs/tutor/<ref_name>`; returns the commit id.

        Ignored files (the user's ignores, plus `DEFAULT_EXCLUDES`) are left out. The
        parent is the previous snapshot that made a commit, or `base`. If the tree is the
        same as that commit's, no commit is made: the ref points at that commit. An
        existing ref of that name is moved.
        """
        ref = REF_PREFIX + _check_ref_name(ref_name)
        if not isinstance(message, str) or "\0" in message or not message.strip():
            raise VcsError("snapshot message must be a non-empty string without NUL")
        with self._lock:
            self._check_git_dir(ref)
            index = self.git_dir / INDEX_FILE
            with self._git(index_file=index) as git:
                if not index.exists():  # lost (or an old workspace): rebuild from the last commit; slower once
                    run(git, "read-tree", "--end-of-options", self._last)
                if self._last_tree is None:
                    self._last_tree = run(git, "rev-parse", "--verify", "--end-of-options", f"{self._last}^{{tree}}").strip()
                run(git, "add", "-A")
                if self._redact is not None:
                    self._redact_index(git, self._last_tree)
                tree = run(git, "write-tree").strip()
                if tree == self._last_tree:
                    commit = self._last
                else:
                    when = FIXED_DATE if self.deterministic else None
                    commit = _commit_tree(git, tree, [self._last], message, when)
                run(git, "update-ref", "-m", "tutor: snapshot", "--end-of-options", ref, commit)
            if commit != self._last:
                self._last, self._last_tree = commit, tree
                self._save_state()
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
            index = self.git_dir / INDEX_FILE
            with self._git(index_file=index) as git:
                run(git, "read-tree", "--end-of-options", self.base)
                self._redact_index(git, None)
                tree = run(git, "write-tree").strip()
                when = FIXED_DATE if self.deterministic else None
                commit = _commit_tree(git, tree, [], message, when)
                run(git, "update-ref", "-m", "tutor: redacted base", "--end-of-options", REF_PREFIX + "base", commit)
            self._last, self._last_tree = commit, tree
            self._save_state()
        return commit

    def redact_snapshots(self, redact: Callable[[bytes], bytes]) -> None:
        """Pass the files each later snapshot changes through `redact` (a resumed session: `redact_base` ran before)."""
        with self._lock:
            self._redact = redact

    def _redact_index(self, git: Any, since_tree: str | None) -> None:
        """Rewrite, in the private index, every blob (or every one changed since `since_tree`) that holds a secret."""
        redact = self._redact
        if redact is None:
            return
        listing = run(git, "ls-files", "-s", "-z").split("\0")
        entries = {}
        for line in listing:
            if not line:
                continue
            meta, _, path = line.partition("\t")
            mode, sha, _stage = meta.split(" ")
            entries[path] = (mode, sha)
        if since_tree is None:
            paths = list(entries)
        else:
            changed = run(git, "diff-index", "--cached", "--name-only", "-z", "--no-renames", "--end-of-options", since_tree)
            paths = [path for path in changed.split("\0") if path in entries]
        for path in paths:
            mode, sha = entries[path]
            if mode == "160000":
                continue  # a submodule: no content here
            data = git.git.get_object_data(sha)[3]
            cleaned = redact(data)
            if cleaned == data:
                continue
            with tempfile.TemporaryFile() as stream:
                stream.write(cleaned)
                stream.seek(0)
                new_sha = run(git, "hash-object", "-w", "--stdin", "--no-filters", istream=stream).strip()
            run(git, "update-index", "--cacheinfo", mode, require_sha(new_sha, "blob"), path)

    def name_snapshot(self, ref_name: str, commit: str) -> None:
        """Point `refs/tutor/<ref_name>` at an existing snapshot commit (a lesson names its steps' commits)."""
        ref = REF_PREFIX + _check_ref_name(ref_name)
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
            names = [name if name.startswith("refs/") else REF_PREFIX + _check_ref_name(name) for name in refs]
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

    def _commit(self, git: Any, value: str) -> str:
        if isinstance(value, str) and SHA_RE.match(value):
            return value
        if not isinstance(value, str):
            raise VcsError(f"not a commit id or snapshot name: {value!r}")
        name = value if value.startswith(REF_PREFIX) else REF_PREFIX + _check_ref_name(value)
        _check_ref_name(name[len(REF_PREFIX) :])
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
        remove_tree(self.root)

    # ------------------------------------------------------------ tool paths

    def resolve(self, relative: str) -> Path:
        """The real path inside `root` that the tool path `relative` names (it may not exist yet), or `PathEscape`.

        Refused: anything not a non-empty string; NUL bytes; text that is not UTF-8; over
        4096 bytes, or a name over 255; absolute paths (even ones inside the workspace);
        paths starting with `~` (a shell would expand them to a home folder); any `..`
        component; any `.git` component, compared as case-insensitive file systems would
        (`.GIT`, `.git.`, `.g\\u200cit`); a path whose symlinks (the last component or any
        parent, dangling or not) resolve outside `root` or into `root/.git`; symlink loops;
        device files, FIFOs and sockets. Backslashes are ordinary characters on POSIX
        (`..\\x` is a file of that name). `.` is the workspace root itself.
        """
        if not isinstance(relative, str):
            raise PathEscape(f"path must be a string, not {type(relative).__name__}")
        shown = _show(relative)
        if not relative:
            raise PathEscape("empty path; give a path relative to the workspace")
        if "\0" in relative:
            raise PathEscape(f"{shown}: paths cannot contain NUL bytes")
        try:
            size = len(relative.encode("utf-8"))
        except UnicodeEncodeError:
            raise PathEscape(f"{shown}: path is not valid UTF-8 text") from None
        if size > MAX_PATH_BYTES:
            raise PathEscape(f"{shown}: path is too long ({size} bytes; at most {MAX_PATH_BYTES})")
        if relative.startswith("/"):
            raise PathEscape(f"{shown}: absolute paths are not allowed; give a path relative to the workspace")
        if relative.startswith("~"):
            raise PathEscape(f"{shown}: '~' paths are not allowed; give a path relative to the workspace")
        parts = [part for part in relative.split("/") if part not in ("", ".")]
        for part in parts:
            if part == "..":
                raise PathEscape(f"{shown}: '..' is not allowed in paths")
            if len(part.encode("utf-8")) > MAX_NAME_BYTES:
                raise PathEscape(f"{shown}: a name in the path is longer than {MAX_NAME_BYTES} bytes")
            if _is_dot_git(part):
                raise PathEscape(f"{shown}: the workspace's .git folder is off limits")
        candidate = os.path.join(self.root, *parts)
        real = os.path.realpath(candidate)
        if real != str(self.root) and not real.startswith(str(self.root) + os.sep):
            raise PathEscape(f"{shown}: resolves outside the workspace (through a symlink)")
        inside = os.path.relpath(real, self.root)
        if inside != "." and any(_is_dot_git(part) for part in inside.split(os.sep)):
            raise PathEscape(f"{shown}: resolves into the workspace's .git folder (through a symlink)")
        try:
            info = os.lstat(real)
        except (FileNotFoundError, NotADirectoryError):  # to be created (or a tool's error to report)
            return Path(real)
        except OSError as error:
            raise PathEscape(f"{shown}: cannot be checked ({error.strerror or error})") from None
        if stat.S_ISLNK(info.st_mode):
            raise PathEscape(f"{shown}: is a symlink loop")
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise PathEscape(f"{shown}: is a device, FIFO or socket, not a file or folder")
        return Path(real)

    def contains(self, path: object) -> bool:
        """Whether `resolve` accepts `path`; an absolute path (str or `Path`) counts if it resolves to such a place."""
        try:
            if isinstance(path, os.PathLike):
                path = os.fspath(path)
            if not isinstance(path, str):
                return False
            if os.path.isabs(path):
                if "\0" in path:
                    return False
                real = os.path.realpath(path)
                if real == str(self.root):
                    return True
                if not real.startswith(str(self.root) + os.sep):
                    return False
                path = os.path.relpath(real, self.root)
            self.resolve(path)
        except (VcsError, OSError, ValueError):
            return False
        return True

    # ------------------------------------------------------------ internals

    def _git(self, *, index_file: Path | None = None) -> Any:
        """A git runner pinned to this workspace's `.git` (no discovery), with `safe_env`."""
        return open_git(self.root, _env(self.git_dir, work_tree=self.root, index_file=index_file or self.git_dir / "index"))

    def _check_git_dir(self, ref: str | None = None) -> None:
        """Refuse to work if something in the workspace redirected its git folder towards another repository.

        Commands run in the workspace can write into `.git`. Tutor's git processes are
        pinned by environment, but git still follows a few things found there: a `.git`
        file or symlink, a `commondir` file (the ref store honours it whatever
        `GIT_COMMON_DIR` says), symlinked `objects`, `objects/xx`, `refs` or `refs/tutor/...`
        folders. Any of those is refused (one `lstat` each, one `scandir` of `objects`).
        The private index and `info/attributes` (which switches filter drivers off) are
        put back if they were replaced.
        """
        if not os.path.lexists(self.git_dir):
            raise VcsError(f"{self.root}: no workspace here any more (its .git folder is missing)")
        problem = _not_a_folder(self.git_dir)
        if problem:
            raise VcsError(f"{self.root}: the workspace's git folder was tampered with (.git {problem})")
        for name in ("commondir", "gitdir"):
            if os.path.lexists(self.git_dir / name):
                raise VcsError(f"{self.root}: the workspace's git folder was tampered with (.git/{name} points elsewhere)")
        folders = [self.git_dir / "objects", self.git_dir / "refs", self.git_dir / "info"]
        if ref is not None:
            parts = ref.split("/")[:-1]
            folders += [self.git_dir.joinpath(*parts[: end + 1]) for end in range(1, len(parts))]
        for folder in folders:
            problem = _not_a_folder(folder, missing_ok=folder.name != "objects")
            if problem:
                raise VcsError(f"{self.root}: the workspace's git folder was tampered with ({folder.relative_to(self.root)} {problem})")
        with os.scandir(self.git_dir / "objects") as entries:
            for entry in entries:
                if entry.is_symlink():
                    raise VcsError(f"{self.root}: the workspace's git folder was tampered with (.git/objects/{entry.name} is a symlink)")
        self._restore_alternates()
        for name in ("packed-refs", INDEX_FILE):
            path = self.git_dir / name
            if path.is_symlink() or (path.exists() and not path.is_file()):
                raise VcsError(f"{self.root}: the workspace's git folder was tampered with (.git/{name} is not a file)")
        info = self.git_dir / "info"
        attributes = info / "attributes"
        try:
            intact = not attributes.is_symlink() and attributes.read_text(encoding="utf-8") == _ATTRIBUTES
        except (OSError, UnicodeDecodeError):
            intact = False
        if not intact:
            info.mkdir(exist_ok=True)
            if attributes.is_symlink() or attributes.is_file():
                attributes.unlink()
            elif attributes.exists():
                remove_tree(attributes)
            attributes.write_text(_ATTRIBUTES, encoding="utf-8")


    def _restore_alternates(self) -> None:
        """Make `objects/info/alternates` say exactly `shared_objects` (nothing when there are none)."""
        info = self.git_dir / "objects" / "info"
        alternates = info / "alternates"
        wanted = "".join(f"{path}\n" for path in self.shared_objects)
        try:
            current = alternates.read_text(encoding="utf-8") if alternates.is_file() and not alternates.is_symlink() else None
        except (OSError, UnicodeDecodeError):
            current = None
        if current == wanted or (current is None and not wanted and not os.path.lexists(alternates)):
            return
        problem = _not_a_folder(info, missing_ok=True)
        if problem:
            raise VcsError(f"{self.root}: the workspace's git folder was tampered with (.git/objects/info {problem})")
        info.mkdir(exist_ok=True)
        if os.path.lexists(alternates):
            if alternates.is_dir() and not alternates.is_symlink():
                remove_tree(alternates)
            else:
                alternates.unlink()
        if wanted:
            alternates.write_text(wanted, encoding="utf-8")


def _not_a_folder(path: Path, *, missing_ok: bool = False) -> str:
    """Why `path` is not a real folder ('' if it is one)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "" if missing_ok else "is missing"
    except OSError as error:
        return f"cannot be checked ({error.strerror or error})"
    if stat.S_ISLNK(mode):
        return "is a symlink"
    if not stat.S_ISDIR(mode):
        return "is not a folder"
    return ""


# ---------------------------------------------------------------- helpers


def _env(git_dir: Path, *, work_tree: Path, index_file: Path) -> dict[str, str]:
    env = safe_env(git_dir, work_tree=work_tree, index_file=index_file)
    return add_forced_config(env, _EXTRA_CONFIG)


def _commit_tree(git: Any, tree: str, parents: list[str], message: str, when: str | None) -> str:
    """`git commit-tree`, by Tutor, at `when` (or now)."""
    name, email = AUTHOR
    date = when or f"@{int(time.time())} +0000"
    identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": date,
    }
    args: list[str] = ["-m", message]
    for parent in parents:
        args += ["-p", require_sha(parent)]
    output = run(git, "commit-tree", *args, "--end-of-options", require_sha(tree, "tree"), env=identity)
    return require_sha(output.strip())


def _check_ref_name(name: object) -> str:
    """`name` if it is a plain snapshot name (`s4`, `steps/s4`, `calls/c1.2`), else `VcsError`."""
    if (
        not isinstance(name, str)
        or len(name) > 200
        or not _REF_NAME_RE.match(name)
        or ".." in name
        or "//" in name
        or name.endswith("/")
        or name.endswith(".lock")
        or not all(_REF_PART_RE.match(part) and not part.endswith((".", ".lock")) for part in name.split("/"))
    ):
        shown = name if isinstance(name, str) and len(name) <= 80 else type(name).__name__
        raise VcsError(f"not a snapshot name (lower-case letters, digits, '/', '.', '_', '-'): {shown!r}")
    return name


def _is_dot_git(name: str) -> bool:
    folded = name.translate(_HFS_IGNORABLE).rstrip(". ").casefold()
    return folded in (".git", "git~1")


def _show(path: str) -> str:
    text = path if len(path) <= 80 else path[:77] + "..."
    return repr(text)


def check_repository(source: str | os.PathLike[str]) -> Path:
    """The top folder of the user's working tree at `source`, checked as `from_repository` checks it, without running git; else a one-line `VcsError`."""
    top = _user_top(Path(source))
    _user_git_dirs(top)
    return top


def _user_top(source: Path) -> Path:
    """The top folder of the user's working tree at `source`, or a one-line `VcsError`."""
    try:
        top = source.resolve(strict=True)
    except (OSError, RuntimeError):
        raise VcsError(f"{source}: no such folder") from None
    if not top.is_dir():
        raise VcsError(f"{source}: not a folder")
    if os.path.lexists(top / ".git"):
        return top
    if (top / "HEAD").is_file() and (top / "objects").is_dir():
        raise VcsError(f"{top}: is a bare repository; Tutor needs a working tree")
    for parent in top.parents:
        if os.path.lexists(parent / ".git"):
            raise VcsError(f"{top}: is inside the git repository {parent}; give its top folder")
    raise VcsError(f"{top}: not a git repository")


def _user_git_dirs(top: Path) -> tuple[Path, Path]:
    """The git folder and common folder of the working tree `top`, found the way git finds them, without git.

    Nothing is taken from the environment (`GIT_DIR`, `GIT_COMMON_DIR`, ... inherited
    from a hook must not redirect us).
    """
    dotgit = top / ".git"
    if dotgit.is_dir():
        git_dir = dotgit.resolve()
    elif dotgit.is_file():
        try:
            text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
        except OSError as error:
            raise VcsError(f"{dotgit}: cannot read ({error.strerror or error})") from None
        if not text.startswith("gitdir:"):
            raise VcsError(f"{dotgit}: not a git folder or gitdir file")
        git_dir = (top / text[len("gitdir:") :].strip()).resolve()
    else:
        raise VcsError(f"{top}: not a git repository")
    if not (git_dir / "HEAD").is_file():
        raise VcsError(f"{top}: not a git repository ({git_dir} has no HEAD)")
    common_dir = git_dir
    pointer = git_dir / "commondir"
    if pointer.is_file():
        common_dir = (git_dir / pointer.read_text(encoding="utf-8", errors="replace").strip()).resolve()
    if not (common_dir / "objects").is_dir():
        raise VcsError(f"{top}: not a git repository ({common_dir} has no objects)")
    return git_dir, common_dir


def _new_folder(dest: Path, *, outside: Path) -> Path:
    """`dest` made absolute, checked not to exist and not to lie inside `outside`; its parent is created."""
    target = Path(os.path.abspath(dest))
    if os.path.lexists(target):
        raise VcsError(f"{target}: already exists; a workspace needs a new folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise VcsError(f"{target.parent}: cannot create folder ({error.strerror or error})") from None
    target = Path(os.path.realpath(target.parent)) / target.name
    if target == outside or outside in target.parents:
        raise VcsError(f"{target}: the workspace cannot be inside {outside}")
    return target


def _user_excludes(top: Path, git_dir: Path, common_dir: Path) -> str:
    """The user's exclude patterns that live outside the working tree: `core.excludesFile` (or git's default), then `info/exclude`."""
    chunks: list[str] = []
    path: Path | None = None
    env = {
        "GIT_DIR": str(git_dir),
        "GIT_COMMON_DIR": str(common_dir),
        "GIT_WORK_TREE": str(top),
        "GIT_OBJECT_DIRECTORY": str(common_dir / "objects"),
        "GIT_INDEX_FILE": str(git_dir / "index"),
        "GIT_TERMINAL_PROMPT": "0",
    }
    # Only reads configuration (the user's own, global included): nothing is run.
    with open_git(top, env) as git:
        try:
            value = run(git, "config", "--path", "--get", "core.excludesFile").strip()
        except VcsError:
            value = ""
    if value:
        path = Path(value) if os.path.isabs(value) else top / value
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        path = Path(xdg) / "git" / "ignore"
    if path != Path(os.devnull):
        chunks.append(_read_text(path, f"from core.excludesFile ({path})"))
    chunks.append(_read_text(common_dir / "info" / "exclude", "from the repository's info/exclude"))
    return "".join(chunk for chunk in chunks if chunk)


def _read_text(path: Path, label: str, limit: int = 1024 * 1024) -> str:
    try:
        if not path.is_file():
            return ""
        with path.open("rb") as stream:
            data = stream.read(limit)
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return f"# {label}\n{text}" + ("" if text.endswith("\n") else "\n")


def _configure(git_dir: Path, user_excludes: str) -> None:
    """The workspace's own config (hooks off, ...), `info/exclude` and `info/attributes`."""
    with (git_dir / "config").open("a", encoding="utf-8") as stream:
        stream.write(_WORKSPACE_CONFIG)
    info = git_dir / "info"
    info.mkdir(exist_ok=True)
    defaults = "# Written by Tutor: never part of a snapshot.\n" + "".join(f"{line}\n" for line in DEFAULT_EXCLUDES)
    (info / "exclude").write_text(defaults + user_excludes, encoding="utf-8")
    (info / "attributes").write_text(_ATTRIBUTES, encoding="utf-8")


def _alternate_chain(objects: Path, depth: int = 0) -> list[str]:
    """`objects` and the object folders it borrows from (its `info/alternates`, as git follows them: 5 levels), absolute."""
    real = os.path.realpath(objects)
    found = [real]
    if depth >= 5:
        return found
    alternates = Path(real) / "info" / "alternates"
    try:
        text = alternates.read_text(encoding="utf-8", errors="replace") if alternates.is_file() else ""
    except OSError:
        text = ""
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#") or entry.startswith('"'):
            continue
        path = entry if os.path.isabs(entry) else os.path.normpath(os.path.join(real, entry))
        if os.path.isdir(path):
            for item in _alternate_chain(Path(path), depth + 1):
                if item not in found:
                    found.append(item)
    return found


def _borrow_objects(source: Path, dest: Path, *, keep_source: bool = True) -> tuple[str, ...]:
    """Point `dest` (a fresh object store) at `source` through `info/alternates`; returns every folder it borrows.

    With `keep_source` False (`source` was copied) only `source`'s own alternates are borrowed.
    """
    if not source.is_dir():
        raise VcsError(f"{source}: the repository has no object store")
    chain = _alternate_chain(source)
    if not keep_source:
        chain = chain[1:]
    if chain:
        (dest / "info").mkdir(parents=True, exist_ok=True)
        (dest / "info" / "alternates").write_text("".join(f"{path}\n" for path in chain), encoding="utf-8")
    return tuple(chain)


def _copy_objects(source: Path, dest: Path) -> None:
    """Copy every object file and pack of `source` into `dest`, read-only (0444); skip symlinks.

    Never a hardlink: a linked file is the user's own, and a command that changed its mode
    or appended to it would change the user's repository. The user's own alternates (rare)
    are not copied: `_borrow_objects` points at them.
    """
    if not source.is_dir():
        raise VcsError(f"{source}: the repository has no object store")
    for folder, subfolders, files in os.walk(source):
        relative = os.path.relpath(folder, source)
        target = dest if relative == "." else dest / relative
        target.mkdir(parents=True, exist_ok=True)
        subfolders[:] = [name for name in subfolders if not os.path.islink(os.path.join(folder, name))]
        for name in files:
            origin = os.path.join(folder, name)
            copy = target / name
            if os.path.islink(origin) or copy.exists():
                continue
            if relative == "info" and name == "alternates":
                continue  # borrowed, see `_borrow_objects`
            if relative == "." or name.startswith("tmp_") or name.endswith(".lock"):
                continue
            try:
                shutil.copyfile(origin, copy)
            except FileNotFoundError:  # a temporary object file the user's git just renamed
                continue
            os.chmod(copy, 0o444)


def _copy_tags(git: Any, listing: str) -> None:
    """Recreate the user's tags (`<id> <refname>` lines) in the workspace, in one `update-ref --stdin`."""
    commands = []
    for line in listing.splitlines():
        sha, _, name = line.partition(" ")
        if SHA_RE.match(sha) and name.startswith("refs/tags/") and not any(c in name for c in " \t\n\0"):
            commands.append(f"create {name} {sha}\n")
    if not commands:
        return
    with tempfile.TemporaryFile() as stream:
        stream.write("".join(commands).encode("utf-8"))
        stream.seek(0)
        try:
            run(git, "update-ref", "--stdin", istream=stream)
        except VcsError:
            pass  # tags are a convenience for the agent; a broken one must not stop the session


def _copy_seed(seed: Path, dest: Path) -> None:
    """Copy the folder `seed` into `dest` (see `Workspace.from_folder`)."""
    for folder, subfolders, files in os.walk(seed):
        relative = os.path.relpath(folder, seed)
        target = dest if relative == "." else dest / relative
        target.mkdir(exist_ok=True)
        keep = []
        for name in subfolders:
            origin = os.path.join(folder, name)
            if _is_dot_git(name):
                continue
            if os.path.islink(origin):
                _copy_link(seed, origin, target / name)
            else:
                keep.append(name)
        subfolders[:] = keep
        for name in files:
            origin = os.path.join(folder, name)
            if _is_dot_git(name):
                continue
            mode = os.lstat(origin).st_mode
            if stat.S_ISLNK(mode):
                _copy_link(seed, origin, target / name)
            elif stat.S_ISREG(mode):
                shutil.copy2(origin, target / name)
            else:
                raise VcsError(f"{origin}: is not a regular file, folder or symlink; a seed cannot hold it")


def _copy_link(seed: Path, origin: str, copy: Path) -> None:
    link = os.readlink(origin)
    if os.path.isabs(link):
        raise VcsError(f"{origin}: symlink with an absolute target ({link}); a seed may only hold relative links")
    real = os.path.realpath(os.path.join(os.path.dirname(origin), link))
    if real != str(seed) and not real.startswith(str(seed) + os.sep):
        raise VcsError(f"{origin}: symlink points outside the seed folder ({link})")
    os.symlink(link, copy)
