"""tutor.vcs: a lesson's repo.bundle read through a cache repository, and the bundle helpers.

Every test builds real repositories with the git command line (fixed names and dates,
no user config) and checks behaviour through the public API.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tutor.vcs.bundle import create_bundle, read_bundle_header, verify_bundle
from tutor.vcs.lesson_repo import MARKER, LessonRepo, NotFoundError, UnsafePathError, VcsError

ROOT = Path(__file__).resolve().parents[2]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Senior",
    "GIT_AUTHOR_EMAIL": "senior@example.com",
    "GIT_COMMITTER_NAME": "Senior",
    "GIT_COMMITTER_EMAIL": "senior@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}


def git(cwd: Path, *args: str, date: str = "2026-01-01T10:00:00Z") -> str:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, **GIT_ENV}
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


APP_V1 = "def add(a, b):\n    return a - b\n"
APP_V2 = "def add(a, b):\n    return a + b\n"
TEST_V3 = "from src.app import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n"


@dataclass(frozen=True)
class Source:
    path: Path
    bundle: Path
    base: str  # c1: README.md, src/app.py (buggy)
    s3: str  # c2: src/app.py fixed
    s5: str  # c3: tests/test_app.py added


def make_source(folder: Path, *, object_format: str = "sha1") -> Source:
    repo = folder / "src-repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", f"--object-format={object_format}", "--initial-branch=main")
    (repo / "src").mkdir()
    (repo / "README.md").write_text("# Calc\n")
    (repo / "src" / "app.py").write_text(APP_V1)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start", date="2026-01-01T10:00:00Z")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "src" / "app.py").write_text(APP_V2)
    git(repo, "commit", "-q", "-am", "fix add", date="2026-01-01T10:05:00Z")
    s3 = git(repo, "rev-parse", "HEAD").strip()
    (repo / "tests").mkdir()
    (repo / "tests" / "test_app.py").write_text(TEST_V3)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add test", date="2026-01-01T10:10:00Z")
    s5 = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-ref", "refs/tutor/steps/s3", s3)
    git(repo, "update-ref", "refs/tutor/steps/s5", s5)
    lesson = folder / "lesson"
    lesson.mkdir()
    bundle = create_bundle(repo, lesson / "repo.bundle", ["refs/tutor/steps/s3", "refs/tutor/steps/s5"])
    return Source(repo, bundle, base, s3, s5)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    return make_source(tmp_path_factory.mktemp("vcs-source"))


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def lesson_repo(source: Source, cache: Path) -> LessonRepo:
    return LessonRepo(source.bundle, base=source.base, cache_dir=cache)


def git_children() -> set[int]:
    """Pids of `git` processes (running or zombie) whose parent is this test process."""
    found: set[int] = set()
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == me and comm.startswith("git"):
            found.add(int(entry))
    return found


# ---------------------------------------------------------------- the cache repository


def test_open_builds_a_bare_cache_under_the_given_dir(source: Source, cache: Path) -> None:
    repo = LessonRepo(source.bundle, base=source.base, cache_dir=cache)
    digest = hashlib.sha256(source.bundle.read_bytes()).hexdigest()
    assert repo.path == (cache / f"{digest[:16]}.git").resolve()
    assert repo.built is True
    assert (repo.path / "HEAD").is_file() and not (repo.path / ".git").exists()
    assert [p.name for p in cache.iterdir()] == [repo.path.name]  # nothing half-built left over


def test_default_cache_is_under_tutor_home(source: Source, tutor_home: Path) -> None:
    repo = LessonRepo(source.bundle)
    assert repo.path.parent == (tutor_home / "cache" / "lessons").resolve()


def test_commit_for_step_and_base(lesson_repo: LessonRepo, source: Source) -> None:
    assert lesson_repo.commit_for_step("s3") == source.s3
    assert lesson_repo.commit_for_step("s5") == source.s5
    assert lesson_repo.commit_for_step("s4") is None
    assert lesson_repo.commit_for_step("../s3") is None
    assert lesson_repo.commit_for_step("--all") is None
    assert lesson_repo.steps == {"s3": source.s3, "s5": source.s5}
    assert lesson_repo.base == source.base
    assert lesson_repo.has_commit(source.base)
    assert not lesson_repo.has_commit("0" * 40)


def test_base_missing_from_bundle_is_an_error(source: Source, cache: Path) -> None:
    with pytest.raises(VcsError, match="base commit 123412341234 is not in the bundle"):
        LessonRepo(source.bundle, base="1234" * 10, cache_dir=cache)
    with pytest.raises(VcsError, match="not a full base commit id"):
        LessonRepo(source.bundle, base="HEAD", cache_dir=cache)


def test_for_lesson_takes_a_repo_ref(source: Source, cache: Path) -> None:
    from tutor.lesson.models import RepoRef

    repo = LessonRepo.for_lesson(source.bundle.parent, RepoRef(bundle="repo.bundle", base=source.base), cache_dir=cache)
    assert repo.commit_for_step("s5") == source.s5
    with pytest.raises(UnsafePathError, match="leaves the lesson folder"):
        LessonRepo.for_lesson(source.bundle.parent, RepoRef(bundle="../../etc/passwd", base=source.base), cache_dir=cache)


def test_list_files_at_each_step(lesson_repo: LessonRepo, source: Source) -> None:
    assert lesson_repo.list_files(source.base) == ["README.md", "src/app.py"]
    assert lesson_repo.list_files(source.s3) == ["README.md", "src/app.py"]
    assert lesson_repo.list_files(source.s5) == ["README.md", "src/app.py", "tests/test_app.py"]


def test_read_file(lesson_repo: LessonRepo, source: Source) -> None:
    assert lesson_repo.read_file(source.base, "src/app.py") == APP_V1.encode()
    assert lesson_repo.read_file(source.s3, "src/app.py") == APP_V2.encode()
    assert lesson_repo.read_file(source.s5, "tests/test_app.py") == TEST_V3.encode()
    with pytest.raises(NotFoundError, match="no such file"):
        lesson_repo.read_file(source.s3, "tests/test_app.py")
    with pytest.raises(VcsError, match="is a directory"):
        lesson_repo.read_file(source.s5, "src")


def test_read_file_caps_size_with_a_note(lesson_repo: LessonRepo, source: Source) -> None:
    data = lesson_repo.read_file(source.s3, "src/app.py", limit=10)
    assert data.startswith(APP_V2.encode()[:10])
    assert f"is {len(APP_V2)} bytes; showing the first 10".encode() in data
    assert lesson_repo.read_file(source.s3, "src/app.py", limit=len(APP_V2)) == APP_V2.encode()


@pytest.mark.parametrize(
    "path", ["../outside", "src/../../outside", "/etc/passwd", "", "src/./app.py", "a\0b", "..", "src//app.py", "src/"]
)
def test_read_file_refuses_unsafe_paths(lesson_repo: LessonRepo, source: Source, path: str) -> None:
    with pytest.raises(UnsafePathError, match="unsafe path"):
        lesson_repo.read_file(source.s5, path)


@pytest.mark.parametrize("commit", ["HEAD", "--output=/tmp/x", "refs/tutor/steps/s3", "abc123", "G" * 40])
def test_commit_ids_must_be_full_hex(lesson_repo: LessonRepo, source: Source, commit: str) -> None:
    with pytest.raises(VcsError, match="not a full commit id"):
        lesson_repo.list_files(commit)
    with pytest.raises(VcsError, match="not a full commit id"):
        lesson_repo.diff(commit, source.s5)
    with pytest.raises(VcsError, match="not a full commit id"):
        lesson_repo.checkout(commit)


def test_unknown_commit_is_a_one_line_error(lesson_repo: LessonRepo) -> None:
    with pytest.raises(VcsError) as caught:
        lesson_repo.list_files("0" * 40)
    assert "\n" not in str(caught.value)


def test_diff_between_steps(lesson_repo: LessonRepo, source: Source) -> None:
    text = lesson_repo.diff(source.base, source.s3)
    assert text.startswith("diff --git a/src/app.py b/src/app.py\n")
    assert "-    return a - b\n+    return a + b\n" in text
    assert "\x1b[" not in text
    later = lesson_repo.diff(source.s3, source.s5)
    assert "+++ b/tests/test_app.py" in later and "src/app.py" not in later
    assert lesson_repo.diff(source.s3, source.s5) == later  # stable
    assert lesson_repo.diff(source.s5, source.s5) == ""
    assert lesson_repo.diff(source.base, source.s5, paths=["tests"]).count("diff --git") == 1
    with pytest.raises(UnsafePathError):
        lesson_repo.diff(source.base, source.s5, paths=["../x"])


def test_checkout_and_remove(lesson_repo: LessonRepo, source: Source, tmp_path: Path) -> None:
    work = lesson_repo.checkout(source.s5, parent=tmp_path)
    assert work.is_dir() and work.parent == tmp_path.resolve()
    files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    assert files == ["README.md", "src/app.py", "tests/test_app.py"]
    assert (work / "src" / "app.py").read_text() == APP_V2
    assert not (work / ".git").exists()
    other = lesson_repo.checkout(source.base)  # default parent: the system temp dir
    assert other != work and (other / "src" / "app.py").read_text() == APP_V1
    (work / "src" / "app.py").chmod(0o444)  # a learner's read-only file does not stop removal
    (work / "src").chmod(0o555)
    lesson_repo.remove_checkout(work)
    lesson_repo.remove_checkout(other)
    assert not work.exists() and not other.exists()
    assert not (lesson_repo.path / "index").exists()  # the cache's own index was never used


def test_remove_checkout_refuses_other_directories(lesson_repo: LessonRepo, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    with pytest.raises(VcsError, match="not a checkout made by Tutor"):
        lesson_repo.remove_checkout(precious)
    assert precious.is_dir()


def test_the_source_repository_is_untouched(tmp_path: Path, cache: Path) -> None:
    def snapshot(repo: Path) -> tuple[object, ...]:
        git_dir = repo / ".git"
        return (
            git(repo, "-c", "core.fsmonitor=false", "--no-optional-locks", "status", "--porcelain", "--untracked-files=all"),
            git(repo, "for-each-ref", "--format=%(objectname) %(refname)"),
            (git_dir / "HEAD").read_bytes(),
            (git_dir / "config").read_bytes(),
            (git_dir / "index").read_bytes(),
            sorted(p.name for p in (git_dir / "hooks").iterdir()) if (git_dir / "hooks").exists() else [],
        )

    source = make_source(tmp_path / "user")
    (source.path / "README.md").write_text("# Calc, edited but not committed\n")
    (source.path / "scratch.txt").write_text("untracked\n")
    before = snapshot(source.path)
    again = create_bundle(source.path, tmp_path / "again.bundle", ["refs/tutor/steps/s5", "HEAD"])
    repo = LessonRepo(again, base=source.base, cache_dir=cache)
    repo.list_files(source.s5)
    repo.read_file(source.s5, "README.md")
    repo.diff(source.base, source.s5)
    repo.remove_checkout(repo.checkout(source.s5))
    assert snapshot(source.path) == before
    assert read_bundle_header(again).refs == {"refs/tutor/steps/s5": source.s5, "HEAD": source.s5}


# ---------------------------------------------------------------- broken bundles


def test_truncated_bundle_is_a_one_line_vcs_error(source: Source, tmp_path: Path, cache: Path) -> None:
    data = source.bundle.read_bytes()
    broken = tmp_path / "broken.bundle"
    broken.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(VcsError) as caught:
        LessonRepo(broken, cache_dir=cache)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{broken.resolve()}: corrupt or unusable git bundle")
    assert [p.name for p in cache.iterdir()] == []  # no half-built cache left behind
    with pytest.raises(VcsError, match="corrupt or unusable"):
        verify_bundle(broken)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a git bundle"),
        (b"PK\x03\x04 a zip file, not a bundle", "not a git bundle"),
        (b"# v2 git bundle\n", "not a git bundle"),  # header cut before its end
        (b"# v2 git bundle\n\nPACK", "holds no refs"),
    ],
)
def test_garbage_bundles_are_refused(tmp_path: Path, cache: Path, content: bytes, message: str) -> None:
    bundle = tmp_path / "repo.bundle"
    bundle.write_bytes(content)
    with pytest.raises(VcsError, match=message) as caught:
        LessonRepo(bundle, cache_dir=cache)
    assert "\n" not in str(caught.value)


def test_missing_bundle(tmp_path: Path, cache: Path) -> None:
    with pytest.raises(NotFoundError, match="lesson bundle not found"):
        LessonRepo(tmp_path / "nope.bundle", cache_dir=cache)
    with pytest.raises(NotFoundError, match="bundle not found"):
        verify_bundle(tmp_path / "nope.bundle")


def test_invalid_leftover_cache_is_rebuilt(source: Source, cache: Path) -> None:
    first = LessonRepo(source.bundle, cache_dir=cache)
    (first.path / MARKER).unlink()  # as if someone or something half-deleted it
    second = LessonRepo(source.bundle, cache_dir=cache)
    assert second.built and second.path == first.path
    assert second.commit_for_step("s3") == source.s3


# ---------------------------------------------------------------- reuse, concurrency, processes


def test_reopening_reuses_the_cache(source: Source, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = LessonRepo(source.bundle, cache_dir=cache)
    marker = first.path / MARKER
    stamp = (first.path.stat().st_ino, marker.stat().st_mtime_ns, (first.path / "objects").stat().st_mtime_ns)

    import tutor.vcs.lesson_repo as module

    def no_fetch(*args: object) -> None:
        raise AssertionError("the bundle was fetched a second time")

    monkeypatch.setattr(module, "load_bundle_into", no_fetch)
    second = LessonRepo(source.bundle, cache_dir=cache)
    assert second.built is False and second.path == first.path
    assert (first.path.stat().st_ino, marker.stat().st_mtime_ns, (first.path / "objects").stat().st_mtime_ns) == stamp
    assert second.commit_for_step("s5") == source.s5


def test_concurrent_opens_are_safe(source: Source, cache: Path) -> None:
    count = 6
    barrier = threading.Barrier(count)
    results: list[LessonRepo] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            barrier.wait(timeout=10)
            repo = LessonRepo(source.bundle, base=source.base, cache_dir=cache)
            assert repo.list_files(source.s5) == ["README.md", "src/app.py", "tests/test_app.py"]
            results.append(repo)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(results) == count
    assert len({repo.path for repo in results}) == 1
    assert sum(repo.built for repo in results) == 1
    assert [p.name for p in cache.iterdir()] == [results[0].path.name]


def test_concurrent_reads_share_one_lesson_repo(lesson_repo: LessonRepo, source: Source) -> None:
    errors: list[BaseException] = []

    def read_many() -> None:
        try:
            for _ in range(5):
                assert lesson_repo.read_file(source.s3, "src/app.py") == APP_V2.encode()
                assert "+++ b/tests/test_app.py" in lesson_repo.diff(source.s3, source.s5)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=read_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


def test_no_git_processes_leak(source: Source, cache: Path, tmp_path: Path) -> None:
    before = git_children()
    # The detector sees a long-lived `git cat-file` child when there is one.
    probe = subprocess.Popen(["git", "cat-file", "--batch"], cwd=source.path, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        assert probe.pid in git_children()
    finally:
        probe.stdin.close()  # type: ignore[union-attr]
        probe.wait(timeout=10)
    assert probe.pid not in git_children()

    verify_bundle(source.bundle)
    create_bundle(source.path, tmp_path / "copy.bundle", ["refs/tutor/steps/s3"])
    repo = LessonRepo(source.bundle, base=source.base, cache_dir=cache)
    LessonRepo(source.bundle, base=source.base, cache_dir=cache)
    for commit in (source.base, source.s3, source.s5):
        repo.list_files(commit)
        repo.read_file(commit, "src/app.py")
        repo.read_file(commit, "src/app.py", limit=3)
    repo.diff(source.base, source.s5)
    repo.remove_checkout(repo.checkout(source.s5))
    with pytest.raises(VcsError):
        repo.list_files("0" * 40)
    assert git_children() - before == set()


def test_hostile_user_config_and_environment_are_ignored(
    source: Source, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ~/.gitconfig that names programs, and GIT_* variables from a surrounding hook, change nothing."""
    ran = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {ran}\nexit 0\n")
    script.chmod(0o755)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("post-checkout", "reference-transaction", "post-index-change"):
        (hooks / name).symlink_to(script)
    home = tmp_path / "home"
    (home / ".config" / "git").mkdir(parents=True)
    config = (
        f"[core]\n\thooksPath = {hooks}\n\tfsmonitor = {script}\n\tpager = {script}\n"
        f"[diff]\n\texternal = {script}\n[color]\n\tui = always\n"
    )
    (home / ".gitconfig").write_text(config)
    (home / ".config" / "git" / "config").write_text(config)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_DIR", str(source.path / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "stray-index"))
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", str(script))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.hooksPath")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(hooks))

    repo = LessonRepo(source.bundle, base=source.base, cache_dir=cache)
    assert repo.steps == {"s3": source.s3, "s5": source.s5}
    diff = repo.diff(source.base, source.s3)
    assert "\x1b[" not in diff and "+    return a + b" in diff
    work = repo.checkout(source.s5)
    assert (work / "tests" / "test_app.py").read_text() == TEST_V3
    repo.remove_checkout(work)
    assert not ran.exists(), ran.read_text()
    assert not (tmp_path / "stray-index").exists()


def test_sha256_bundles_work(tmp_path: Path, cache: Path) -> None:
    source = make_source(tmp_path, object_format="sha256")
    assert len(source.s5) == 64
    assert read_bundle_header(source.bundle).object_format == "sha256"
    repo = LessonRepo(source.bundle, base=source.base, cache_dir=cache)
    assert repo.commit_for_step("s5") == source.s5
    assert repo.read_file(source.s5, "tests/test_app.py") == TEST_V3.encode()


# ---------------------------------------------------------------- bundle helpers


def test_verify_bundle_returns_its_refs(source: Source) -> None:
    assert verify_bundle(source.bundle) == {"refs/tutor/steps/s3": source.s3, "refs/tutor/steps/s5": source.s5}


@pytest.mark.parametrize("ref", ["--all", "-q", "refs/tutor/../x", "main..HEAD", "refs/heads/a b", "", "s3"])
def test_create_bundle_refuses_what_is_not_a_full_ref(source: Source, tmp_path: Path, ref: str) -> None:
    with pytest.raises(VcsError, match="not a full ref name"):
        create_bundle(source.path, tmp_path / "x.bundle", [ref])
    assert not (tmp_path / "x.bundle").exists()


def test_create_bundle_refuses_missing_refs_and_leaves_no_file(source: Source, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such ref refs/tutor/steps/s9"):
        create_bundle(source.path, tmp_path / "x.bundle", ["refs/tutor/steps/s3", "refs/tutor/steps/s9"])
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- laziness


def test_importing_tutor_vcs_does_not_import_git(source: Source, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import tutor.vcs, tutor.vcs.lesson_repo, tutor.vcs.bundle\n"
        "print('git' in sys.modules)\n"
        "from tutor.vcs.lesson_repo import LessonRepo\n"
        f"LessonRepo({str(source.bundle)!r}, cache_dir={str(tmp_path / 'c')!r})\n"
        "print('git' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
