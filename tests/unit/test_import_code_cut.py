"""A session cut at the step limit replays only the code its kept steps show: nothing after the cut is
committed (or redacted), and the start holds no file that only left-out steps touch."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CWD = "/home/alice/projects/shop"
CART = "def total(items):\n    return sum(items)\n"
LATE = "def later():\n    return 'only after the cut'\n"


def git(git_dir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_DIR": str(git_dir)})
    result = subprocess.run(["git", *args], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def long_session(tmp_path: Path) -> Path:
    from tests.helpers.claude_code_format import Session

    s = Session(cwd=CWD, version="2.1.39")
    s.user("Make the cart total start from zero, then keep tidying.")
    content = CART
    for n in range(6):  # each edit: the agent's words, the call, its result
        new = content.replace("sum(items", f"sum(items{n}" if n else "sum(items, 0")
        use = s.tool_use("Edit", file_path=f"{CWD}/shop/cart.py", old_string=content.splitlines()[1], new_string=new.splitlines()[1],
                         replace_all=False, text=f"Edit number {n}.")
        s.tool_result(use, f"The file {CWD}/shop/cart.py has been updated.", tool_use_result={
            "filePath": f"{CWD}/shop/cart.py", "oldString": content.splitlines()[1], "newString": new.splitlines()[1],
            "originalFile": content, "structuredPatch": [], "userModified": False, "replaceAll": False})
        content = new
    use = s.tool_use("Edit", file_path=f"{CWD}/shop/late.py", old_string="later", new_string="latest", replace_all=False, text="A file only the end touches.")
    s.tool_result(use, f"The file {CWD}/shop/late.py has been updated.", tool_use_result={
        "filePath": f"{CWD}/shop/late.py", "oldString": "later", "newString": "latest", "originalFile": LATE,
        "structuredPatch": [], "userModified": False, "replaceAll": False})
    s.say("Done.")
    return s.write(tmp_path / "session.jsonl")


@pytest.mark.parametrize("limit", [7, 1000])
def test_a_cut_session_replays_only_the_code_its_steps_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    import tutor.record.claude_code.lesson as lesson_module
    from tutor.record.claude_code import import_claude_code, write_imported_lesson

    monkeypatch.setattr(lesson_module, "MAX_STEPS", limit)
    result = import_claude_code(long_session(tmp_path))
    out = tmp_path / "lesson"
    lesson = write_imported_lesson(result, out)
    assert lesson.repo is not None
    kept = [s for s in lesson.steps if getattr(s, "commit", None)]
    scratch = tmp_path / "scratch.git"
    git(scratch, "init", "--quiet", "--bare")
    git(scratch, "fetch", "--quiet", str(out / "repo.bundle"), "refs/*:refs/*")
    base_files = git(scratch, "ls-tree", "-r", "--name-only", lesson.repo.base).split()
    objects = git(scratch, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)").split()
    if limit < 1000:
        assert any("kept the first 7 steps" in note for note in result.notes)
        assert base_files == ["shop/cart.py"]  # late.py is only in the steps left out
        assert objects.count("commit") == 1 + len(kept)  # the start and the kept edits: nothing replayed past the cut
    else:
        assert base_files == ["shop/cart.py", "shop/late.py"]
        assert objects.count("commit") == 1 + len(kept) == 8
