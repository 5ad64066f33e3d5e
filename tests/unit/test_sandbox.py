"""The agent's commands cannot reach the user's repository, Tutor's secrets, $HOME or the network.

Everything runs through the real `Tools.run` (and, for the secret, a real live session
with the scripted agent), on a workspace made from a real user repository. Skipped, with
bubblewrap's own reason, only where bubblewrap cannot run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import shutil
import socket
import stat
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from tutor.agent.sandbox import UNSANDBOXED, find_bwrap, forget_probes, probe, sandbox_status
from tutor.agent.tools import Tools
from tutor.settings import Settings
from tutor.vcs.workspace import Workspace

from tests.helpers.live_support import git

WHY_NOT = probe(find_bwrap())
needs_bwrap = pytest.mark.skipif(bool(WHY_NOT), reason=f"bubblewrap cannot run here: {WHY_NOT}")
API_KEY = "sk-ant-api03-" + "Zq9" * 12 + "-sandboxTestKey"


def user_repo(root: Path) -> Path:
    """A user repository with history, a packed and a loose object, an executable file and uncommitted work."""
    repo = root / "user-repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "file").write_text("hello\n")
    (repo / "tool.sh").write_text("#!/bin/sh\necho tool\n")
    (repo / "tool.sh").chmod(0o755)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    git(repo, "gc", "-q")
    (repo / "file").write_text("hello again\n")
    git(repo, "commit", "-q", "-am", "two")  # a loose object beside the pack
    (repo / "notes.md").write_text("uncommitted\n")
    return repo


def snapshot_of(repo: Path) -> dict[str, tuple[str, int, str]]:
    """Every path under `repo` (.git included): kind, mode bits and content hash (or link target)."""
    found: dict[str, tuple[str, int, str]] = {}
    for folder, folders, files in os.walk(repo):
        for name in folders + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, repo)
            if stat.S_ISLNK(info.st_mode):
                found[relative] = ("link", info.st_mode, os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[relative] = ("dir", info.st_mode, "")
            else:
                found[relative] = ("file", info.st_mode, hashlib.sha256(Path(path).read_bytes()).hexdigest())
    return found


@pytest.fixture
def setup(tmp_path: Path):
    repo = user_repo(tmp_path)
    before = snapshot_of(repo)
    workspace = Workspace.from_repository(repo, tmp_path / "ws", objects="alternates")
    status = sandbox_status(Settings(), read_only=workspace.shared_objects)
    tools = Tools(workspace.root, sandbox=status, timeout=20)
    return repo, before, workspace, status, tools


def run(tools: Tools, command: str):
    return tools.execute("run", {"command": command})


# (a) the user's repository, its objects and their modes -------------------------------------


@needs_bwrap
def test_commands_cannot_change_the_users_repository(setup) -> None:
    repo, before, workspace, status, tools = setup
    assert status.active and workspace.shared_objects == (str(repo / ".git" / "objects"),)
    objects = repo / ".git" / "objects"
    pack = next((objects / "pack").glob("*.pack"))
    loose = next(p for p in objects.glob("??/*"))
    attempts = [
        f"git -C {repo} commit --allow-empty -m x",
        f"cd {repo} && git commit --allow-empty -m x",
        f"echo x >> {repo}/file",
        f"chmod -R a+w {objects}",
        f"chmod 777 {pack} {loose}",
        f"echo junk >> {pack}",
        f"echo junk >> {loose}",
        f"rm -f {loose}",
        f"touch {objects}/planted",
        "chmod -R a+w .git/objects",  # the workspace's own store, and through alternates
        "for d in $(cat .git/objects/info/alternates); do chmod -R a+w \"$d\"; echo junk >> \"$(find \"$d\" -type f | head -1)\"; done",
        "find / -xdev -path '*objects*' -type f -exec chmod a+w {} + 2>/dev/null; true",
        "find / -path '*objects*' -type f -exec sh -c 'echo junk >> \"$1\"' _ {} \\; 2>/dev/null; true",
        "echo '/tmp' > .git/objects/info/alternates",
        "git commit --allow-empty -qm 'agent commit' && git gc -q --prune=now",
    ]
    for command in attempts:
        run(tools, command)
    assert snapshot_of(repo) == before
    git(repo, "fsck", "--strict")
    assert git(repo, "log", "--format=%s").split() == ["two", "one"]


@needs_bwrap
def test_a_workspace_borrowing_objects_snapshots_bundles_and_reopens(setup) -> None:
    repo, before, workspace, _, tools = setup
    run(tools, "echo '/tmp' > .git/objects/info/alternates; git commit --allow-empty -qm 'agent commit'; git gc -q")
    (workspace.root / "new.txt").write_text("new\n")
    commit = workspace.snapshot("s1")
    assert "new.txt" in workspace.diff(workspace.base, commit)
    bundle = workspace.bundle(repo.parent / "out.bundle")
    clone = repo.parent / "clone"
    subprocess.run(["git", "clone", "-q", str(bundle), str(clone)], check=True, capture_output=True)
    assert (workspace.git_dir / "objects" / "info" / "alternates").read_text() == f"{repo / '.git' / 'objects'}\n"
    again = Workspace.open(workspace.root, shared_objects=list(workspace.shared_objects))
    assert again.snapshot("s2") == commit
    assert snapshot_of(repo) == before


@needs_bwrap
def test_the_users_objects_are_read_only_inside_and_the_rest_of_the_machine_too(setup) -> None:
    repo, _, _, _, tools = setup
    result = run(tools, f"touch {repo}/.git/objects/x; touch /usr/x; touch /etc/x; touch ./ok; touch /tmp/ok; echo done")
    assert result.output.count("Read-only file system") >= 3 and "done" in result.output
    assert run(tools, "git log --format=%s").output.split() == ["uncommitted", "changes", "two", "one"] or "two" in run(
        tools, "git log --format=%s"
    ).output


def test_an_unsandboxed_workspace_copies_objects_and_shares_no_file(tmp_path: Path) -> None:
    repo = user_repo(tmp_path)
    before = snapshot_of(repo)
    workspace = Workspace.from_repository(repo, tmp_path / "ws")  # copy: what an unsandboxed session uses
    assert workspace.shared_objects == () and not (workspace.git_dir / "objects" / "info" / "alternates").exists()
    user_inodes = {os.lstat(p).st_ino for p in (repo / ".git" / "objects").rglob("*") if p.is_file()}
    for path in (workspace.git_dir / "objects").rglob("*"):
        if path.is_file():
            assert os.lstat(path).st_ino not in user_inodes and os.lstat(path).st_nlink == 1
    settings = Settings(sandbox_bwrap=str(tmp_path / "no-such-bwrap"))
    status = sandbox_status(settings)
    assert not status.active and UNSANDBOXED in status.line
    tools = Tools(workspace.root, sandbox=status)
    run(tools, "chmod -R a+w .git/objects; for f in $(find .git/objects -type f); do echo junk >> $f; done")
    assert snapshot_of(repo) == before
    git(repo, "fsck", "--strict")


# (b) Tutor's environment and the API key --------------------------------------------------


def encodings(secret: str) -> list[str]:
    data = secret.encode()
    found = {secret, data.hex(), data.hex().upper(), urllib.parse.quote(secret), urllib.parse.quote_plus(secret)}
    for shift in range(3):  # base64 of the key at every alignment inside a longer stream
        for prefix in (b"", b"A", b"AB"):
            encoded = base64.b64encode(prefix + data[shift:]).decode()
            body = encoded[(len(prefix) * 4 + 2) // 3 + 2 : -4]  # drop the parts that mix in neighbours
            if len(body) > 12:
                found.add(body)
            urlsafe = base64.urlsafe_b64encode(prefix + data[shift:]).decode()[(len(prefix) * 4 + 2) // 3 + 2 : -4]
            if len(urlsafe) > 12:
                found.add(urlsafe)
    found.add(binascii.b2a_base64(data, newline=False).decode())
    return sorted(found)


@needs_bwrap
async def test_the_api_key_reaches_no_command_and_nothing_stored(tmp_path: Path, tutor_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.services.live import start_session

    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    monkeypatch.setenv("GH_PAT", "ghp-pat-value-" + "x" * 20)
    repo = user_repo(tmp_path)
    commands = [
        "cat /proc/$PPID/environ | tr '\\0' '\\n'",
        "cat /proc/*/environ | tr '\\0' '\\n'",
        "env",
        "base64 /proc/1/environ",
        "od -An -tx1 /proc/1/environ | tr -d ' \\n'",
        "for p in /proc/[0-9]*; do cat $p/cmdline $p/environ 2>/dev/null | base64 -w0; done",
        "ps -eo pid,args 2>/dev/null || ls /proc",
        "cat /proc/self/status | grep -i pid",
    ]
    calls = tuple(ToolCall(f"c{i}", "run", {"command": command}) for i, command in enumerate(commands))
    agent = ScriptedAgent([AgentTurn("looking", calls), AgentTurn("done")])
    session = start_session(mode="record", settings=Settings(), repo=repo, task="t", agent=agent)
    assert session.sandbox.active
    loop = session.loop
    loop.set_goal("look around")
    assert await loop.advance() == "gate"
    outputs = []
    for call in calls:
        record = await loop.run(call.id)
        outputs.append(record["output"])
    everything = "\n".join(outputs)
    assert str(os.getpid()) not in everything.split()  # Tutor's processes are not in the sandbox's /proc
    assert "ghp-pat-value" not in everything
    loop.end()
    session.close()
    processes = [r for r in __import__("tutor.services.live", fromlist=["x"]).session_records(session.id) if r["kind"] == "process"]
    assert len(processes) == len(commands) and all(r["sandboxed"] and r["pgid"] for r in processes)
    forms = encodings(API_KEY)
    for form in forms:
        assert form not in everything, form
    stored = [p for p in tutor_home.rglob("*") if p.is_file()]
    assert any(p.name == "journal.jsonl" for p in stored)
    for path in stored:
        data = path.read_bytes()
        for form in forms:
            assert form.encode() not in data, (path, form)


# (c) the user's home --------------------------------------------------------------------------


@needs_bwrap
def test_files_under_home_cannot_be_read(setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / "someone"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("PRIVATE-KEY-MATERIAL\n")
    (home / ".netrc").write_text("machine x password HOME-SECRET\n")
    monkeypatch.setenv("HOME", str(home))
    _, _, _, _, tools = setup
    for command in (f"cat {home}/.ssh/id_rsa", f"cat {home}/.netrc", "cat ~/.netrc", "cat $HOME/.ssh/id_rsa", f"ls -la {home}"):
        result = run(tools, command)
        assert "PRIVATE-KEY-MATERIAL" not in result.output and "HOME-SECRET" not in result.output
        assert not result.ok, command
    assert run(tools, "echo $HOME").output == "/tmp/home\n"


# (d) the network ------------------------------------------------------------------------------


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            accepted.append(b"x")
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], accepted
    server.close()


CONNECT = "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", {port}), timeout=3); print(\"connected\")'"


@needs_bwrap
def test_no_network_unless_the_user_allows_it(tmp_path: Path, listener) -> None:
    port, accepted = listener
    repo = user_repo(tmp_path)
    workspace = Workspace.from_repository(repo, tmp_path / "ws", objects="alternates")
    closed = Tools(workspace.root, sandbox=sandbox_status(Settings(), read_only=workspace.shared_objects))
    result = run(closed, CONNECT.format(port=port))
    assert not result.ok and "connected" not in result.output and not accepted
    forget_probes()
    allowed = sandbox_status(Settings(sandbox_network=True), read_only=workspace.shared_objects)
    assert "network allowed" in allowed.line
    result = run(Tools(workspace.root, sandbox=allowed), CONNECT.format(port=port))
    assert result.ok and "connected" in result.output and accepted


# (e), (f) nothing outlives a command ----------------------------------------------------------


def group_size(pgid: int) -> int:
    """How many processes are in the process group `pgid` (from /proc/<pid>/stat)."""
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid:
                count += 1
    return count


def marked(marker: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{name}/cmdline").read_bytes():
                    found.append(int(name))
            except OSError:
                pass
    return found


@needs_bwrap
def test_a_daemon_does_not_survive_its_command(setup) -> None:
    _, _, _, _, tools = setup
    marker = f"tutor-daemon-{os.getpid()}-{time.monotonic_ns()}"
    result = run(tools, f'setsid sh -c "sleep 1000; : {marker}" > /dev/null 2>&1 & (nohup sleep 999 {marker}x >/dev/null 2>&1 &); echo started')
    assert result.ok and "started" in result.output
    deadline = time.monotonic() + 5
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marked(marker) == []


@needs_bwrap
def test_a_timeout_kills_everything(setup) -> None:
    _, _, workspace, status, _ = setup
    tools = Tools(workspace.root, sandbox=status, timeout=1.5)
    marker = f"tutor-timeout-{os.getpid()}-{time.monotonic_ns()}"
    started = time.monotonic()
    result = run(tools, f'setsid sh -c "sleep 1000; : {marker}" & sh -c "trap \\"\\" TERM; sleep 1000; : {marker}" & wait')
    assert result.timed_out and time.monotonic() - started < 10
    deadline = time.monotonic() + 5
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marked(marker) == []


def test_a_resume_kills_what_a_crash_left_running(tmp_path: Path) -> None:
    """Unsandboxed (the sandbox dies with Tutor anyway): the journalled group is killed, and only it."""
    from tutor.agent.processes import identity, kill_leftovers

    workspace = tmp_path / "ws"
    workspace.mkdir()
    marker = f"tutor-crash-{os.getpid()}-{time.monotonic_ns()}"
    left = subprocess.Popen(["/bin/sh", "-c", f"sleep 1000 & sleep 1000; : {marker}"], cwd=workspace, start_new_session=True)
    stranger = subprocess.Popen(["/bin/sh", "-c", f"sleep 1000; : {marker}-other"], cwd=tmp_path, start_new_session=True)
    try:
        record = {"kind": "process", **identity(left.pid)}
        deadline = time.monotonic() + 10
        while group_size(left.pid) < 3:  # the shell and both its sleeps have started (no fixed sleep)
            assert time.monotonic() < deadline, "the group never started"
            time.sleep(0.01)
        assert kill_leftovers([{**record, "start": record["start"] + 10**9}], workspace) == 0  # not the group it was
        assert kill_leftovers([{**record, "boot": "another-boot"}], workspace) == 0
        assert kill_leftovers([record], workspace) >= 2
        left.wait(timeout=5)
        assert stranger.poll() is None  # never a process that is not the command's
    finally:
        for process in (left, stranger):
            if process.poll() is None:
                os.killpg(process.pid, 9)
                process.wait()


# a symlink swap race ---------------------------------------------------------------------------


def test_a_symlink_swap_race_never_escapes(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "dir").mkdir(parents=True)
    (root / "dir" / "file.txt").write_text("inside\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file.txt").write_text("OUTSIDE SECRET\n")
    tools = Tools(root)
    stop = threading.Event()

    swaps = [0]

    def swap() -> None:
        real, link, spare = root / "dir", root / "link", root / "spare"
        link.symlink_to(outside, target_is_directory=True)

        def move(a: Path, b: Path) -> None:
            while True:
                try:
                    os.rename(a, b)
                    return
                except OSError:  # a write made a new "dir" while the real one was away: drop it
                    if b.is_dir() and not b.is_symlink():
                        shutil.rmtree(b, ignore_errors=True)

        while not stop.is_set():
            move(real, spare)
            move(link, real)  # dir is now a symlink leading outside
            move(real, link)
            move(spare, real)
            swaps[0] += 1

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    escapes = reads = 0
    try:
        for _ in range(5000):
            for tool, payload in (("read_file", {"path": "dir/file.txt"}), ("list_files", {"path": "dir"})):
                result = tools.execute(tool, payload)
                reads += 1
                escapes += "OUTSIDE" in result.output
            write = tools.execute("write_file", {"path": "dir/planted.txt", "content": "x"})
            escapes += (outside / "planted.txt").exists()
            del write
    finally:
        stop.set()
        swapper.join()
    assert swapper.is_alive() is False and swaps[0] > 1000, swaps
    assert reads == 10000 and escapes == 0
    assert not (outside / "planted.txt").exists() and sorted(p.name for p in outside.iterdir()) == ["file.txt"]


# the unsandboxed fallback says so --------------------------------------------------------------


async def test_the_pair_screen_says_when_commands_run_unsandboxed(tmp_path: Path) -> None:
    from textual.widgets import Static

    from tutor.agent.scripted import AgentTurn, ScriptedAgent
    from tutor.services.live import start_session
    from tutor.ui.app import TutorApp
    from tutor.ui.start import PairStart

    forget_probes()
    settings = Settings(sandbox_bwrap=str(tmp_path / "missing" / "bwrap"))
    repo = user_repo(tmp_path)
    session = start_session(mode="pair", settings=settings, repo=repo, task="t", agent=ScriptedAgent([AgentTurn("hi")]))
    assert not session.sandbox.active and UNSANDBOXED in session.sandbox.line
    assert session.workspace.shared_objects == ()  # objects copied: nothing shared with the user's repository
    app = TutorApp(PairStart(session), settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#sandbox-status", Static).render())
        assert UNSANDBOXED in shown
    session.close()


@needs_bwrap
async def test_the_pair_screen_says_what_the_sandbox_enforces(tmp_path: Path) -> None:
    from textual.widgets import Static

    from tutor.agent.scripted import AgentTurn, ScriptedAgent
    from tutor.services.live import start_session
    from tutor.ui.app import TutorApp
    from tutor.ui.start import PairStart

    settings = Settings()
    session = start_session(mode="pair", settings=settings, repo=user_repo(tmp_path), task="t", agent=ScriptedAgent([AgentTurn("hi")]))
    app = TutorApp(PairStart(session), settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#sandbox-status", Static).render())
        assert "Sandboxed (bubblewrap)" in shown and "no network" in shown and UNSANDBOXED not in shown
    session.close()
