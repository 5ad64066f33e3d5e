"""Redaction of what a workspace stores: its snapshots' blobs, never the agent's working tree.

A live session's snapshots and bundle are stored and shared, so every file they hold goes
through the session's redactor (`Workspace.redact_base`, `Workspace.redact_snapshots`):
the blob, and a file name holding a secret, are rewritten in the private index before the
tree is written. The files the
agent works on are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable

from .._git import GitRunner, require_sha, run_direct

__all__ = ["redact_index"]


def redact_index(git: GitRunner, redact: Callable[[bytes], bytes], since_tree: str | None) -> None:
    """Rewrite, in the private index, every blob (or every one changed since `since_tree`) that holds a secret."""
    listing = run_direct(git, "ls-files", "-s", "-z").decode("utf-8", "surrogateescape").split("\0")
    entries = {}
    for line in listing:
        if not line:
            continue
        meta, _, path = line.partition("\t")
        mode, sha, _stage = meta.split(" ")
        entries[path] = (mode, sha)
    if since_tree is None:
        paths = list(entries)
    else:
        changed = run_direct(git, "diff-index", "--cached", "--name-only", "-z", "--no-renames", "--end-of-options", since_tree).decode(
            "utf-8", "surrogateescape"
        )
        paths = [path for path in changed.split("\0") if path in entries]
    taken = set(entries)
    for path in paths:
        mode, sha = entries[path]
        # A file's name can hold a secret too (`touch "notes-$(cat token.txt)"`): it is stored under
        # its redacted name. A link's target is its blob, redacted below like any content.
        named = _redacted_path(path, redact, taken)
        if mode == "160000":
            if named != path:
                _move(git, path, named, mode, sha)
            continue  # a submodule: no content here
        data = git.git.get_object_data(sha)[3]
        cleaned = redact(data)
        if cleaned == data and named == path:
            continue
        if cleaned != data:
            sha = require_sha(run_direct(git, "hash-object", "-w", "--stdin", "--no-filters", stdin=cleaned).decode().strip(), "blob")
        _move(git, path, named, mode, sha)


def _redacted_path(path: str, redact: Callable[[bytes], bytes], taken: set[str]) -> str:
    """`path` with any secret in it replaced by its marker; made unique among the index's paths."""
    raw = path.encode("utf-8", "surrogateescape")
    cleaned = redact(raw)
    if cleaned == raw:
        return path
    named = cleaned.decode("utf-8", "surrogateescape")
    candidate, number = named, 1
    while candidate in taken:
        number += 1
        candidate = f"{named}.{number}"
    taken.add(candidate)
    return candidate


def _move(git: GitRunner, path: str, named: str, mode: str, sha: str) -> None:
    """The index entry at `path` becomes (`mode`, `sha`) at `named`."""
    if named != path:
        run_direct(git, "update-index", "--force-remove", "--", path)
    run_direct(git, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{named}")

