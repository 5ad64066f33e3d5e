"""A known secret value as it may appear in stored text: as is, or encoded by a command.

An agent that reads a secret can print it encoded: `base64 /proc/$PPID/environ`,
`xxd -p`, `python -c 'print(quote(...))'`. `variants(value)` gives the forms that are
matched wherever they occur:

- as is, JSON-escaped, URL-encoded (`quote` with and without `/` kept, `quote_plus`);
- hex, lower and upper case;
- base64 and base64url, at each of the three alignments a value can have inside a
  longer encoded blob (the value's bytes start at an offset of 0, 1 or 2 modulo 3).
  Only the characters that depend on the value alone are kept: the first one to three
  and the last one or two characters of an encoding also hold bits of the bytes around it;
- URL-encoded with lower-case hex (`ab%2fcd`: `quote` writes `%2F`, other encoders do
  not), and with every byte percent-encoded (`%5A%71...`, upper and lower case);
- byte by byte: `\\x67\\x68...` (lower and upper case hex), a C array as `xxd -i` prints
  it (`0x67, 0x68, ...`, wrapped 12 a line: the form is given without its spaces, and the
  redactor finds values of 12 characters or more with whitespace anywhere inside them),
  and JSON with every character a `\\u00XX` escape (lower and upper case hex);
- UTF-16LE (as PowerShell encodes text: `-EncodedCommand`, `[Text.Encoding]::Unicode`):
  hex, lower and upper case, and base64 at the three alignments.

Encoded forms shorter than `MIN_ENCODED` characters are left out: too likely to occur
by chance in other base64 or hex. The byte-by-byte and UTF-16LE forms are only made for
values of `MIN_SPELLED` characters or more: they are long even for a short value, and a
short value spelled out byte by byte (`\\x61\\x62\\x63\\x64`) is ordinary in code.

Out of scope (not matched, documented): base32, base85/ascii85, uuencode, quoted-printable,
rot13 and other ciphers, reversed text, compressed forms (gzip, zlib, bzip2: `gzip | base64`
spreads each byte of the value over bits that depend on everything before it), hex dumps
with an offset and text column (`xxd`'s default layout, `hexdump -C`) whose lines cut the
value, and octal escapes (`od -c`, `printf '%q'` of non-ASCII bytes as `$'\\303'`).
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, quote_plus

__all__ = ["MIN_ENCODED", "MIN_SPELLED", "variants"]

MIN_ENCODED = 8
MIN_SPELLED = 8

_PERCENT = re.compile(r"%[0-9A-F]{2}")


def variants(value: str, minimum: int) -> list[str]:
    """`value` and the forms it takes when encoded, each at least `minimum` characters (encodings: `MIN_ENCODED`)."""
    out: list[str] = []

    def add(form: str, floor: int) -> None:
        if form and len(form) >= floor and form not in out:
            out.append(form)

    add(value, 1)
    for form in (json.dumps(value)[1:-1], quote(value, safe=""), quote(value), quote_plus(value)):
        add(form, min(len(value), minimum))
    raw = value.encode("utf-8", "surrogatepass")
    floor = max(MIN_ENCODED, min(len(value), minimum))
    add(raw.hex(), floor)
    add(raw.hex().upper(), floor)
    for offset in range(3):
        core = _base64_core(raw, offset)
        add(core, floor)
        add(core.replace("+", "-").replace("/", "_"), floor)
    for form in (quote(value, safe=""), quote(value), quote_plus(value)):
        add(_PERCENT.sub(lambda m: m.group().lower(), form), min(len(value), minimum))
    if len(value) < MIN_SPELLED:
        return out
    hexes = [f"{b:02x}" for b in raw]
    for case in (str.lower, str.upper):
        add(case("".join("%" + h for h in hexes)), floor)
        add("".join("\\x" + case(h) for h in hexes), floor)
        add("".join("\\u" + case(f"{u:04x}") for u in _utf16_units(value)), floor)
    add(",".join("0x" + h for h in hexes), floor)  # `xxd -i`: found with the spaces and line breaks removed
    wide = value.encode("utf-16-le", "surrogatepass")
    add(wide.hex(), floor)
    add(wide.hex().upper(), floor)
    for offset in range(3):
        add(_base64_core(wide, offset), floor)
    return out


def _utf16_units(value: str) -> list[int]:
    """The UTF-16 code units of `value` (a character outside the BMP is two: a surrogate pair), as JSON escapes them."""
    wide = value.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(wide[i : i + 2], "little") for i in range(0, len(wide), 2)]


def _base64_core(raw: bytes, offset: int) -> str:
    """The base64 characters of `raw` that do not depend on its neighbours, when it starts `offset` bytes into a group of three."""
    encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
    bits = 8 * (offset + len(raw))
    first = -(-8 * offset // 6)  # the first character whose 6 bits are all the value's
    last = bits // 6  # characters [first, last) hold only the value's bits
    return encoded[first:last]


def file_codec(data: bytes) -> str:
    """How a file's bytes are text: "utf-16" (with a byte-order mark), "utf-16-le"/"utf-16-be"
    (no mark, but every other byte of its start is zero, as Windows tools write it), else "utf-8".

    `iconv -t UTF-16 secrets.env > copy.env` must not carry a secret past redaction.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:64]
    if len(head) >= 8 and len(head) % 2 == 0:
        if not any(head[1::2]) and all(head[0::2]):
            return "utf-16-le"
        if not any(head[0::2]) and all(head[1::2]):
            return "utf-16-be"
    return "utf-8"

