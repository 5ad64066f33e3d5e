"""The throwaway copy behind "Shell here": a lesson's code at one commit, written so that it cannot hurt.

A lesson comes from a stranger, and its repository may hold symbolic links to
`/etc/passwd` or `~/.ssh`, or a few megabytes of bundle that expand into gigabytes.
So the copy is not a `git checkout`:

- sizes are read first (`ls-tree -l`): more than `MAX_SHELL_COPY_BYTES` of files, or more
  than `MAX_SHELL_COPY_FILES` entries, is refused before anything is written;
- every file is written by Tutor itself, the exact bytes of its blob (no filters, no
  line-ending conversion: what `ls-tree` said is what lands on disk), never through a
  link (no link exists until every file is written), never at a path with `..` or `.git`;
- a symbolic link is created only if it stays inside the copy, checked again once every
  link exists (a link to a link that climbs out counts as climbing out); one that leads
  outside is written as a short note saying where it pointed;
- the copy lives in a folder of its own, mode 0700, named `tutor-shell-<pid>-<random>`
  (the pid of the Tutor that made it). It is removed when the shell exits, or when the
  terminal hangs up (`removed_on_hangup`), and a copy whose Tutor died anyway (killed) is
  swept by `sweep_stale_shell_copies` the next time investigate opens.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.lesson.limits import MAX_SHELL_COPY_BYTES, MAX_SHELL_COPY_FILES, size_text

from ._git import VcsError, open_repo, remove_tree, require_sha, run

__all__ = [
    "SHELL_PREFIX",
    "CopyReport",
    "ShellCopy",
    "TooLargeError",
    "make_shell_copy",
    "remove_shell_copy",
    "removed_on_hangup",
    "sweep_stale_shell_copies",
    "write_tree",
]

SHELL_PREFIX = "tutor-shell-"
_NAME_RE = re.compile(r"^tutor-shell-(\d+)-[A-Za-z0-9_]+$")
_MAX_LINK_TARGET = 4096
_CHUNK = 1024 * 1024


class TooLargeError(VcsError):
    """The code at this commit is larger than a shell copy may be."""


@dataclass
class CopyReport:
    files: int = 0
    bytes: int = 0
    links: int = 0  # links kept (they stay inside the copy)
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (path, where it pointed): links written as notes
    skipped: list[str] = field(default_factory=list)  # unsafe paths (`..`, `.git`) and submodules, not written

    def summary(self) -> str:
        """What the learner should know about the copy, in a sentence or two ("" when nothing was changed)."""
        parts: list[str] = []
        if self.replaced:
            count = len(self.replaced)
            parts.append(f"{count} link{'s' if count != 1 else ''} that led outside the copy "
                         f"{'were' if count != 1 else 'was'} replaced by {'notes' if count != 1 else 'a note'} "
                         f"({', '.join(_shown_path(path) for path, _ in self.replaced[:3])}{', ...' if count > 3 else ''}).")
        if self.skipped:
            count = len(self.skipped)
            parts.append(f"{count} entr{'ies' if count != 1 else 'y'} with unsafe paths or submodules "
                         f"{'were' if count != 1 else 'was'} left out.")
        return " ".join(parts)


def _shown_path(path: str) -> str:
    """A path from the lesson's tree, as the learner may see it: plain, every character visible, short."""
    from tutor.lesson.untrusted import one_line

    return one_line(path, exact_text=True, limit=120)


@dataclass
class ShellCopy:
    path: Path
    report: CopyReport


# ---------------------------------------------------------------- writing a tree


def _entries(repo: Any, sha: str) -> list[tuple[str, str, str, int, str]]:
    """(mode, type, object id, size, path) of every entry of `sha`, recursively."""
    output = run(repo, "ls-tree", "-r", "-z", "-l", "--full-tree", "--end-of-options", sha, binary=True)
    entries = []
    for record in output.split(b"\0"):
        meta, sep, name = record.partition(b"\t")
        if not sep:
            continue
        mode, kind, obj, size = meta.decode("ascii", "replace").split()
        entries.append((mode, kind, obj, int(size) if size.isdigit() else 0, os.fsdecode(name)))
    return entries


def _safe_parts(path: str) -> list[str] | None:
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or "\0" in part or part.lower() == ".git" or part.lower().startswith(".git/"):
            return None
    return parts


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


def _note(target: str) -> bytes:
    shown = target.encode("unicode_escape").decode("ascii") if not target.isprintable() else target
    return (f"[tutor] This was a symbolic link to `{shown}`. It leads outside this throwaway copy,\n"
            "so Tutor wrote this note instead of the link.\n").encode()


def _create(path: Path, mode: int) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags, mode)


def _write_note(root: Path, relative: str, target: str) -> None:
    fd = _create(root / relative, 0o644)
    with os.fdopen(fd, "wb") as stream:
        stream.write(_note(target))


def write_tree(
    git_dir: str | os.PathLike[str],
    commit: str,
    target: str | os.PathLike[str],
    *,
    limit: int = MAX_SHELL_COPY_BYTES,
    max_files: int = MAX_SHELL_COPY_FILES,
) -> CopyReport:
    """Write the files of `commit` (in the bare repository `git_dir`) into the empty folder `target`.

    Raises `TooLargeError` before writing anything when the files add up to more than
    `limit` bytes or number more than `max_files`; `VcsError` for git failures.
    """
    sha = require_sha(commit)
    root = Path(target).resolve()
    report = CopyReport()
    links: list[tuple[str, str]] = []
    with open_repo(git_dir) as repo:
        entries = _entries(repo, sha)
        total = sum(size for _mode, kind, _obj, size, _path in entries if kind == "blob")
        if len(entries) > max_files:
            raise TooLargeError(f"the code at this step has {len(entries):,} files; a shell copy may hold at most {max_files:,}")
        if total > limit:
            raise TooLargeError(f"the code at this step is {size_text(total)}; a shell copy may be at most {size_text(limit)}")
        from git.util import hex_to_bin

        budget = limit
        for mode, kind, obj, _size, path in entries:
            parts = _safe_parts(path)
            if kind != "blob" or parts is None:
                report.skipped.append(path)
                continue
            obj = require_sha(obj, "blob")
            folder = root
            for part in parts[:-1]:
                folder = folder / part
                try:
                    os.mkdir(folder, 0o755)
                except FileExistsError:
                    if folder.is_symlink() or not folder.is_dir():
                        break
            else:
                ostream = repo.odb.stream(hex_to_bin(obj))
                if mode == "120000":
                    data = ostream.read(min(ostream.size, _MAX_LINK_TARGET + 1))
                    _drain(ostream, ostream.size - len(data))
                    links.append((path, data.decode("utf-8", "replace")))
                    continue
                if ostream.size > budget:  # ls-tree said otherwise: never write past the limit
                    raise TooLargeError(f"the code at this step is larger than {size_text(limit)}; a shell copy may be at most that")
                budget -= ostream.size
                try:
                    fd = _create(root / path, 0o755 if mode == "100755" else 0o644)
                except OSError:
                    _drain(ostream, ostream.size)
                    report.skipped.append(path)
                    continue
                with os.fdopen(fd, "wb") as out:
                    remaining = ostream.size
                    while remaining > 0:
                        chunk = ostream.read(min(_CHUNK, remaining))
                        if not chunk:
                            break
                        out.write(chunk)
                        remaining -= len(chunk)
                report.files += 1
                report.bytes += ostream.size
                continue
            report.skipped.append(path)  # a folder on its path is a file: a malformed tree
    _place_links(root, links, report)
    return report


def _drain(ostream: Any, remaining: int) -> None:
    """Read and drop the rest of a blob a chunk at a time (the next blob comes after it)."""
    while remaining > 0:
        chunk = ostream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)


def _place_links(root: Path, links: list[tuple[str, str]], report: CopyReport) -> None:
    """Create the links that stay inside `root`; write the others as notes."""
    real_root = os.path.realpath(root)
    created: list[tuple[str, str]] = []
    for path, target in links:
        lexical = os.path.normpath(os.path.join(os.path.dirname(path), target))
        leaves = (not target or "\0" in target or len(target) > _MAX_LINK_TARGET or os.path.isabs(target)
                  or lexical == ".." or lexical.startswith("../") or any(p.lower() == ".git" for p in lexical.split("/")))
        try:
            if leaves:
                _write_note(root, path, target)
                report.replaced.append((path, target))
            else:
                os.symlink(target, root / path)
                created.append((path, target))
        except OSError:
            report.skipped.append(path)
    # A link inside may still lead out through another link (`d -> .`, `e -> d/../x`): check the real paths.
    changed = True
    while changed:
        changed = False
        for item in list(created):
            path, target = item
            if _inside(os.path.realpath(root / path), real_root):
                continue
            os.unlink(root / path)
            _write_note(root, path, target)
            created.remove(item)
            report.replaced.append((path, target))
            changed = True
    report.links = len(created)


# ---------------------------------------------------------------- the shell's private folder


def _private_folder(parent: str | os.PathLike[str] | None) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{SHELL_PREFIX}{os.getpid()}-", dir=parent)).resolve()  # mode 0700


def make_shell_copy(
    git_dir: str | os.PathLike[str],
    commit: str,
    *,
    parent: str | os.PathLike[str] | None = None,
    limit: int = MAX_SHELL_COPY_BYTES,
    max_files: int = MAX_SHELL_COPY_FILES,
) -> ShellCopy:
    """A private folder holding the code of `commit`, for a shell; `remove_shell_copy` it afterwards."""
    sweep_stale_shell_copies(parent)
    folder = _private_folder(parent)
    try:
        report = write_tree(git_dir, commit, folder, limit=limit, max_files=max_files)
    except BaseException:
        remove_tree(folder)
        raise
    return ShellCopy(folder, report)


def remove_shell_copy(copy: ShellCopy | str | os.PathLike[str]) -> None:
    """Delete a shell copy (and nothing that is not one)."""
    path = Path(copy.path if isinstance(copy, ShellCopy) else copy)
    if not _NAME_RE.match(path.name):
        raise VcsError(f"{path}: not a shell copy made by Tutor; refusing to delete it")
    remove_tree(path)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def sweep_stale_shell_copies(parent: str | os.PathLike[str] | None = None) -> int:
    """Remove shell copies left by a Tutor that died (killed, or its terminal closed); how many were removed.

    Only folders named like a shell copy, owned by this user, not links, whose Tutor
    (the pid in the name) is gone. Cheap: one `scandir` of the temp folder.
    """
    folder = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        match = _NAME_RE.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        try:
            remove_tree(entry.path)
            removed += 1
        except OSError:
            pass
    return removed


def sweep_in_background(parent: str | os.PathLike[str] | None = None) -> threading.Thread:
    """`sweep_stale_shell_copies` in a daemon thread: never on the start-up path."""
    thread = threading.Thread(target=sweep_stale_shell_copies, args=(parent,), name="tutor-shell-sweep", daemon=True)
    thread.start()
    return thread


@contextmanager
def removed_on_hangup(copy: ShellCopy) -> Iterator[None]:
    """While the shell runs: if the terminal hangs up (SIGHUP) or Tutor is told to stop (SIGTERM), remove the copy first.

    Python's default for these signals ends the process without running `finally`
    blocks. Works only in the main thread (elsewhere it does nothing); the stale sweep
    covers what a SIGKILL leaves.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name)]
    previous: dict[int, Any] = {}

    def handler(number: int, frame: Any) -> None:
        old = previous.get(number, signal.SIG_DFL)
        if old == signal.SIG_IGN:  # e.g. under nohup: Tutor goes on, and so does the copy
            return
        try:
            remove_tree(copy.path)
        finally:
            if callable(old):
                old(number, frame)
            else:
                signal.signal(number, signal.SIG_DFL)
                os.kill(os.getpid(), number)

    for number in wanted:
        try:
            previous[number] = signal.signal(number, handler)
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for number, old in previous.items():
            try:
                signal.signal(number, old if old is not None else signal.SIG_DFL)
            except (OSError, ValueError):
                pass
