"""The tools an agent may call, confined to one workspace directory.

`Tools(root).execute(name, input)` runs one tool call and always returns a `ToolResult`
(bad input, a refused path, a missing file, a timeout: `ok=False` with a one-line
`error`); it never raises for anything the model can send.

Paths (`read_file`, `list_files`, `write_file`, `edit_file`) are relative to the root
and checked here, in pure Python (no git):

- refused: absolute paths and `~/...`, NUL bytes, `..` that climbs above the root, any
  symlink (final or intermediate) that leads outside the root, anything inside a
  `.git` directory (any case; reads too, since its internals are not the project),
  devices, FIFOs and sockets (reading a FIFO would hang), directories where a file is
  expected;
- `write_file` and `edit_file` also refuse a target that is itself a symlink, even one
  pointing inside the root: writing through links is how a "harmless" path ends up
  rewriting something else, and replacing the link silently would change the tree's
  shape behind the reviewer's back;
- writes are atomic (a temporary file in the same directory, then `os.replace`) and keep
  an existing file's permission bits.

Paths are walked from the root one component at a time with `openat`-style calls
(`os.open(name, O_NOFOLLOW | O_DIRECTORY, dir_fd=parent)`); symlinks are followed by
reading them and walking their target the same way, never by the kernel. So a command
that swaps a folder for a symlink while a read is under way (a race) makes that read fail,
never leave the workspace.

`run` executes `/bin/sh -c COMMAND` in the root, in a new session (its own process
group), stdin from /dev/null, stderr merged into stdout. With a `sandbox` it runs inside
bubblewrap (`tutor.agent.sandbox`: the workspace writable, the system read-only, a
private /tmp and HOME, its own PID namespace, no network unless allowed): when the shell
exits, or bubblewrap is killed, everything it started dies with the namespace, `setsid`
daemons included. The environment is an allowlist (`command_environment`). Output is
read incrementally by a thread and capped (the first and last halves of the cap are
kept, and the cut is noted), so a command printing forever cannot exhaust memory. On
timeout or `cancel()` the whole process group gets SIGTERM, then SIGKILL two seconds
later. When the shell exits normally, anything it left running in its group (`sleep 100
&`) is killed the same way, so nothing lingers between calls. Unsandboxed, a process that
leaves the group on purpose (`setsid`, a daemon) is beyond a process-group kill; reading
its output stops once the shell's group is gone. `on_start` is told each command's
process group as it starts (a live session journals it, so a resume after a crash kills
what was left: `tutor.agent.processes`).

`redact` (if given) is applied to every output and error a `ToolResult` carries (file
contents and diffs included), since all of it is shown, sent to the model and journaled.
"""

from __future__ import annotations

import codecs
import difflib
import errno
import os
import re
import secrets
import selectors
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tutor.words import plural

TOOL_NAMES = ("read_file", "list_files", "write_file", "edit_file", "run")
# Tools that change the workspace or run code: in live sessions they stop at the gate.
# Reads (`read_file`, `list_files`) may run ungated.
WRITE_TOOLS = frozenset({"write_file", "edit_file", "run"})

DEFAULT_TIMEOUT = 120.0
DEFAULT_OUTPUT_CAP = 64 * 1024
READ_CAP = 256 * 1024
EDIT_CAP = 8 * 1024 * 1024
LIST_CAP = 2000
DIFF_LINE_CAP = 200
KILL_GRACE = 2.0
_POLL = 0.05
_LIST_COUNT_LIMIT = 100_000
SKIP_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules"})

TOOL_SCHEMAS: list[dict[str, Any]] = [
    {
        "name": "read_file",
        "description": (
            "Read a UTF-8 text file of the workspace and return its exact contents. "
            "`path` is relative to the workspace root. Files over 256 KiB are cut (the note says "
            "how much); binary files are not shown."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace root, e.g. src/app.py"},
            },
            "required": ["path"],
            "additionalProperties": False,
        },
    },
    {
        "name": "list_files",
        "description": (
            "List files and directories under a workspace directory, recursively, sorted, one "
            "path per line relative to the workspace root; directories end with '/'. Skips .git, "
            "__pycache__, .pytest_cache and node_modules. At most 2,000 entries."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "Directory relative to the workspace root; default '.'"},
            },
            "additionalProperties": False,
        },
    },
    {
        "name": "write_file",
        "description": (
            "Create or overwrite a file with exactly `content` (parent directories are created). "
            "Use edit_file to change part of an existing file. Cannot write inside .git or "
            "through a symlink."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace root"},
                "content": {"type": "string", "description": "The complete new contents of the file"},
            },
            "required": ["path", "content"],
            "additionalProperties": False,
        },
    },
    {
        "name": "edit_file",
        "description": (
            "Replace one exact occurrence of `old` with `new` in a file. `old` must match the "
            "file's text exactly (whitespace and indentation included) and occur exactly once; "
            "include surrounding lines to make it unique. Returns a unified diff of the change."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace root"},
                "old": {"type": "string", "description": "Exact text to replace; must occur exactly once"},
                "new": {"type": "string", "description": "Replacement text (may be empty to delete)"},
            },
            "required": ["path", "old", "new"],
            "additionalProperties": False,
        },
    },
    {
        "name": "run",
        "description": (
            "Run a shell command (/bin/sh -c) in the workspace root and return its combined "
            "stdout and stderr and its exit code. No stdin and no terminal: interactive programs "
            "fail. Long output keeps its beginning and end. Commands are killed after the time "
            "limit (120 s by default), along with anything they started in the background."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The shell command, e.g. python -m pytest -q"},
            },
            "required": ["command"],
            "additionalProperties": False,
        },
    },
]


@dataclass(frozen=True)
class ToolResult:
    """What one tool call produced.

    `output` is the payload (file contents, listing, diff, command output), already capped
    and redacted; `error` a one-line tool error (bad path, no match, timeout, ...). `text`
    renders both (and a command's exit code) the way the model should see them.
    """

    ok: bool  # False for a tool error, a non-zero exit, a timeout or a cancel
    output: str
    exit_code: int | None = None  # for `run`, when the command exited by itself
    error: str | None = None
    truncated: bool = False
    timed_out: bool = False
    cancelled: bool = False

    @property
    def text(self) -> str:
        """The tool result as sent back to the model."""
        parts = [self.output] if self.output else []
        if self.exit_code is not None:
            parts.append(f"[exit code {self.exit_code}]")
        if self.error:
            parts.append(f"error: {self.error}")
        return "\n".join(parts) if parts else "(no output)"

    @classmethod
    def failure(cls, error: str) -> ToolResult:
        return cls(ok=False, output="", error=one_line(error))


class ToolError(Exception):
    """Bad tool input (a refused path, no match, ...); `execute` turns it into a failed `ToolResult`."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def one_line(text: str, limit: int = 500) -> str:
    line = " ".join(str(text).split()) or "tool failed"
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- environment -------------------------------------------------------------------------

_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE", "SESSION", "PRIVATE")
_SECRET_PREFIXES = ("ANTHROPIC_", "OPENAI_", "AWS_", "GIT_")
_SECRET_NAMES = frozenset({"GITHUB_TOKEN", "GH_TOKEN", "GH_PAT", "DB_PASS"})
_SECRET_SUFFIXES = ("_PAT", "_PASS", "_PWD", "_PASSPHRASE", "_DSN", "_CREDS", "_SIGNATURE")
_SECRET_PARTS = ("PASSPHRASE", "CONNECTION_STRING", "CONNECTIONSTRING", "CONN_STR", "DATABASE_URL")
_URL_WITH_PASSWORD = re.compile(r"[a-z][a-z0-9+.\-]*://[^/\s:@]*:[^/\s@]+@", re.IGNORECASE)
_FORCED_ENV = {
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "TZ": "UTC",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
}


def is_secret_name(name: str) -> bool:
    """Whether an environment variable of this name is kept away from agent commands.

    Broader than the redactor's rule (`tutor.record.redaction.names.is_secret_name`, which
    it includes): a variable wrongly kept from a command costs little, one wrongly passed
    can leak. Besides the words below (anywhere in the name, any case), a name ending in
    `_PAT`, `_PASS`, `_PWD`, `_PASSPHRASE`, `_DSN` or holding `CONNECTION_STRING` /
    `CONN_STR` never passes; `*_KEY_ID` names are kept out too (the KEY word), since an id
    is half of a credential.
    """
    upper = name.upper()
    if (
        upper in _SECRET_NAMES
        or upper.startswith(_SECRET_PREFIXES)
        or any(word in upper for word in _SECRET_WORDS)
        or upper.endswith(_SECRET_SUFFIXES)
        or any(part in upper for part in _SECRET_PARTS)
    ):
        return True
    from tutor.record.redaction.names import is_secret_name as named_secret

    return named_secret(name)


def safe_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for `run`: `environ` (default `os.environ`) without secrets or git overrides.

    Drops `ANTHROPIC_*`, `OPENAI_*`, `AWS_*`, `GITHUB_TOKEN`, `GH_TOKEN`, every name containing
    KEY, TOKEN, SECRET, PASSWORD, PASSWD, CREDENTIAL, AUTH, COOKIE, SESSION or PRIVATE (any
    case), every value that is a URL with a password in it (`postgres://u:pw@host`), and all
    `GIT_*` variables (a stray `GIT_DIR` would point git at another repository). Then sets
    quiet, reproducible defaults (UTC, no colour, no pager, no git prompts, no .pyc files,
    `PYTHONHASHSEED=0`, `LC_ALL=C.UTF-8` unless `LC_ALL` is set). PATH, HOME, LANG and the
    rest are kept.
    """
    source = os.environ if environ is None else environ
    env = {
        name: value
        for name, value in source.items()
        if not is_secret_name(name) and not _URL_WITH_PASSWORD.search(value)
    }
    env.update(_FORCED_ENV)
    env.setdefault("LC_ALL", "C.UTF-8")
    env.setdefault("PATH", os.defpath)
    return env


# --- paths ---------------------------------------------------------------------------------


def _is_git_name(part: str) -> bool:
    # ".git", any case; also ".git." / ".git " and the 8.3 alias, which some filesystems map to it.
    folded = part.rstrip(". ").casefold()
    return folded == ".git" or part.casefold() == "git~1"


def _show(path: str) -> str:
    """A model-supplied path made safe for a one-line message."""
    shown = path if path.isprintable() else repr(path)[1:-1]
    return shown if len(shown) <= 200 else shown[:199] + "…"


@dataclass(frozen=True)
class _Target:
    shown: str  # normalised, relative to the root ("." for the root)
    path: str  # as the model gave it
    parts: tuple[str, ...]  # the normalised components
    purpose: str  # "read", "list" or "write"


@dataclass
class _Walk:
    """Where `Tools._open_path` ended: open folder descriptors from the root down, and the final name."""

    fds: list[int]
    name: str | None = None  # the final component, in `fd`; None: the path names the folder `fd` itself
    via_link: bool = False  # the final component was reached through a symlink

    @property
    def fd(self) -> int:
        return self.fds[-1]

    def close(self) -> None:
        while self.fds:
            os.close(self.fds.pop())

    def __enter__(self) -> _Walk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_dir(name: str, dir_fd: int) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(name, flags, dir_fd=dir_fd)


# --- the tools -------------------------------------------------------------------------------


class Tools:
    """The agent's tools, acting only inside `root`.

    Commands get an environment by allowlist (`tutor.agent.sandbox.command_environment`
    over `os.environ` at call time, plus the names in `env_extra`), with a private `HOME`.
    `env`, when given, replaces that: it is the caller's own base environment (`tutor
    build`'s), passed through `safe_environment`. `sandbox` (a `Sandbox`, or a
    `SandboxStatus`) runs every command under bubblewrap; None runs it unsandboxed.
    `on_start` is told each command's process group (`tutor.agent.processes.identity`) as
    soon as it starts. `redact` is applied to everything returned.
    """

    def __init__(
        self,
        root: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        output_cap: int = DEFAULT_OUTPUT_CAP,
        env: Mapping[str, str] | None = None,
        redact: Callable[[str], str] | None = None,
        read_cap: int = READ_CAP,
        list_cap: int = LIST_CAP,
        sandbox: Any = None,
        env_extra: Sequence[str] = (),
        on_start: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        real = Path(os.path.realpath(root))
        if not real.is_dir():
            raise ValueError(f"workspace root is not a directory: {root}")
        if timeout <= 0 or output_cap < 2 or read_cap < 1 or list_cap < 1:
            raise ValueError("timeout and caps must be positive")
        self.root = real
        self.timeout = float(timeout)
        self.output_cap = int(output_cap)
        self.read_cap = int(read_cap)
        self.list_cap = int(list_cap)
        self._env = None if env is None else dict(env)
        self._env_extra = tuple(env_extra)
        self.sandbox = sandbox  # a tutor.agent.sandbox.Sandbox (or a SandboxStatus): run commands in it; None: unsandboxed
        if sandbox is not None and hasattr(sandbox, "active"):
            self.sandbox = sandbox.sandbox
        self.on_start = on_start
        self._home: str | None = None
        self._redact = redact
        self._lock = threading.Lock()
        self._cancel: threading.Event | None = None

    # -- dispatch --

    def execute(self, tool: str, input: Mapping[str, Any]) -> ToolResult:  # noqa: A002 - the API's word
        """Run one tool call. Never raises for bad input: errors come back as `ok=False`."""
        try:
            result = self._dispatch(tool, input)
        except ToolError as error:
            result = ToolResult.failure(str(error))
        except OSError as error:
            result = ToolResult.failure(f"{tool}: {error.strerror or error}")
        except (ValueError, UnicodeError) as error:
            result = ToolResult.failure(f"{tool}: {error}")
        return self._redacted(result)

    def _dispatch(self, tool: object, input: object) -> ToolResult:  # noqa: A002
        if tool not in TOOL_NAMES:
            raise ToolError(f"unknown tool {tool!r}; the tools are {', '.join(TOOL_NAMES)}")
        assert isinstance(tool, str)
        if not isinstance(input, Mapping):
            raise ToolError(f"{tool}: input must be an object, not {type(input).__name__}")
        schema = next(s for s in TOOL_SCHEMAS if s["name"] == tool)["input_schema"]
        properties: dict[str, Any] = schema["properties"]
        for name in schema.get("required", ()):
            if name not in input:
                raise ToolError(f"{tool}: missing required field {name!r}")
        for name, value in input.items():
            if name not in properties:
                raise ToolError(f"{tool}: unexpected field {_show(str(name))!r}; expected {', '.join(properties)}")
            if not isinstance(value, str):
                raise ToolError(f"{tool}: field {name!r} must be a string, not {type(value).__name__}")
        method: Callable[..., ToolResult] = getattr(self, tool)
        return method(**input)

    def _redacted(self, result: ToolResult) -> ToolResult:
        if self._redact is None:
            return result
        return replace(
            result,
            output=self._redact(result.output) if result.output else result.output,
            error=one_line(self._redact(result.error)) if result.error else result.error,
        )

    # -- path checks --

    def _target(self, path: object, purpose: str) -> _Target:
        """Check a model-supplied path lexically; `purpose` is "read", "list" or "write" (see `_open_path` for the rest)."""
        if not isinstance(path, str):
            raise ToolError(f"path must be a string, not {type(path).__name__}")
        if "\0" in path:
            raise ToolError(f"path contains a NUL byte: {_show(path)}")
        if path == "" and purpose != "list":
            raise ToolError("path is empty")
        if os.path.isabs(path) or path.startswith("\\"):
            raise ToolError(f"path must be relative to the workspace root, not absolute: {_show(path)}")
        if path == "~" or path.startswith("~/"):
            raise ToolError(f"path must be relative to the workspace root ('~' is not expanded): {_show(path)}")
        parts: list[str] = []
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    raise ToolError(f"path escapes the workspace: {_show(path)}")
                parts.pop()
            else:
                parts.append(part)
        shown = "/".join(parts) or "."
        if not parts and purpose != "list":
            raise ToolError(f"path names the workspace root, not a file: {_show(path)}")
        self._refuse_git(parts, path, purpose)
        return _Target(shown, path, tuple(parts), purpose)

    @staticmethod
    def _refuse_git(parts: list[str], path: str, purpose: str) -> None:
        if any(_is_git_name(part) for part in parts):
            if purpose == "write":
                raise ToolError(f"refusing to write inside .git: {_show(path)}")
            raise ToolError(f"refusing to read .git internals: {_show(path)}")

    def _open_path(self, target: _Target, *, create: bool = False) -> _Walk:
        """Walk `target` from the root one component at a time, never letting the kernel follow a symlink.

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
        walk = _Walk([os.open(self.root, flags)])
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
                        raise ToolError(f"path resolves outside the workspace (through a symlink): {_show(target.path)}")
                    os.close(walk.fds.pop())
                    continue
                if _is_git_name(part):
                    self._refuse_git([part], target.path, target.purpose)
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
                    if hops > 40:
                        raise ToolError(f"too many levels of symlinks: {target.shown}")
                    if last:
                        final_link = True
                    link = os.readlink(part, dir_fd=walk.fds[-1])
                    if os.path.isabs(link):
                        root = str(self.root)
                        if link != root and not link.startswith(root.rstrip("/") + "/"):
                            raise ToolError(f"path resolves outside the workspace (through a symlink): {_show(target.path)}")
                        while len(walk.fds) > 1:
                            os.close(walk.fds.pop())
                        link = link[len(root) :]
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
            if final_link and target.purpose == "write":
                raise ToolError(f"{target.shown} is a symlink; refusing to write through it")
            return walk
        except BaseException:
            walk.close()
            raise

    def _stat_file(self, target: _Target, walk: _Walk, *, writing: bool = False) -> os.stat_result | None:
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

    @staticmethod
    def _open_regular(walk: _Walk) -> int:
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

    @staticmethod
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

    @staticmethod
    def _write_atomic(walk: _Walk, data: bytes, mode: int | None) -> None:
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

    # -- read_file --

    def read_file(self, path: str) -> ToolResult:
        target = self._target(path, "read")
        with self._open_path(target) as walk:
            info = self._stat_file(target, walk)
            if info is None:
                raise ToolError(f"no such file: {target.shown}")
            fd = self._open_regular(walk)
        try:
            size = os.fstat(fd).st_size
            data = self._read_fd(fd, self.read_cap + 1)
        finally:
            os.close(fd)
        if b"\0" in data[:8192]:
            return ToolResult(ok=True, output=f"[binary file {target.shown}, {size:,} bytes; not shown]")
        truncated = len(data) > self.read_cap
        if not truncated:
            return ToolResult(ok=True, output=data.decode("utf-8", errors="replace"))
        data = data[: self.read_cap]
        text = _decode_prefix(data)
        size = max(size, len(data) + 1)
        note = (
            f"\n[… {size - len(data):,} bytes cut: {target.shown} is {size:,} bytes, only the first "
            f"{len(data):,} are shown; use run (e.g. sed -n '5000,5100p') to see the rest …]"
        )
        return ToolResult(ok=True, output=text + note, truncated=True)

    # -- list_files --

    def list_files(self, path: str = ".") -> ToolResult:
        target = self._target(path, "list")
        with self._open_path(target) as walk:
            if walk.name is None:
                top = os.dup(walk.fd)
            else:
                try:
                    info = os.stat(walk.name, dir_fd=walk.fd, follow_symlinks=False)
                except FileNotFoundError:
                    raise ToolError(f"no such directory: {target.shown}") from None
                if not stat.S_ISDIR(info.st_mode):
                    raise ToolError(f"{target.shown} is not a directory; use read_file")
                top = _open_dir(walk.name, walk.fd)
        prefix = "" if target.shown == "." else target.shown + "/"
        lines, extra = self._walk(top, prefix)
        if not lines:
            return ToolResult(ok=True, output="(empty directory)")
        output = "\n".join(lines)
        if extra:
            more = f"more than {_LIST_COUNT_LIMIT:,}" if extra > _LIST_COUNT_LIMIT else f"{extra:,}"
            output += f"\n[… {more} more entries not shown; list a subdirectory …]"
        return ToolResult(ok=True, output=output, truncated=bool(extra))

    def _walk(self, top: int, prefix: str) -> tuple[list[str], int]:
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
                        child = _open_dir(entry.name, fd)
                    except OSError:
                        pass  # gone or swapped for a link since the listing: shown, not entered
                    else:
                        stack.append((child, _entries(child), line))
                if len(lines) < self.list_cap:
                    lines.append(line)
                else:
                    extra += 1
                    if extra > _LIST_COUNT_LIMIT:
                        break
        finally:
            for fd, _, _ in stack:
                os.close(fd)
        return lines, extra

    # -- write_file --

    def write_file(self, path: str, content: str) -> ToolResult:
        target = self._target(path, "write")
        data = content.encode("utf-8")
        with self._open_path(target, create=True) as walk:
            info = self._stat_file(target, walk, writing=True)
            self._write_atomic(walk, data, None if info is None else info.st_mode)
        lines = content.count("\n") + (1 if content and not content.endswith("\n") else 0)
        if info is None:
            summary = f"created {target.shown} ({plural(lines, 'line')}, {len(data):,} bytes)"
        else:
            summary = f"wrote {target.shown} ({plural(lines, 'line')}, {len(data):,} bytes; was {info.st_size:,} bytes)"
        return ToolResult(ok=True, output=summary)

    # -- edit_file --

    def edit_file(self, path: str, old: str, new: str) -> ToolResult:
        target = self._target(path, "write")
        if old == "":
            raise ToolError("old text is empty; give the exact text to replace (write_file creates or overwrites a file)")
        with self._open_path(target) as walk:
            info = self._stat_file(target, walk, writing=True)
            if info is None:
                raise ToolError(f"no such file: {target.shown}")
            if info.st_size > EDIT_CAP:
                raise ToolError(f"{target.shown} is too large to edit ({info.st_size:,} bytes; the limit is {EDIT_CAP:,})")
            fd = self._open_regular(walk)
            try:
                data = self._read_fd(fd, EDIT_CAP + 1)
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
            self._write_atomic(walk, updated, info.st_mode)
        return ToolResult(ok=True, output=_edit_diff(target.shown, data, at, old_bytes, new_bytes))

    # -- run --

    def run(self, command: str) -> ToolResult:
        if not command.strip():
            raise ToolError("command is empty")
        if "\0" in command:
            raise ToolError("command contains a NUL byte")
        env = self._command_env()
        cancel = threading.Event()
        with self._lock:
            if self._cancel is not None:
                raise ToolError("another command is already running")
            self._cancel = cancel
        try:
            return self._run(command, env, cancel)
        finally:
            with self._lock:
                self._cancel = None

    def cancel(self) -> None:
        """Stop the running command (if any) and everything in its process group; safe from any thread."""
        with self._lock:
            if self._cancel is not None:
                self._cancel.set()

    def _command_env(self) -> dict[str, str]:
        if self._env is not None:
            return safe_environment(self._env)
        from .sandbox import SANDBOX_HOME, command_environment

        return command_environment(os.environ, self._env_extra, home=SANDBOX_HOME if self.sandbox is not None else self._private_home())

    def _private_home(self) -> str:
        """HOME for unsandboxed commands: a folder of their own (in the workspace's .git, never snapshotted), not the user's."""
        if self._home is None or not os.path.isdir(self._home):
            git_dir = self.root / ".git"
            if git_dir.is_dir() and not git_dir.is_symlink():
                home = git_dir / "tutor-home"
                home.mkdir(mode=0o700, exist_ok=True)
                self._home = str(home)
            else:
                import tempfile

                self._home = tempfile.mkdtemp(prefix="tutor-home-")
        return self._home

    def _run(self, command: str, env: dict[str, str], cancel: threading.Event) -> ToolResult:
        argv = ["/bin/sh", "-c", command]
        if self.sandbox is not None:
            argv = self.sandbox.argv(self.root, argv)
        process = subprocess.Popen(
            argv,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        group = process.pid  # a new session: the shell (or bubblewrap) leads its own process group
        assert process.stdout is not None
        if self.on_start is not None:
            from .processes import identity

            try:
                self.on_start(identity(group, sandboxed=self.sandbox is not None))
            except Exception:  # noqa: BLE001 - noting the group must not leave the command unwatched
                _kill_group(group, process)
                process.stdout.close()
                raise
        capture = _Capture(process.stdout.fileno(), self.output_cap)
        reader = threading.Thread(target=capture.pump, name="tutor-run-output", daemon=True)
        reader.start()
        timed_out = cancelled = False
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                try:
                    process.wait(timeout=min(remaining, _POLL))
                    break
                except subprocess.TimeoutExpired:
                    pass
                if cancel.is_set():
                    cancelled = True
                    break
        finally:
            # Whatever happened (normal exit, timeout, cancel, an exception here), nothing of
            # the command's process group outlives the call.
            _kill_group(group, process)
            reader.join(timeout=1.0)
            if reader.is_alive():  # a detached process still holds the pipe
                capture.stop.set()
                reader.join()
            process.stdout.close()
        output, cut = capture.result()
        if timed_out or cancelled:
            error = f"timed out after {self.timeout:g} s" if timed_out else "cancelled"
            return ToolResult(
                ok=False, output=output, error=error, truncated=cut > 0, timed_out=timed_out, cancelled=cancelled
            )
        code = process.returncode
        return ToolResult(ok=code == 0, output=output, exit_code=code, truncated=cut > 0)


# --- helpers ---------------------------------------------------------------------------------


def _entries(directory: int) -> list[os.DirEntry[str]]:
    """The entries `list_files` shows of the open folder `directory`, in reverse name order (popped from the end)."""
    try:
        with os.scandir(os.dup(directory)) as iterator:
            kept = [entry for entry in iterator if not _is_git_name(entry.name) and entry.name not in SKIP_DIRS]
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


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


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
    lines = list(
        difflib.unified_diff(
            before.decode("utf-8", errors="replace").splitlines(),
            after.decode("utf-8", errors="replace").splitlines(),
            f"a/{shown}",
            f"b/{shown}",
            n=context,
            lineterm="",
        )
    )

    def shift(line: str) -> str:
        match = _HUNK.match(line)
        if not match:
            return line
        old_start, old_len, new_start, new_len = match.groups()
        return (
            f"@@ -{int(old_start) + first_line}{old_len or ''} +{int(new_start) + first_line}{new_len or ''} @@"
            + line[match.end() :]
        )

    lines = [shift(line) for line in lines]
    if len(lines) > DIFF_LINE_CAP:
        lines = lines[:DIFF_LINE_CAP] + [f"[… {len(lines) - DIFF_LINE_CAP} more diff lines …]"]
    return "\n".join(lines) if lines else f"edited {shown} (whitespace-only change)"


class _Capture:
    """A command's output, read as it comes: the first and last halves of `cap` bytes are kept."""

    def __init__(self, fd: int, cap: int) -> None:
        self.fd = fd
        self.head_cap = cap // 2
        self.tail_cap = cap - self.head_cap
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self.stop = threading.Event()

    def pump(self) -> None:
        os.set_blocking(self.fd, False)
        with selectors.DefaultSelector() as selector:
            selector.register(self.fd, selectors.EVENT_READ)
            while True:
                if not selector.select(timeout=0.1):
                    if self.stop.is_set():
                        return
                    continue
                try:
                    chunk = os.read(self.fd, 1 << 16)
                except BlockingIOError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                self._add(chunk)

    def _add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.head_cap - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            if len(self.tail) > 2 * self.tail_cap:
                del self.tail[: len(self.tail) - self.tail_cap]

    def result(self) -> tuple[str, int]:
        """The captured text, with a note where the middle was cut, and how many bytes were cut."""
        tail = bytes(self.tail[-self.tail_cap :]) if self.tail_cap else b""
        cut = self.total - len(self.head) - len(tail)
        if cut <= 0:
            return (bytes(self.head) + tail).decode("utf-8", errors="replace"), 0
        head = self.head.decode("utf-8", errors="replace")
        note = f"[… {cut:,} bytes cut …]"
        joiner_before = "" if head.endswith("\n") else "\n"
        return f"{head}{joiner_before}{note}\n{tail.decode('utf-8', errors='replace')}", cut


def _group_alive(group: int) -> bool:
    """Whether any process of `group` is still running (zombies awaiting their reaper do not count)."""
    if sys.platform.startswith("linux") and os.path.isdir("/proc"):
        try:
            names = os.listdir("/proc")
        except OSError:
            names = []
        for name in names:
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if len(fields) > 2 and int(fields[2]) == group and fields[0] not in (b"Z", b"X"):
                return True
        return False
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(group: int, signum: int) -> None:
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_group(group: int, process: subprocess.Popen[bytes]) -> None:
    """End every process of `group`: SIGTERM, then SIGKILL after `KILL_GRACE` seconds; reap the shell."""
    if process.poll() is not None and not _group_alive(group):
        return
    _signal_group(group, signal.SIGTERM)
    _signal_group(group, signal.SIGCONT)  # a stopped process only acts on SIGTERM once continued
    deadline = time.monotonic() + KILL_GRACE
    while time.monotonic() < deadline:
        if process.poll() is not None and not _group_alive(group):
            return
        time.sleep(0.02)
    _signal_group(group, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + KILL_GRACE
    while _group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.02)
