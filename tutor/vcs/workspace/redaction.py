"""Redaction of what a workspace stores: its snapshots' blobs, never the agent's working tree.

A live session's snapshots and bundle are stored and shared, so every file they hold goes
through the session's redactor (`Workspace.redact_base`, `Workspace.redact_snapshots`):
the blob is rewritten in the private index before the tree is written. The files the
agent works on are left as they are.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from .._git import require_sha, run

__all__ = ["redact_index"]


def redact_index(git: Any, redact: Callable[[bytes], bytes], since_tree: str | None) -> None:
    """Rewrite, in the private index, every blob (or every one changed since `since_tree`) that holds a secret."""
    listing = run(git, "ls-files", "-s", "-z").split("\0")
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
        changed = run(git, "diff-index", "--cached", "--name-only", "-z", "--no-renames", "--end-of-options", since_tree)
        paths = [path for path in changed.split("\0") if path in entries]
    for path in paths:
        mode, sha = entries[path]
        if mode == "160000":
            continue  # a submodule: no content here
        data = git.git.get_object_data(sha)[3]
        cleaned = redact(data)
        if cleaned == data:
            continue
        with tempfile.TemporaryFile() as stream:
            stream.write(cleaned)
            stream.seek(0)
            new_sha = run(git, "hash-object", "-w", "--stdin", "--no-filters", istream=stream).strip()
        run(git, "update-index", "--cacheinfo", mode, require_sha(new_sha, "blob"), path)

