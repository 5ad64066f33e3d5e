"""The process groups of the agent's commands: ended when a command ends, and after a crash.

`kill_group` ends a running command's whole group (SIGTERM, SIGCONT, then SIGKILL after
`KILL_GRACE` seconds) when it exits, times out or is cancelled, so nothing it left in
the background lingers between calls (`tutor.agent.tools.commands`). The rest of this
module is about what a crash leaves behind.

When `Tools.run` starts a command it reports the command's process group (`identity`):
the group id (the pid of the shell, or of bubblewrap, which leads a new session), the
leader's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`) and the
boot id. The live session journals it (a `process` record) before the command can do
anything. If Tutor dies while the command runs, `kill_leftovers` (called when the session
is resumed) kills what is left of each journalled group, and only that:

- a different boot id (the machine restarted) means nothing of it can be alive;
- a process counts as the command's only if it is in the journalled group, started no
  earlier than the group's leader, and either *is* the leader (same pid, same start
  time) or has its working folder inside the session's workspace. The kernel never
  gives a pid to a new process while a group of that number exists, so a group id whose
  leader is gone can only have been reused after every process of ours left it, and a
  stranger's process that reused it is still spared unless it works in the workspace.

Under bubblewrap the group is bubblewrap's own; the sandboxed command runs in a PID
namespace that dies with it (`--die-with-parent`), so a crash of Tutor already ends it.
Without the sandbox this is what ends a crashed command's process group. A process that
left the group on purpose (`setsid`) is beyond it, outside the sandbox.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

PROCESS_KIND = "process"  # the journal record kind
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL


def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _stat(pid: int) -> tuple[int, int] | None:
    """(process group, start time in ticks) of `pid`, None if it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    try:
        if fields[0] in (b"Z", b"X"):
            return None
        return int(fields[2]), int(fields[19])
    except (IndexError, ValueError):
        return None


def identity(pid: int, *, sandboxed: bool = False) -> dict[str, object]:
    """What the journal keeps about the process group led by `pid` (just started, in a new session)."""
    found = _stat(pid) if sys.platform.startswith("linux") else None
    return {"pgid": pid, "pid": pid, "start": found[1] if found else None, "boot": boot_id(), "sandboxed": sandboxed}


def _inside(pid: int, workspace: str) -> bool:
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return False
    return cwd == workspace or cwd.startswith(workspace.rstrip("/") + "/")


def members(record: Mapping[str, object], workspace: str | os.PathLike[str]) -> list[int]:
    """The pids still alive that belong to the journalled group `record` (see the module's docstring)."""
    if not sys.platform.startswith("linux"):
        return []
    pgid, start = record.get("pgid"), record.get("start")
    if not isinstance(pgid, int | float | str) or not isinstance(start, int | float | str):  # missing, or not a number
        return []
    try:
        group = int(pgid)
        leader_start = int(start)
    except (ValueError, OverflowError):  # Infinity in a damaged journal
        return []
    if group <= 1 or group == os.getpgrp() or str(record.get("boot") or "") != boot_id():
        return []
    root = os.path.realpath(workspace)
    found: list[int] = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        pid = int(name)
        if pid == os.getpid():
            continue
        info = _stat(pid)
        if info is None or info[0] != group or info[1] < leader_start:
            continue
        if (pid == group and info[1] == leader_start) or _inside(pid, root):
            found.append(pid)
    return found


def kill_leftovers(records: Iterable[Mapping[str, object]], workspace: str | os.PathLike[str], *, grace: float = KILL_GRACE) -> int:
    """Kill what is left of every journalled command's process group; returns how many processes were ended."""
    groups = [r for r in records if r.get("kind") == PROCESS_KIND]
    targets = {pid for record in groups for pid in members(record, workspace)}
    if not targets:
        return 0
    for sig in (signal.SIGTERM, signal.SIGCONT):
        for pid in targets:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    deadline = time.monotonic() + grace
    alive = set(targets)
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if _stat(pid) is not None}
        time.sleep(0.02)
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return len(targets)


# ------------------------------------------------------------ a running command's group


def group_alive(group: int) -> bool:
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


def signal_group(group: int, signum: int) -> None:
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):
        pass


def kill_group(group: int, process: subprocess.Popen[bytes], *, grace: float = KILL_GRACE) -> None:
    """End every process of `group`: SIGTERM, then SIGKILL after `grace` seconds; reap the shell."""
    if process.poll() is not None and not group_alive(group):
        return
    signal_group(group, signal.SIGTERM)
    signal_group(group, signal.SIGCONT)  # a stopped process only acts on SIGTERM once continued
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if process.poll() is not None and not group_alive(group):
            return
        time.sleep(0.02)
    signal_group(group, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + grace
    while group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.02)
