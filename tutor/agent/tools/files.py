"""The file tools: `read_file`, `list_files`, `write_file`, `edit_file`, acting on descriptors of the confined walk.

Every path goes through `tutor.agent.tools.paths` (the one confinement) and every
operation acts on the descriptors that walk opened, never on a path string, so nothing
can be swapped between the check and the use. Reads are capped (`READ_CAP`; a cut says
how much, binary files are not shown); listings are sorted, skip `.git` and caches, show
symlinks with their targets without following them, and stop at `LIST_CAP` lines. Writes
are atomic (a temporary file in the same folder, then `os.replace`) and keep an existing
file's permission bits; an edit replaces exactly one occurrence and returns a unified diff
computed on the lines around it.
"""

from __future__ import annotations

import codecs
import os
import secrets
import stat
from pathlib import Path

from tutor.dotgit import is_git_name
from tutor.lesson.diffs import file_diff
from tutor.words import plural

from . import paths
from .results import ToolError, ToolResult

__all__ = ["EDIT_CAP", "LIST_CAP", "READ_CAP", "SKIP_DIRS", "edit_file", "list_files", "read_file", "write_file"]

READ_CAP = 256 * 1024
EDIT_CAP = 8 * 1024 * 1024
LIST_CAP = 2000
DIFF_LINE_CAP = 200
_LIST_COUNT_LIMIT = 100_000
SKIP_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules"})


def read_file(root: Path, path: str, read_cap: int = READ_CAP) -> ToolResult:
    target = paths.target(path, "read")
    with paths.open_path(root, target) as walk:
        info = paths.stat_file(target, walk)
        if info is None:
            raise ToolError(f"no such file: {target.shown}")
        fd = paths.open_regular(walk)
    try:
        size = os.fstat(fd).st_size
        data = _read_fd(fd, read_cap + 1)
    finally:
        os.close(fd)
    if b"\0" in data[:8192]:
        return ToolResult(ok=True, output=f"[binary file {target.shown}, {size:,} bytes; not shown]")
    truncated = len(data) > read_cap
    if not truncated:
        return ToolResult(ok=True, output=data.decode("utf-8", errors="replace"))
    data = data[: read_cap]
    text = _decode_prefix(data)
    size = max(size, len(data) + 1)
    note = (
        f"\n[… {size - len(data):,} bytes cut: {target.shown} is {size:,} bytes, only the first "
        f"{len(data):,} are shown; use run (e.g. sed -n '5000,5100p') to see the rest …]"
    )
    return ToolResult(ok=True, output=text + note, truncated=True)

def list_files(root: Path, path: str = ".", list_cap: int = LIST_CAP) -> ToolResult:
    target = paths.target(path, "list")
    with paths.open_path(root, target) as walk:
        if walk.name is None:
            top = os.dup(walk.fd)
        else:
            try:
                info = os.stat(walk.name, dir_fd=walk.fd, follow_symlinks=False)
            except FileNotFoundError:
                raise ToolError(f"no such directory: {target.shown}") from None
            if not stat.S_ISDIR(info.st_mode):
                raise ToolError(f"{target.shown} is not a directory; use read_file")
            top = paths.open_dir(walk.name, walk.fd)
    prefix = "" if target.shown == "." else target.shown + "/"
    lines, extra = _walk(top, prefix, list_cap)
    if not lines:
        return ToolResult(ok=True, output="(empty directory)")
    output = "\n".join(lines)
    if extra:
        more = f"more than {_LIST_COUNT_LIMIT:,}" if extra > _LIST_COUNT_LIMIT else f"{extra:,}"
        output += f"\n[… {more} more entries not shown; list a subdirectory …]"
    return ToolResult(ok=True, output=output, truncated=bool(extra))

def _walk(top: int, prefix: str, list_cap: int) -> tuple[list[str], int]:
    """Depth-first, entries sorted by name, each directory's contents right after its own line.

    `top` is an open folder descriptor (closed here); every folder below is opened
    relative to its parent with `O_NOFOLLOW`. Symlinks are listed (with their target)
    but never followed. Returns the first `list_cap` lines and how many more entries
    there are (counting stops past a limit).
    """
    lines: list[str] = []
    extra = 0
    stack: list[tuple[int, list[os.DirEntry[str]], str]] = [(top, _entries(top), prefix)]
    try:
        while stack:
            fd, entries, shown = stack[-1]
            if not entries:
                os.close(fd)
                stack.pop()
                continue
            entry = entries.pop()
            name = shown + entry.name
            line = name
            if entry.is_symlink():
                try:
                    line = f"{name} -> {os.readlink(entry.name, dir_fd=fd)}"
                except OSError:
                    line = f"{name} -> ?"
            elif entry.is_dir(follow_symlinks=False):
                line = name + "/"
                try:
                    child = paths.open_dir(entry.name, fd)
                except OSError:
                    pass  # gone or swapped for a link since the listing: shown, not entered
                else:
                    stack.append((child, _entries(child), line))
            if len(lines) < list_cap:
                lines.append(line)
            else:
                extra += 1
                if extra > _LIST_COUNT_LIMIT:
                    break
    finally:
        for fd, _, _ in stack:
            os.close(fd)
    return lines, extra

def write_file(root: Path, path: str, content: str) -> ToolResult:
    target = paths.target(path, "write")
    data = content.encode("utf-8")
    with paths.open_path(root, target, create=True) as walk:
        info = paths.stat_file(target, walk, writing=True)
        _write_atomic(walk, data, None if info is None else info.st_mode)
        touched = (_written_path(walk),)
    lines = content.count("\n") + (1 if content and not content.endswith("\n") else 0)
    if info is None:
        summary = f"created {target.shown} ({plural(lines, 'line')}, {len(data):,} bytes)"
    else:
        summary = f"wrote {target.shown} ({plural(lines, 'line')}, {len(data):,} bytes; was {info.st_size:,} bytes)"
    return ToolResult(ok=True, output=summary, touched=touched)

def edit_file(root: Path, path: str, old: str, new: str) -> ToolResult:
    target = paths.target(path, "write")
    if old == "":
        raise ToolError("old text is empty; give the exact text to replace (write_file creates or overwrites a file)")
    with paths.open_path(root, target) as walk:
        info = paths.stat_file(target, walk, writing=True)
        if info is None:
            raise ToolError(f"no such file: {target.shown}")
        if info.st_size > EDIT_CAP:
            raise ToolError(f"{target.shown} is too large to edit ({info.st_size:,} bytes; the limit is {EDIT_CAP:,})")
        fd = paths.open_regular(walk)
        try:
            data = _read_fd(fd, EDIT_CAP + 1)
        finally:
            os.close(fd)
        old_bytes, new_bytes = old.encode("utf-8"), new.encode("utf-8")
        positions = _occurrences(data, old_bytes, stop_after=1000)
        if not positions:
            hint = ""
            if b"\r\n" in data and "\r\n" not in old and "\n" in old:
                hint = " (the file has CRLF line endings)"
            raise ToolError(f"old text not found in {target.shown}{hint}")
        if len(positions) > 1:
            count = f"{len(positions)}+" if len(positions) >= 1000 else str(len(positions))
            raise ToolError(f"old text matches {count} times in {target.shown}; include more context")
        if old == new:
            raise ToolError("old and new text are identical; nothing to change")
        at = positions[0]
        updated = data[:at] + new_bytes + data[at + len(old_bytes) :]
        _write_atomic(walk, updated, info.st_mode)
        touched = (_written_path(walk),)
    return ToolResult(ok=True, output=_edit_diff(target.shown, data, at, old_bytes, new_bytes), touched=touched, written=updated)

def _written_path(walk: paths.Walk) -> str:
    """Where the walk wrote, from the root: the folders it went through (symlinks resolved), then the file's name."""
    assert walk.name is not None
    return "/".join([*walk.folders, walk.name])


def _read_fd(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)

def _write_atomic(walk: paths.Walk, data: bytes, mode: int | None) -> None:
    """Write `data` to a temporary file beside the target (in the same folder descriptor), then rename it over."""
    assert walk.name is not None
    temporary = f".{walk.name[:100]}.{secrets.token_hex(4)}.tutor-tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(temporary, flags, 0o666, dir_fd=walk.fd)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if mode is not None:
                os.fchmod(fd, stat.S_IMODE(mode))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, walk.name, src_dir_fd=walk.fd, dst_dir_fd=walk.fd)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=walk.fd)
        except OSError:
            pass
        raise

def _entries(directory: int) -> list[os.DirEntry[str]]:
    """The entries `list_files` shows of the open folder `directory`, in reverse name order (popped from the end)."""
    try:
        with os.scandir(directory) as iterator:  # it reads a duplicate of the descriptor and closes that; `directory` stays the caller's
            kept = [entry for entry in iterator if not is_git_name(entry.name) and entry.name not in SKIP_DIRS]
    except OSError:
        return []
    return sorted(kept, key=lambda entry: entry.name, reverse=True)


def _decode_prefix(data: bytes) -> str:
    """Decode UTF-8 text cut at an arbitrary byte, dropping a trailing partial character."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    return decoder.decode(data, final=False)


def _occurrences(data: bytes, needle: bytes, stop_after: int) -> list[int]:
    """Start offsets of `needle` in `data`, overlapping ones included ("aa" is twice in "aaa")."""
    found: list[int] = []
    at = data.find(needle)
    while at != -1 and len(found) < stop_after:
        found.append(at)
        at = data.find(needle, at + 1)
    return found




def _edit_diff(shown: str, data: bytes, at: int, old: bytes, new: bytes, context: int = 3) -> str:
    """A unified diff of replacing `old` at offset `at`, computed on the lines around it only."""
    start = data.rfind(b"\n", 0, at) + 1
    for _ in range(context):
        if start == 0:
            break
        start = data.rfind(b"\n", 0, start - 1) + 1
    end = at + len(old)
    for _ in range(context + 1):
        newline = data.find(b"\n", end)
        if newline == -1:
            end = len(data)
            break
        end = newline + 1
    before = data[start:end]
    after = data[start:at] + new + data[at + len(old) : end]
    first_line = data.count(b"\n", 0, start)  # lines above the window
    lines = file_diff(shown, before.decode("utf-8", errors="replace"), after.decode("utf-8", errors="replace"), context=context, first_line=first_line)
    if len(lines) > DIFF_LINE_CAP:
        lines = lines[:DIFF_LINE_CAP] + [f"[… {len(lines) - DIFF_LINE_CAP} more diff lines …]"]
    return "\n".join(lines) if lines else f"edited {shown} (whitespace-only change)"
