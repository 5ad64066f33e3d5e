"""The check before each of a workspace's own git operations that nothing in its `.git` points at another repository.

Commands run in the workspace can write into `.git`. Tutor's git processes are pinned
by environment, but git still follows a few things found there: a `.git` file or
symlink, a `commondir` file (the ref store honours it whatever `GIT_COMMON_DIR` says),
symlinked `objects`, `objects/xx`, `refs` or `refs/tutor/...` folders. Any of those is
refused (one `lstat` each, one `scandir` of `objects`). The private index and
`info/attributes` (which switches filter drivers off) are put back if they were
replaced, and `objects/info/alternates` made to say exactly what the workspace borrows.

It runs before every snapshot, so it works on plain strings and skips the scan of
`objects` (70 µs for 256 folders) while that folder is provably unchanged since a clean
scan (`GitDirCheck._check_objects`).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from .._git import VcsError, remove_tree
from .common import ATTRIBUTES, INDEX_FILE, not_a_folder

__all__ = ["GitDirCheck", "plain_file"]

SETTLED_NS = 2_000_000_000  # a folder's ctime this old is past any clock tick a change could share with a scan


class GitDirCheck:
    """Called with (ref, shared_objects): refuse (`VcsError`) a `.git` redirected elsewhere; put back what Tutor relies on."""

    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir
        self.objects_checked: tuple[int, int] | None = None  # `objects` as it was before its last clean scan

    def __call__(self, ref: str | None, shared_objects: tuple[str, ...], *, objects: bool = True) -> None:
        """The whole check; without `objects`, all but the scan of `.git/objects` (`check_objects`).

        A caller that starts no git process that writes objects may leave that scan out:
        Tutor's own object writes open every folder without following links
        (`objects._open_folder`), and reading an object through a planted link only
        reads it (its id is checked).
        """
        git_dir = os.fspath(self.git_dir)
        tampered = f"{self.root}: the workspace's git folder was tampered with"
        if not os.path.lexists(git_dir):
            raise VcsError(f"{self.root}: no workspace here any more (its .git folder is missing)")
        problem = not_a_folder(git_dir)
        if problem:
            raise VcsError(f"{tampered} (.git {problem})")
        for name in ("commondir", "gitdir"):
            if os.path.lexists(os.path.join(git_dir, name)):
                raise VcsError(f"{tampered} (.git/{name} points elsewhere)")
        folders = ["objects", "refs", "info"]
        if ref is not None:
            parts = ref.split("/")[:-1]
            folders += ["/".join(parts[: end + 1]) for end in range(1, len(parts))]
        for folder in folders:
            problem = not_a_folder(os.path.join(git_dir, folder), missing_ok=folder != "objects")
            if problem:
                raise VcsError(f"{tampered} (.git/{folder} {problem})")
        if objects:
            self.check_objects()
        self._restore_alternates(shared_objects)
        for name in ("packed-refs", INDEX_FILE):
            try:
                mode = os.lstat(os.path.join(git_dir, name)).st_mode
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(mode):
                raise VcsError(f"{tampered} (.git/{name} is not a file)")
        info = self.git_dir / "info"
        attributes = info / "attributes"
        if plain_file(os.path.join(git_dir, "info", "attributes")) != ATTRIBUTES.encode():
            info.mkdir(exist_ok=True)
            if attributes.is_symlink() or attributes.is_file():
                attributes.unlink()
            elif attributes.exists():
                remove_tree(attributes)
            attributes.write_text(ATTRIBUTES, encoding="utf-8")

    def check_objects(self) -> None:
        """Refuse a link among `objects`' folders; the scan is skipped while the folder is provably unchanged since a clean one.

        Any entry added, removed or renamed in a folder sets its change time (ctime),
        which nothing can set back. A clean scan is remembered with the folder's inode and
        ctime as they were before it started, but only when that ctime was already
        `SETTLED_NS` old then: a change in the same clock tick as the scan could otherwise
        leave the ctime as it was.
        """
        objects = os.path.join(self.git_dir, "objects")
        info = os.lstat(objects)
        key = (info.st_ino, info.st_ctime_ns)
        if key == self.objects_checked:
            return
        started = time.time_ns()
        with os.scandir(objects) as entries:
            for entry in entries:
                if entry.is_symlink():
                    raise VcsError(f"{self.root}: the workspace's git folder was tampered with (.git/objects/{entry.name} is a symlink)")
        self.objects_checked = key if started - info.st_ctime_ns > SETTLED_NS else None

    def _restore_alternates(self, shared_objects: tuple[str, ...]) -> None:
        """Make `objects/info/alternates` say exactly `shared_objects` (nothing when there are none)."""
        info = self.git_dir / "objects" / "info"
        alternates = info / "alternates"
        wanted = "".join(f"{path}\n" for path in shared_objects)
        held = plain_file(os.fspath(alternates))
        if held == wanted.encode() or (held is None and not wanted and not os.path.lexists(alternates)):
            return
        problem = not_a_folder(info, missing_ok=True)
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


def plain_file(path: str) -> bytes | None:
    """The bytes of the regular file at `path`; None if there is none, or a link, a folder, a pipe (never followed, never waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
