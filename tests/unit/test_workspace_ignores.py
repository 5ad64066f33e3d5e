"""The kept `git check-ignore` answers as `git ls-files --others --exclude-standard` does, and never answers from stale rules.

`tutor.vcs.workspace.ignores.IgnoreChecker` decides which new files a snapshot by paths
adds. Its answers are compared with the `ls-files` it replaces over the workspace's
real rule sources (a `.gitignore` at the top and in a folder, negations, a folder
ignored whole, the workspace's default excludes in `info/exclude`); a snapshot after a
command that changes the rules uses the new ones; and the process stops with the
workspace.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tutor.agent.tools import Tools
from tutor.vcs._git import run_direct
from tutor.vcs.workspace import Workspace
from tutor.vcs.workspace.common import INDEX_FILE
from tutor.vcs.workspace.ignores import IgnoreChecker

CANDIDATES = (
    "new.txt", "debug.log", "keep.log", "build/out.txt", "build/deep/x.py", "src/new.py", "src/gen/out.c", "src/gen/keep.c",
    "src/x.tmp", "__pycache__/m.pyc", "pkg/m.pyc", "a b/c d.txt", "naïve/é.md", "star*name.txt", "q?mark.txt", "[br].txt",
    "#hash.txt", "!bang.txt", "trailing space .txt", "deep/er/still/new.md",
)


def make(tmp_path: Path) -> Workspace:
    seed = tmp_path / "seed"
    for name, text in {
        "README.md": "# seed\n",
        ".gitignore": "build/\n*.log\n!keep.log\n*.tmp\n",
        "src/app.py": "print(1)\n",
        "src/.gitignore": "gen/*\n!gen/keep.c\n",
    }.items():
        target = seed / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return Workspace.from_folder(seed, tmp_path / "ws")


def listed_by_git(workspace: Workspace, paths: list[str]) -> set[str]:
    with workspace._git(index_file=workspace.git_dir / INDEX_FILE) as git:
        output = run_direct(git, "ls-files", "-z", "--others", "--exclude-standard", "--", *paths)
    return {name for name in output.decode("utf-8", "surrogateescape").split("\0") if name}


def test_the_kept_git_answers_as_ls_files_for_every_kind_of_rule(tmp_path: Path) -> None:
    workspace = make(tmp_path)
    for path in CANDIDATES:  # ls-files lists only files that exist; the checker is asked about files a tool just wrote
        target = workspace.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x\n")
    checker = IgnoreChecker(workspace.root, workspace.git_dir)
    try:
        with workspace._git(index_file=workspace.git_dir / INDEX_FILE) as git:
            together = checker.addable(git, list(CANDIDATES))
            answers = [checker.addable(git, [path]) for path in CANDIDATES]
        assert None not in answers
        one_by_one = set().union(*(answer for answer in answers if answer is not None))
        expected = listed_by_git(workspace, list(CANDIDATES))
        assert together == expected
        assert one_by_one == expected
        assert {"build/out.txt", "debug.log", "src/gen/out.c", "__pycache__/m.pyc", "pkg/m.pyc", "src/x.tmp"}.isdisjoint(expected)
        assert {"keep.log", "src/gen/keep.c", "new.txt", "naïve/é.md", "star*name.txt"} <= expected
    finally:
        checker.close()


def test_a_path_git_would_read_as_magic_is_left_to_ls_files(tmp_path: Path) -> None:
    workspace = make(tmp_path)
    checker = IgnoreChecker(workspace.root, workspace.git_dir)
    try:
        with workspace._git(index_file=workspace.git_dir / INDEX_FILE) as git:
            assert checker.addable(git, [":(glob)x.txt"]) is None
            assert checker.addable(git, []) == set()
    finally:
        checker.close()


def test_a_rule_a_command_adds_holds_for_the_next_new_file(tmp_path: Path) -> None:
    workspace = make(tmp_path)
    tools = Tools(workspace.root, timeout=30)

    def call(number: int, tool: str, **arguments: str) -> str:
        result = tools.execute(tool, arguments)
        assert result.ok, result
        return workspace.snapshot(f"calls/{number}", paths=result.touched)

    call(1, "write_file", path="notes/first.md", content="kept\n")  # starts the kept git, its rules read
    call(2, "run", command="echo 'notes/' >> .gitignore")
    commit = call(3, "write_file", path="notes/second.md", content="now ignored\n")
    with workspace._git() as git:
        names = run_direct(git, "ls-tree", "-r", "-z", "--name-only", commit).decode().split("\0")
    assert "notes/first.md" in names and "notes/second.md" not in names


def test_a_rule_file_changed_under_a_folder_already_asked_about_is_read_afresh(tmp_path: Path) -> None:
    workspace = make(tmp_path)
    tools = Tools(workspace.root, timeout=30)
    first = tools.execute("write_file", {"path": "src/one.txt", "content": "1\n"})
    workspace.snapshot("calls/1", paths=first.touched)  # the kept git has read src/.gitignore
    (workspace.root / "src" / ".gitignore").write_text("gen/*\n!gen/keep.c\n*.txt\n")  # same folder, new rule
    second = tools.execute("write_file", {"path": "src/two.txt", "content": "2\n"})
    commit = workspace.snapshot("calls/2", paths=second.touched)
    assert tree_names(workspace, commit) >= {"src/one.txt"} and "src/two.txt" not in tree_names(workspace, commit)
    workspace.close()


def tree_names(workspace: Workspace, commit: str) -> set[str]:
    with workspace._git() as git:
        return set(run_direct(git, "ls-tree", "-r", "-z", "--name-only", commit).decode().split("\0")) - {""}


def test_new_files_are_asked_of_one_kept_git_across_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = make(tmp_path)
    tools = Tools(workspace.root, timeout=30)
    tools.execute("run", {"command": "true"})
    workspace.snapshot("calls/0")
    started: list[list[str]] = []
    original = subprocess.Popen.__init__

    def counted(self: subprocess.Popen[bytes], args: object, *rest: object, **options: object) -> None:
        started.append(list(args))  # type: ignore[call-overload]
        original(self, args, *rest, **options)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess.Popen, "__init__", counted)
    for number in range(1, 6):
        result = tools.execute("write_file", {"path": f"notes/n{number}.md", "content": f"{number}\n"})
        workspace.snapshot(f"calls/{number}", paths=result.touched)
        workspace.snapshot(f"calls/{number}.run")  # a command's rescan that changes no rule: the kept git stays
    assert [args[1] for args in started if "check-ignore" in args] == ["check-ignore"]
    process = workspace._ignores._process
    assert process is not None and process.poll() is None
    workspace.close()
    assert process.poll() is not None  # stopped with the workspace
    monkeypatch.undo()
    with workspace._git() as git:
        names = run_direct(git, "ls-tree", "-r", "-z", "--name-only", workspace.last).decode().split("\0")
    assert {f"notes/n{number}.md" for number in range(1, 6)} <= set(names)


def test_a_kept_git_that_died_is_replaced_and_the_answer_still_right(tmp_path: Path) -> None:
    workspace = make(tmp_path)
    tools = Tools(workspace.root, timeout=30)
    first = tools.execute("write_file", {"path": "one.txt", "content": "1\n"})
    workspace.snapshot("calls/1", paths=first.touched)
    process = workspace._ignores._process
    assert process is not None
    process.kill()
    process.wait()
    second = tools.execute("write_file", {"path": "two.log", "content": "ignored\n"})
    third = tools.execute("write_file", {"path": "three.txt", "content": "3\n"})
    workspace.snapshot("calls/2", paths=second.touched)
    commit = workspace.snapshot("calls/3", paths=third.touched)
    with workspace._git() as git:
        names = set(run_direct(git, "ls-tree", "-r", "-z", "--name-only", commit).decode().split("\0"))
    assert {"one.txt", "three.txt"} <= names and "two.log" not in names
    workspace.close()


def test_the_kept_git_answers_when_the_process_already_holds_a_thousand_descriptors(tmp_path: Path) -> None:
    """A long session (or a test worker) can hold more than 1,023 descriptors: select() refuses those, so every answer was None."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"this machine allows {hard} open files; the test needs {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    held: list[int] = []
    try:
        while not held or held[-1] < 1100:  # the kept git's pipes are numbered past 1023
            held.extend(os.pipe())
        workspace = make(tmp_path)
        (workspace.root / "new.txt").write_text("x\n")
        (workspace.root / "debug.log").write_text("x\n")
        checker = IgnoreChecker(workspace.root, workspace.git_dir)
        try:
            with workspace._git(index_file=workspace.git_dir / INDEX_FILE) as git:
                assert checker.addable(git, ["new.txt", "debug.log"]) == {"new.txt"}
                process = checker._process
                assert process is not None and process.stdout is not None and process.stdout.fileno() > 1023
        finally:
            checker.close()
            workspace.close()
    finally:
        for descriptor in held:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
