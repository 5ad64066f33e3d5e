"""A snapshot by paths: the private index updated for the files a tool touched, not rescanned whole.

A file tool (`write_file`, `edit_file`) knows the one file it changed; after it, the
snapshot updates only that entry of the private index (`git add -A -- <path>`, which
applies the same ignore rules, modes and conversions as a full `add -A`), so the step
costs what changed, not the size of the tree. After a command (`run`), which may touch
anything, the snapshot rescans the whole tree as before.

The tree written is the one a full `add -A` would give. Where a single path could be
recorded differently from a rescan, the snapshot rescans instead (`checked_paths`
returns None):

- a name that is not a plain relative path inside the tree (`..`, `.git`, empty parts);
- a folder on the way that is a symlink or a file, or that holds a `.git` (a repository
  inside the workspace, which a rescan records as one entry and never enters);
- a folder where a file was named;
- `.gitignore`, `.gitattributes` or `.gitmodules` itself: they change how *other*
  files are recorded.

And `update_paths` falls back to a full `add -A` whenever git refuses the narrow update
(an ignored file that was never tracked is refused by name, while a rescan just skips it).

Redaction (`stored_as_is`): the files touched are read here and passed through the
session's redactor; only when one holds a secret (or its name does), or when git could
store bytes other than the file's own (a `.gitattributes` on the way, or end-of-line
settings in the workspace's config), does the snapshot run the index-wide
`redact_index` pass. In the plain case a file the last snapshot holds is not even given
to git: `trees` writes the new tree itself.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from tutor.dotgit import is_git_name

from .._git import GitRunner, VcsError, run_direct

__all__ = ["checked_paths", "stored_as_is", "update_paths", "worktree_file"]

_RULE_FILES = frozenset({".gitignore", ".gitattributes", ".gitmodules"})
_CONVERSION_WORDS = (b"crlf", b"eol", b"attributesfile")  # config that makes git store other bytes than the file's


def checked_paths(root: Path, paths: Iterable[object]) -> list[str] | None:
    """`paths` (relative to `root`, '/'-separated) as the index names them; None when only a full rescan records them right."""
    checked: list[str] = []
    for path in paths:
        if not isinstance(path, str) or not path or "\0" in path or path.startswith("/"):
            return None
        parts = path.split("/")
        if any(part in ("", ".", "..") or is_git_name(part) for part in parts) or parts[-1] in _RULE_FILES:
            return None
        folder = root
        for part in parts[:-1]:
            folder = folder / part
            try:
                info = os.lstat(folder)
            except FileNotFoundError:
                break  # gone with its folder: recorded as a deletion
            if not stat.S_ISDIR(info.st_mode) or os.path.lexists(folder / ".git"):
                return None
        try:
            if stat.S_ISDIR(os.lstat(root / path).st_mode):
                return None
        except FileNotFoundError:
            pass
        if path not in checked:
            checked.append(path)
    return checked


def update_paths(git: GitRunner, root: Path, paths: list[str]) -> bool:
    """Bring the index's entries for `paths` up to date with the working tree; False when it had to rescan everything."""
    present = [path for path in paths if os.path.lexists(root / path)]
    missing = [path for path in paths if path not in present]
    try:
        if present:
            run_direct(git, "add", "-A", "--", *present)
        if missing:
            run_direct(git, "update-index", "--force-remove", "--", *missing)
    except VcsError:
        # Git refuses to add an ignored, untracked file by name (a rescan skips it): the rescan is always right.
        run_direct(git, "add", "-A")
        return False
    return True


def stored_as_is(
    root: Path, git_dir: Path, paths: list[str], redact: Callable[[bytes], bytes] | None, read: dict[str, tuple[bytes, bytes]] | None = None,
) -> bool:
    """Whether the index holds exactly the files' own bytes for `paths` and `redact` (if any) leaves them and their names alone.

    `read` gets the (mode, bytes) of each file it read to ask `redact`: storing those very
    bytes (not a second read) stores exactly what was checked.
    """
    if _conversions_possible(root, git_dir, paths):
        return False
    if redact is None:
        return True
    for path in paths:
        name = path.encode("utf-8", "surrogateescape")
        if redact(name) != name:
            return False
        try:
            found = worktree_file(root / path)
        except FileNotFoundError:
            continue
        if found is None or redact(found[1]) != found[1]:
            return False
        if read is not None:
            read[path] = found
    return True


def worktree_file(full: Path) -> tuple[bytes, bytes] | None:
    """(mode, bytes) git records for the file or link at `full`: a link's target, a file's content; None for anything else.

    Read without following a link at the end (`O_NOFOLLOW`), and checked to be a regular
    file once open: what is stored is what was there, never what a link points at.
    `FileNotFoundError` if nothing is there.
    """
    info = os.lstat(full)
    if stat.S_ISLNK(info.st_mode):
        return b"120000", os.readlink(os.fsencode(full))
    if not stat.S_ISREG(info.st_mode):
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(full, flags)
    except OSError:
        return None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return (b"100755" if opened.st_mode & stat.S_IXUSR else b"100644"), b"".join(chunks)


def _conversions_possible(root: Path, git_dir: Path, paths: list[str]) -> bool:
    """Whether git might store a touched file as other bytes than its own (attributes, end-of-line configuration)."""
    try:
        config = (git_dir / "config").read_bytes().lower()
    except OSError:
        return True
    if any(word in config for word in _CONVERSION_WORDS):
        return True
    folders = {""}
    for path in paths:
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[: end + 1]) for end in range(len(parts)))
    return any(os.path.lexists(root / folder / ".gitattributes") for folder in folders)
