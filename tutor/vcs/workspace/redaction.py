"""Redaction of what a workspace stores: its snapshots' blobs, never the agent's working tree.

A live session's snapshots and bundle are stored and shared, so every file they hold goes
through the session's redactor (`Workspace.redact_base`, `Workspace.redact_snapshots`):
the blob, and a file name holding a secret, are rewritten in the private index before the
tree is written. The files the agent works on are left as they are. After a rescan only
the entries that changed since the last snapshot are read (`diff-index --raw`), their
blobs straight from the store when they are loose (as `add` just wrote them).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .._git import GitRunner, require_sha, run_direct
from .objects import read_loose

__all__ = ["redact_index"]


def redact_index(git: GitRunner, redact: Callable[[bytes], bytes], since_tree: str | None) -> None:
    """Rewrite, in the private index, every blob (or every one changed since `since_tree`) that holds a secret."""
    entries = _index_entries(git) if since_tree is None else _changed_entries(git, since_tree)
    taken: set[str] | None = set(entries) if since_tree is None else None  # every name in the index, read when first needed
    git_dir = Path(git.env["GIT_DIR"])
    for path, (mode, sha) in list(entries.items()):
        # A file's name can hold a secret too (`touch "notes-$(cat token.txt)"`): it is stored under
        # its redacted name. A link's target is its blob, redacted below like any content.
        raw = path.encode("utf-8", "surrogateescape")
        named = path
        if redact(raw) != raw:
            if taken is None:
                taken = set(_index_entries(git))
            named = _redacted_path(path, redact, taken)
        if mode == "160000":
            if named != path:
                _move(git, path, named, mode, sha)
            continue  # a submodule: no content here
        data = read_loose(git_dir, "blob", sha)  # what `add` just stored is loose: no git process to read it
        if data is None:
            data = git.git.get_object_data(sha)[3]
        cleaned = redact(data)
        if cleaned == data and named == path:
            continue
        if cleaned != data:
            sha = require_sha(run_direct(git, "hash-object", "-w", "--stdin", "--no-filters", stdin=cleaned).decode().strip(), "blob")
        _move(git, path, named, mode, sha)


def _index_entries(git: GitRunner) -> dict[str, tuple[str, str]]:
    """Path -> (mode, id) of every entry in the index."""
    entries = {}
    for line in run_direct(git, "ls-files", "-s", "-z").decode("utf-8", "surrogateescape").split("\0"):
        if line:
            meta, _, path = line.partition("\t")
            mode, sha, _stage = meta.split(" ")
            entries[path] = (mode, sha)
    return entries


def _changed_entries(git: GitRunner, since_tree: str) -> dict[str, tuple[str, str]]:
    """Path -> (mode, id) of the index entries that differ from `since_tree` (added or changed; removed ones are gone)."""
    output = run_direct(git, "diff-index", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", "--end-of-options", since_tree)
    fields = output.decode("utf-8", "surrogateescape").split("\0")
    entries = {}
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        _old_mode, mode, _old_sha, sha, status = meta.lstrip(":").split(" ")
        if status != "D":
            entries[path] = (mode, sha)
    return entries


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

