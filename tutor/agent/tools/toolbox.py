"""`Tools`: the five tools bound to one workspace root, one call at a time, every result redacted.

`Tools(root).execute(name, input)` runs one tool call and always returns a `ToolResult`
(bad input, a refused path, a missing file, a timeout: `ok=False` with a one-line
`error`); it never raises for anything the model can send. The work is done by the
modules beside this one: `schemas` checks the input, `paths` confines the path, `files`
and `commands` act, `environment` builds a command's environment. `redact` (if given)
is applied to every output and error a `ToolResult` carries (file contents and diffs
included), since all of it is shown, sent to the model and journaled.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import files
from .commands import DEFAULT_OUTPUT_CAP, DEFAULT_TIMEOUT, run_command
from .environment import command_environment, safe_environment
from .files import LIST_CAP, READ_CAP
from .results import ToolError, ToolResult, one_line
from .schemas import check_input

__all__ = ["Tools"]


class Tools:
    """The agent's tools, acting only inside `root`.

    Commands get an environment by allowlist (`environment.command_environment` over
    `os.environ` at call time, plus the names in `env_extra`), with a private `HOME`.
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
        learn: Callable[[bytes], object] | None = None,
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
        self._learn = learn  # a remembering redactor's `redact_bytes`: an edit's whole file passes through it
        self._lock = threading.Lock()
        self._cancel: threading.Event | None = None

    # -- dispatch --

    def execute(self, tool: str, input: Mapping[str, Any]) -> ToolResult:  # noqa: A002 - the API's word
        """Run one tool call. Never raises for bad input: errors come back as `ok=False`."""
        try:
            result = self._dispatch(tool, input)
        except ToolError as error:
            result = ToolResult.failure(str(error))
            if tool in ("write_file", "edit_file"):  # refused before writing anything
                result = replace(result, touched=())
        except OSError as error:
            result = ToolResult.failure(f"{tool}: {error.strerror or error}")  # touched: unknown (it may have written)
        except (ValueError, UnicodeError) as error:
            result = ToolResult.failure(f"{tool}: {error}")
        return self._redacted(result)

    def _dispatch(self, tool: object, input: object) -> ToolResult:  # noqa: A002
        name, fields = check_input(tool, input)
        method: Callable[..., ToolResult] = getattr(self, name)
        return method(**fields)

    def _redacted(self, result: ToolResult) -> ToolResult:
        if result.written is not None:
            if self._learn is not None:
                # The whole file, not only the diff's lines: a secret it holds beside the edit is then known,
                # in any encoding, when the diff is redacted (as the snapshot after it, later, would learn it).
                self._learn(result.written)
            result = replace(result, written=None)
        if self._redact is None:
            return result
        return replace(
            result,
            output=self._redact(result.output) if result.output else result.output,
            error=one_line(self._redact(result.error)) if result.error else result.error,
        )

    # -- the file tools --

    def read_file(self, path: str) -> ToolResult:
        return files.read_file(self.root, path, self.read_cap)

    def list_files(self, path: str = ".") -> ToolResult:
        return files.list_files(self.root, path, self.list_cap)

    def write_file(self, path: str, content: str) -> ToolResult:
        return files.write_file(self.root, path, content)

    def edit_file(self, path: str, old: str, new: str) -> ToolResult:
        return files.edit_file(self.root, path, old, new)

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
            return run_command(
                self.root, command, env, cancel,
                timeout=self.timeout, output_cap=self.output_cap, sandbox=self.sandbox, on_start=self.on_start,
            )
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
        from ..sandbox import SANDBOX_HOME

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
