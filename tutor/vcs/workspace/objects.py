"""A snapshot's commit and ref written by Tutor itself: the bytes `git commit-tree` and `git update-ref` write, two processes fewer.

Every recorded step ends with a commit and a ref. Each is a few dozen bytes whose format
git fixes (a commit object: `tree`, `parent`s, `author`, `committer`, a blank line, the
message ending in a newline; a loose ref: the id and a newline), so they are written
here rather than by starting `git commit-tree` and `git update-ref` (about 2 ms each,
which a `write_file` step is meant to cost in all). The commit's id is the one
`commit-tree` gives for the same tree, parents, message and date (a test holds them
equal), so deterministic snapshots keep their ids.

Written as git writes them: the object zlib-compressed under `objects/xx/`, through a
temporary file of its own (`O_EXCL`, never following a link) then linked into place,
read-only; the ref through `<ref>.lock` (`O_EXCL`: a git holding it makes this fail as
git would) renamed over the ref. No reflog is written (`core.logAllRefUpdates` is off
for Tutor's git, and an existing log file is no reason to append to it: commands can
plant one). `read_loose` reads a loose object back the same way (what is packed, or
borrowed from the user's store, is left to git). Where git's ref store is not plain files (`packed-refs` exists, or the
repository uses reftable), `write_ref` says so and the caller runs `git update-ref`.
"""

from __future__ import annotations

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
    path = git_dir / ref
    folder = git_dir
    for part in ref.split("/")[:-1]:
        folder = folder / part
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                raise VcsError(f"cannot write {ref}: {folder.relative_to(git_dir)} is not a folder") from None
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
    except FileExistsError:
        raise VcsError(f"cannot write {ref}: it is locked ({lock.name} exists; another git is using it)") from None
    try:
        try:
            _write_all(fd, f"{commit}\n".encode())
        finally:
            os.close(fd)
        if os.path.isdir(path) and not os.path.islink(path):
            raise VcsError(f"cannot write {ref}: a folder of that name is in the way")
        os.replace(lock, path)
    except BaseException:
        try:
            os.unlink(lock)
        except OSError:
            pass
        raise


def write_object(git_dir: Path, kind: str, body: bytes, algorithm: str) -> str:
    """Store `body` as a loose object of `kind`; returns its id. An object already there is left as it is."""
    data = f"{kind} {len(body)}\0".encode() + body
    sha = hashlib.new(algorithm, data).hexdigest()
    folder = git_dir / "objects" / sha[:2]
    final = folder / sha[2:]
    if os.path.lexists(final):
        return sha
    try:
        os.mkdir(folder)
    except FileExistsError:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            raise VcsError(f"cannot store an object: objects/{sha[:2]} is not a folder") from None
    temporary = folder / f"tmp_obj_{secrets.token_hex(6)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o444)
    try:
        try:
            _write_all(fd, zlib.compress(data, 1))
        finally:
            os.close(fd)
        try:
            os.link(temporary, final)
        except FileExistsError:
            pass  # written meanwhile: the same bytes by definition
        except OSError:
            os.replace(temporary, final)  # a file system without hard links: git renames too
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
    return sha


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
