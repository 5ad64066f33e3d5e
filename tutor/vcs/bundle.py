"""Git bundles: make one from a repository's refs, check one, read its header.

A lesson's `repo.bundle` holds its commits under `refs/tutor/steps/<step-id>` (the
base is reachable from them, or has a ref of its own). `create_bundle` writes one
atomically; `verify_bundle` proves one is whole by unpacking it into a scratch
repository (`git bundle verify` alone reads only the header, so a truncated pack
would pass it).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ._git import NotFoundError, VcsError, init_bare, open_repo, require_sha, run

__all__ = [
    "BundleHeader",
    "VcsError",
    "create_bundle",
    "load_bundle_into",
    "read_bundle_header",
    "verify_bundle",
]

_SIGNATURES = {b"# v2 git bundle": 2, b"# v3 git bundle": 3}
_MAX_HEADER = 4 * 1024 * 1024
# What `create_bundle` accepts as a ref: a full ref name in plain characters, `HEAD`,
# or a full object id. Nothing that could be read as an option or a revision range.
_REF_RE = re.compile(r"^refs/[A-Za-z0-9._/-]+$")


@dataclass(frozen=True)
class BundleHeader:
    version: int
    object_format: str = "sha1"
    capabilities: dict[str, str] = field(default_factory=dict)
    prerequisites: tuple[str, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)  # ref name -> object id


def read_bundle_header(path: str | os.PathLike[str]) -> BundleHeader:
    """The header of the bundle at `path`, parsed without git; `VcsError` if it is not a bundle."""
    from tutor.lesson.limits import MAX_BUNDLE_BYTES, Refused, open_regular

    path = Path(path)
    try:
        # A regular file within MAX_BUNDLE_BYTES: a FIFO would hang git, /dev/zero would never end.
        with open_regular(path, limit=MAX_BUNDLE_BYTES, name="a lesson bundle") as stream:
            head = _read_up_to(stream, _MAX_HEADER)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: lesson bundle not found") from None
    except Refused as error:
        raise VcsError(f"{path}: {error}") from None
    except OSError as error:
        raise VcsError(f"{path}: cannot read bundle ({error.strerror or error})") from None
    end = head.find(b"\n\n")
    lines = head[:end].split(b"\n") if end >= 0 else []
    version = _SIGNATURES.get(lines[0]) if lines else None
    if version is None:
        raise VcsError(f"{path}: not a git bundle (corrupt or truncated header)")
    capabilities: dict[str, str] = {}
    prerequisites: list[str] = []
    refs: dict[str, str] = {}
    for raw in lines[1:]:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise VcsError(f"{path}: not a git bundle (undecodable header line)") from None
        if line.startswith("@") and version >= 3:
            key, _, value = line[1:].partition("=")
            capabilities[key] = value
        elif line.startswith("-"):
            prerequisites.append(line[1:].split(" ", 1)[0])
        else:
            sha, _, name = line.partition(" ")
            if not sha or not name:
                raise VcsError(f"{path}: not a git bundle (bad ref line)")
            refs[name] = sha
    object_format = capabilities.get("object-format", "sha1")
    return BundleHeader(version, object_format, capabilities, tuple(prerequisites), refs)


def _read_up_to(stream: object, size: int) -> bytes:
    """Up to `size` bytes of an unbuffered stream (one `read` may return less)."""
    parts: list[bytes] = []
    while size > 0:
        chunk = stream.read(min(size, 1024 * 1024))  # type: ignore[attr-defined]
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def load_bundle_into(git_dir: Path, bundle: Path) -> dict[str, str]:
    """Verify `bundle` and fetch all its refs into the bare repository `git_dir`.

    Returns the refs now in `git_dir` (name -> id). Any problem, a missing
    prerequisite, a truncated pack, a bundle with no refs, is a one-line `VcsError`
    naming the bundle.
    """
    bundle = bundle.resolve()
    header = read_bundle_header(bundle)
    if not header.refs:
        raise VcsError(f"{bundle}: the bundle holds no refs")
    if header.prerequisites:
        raise VcsError(f"{bundle}: the bundle is incomplete (it needs {len(header.prerequisites)} commit(s) it does not hold)")
    with open_repo(git_dir) as repo:
        try:
            run(repo, "bundle", "verify", "--quiet", str(bundle))
            run(
                repo,
                "fetch",
                "--quiet",
                "--no-tags",
                "--no-write-fetch-head",
                "--no-auto-maintenance",
                "--end-of-options",
                str(bundle),
                "refs/*:refs/*",
            )
        except VcsError as error:
            detail = str(error).split(": ", 1)[-1]
            raise VcsError(f"{bundle}: corrupt or unusable git bundle ({detail})") from None
        return _refs(repo)


def verify_bundle(path: str | os.PathLike[str]) -> dict[str, str]:
    """Check that the bundle at `path` is whole and self-contained; return its refs (name -> id).

    Unpacks it into a scratch repository that is thrown away afterwards.
    """
    path = Path(path)
    header = read_bundle_header(path)
    scratch = Path(tempfile.mkdtemp(prefix="tutor-verify-"))
    try:
        git_dir = scratch / "repo.git"
        init_bare(git_dir, object_format=header.object_format)
        return load_bundle_into(git_dir, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def create_bundle(
    repo_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    refs: Iterable[str],
) -> Path:
    """Bundle `refs` (full ref names like `refs/tutor/steps/s3`, or `HEAD`) of `repo_path` into `out_path`.

    The file appears whole or not at all (temp file, then `os.replace`). The
    repository is only read. Returns `out_path`.
    """
    names = list(refs)
    if not names:
        raise VcsError("create_bundle: no refs given")
    for name in names:
        if not (isinstance(name, str) and (name == "HEAD" or (_REF_RE.match(name) and ".." not in name))):
            raise VcsError(f"create_bundle: not a full ref name: {name!r}")
    out = Path(out_path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    os.unlink(temp_name)  # git bundle create makes the file itself (and its .lock)
    temp = Path(temp_name)
    try:
        with open_repo(repo_path) as repo:
            # Every name must be an existing ref: `bundle create` would take a missing one as a
            # revision expression. One listing for all of them (a lesson may name hundreds).
            wanted = [name for name in names if name != "HEAD"]
            found = set(run(repo, "for-each-ref", "--format=%(refname)", *wanted).split()) if wanted else set()
            missing = next((name for name in wanted if name not in found), None)
            if missing is not None:
                raise NotFoundError(f"{repo_path}: no such ref {missing}")
            run(repo, "bundle", "create", "--quiet", str(temp), *names)
        with temp.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return out


def _refs(repo: object) -> dict[str, str]:
    output = run(repo, "for-each-ref", "--format=%(objectname) %(refname)")  # type: ignore[arg-type]
    refs: dict[str, str] = {}
    for line in output.splitlines():
        sha, _, name = line.partition(" ")
        if name:
            refs[name] = require_sha(sha, "object")
    return refs
