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
import itertools
from collections.abc import Iterable, Iterator
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
CHUNK = 64 * 1024  # read at a time: small, so that the lines of a chunk in flight add little to the records kept


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
    read = 0
    while True:
        chunk = head or stream.read(CHUNK)
        head = b""
        if not chunk:
            break
        read += len(chunk)
        if read > limit:
            raise Grew
        if skip:
            chunk, skip = chunk[skip:], max(0, skip - len(chunk))
        yield chunk if decoder is None else decoder.decode(chunk).encode("utf-8")
    if decoder is not None:
        yield decoder.decode(b"", final=True).encode("utf-8")


def lines(chunks: Iterator[bytes]) -> Iterator[bytes | None]:
    """Each line of the text (split on `\\n` only, without it), or None for one over `MAX_RECORD_BYTES` (never held whole).

    A raw U+2028, NEL or form feed inside a record (Node writes them unescaped) is part of its line.
    """
    pending: list[bytes] = []  # the start of a line that goes on in the next chunk
    pending_size = 0
    skipping = False  # in a line already too long: dropped up to its end
    for chunk in chunks:
        parts = chunk.split(b"\n")
        last = parts.pop()
        rest: Iterable[bytes] = parts
        if parts and (pending or skipping):  # the line the chunk before began ends here
            if skipping or pending_size + len(parts[0]) > MAX_RECORD_BYTES:
                yield None
            else:
                yield b"".join(pending) + parts[0]
            pending, pending_size, skipping = [], 0, False
            rest = itertools.islice(parts, 1, None)
        if len(chunk) <= MAX_RECORD_BYTES:
            yield from rest  # each shorter than its chunk: no line of it is too long
        else:
            for part in rest:
                yield part if len(part) <= MAX_RECORD_BYTES else None
        if skipping or not last:
            continue
        pending.append(last)
        pending_size += len(last)
        if pending_size > MAX_RECORD_BYTES:
            pending, pending_size, skipping = [], 0, True
    if skipping:
        yield None
    elif pending:
        yield b"".join(pending)
