"""The `run` tool: a shell command in its own process group, its output read as it comes and capped.

`run_command` executes `/bin/sh -c COMMAND` in the root, in a new session (its own
process group), stdin from /dev/null, stderr merged into stdout. With a `sandbox` it runs
inside bubblewrap (`tutor.agent.sandbox`: the workspace writable, the system read-only, a
private /tmp and HOME, its own PID namespace, no network unless allowed): when the shell
exits, or bubblewrap is killed, everything it started dies with the namespace, `setsid`
daemons included. Output is read incrementally by a thread and capped (the first and
last halves of the cap are kept, and the cut is noted), so a command printing forever
cannot exhaust memory. On timeout or cancel the whole process group gets SIGTERM, then
SIGKILL two seconds later (`tutor.agent.processes.kill_group`). When the shell exits
normally, anything it left running in its group (`sleep 100 &`) is killed the same way,
so nothing lingers between calls. Unsandboxed, a process that leaves the group on
purpose (`setsid`, a daemon) is beyond a process-group kill; reading its output stops
once the shell's group is gone. `on_start` is told each command's process group as it
starts (a live session journals it, so a resume after a crash kills what was left).
"""

from __future__ import annotations

import os
import selectors
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..processes import identity, kill_group
from .results import ToolResult

__all__ = ["DEFAULT_OUTPUT_CAP", "DEFAULT_TIMEOUT", "run_command"]

DEFAULT_TIMEOUT = 120.0
DEFAULT_OUTPUT_CAP = 64 * 1024
_POLL = 0.05


def run_command(
    root: Path,
    command: str,
    env: dict[str, str],
    cancel: threading.Event,
    *,
    timeout: float,
    output_cap: int,
    sandbox: Any = None,
    on_start: Callable[[dict[str, Any]], None] | None = None,
) -> ToolResult:
    """Run `/bin/sh -c command` in `root` (in `sandbox` when given) until it exits, times out or `cancel` is set."""
    argv = ["/bin/sh", "-c", command]
    if sandbox is not None:
        argv = sandbox.argv(root, argv)
    process = subprocess.Popen(
        argv,
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    group = process.pid  # a new session: the shell (or bubblewrap) leads its own process group
    assert process.stdout is not None
    if on_start is not None:
        try:
            on_start(identity(group, sandboxed=sandbox is not None))
        except Exception:  # noqa: BLE001 - noting the group must not leave the command unwatched
            kill_group(group, process)
            process.stdout.close()
            raise
    capture = _Capture(process.stdout.fileno(), output_cap)
    reader = threading.Thread(target=capture.pump, name="tutor-run-output", daemon=True)
    reader.start()
    timed_out = cancelled = False
    deadline = time.monotonic() + timeout
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
        kill_group(group, process)
        reader.join(timeout=1.0)
        if reader.is_alive():  # a detached process still holds the pipe
            capture.stop.set()
            reader.join()
        process.stdout.close()
    output, cut = capture.result()
    if timed_out or cancelled:
        error = f"timed out after {timeout:g} s" if timed_out else "cancelled"
        return ToolResult(
            ok=False, output=output, error=error, truncated=cut > 0, timed_out=timed_out, cancelled=cancelled
        )
    code = process.returncode
    return ToolResult(ok=code == 0, output=output, exit_code=code, truncated=cut > 0)


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
