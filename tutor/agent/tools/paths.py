"""The one path confinement: where a tool path may lead inside the workspace, walked without following links.

Every path the agent names (`read_file`, `list_files`, `write_file`, `edit_file`) is
relative to the workspace root and checked here, in pure Python (no git), first by its
text (`target`), then by walking it (`open_path`):

- refused by its text: anything not a string, NUL bytes, text that is not UTF-8, over
  4096 bytes or with a name over 255; absolute paths and any path starting with `~` (a
  shell would expand it to a home folder) or a backslash; a `..` that climbs above the
  root; any component naming `.git` as some file system would (`tutor.dotgit`:
  `.GIT`, `.git.`, `.g\\u200cit`, `GIT~1`; reads too, since its internals are not the
  project); the root itself where a file is meant;
- refused by the walk: a symlink (final or intermediate, dangling or not) that leads
  outside the root or into `.git`, symlink loops, and (for the file tools) devices,
  FIFOs and sockets (reading a FIFO would hang) and folders where a file is expected;
  a write also refuses a target that is itself a symlink, even one pointing inside the
  root: writing through links is how a "harmless" path ends up rewriting something
  else, and replacing the link silently would change the tree's shape behind the
  reviewer's back.

Paths are walked from the root one component at a time with `openat`-style calls
(`os.open(name, O_NOFOLLOW | O_DIRECTORY, dir_fd=parent)`); symlinks are followed by
reading them and walking their target the same way, never by the kernel. So a command
that swaps a folder for a symlink while a read is under way (a race) makes that read
fail, never leave the workspace.

(The workspace once had a second, `realpath`-based check of its own, used only by tests;
its stricter rules are folded in here and it is gone.)
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from tutor.dotgit import is_git_name

from .results import ToolError

__all__ = ["MAX_NAME_BYTES", "MAX_PATH_BYTES", "Target", "Walk", "open_dir", "open_path", "open_regular", "resolve",
           "show", "stat_file", "target"]

MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
_MAX_HOPS = 40  # symlinks followed in one walk, as the kernel allows


def show(path: str) -> str:
    """A model-supplied path made safe for a one-line message."""
    shown = path if path.isprintable() else repr(path)[1:-1]
    return shown if len(shown) <= 200 else shown[:199] + "…"


@dataclass(frozen=True)
class Target:
    shown: str  # normalised, relative to the root ("." for the root)
    path: str  # as the model gave it
    parts: tuple[str, ...]  # the normalised components
    purpose: str  # "read", "list" or "write"


@dataclass
class Walk:
    """Where `open_path` ended: open folder descriptors from the root down, and the final name."""

    fds: list[int]
    name: str | None = None  # the final component, in `fd`; None: the path names the folder `fd` itself
    via_link: bool = False  # the final component was reached through a symlink
    folders: list[str] = field(default_factory=list)  # the names of `fds[1:]`, from the root down

    @property
    def fd(self) -> int:
        return self.fds[-1]

    def close(self) -> None:
        while self.fds:
            os.close(self.fds.pop())

    def __enter__(self) -> Walk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_dir(name: str, dir_fd: int) -> int:
    """Open the folder `name` in `dir_fd` without following a symlink (a link there makes this fail)."""
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(name, flags, dir_fd=dir_fd)


def target(path: object, purpose: str) -> Target:
    """Check a model-supplied path by its text; `purpose` is "read", "list" or "write" (see `open_path` for the rest)."""
    if not isinstance(path, str):
        raise ToolError(f"path must be a string, not {type(path).__name__}")
    if "\0" in path:
        raise ToolError(f"path contains a NUL byte: {show(path)}")
    if path == "" and purpose != "list":
        raise ToolError("path is empty")
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError:
        raise ToolError(f"path is not valid UTF-8 text: {show(path)}") from None
    if size > MAX_PATH_BYTES:
        raise ToolError(f"path is too long ({size:,} bytes; at most {MAX_PATH_BYTES:,}): {show(path)}")
    if os.path.isabs(path) or path.startswith("\\"):
        raise ToolError(f"path must be relative to the workspace root, not absolute: {show(path)}")
    if path.startswith("~"):
        raise ToolError(f"path must be relative to the workspace root ('~' is not expanded): {show(path)}")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise ToolError(f"path escapes the workspace: {show(path)}")
            parts.pop()
        elif len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise ToolError(f"a name in the path is longer than {MAX_NAME_BYTES} bytes: {show(path)}")
        else:
            parts.append(part)
    shown = "/".join(parts) or "."
    if not parts and purpose != "list":
        raise ToolError(f"path names the workspace root, not a file: {show(path)}")
    _refuse_git(parts, path, purpose)
    return Target(shown, path, tuple(parts), purpose)


def _refuse_git(parts: list[str], path: str, purpose: str) -> None:
    if any(is_git_name(part) for part in parts):
        if purpose == "write":
            raise ToolError(f"refusing to write inside .git: {show(path)}")
        raise ToolError(f"refusing to read .git internals: {show(path)}")


def open_path(root: Path, target: Target, *, create: bool = False) -> Walk:
    """Walk `target` from `root` one component at a time, never letting the kernel follow a symlink.

    Each folder is opened with `O_NOFOLLOW | O_DIRECTORY` relative to its parent's
    descriptor (openat), so a folder swapped for a symlink between two calls (or
    during one) makes the open fail instead of leading out. Symlinks are followed
    here, by reading them (`readlinkat`) and walking their target the same way: a
    relative target from the folder it sits in, an absolute one only when it lies in
    the root; a `..` above the root or an absolute target elsewhere is refused, as is
    any component naming `.git`. Returns the descriptor of the folder holding the
    final component and that component's name (None when the path names a folder
    reached through `..`, the root included). With `create`, missing folders on the
    way are made (writes); a final symlink is resolved only to say where it leads,
    then refused for a write.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    walk = Walk([os.open(root, flags)])
    try:
        queue = list(target.parts)
        hops = 0
        final_link = False
        while queue:
            part = queue.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if len(walk.fds) == 1:
                    raise ToolError(f"path resolves outside the workspace (through a symlink): {show(target.path)}")
                os.close(walk.fds.pop())
                walk.folders.pop()
                continue
            if is_git_name(part):
                _refuse_git([part], target.path, target.purpose)
            last = not queue
            try:
                info = os.stat(part, dir_fd=walk.fds[-1], follow_symlinks=False)
            except FileNotFoundError:
                if last:
                    walk.name, walk.via_link = part, final_link
                    break
                if not create or final_link:
                    raise ToolError(f"no such file: {target.shown}") from None
                os.mkdir(part, 0o777, dir_fd=walk.fds[-1])
                info = os.stat(part, dir_fd=walk.fds[-1], follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                hops += 1
                if hops > _MAX_HOPS:
                    raise ToolError(f"too many levels of symlinks: {target.shown}")
                if last:
                    final_link = True
                link = os.readlink(part, dir_fd=walk.fds[-1])
                if os.path.isabs(link):
                    top = str(root)
                    if link != top and not link.startswith(top.rstrip("/") + "/"):
                        raise ToolError(f"path resolves outside the workspace (through a symlink): {show(target.path)}")
                    while len(walk.fds) > 1:
                        os.close(walk.fds.pop())
                    walk.folders.clear()
                    link = link[len(top) :]
                queue = link.split("/") + queue
                continue
            if last:
                walk.name, walk.via_link = part, final_link
                break
            if not stat.S_ISDIR(info.st_mode):
                if create and not final_link:
                    raise ToolError(f"cannot create {target.shown}: a parent path is a file, not a directory")
                raise ToolError(f"no such file: {target.shown} (a parent is not a directory)")
            try:
                walk.fds.append(os.open(part, flags, dir_fd=walk.fds[-1]))
            except OSError as error:  # swapped for a symlink or a file since the stat: never followed
                raise ToolError(f"{target.shown}: the path changed while it was being opened ({error.strerror})") from None
            walk.folders.append(part)
        if final_link and target.purpose == "write":
            raise ToolError(f"{target.shown} is a symlink; refusing to write through it")
        return walk
    except BaseException:
        walk.close()
        raise


def stat_file(target: Target, walk: Walk, *, writing: bool = False) -> os.stat_result | None:
    """`lstat` of the regular file `walk` ends at, None if nothing is there; else `ToolError`."""
    if walk.name is None:
        raise ToolError(f"{target.shown} is a directory" + ("" if writing else "; use list_files"))
    try:
        info = os.stat(walk.name, dir_fd=walk.fd, follow_symlinks=False)
    except FileNotFoundError:
        if walk.via_link:
            raise ToolError(f"{target.shown} is a broken symlink") from None
        return None
    if stat.S_ISDIR(info.st_mode):
        raise ToolError(f"{target.shown} is a directory" + ("" if writing else "; use list_files"))
    if stat.S_ISLNK(info.st_mode):
        raise ToolError(f"{target.shown}: the path changed while it was being opened")
    if not stat.S_ISREG(info.st_mode):
        raise ToolError(f"{target.shown} is not a regular file (a device, FIFO or socket); refusing it")
    return info


def open_regular(walk: Walk) -> int:
    """Open the regular file `walk` ends at for reading (never through a link, never blocking on a FIFO)."""
    assert walk.name is not None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(walk.name, flags, dir_fd=walk.fd)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EISDIR):
            raise ToolError("the path changed while it was being opened; refusing it") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ToolError("not a regular file; refusing it")
    return fd


def resolve(root: Path, path: object, purpose: str = "list") -> Path:
    """The place inside `root` the tool path `path` leads to (it may not exist yet), by the same checks and walk.

    For reading what the confinement decided (tests, a reviewer's question); the tools
    themselves act on the descriptors of the walk, never on this path, so that nothing
    can be swapped between the check and the use. A FIFO, device or socket at the end is
    refused as the file tools refuse it.
    """
    real = Path(os.path.realpath(root))
    checked = target(path, purpose)
    with open_path(real, checked) as walk:
        if walk.name is None:
            return real.joinpath(*walk.folders)
        try:
            info = os.stat(walk.name, dir_fd=walk.fd, follow_symlinks=False)
        except FileNotFoundError:
            info = None
        if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise ToolError(f"{checked.shown} is not a regular file (a device, FIFO or socket); refusing it")
        return real.joinpath(*walk.folders, walk.name)
