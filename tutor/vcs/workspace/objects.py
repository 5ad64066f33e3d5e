"""A snapshot's commit and ref written by Tutor itself: the bytes `git commit-tree` and `git update-ref` write, two processes fewer.

Every recorded step ends with a commit and a ref. Each is a few dozen bytes whose format
git fixes (a commit object: `tree`, `parent`s, `author`, `committer`, a blank line, the
message ending in a newline; a loose ref: the id and a newline), so they are written
here rather than by starting `git commit-tree` and `git update-ref` (about 2 ms each,
which a `write_file` step is meant to cost in all). The commit's id is the one
`commit-tree` gives for the same tree, parents, message and date (a test holds them
equal), so deterministic snapshots keep their ids.

Written as git writes them: the object zlib-compressed under `objects/xx/`, through a
temporary file of its own (`O_EXCL`) then renamed into place, read-only; the ref through
`<ref>.lock` (`O_EXCL`: a git holding it makes this fail as git would) renamed over the
ref. Every folder on the way below `.git` is opened without following a link and the
files are named relative to it, so nothing planted in `.git` redirects a write. No reflog is written (`core.logAllRefUpdates` is off
for Tutor's git, and an existing log file is no reason to append to it: commands can
plant one). `read_loose` reads a loose object back the same way (what is packed, or
borrowed from the user's store, is left to git). Where git's ref store is not plain files (`packed-refs` exists, or the
repository uses reftable), `write_ref` says so and the caller runs `git update-ref`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import stat
import time
import zlib
from datetime import datetime
from pathlib import Path

from .._git import VcsError
from .common import AUTHOR

__all__ = ["commit_body", "git_date", "loose_refs", "read_loose", "write_commit", "write_object", "write_ref"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW


def git_date(when: str | None) -> str:
    """`when` (an ISO 8601 date with its offset, `@<seconds> <offset>`, or None for now) as a commit stores it."""
    if when is None:
        return f"{int(time.time())} +0000"
    if when.startswith("@"):
        seconds, _, zone = when[1:].partition(" ")
        return f"{int(seconds)} {zone or '+0000'}"
    moment = datetime.fromisoformat(when)
    offset = moment.utcoffset()
    if offset is None:
        raise VcsError(f"a snapshot date needs its offset: {when!r}")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{int(moment.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def commit_body(tree: str, parents: list[str], message: str, when: str | None) -> bytes:
    """The commit `git commit-tree -p <parent>... -m <message> <tree>` makes, by Tutor, at `when`."""
    name, email = AUTHOR
    identity = f"{name} <{email}> {git_date(when)}"
    lines = [f"tree {tree}", *(f"parent {parent}" for parent in parents), f"author {identity}", f"committer {identity}", ""]
    text = "\n".join(lines) + "\n" + message + ("" if message.endswith("\n") else "\n")
    return text.encode("utf-8", "surrogateescape")


def write_commit(git_dir: Path, tree: str, parents: list[str], message: str, when: str | None) -> str:
    """Write the commit `commit_body` describes into `git_dir`'s object store; returns its id (as long as `tree`'s)."""
    return write_object(git_dir, "commit", commit_body(tree, parents, message, when), "sha256" if len(tree) == 64 else "sha1")


def loose_refs(git_dir: Path) -> bool:
    """Whether `git_dir` keeps its refs as plain files only (no `packed-refs`, no reftable), which `write_ref` writes."""
    if os.path.lexists(git_dir / "packed-refs") or os.path.lexists(git_dir / "reftable"):
        return False
    try:
        config = (git_dir / "config").read_bytes().lower()
    except OSError:
        return False
    return b"refstorage" not in config


def write_ref(git_dir: Path, ref: str, commit: str) -> None:
    """Point the loose ref `ref` (a checked `refs/tutor/...` name) at `commit`, through `<ref>.lock` as git does."""
    *folders, name = ref.split("/")
    try:
        folder = _open_folder(git_dir, folders)
    except NotADirectoryError as error:
        raise VcsError(f"cannot write {ref}: {error.filename} is not a folder") from None
    lock = name + ".lock"
    try:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666, dir_fd=folder)
        except FileExistsError:
            raise VcsError(f"cannot write {ref}: it is locked ({lock} exists; another git is using it)") from None
        try:
            try:
                _write_all(fd, f"{commit}\n".encode())
            finally:
                os.close(fd)
            try:
                in_the_way = stat.S_ISDIR(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
            except FileNotFoundError:
                in_the_way = False
            if in_the_way:
                raise VcsError(f"cannot write {ref}: a folder of that name is in the way")
            os.replace(lock, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            try:
                os.unlink(lock, dir_fd=folder)
            except OSError:
                pass
            raise
    finally:
        os.close(folder)


def write_object(git_dir: Path, kind: str, body: bytes, algorithm: str) -> str:
    """Store `body` as a loose object of `kind`; returns its id. An object already there is left as it is."""
    data = f"{kind} {len(body)}\0".encode() + body
    sha = hashlib.new(algorithm, data).hexdigest()
    try:
        folder = _open_folder(git_dir, ["objects", sha[:2]])
    except NotADirectoryError:
        raise VcsError(f"cannot store an object: objects/{sha[:2]} is not a folder") from None
    try:
        name = sha[2:]
        try:
            os.stat(name, dir_fd=folder, follow_symlinks=False)
            return sha
        except FileNotFoundError:
            pass
        temporary = f"tmp_obj_{secrets.token_hex(6)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o444, dir_fd=folder)
        try:
            try:
                _write_all(fd, zlib.compress(data, 1))
            finally:
                os.close(fd)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)  # one rename: an object there meanwhile has these bytes
        except BaseException:
            try:
                os.unlink(temporary, dir_fd=folder)
            except OSError:
                pass
            raise
    finally:
        os.close(folder)
    return sha


def _open_folder(git_dir: Path, parts: list[str]) -> int:
    """A descriptor of the folder `git_dir/<parts...>`, each part opened without following a link (a missing one made).

    Every later name is resolved in the folder this returns, so a link planted anywhere
    below `git_dir` (`objects/ab` pointing into another repository) cannot redirect
    Tutor's writes: it fails as not a folder (`NotADirectoryError`). The folders that
    exist cost an open each, not a `mkdir` (which costs a journal write on ext4).
    """
    fd = os.open(git_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            try:
                child = os.open(part, _FOLDER, dir_fd=fd)
            except FileNotFoundError:
                try:
                    os.mkdir(part, dir_fd=fd)
                except FileExistsError:
                    pass
                child = os.open(part, _FOLDER, dir_fd=fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise NotADirectoryError(errno.ENOTDIR, "not a folder", part) from None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_loose(git_dir: Path, kind: str, sha: str) -> bytes | None:
    """The body of the loose object `sha` if it is one of `kind` in `git_dir`'s own store; None otherwise (packed, borrowed, damaged)."""
    path = git_dir / "objects" / sha[:2] / sha[2:]
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        data = zlib.decompress(b"".join(chunks))
    except zlib.error:
        return None
    header, _, body = data.partition(b"\0")
    if header != f"{kind} {len(body)}".encode() or hashlib.new("sha256" if len(sha) == 64 else "sha1", data).hexdigest() != sha:
        return None
    return body


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
