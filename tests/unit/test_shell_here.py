""""Shell here" (issue 13): the throwaway copy cannot reach outside itself, cannot fill the disk, and does not outlive Tutor."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.helpers.bundle_lesson import _git
from tutor.lesson.limits import MAX_SHELL_COPY_BYTES
from tutor.services.shell_copy import ShellCopyError, banner, make_copy, remove_copy, sweep_stale_copies
from tutor.vcs.bundle import create_bundle
from tutor.vcs.lesson_repo import LessonRepo
from tutor.vcs.shell_copy import SHELL_PREFIX, sweep_stale_shell_copies

ROOT = Path(__file__).resolve().parents[2]


def _repo_with(tmp_path: Path, build) -> tuple[LessonRepo, str]:  # type: ignore[no-untyped-def]
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    build(work)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "state")
    sha = _git(work, "rev-parse", "HEAD")
    _git(work, "update-ref", "refs/tutor/steps/s1", sha)
    create_bundle(work, tmp_path / "repo.bundle", ["refs/tutor/steps/s1"])
    return LessonRepo(tmp_path / "repo.bundle", cache_dir=tmp_path / "cache"), sha


def _hostile(work: Path) -> None:
    (work / "src").mkdir()
    (work / "src" / "app.py").write_text("print('hi')\n")
    (work / "run.sh").write_text("#!/bin/sh\necho run\n")
    (work / "run.sh").chmod(0o755)
    (work / "passwd").symlink_to("/etc/passwd")  # absolute: out
    (work / "src" / "keys").symlink_to("../../../.ssh")  # climbs out
    (work / "src" / "here").symlink_to("app.py")  # stays inside: kept
    (work / "code").symlink_to("src")  # a folder inside: kept
    (work / "d").symlink_to(".")  # the copy itself: kept
    (work / "sneaky").symlink_to("d/../escaped")  # looks inside, but d is the copy: its .. is outside


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    folder = tmp_path / "shells"
    folder.mkdir()
    return folder


def test_links_that_leave_the_copy_become_notes_and_are_reported(tmp_path: Path, parent: Path) -> None:
    repo, sha = _repo_with(tmp_path, _hostile)
    copy = make_copy(repo, sha, parent=parent)
    try:
        root = copy.path
        assert root.parent == parent.resolve() and root.name.startswith(f"{SHELL_PREFIX}{os.getpid()}-")
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        assert (root / "src" / "app.py").read_text() == "print('hi')\n"
        assert os.access(root / "run.sh", os.X_OK)
        for name in ("passwd", "src/keys", "sneaky"):
            path = root / name
            assert not path.is_symlink() and path.is_file(), name
            assert "leads outside this throwaway copy" in path.read_text()
        assert "/etc/passwd" in (root / "passwd").read_text()
        assert (root / "src" / "here").is_symlink() and (root / "src" / "here").read_text() == "print('hi')\n"
        assert (root / "code").is_symlink() and (root / "code" / "app.py").is_file()
        assert (root / "d").is_symlink()
        for path in root.rglob("*"):
            assert os.path.commonpath([os.path.realpath(path), str(root)]) == str(root), path
        assert sorted(p for p, _ in copy.report.replaced) == ["passwd", "sneaky", "src/keys"]
        text = banner(copy, "after step 3")
        assert "3 links that led outside the copy were replaced by notes" in text
        assert str(root) in text and "after step 3" in text
    finally:
        remove_copy(copy)
    assert not copy.path.exists()


def test_a_plain_lesson_says_nothing_about_links(tmp_path: Path, parent: Path) -> None:
    repo, sha = _repo_with(tmp_path, lambda work: (work / "a.txt").write_text("a\n"))
    copy = make_copy(repo, sha, parent=parent)
    try:
        assert "link" not in banner(copy, "at the start")
        assert copy.report.files == 1 and copy.report.bytes == 2
    finally:
        remove_copy(copy)


def test_the_copy_size_is_capped_before_anything_is_written(tmp_path: Path, parent: Path) -> None:
    def big(work: Path) -> None:
        with (work / "zeros.bin").open("wb") as stream:  # compresses to almost nothing in the bundle
            stream.truncate(3 * 1024 * 1024)
        (work / "small.txt").write_text("ok\n")

    repo, sha = _repo_with(tmp_path, big)
    assert repo.bundle.stat().st_size < 64 * 1024
    from tutor.vcs.shell_copy import make_shell_copy

    with pytest.raises(Exception, match="a shell copy may be at most 1 MiB"):
        make_shell_copy(repo.path, sha, parent=parent, limit=1024 * 1024)
    assert list(parent.iterdir()) == []  # nothing left behind
    with pytest.raises(Exception, match="may hold at most 1"):
        make_shell_copy(repo.path, sha, parent=parent, max_files=1)
    assert MAX_SHELL_COPY_BYTES == 256 * 1024 * 1024
    copy = make_copy(repo, sha, parent=parent)  # within the default limit it is fine
    assert (copy.path / "zeros.bin").stat().st_size == 3 * 1024 * 1024
    remove_copy(copy)


def test_too_large_is_one_line_for_a_notification(tmp_path: Path, parent: Path) -> None:
    repo, sha = _repo_with(tmp_path, lambda work: (work / "a.txt").write_text("a" * 5000))
    with pytest.raises(ShellCopyError) as caught:
        make_copy(repo, sha, parent=parent, limit=1000)
    assert "\n" not in str(caught.value) and "may be at most 1000 bytes" in str(caught.value)


def test_remove_refuses_what_is_not_a_shell_copy(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    with pytest.raises(Exception, match="not a shell copy"):
        remove_copy(precious)  # type: ignore[arg-type]
    assert precious.exists()


_HOLDER = textwrap.dedent(
    """
    import os, signal, sys, time
    # A Tutor on a terminal: hang-ups not ignored, even when these tests run under nohup (whose ignoring is inherited,
    # and then rightly leaves Tutor and its copy running).
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    from tutor.vcs.lesson_repo import LessonRepo
    from tutor.vcs.shell_copy import make_shell_copy, removed_on_hangup
    repo = LessonRepo(sys.argv[1], cache_dir=sys.argv[2])
    copy = make_shell_copy(repo.path, sys.argv[3], parent=sys.argv[4])
    with removed_on_hangup(copy):
        print(copy.path, flush=True)
        time.sleep(60)
    """
)


def _hold_a_copy(tmp_path: Path, parent: Path) -> tuple[subprocess.Popen[str], Path]:
    repo, sha = _repo_with(tmp_path, _hostile)
    process = subprocess.Popen([sys.executable, "-c", _HOLDER, str(repo.bundle), str(tmp_path / "cache"), sha, str(parent)],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.stdout is not None
    path = Path(process.stdout.readline().strip())
    assert path.is_dir() and path.name.startswith(f"{SHELL_PREFIX}{process.pid}-")
    return process, path


def test_a_killed_tutor_leaves_a_copy_that_the_next_run_sweeps(tmp_path: Path, parent: Path) -> None:
    process, path = _hold_a_copy(tmp_path, parent)
    try:
        assert sweep_stale_shell_copies(parent) == 0  # its Tutor is alive: left alone
        assert path.is_dir()
    finally:
        process.kill()
        process.wait(timeout=10)
    assert path.is_dir()  # SIGKILL: nothing could clean up
    unrelated = parent / "tutor-shell-notes"  # not a shell copy's name
    unrelated.mkdir()
    assert sweep_stale_copies(parent) == 1
    assert not path.exists() and unrelated.exists()


def test_a_terminal_hang_up_removes_the_copy(tmp_path: Path, parent: Path) -> None:
    process, path = _hold_a_copy(tmp_path, parent)
    process.send_signal(signal.SIGHUP)
    assert process.wait(timeout=10) == -signal.SIGHUP  # it still dies of the hang-up
    assert not path.exists()


def test_sweeping_is_cheap_and_leaves_links_alone(tmp_path: Path, parent: Path) -> None:
    target = tmp_path / "keep"
    target.mkdir()
    (parent / "tutor-shell-999999999-abc").symlink_to(target)  # named like a copy, but a link: never followed
    start = time.perf_counter()
    assert sweep_stale_shell_copies(parent) == 0
    assert time.perf_counter() - start < 0.5
    assert target.is_dir()


# ---------------------------------------------------------------- through the investigate screen


def _hostile_lesson(tmp_path: Path) -> Path:
    import json

    from tutor.lesson import save_lesson
    from tutor.lesson.validate import check_lesson_data

    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    _hostile(work)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "state")
    base = _git(work, "rev-parse", "HEAD")
    _git(work, "update-ref", "refs/tutor/base", base)
    folder = tmp_path / "links-lesson"
    folder.mkdir()
    create_bundle(work, folder / "repo.bundle", ["refs/tutor/base"])
    data = {
        "format": "tutor.lesson/1", "id": "links-lesson", "title": "Links", "origin": "scripted",
        "task": "Look around.", "repo": {"bundle": "repo.bundle", "base": base},
        "steps": [{"id": "s1", "kind": "goal", "text": "Look."}, {"id": "s2", "kind": "note", "text": "Done."}],
    }
    lesson, problems = check_lesson_data(json.loads(json.dumps(data)), "links", folder)
    assert lesson is not None and not problems, problems
    save_lesson(lesson, folder)
    return folder


async def test_the_screen_says_what_was_replaced_and_removes_the_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       capfd: pytest.CaptureFixture[str]) -> None:
    import contextlib

    from textual.widgets import Select

    from tutor.cli import make_app
    from tutor.ui.screens.investigate import InvestigateScreen
    from tests.helpers.ui_support import wait_for_view, wait_until

    folder = _hostile_lesson(tmp_path)
    record = tmp_path / "shell-saw.txt"
    shell = tmp_path / "fake-shell.sh"
    shell.write_text(f'#!/bin/sh\npwd > "{record}"\ncat passwd >> "{record}"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    app = make_app(lesson=folder)
    monkeypatch.setattr(type(app), "suspend", lambda self: contextlib.nullcontext())
    async with app.run_test(size=(140, 50)) as pilot:
        await wait_for_view(pilot, "the lesson's frame")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InvestigateScreen), "the investigate screen")
        screen = app.screen
        await wait_until(pilot, lambda: screen.repo is not None and isinstance(screen.query_one("#at", Select).value, str), "the repository")
        await pilot.press("s")
        notes = lambda: [str(note.message) for note in app._notifications]  # noqa: E731, SLF001
        await wait_until(pilot, lambda: "The throwaway copy was removed." in notes(), "the shell to end")
    seen = record.read_text()
    copy = Path(seen.splitlines()[0])
    assert copy.name.startswith(SHELL_PREFIX) and not copy.exists()
    assert "leads outside this throwaway copy" in seen and "root:" not in seen
    printed = capfd.readouterr().out
    assert "3 links that led outside the copy were replaced by notes" in printed
