"""Git objects, packs and bundles written in Python, without starting git.

An imported session's code is a chain of commits Tutor builds from text it holds in
memory (`commit_chain`). Starting `git init`, `git fast-import`, `git update-ref` and `git
bundle create` for it cost more than everything else the import does with that code, so
the objects are written here, in git's own formats, byte for byte as git writes them:

- `object_id(kind, data)`: the SHA-1 git names an object by (`blob`, `tree`, `commit`);
- `PackWriter`: a pack (`objects/pack/pack-<sum>.pack`, version 2, whole objects, no
  deltas) and its index (`.idx`, version 2), as `git index-pack` would make them;
- `write_pack_bundle(git_dir, refs, out)`: a `# v2 git bundle` of the objects reachable
  from `refs` in a chain `commit_chain` wrote: a prefix of its pack, copied as it is
  (nothing parsed or compressed twice); None for any other repository, so the caller
  can ask git.

Only SHA-1 repositories are written (what `init_bare` makes by default).
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import zlib
from bisect import bisect_right
from collections.abc import Mapping
from pathlib import Path

__all__ = ["BLOB", "CHAIN_FILE", "COMMIT", "TREE", "PackWriter", "object_id", "write_pack_bundle"]

COMMIT, TREE, BLOB = 1, 2, 3  # the pack's type numbers
OFS_DELTA = 6  # a delta against an object earlier in the pack, named by its distance back
MAX_DELTA_DEPTH = 50  # as git's `pack.depth`: reading an object resolves at most this many deltas
_MIN_SHARED = 64  # bytes a delta must save: below, the object is stored whole
_NAMES = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}
_IDX_MAGIC = b"\377tOc"
CHAIN_FILE = "tutor-chain"  # in a repository `commit_chain` wrote: the name of its pack
_CHUNK = 64 * 1024  # read back a piece at a time: a pack is never held whole (the import keeps within 3x its file)
_LEVEL = 1  # zlib's fastest: the code of a session is small, and compresses well enough
# Smaller entries (most deltas, trees and commits) are stored, not compressed: setting up a compressor costs ~10 us,
# more than compressing them saves (measured on an import's 465 objects: 4.7 ms -> 3.0 ms, the pack 8% larger).
_STORED_BELOW = 256
FILE_MODE = b"100644"
TREE_MODE = b"40000"


def _deflated(data: bytes) -> bytes:
    return zlib.compress(data, _LEVEL if len(data) >= _STORED_BELOW else 0)


def object_id(kind: int, data: bytes) -> bytes:
    """The 20-byte SHA-1 of a git object of this type and content."""
    digest = hashlib.sha1(_NAMES[kind] + b" %d\0" % len(data))
    digest.update(data)
    return digest.digest()


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
    each object's id, offset, checksum and delta depth.
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
        self.depth: dict[bytes, int] = {}  # id -> how many deltas stand between it and a whole object (none: 0)

    def add(self, kind: int, data: bytes, base: tuple[bytes, bytes] | None = None) -> bytes:
        """Store an object; its id. `base`: (id, content) of an object written before, most of whose
        bytes this one shares (the file or folder as the commit before had it): stored as a delta
        against it when that is much smaller (as git's own packs are), so a long session's many
        versions of a file cost what changed, in time and in bytes."""
        oid = object_id(kind, data)
        if oid in self.entries:
            return oid
        delta = None
        if base is not None and base[0] in self.entries and self.depth.get(base[0], 0) < MAX_DELTA_DEPTH:
            delta = _delta(base[1], data)
        if delta is not None and base is not None:
            distance = self.offset - self.entries[base[0]][0]
            entry = _entry_header(OFS_DELTA, len(delta)) + _offset_bytes(distance) + _deflated(delta)
            self.depth[oid] = self.depth.get(base[0], 0) + 1
        else:
            entry = _entry_header(kind, len(data)) + _deflated(data)
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
        while chunk := stream.read(_CHUNK):
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


def _offset_bytes(distance: int) -> bytes:
    """How far back an OFS_DELTA's base is, in git's encoding (seven bits a byte, each but the last plus one)."""
    out = [distance & 0x7F]
    distance >>= 7
    while distance:
        distance -= 1
        out.append(0x80 | (distance & 0x7F))
        distance >>= 7
    return bytes(reversed(out))


def _size_bytes(size: int) -> bytes:
    out = bytearray()
    while True:
        byte = size & 0x7F
        size >>= 7
        if not size:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _shared_head(a: bytes, b: bytes, limit: int) -> int:
    """How many first bytes `a` and `b` share (at most `limit`), by halving: each test compares in C."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _shared_tail(a: bytes, b: bytes, limit: int) -> int:
    """How many last bytes `a` and `b` share (at most `limit`)."""
    low, high = 0, limit
    la, lb = len(a), len(b)
    while low < high:
        middle = (low + high + 1) // 2
        if a[la - middle : la - low] == b[lb - middle : lb - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _copy(offset: int, size: int) -> bytes:
    """A delta instruction copying `size` bytes (1 to 0xFFFFFF) of the base from `offset`: only the non-zero bytes of each are written."""
    code = 0x80
    out = bytearray()
    for bit, byte in enumerate(offset.to_bytes(4, "little")):
        if byte:
            code |= 1 << bit
            out.append(byte)
    for bit, byte in enumerate(size.to_bytes(3, "little")):
        if byte:
            code |= 0x10 << bit
            out.append(byte)
    return bytes([code]) + bytes(out)


def _delta(base: bytes, target: bytes) -> bytes | None:
    """`target` as git delta data against `base`: the bytes they share at the start and at the end copied,
    what lies between inserted. None when that saves too little (a file rewritten, not edited)."""
    limit = min(len(base), len(target))
    head = _shared_head(base, target, limit)
    tail = _shared_tail(base, target, limit - head)
    if head + tail < max(_MIN_SHARED, len(target) // 2) or len(base) >= 1 << 32:
        return None
    out = [_size_bytes(len(base)), _size_bytes(len(target))]
    for start in range(0, head, 0xFFFFFF):
        out.append(_copy(start, min(0xFFFFFF, head - start)))
    middle = target[head : len(target) - tail]
    for start in range(0, len(middle), 0x7F):
        piece = middle[start : start + 0x7F]
        out.append(bytes([len(piece)]) + piece)
    base_tail = len(base) - tail
    for start in range(0, tail, 0xFFFFFF):
        out.append(_copy(base_tail + start, min(0xFFFFFF, tail - start)))
    return b"".join(out)


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


def write_pack_bundle(git_dir: Path, refs: Mapping[str, str], out: Path, *, durable: bool = True) -> Path | None:
    """`out`, a bundle of `refs` (full ref name -> commit id) and all they reach, from the chain `commit_chain` wrote in `git_dir`.

    The chain is linear and its pack holds each object where the first commit that needs it
    was written, after its blobs and trees: what a commit reaches is exactly the pack up to
    that commit's entry. So the bundle is the pack's entries up to the latest commit the refs
    name, copied as they are. None when `git_dir` is not such a repository (no `CHAIN_FILE`
    naming its one pack, or a ref to anything but a commit of that pack): git must make the
    bundle then. The file appears whole or not at all; `durable`: and is on disk (fsync) before it appears (not for
    a bundle in a temporary folder, copied elsewhere).
    """
    try:
        pack_name = (git_dir / CHAIN_FILE).read_text(encoding="ascii").strip()
        folder = git_dir / "objects" / "pack"
        packs = sorted(p.name for p in folder.iterdir() if p.suffix == ".pack")
        index = (folder / f"{pack_name}.idx").read_bytes()
    except (OSError, UnicodeDecodeError):
        return None
    offsets = _read_index(index) if packs == [f"{pack_name}.pack"] else None
    if offsets is None:
        return None
    starts = sorted(offsets.values())
    with (folder / f"{pack_name}.pack").open("rb") as pack:
        size = os.fstat(pack.fileno()).st_size
        last = -1
        for commit in refs.values():
            start = offsets.get(bytes.fromhex(commit))
            if start is not None:
                pack.seek(start)
                if (pack.read(1)[0] >> 4) & 0x07 == COMMIT:
                    last = max(last, start)
                    continue
            return None  # not a commit of the chain (git may know it, or say what it is)
        count = bisect_right(starts, last)
        end = starts[count] if count < len(starts) else size - 20
        header = b"# v2 git bundle\n" + b"".join(f"{commit} {name}\n".encode("ascii") for name, commit in refs.items()) + b"\n"
        out = out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(header)
                digest = hashlib.sha1()
                head = b"PACK" + struct.pack(">II", 2, count)
                stream.write(head)
                digest.update(head)
                pack.seek(12)
                left = end - 12
                while left > 0:
                    piece = pack.read(min(left, _CHUNK))
                    if not piece:
                        raise OSError(f"{pack_name}.pack in {git_dir} is shorter than its index says")
                    stream.write(piece)
                    digest.update(piece)
                    left -= len(piece)
                stream.write(digest.digest())
                stream.flush()
                if durable:
                    os.fsync(stream.fileno())
            os.replace(temp, out)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return out
