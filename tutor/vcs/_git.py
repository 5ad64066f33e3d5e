"""Running git safely: the one way every module of `tutor.vcs` talks to git.

- Every repository is opened with `open_repo(path)`, a `with Repo(path)` block, so that
  GitPython's persistent `git cat-file` processes are reaped when the block ends.
- Every git process gets `safe_env(...)`: no system or global config (which could name
  programs to run), the repository pinned explicitly (a stray `GIT_DIR` or
  `GIT_INDEX_FILE` inherited from a hook cannot redirect us), hooks off, fsmonitor off,
  no background maintenance, no network transport, no replace refs, literal pathspecs.
- Object ids are validated as full hex before they reach git (`require_sha`); git never
  gets a user- or lesson-supplied string where it could parse an option: options come
  first, then `--end-of-options` or `--`.
- Git failures become `VcsError` with a one-line message fit for a status bar.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import UserError

if TYPE_CHECKING:
    from git import Git, Repo

SHA_RE = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")

# Configuration forced on every git process, above any repository config.
FORCED_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.hooksPath", os.devnull),
    ("core.fsmonitor", "false"),
    ("core.pager", "cat"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("fetch.writeCommitGraph", "false"),
    ("protocol.allow", "never"),
    ("protocol.file.allow", "always"),  # bundles are read through the "file" transport
    ("color.ui", "false"),
)


class VcsError(UserError):
    """A git operation failed; `str(error)` is one line, fit to show to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class UnsafePathError(VcsError, ValueError):
    """A path that could leave the repository tree (`..`, absolute, NUL, empty)."""


class NotFoundError(VcsError, FileNotFoundError):
    """No such file (or step, or commit) in the lesson repository."""


def one_line(text: str) -> str:
    return " ".join(str(text).split()) or "git failed"


def require_sha(value: object, what: str = "commit") -> str:
    """`value` if it is a full SHA-1 or SHA-256 hex id, else `VcsError` (never reaches git)."""
    if not isinstance(value, str) or not SHA_RE.match(value):
        shown = value if isinstance(value, str) and len(value) <= 80 else type(value).__name__
        raise VcsError(f"not a full {what} id: {shown!r}")
    return value


def safe_env(
    git_dir: str | os.PathLike[str],
    *,
    common_dir: str | os.PathLike[str] | None = None,
    work_tree: str | os.PathLike[str] | None = None,
    index_file: str | os.PathLike[str] | None = None,
) -> dict[str, str]:
    """The environment overrides for a git process working on `git_dir`."""
    git_dir = os.fspath(git_dir)
    common = os.fspath(common_dir) if common_dir is not None else git_dir
    env = {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_PARAMETERS": "",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_PAGER": "cat",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_LITERAL_PATHSPECS": "1",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_NAMESPACE": "",
        "GIT_DIR": git_dir,
        "GIT_COMMON_DIR": common,
        "GIT_OBJECT_DIRECTORY": os.path.join(common, "objects"),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": "",
        "GIT_INDEX_FILE": os.fspath(index_file) if index_file is not None else os.path.join(git_dir, "index"),
        "GIT_CONFIG_COUNT": str(len(FORCED_CONFIG)),
    }
    for number, (key, value) in enumerate(FORCED_CONFIG):
        env[f"GIT_CONFIG_KEY_{number}"] = key
        env[f"GIT_CONFIG_VALUE_{number}"] = value
    if work_tree is not None:
        env["GIT_WORK_TREE"] = os.fspath(work_tree)
    return env


def own_common_dir(git_dir: str | os.PathLike[str]) -> str:
    """The common dir as the repository itself records it (a linked worktree's `commondir` file), else the git dir."""
    git_dir = os.fspath(git_dir)
    try:
        recorded = Path(git_dir, "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    return os.path.normpath(os.path.join(git_dir, recorded))


@contextmanager
def open_repo(path: str | os.PathLike[str], **env: str) -> Iterator[Repo]:
    """`with Repo(path)`, its git processes given `safe_env` (plus `env`); errors as `VcsError`."""
    from git import Repo
    from git.exc import GitError, NoSuchPathError

    try:
        repo = Repo(os.fspath(path))
    except NoSuchPathError:
        raise NotFoundError(f"{path}: no such repository") from None
    except GitError as error:
        raise VcsError(f"{path}: not a git repository ({type(error).__name__})") from None
    with repo:
        work_tree = None if repo.bare else repo.working_tree_dir
        # Not repo.common_dir: GitPython takes an inherited GIT_COMMON_DIR at its word, which
        # would point every command at some other repository. The repo's own files decide.
        overrides: dict[str, str | None] = dict(safe_env(repo.git_dir, common_dir=own_common_dir(repo.git_dir), work_tree=work_tree))
        if work_tree is None:
            overrides["GIT_WORK_TREE"] = None  # an inherited one must not turn a bare repo into a checkout
        overrides.update(env)
        repo.git.update_environment(**overrides)
        yield repo


def run(repo: Repo | GitRunner, command: str, *args: str, binary: bool = False, **kwargs: Any) -> Any:
    """`repo.git.<command>(*args)`; stdout as text (stripped of nothing) or bytes; `VcsError` on failure."""
    from git.exc import GitCommandError

    method = getattr(repo.git, command.replace("-", "_"))
    try:
        output = method(*args, stdout_as_string=False, strip_newline_in_stdout=False, **kwargs)
    except GitCommandError as error:
        raise VcsError(f"git {command} failed: {git_message(error)}") from None
    if binary or not isinstance(output, bytes):
        return output
    return output.decode("utf-8", errors="replace")


def git_message(error: object) -> str:
    """The most telling line of a `GitCommandError`'s stderr, without the `fatal:` prefix."""
    stderr = getattr(error, "stderr", "") or ""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", errors="replace")
    stderr = stderr.strip()
    if stderr.startswith("stderr:"):
        stderr = stderr[len("stderr:") :].strip()
        if len(stderr) >= 2 and stderr[0] == stderr[-1] == "'":
            stderr = stderr[1:-1]
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for prefix in ("fatal:", "error:"):
        for line in lines:
            if line.startswith(prefix):
                return one_line(line[len(prefix) :])
    if lines:
        return one_line(lines[0])
    return f"exit status {getattr(error, 'status', '?')}"


def git_executable() -> str:
    """The git program GitPython runs (its `GIT_PYTHON_GIT_EXECUTABLE`, else `git`), for processes started directly."""
    from git import Git

    return Git.GIT_PYTHON_GIT_EXECUTABLE or "git"


def git_command(cwd: str | os.PathLike[str], env: Mapping[str, str]) -> Git:
    """A bare `git.Git` runner in `cwd` (for `git init`, before a repository exists)."""
    from git import Git

    runner = Git(os.fspath(cwd))
    runner.update_environment(**env)
    return runner


def init_bare(path: Path, *, object_format: str = "sha1") -> None:
    """`git init --bare` at `path` (which may exist, empty): no templates, so no sample hooks."""
    from git.exc import GitCommandError

    if object_format not in ("sha1", "sha256"):
        raise VcsError(f"unsupported object format: {object_format!r}")
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    env = safe_env(path)
    runner = git_command(path, env)
    args = ["--bare", "--quiet", "--template=", f"--object-format={object_format}", os.fspath(path)]
    try:
        runner.init(*args)
    except GitCommandError as error:
        raise VcsError(f"git init failed: {git_message(error)}") from None


# ---------------------------------------------------------------- additions for workspaces


def add_forced_config(env: dict[str, str], pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """`env` (from `safe_env`) with more forced configuration appended after `FORCED_CONFIG`."""
    start = int(env.get("GIT_CONFIG_COUNT", "0"))
    for offset, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{start + offset}"] = key
        env[f"GIT_CONFIG_VALUE_{start + offset}"] = value
    env["GIT_CONFIG_COUNT"] = str(start + len(pairs))
    return env


class GitRunner:
    """A `git.Git` runner with a fixed directory and environment, shaped like a `Repo` for `run`.

    For repositories whose location Tutor already knows: unlike `Repo(path)`, nothing is
    discovered (no `.git` file or `commondir` is followed), so the environment given is
    exactly where git works.
    """

    def __init__(self, cwd: str | os.PathLike[str], env: Mapping[str, str]) -> None:
        self.cwd = os.fspath(cwd)
        self.env = dict(env)
        self._git: Git | None = None

    @property
    def git(self) -> Git:
        """GitPython's runner, made on first use: a snapshot that writes its objects itself starts no git at all."""
        if self._git is None:
            self._git = git_command(self.cwd, self.env)
        return self._git

    def close(self) -> None:
        if self._git is not None:
            self._git.clear_cache()


@contextmanager
def open_git(cwd: str | os.PathLike[str], env: Mapping[str, str]) -> Iterator[GitRunner]:
    """`with open_git(cwd, safe_env(...)) as runner: run(runner, ...)`; reaps any persistent process at the end."""
    runner = GitRunner(cwd, env)
    try:
        yield runner
    finally:
        runner.close()


def run_direct(runner: GitRunner, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """`git <args>` in `runner`'s folder and environment, started directly (no GitPython); stdout as bytes, `VcsError` on failure.

    The same process `run` starts (the same git executable; the caller's environment,
    then `LANGUAGE=C`, `LC_ALL=C` and `runner.env` on top, then `env`), without GitPython's layer, which
    costs about a millisecond a call: the per-step snapshot runs several in a row.
    `stdin` is fed to the process (None: it reads nothing).
    """
    import subprocess

    full = os.environ.copy()
    full["LANGUAGE"] = "C"
    full["LC_ALL"] = "C"
    full.update(runner.env)
    if env:
        full.update(env)
    try:
        done = subprocess.run(
            [git_executable(), *args], cwd=runner.cwd, env=full, input=stdin, capture_output=True,
            stdin=subprocess.DEVNULL if stdin is None else None, check=False,
        )
    except OSError as error:
        raise VcsError(f"git {args[0] if args else ''} failed: {error.strerror or error}") from None
    if done.returncode != 0:
        raise VcsError(f"git {args[0] if args else ''} failed: {_stderr_line(done.stderr, done.returncode)}")
    return done.stdout


def _stderr_line(stderr: bytes, status: int) -> str:
    """The most telling line of a git process's stderr (as `git_message` picks it)."""
    from types import SimpleNamespace

    return git_message(SimpleNamespace(stderr=stderr.decode("utf-8", errors="replace"), status=status))


def init_repository(path: Path, *, object_format: str = "sha1", initial_branch: str = "main") -> Path:
    """`git init` of a repository with a working tree at `path` (which may exist): no templates, so no hooks.

    Returns the new git directory, `path/.git`.
    """
    from git.exc import GitCommandError

    if object_format not in ("sha1", "sha256"):
        raise VcsError(f"unsupported object format: {object_format!r}")
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    git_dir = path / ".git"
    env = safe_env(git_dir, work_tree=path)
    runner = git_command(path, env)
    args = ["--quiet", "--template=", f"--object-format={object_format}", f"--initial-branch={initial_branch}", os.fspath(path)]
    try:
        runner.init(*args)
    except GitCommandError as error:
        raise VcsError(f"git init failed: {git_message(error)}") from None
    return git_dir


def diff_commits(runner: Repo | GitRunner, first: str, second: str, paths: list[str] | tuple[str, ...] = ()) -> str:
    """The unified diff between two commits: stable text (no colour, no external diff or textconv, a/ and b/ prefixes)."""
    args = ["-r", "-p", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/"]
    args += ["--end-of-options", first, second]
    if paths:
        args += ["--", *paths]
    output = run(runner, "diff-tree", *args, binary=True)
    return output.decode("utf-8", errors="replace")


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Delete `path` and everything under it, also files and folders made read-only; a symlink is only unlinked."""
    import shutil
    import stat
    import sys

    def retry(function: Callable[[str], object], name: str, _info: object) -> None:
        try:
            os.chmod(os.path.dirname(name), stat.S_IRWXU)
            if not os.path.islink(name):
                os.chmod(name, stat.S_IRWXU)
        except OSError:
            pass
        function(name)

    def remove() -> None:
        if sys.version_info >= (3, 12):
            shutil.rmtree(target, onexc=retry)
        else:
            shutil.rmtree(target, onerror=retry)

    def unlock_folders() -> None:
        # Folders without read or search permission cannot even be listed: open them up first.
        for folder, subfolders, _files in os.walk(target):
            for name in subfolders:
                child = os.path.join(folder, name)
                try:
                    if not os.path.islink(child):
                        os.chmod(child, stat.S_IRWXU)
                except OSError:
                    pass

    target = Path(path)
    if target.is_symlink():
        target.unlink()
    elif target.exists():
        try:
            remove()
        except OSError:
            os.chmod(target, stat.S_IRWXU)
            unlock_folders()
            remove()
