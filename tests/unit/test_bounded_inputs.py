"""Bounded inputs (issue 13): what Tutor reads from a lesson folder or a transcript is a regular file within a limit.

A symbolic link to /dev/zero, a FIFO, a folder, a link out of the folder or an enormous
file each give one problem line through the command line, never a hang, a traceback or
a memory blow-up. Commands run in subprocesses with timeouts, so a regression that
hangs on a FIFO fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers.bundle_lesson import build_bundle_lesson
from tutor.lesson.limits import (
    MAX_BUNDLE_BYTES,
    MAX_CURRICULUM_BYTES,
    MAX_LESSON_BYTES,
    Refused,
    check_regular,
    read_regular,
    size_text,
)

ROOT = Path(__file__).resolve().parents[2]
MINIMAL_LESSON = {
    "format": "tutor.lesson/1",
    "id": "tiny",
    "title": "Tiny",
    "origin": "scripted",
    "task": "Do the thing.",
    "steps": [{"id": "s1", "kind": "goal", "text": "Do it."}],
}


def _tutor(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TUTOR_HOME": str(home)}
    env.pop("TUTOR_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "tutor.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=home, stdin=subprocess.DEVNULL)


def _make_bad(path: Path, kind: str, outside: Path, big: int) -> None:
    """Turn `path` into a hostile non-file of `kind`."""
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "link-out":
        outside.write_text("secret\n")
        path.symlink_to(outside)
    elif kind == "oversized":
        with path.open("wb") as stream:  # sparse: costs no disk
            stream.truncate(big)
    else:
        raise AssertionError(kind)


EXPECTED = {
    "dev-zero": "symbolic link that leads outside",
    "fifo": "named pipe (FIFO)",
    "folder": "is a folder",
    "link-out": "symbolic link that leads outside",
    "oversized": "may be at most",
}
KINDS = list(EXPECTED)


def _one_problem(result: subprocess.CompletedProcess[str], needle: str, file_name: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and "unexpected error" not in output, output
    problem_lines = [line for line in output.splitlines() if file_name in line and needle in line]
    assert len(problem_lines) == 1, output


# ---------------------------------------------------------------- lesson.json


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_lesson_json_is_one_problem_line(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "lesson"
    folder.mkdir()
    _make_bad(folder / "lesson.json", kind, tmp_path / "outside.json", MAX_LESSON_BYTES + 1)
    for command in ("validate", "learn"):
        result = _tutor(command, str(folder), home=tmp_path, timeout=30)
        _one_problem(result, EXPECTED[kind], "lesson.json")


def test_a_link_to_dev_zero_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "lesson.json").symlink_to("/dev/zero")
    with pytest.raises(Refused, match="outside the lesson folder"):
        read_regular(folder / "lesson.json", limit=MAX_LESSON_BYTES, within=folder)
    # even when a device is allowed as far as the folder goes, it is not a regular file
    with pytest.raises(Refused, match="character device"):
        read_regular("/dev/zero", limit=MAX_LESSON_BYTES)


def test_a_link_inside_the_folder_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "lesson"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "real.json").write_text(json.dumps(MINIMAL_LESSON))
    (folder / "lesson.json").symlink_to("data/real.json")
    assert json.loads(read_regular(folder / "lesson.json", limit=MAX_LESSON_BYTES, within=folder))["id"] == "tiny"
    result = _tutor("validate", str(folder), home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_file_growing_past_its_limit_while_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lesson.json"
    path.write_bytes(b"x" * 100)
    with pytest.raises(Refused, match="may be at most"):
        read_regular(path, limit=99)
    assert read_regular(path, limit=100) == b"x" * 100


def test_size_text() -> None:
    assert size_text(MAX_LESSON_BYTES) == "16 MiB"
    assert size_text(MAX_CURRICULUM_BYTES) == "256 KiB"
    assert size_text(MAX_BUNDLE_BYTES) == "1 GiB"
    assert size_text(1) == "1 byte" and size_text(512) == "512 bytes"


# ---------------------------------------------------------------- curriculum.toml


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_curriculum_toml_is_one_problem_line(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "course"
    (folder / "tiny").mkdir(parents=True)
    (folder / "tiny" / "lesson.json").write_text(json.dumps(MINIMAL_LESSON))
    _make_bad(folder / "curriculum.toml", kind, tmp_path / "outside.toml", MAX_CURRICULUM_BYTES + 1)
    for command in ("validate", "learn"):
        result = _tutor(command, str(folder), home=tmp_path, timeout=30)
        needle = "symbolic link that leads outside" if kind in ("dev-zero", "link-out") else EXPECTED[kind]
        _one_problem(result, needle, "curriculum.toml")


# ---------------------------------------------------------------- repo.bundle


@pytest.fixture(scope="module")
def bundle_lesson(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_bundle_lesson(tmp_path_factory.mktemp("bundle-lesson"))


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "oversized", "folder"])
def test_a_hostile_repo_bundle_is_one_problem_line(tmp_path: Path, bundle_lesson: Path, kind: str) -> None:
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "lesson.json").write_bytes((bundle_lesson / "lesson.json").read_bytes())
    _make_bad(folder / "repo.bundle", kind, tmp_path / "outside.bundle", MAX_BUNDLE_BYTES + 1)
    result = _tutor("validate", str(folder), home=tmp_path, timeout=60)
    _one_problem(result, EXPECTED[kind], "repo.bundle")


_MEASURE = textwrap.dedent(
    """
    import resource, sys
    from tutor.vcs.lesson_repo import LessonRepo, VcsError
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        LessonRepo(sys.argv[1], cache_dir=sys.argv[2])
        print("OPENED")
    except VcsError as error:
        print("REFUSED", str(error))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("GROWTH_KIB", after - before)
    """
)


@pytest.mark.parametrize("size, needle", [(6 * 1024**3, "may be at most 1 GiB"), (300 * 1024**2, "not a git bundle"),
                                          (160 * 1024**2, "corrupt or unusable git bundle")])
def test_a_huge_sparse_bundle_costs_no_memory(tmp_path: Path, size: int, needle: str) -> None:
    bundle = tmp_path / "repo.bundle"
    with bundle.open("wb") as stream:
        if "corrupt" in needle:  # a bundle header that git accepts, then nothing but zeros
            stream.write(b"# v2 git bundle\n" + b"1" * 40 + b" refs/heads/main\n\n")
        stream.truncate(size)
    result = subprocess.run([sys.executable, "-c", _MEASURE, str(bundle), str(tmp_path / "cache")], capture_output=True,
                            text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("REFUSED") and needle in lines[0], result.stdout
    assert "\n" not in lines[0]
    growth_kib = int(lines[-1].split()[1])
    assert growth_kib < 48 * 1024, f"memory grew by {growth_kib} KiB reading a {size_text(size)} bundle"


def test_a_bundle_that_is_a_fifo_does_not_hang_lesson_repo(tmp_path: Path) -> None:
    bundle = tmp_path / "repo.bundle"
    os.mkfifo(bundle)
    code = "import sys\nfrom tutor.vcs.lesson_repo import LessonRepo, VcsError\ntry:\n    LessonRepo(sys.argv[1], cache_dir=sys.argv[2])\nexcept VcsError as e:\n    print(e)\n"
    result = subprocess.run([sys.executable, "-c", code, str(bundle), str(tmp_path / "cache")], capture_output=True, text=True,
                            timeout=30, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "named pipe (FIFO)" in result.stdout, result.stdout + result.stderr


def test_check_regular_on_the_bundle(bundle_lesson: Path) -> None:
    info = check_regular(bundle_lesson / "repo.bundle", limit=MAX_BUNDLE_BYTES, within=bundle_lesson)
    assert info.st_size > 0


# ---------------------------------------------------------------- transcripts


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "folder", "oversized"])
def test_a_hostile_transcript_is_one_error_line(tmp_path: Path, kind: str) -> None:
    from tutor.lesson.limits import MAX_TRANSCRIPT_BYTES

    path = tmp_path / "session.jsonl"
    _make_bad(path, kind, tmp_path / "outside.jsonl", MAX_TRANSCRIPT_BYTES + 1)
    result = _tutor("import", "claude-code", str(path), "--out", str(tmp_path / "out"), home=tmp_path, timeout=30)
    needle = {"dev-zero": "character device", "fifo": "named pipe (FIFO)", "folder": "is a folder", "oversized": "may be at most 256 MiB"}[kind]
    _one_problem(result, needle, "session.jsonl")
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
    assert not (tmp_path / "out").exists()
