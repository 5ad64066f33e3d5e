"""The agent's tools: confined to the workspace, never raising for bad input, commands contained."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
from tutor.agent.tools import TOOL_NAMES, TOOL_SCHEMAS, WRITE_TOOLS, ToolResult, Tools, safe_environment

pytestmark = pytest.mark.timeout(60)

SECRET = "TOP SECRET OUTSIDE"


def live_members(group: int) -> list[int]:
    """Processes of `group` that are still running (zombies waiting for their reaper excluded)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] not in (b"Z", b"X"):
            found.append(int(name))
    return found


def group_is_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return not live_members(group)  # only zombies left, not yet reaped by init


def pid_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


def assert_refused(result: ToolResult, *words: str) -> None:
    assert isinstance(result, ToolResult)
    assert result.ok is False
    assert result.error and "\n" not in result.error
    for word in words:
        assert word in result.error, result.error
    assert SECRET not in result.output and SECRET not in result.error


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside.txt"
    target.write_text(SECRET + "\n")
    return target


@pytest.fixture
def root(tmp_path: Path, outside: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / ".git" / "hooks").mkdir(parents=True)
    (workspace / ".git" / "config").write_text("[core]\n")
    (workspace / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (workspace / "src").mkdir()
    (workspace / "src" / "app.py").write_text("print('hi')\n")
    (workspace / "README.md").write_text("# demo\n")
    return workspace


@pytest.fixture
def tools(root: Path) -> Tools:
    return Tools(root, timeout=1.0)


# --- schemas and the result type ----------------------------------------------------------------


def test_schemas_cover_every_tool_in_messages_api_form() -> None:
    assert tuple(schema["name"] for schema in TOOL_SCHEMAS) == TOOL_NAMES
    assert WRITE_TOOLS == {"write_file", "edit_file", "run"}
    for schema in TOOL_SCHEMAS:
        assert set(schema) == {"name", "description", "input_schema"}
        assert schema["description"] and len(schema["description"]) < 500
        assert schema["input_schema"]["type"] == "object"
        for name in schema["input_schema"].get("required", []):
            assert name in schema["input_schema"]["properties"]


def test_result_text_renders_output_exit_code_and_error() -> None:
    assert ToolResult(ok=True, output="").text == "(no output)"
    assert ToolResult(ok=False, output="boom\n", exit_code=2).text == "boom\n\n[exit code 2]"
    assert ToolResult.failure("no such file: x").text == "error: no such file: x"


# --- read_file ---------------------------------------------------------------------------------


def test_read_file_returns_exact_contents(tools: Tools, root: Path) -> None:
    (root / "notes.txt").write_bytes("héllo\r\nno newline at end".encode())
    result = tools.execute("read_file", {"path": "notes.txt"})
    assert result == ToolResult(ok=True, output="héllo\r\nno newline at end")
    assert tools.execute("read_file", {"path": "./src/../src/app.py"}).output == "print('hi')\n"


def test_read_file_follows_a_symlink_that_stays_inside(tools: Tools, root: Path) -> None:
    (root / "alias.py").symlink_to("src/app.py")
    (root / "code").symlink_to("src", target_is_directory=True)
    assert tools.execute("read_file", {"path": "alias.py"}).output == "print('hi')\n"
    assert tools.execute("read_file", {"path": "code/app.py"}).output == "print('hi')\n"


def test_read_file_of_an_empty_file(tools: Tools, root: Path) -> None:
    (root / "empty").write_bytes(b"")
    assert tools.execute("read_file", {"path": "empty"}) == ToolResult(ok=True, output="")


def test_read_file_cuts_large_files_and_says_so(root: Path) -> None:
    (root / "big.txt").write_text("é" * 3000)  # 6,000 bytes of two-byte characters
    result = Tools(root, read_cap=1001).execute("read_file", {"path": "big.txt"})
    assert result.ok and result.truncated
    text, note = result.output.split("\n[…", 1)
    assert text == "é" * 500  # the cut fell inside a character: the half is dropped, not garbled
    assert "4,999 bytes cut" in note and "6,000 bytes" in note


def test_read_file_default_cap_is_256_kib(tools: Tools, root: Path) -> None:
    (root / "big.log").write_bytes(b"x" * (300 * 1024))
    result = tools.execute("read_file", {"path": "big.log"})
    assert result.truncated and result.output.startswith("x" * (256 * 1024) + "\n[… 45,056 bytes cut")


def test_read_file_does_not_dump_binary(tools: Tools, root: Path) -> None:
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = tools.execute("read_file", {"path": "logo.png"})
    assert result.ok and result.output == "[binary file logo.png, 272 bytes; not shown]"


def test_read_file_errors(tools: Tools, root: Path) -> None:
    assert_refused(tools.execute("read_file", {"path": "missing.py"}), "no such file: missing.py")
    assert_refused(tools.execute("read_file", {"path": "src"}), "src is a directory; use list_files")
    assert_refused(tools.execute("read_file", {"path": "README.md/x"}), "no such file")
    assert_refused(tools.execute("read_file", {"path": ""}), "path is empty")
    assert_refused(tools.execute("read_file", {"path": "."}), "workspace root")
    (root / "broken").symlink_to("nowhere")
    assert_refused(tools.execute("read_file", {"path": "broken"}), "broken symlink")
    (root / "loop").symlink_to("loop")
    assert_refused(tools.execute("read_file", {"path": "loop"}))


def test_read_file_refuses_a_fifo_without_hanging(tools: Tools, root: Path) -> None:
    os.mkfifo(root / "pipe")
    started = time.monotonic()
    assert_refused(tools.execute("read_file", {"path": "pipe"}), "not a regular file")
    assert_refused(tools.execute("write_file", {"path": "pipe", "content": "x"}), "not a regular file")
    assert time.monotonic() - started < 1


def test_read_file_refuses_a_socket(tools: Tools, root: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    previous = os.getcwd()
    os.chdir(root)  # AF_UNIX paths are limited to ~108 bytes
    try:
        server.bind("sock")
    finally:
        os.chdir(previous)
    try:
        assert_refused(tools.execute("read_file", {"path": "sock"}), "not a regular file")
    finally:
        server.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_read_file_refuses_a_device(tools: Tools, root: Path) -> None:
    os.mknod(root / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    assert_refused(tools.execute("read_file", {"path": "null"}), "not a regular file")


# --- list_files --------------------------------------------------------------------------------


def test_list_files_is_recursive_sorted_and_skips_noise(tools: Tools, root: Path) -> None:
    for noise in ("__pycache__/app.cpython-311.pyc", ".pytest_cache/v", "node_modules/x/index.js", "src/__pycache__/a.pyc"):
        (root / noise).parent.mkdir(parents=True, exist_ok=True)
        (root / noise).write_text("")
    (root / "src" / "pkg").mkdir()
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "docs").mkdir()
    (root / "link").symlink_to("/etc", target_is_directory=True)
    result = tools.execute("list_files", {})
    assert result.ok
    assert result.output.splitlines() == [
        "README.md",
        "docs/",
        "link -> /etc",
        "src/",
        "src/app.py",
        "src/pkg/",
        "src/pkg/__init__.py",
    ]
    assert tools.execute("list_files", {"path": "src/pkg"}).output == "src/pkg/__init__.py"
    assert tools.execute("list_files", {"path": "docs"}).output == "(empty directory)"


def test_the_file_tools_leave_no_descriptor_open(tools: Tools, root: Path) -> None:
    """Each folder a listing walked kept a descriptor open: an agent listing often ran out of them (EMFILE) in a long session."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("this system has no /proc/self/fd to count open descriptors in")
    for folder in ("a/b/c", "a/d", "e"):
        (root / folder).mkdir(parents=True)
        (root / folder / "f.txt").write_text("x\n")
    (root / "loop").symlink_to("a", target_is_directory=True)
    calls = [
        ("list_files", {}), ("list_files", {"path": "a"}), ("list_files", {"path": "loop/b"}), ("list_files", {"path": "nowhere"}),
        ("read_file", {"path": "a/b/c/f.txt"}), ("read_file", {"path": "loop/d/f.txt"}), ("read_file", {"path": "a/missing.txt"}),
        ("write_file", {"path": "e/new.txt", "content": "n\n"}), ("write_file", {"path": "loop"}),
        ("edit_file", {"path": "e/f.txt", "old": "x", "new": "y"}), ("edit_file", {"path": "e/f.txt", "old": "absent", "new": "z"}),
    ]
    def open_in_root() -> list[str]:
        """The descriptors this process holds on the workspace's files and folders (another thread's are elsewhere)."""
        held = []
        for name in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{name}")
            except OSError:
                continue  # closed meanwhile
            if target == str(root) or target.startswith(str(root) + "/"):
                held.append(target)
        return held

    for _ in range(20):
        for tool, payload in calls:
            tools.execute(tool, payload)
    assert open_in_root() == []


def test_list_files_caps_entries_with_a_note(root: Path) -> None:
    (root / "many").mkdir()
    for number in range(30):
        (root / "many" / f"f{number:02}").write_text("")
    result = Tools(root, list_cap=10).execute("list_files", {"path": "many"})
    lines = result.output.splitlines()
    assert result.ok and result.truncated
    assert lines[:10] == [f"many/f{number:02}" for number in range(10)]
    assert lines[10] == "[… 20 more entries not shown; list a subdirectory …]"


def test_list_files_default_cap_is_2000(tools: Tools, root: Path) -> None:
    for number in range(2100):
        (root / f"f{number:04}").write_bytes(b"")
    lines = tools.execute("list_files", {"path": "."}).output.splitlines()
    assert len(lines) == 2001 and "more entries not shown" in lines[-1]


def test_list_files_errors(tools: Tools) -> None:
    assert_refused(tools.execute("list_files", {"path": "README.md"}), "not a directory; use read_file")
    assert_refused(tools.execute("list_files", {"path": "nope"}), "no such directory: nope")


# --- write_file --------------------------------------------------------------------------------


def test_write_file_creates_parents_and_writes_exact_bytes(tools: Tools, root: Path) -> None:
    result = tools.execute("write_file", {"path": "pkg/sub/mod.py", "content": "a\r\nb"})
    assert result == ToolResult(ok=True, output="created pkg/sub/mod.py (2 lines, 4 bytes)")
    assert (root / "pkg" / "sub" / "mod.py").read_bytes() == b"a\r\nb"
    assert tools.execute("write_file", {"path": "empty.txt", "content": ""}).ok
    assert (root / "empty.txt").read_bytes() == b""


def test_write_file_overwrites_atomically_keeping_the_mode(tools: Tools, root: Path) -> None:
    script = root / "run.sh"
    script.write_text("old\n")
    script.chmod(0o755)
    result = tools.execute("write_file", {"path": "run.sh", "content": "#!/bin/sh\necho new\n"})
    assert result.ok and "was 4 bytes" in result.output
    assert script.read_text() == "#!/bin/sh\necho new\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert not [p for p in root.iterdir() if "tutor-tmp" in p.name]


def test_write_file_errors(tools: Tools, root: Path) -> None:
    assert_refused(tools.execute("write_file", {"path": "src", "content": "x"}), "src is a directory")
    assert_refused(tools.execute("write_file", {"path": "README.md/x", "content": "x"}), "not a directory")
    assert_refused(tools.execute("write_file", {"path": "", "content": "x"}), "path is empty")
    assert_refused(tools.execute("write_file", {"path": "x", "content": 3}), "'content' must be a string")
    assert (root / "README.md").read_text() == "# demo\n"


def test_write_file_refuses_a_symlink_even_one_inside(tools: Tools, root: Path) -> None:
    (root / "alias.py").symlink_to("src/app.py")
    assert_refused(tools.execute("write_file", {"path": "alias.py", "content": "x"}), "alias.py is a symlink")
    assert_refused(tools.execute("edit_file", {"path": "alias.py", "old": "hi", "new": "yo"}), "symlink")
    assert (root / "src" / "app.py").read_text() == "print('hi')\n"
    assert (root / "alias.py").is_symlink()
    # A symlinked directory that stays inside is only a route: writing a file through it is fine.
    (root / "code").symlink_to("src", target_is_directory=True)
    assert tools.execute("write_file", {"path": "code/new.py", "content": "x\n"}).ok
    assert (root / "src" / "new.py").read_text() == "x\n"


# --- edit_file ---------------------------------------------------------------------------------


def test_edit_file_replaces_the_one_match_and_shows_a_diff(tools: Tools, root: Path) -> None:
    lines = [f"line {number}\n" for number in range(1, 101)]
    (root / "long.txt").write_text("".join(lines))
    result = tools.execute("edit_file", {"path": "long.txt", "old": "line 50\n", "new": "fifty\nand a half\n"})
    assert result.ok
    assert result.output.splitlines() == [
        "--- a/long.txt",
        "+++ b/long.txt",
        "@@ -47,7 +47,8 @@",
        " line 47",
        " line 48",
        " line 49",
        "-line 50",
        "+fifty",
        "+and a half",
        " line 51",
        " line 52",
        " line 53",
    ]
    expected = "".join(lines).replace("line 50\n", "fifty\nand a half\n")
    assert (root / "long.txt").read_text() == expected


def test_edit_file_preserves_every_other_byte(tools: Tools, root: Path) -> None:
    original = b"caf\xe9 latin-1\r\nkeep\tthis\r\nno final newline"
    (root / "mixed.txt").write_bytes(original)
    (root / "mixed.txt").chmod(0o640)
    assert tools.execute("edit_file", {"path": "mixed.txt", "old": "keep", "new": "KEEP"}).ok
    assert (root / "mixed.txt").read_bytes() == original.replace(b"keep", b"KEEP")
    assert stat.S_IMODE((root / "mixed.txt").stat().st_mode) == 0o640
    assert tools.execute("edit_file", {"path": "mixed.txt", "old": "KEEP\tthis\r\n", "new": ""}).ok
    assert (root / "mixed.txt").read_bytes() == b"caf\xe9 latin-1\r\nno final newline"


def test_edit_file_errors(tools: Tools, root: Path) -> None:
    (root / "a.txt").write_text("aaa\nfoo\nfoo\n")
    (root / "crlf.txt").write_bytes(b"one\r\ntwo\r\n")
    assert_refused(tools.execute("edit_file", {"path": "a.txt", "old": "bar", "new": "x"}), "old text not found in a.txt")
    assert_refused(
        tools.execute("edit_file", {"path": "a.txt", "old": "foo", "new": "x"}),
        "old text matches 2 times in a.txt; include more context",
    )
    # Overlapping matches count: "aa" occurs twice in "aaa".
    assert_refused(tools.execute("edit_file", {"path": "a.txt", "old": "aa", "new": "b"}), "matches 2 times")
    assert_refused(tools.execute("edit_file", {"path": "a.txt", "old": "", "new": "x"}), "old text is empty")
    assert_refused(tools.execute("edit_file", {"path": "a.txt", "old": "aaa", "new": "aaa"}), "identical")
    assert_refused(tools.execute("edit_file", {"path": "gone.txt", "old": "a", "new": "b"}), "no such file: gone.txt")
    assert_refused(tools.execute("edit_file", {"path": "src", "old": "a", "new": "b"}), "is a directory")
    assert_refused(tools.execute("edit_file", {"path": "crlf.txt", "old": "one\ntwo", "new": "x"}), "CRLF")
    assert (root / "a.txt").read_text() == "aaa\nfoo\nfoo\n"


# --- bad input never raises --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "payload", "words"),
    [
        ("delete_file", {"path": "x"}, ("unknown tool 'delete_file'",)),
        (None, {}, ("unknown tool",)),
        ("read_file", ["x"], ("input must be an object",)),
        ("read_file", None, ("input must be an object",)),
        ("read_file", {}, ("missing required field 'path'",)),
        ("read_file", {"path": "x", "offset": 3}, ("unexpected field 'offset'",)),
        ("read_file", {"path": 7}, ("'path' must be a string",)),
        ("edit_file", {"path": "x", "old": "a"}, ("missing required field 'new'",)),
        ("run", {}, ("missing required field 'command'",)),
        ("run", {"command": ["ls"]}, ("'command' must be a string",)),
        ("run", {"command": "   "}, ("command is empty",)),
        ("run", {"command": "echo \0"}, ("NUL",)),
    ],
)
def test_bad_input_is_a_one_line_error(tools: Tools, tool: object, payload: object, words: tuple[str, ...]) -> None:
    assert_refused(tools.execute(tool, payload), *words)  # type: ignore[arg-type]


# --- escapes -----------------------------------------------------------------------------------


@pytest.fixture
def traps(root: Path, outside: Path) -> Path:
    """Symlinks and names that try to lead out of the workspace or into .git."""
    (root / "passwd").symlink_to("/etc/passwd")
    (root / "etc").symlink_to("/etc", target_is_directory=True)
    (root / "out.txt").symlink_to(outside)
    (root / "relative_out.txt").symlink_to("../outside.txt")
    (root / "dangling_out").symlink_to(outside.parent / "not-yet-there.txt")
    (root / "outdir").symlink_to(outside.parent, target_is_directory=True)
    (root / "src" / "up").symlink_to("../..", target_is_directory=True)
    (root / "gitlink").symlink_to(".git", target_is_directory=True)
    (root / "config_alias").symlink_to(".git/config")
    return root


ESCAPES = [
    ("read_file", {"path": "../outside.txt"}, "escapes the workspace"),
    ("read_file", {"path": "src/../../outside.txt"}, "escapes the workspace"),
    ("read_file", {"path": "src/../src/../../outside.txt"}, "escapes the workspace"),
    ("read_file", {"path": "/etc/passwd"}, "absolute"),
    ("read_file", {"path": "//etc/passwd"}, "absolute"),
    ("read_file", {"path": "~/.bashrc"}, "'~' is not expanded"),
    ("read_file", {"path": "passwd"}, "outside the workspace"),
    ("read_file", {"path": "etc/passwd"}, "outside the workspace"),
    ("read_file", {"path": "out.txt"}, "outside the workspace"),
    ("read_file", {"path": "relative_out.txt"}, "outside the workspace"),
    ("read_file", {"path": "dangling_out"}, "outside the workspace"),
    ("read_file", {"path": "outdir/outside.txt"}, "outside the workspace"),
    ("read_file", {"path": "src/up/outside.txt"}, "outside the workspace"),
    ("read_file", {"path": ".git/config"}, ".git"),
    ("read_file", {"path": ".Git/HEAD"}, ".git"),
    ("read_file", {"path": "gitlink/config"}, ".git"),
    ("read_file", {"path": "config_alias"}, ".git"),
    ("read_file", {"path": "README.md\0.txt"}, "NUL"),
    ("list_files", {"path": ".."}, "escapes the workspace"),
    ("list_files", {"path": "/"}, "absolute"),
    ("list_files", {"path": "etc"}, "outside the workspace"),
    ("list_files", {"path": "outdir"}, "outside the workspace"),
    ("list_files", {"path": ".git"}, ".git"),
    ("list_files", {"path": "gitlink"}, ".git"),
    ("write_file", {"path": "../escape.txt", "content": "x"}, "escapes the workspace"),
    ("write_file", {"path": "/tmp/escape.txt", "content": "x"}, "absolute"),
    ("write_file", {"path": "out.txt", "content": "x"}, "outside the workspace"),
    ("write_file", {"path": "dangling_out", "content": "x"}, "outside the workspace"),
    ("write_file", {"path": "outdir/planted.txt", "content": "x"}, "outside the workspace"),
    ("write_file", {"path": "etc/cron.d/evil", "content": "x"}, "outside the workspace"),
    ("write_file", {"path": "src/up/planted.txt", "content": "x"}, "outside the workspace"),
    ("write_file", {"path": ".git/config", "content": "x"}, "write inside .git"),
    ("write_file", {"path": ".GIT/hooks/pre-commit", "content": "x"}, "write inside .git"),
    ("write_file", {"path": "src/.git/hooks/post-checkout", "content": "x"}, "write inside .git"),
    ("write_file", {"path": ".git./config", "content": "x"}, "write inside .git"),
    ("write_file", {"path": "gitlink/hooks/pre-commit", "content": "x"}, "write inside .git"),
    ("write_file", {"path": "config_alias", "content": "x"}, ".git"),
    ("write_file", {"path": "a\0b", "content": "x"}, "NUL"),
    ("write_file", {"path": ".", "content": "x"}, "workspace root"),
    ("edit_file", {"path": "../outside.txt", "old": "TOP", "new": "x"}, "escapes the workspace"),
    ("edit_file", {"path": "out.txt", "old": "TOP", "new": "x"}, "outside the workspace"),
    ("edit_file", {"path": "passwd", "old": "root", "new": "x"}, "outside the workspace"),
    ("edit_file", {"path": ".git/config", "old": "[core]", "new": "x"}, "write inside .git"),
]


@pytest.mark.parametrize(("tool", "payload", "words"), ESCAPES, ids=[f"{t}:{p['path']!r}" for t, p, _ in ESCAPES])
def test_path_escapes_are_refused(
    traps: Path, outside: Path, tool: str, payload: dict[str, str], words: str
) -> None:
    before = {path: path.read_bytes() for path in [outside, traps / ".git" / "config"]}
    result = Tools(traps).execute(tool, payload)
    assert_refused(result, words)
    assert "root:" not in result.output  # nothing of /etc/passwd
    assert {path: path.read_bytes() for path in before} == before
    assert not (outside.parent / "escape.txt").exists()
    assert not (outside.parent / "planted.txt").exists()
    assert not (outside.parent / "not-yet-there.txt").exists()
    assert not Path("/tmp/escape.txt").exists()
    assert not (traps / ".git" / "hooks" / "pre-commit").exists()


def test_at_least_twenty_distinct_escapes_are_covered() -> None:
    assert len({(tool, payload["path"]) for tool, payload, _ in ESCAPES}) >= 20


# --- run ---------------------------------------------------------------------------------------


def test_run_reports_exit_codes_and_merges_stderr(tools: Tools, root: Path) -> None:
    result = tools.execute("run", {"command": "echo out; echo err >&2; exit 3"})
    assert result == ToolResult(ok=False, output="out\nerr\n", exit_code=3)
    assert tools.execute("run", {"command": "true"}) == ToolResult(ok=True, output="", exit_code=0)
    assert tools.execute("run", {"command": "pwd"}).output == f"{root.resolve()}\n"
    assert tools.execute("run", {"command": "cat"}) == ToolResult(ok=True, output="", exit_code=0)  # stdin is empty
    assert tools.execute("run", {"command": "kill -9 $$"}).exit_code == -signal.SIGKILL
    assert tools.execute("run", {"command": "exit 1"}).ok is False


def test_run_timeout_kills_the_whole_process_group(tools: Tools, root: Path) -> None:
    command = "echo $$ > shell.pid; sh -c 'sleep 1000' & echo $! > child.pid; echo started; sleep 1000"
    started = time.monotonic()
    result = tools.execute("run", {"command": command})
    assert time.monotonic() - started < 3
    assert result.timed_out and not result.ok and result.exit_code is None
    assert result.error == "timed out after 1 s"
    assert result.output == "started\n"
    group = int((root / "shell.pid").read_text())
    assert group_is_gone(group)
    assert not pid_running(int((root / "child.pid").read_text()))


def test_run_kills_what_ignores_sigterm(root: Path) -> None:
    tools = Tools(root, timeout=0.5)
    started = time.monotonic()
    result = tools.execute("run", {"command": "echo $$ > shell.pid; trap '' TERM; sleep 1000 & sleep 1000"})
    assert result.timed_out
    assert time.monotonic() - started < 0.5 + 2 + 1.5  # SIGKILL after the two-second grace
    assert group_is_gone(int((root / "shell.pid").read_text()))


def test_run_kills_background_children_after_a_normal_exit(tools: Tools, root: Path) -> None:
    started = time.monotonic()
    result = tools.execute("run", {"command": "sleep 1000 & echo $! > child.pid; echo $$ > shell.pid; echo done"})
    assert result == ToolResult(ok=True, output="done\n", exit_code=0)
    assert time.monotonic() - started < 1
    assert group_is_gone(int((root / "shell.pid").read_text()))
    assert not pid_running(int((root / "child.pid").read_text()))


def test_run_returns_even_if_a_detached_process_holds_the_output(tools: Tools, root: Path) -> None:
    command = "setsid sleep 30 & echo $! > detached.pid; echo bye"
    started = time.monotonic()
    result = tools.execute("run", {"command": command})
    try:
        assert result.ok and result.output == "bye\n"
        assert time.monotonic() - started < 3
    finally:
        pid = int((root / "detached.pid").read_text())
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_cancel_from_another_thread(root: Path) -> None:
    tools = Tools(root, timeout=30)
    tools.cancel()  # nothing running: nothing happens, and nothing is remembered for later
    timer = threading.Timer(0.3, tools.cancel)
    timer.start()
    started = time.monotonic()
    result = tools.execute("run", {"command": "echo $$ > shell.pid; sleep 1000 & echo waiting; sleep 1000"})
    timer.join()
    assert time.monotonic() - started < 3
    assert result.cancelled and not result.ok and not result.timed_out
    assert result.error == "cancelled" and result.output == "waiting\n"
    assert group_is_gone(int((root / "shell.pid").read_text()))
    assert tools.execute("run", {"command": "echo again"}).output == "again\n"


def test_one_command_at_a_time(root: Path) -> None:
    tools = Tools(root, timeout=30)
    results: list[ToolResult] = []
    worker = threading.Thread(target=lambda: results.append(tools.execute("run", {"command": "sleep 1000"})))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while tools._cancel is None:  # noqa: SLF001 - the first command has started (no fixed sleep)
            assert time.monotonic() < deadline, "the first command never started"
            time.sleep(0.005)
        assert_refused(tools.execute("run", {"command": "echo second"}), "already running")
    finally:
        tools.cancel()
        worker.join()
    assert results[0].cancelled


def test_run_output_is_capped_keeping_head_and_tail(root: Path) -> None:
    tools = Tools(root, timeout=10)
    result = tools.execute("run", {"command": "echo START; yes | head -c 10000000; echo END"})
    total = len("START\n") + 10_000_000 + len("END\n")
    assert result.ok and result.truncated and result.exit_code == 0
    assert result.output.startswith("START\ny\ny\n")
    assert result.output.endswith("y\ny\nEND\n")
    assert f"\n[… {total - 64 * 1024:,} bytes cut …]\n" in result.output
    assert len(result.output) < 64 * 1024 + 100


def test_run_small_cap_counts_the_cut_exactly(root: Path) -> None:
    result = Tools(root, output_cap=10).execute("run", {"command": "printf 'abcdefghijklmnopqrstuvwxyz'"})
    assert result.output == "abcde\n[… 16 bytes cut …]\nvwxyz"


def test_run_survives_binary_output(tools: Tools) -> None:
    result = tools.execute("run", {"command": "printf '\\377\\376\\000ok\\n'; head -c 4096 /dev/urandom"})
    assert result.ok and isinstance(result.output, str)
    assert result.output.startswith("\ufffd\ufffd\x00ok\n")


def test_run_scrubs_secrets_from_the_environment(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    planted = {
        "FAKE_API_KEY": "value-fake-api-key",
        "ANTHROPIC_API_KEY": "sk-ant-value-123",
        "ANTHROPIC_BASE_URL": "http://value-base-url",
        "MY_SECRET": "value-my-secret",
        "GITHUB_TOKEN": "value-gh",
        "AWS_REGION": "value-aws-region",
        "db_password": "value-db-password",
        "GIT_DIR": "/value/elsewhere/.git",
        "DATABASE_URL": "postgres://admin:value-hunter2@db/prod",
        "SSH_AUTH_SOCK": "/value/agent.sock",
    }
    for name, value in planted.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HARMLESS_SETTING", "kept")
    result = Tools(root).execute("run", {"command": "env"})
    assert result.ok
    names = {line.split("=", 1)[0] for line in result.output.splitlines() if "=" in line}
    assert not names & set(planted)
    assert "value-" not in result.output
    assert f"PATH={os.environ['PATH']}\n" in result.output
    # By allowlist: a harmless name passes only when the user adds it (`sandbox_env`); a secret never does.
    assert "HARMLESS_SETTING" not in result.output
    added = Tools(root, env_extra=["HARMLESS_SETTING", "MY_SECRET", "ANTHROPIC_*"]).execute("run", {"command": "env"})
    assert "HARMLESS_SETTING=kept" in added.output and "value-" not in added.output
    for line in ("TZ=UTC", "NO_COLOR=1", "TERM=dumb", "PAGER=cat", "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0",
                 "PYTHONDONTWRITEBYTECODE=1", "PYTHONHASHSEED=0"):
        assert line + "\n" in result.output


def test_safe_environment_rules() -> None:
    env = safe_environment({
        "PATH": "/bin", "HOME": "/home/me", "LANG": "en_GB.UTF-8", "LC_ALL": "fr_FR.UTF-8",
        "OPENAI_ORG": "x", "GH_TOKEN": "x", "XAuthority": "x", "my_cookie_jar": "x", "Private_Thing": "x",
        "npm_config_credentials": "x", "GIT_WORK_TREE": "x", "TZ": "Europe/Paris", "TERM": "xterm-256color",
    })
    assert env == {
        "PATH": "/bin", "HOME": "/home/me", "LANG": "en_GB.UTF-8", "LC_ALL": "fr_FR.UTF-8",
        "TZ": "UTC", "TERM": "dumb", "NO_COLOR": "1", "PAGER": "cat", "GIT_PAGER": "cat",
        "GIT_TERMINAL_PROMPT": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
    }
    assert safe_environment({})["LC_ALL"] == "C.UTF-8"
    assert safe_environment({})["PATH"] == os.defpath


def test_a_url_with_credentials_never_reaches_a_command_even_a_token_alone_as_the_user() -> None:
    """Found by attack: `sandbox_env = ["PIP_*"]` let `PIP_INDEX_URL=https://<token>@host/...` through."""
    env = safe_environment({
        "PIP_INDEX_URL": "https://abcdEFGH1234token@pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/",
        "UV_INDEX_URL": "https://user:pw@example.com/simple",
        "PIP_EXTRA_INDEX_URL": "https://pypi.org/simple",
        "PIP_FIND_LINKS": "https://example.com/wheels?a=b@c",
    })
    assert set(env) >= {"PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"}
    assert "PIP_INDEX_URL" not in env and "UV_INDEX_URL" not in env


def test_tools_env_is_the_base_environment(root: Path) -> None:
    tools = Tools(root, env={"PATH": os.environ["PATH"], "GREETING": "hello", "SESSION_ID": "x"})
    assert tools.execute("run", {"command": 'echo "$GREETING/${SESSION_ID:-none}/$HOME"'}).output == "hello/none/\n"


def test_redaction_applies_to_everything_returned(root: Path) -> None:
    tools = Tools(root, redact=lambda text: text.replace("hunter2", "[REDACTED]"))
    (root / ".env").write_text("PASSWORD=hunter2\n")
    assert tools.execute("run", {"command": "echo pw=hunter2"}).output == "pw=[REDACTED]\n"
    assert tools.execute("read_file", {"path": ".env"}).output == "PASSWORD=[REDACTED]\n"
    edited = tools.execute("edit_file", {"path": ".env", "old": "PASSWORD=hunter2", "new": "PASSWORD=hunter2!"})
    assert edited.ok and "hunter2" not in edited.output
    assert "hunter2" not in (tools.execute("read_file", {"path": "hunter2.txt"}).error or "")


def test_tools_need_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Tools(tmp_path / "missing")


# --- the scripted agent ------------------------------------------------------------------------


def test_scripted_agent_plays_its_script_in_order() -> None:
    first = AgentTurn("Let me look.", (ToolCall("c1", "list_files", {}), ToolCall("c2", "read_file", {"path": "a"})))
    second = AgentTurn("Done.")
    agent = ScriptedAgent([first, second])
    assert agent.remaining == 2
    assert agent.next_turn() is first
    assert agent.remaining == 1
    assert agent.next_turn() == AgentTurn(text="Done.", calls=())
    assert agent.remaining == 0
    assert agent.next_turn() is None and agent.next_turn() is None
    assert ScriptedAgent([]).next_turn() is None


def test_scripted_agent_rejects_duplicate_or_empty_call_ids() -> None:
    call = ToolCall("same", "run", {"command": "true"})
    with pytest.raises(ValueError, match="duplicate"):
        ScriptedAgent([AgentTurn("a", (call,)), AgentTurn("b", (call,))])
    with pytest.raises(ValueError, match="empty id"):
        ScriptedAgent([AgentTurn("a", (ToolCall("", "run", {}),))])


def test_scripted_calls_run_through_the_tools(tools: Tools, root: Path) -> None:
    agent = ScriptedAgent([AgentTurn("Writing.", (ToolCall("w", "write_file", {"path": "n.txt", "content": "1\n"}),))])
    turn = agent.next_turn()
    assert turn is not None
    results = [tools.execute(call.tool, call.input) for call in turn.calls]
    assert results[0].ok and (root / "n.txt").read_text() == "1\n"


def test_agent_package_loads_no_heavy_library() -> None:
    code = "import sys, tutor.agent, tutor.agent.tools, tutor.agent.scripted; print(sorted(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2]).stdout
    for heavy in ("'anthropic'", "'git'", "'textual'", "'tinydb'", "'tutor.vcs'"):
        assert heavy not in loaded
