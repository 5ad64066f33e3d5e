"""Git objects, packs and bundles written in Python, without starting git.

An imported session's code is a chain of commits Tutor builds from text it holds in
memory (`commit_chain`). Starting `git init`, `git fast-import`, `git update-ref` and `git
bundle create` for it cost more than everything else the import does with that code, so
the objects are written here, in git's own formats, byte for byte as git writes them:

- `object_id(kind, data)`: the SHA-1 git names an object by (`blob`, `tree`, `commit`);
- `PackWriter`: a version 2 pack's entries, in memory: whole objects, or deltas against
  the version before (as git's own packs hold them);
- `chain_bundle(pack, refs)`: a `# v2 git bundle` of the objects reachable from `refs` in
  a chain `commit_chain` wrote: a prefix of its pack, copied as it is (nothing parsed or
  compressed twice).

Nothing is written to disk here: an import's code is small beside its transcript, and
a temporary repository's files cost more to write, flush and remove than to build.
Only SHA-1 objects are written (what `init_bare` makes by default).
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from bisect import bisect_right
from collections.abc import Mapping

__all__ = ["BLOB", "COMMIT", "TREE", "PackWriter", "chain_bundle", "object_id"]

COMMIT, TREE, BLOB = 1, 2, 3  # the pack's type numbers
OFS_DELTA = 6  # a delta against an object earlier in the pack, named by its distance back
MAX_DELTA_DEPTH = 50  # as git's `pack.depth`: reading an object resolves at most this many deltas
_MIN_SHARED = 64  # bytes a delta must save: below, the object is stored whole
_NAMES = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}
_HEX_ID = re.compile(r"[0-9a-f]{40}")
_LEVEL = 1  # zlib's fastest: the code of a session is small, and compresses well enough
# Smaller entries (most deltas, trees and commits) are stored, not compressed: compressing them saves little, and
# setting up a compressor costs more than the rest of writing them.
_STORED_BELOW = 256
# Objects shorter than this are not delta'd (measured on the corpus session's chain of 465 objects: 7.2 -> 6.4 ms,
# its bundle 81.8 -> 83.2 KB; at 256 bytes, 5.1 ms but 104 KB).
_DELTA_FROM = 128
FILE_MODE = b"100644"
TREE_MODE = b"40000"


def _deflated(data: bytes) -> bytes:
    """`data` as a zlib stream (what a pack entry holds): stored as it is when short, else compressed.

    A compressor set up with zlib's defaults allocates ~256 KiB (a 32 KiB window, a 64 KiB hash)
    whatever the input's size (measured, compressors made one after another: 31 us for 300 bytes,
    4 us with the window sized to the data, as a longer one finds nothing more in it, and a smaller
    hash; the output the same size but for a few bytes in a thousand).
    """
    if len(data) < _STORED_BELOW:
        # RFC 1950/1951 by hand: header (deflate, 32 KiB window, no dictionary), one final stored block, Adler-32.
        return b"\x78\x01\x01" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data + struct.pack(">I", zlib.adler32(data))
    window = min(15, max(9, (len(data) - 1).bit_length()))
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, window, 4 if len(data) < 1 << 16 else 8)
    return compressor.compress(data) + compressor.flush()


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
    """Objects streamed into a pack's entries, held in memory (`chain_bundle` makes a bundle of them).

    Each object is written once (a repeated id is skipped). Kept beside the entries: each
    object's offset (as in a pack, after its 12-byte header) and delta depth.
    """

    def __init__(self) -> None:
        self.stream = io.BytesIO()
        self.stream.write(b"PACK" + struct.pack(">II", 2, 0))  # a placeholder: offsets count from the pack's start, and a bundle writes its own header
        self.offset = 12
        self.offsets: dict[bytes, int] = {}  # id -> offset of its entry
        self.depth: dict[bytes, int] = {}  # id -> how many deltas stand between it and a whole object (none: 0)

    def add(self, kind: int, data: bytes, base: tuple[bytes, bytes] | None = None) -> bytes:
        """Store an object; its id. `base`: (id, content) of an object written before, most of whose
        bytes this one shares (the file or folder as the commit before had it): stored as a delta
        against it when that is much smaller (as git's own packs are), so a long session's many
        versions of a file cost what changed, in time and in bytes."""
        oid = object_id(kind, data)
        if oid in self.offsets:
            return oid
        delta = None
        # A short object (a small folder's tree, most of a chain's objects) is stored whole: its delta would save a few
        # dozen bytes, and cost more time than the rest of writing it.
        if len(data) >= _DELTA_FROM and base is not None and base[0] in self.offsets and self.depth.get(base[0], 0) < MAX_DELTA_DEPTH:
            delta = _delta(base[1], data)
        if delta is not None and base is not None:
            distance = self.offset - self.offsets[base[0]]
            entry = _entry_header(OFS_DELTA, len(delta)) + _offset_bytes(distance) + _deflated(delta)
            self.depth[oid] = self.depth.get(base[0], 0) + 1
        else:
            entry = _entry_header(kind, len(data)) + _deflated(data)
        self.stream.write(entry)
        self.offsets[oid] = self.offset
        self.offset += len(entry)
        return oid


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


def chain_bundle(pack: PackWriter, refs: Mapping[str, str]) -> bytes:
    """A `# v2 git bundle` of `refs` (full ref name -> commit id) and all they reach, from the pack of a chain
    (`commit_chain`): ValueError when a ref names anything but a commit of that pack.

    The chain is linear and its pack holds each object where the first commit that needs it
    was written, after its blobs and trees: what a commit reaches is exactly the pack up to
    that commit's entry. So the bundle is the pack's entries up to the latest commit the refs
    name, copied as they are (nothing parsed or compressed twice).
    """
    written = pack.stream.getvalue()  # the header (its count still 0) and the entries
    last = -1
    for commit in refs.values():
        start = pack.offsets.get(bytes.fromhex(commit)) if _HEX_ID.fullmatch(commit) else None
        if start is None or (written[start] >> 4) & 0x07 != COMMIT:
            raise ValueError(f"{commit[:12]!r} is no commit of the chain")
        last = max(last, start)
    starts = sorted(pack.offsets.values())
    count = bisect_right(starts, last)
    end = starts[count] if count < len(starts) else pack.offset
    header = b"# v2 git bundle\n" + b"".join(f"{commit} {name}\n".encode("ascii") for name, commit in refs.items()) + b"\n"
    body = b"".join((b"PACK", struct.pack(">II", 2, count), memoryview(written)[12:end]))
    return b"".join((header, body, hashlib.sha1(body).digest()))
