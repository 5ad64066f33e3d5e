"""Build, for tests, a small lesson with a real `repo.bundle`: three commits, refs per step."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tutor.lesson import save_lesson
from tutor.lesson.validate import check_lesson_data
from tutor.vcs.bundle import create_bundle

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Senior",
    "GIT_AUTHOR_EMAIL": "senior@example.com",
    "GIT_COMMITTER_NAME": "Senior",
    "GIT_COMMITTER_EMAIL": "senior@example.com",
    "GIT_AUTHOR_DATE": "2026-11-24T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-11-24T10:00:00Z",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def build_bundle_lesson(root: Path) -> Path:
    """A lesson folder under `root`; the hidden step s6's code contains the word HIDDENFIXQZ."""
    work = root / "work"
    work.mkdir(parents=True)
    _git(work, "init", "-q", "-b", "main")
    base = _commit(work, {"calc/core.py": "def add(a, b):\n    return a - b\n", "README.md": "calc\n"}, "seed")
    edit = _commit(work, {"calc/core.py": "def add(a, b):\n    return a + b\n"}, "fix add")
    hidden = _commit(work, {"calc/core.py": "def add(a, b):\n    return a + b  # HIDDENFIXQZ\n"}, "hidden change")
    _git(work, "update-ref", "refs/tutor/steps/s4", edit)
    _git(work, "update-ref", "refs/tutor/steps/s6", hidden)
    _git(work, "update-ref", "refs/tutor/base", base)
    folder = root / "calc-lesson"
    folder.mkdir()
    create_bundle(work, folder / "repo.bundle", ["refs/tutor/base", "refs/tutor/steps/s4", "refs/tutor/steps/s6"])
    data = {
        "format": "tutor.lesson/1",
        "id": "calc-lesson",
        "title": "Calc lesson",
        "origin": "scripted",
        "task": "`add` subtracts. Fix it.",
        "repo": {"bundle": "repo.bundle", "base": base},
        "steps": [
            {"id": "s1", "kind": "goal", "text": "Make add add."},
            {"id": "s2", "kind": "agent", "text": "Fixing.", "calls": [{"id": "c1", "tool": "edit_file", "input": {"path": "calc/core.py", "old": "a - b", "new": "a + b"}}]},
            {"id": "s3", "kind": "note", "text": "Watch the diff."},
            {"id": "s4", "kind": "result", "call": "c1", "ok": True, "exit_code": 0, "output": "edited calc/core.py", "commit": edit},
            {"id": "s5", "kind": "agent", "text": "One more change.", "calls": [{"id": "c2", "tool": "edit_file", "input": {"path": "calc/core.py", "old": "a + b", "new": "a + b  # HIDDENFIXQZ"}}]},
            {"id": "s6", "kind": "result", "call": "c2", "ok": True, "exit_code": 0, "output": "edited again", "commit": hidden,
             "ask": {"type": "outcome", "prompt": "Will the edit apply?"}},
        ],
    }
    lesson, problems = check_lesson_data(json.loads(json.dumps(data)), "calc", folder)
    assert lesson is not None and not problems, problems
    save_lesson(lesson, folder)
    return folder
