"""Which new files git would add: one `git check-ignore` kept running, asked per snapshot instead of a process per new file.

A file tool that creates a file leaves the snapshot one question only git can answer:
would a rescan add it, or do the ignore rules (every `.gitignore` on its way, the
workspace's `info/exclude`, its config) leave it out? Starting `git ls-files --others
--exclude-standard` for it costs about 1.5 ms, more than the rest of the step. Here
one `git check-ignore --stdin -z --verbose --non-matching --no-index` is started on
the first question and kept: each later question is a line on its stdin and one answer
per path on its stdout (git flushes after each path it reads from stdin), about 0.1 ms.

Git reads a folder's rules when it first looks in that folder, so a kept process can
hold rules that have since changed. They change only through a command (`run`), a file
tool writing a rule file or anything in `.git` (which the snapshot never takes by path:
`touched.checked_paths`), or a failure; the snapshot then rescans, and a rescan calls
`restart`, so the next question starts a fresh git. A git that dies, hangs (no answer
in `ANSWER_SECONDS`) or answers what was not asked is stopped and the question
answered None: the caller asks `ls-files` as before. The process gets the environment
of every other git in the workspace (`run_direct`'s), reads only the workspace's
rules, never its index, and stops when the workspace is closed or dropped (its stdin
closes; it also exits on its own when Tutor's process ends).
"""

from __future__ import annotations

import os
import select
import subprocess
import time
import weakref
from collections.abc import Iterable

from .._git import GitRunner

__all__ = ["ANSWER_SECONDS", "IgnoreChecker"]

ANSWER_SECONDS = 5.0
_FIELDS = 4  # source, line number, pattern, path: each ended by NUL (`-z --verbose --non-matching`)


class IgnoreChecker:
    """Answers "would git add these untracked files?" from one kept `git check-ignore` process."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None

    def addable(self, git: GitRunner, paths: Iterable[str]) -> set[str] | None:
        """Those of `paths` (untracked, '/'-separated, relative to the work tree) that no ignore rule leaves out; None: ask otherwise."""
        wanted = [path.encode("utf-8", "surrogateescape") for path in paths]
        if not wanted:
            return set()
        if any(b"\0" in path or not path or path.startswith(b":") for path in wanted):
            return None  # a leading ':' would read as pathspec magic (check-ignore refuses literal pathspecs)
        process = self._process or self._start(git)
        if process is None:
            return None
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(b"".join(path + b"\0" for path in wanted))
            process.stdin.flush()
            fields = _read_fields(process.stdout.fileno(), _FIELDS * len(wanted), ANSWER_SECONDS)
        except (OSError, ValueError):
            fields = None
        if fields is None:
            self.restart()
            return None
        addable: set[str] = set()
        for number, path in enumerate(wanted):
            source, _line, pattern, named = fields[_FIELDS * number : _FIELDS * (number + 1)]
            if named != path:
                self.restart()
                return None  # not the answer to this question: trust none of it
            if not source or pattern.startswith(b"!"):  # no rule, or the last rule that matched re-includes it
                addable.add(path.decode("utf-8", "surrogateescape"))
        return addable

    def restart(self) -> None:
        """Forget the kept process (the rules may have changed): the next question starts a fresh one."""
        finalizer, self._finalizer, self._process = self._finalizer, None, None
        if finalizer is not None:
            finalizer()

    close = restart

    def _start(self, git: GitRunner) -> subprocess.Popen[bytes] | None:
        env = os.environ.copy()
        env["LANGUAGE"] = "C"
        env["LC_ALL"] = "C"
        env.update(git.env)
        env.pop("GIT_LITERAL_PATHSPECS", None)  # check-ignore refuses it; it reads each path as it is but for a leading ':'
        executable = git.git.GIT_PYTHON_GIT_EXECUTABLE or "git"
        try:
            process = subprocess.Popen(
                [executable, "check-ignore", "--stdin", "-z", "--verbose", "--non-matching", "--no-index"],
                cwd=git.cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        self._process = process
        self._finalizer = weakref.finalize(self, _stop, process)
        return process


def _read_fields(fd: int, count: int, timeout: float) -> list[bytes] | None:
    """`count` NUL-ended fields read from `fd`; None if it ends or stays silent for `timeout` seconds first."""
    chunks: list[bytes] = []
    found = 0
    deadline = time.monotonic() + timeout
    while found < count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return None
        chunks.append(chunk)
        found += chunk.count(b"\0")
    data = b"".join(chunks)
    fields = data.split(b"\0")
    if found != count or fields[-1] != b"":
        return None  # more than was asked for: out of step
    return fields[:-1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a kept git: its stdin closed (it exits at the end of its input), killed if it lingers."""
    try:
        if process.stdin is not None:
            process.stdin.close()
    except OSError:
        pass
    try:
        process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
