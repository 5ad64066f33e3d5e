"""The user's own git on the user's own team clone (issue 15): `git init`, a first commit, `git clone`.

Unlike the rest of `tutor.vcs`, which works on Tutor's private repositories with no user
configuration at all, this is the member's git acting on the member's clone: their identity
signs the commit and their credential helper or ssh agent authenticates the clone (Tutor never
sees or stores a credential). What Tutor still forces: no hooks, no fsmonitor, no `ext::`
transport, no terminal prompt (a clone that needs a password fails with one line instead of
waiting), and the repository pinned by the working directory (an inherited `GIT_DIR` and the
like are dropped). User text (a URL, a path, a message) is never where git parses an option:
`--` comes before URLs and paths, and a message is the value of `-m`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ._git import VcsError, one_line

# Inherited variables that would point git at another repository or reconfigure it behind our back.
_DROPPED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
)
_FORCED = (
    ("core.hooksPath", os.devnull),
    ("core.fsmonitor", "false"),
    ("core.pager", "cat"),
    ("color.ui", "false"),
    ("protocol.ext.allow", "never"),
)
TIMEOUT = 120.0  # seconds for a local git command; a clone has none (it may be large)


def user_env() -> dict[str, str]:
    """The environment for the user's git: theirs, less the variables in `_DROPPED`, plus `_FORCED`."""
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED and not key.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_CONFIG_COUNT"] = str(len(_FORCED))
    for number, (key, value) in enumerate(_FORCED):
        env[f"GIT_CONFIG_KEY_{number}"] = key
        env[f"GIT_CONFIG_VALUE_{number}"] = value
    return env


def attempt(cwd: Path, *args: str, timeout: float | None = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run the user's git in `cwd` and return what it did, failing or not (the caller reads its stderr)."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=user_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise VcsError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise VcsError(f"git {args[0]} took longer than {timeout:.0f}s; stopped") from None
    except OSError as error:
        raise VcsError(f"git {args[0]} could not run: {error}") from None


def telling_line(stderr: str) -> str:
    """The line of git's stderr that says what went wrong (its first `fatal:`/`error:` line), without the prefix."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    telling = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0] if lines else "")
    for prefix in ("fatal:", "error:"):
        telling = telling.removeprefix(prefix).strip()
    return telling


def run_git(cwd: Path, *args: str, timeout: float | None = TIMEOUT) -> str:
    """Run the user's git in `cwd`; its standard output, or `VcsError` (one line) when it fails."""
    done = attempt(cwd, *args, timeout=timeout)
    if done.returncode != 0:
        raise VcsError(f"git {args[0]} failed: {one_line(telling_line(done.stderr) or f'exit status {done.returncode}')}")
    return done.stdout


def work_tree_root(folder: Path) -> Path | None:
    """The top of the git working tree `folder` is in, or None when it is in none (or git cannot say)."""
    try:
        out = run_git(folder, "rev-parse", "--show-toplevel")
    except VcsError:
        return None
    top = out.strip()
    return Path(top).resolve() if top else None


def is_clone_root(folder: Path) -> bool:
    """Whether `folder` is the top of a git working tree (not a folder inside some other repository)."""
    top = work_tree_root(folder)
    return top is not None and top == folder.resolve()


def init_and_commit(folder: Path, message: str, paths: list[str]) -> str:
    """`git init` in `folder` unless it is already a repository's top, then commit `paths` (relative) alone.

    Returns the new commit's id. Git refuses (one line, `VcsError`) when the user has no identity set.
    """
    if not is_clone_root(folder):
        run_git(folder, "init", "--quiet")
    run_git(folder, "add", "--", *paths)
    run_git(folder, "commit", "--quiet", "--no-verify", "-m", message, "--", *paths)
    return run_git(folder, "rev-parse", "--verify", "HEAD").strip()


def head_commit(folder: Path) -> str | None:
    """The commit checked out in `folder`, or None (no commits yet, or not a repository)."""
    try:
        return run_git(folder, "rev-parse", "--verify", "--quiet", "HEAD").strip() or None
    except VcsError:
        return None


def clone(url: str, dest: Path) -> None:
    """`git clone -- URL DEST` with the user's git (their credentials, their transports but `ext::`)."""
    parent = dest.parent
    parent.mkdir(parents=True, exist_ok=True)
    run_git(parent, "clone", "--quiet", "--", url, os.fspath(dest), timeout=None)


def commit_paths(folder: Path, message: str, paths: list[str]) -> str | None:
    """Stage `paths` (relative to `folder`, the clone's top; added, changed or removed) and commit them alone.

    Returns the new commit's id, or None when those paths hold no change (nothing is committed).
    Other changes in the clone, staged or not, are left as they are. A folder that is not the top
    of its own clone (its .git gone) is refused: git would commit into a repository above it.
    """
    if not is_clone_root(folder):
        raise VcsError(f"{one_line(str(folder))} is not the top of a git clone (its .git is gone?): clone the team again and `tutor team join` it")
    run_git(folder, "add", "--all", "--", *paths)
    staged = run_git(folder, "diff", "--cached", "--name-only", "--", *paths).strip()
    if not staged:
        return None
    run_git(folder, "commit", "--quiet", "--no-verify", "-m", message, "--", *paths)
    return run_git(folder, "rev-parse", "--verify", "HEAD").strip()
