"""A lesson's `repo.bundle`, unpacked once into a cache repository and read from there.

    repo = LessonRepo.for_lesson(lesson_dir, lesson.repo)
    sha = repo.commit_for_step("s4")
    repo.list_files(sha); repo.read_file(sha, "src/app.py"); repo.diff(repo.base, sha)
    work = repo.checkout(sha)          # a throwaway copy to investigate in
    repo.remove_checkout(work)

The cache lives at `<cache_dir>/<sha256(bundle)[:16]>.git` (default
`$TUTOR_HOME/cache/lessons/`): a bare repository built in a temporary directory
beside it and renamed into place, so a crash or a second Tutor never sees half a
cache; an existing valid cache is reused without touching the bundle's git data.
Every call opens the cache in its own `with Repo(...)` block, so a `LessonRepo` may be
used from several threads and leaves no git process behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from ._git import NotFoundError, UnsafePathError, VcsError, diff_commits, init_bare, open_repo, remove_tree, require_sha, run
from .bundle import load_bundle_into, read_bundle_header

__all__ = ["MAX_FILE_BYTES", "LessonRepo", "NotFoundError", "UnsafePathError", "VcsError"]

MAX_FILE_BYTES = 1024 * 1024
STEP_REF_PREFIX = "refs/tutor/steps/"
MARKER = "tutor-bundle.sha256"  # written last, before the rename: its presence means "complete"
_STEP_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_STALE_SECONDS = 3600
_CHECKOUT_PREFIX = "tutor-checkout-"

_checkouts_lock = threading.Lock()
_checkouts: set[Path] = set()


class _RepoRefLike(Protocol):
    """What `for_lesson` reads of a `Lesson.repo` (read-only: the lesson's frozen model matches it)."""

    @property
    def bundle(self) -> str: ...

    @property
    def base(self) -> str: ...


def default_cache_dir() -> Path:
    from tutor.paths import cache_dir

    return cache_dir() / "lessons"


class LessonRepo:
    """Read-only access to a lesson's commits, through a cache repository built from its bundle."""

    def __init__(
        self,
        bundle: str | os.PathLike[str],
        *,
        base: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.bundle = Path(bundle).resolve()
        read_bundle_header(self.bundle)  # a regular file within MAX_BUNDLE_BYTES, and a bundle: cheap, before hashing it
        self.digest = _digest(self.bundle)
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.path, self.built = _ensure_cache(root.resolve(), self.bundle, self.digest)
        self._steps = self._read_step_refs()
        self.base: str | None = None
        if base is not None:
            sha = require_sha(base, "base commit")
            if not self.has_commit(sha):
                raise VcsError(f"{self.bundle}: base commit {sha[:12]} is not in the bundle")
            self.base = sha

    @classmethod
    def for_lesson(
        cls,
        lesson_dir: str | os.PathLike[str],
        repo: _RepoRefLike | None = None,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> LessonRepo:
        """The repo of the lesson in `lesson_dir`; `repo` is its `Lesson.repo` (`bundle`, `base`)."""
        folder = Path(lesson_dir).resolve()
        name = repo.bundle if repo is not None else "repo.bundle"
        bundle = (folder / name).resolve()
        if not bundle.is_relative_to(folder):
            raise UnsafePathError(f"{folder}: bundle path {name!r} leaves the lesson folder")
        return cls(bundle, base=repo.base if repo is not None else None, cache_dir=cache_dir)

    def __repr__(self) -> str:
        return f"LessonRepo({str(self.bundle)!r}, cache={str(self.path)!r})"

    # ------------------------------------------------------------ refs and commits

    @property
    def steps(self) -> dict[str, str]:
        """Step id -> commit id, for every `refs/tutor/steps/<id>` in the bundle."""
        return dict(self._steps)

    def commit_for_step(self, step_id: str) -> str | None:
        """The commit at `refs/tutor/steps/<step_id>`, or None if the bundle has no such step."""
        if not isinstance(step_id, str) or not _STEP_ID_RE.match(step_id):
            return None
        return self._steps.get(step_id)

    def has_commit(self, commit: str) -> bool:
        sha = require_sha(commit)
        with open_repo(self.path) as repo:
            try:
                run(repo, "cat-file", "-e", "--end-of-options", f"{sha}^{{commit}}")
            except VcsError:
                return False
        return True

    def _read_step_refs(self) -> dict[str, str]:
        fmt = "%(refname) %(objecttype) %(objectname) %(*objecttype) %(*objectname)"
        with open_repo(self.path) as repo:
            output = run(repo, "for-each-ref", f"--format={fmt}", STEP_REF_PREFIX)
        steps: dict[str, str] = {}
        for line in output.splitlines():
            name, kind, sha, peeled_kind, peeled = (line.split(" ") + ["", "", "", "", ""])[:5]
            step_id = name[len(STEP_REF_PREFIX) :]
            if not _STEP_ID_RE.match(step_id):
                continue
            if kind == "commit":
                steps[step_id] = sha
            elif kind == "tag" and peeled_kind == "commit":
                steps[step_id] = peeled
        return steps

    # ------------------------------------------------------------ trees and files

    def list_files(self, commit: str) -> list[str]:
        """Every file path in `commit` (recursively, `/`-separated, in git's order)."""
        sha = require_sha(commit)
        with open_repo(self.path) as repo:
            output = run(repo, "ls-tree", "-r", "-z", "--name-only", "--full-tree", "--end-of-options", sha, binary=True)
        return [os.fsdecode(name) for name in output.split(b"\0") if name]

    def read_file(self, commit: str, path: str, *, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of `path` at `commit`.

        A file larger than `limit` comes back cut to `limit` bytes followed by a
        line saying so. Paths with `..`, absolute paths and the like raise
        `UnsafePathError`; a missing path raises `NotFoundError`.
        """
        sha = require_sha(commit)
        clean = _clean_path(path)
        with open_repo(self.path) as repo:
            listing = run(repo, "ls-tree", "-z", "-l", "--full-tree", "--end-of-options", sha, "--", clean, binary=True)
            entry = _find_entry(listing, clean)
            if entry is None:
                raise NotFoundError(f"{clean}: no such file at {sha[:12]}")
            _mode, kind, blob, size = entry
            if kind == "tree":
                raise VcsError(f"{clean}: is a directory at {sha[:12]}")
            if kind != "blob":
                raise VcsError(f"{clean}: is a submodule at {sha[:12]}")
            blob = require_sha(blob, "blob")
            sink = _CappedSink(limit)
            run(repo, "cat-file", "blob", blob, output_stream=sink)
        data = bytes(sink.data)
        if size > limit:
            data += f"\n\n[tutor: {clean} is {size:,} bytes; showing the first {limit:,}]\n".encode()
        return data

    def diff(self, commit_a: str, commit_b: str, paths: Iterable[str] = ()) -> str:
        """The unified diff from `commit_a` to `commit_b` (optionally limited to `paths`), as text.

        Plumbing (`diff-tree`), no colour, no external or textconv drivers, renames
        detected: the same two commits always give the same text.
        """
        a = require_sha(commit_a)
        b = require_sha(commit_b)
        cleaned = [_clean_path(path) for path in paths]
        with open_repo(self.path) as repo:
            return diff_commits(repo, a, b, cleaned)

    # ------------------------------------------------------------ checkouts

    def checkout(self, commit: str, *, parent: str | os.PathLike[str] | None = None) -> Path:
        """A fresh directory holding the files of `commit` (no `.git`), to investigate and throw away.

        For a shell, prefer `tutor.vcs.shell_copy.make_shell_copy`, which also reports what it changed.
        """
        from .shell_copy import write_tree

        sha = require_sha(commit)
        target = Path(tempfile.mkdtemp(prefix=_CHECKOUT_PREFIX, dir=parent)).resolve()
        try:
            # Not `git checkout-index`: written by Tutor, size-capped, links out of the copy made notes
            # (see tutor.vcs.shell_copy).
            write_tree(self.path, sha, target)
        except BaseException:
            remove_tree(target)
            raise
        with _checkouts_lock:
            _checkouts.add(target)
        return target

    def remove_checkout(self, path: str | os.PathLike[str]) -> None:
        """Delete a directory made by `checkout` (and only such a directory)."""
        target = Path(path).resolve()
        with _checkouts_lock:
            known = target in _checkouts
            _checkouts.discard(target)
        if not known:
            raise VcsError(f"{target}: not a checkout made by Tutor; refusing to delete it")
        remove_tree(target)


# ---------------------------------------------------------------- cache building


def _ensure_cache(root: Path, bundle: Path, digest: str) -> tuple[Path, bool]:
    """The cache repository for `bundle`, building it if needed; (path, whether this call built it)."""
    target = root / f"{digest[:16]}.git"
    if _valid_cache(target, digest):
        return target, False
    root.mkdir(parents=True, exist_ok=True)
    _sweep_stale(root)
    header = read_bundle_header(bundle)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        init_bare(building, object_format=header.object_format)
        # git reads a private copy whose hash is checked, not the lesson's file: a bundle swapped for a
        # FIFO or another bundle after it was hashed can neither hang git nor poison the cache.
        private = building / "incoming.bundle"
        if _digest(bundle, copy_to=private) != digest:
            raise VcsError(f"{bundle}: the lesson bundle changed while being read; try again")
        try:
            load_bundle_into(building, private)
        except VcsError as error:  # named after the lesson's bundle, not the private copy
            raise VcsError(str(error).replace(str(private.resolve()), str(bundle)).replace(str(private), str(bundle))) from None
        private.unlink()
        (building / MARKER).write_text(digest + "\n", encoding="ascii")
        for _ in range(5):
            try:
                os.rename(building, target)
                return target, True
            except OSError:
                if _valid_cache(target, digest):  # another Tutor (or thread) got there first
                    return target, False
                trash = root / f".trash-{uuid.uuid4().hex}"
                try:
                    os.rename(target, trash)
                except FileNotFoundError:
                    pass
                shutil.rmtree(trash, ignore_errors=True)
        raise VcsError(f"{target}: could not install the lesson cache")
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)


def _digest(bundle: Path, *, copy_to: Path | None = None) -> str:
    """The SHA-256 of the bundle, read a chunk at a time: memory stays flat whatever its size.

    With `copy_to`, the bytes hashed are also written there (a new file).
    """
    from tutor.lesson.limits import CHUNK, MAX_BUNDLE_BYTES, Refused, open_regular

    digest = hashlib.sha256()
    seen = 0
    try:
        with open_regular(bundle, limit=MAX_BUNDLE_BYTES, name="a lesson bundle") as stream, \
                (open(copy_to, "xb") if copy_to is not None else contextlib.nullcontext()) as out:
            while chunk := stream.read(CHUNK):
                seen += len(chunk)
                if seen > MAX_BUNDLE_BYTES:
                    raise Refused("grew while being read; refusing to use it")
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
    except FileNotFoundError:
        raise NotFoundError(f"{bundle}: lesson bundle not found") from None
    except Refused as error:
        raise VcsError(f"{bundle}: {error}") from None
    except OSError as error:
        raise VcsError(f"{bundle}: cannot read lesson bundle ({error.strerror or error})") from None
    return digest.hexdigest()


def _valid_cache(path: Path, digest: str) -> bool:
    try:
        marker = (path / MARKER).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return marker == digest and (path / "objects").is_dir() and (path / "HEAD").is_file()


def _sweep_stale(root: Path) -> None:
    """Remove what crashed builds left behind (only if old: a young one may be in progress)."""
    now = time.time()
    for leftover in [*root.glob(".building-*"), *root.glob(".trash-*")]:
        try:
            if now - leftover.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass


# ---------------------------------------------------------------- helpers


def _clean_path(path: object) -> str:
    """`path` as a plain relative repository path, or `UnsafePathError`."""
    if not isinstance(path, str) or not path or "\0" in path:
        raise UnsafePathError(f"unsafe path: {path!r}")
    if path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")):
        raise UnsafePathError(f"unsafe path: {path!r}")
    return path


def _find_entry(listing: bytes, path: str) -> tuple[str, str, str, int] | None:
    """The `ls-tree -z -l` entry named exactly `path`: (mode, type, object id, size)."""
    wanted = os.fsencode(path)
    for record in listing.split(b"\0"):
        meta, sep, name = record.partition(b"\t")
        if not sep or name != wanted:
            continue
        mode, kind, sha, size = meta.decode("ascii").split()
        return mode, kind, sha, int(size) if size.isdigit() else 0
    return None


class _CappedSink:
    """A write-only stream that keeps the first `limit` bytes and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = max(0, limit)
        self.data = bytearray()
        self.seen = 0

    def write(self, chunk: bytes) -> int:
        self.seen += len(chunk)
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        return len(chunk)

    def flush(self) -> None:
        pass
