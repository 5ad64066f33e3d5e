"""A snapshot of files a tool wrote, made without the index: the blobs, then the trees on their paths.

When a file tool wrote files (`edit_file`, `write_file`), the new tree differs from the
last one only along those files' paths. `TreeWriter.replace_files` writes the new blobs
and the trees on the paths as loose objects (the bytes `git add` and `git write-tree`
would store, so the same ids). The trees it needs are read from a cache by id (a tree
never changes) filled by what it wrote, by the loose trees git wrote (read from the
store directly, checked by id) and, for trees that are packed or borrowed, by one
`git cat-file --batch` for all of them. A step whose trees are known or loose starts no
git process.

A file the last snapshot does not hold is added (with any new folders on its way) only
if git would add it: the ignore rules, which only git knows, are asked of the kept `git
check-ignore` (`ignores`), or else of one `git ls-files --others --exclude-standard`. It declines (returns None, and the snapshot updates the
index as usual) for anything but the plain case: a folder or other kind of file in the
working tree now, a name the tree holds as a folder or repository, a file where a folder
is on the way, a mode `write-tree` would rewrite. The caller checks the rest first: git
stores the files' own bytes and redaction changes nothing (`touched.stored_as_is`), and
the configuration records modes and links as they are (`plain_modes`).

The private index is not updated for these files; the caller remembers them and adds
them to the next index update (a rescan finds them changed by their stat anyway).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .._git import GitRunner, VcsError, run_direct
from .ignores import IgnoreChecker
from .objects import read_loose, write_object
from .touched import worktree_file

__all__ = ["TreeWriter", "plain_modes"]

_FILE_MODES = (b"100644", b"100755", b"120000")
_TREE_MODE = b"40000"
_CANONICAL_MODES = (*_FILE_MODES, _TREE_MODE, b"160000")  # what write-tree writes; an old tree may hold others

Entry = tuple[bytes, bytes, bytes]  # mode, name, raw object id


def plain_modes(git_dir: Path) -> bool:
    """Whether git records modes and links as the file system has them (no `core.fileMode` or `core.symlinks` set to false)."""
    try:
        config = (git_dir / "config").read_bytes().lower()
    except OSError:
        return False
    squeezed = config.replace(b" ", b"").replace(b"\t", b"")
    return b"filemode=false" not in squeezed and b"symlinks=false" not in squeezed


class TreeWriter:
    """Writes trees of one workspace from the last snapshot's tree and a few rewritten files."""

    def __init__(self, git_dir: Path, root: Path) -> None:
        self.git_dir = git_dir
        self.root = root
        self._trees: dict[str, list[Entry]] = {}
        self.recorded: list[str] = []  # the paths the last `replace_files` put in the tree (ignored new files are not)

    def replace_files(
        self, git: GitRunner, tree: str, paths: list[str], ignores: IgnoreChecker | None = None, contents: dict[str, tuple[bytes, bytes]] | None = None,
    ) -> str | None:
        """`tree` with each of `paths` as the working tree has it now; None when that is not the plain case.

        A path the tree does not hold is added only if git would add it (untracked and not
        ignored: asked of `ignores`' kept git, or else of one `git ls-files --others
        --exclude-standard`); an ignored one is left out, as a rescan leaves it.
        `contents`: (mode, bytes) of files already read (and checked) by the caller, stored
        as they are rather than read again.
        """
        algorithm = "sha256" if len(tree) == 64 else "sha1"
        if not self._known(git, tree, paths):
            return None
        new = [path for path in paths if not self._holds(tree, path)]
        if new:
            addable = ignores.addable(git, new) if ignores is not None else None
            if addable is None:
                try:
                    listed = run_direct(git, "ls-files", "-z", "--others", "--exclude-standard", "--", *new)
                except VcsError:
                    return None
                addable = set(listed.decode("utf-8", "surrogateescape").split("\0"))
            paths = [path for path in paths if path not in new or path in addable]
        self.recorded = []
        for path in paths:
            replaced = self._replace(tree, path.encode("utf-8", "surrogateescape").split(b"/"), path, algorithm, contents or {})
            if replaced is None:
                return None
            tree = replaced
        self.recorded = paths
        return tree

    def index_entries(self, tree: str, paths: list[str]) -> bytes | None:
        """`git ls-tree -z <tree> -- <paths>` from the trees in memory (each path a file `tree` holds); None if one is not known."""
        out = []
        for path in sorted(paths):
            *folders, name = path.split("/")
            folder = self._cached_id(tree, "/".join(folders))
            entries = self._trees.get(folder) if folder is not None else None
            wanted = name.encode("utf-8", "surrogateescape")
            found = next((entry for entry in entries or () if entry[1] == wanted and entry[0] in _FILE_MODES), None)
            if found is None:
                return None
            out.append(found[0] + b" blob " + found[2].hex().encode() + b"\t" + path.encode("utf-8", "surrogateescape") + b"\0")
        return b"".join(out)

    # ------------------------------------------------------------ internals

    def _replace(self, tree: str | None, parts: list[bytes], path: str, algorithm: str, contents: dict[str, tuple[bytes, bytes]]) -> str | None:
        """The tree `tree` (None: a new folder) with the file at `parts` (below it) set to the working tree's; None if not plain."""
        entries = [] if tree is None else self._trees.get(tree)
        if entries is None or any(entry[0] not in _CANONICAL_MODES for entry in entries):
            return None  # unknown, or a mode write-tree would rewrite: only a rescan gives the same tree
        name = parts[0]
        at = next((number for number, entry in enumerate(entries) if entry[1] == name), None)
        mode = entries[at][0] if at is not None else None
        if len(parts) > 1:
            if mode not in (None, _TREE_MODE):
                return None  # a file (or repository) where the folder is now
            child = self._replace(entries[at][2].hex() if at is not None else None, parts[1:], path, algorithm, contents)
            if child is None:
                return None
            new_entry = (_TREE_MODE, name, bytes.fromhex(child))
        else:
            if mode not in (None, *_FILE_MODES):
                return None
            blob = self._blob(path, algorithm, contents.get(path))
            if blob is None:
                return None
            new_entry = (blob[0], name, bytes.fromhex(blob[1]))
        changed = [entry for entry in entries if entry[1] != name] + [new_entry]
        changed.sort(key=lambda entry: entry[1] + b"/" if entry[0] == _TREE_MODE else entry[1])  # git's order
        body = b"".join(mode + b" " + name + b"\0" + raw for mode, name, raw in changed)
        sha = write_object(self.git_dir, "tree", body, algorithm)
        self._trees[sha] = changed
        return sha

    def _holds(self, tree: str, path: str) -> bool:
        """Whether `tree` holds a file or link at `path` (its trees on the way are known)."""
        *folders, name = path.split("/")
        folder = self._cached_id(tree, "/".join(folders))
        entries = self._trees.get(folder) if folder is not None else None
        wanted = name.encode("utf-8", "surrogateescape")
        return entries is not None and any(entry[1] == wanted and entry[0] in _FILE_MODES for entry in entries)

    def _blob(self, path: str, algorithm: str, found: tuple[bytes, bytes] | None = None) -> tuple[bytes, str] | None:
        """The working tree's file at `path` (or `found`, its mode and bytes as read already) stored as a blob: (mode, id); None if it is not a file or link now."""
        if found is None:
            try:
                found = worktree_file(self.root / path)
            except OSError:
                return None
        if found is None:
            return None
        return found[0], write_object(self.git_dir, "blob", found[1], algorithm)

    def _known(self, git: GitRunner, tree: str, paths: list[str]) -> bool:
        """Make sure every tree on the way to `paths` that exists is known (one `git cat-file --batch` for those not cached or loose).

        A folder the tree does not have (a new file's) needs nothing; a file where a
        folder is on the way is not the plain case (False).
        """
        folders = {""}
        for path in paths:
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[: end + 1]) for end in range(len(parts)))
        wanted = []
        for folder in sorted(folders):
            found = self._lookup(tree, folder)
            if found == "file":
                return False
            if found == "unknown":
                wanted.append(folder)
        if not wanted:
            return True
        specs = "".join(f"{tree}:{folder}\n" if folder else f"{tree}\n" for folder in wanted)
        if "\0" in specs:
            return False
        try:
            output = run_direct(git, "cat-file", "--batch", stdin=specs.encode("utf-8", "surrogateescape"))
        except VcsError:
            return False
        at = 0
        for _ in wanted:
            end = output.find(b"\n", at)
            if end < 0:
                return False
            line = output[at:end]
            if line.endswith(b" missing"):
                at = end + 1
                continue  # a new folder (or below a file, which the walk refuses later)
            header = line.split(b" ")
            if len(header) != 3 or header[1] != b"tree":
                return False  # not a folder in the tree: not the plain case
            size = int(header[2])
            body = output[end + 1 : end + 1 + size]
            sha = header[0].decode()
            if hashlib.new("sha256" if len(sha) == 64 else "sha1", f"tree {size}\0".encode() + body).hexdigest() != sha:
                return False
            self._trees[sha] = _parse_tree(body, len(sha) // 2)
            at = end + 1 + size + 1
        return True

    def _lookup(self, tree: str, folder: str) -> str:
        """Whether `folder` below `tree` is "known" (its tree cached or loose), "absent", a "file" (or repository), or "unknown"."""
        entries = self._tree(tree)
        for part in folder.split("/") if folder else []:
            if entries is None:
                return "unknown"
            name = part.encode("utf-8", "surrogateescape")
            entry = next((entry for entry in entries if entry[1] == name), None)
            if entry is None:
                return "absent"
            if entry[0] != _TREE_MODE:
                return "file"
            entries = self._tree(entry[2].hex())
        return "known" if entries is not None else "unknown"

    def _cached_id(self, tree: str, folder: str) -> str | None:
        """The id of `folder`'s tree below `tree` if every tree on the way is cached or loose in the store, else None."""
        current = tree
        entries = self._tree(current)
        for part in folder.split("/") if folder else []:
            if entries is None:
                return None
            name = part.encode("utf-8", "surrogateescape")
            entry = next((entry for entry in entries if entry[1] == name), None)
            if entry is None or entry[0] != _TREE_MODE:
                return None
            current = entry[2].hex()
            entries = self._tree(current)
        return current if entries is not None else None

    def _tree(self, sha: str) -> list[Entry] | None:
        """The entries of the tree `sha`: cached, or read from the store when it is a loose object there (what git wrote lately)."""
        entries = self._trees.get(sha)
        if entries is None:
            body = read_loose(self.git_dir, "tree", sha)
            if body is not None:
                entries = self._trees[sha] = _parse_tree(body, len(sha) // 2)
        return entries


def _parse_tree(body: bytes, id_size: int) -> list[Entry]:
    entries: list[Entry] = []
    at = 0
    while at < len(body):
        space = body.index(b" ", at)
        nul = body.index(b"\0", space)
        entries.append((body[at:space], body[space + 1 : nul], body[nul + 1 : nul + 1 + id_size]))
        at = nul + 1 + id_size
    return entries
