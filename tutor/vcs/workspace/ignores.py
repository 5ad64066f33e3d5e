"""Which new files git would add: one `git check-ignore` kept running, asked per snapshot instead of a process per new file.

A file tool that creates a file leaves the snapshot one question only git can answer:
would a rescan add it, or do the ignore rules (every `.gitignore` on its way, the
workspace's `info/exclude`, its config) leave it out? Starting `git ls-files --others
--exclude-standard` for it costs about 1.5 ms, more than the rest of the step. Here
one `git check-ignore --stdin -z --verbose --non-matching --no-index` is started on
the first question and kept: each later question is a line on its stdin and one answer
per path on its stdout (git flushes after each path it reads from stdin), about 0.1 ms.

Git reads a folder's rules when it first looks in that folder and keeps them, so a
kept process can hold rules that have since changed (a command appended to a
`.gitignore`). Before each question the rule files the process may have read are read
again (the `.gitignore` of every folder on the way to every path it was asked about,
`.git/info/exclude`, `.git/config`: a few small files, whatever the size of the tree)
and compared with what they held when it read them; if any differs, appeared or went,
the process is replaced by a fresh one first (as it is once it has seen more than
`MAX_RULE_FILES` folders, so the check stays a few reads). A git that dies, hangs (no answer in
`ANSWER_SECONDS`) or answers what was not asked is stopped and the question answered
None: the caller asks `ls-files` as before. The process gets the environment of every
other git in the workspace (`run_direct`'s; `core.excludesFile` is pinned there), reads
only the workspace's rules, never its index, and stops when the workspace is closed or
dropped (its stdin closes; it also exits on its own when Tutor's process ends).
"""

from __future__ import annotations

import os
import select
import subprocess
import time
import weakref
from collections.abc import Iterable
from pathlib import Path

from .._git import GitRunner, git_executable

__all__ = ["ANSWER_SECONDS", "MAX_RULE_FILES", "IgnoreChecker"]

ANSWER_SECONDS = 5.0
MAX_RULE_FILES = 64  # rule files checked before a question; past this many, a fresh git (about 2 ms) rather than more reads
_FIELDS = 4  # source, line number, pattern, path: each ended by NUL (`-z --verbose --non-matching`)


class IgnoreChecker:
    """Answers "would git add these untracked files?" from one kept `git check-ignore` process."""

    def __init__(self, root: Path, git_dir: Path) -> None:
        self._root = os.fspath(root)
        self._git_dir = os.fspath(git_dir)
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None
        self._rules: dict[str, bytes | None] = {}  # rule file -> what it held when the kept process could first read it

    def addable(self, git: GitRunner, paths: Iterable[str]) -> set[str] | None:
        """Those of `paths` (untracked, '/'-separated, relative to the work tree) that no ignore rule leaves out; None: ask otherwise."""
        named = list(paths)
        wanted = [path.encode("utf-8", "surrogateescape") for path in named]
        if not wanted:
            return set()
        if any(b"\0" in path or not path or path.startswith(b":") for path in wanted):
            return None  # a leading ':' would read as pathspec magic (check-ignore refuses literal pathspecs)
        if self._process is not None and (len(self._rules) > MAX_RULE_FILES or any(_content(rule) != held for rule, held in self._rules.items())):
            self.restart()  # a rule it may have read has changed since (only a fresh git reads the new one), or too many to check
        if self._process is None:
            self._rules = {rule: _content(rule) for rule in (os.path.join(self._git_dir, "info", "exclude"), os.path.join(self._git_dir, "config"))}
        for path in named:
            folder = self._root
            for part in ["", *path.split("/")[:-1]]:
                folder = os.path.join(folder, part) if part else folder
                rule = os.path.join(folder, ".gitignore")
                if rule not in self._rules:
                    self._rules[rule] = _content(rule)
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
        for number, (name, asked) in enumerate(zip(named, wanted, strict=True)):
            source, _line, pattern, answered = fields[_FIELDS * number : _FIELDS * (number + 1)]
            if answered != asked:
                self.restart()
                return None  # not the answer to this question: trust none of it
            if not source or pattern.startswith(b"!"):  # no rule, or the last rule that matched re-includes it
                addable.add(name)
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
        executable = git_executable()
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


def _content(path: str) -> bytes | None:
    """What the rule file at `path` holds now (None: nothing readable there), read as git reads it (a link followed)."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _read_fields(fd: int, count: int, timeout: float) -> list[bytes] | None:
    """`count` NUL-ended fields read from `fd`; None if it ends or stays silent for `timeout` seconds first."""
    chunks: list[bytes] = []
    found = 0
    deadline = time.monotonic() + timeout
    # poll, not select(): select() refuses a descriptor past 1023, which a busy process reaches; and unlike a
    # `selectors` epoll, poll opens no descriptor of its own for each question.
    waiting = select.poll()
    waiting.register(fd, select.POLLIN)
    while found < count:
        left = deadline - time.monotonic()
        if left <= 0 or not waiting.poll(left * 1000):
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
