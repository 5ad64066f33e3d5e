"""A chain of commits made from file contents held in memory, and bundled.

For code Tutor knows only as text (an imported transcript's Write and Edit calls),
not as a folder on disk: nothing is checked out, no working tree or repository exists.
The whole chain is written as git objects into one pack held in memory (`packs`: no git
process), by Tutor, at a fixed date, so the same changes always give the same commit
ids, those `git fast-import` gives.

- `CommitChain(commits)`: one commit per `ChainCommit`, each the child of the one
  before; `ids` are their ids, `bundle(refs)` the bytes of a `repo.bundle` pointing full
  ref names at commits of the chain, with what they reach.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ._git import VcsError
from .packs import BLOB, COMMIT, FILE_MODE, TREE, TREE_MODE, PackWriter, chain_bundle
from .workspace.common import AUTHOR, FIXED_DATE

__all__ = ["ChainCommit", "CommitChain"]

# A path as a tree entry: `/`-separated, relative, no empty, `.`, `..` or `.git` part, no
# control character (fast-import and git would read some as syntax). Checked here too,
# whatever the caller checked: a bad path must never reach a tree.
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


class CommitChain:
    """`commits` written in order, each the parent of the next, into a pack held in memory.

    `ids` has one commit id per `ChainCommit`. The first commit has no parent; a commit
    changing nothing has its parent's tree (an empty tree for a first one). The objects are
    those `git fast-import` would write for the same commits (same ids). A path that cannot
    be in a tree is `VcsError`.
    """

    def __init__(self, commits: Sequence[ChainCommit]) -> None:
        for path in {path for commit in commits for path in commit.files}:
            check_tree_path(path)
        name, email = AUTHOR
        signature = f"{name} <{email}> {_FIXED_EPOCH}".encode()
        self._pack = PackWriter()
        self.ids: list[str] = []
        tree = _Tree()
        parent: bytes | None = None
        for commit in commits:
            for path, content in sorted(commit.files.items()):
                tree.put(path.encode("utf-8", "replace").split(b"/"), content)
            head = b"tree " + tree.write(self._pack).hex().encode("ascii") + b"\n"
            if parent is not None:
                head += b"parent " + parent.hex().encode("ascii") + b"\n"
            head += b"author " + signature + b"\ncommitter " + signature + b"\n\n"
            parent = self._pack.add(COMMIT, head + commit.message.encode("utf-8", "replace"))
            self.ids.append(parent.hex())

    def bundle(self, refs: Mapping[str, str]) -> bytes:
        """A `repo.bundle`'s bytes: each full ref name of `refs` at its commit of the chain, and what they reach.
        `VcsError` for no refs, a ref name git would refuse, or a commit not of this chain."""
        if not refs:
            raise VcsError("a bundle needs at least one ref")
        for name in refs:
            if not _REF_RE.match(name) or ".." in name or "//" in name or name.endswith(("/", ".lock", ".")):
                raise VcsError(f"not a ref name: {name[:80]!r}")
        try:
            return chain_bundle(self._pack, refs)
        except ValueError as error:
            raise VcsError(f"cannot bundle: {error}") from None


class _Blob:
    """A file written: its blob's id, and its content (the chain's own bytes, not a copy), the base of its next version's delta."""

    __slots__ = ("content", "oid")

    def __init__(self, oid: bytes, content: bytes) -> None:
        self.oid, self.content = oid, content


class _Pending:
    """A file's content, written as a blob only if it is still in the tree when the commit is written."""

    __slots__ = ("base", "content")

    def __init__(self, content: bytes, base: _Blob | None) -> None:
        self.content, self.base = content, base


class _Tree:
    """A folder of the chain's tree as it stands, kept between commits: only what a commit changed is written again.

    Each entry's line of the tree object is kept, and the entries' order, so that a folder of
    a thousand files changed in one is not sorted and encoded whole again.
    """

    __slots__ = ("dirty", "entries", "lines", "oid", "order", "written")

    def __init__(self) -> None:
        self.entries: dict[bytes, _Tree | _Pending | _Blob] = {}  # name -> folder, content to write, or file written
        self.lines: dict[bytes, bytes] = {}  # name -> its line in the tree object, once written
        self.order: list[bytes] | None = None  # names in git's order; None: sort again (a name came, went or changed kind)
        self.dirty: set[bytes] = set()  # names whose line is to be made again
        self.oid: bytes | None = None  # None: changed since written
        self.written: tuple[bytes, bytes] | None = None  # the id and content last written: the base of the next one's delta

    def put(self, parts: list[bytes], content: bytes | None) -> bool:
        """Set (or with None remove) the file at `parts`, as fast-import's `M` and `D` do; whether this folder is now empty."""
        self.oid = None
        name = parts[0]
        entry = self.entries.get(name)
        if len(parts) == 1:
            if content is None:
                if entry is not None:
                    self._drop(name)
            else:
                if entry is None or isinstance(entry, _Tree):  # a folder of that name is replaced by the file
                    self.order = None
                base = entry if isinstance(entry, _Blob) else entry.base if isinstance(entry, _Pending) else None
                self.entries[name] = _Pending(content, base)
                self.dirty.add(name)
            return not self.entries
        if not isinstance(entry, _Tree):
            if content is None:
                return not self.entries  # nothing there to remove
            entry = self.entries[name] = _Tree()  # a file of that name is replaced by the folder
            self.order = None
        self.dirty.add(name)
        if entry.put(parts[1:], content):
            self._drop(name)  # an empty folder is no tree entry
        return not self.entries

    def _drop(self, name: bytes) -> None:
        del self.entries[name]
        self.lines.pop(name, None)
        self.dirty.discard(name)
        self.order = None

    def write(self, pack: PackWriter) -> bytes:
        """This folder's tree id, what changed in it written first (in name order: the same pack each time)."""
        if self.oid is None:
            entries = self.entries
            for name in sorted(self.dirty):
                entry = entries[name]
                if isinstance(entry, _Tree):
                    self.lines[name] = TREE_MODE + b" " + name + b"\0" + entry.write(pack)
                    continue
                if isinstance(entry, _Pending):
                    base = entry.base
                    entry = entries[name] = _Blob(pack.add(BLOB, entry.content, (base.oid, base.content) if base else None), entry.content)
                self.lines[name] = FILE_MODE + b" " + name + b"\0" + entry.oid
            self.dirty.clear()
            if self.order is None:  # git's order: a folder sorts as `name/`
                self.order = sorted(entries, key=lambda name: name + b"/" if isinstance(entries[name], _Tree) else name)
            data = b"".join(map(self.lines.__getitem__, self.order))
            self.oid = pack.add(TREE, data, self.written)
            self.written = (self.oid, data)
        return self.oid
