"""Bounded inputs: what Tutor reads from a lesson folder is a regular file, within a size limit.

A lesson comes from a stranger. Its `lesson.json`, `curriculum.toml` or `repo.bundle`
may be a symbolic link to `/dev/zero` or out of the lesson folder, a FIFO that never
answers, a folder, or simply enormous. Every read goes through here:

- the path is checked with `stat` before it is opened (a FIFO or a device is never
  opened), then opened without following a last symbolic link and without blocking
  (`O_NONBLOCK`: a FIFO swapped in after the check cannot hang the open), and checked
  again on the open file: still a regular file, the same one, within the limit;
- it is read in chunks, at most `limit + 1` bytes: a file that grows past its limit
  while being read is refused, never read whole.

Refusals are `Refused`, whose text is the `what` of a problem line
(`path: what`), e.g. `is a named pipe (FIFO), not a regular file; refusing to read it`.

Stdlib only: `tutor.vcs` uses it for bundles too.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from typing import BinaryIO

# The documented limits (docs/lesson-format.md, "Limits").
MAX_LESSON_BYTES = 16 * 1024 * 1024  # lesson.json
MAX_CURRICULUM_BYTES = 256 * 1024  # curriculum.toml
MAX_BUNDLE_BYTES = 1024 * 1024 * 1024  # repo.bundle: never read into memory, git reads it
MAX_FIELD_CHARS = 100_000  # one text field of a lesson; longer is valid, but `tutor validate` warns
MAX_GLANCE_CHARS = 4_000  # the task shown on the first screen before the lesson is read in full

# `tutor import claude-code`: the transcript, and each of its JSON lines.
MAX_TRANSCRIPT_BYTES = 256 * 1024 * 1024  # the whole .jsonl file; larger is refused
MAX_RECORD_BYTES = 8 * 1024 * 1024  # one line (record); a longer one is skipped, with a note
MAX_RECORD_DEPTH = 200  # one record nested deeper than this is skipped, with a note

# "Shell here": the throwaway copy of a lesson's code.
MAX_SHELL_COPY_BYTES = 256 * 1024 * 1024  # the files of one commit, summed; more is refused
MAX_SHELL_COPY_FILES = 50_000  # files (and links) in one commit; more is refused

CHUNK = 1024 * 1024


class Refused(Exception):
    """A file Tutor will not read; `str(error)` is the `what` of a one-line problem."""


def size_text(size: int) -> str:
    """`16 MiB`, `256 KiB`, `1 GiB`, `2.3 MiB`, `512 bytes`: sizes as people say them."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{size} byte{'s' if size != 1 else ''}"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check(info: os.stat_result, limit: int, name: str) -> None:
    kind = _kind(info.st_mode)
    if kind == "a folder":
        raise Refused(f"is a folder, not a file; {name} must be a regular file")
    if kind is not None:
        raise Refused(f"is {kind}, not a regular file; refusing to read it")
    if info.st_size > limit:
        raise Refused(f"is {size_text(info.st_size)} ({info.st_size:,} bytes); {name} may be at most {size_text(limit)}")


def _inside(real: str, root: str) -> bool:
    try:
        return os.path.commonpath([real, root]) == root
    except ValueError:  # different drives
        return False


def check_regular(
    path: str | os.PathLike[str],
    *,
    limit: int,
    within: str | os.PathLike[str] | None = None,
    name: str | None = None,
    place: str = "the lesson folder",
) -> os.stat_result:
    """`stat` of `path` if it is a regular file of at most `limit` bytes (inside `within`, when given).

    Nothing is opened. Raises `Refused` (or `OSError`, e.g. no such file).
    """
    shown = name or f"a {os.path.basename(os.fspath(path))}"
    real = os.path.realpath(path)
    if within is not None and not _inside(real, os.path.realpath(within)):
        raise Refused(f"is a symbolic link that leads outside {place}; Tutor reads only files inside it")
    info = os.stat(real)
    _check(info, limit, shown)
    return info


def open_regular(
    path: str | os.PathLike[str],
    *,
    limit: int,
    within: str | os.PathLike[str] | None = None,
    name: str | None = None,
    place: str = "the lesson folder",
) -> BinaryIO:
    """`path` opened for binary reading, once it is known to be a regular file within `limit`.

    The caller closes it. Raises `Refused` or `OSError`.
    """
    shown = name or f"a {os.path.basename(os.fspath(path))}"
    before = check_regular(path, limit=limit, within=within, name=shown, place=place)
    real = os.path.realpath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Refused("changed into a symbolic link while being opened; refusing to read it") from None
        raise
    try:
        info = os.fstat(fd)
        _check(info, limit, shown)
        if (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            raise Refused("was replaced while being opened; refusing to read it")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def read_capped(stream: BinaryIO, limit: int, name: str) -> bytes:
    """At most `limit` bytes of `stream`; `Refused` if there are more (reads at most `limit + 1`)."""
    buffer = io.BytesIO()
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            break
        buffer.write(chunk)
        remaining -= len(chunk)
    if remaining <= 0:
        raise Refused(f"grew past {size_text(limit)} while being read; {name} may be at most {size_text(limit)}")
    return buffer.getvalue()


def read_regular(
    path: str | os.PathLike[str],
    *,
    limit: int,
    within: str | os.PathLike[str] | None = None,
    name: str | None = None,
    place: str = "the lesson folder",
) -> bytes:
    """The bytes of `path`, a regular file (inside `within`, when given) of at most `limit` bytes.

    Raises `Refused` with the `what` of a problem line, or `OSError`.
    """
    shown = name or f"a {os.path.basename(os.fspath(path))}"
    with open_regular(path, limit=limit, within=within, name=shown, place=place) as stream:
        return read_capped(stream, limit, shown)


def problem_text(error: BaseException) -> str:
    """The `what` of a problem line for a refusal or an `OSError` from the functions above."""
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, OSError):
        return f"cannot read: {error.strerror or error}"
    return str(error)
