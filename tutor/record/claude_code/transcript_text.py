"""A transcript's bytes as UTF-8 text: its encoding told, decoded a chunk at a time, split into lines.

Claude Code writes UTF-8. Files met in the wild are also UTF-8 with a byte-order mark,
UTF-16 (LE or BE) and UTF-32 with one, as PowerShell's `>` writes them, and UTF-16
without one, told from where its NUL bytes are. A file with NUL bytes that is not UTF-16
is binary (`NotText`). Text that does not decode becomes U+FFFD. Whatever the encoding,
the text is handed on as UTF-8; the limits count the file's own bytes (`Grew`) and each
line's UTF-8 bytes (`MAX_RECORD_BYTES`: a longer line is never held whole).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from typing import BinaryIO

from tutor.lesson.limits import MAX_RECORD_BYTES

__all__ = ["CHUNK", "HEAD_BYTES", "Grew", "NotText", "detect_encoding", "lines", "utf8_chunks"]

_BOMS = (  # longest first: the UTF-32 LE mark begins with UTF-16 LE's
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 with a byte-order mark"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
HEAD_BYTES = 8192  # what the encoding is told from
CHUNK = 64 * 1024  # read at a time (at most: a read asks for no more than the file still holds)


class NotText(Exception):
    """The file's bytes are not text in an encoding a transcript is written in."""


class Grew(Exception):
    """The file grew past the limit while being read."""


def detect_encoding(head: bytes) -> tuple[str, int, str]:
    """(codec, length of the byte-order mark, how to name it; "" for plain UTF-8) of a file starting with `head`.

    Raises `NotText` for bytes with NULs that are not UTF-16: JSON text in UTF-8 never has one.
    """
    for mark, codec, name in _BOMS:
        if head.startswith(mark):
            return codec, len(mark), name
    if b"\x00" not in head:
        return "utf-8", 0, ""
    sample = head[: len(head) - len(head) % 2]
    even, odd = sample[0::2], sample[1::2]
    # Text that is mostly ASCII (JSON's keys and punctuation are) has every other byte NUL.
    if len(odd) >= 2 and odd.count(0) * 2 > len(odd) and even.count(0) * 10 < len(even):
        return "utf-16-le", 0, "UTF-16 LE without a byte-order mark"
    if len(even) >= 2 and even.count(0) * 2 > len(even) and odd.count(0) * 10 < len(odd):
        return "utf-16-be", 0, "UTF-16 BE without a byte-order mark"
    raise NotText("a binary file, not JSON lines")


def utf8_chunks(stream: BinaryIO, codec: str, skip: int, limit: int, head: bytes = b"") -> Iterator[bytes]:
    """The file's text as UTF-8, a chunk at a time: `head` (what was already read of it), then the
    rest of `stream`, the first `skip` bytes (a byte-order mark) left out.

    Raises `Grew` once more than `limit` bytes were read.
    """
    decoder = None if codec == "utf-8" else codecs.getincrementaldecoder(codec)("replace")
    read = len(head)
    left = _left(stream)
    while True:
        if head:
            chunk, head = head, b""
        else:
            # A read of n bytes sets n bytes aside before it knows how many come: no more than the file still holds,
            # so that a short transcript's import is not a 64 KiB buffer for a few KiB of text.
            chunk = stream.read(CHUNK if left is None else max(1, min(CHUNK, left)))
            if not chunk:
                break
            read += len(chunk)
            if left is not None:
                # Past what its size said (a session still being written, a file whose size says nothing: the
                # one-byte read after the last got something): whole chunks from here.
                left = None if left <= 0 else left - len(chunk)
        if read > limit:
            raise Grew
        if skip:
            chunk, skip = chunk[skip:], max(0, skip - len(chunk))
        yield chunk if decoder is None else decoder.decode(chunk).encode("utf-8")
    if decoder is not None:
        yield decoder.decode(b"", final=True).encode("utf-8")


def _left(stream: BinaryIO) -> int | None:
    """How many bytes `stream` holds past where it stands (None: unknown, such as a pipe or bytes in memory)."""
    try:
        return os.fstat(stream.fileno()).st_size - stream.tell()
    except (OSError, AttributeError, ValueError):  # io.UnsupportedOperation is both of the last
        return None


def lines(chunks: Iterator[bytes]) -> Iterator[bytes | None]:
    """Each line of the text (split on `\\n` only, without it), or None for one over `MAX_RECORD_BYTES` (never held whole).

    A raw U+2028, NEL or form feed inside a record (Node writes them unescaped) is part of its line. A chunk's lines
    are cut out one at a time, each as it is asked for: a chunk is never held twice (whole and as its lines).
    """
    pending: list[bytes] = []  # the start of a line that goes on in the next chunk
    pending_size = 0
    skipping = False  # in a line already too long: dropped up to its end
    for chunk in chunks:
        start = 0
        end = chunk.find(b"\n")
        if end >= 0 and (pending or skipping):  # the line the chunk before began ends here
            if skipping or pending_size + end > MAX_RECORD_BYTES:
                yield None
            else:
                yield b"".join(pending) + chunk[:end]
            pending, pending_size, skipping = [], 0, False
            start, end = end + 1, chunk.find(b"\n", end + 1)
        while end >= 0:
            yield chunk[start:end] if end - start <= MAX_RECORD_BYTES else None
            start, end = end + 1, chunk.find(b"\n", end + 1)
        if skipping or start == len(chunk):
            continue
        last = chunk[start:] if start else chunk
        pending.append(last)
        pending_size += len(last)
        if pending_size > MAX_RECORD_BYTES:
            pending, pending_size, skipping = [], 0, True
    if skipping:
        yield None
    elif pending:
        yield b"".join(pending)
