"""A chain of commits written from file contents held in memory, and bundled.

For code Tutor knows only as text (an imported transcript's Write and Edit calls),
not as a folder on disk: nothing is checked out, no working tree exists. The whole
chain goes through one `git fast-import` process into a private bare repository, by
Tutor, at a fixed date, so the same changes always give the same commit ids.

- `write_commit_chain(git_dir, commits)`: a new bare repository at `git_dir` holding
  one commit per `ChainCommit`, each the child of the one before; returns their ids.
- `bundle_refs(git_dir, refs, out)`: point full ref names at commits of that
  repository and bundle them (`create_bundle`: atomic, only existing refs).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._git import VcsError, init_bare, open_git, require_sha, run, safe_env
from .bundle import create_bundle
from .workspace.common import AUTHOR, FIXED_DATE

__all__ = ["ChainCommit", "bundle_refs", "write_commit_chain"]

# A path as a tree entry: `/`-separated, relative, no empty, `.`, `..` or `.git` part, no
# control character (fast-import and git would read some as syntax). Checked here too,
# whatever the caller checked: a bad path must never reach the stream.
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\"\\]")
_REF_RE = re.compile(r"^refs/[a-z0-9][a-z0-9/._-]*$")
_FIXED_EPOCH = "1767225600 +0000"  # FIXED_DATE as fast-import's raw date
assert FIXED_DATE.startswith("2026-01-01T00:00:00")


@dataclass(frozen=True)
class ChainCommit:
    """One commit of a chain: the files it changes (path -> new bytes; None removes the file)."""

    message: str
    files: Mapping[str, bytes | None] = field(default_factory=dict)


def check_tree_path(path: str) -> str:
    """`path` if it can be a file's path in a tree, else `VcsError`."""
    parts = path.split("/")
    if (
        not path
        or len(path.encode("utf-8", "surrogatepass")) > 4096
        or _BAD_CHARS.search(path)
        or any(part in ("", ".", "..") or part.lower() == ".git" for part in parts)
    ):
        raise VcsError(f"not a relative file path: {path[:80]!r}")
    return path


def write_commit_chain(git_dir: Path, commits: Sequence[ChainCommit]) -> list[str]:
    """Create the bare repository `git_dir` and write `commits` in order, each the parent of the next.

    Returns the commit ids, one per `ChainCommit`. The first commit has no parent; a
    commit changing nothing has its parent's tree (an empty tree for a first one).
    """
    if not commits:
        return []
    init_bare(git_dir)
    stream_path = git_dir / "tutor-chain.stream"
    marks_path = git_dir / "tutor-chain.marks"
    with stream_path.open("wb") as stream:
        _write_stream(stream, commits)
    with open_git(git_dir, safe_env(git_dir)) as git, stream_path.open("rb") as stream:
        run(git, "fast-import", "--quiet", "--done", "--date-format=raw", f"--export-marks={marks_path}", istream=stream)
    marks = dict(line.split(" ", 1) for line in marks_path.read_text(encoding="ascii").split("\n") if line)
    stream_path.unlink()
    marks_path.unlink()
    return [require_sha(marks[f":{number}"].strip()) for number in range(1, len(commits) + 1)]


def _write_stream(stream: object, commits: Sequence[ChainCommit]) -> None:
    name, email = AUTHOR
    write = stream.write  # type: ignore[attr-defined]
    for number, commit in enumerate(commits, start=1):
        message = commit.message.encode("utf-8", "replace")
        write(b"commit refs/tutor-chain/head\n")
        write(f"mark :{number}\n".encode())
        write(f"author {name} <{email}> {_FIXED_EPOCH}\n".encode())
        write(f"committer {name} <{email}> {_FIXED_EPOCH}\n".encode())
        write(f"data {len(message)}\n".encode() + message + b"\n")
        if number > 1:
            write(f"from :{number - 1}\n".encode())
        for path, content in sorted(commit.files.items()):
            quoted = b'"' + check_tree_path(path).encode("utf-8", "replace") + b'"'
            if content is None:
                write(b"D " + quoted + b"\n")
            else:
                write(b"M 100644 inline " + quoted + b"\n")
                write(f"data {len(content)}\n".encode() + content + b"\n")
        write(b"\n")
    write(b"done\n")


def bundle_refs(git_dir: Path, refs: Mapping[str, str], out: Path) -> Path:
    """Point each full ref name of `refs` at its commit in `git_dir`, then bundle exactly those refs into `out`."""
    if not refs:
        raise VcsError("bundle_refs: no refs given")
    lines = []
    for name, commit in refs.items():
        if not _REF_RE.match(name) or ".." in name or "//" in name or name.endswith(("/", ".lock", ".")):
            raise VcsError(f"not a ref name: {name[:80]!r}")
        lines.append(f"update {name} {require_sha(commit)}\n")
    with open_git(git_dir, safe_env(git_dir)) as git:
        commits = sorted(set(refs.values()))
        with tempfile.TemporaryFile() as asked:  # one process checks them all, not one per commit
            asked.write("".join(f"{commit}^{{commit}}\n" for commit in commits).encode("ascii"))
            asked.seek(0)
            answers = run(git, "cat-file", "--batch-check=%(objectname) %(objecttype)", istream=asked).splitlines()
        for commit, answer in zip(commits, answers, strict=True):
            if not answer.endswith(" commit"):
                raise VcsError(f"no commit {commit[:12]} in {git_dir}")
        with tempfile.TemporaryFile() as stream:
            stream.write("".join(lines).encode("utf-8"))
            stream.seek(0)
            run(git, "update-ref", "--stdin", istream=stream)
    return create_bundle(git_dir, out, list(refs))
