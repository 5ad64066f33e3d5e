"""Git objects, packs and bundles written in Python, without starting git.

An imported session's code is a chain of commits Tutor builds from text it holds in
memory (`commit_chain`). Starting `git init`, `git fast-import`, `git update-ref` and `git
bundle create` for it cost more than everything else the import does with that code, so
the objects are written here, in git's own formats, byte for byte as git writes them:

- `object_id(kind, data)`: the SHA-1 git names an object by (`blob`, `tree`, `commit`);
- `tree_data(entries)`: a tree object's bytes, its entries in git's order;
- `PackWriter`: a pack (`objects/pack/pack-<sum>.pack`, version 2, whole objects, no
  deltas) and its index (`.idx`, version 2), as `git index-pack` would make them;
- `write_pack_bundle(git_dir, refs, out)`: a `# v2 git bundle` of the objects reachable
  from `refs`, taken from the one pack `PackWriter` wrote (their stored bytes copied as
  they are, nothing compressed twice); None when `git_dir` holds anything else (loose
  objects, several packs, deltas), so the caller can ask git.

Only SHA-1 repositories are written (what `init_bare` makes by default).
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["BLOB", "COMMIT", "TREE", "PackWriter", "object_id", "tree_data", "write_pack_bundle"]

COMMIT, TREE, BLOB = 1, 2, 3  # the pack's type numbers
_NAMES = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}
_IDX_MAGIC = b"\377tOc"
_LEVEL = 1  # zlib's fastest: the code of a session is small, and compresses well enough
FILE_MODE = b"100644"
TREE_MODE = b"40000"


def object_id(kind: int, data: bytes) -> bytes:
    """The 20-byte SHA-1 of a git object of this type and content."""
    digest = hashlib.sha1(_NAMES[kind] + b" %d\0" % len(data))
    digest.update(data)
    return digest.digest()


def tree_data(entries: Iterable[tuple[bytes, bytes, bytes]]) -> bytes:
    """A tree object's content from (mode, name, 20-byte id) entries, in git's order (a folder sorts as `name/`)."""
    ordered = sorted(entries, key=lambda entry: entry[1] + b"/" if entry[0] == TREE_MODE else entry[1])
    return b"".join(mode + b" " + name + b"\0" + oid for mode, name, oid in ordered)


def _entry_header(kind: int, size: int) -> bytes:
    """A pack entry's header: type and size, seven bits a byte after the first four."""
    out = bytearray()
    byte = (kind << 4) | (size & 0x0F)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    out.append(byte)
    return bytes(out)


class PackWriter:
    """Objects streamed into a new pack in `git_dir/objects/pack`; `close()` writes its index.

    Each object is written once (a repeated id is skipped). Nothing is kept in memory but
    each object's id, offset and checksum.
    """

    def __init__(self, git_dir: Path) -> None:
        self.folder = git_dir / "objects" / "pack"
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="tmp_pack_", dir=self.folder)
        self.temp = Path(name)
        self.stream = os.fdopen(fd, "w+b")
        self.stream.write(b"PACK" + struct.pack(">II", 2, 0))  # the count is filled in at the end
        self.offset = 12
        self.entries: dict[bytes, tuple[int, int]] = {}  # id -> (offset, crc32 of the entry)

    def add(self, kind: int, data: bytes) -> bytes:
        """Store an object; its id."""
        oid = object_id(kind, data)
        if oid not in self.entries:
            entry = _entry_header(kind, len(data)) + zlib.compress(data, _LEVEL)
            self.stream.write(entry)
            self.entries[oid] = (self.offset, zlib.crc32(entry))
            self.offset += len(entry)
        return oid

    def close(self) -> str:
        """Finish the pack and write its index; the pack's checksum (hex), which names both files."""
        stream = self.stream
        stream.seek(8)
        stream.write(struct.pack(">I", len(self.entries)))
        stream.flush()
        stream.seek(0)
        digest = hashlib.sha1()
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
        checksum = digest.digest()
        stream.seek(0, os.SEEK_END)
        stream.write(checksum)
        stream.close()
        name = checksum.hex()
        index = _index(self.entries, checksum)
        (self.folder / f"pack-{name}.idx").write_bytes(index)
        os.replace(self.temp, self.folder / f"pack-{name}.pack")
        return name

    def abandon(self) -> None:
        self.stream.close()
        self.temp.unlink(missing_ok=True)


def _index(entries: Mapping[bytes, tuple[int, int]], checksum: bytes) -> bytes:
    """A version 2 pack index: fan-out, sorted ids, checksums, offsets, the pack's checksum, its own."""
    ids = sorted(entries)
    fanout = [0] * 256
    for oid in ids:
        fanout[oid[0]] += 1
    total = 0
    for first in range(256):
        total += fanout[first]
        fanout[first] = total
    if any(entries[oid][0] >= 1 << 31 for oid in ids):
        raise ValueError("a pack over 2 GiB needs an index with large offsets")
    body = b"".join((
        _IDX_MAGIC, struct.pack(">I", 2), struct.pack(">256I", *fanout), b"".join(ids),
        struct.pack(f">{len(ids)}I", *(entries[oid][1] for oid in ids)),
        struct.pack(f">{len(ids)}I", *(entries[oid][0] for oid in ids)),
        checksum,
    ))
    return body + hashlib.sha1(body).digest()


# ---------------------------------------------------------------- bundles from that pack


def _read_index(data: bytes) -> dict[bytes, int] | None:
    """id -> offset from a version 2 index without large offsets; None if it is not one."""
    if len(data) < 8 + 1024 + 40 or data[:4] != _IDX_MAGIC or struct.unpack(">I", data[4:8])[0] != 2:
        return None
    count = struct.unpack(">I", data[8 + 255 * 4 : 8 + 256 * 4])[0]
    ids_at = 8 + 1024
    offsets_at = ids_at + 20 * count + 4 * count
    if len(data) != offsets_at + 4 * count + 40:
        return None
    offsets = struct.unpack(f">{count}I", data[offsets_at : offsets_at + 4 * count])
    return {data[ids_at + 20 * n : ids_at + 20 * n + 20]: offsets[n] for n in range(count)}


def _entry_kind(head: bytes) -> tuple[int, int]:
    """A pack entry's type and the length of its header."""
    kind = (head[0] >> 4) & 0x07
    length = 1
    while head[length - 1] & 0x80:
        length += 1
    return kind, length


def write_pack_bundle(git_dir: Path, refs: Mapping[str, str], out: Path) -> Path | None:
    """`out`, a bundle of `refs` (full ref name -> commit id) and all they reach, from the one pack `PackWriter` wrote in `git_dir`.

    None when `git_dir` is not such a repository (loose objects, more than one pack, a delta):
    git must make the bundle then. `ValueError` when a ref names no commit of the pack.
    The file appears whole or not at all.
    """
    folder = git_dir / "objects" / "pack"
    try:
        indexes = [p for p in folder.iterdir() if p.suffix == ".idx"]
        loose = any(len(p.name) == 2 for p in (git_dir / "objects").iterdir())
    except OSError:
        return None
    if len(indexes) != 1 or loose:
        return None
    offsets = _read_index(indexes[0].read_bytes())
    if offsets is None:
        return None
    with indexes[0].with_suffix(".pack").open("rb") as pack:
        data = pack.read()
    if data[:4] != b"PACK" or len(data) < 32:
        return None
    ends = sorted(offsets.values()) + [len(data) - 20]
    extent = {start: ends[n + 1] for n, start in enumerate(ends[:-1])}
    entries: dict[bytes, tuple[int, int]] = {}  # id -> (start, end) of the entry in `data`, for what the refs reach
    pending = [(bytes.fromhex(commit), COMMIT) for commit in refs.values()]
    while pending:
        oid, kind = pending.pop()
        if oid in entries:
            continue
        start = offsets.get(oid)
        if start is None:
            raise ValueError(f"no {_NAMES[kind].decode()} {oid.hex()[:12]} in {git_dir}")
        end = extent[start]
        found, length = _entry_kind(data[start : start + 10])
        if found not in _NAMES:
            return None  # a delta: not a pack written here
        if found != kind:
            raise ValueError(f"{oid.hex()[:12]} in {git_dir} is a {_NAMES[found].decode()}, not a {_NAMES[kind].decode()}")
        entries[oid] = (start, end)
        if kind == BLOB:
            continue
        content = zlib.decompress(data[start + length : end])
        if kind == COMMIT:
            for line in content.split(b"\n\n", 1)[0].split(b"\n"):
                if line.startswith(b"tree "):
                    pending.append((bytes.fromhex(line[5:].decode("ascii")), TREE))
                elif line.startswith(b"parent "):
                    pending.append((bytes.fromhex(line[7:].decode("ascii")), COMMIT))
            continue
        at = 0
        while at < len(content):
            space = content.index(b" ", at)
            nul = content.index(b"\0", space)
            mode = content[at:space]
            if mode != b"160000":  # a submodule's commit is not in this repository
                pending.append((content[nul + 1 : nul + 21], TREE if mode == TREE_MODE else BLOB))
            at = nul + 21
    header = b"# v2 git bundle\n" + b"".join(f"{commit} {name}\n".encode("ascii") for name, commit in refs.items()) + b"\n"
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(header)
            digest = hashlib.sha1()
            head = b"PACK" + struct.pack(">II", 2, len(entries))
            stream.write(head)
            digest.update(head)
            for start, end in sorted(entries.values()):  # in the order they were written: parents' trees before children's
                piece = data[start:end]
                stream.write(piece)
                digest.update(piece)
            stream.write(digest.digest())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return out
