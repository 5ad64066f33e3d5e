"""Where the agent's commands run: a bubblewrap sandbox on Linux, or plainly unsandboxed.

`sandbox_status(settings, read_only=...)` says which. When `bwrap` is installed and a quick
probe runs (cached per binary), every `run` becomes::

    bwrap --unshare-all [--share-net] --cap-drop ALL --die-with-parent --new-session
          --ro-bind /usr /usr  (/bin, /sbin, /lib* as symlinks into /usr, or read-only binds)
          --ro-bind /etc /etc  (/opt, /nix, /gnu read-only when present)
          --proc /proc  --dev /dev  --tmpfs /tmp  --dir /tmp/home
          --ro-bind P P  (each of `read_only`: the user's object store, settings' sandbox_paths)
          --bind WORKSPACE WORKSPACE  --ro-bind WORKSPACE/.git WORKSPACE/.git
          --chdir WORKSPACE  --remount-ro /
          --info-fd N --block-fd M  -- /bin/sh -c COMMAND

so a command sees the workspace read-write (but its `.git`, read-only), a private `/tmp`, the system read-only and
nothing else of the machine: not the user's repository (only its object store, read-only,
which the workspace borrows through `objects/info/alternates`), not `$HOME`, not Tutor's
processes (a new PID namespace: `/proc` holds only the sandbox), no network (a new network
namespace; `sandbox_network = true` in `config.toml` shares the host's), no capabilities
even when Tutor runs as root. When the command's shell exits, the namespace's init exits
and the kernel kills whatever it left behind, `setsid` daemons included; if Tutor itself
dies, `--die-with-parent` takes the sandbox with it.

Where bubblewrap is missing or cannot run (macOS, a kernel without user namespaces), the
status says so in the words the screens and the README use: "commands run with your
permissions, unsandboxed". Nothing falls back silently: a sandbox that was found but
fails for one command reports bubblewrap's error as that command's output.

The environment of a command is built by allowlist (`tutor.agent.tools.environment
.command_environment`): `PATH`, `LANG`, `LC_*`, `TERM`, `TZ`, `USER`, `LOGNAME` and the
names the user adds in `sandbox_env`, then `safe_environment`'s rules (no secret-looking
name ever, even one the user added; quiet, reproducible defaults). `HOME` is a private
folder (`SANDBOX_HOME` inside the sandbox).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNSANDBOXED = "commands run with your permissions, unsandboxed"
SANDBOX_HOME = "/tmp/home"  # HOME inside the sandbox: in its private /tmp, gone after each command
PROBE_TIMEOUT = 10.0
_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_OPTIONAL_DIRS = ("/opt", "/nix", "/gnu")  # software installed outside /usr, shown read-only when present

_probe_lock = threading.Lock()
_probed: dict[tuple[str, bool], str] = {}  # (bwrap, network) -> "" when it runs, else why not


def find_bwrap(configured: str = "") -> str:
    """The bubblewrap binary to use: `configured` (the `sandbox_bwrap` setting) or `bwrap` on PATH; '' if none."""
    if configured:
        return configured
    return shutil.which("bwrap") or ("/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else "")


def probe(bwrap: str, *, network: bool = False) -> str:
    """'' when `bwrap` can make a sandbox here (checked once per binary), else one line saying why not."""
    if not sys.platform.startswith("linux"):
        return "bubblewrap only exists on Linux"
    if not bwrap:
        return "bubblewrap (bwrap) is not installed"
    key = (bwrap, network)
    with _probe_lock:
        if key in _probed:
            return _probed[key]
        argv = [bwrap, "--unshare-all", *(["--share-net"] if network else []), "--cap-drop", "ALL", "--die-with-parent",
                "--new-session", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=PROBE_TIMEOUT,
                                  env={"PATH": os.defpath})
        except FileNotFoundError:
            why = f"bubblewrap is not installed ({bwrap} not found)"
        except PermissionError:
            why = f"bubblewrap cannot be run ({bwrap}: permission denied)"
        except (OSError, subprocess.SubprocessError) as error:
            why = f"bubblewrap cannot run here ({error})"
        else:
            if done.returncode == 0:
                why = ""
            else:
                said = " ".join(done.stderr.decode("utf-8", errors="replace").split())[:200]
                why = f"bubblewrap cannot run here ({said or f'exit code {done.returncode}'})"
        _probed[key] = why
        return why


def forget_probes() -> None:
    """Probe again next time (tests; a user who just installed bubblewrap)."""
    with _probe_lock:
        _probed.clear()


@dataclass(frozen=True)
class Sandbox:
    """How to wrap one command in bubblewrap (see the module's docstring for the invocation)."""

    bwrap: str
    network: bool = False
    read_only: tuple[str, ...] = ()  # absolute paths shown read-only at the same place

    def argv(self, root: Path, command: Sequence[str], *, info_fd: int | None = None, block_fd: int | None = None) -> list[str]:
        args = [self.bwrap, "--unshare-all"]
        if self.network:
            args.append("--share-net")
        args += ["--cap-drop", "ALL", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
        for name in _SYSTEM_DIRS:
            if os.path.islink(name):
                args += ["--symlink", os.readlink(name), name]
            elif os.path.isdir(name):
                args += ["--ro-bind", name, name]
        args += ["--ro-bind", "/etc", "/etc"]
        for name in _OPTIONAL_DIRS:
            if os.path.isdir(name) and not os.path.islink(name):
                args += ["--ro-bind-try", name, name]
        if self.network:
            args += _resolver_binds()
        args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", SANDBOX_HOME]
        for path in self.read_only:
            args += ["--ro-bind-try", path, path]
        workspace = os.fspath(root)
        args += ["--bind", workspace, workspace]
        # The workspace's own git folder is read-only inside: Tutor's git, which runs outside the
        # sandbox after each command, reads its config, reflogs and objects, so a command that could
        # write them could make Tutor's git run a program (a promisor remote's upload-pack) or append
        # through a reflog link to any file. The agent reads history; only Tutor writes it.
        git_dir = os.path.join(workspace, ".git")
        if os.path.isdir(git_dir) and not os.path.islink(git_dir):
            args += ["--ro-bind", git_dir, git_dir]
        args += ["--chdir", workspace, "--remount-ro", "/"]
        if info_fd is not None:
            args += ["--info-fd", str(info_fd)]
        if block_fd is not None:
            args += ["--block-fd", str(block_fd)]
        return [*args, "--", *command]


def _resolver_binds() -> list[str]:
    """With the network shared, DNS needs `/etc/resolv.conf`'s target when it lives outside /etc (systemd-resolved)."""
    try:
        target = os.path.realpath("/etc/resolv.conf")
    except OSError:
        return []
    folder = os.path.dirname(target)
    if target.startswith(("/etc/", "/usr/")) or not os.path.isdir(folder):
        return []
    return ["--ro-bind-try", folder, folder]


@dataclass(frozen=True)
class SandboxStatus:
    """Whether commands are sandboxed, and the line the pair and record screens show about it."""

    sandbox: Sandbox | None
    reason: str = ""  # why there is no sandbox
    extra: tuple[str, ...] = field(default=())

    @property
    def active(self) -> bool:
        return self.sandbox is not None

    @property
    def line(self) -> str:
        if self.sandbox is None:
            return f"The agent's {UNSANDBOXED}: {self.reason}."
        network = "network allowed (sandbox_network)" if self.sandbox.network else "no network"
        return f"Sandboxed (bubblewrap): the agent's commands can write only to the workspace and a private /tmp; {network}."


def sandbox_status(settings: Any, *, read_only: Iterable[str] = ()) -> SandboxStatus:
    """The sandbox the agent's commands get under `settings` (`sandbox_bwrap`, `sandbox_network`, `sandbox_paths`)."""
    bwrap = find_bwrap(str(getattr(settings, "sandbox_bwrap", "") or ""))
    network = bool(getattr(settings, "sandbox_network", False))
    why = probe(bwrap, network=network)
    if why:
        return SandboxStatus(None, why)
    paths: list[str] = []
    for entry in [*read_only, *(getattr(settings, "sandbox_paths", None) or [])]:
        if not isinstance(entry, str) or not entry.strip():
            continue
        real = os.path.realpath(os.path.expanduser(entry))
        if os.path.isabs(real) and real != "/" and real not in paths:
            paths.append(real)
    return SandboxStatus(Sandbox(bwrap, network=network, read_only=tuple(paths)))
