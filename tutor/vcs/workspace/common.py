"""What the workspace modules share: its layout (names, refs, config), Tutor's pinned git environment, commits by Tutor."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from .._git import GitRunner, VcsError, add_forced_config, require_sha, run_direct, safe_env

AUTHOR = ("Tutor", "tutor@localhost")
FIXED_DATE = "2026-01-01T00:00:00+00:00"  # for deterministic builds
DEFAULT_EXCLUDES = ("__pycache__/", "*.pyc", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/")
REF_PREFIX = "refs/tutor/"
BASE_REF = "refs/tutor-meta/base"  # keeps `base` reachable; outside refs/tutor/ so never bundled by default
STATE_FILE = "tutor-workspace.json"
LAST_FILE = "tutor-last"  # the newest snapshot's id, rewritten in place by each snapshot (the state file's `last` is the fallback)
INDEX_FILE = "tutor-index"
SEED_MESSAGE = "seed"
UNCOMMITTED_MESSAGE = "uncommitted changes"

# Forced on Tutor's git processes in a workspace, on top of `FORCED_CONFIG`.
_EXTRA_CONFIG = (
    ("commit.gpgSign", "false"),
    ("core.excludesFile", os.devnull),
    ("core.logAllRefUpdates", "false"),
    ("core.splitIndex", "false"),
    ("core.untrackedCache", "false"),
)
# Written into the workspace's own config, for the commands run there (not only Tutor's).
WORKSPACE_CONFIG = (
    "[core]\n"
    f"\thooksPath = {os.devnull}\n"
    "\tfsmonitor = false\n"
    f"\texcludesFile = {os.devnull}\n"
    "[gc]\n\tauto = 0\n"
    "[maintenance]\n\tauto = false\n"
    "[commit]\n\tgpgSign = false\n"
    "[user]\n\tname = Tutor agent\n\temail = agent@tutor.invalid\n"  # commands see no global config (their HOME is private)
)
ATTRIBUTES = "# Written by Tutor: no filter driver ever runs on this workspace's files.\n* -filter\n"
_REF_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9/._-]*$")
_REF_PART_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def git_env(git_dir: Path, *, work_tree: Path, index_file: Path) -> dict[str, str]:
    env = safe_env(git_dir, work_tree=work_tree, index_file=index_file)
    return add_forced_config(env, _EXTRA_CONFIG)


def commit_tree(git: GitRunner, tree: str, parents: list[str], message: str, when: str | None) -> str:
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
    output = run_direct(git, "commit-tree", *args, "--end-of-options", require_sha(tree, "tree"), env=identity)
    return require_sha(output.decode().strip())


def check_ref_name(name: object) -> str:
    """`name` if it is a plain snapshot name (`s4`, `steps/s4`, `calls/c1.2`), else `VcsError`."""
    if (
        not isinstance(name, str)
        or len(name) > 200
        or not _REF_NAME_RE.match(name)
        or ".." in name
        or "//" in name
        or name.endswith(("/", ".lock"))
        or not all(_REF_PART_RE.match(part) and not part.endswith((".", ".lock")) for part in name.split("/"))
    ):
        shown = name if isinstance(name, str) and len(name) <= 80 else type(name).__name__
        raise VcsError(f"not a snapshot name (lower-case letters, digits, '/', '.', '_', '-'): {shown!r}")
    return name


def not_a_folder(path: str | os.PathLike[str], *, missing_ok: bool = False) -> str:
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
