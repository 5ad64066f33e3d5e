"""A known secret value as it may appear in stored text: as is, or encoded by a command.

An agent that reads a secret can print it encoded: `base64 /proc/$PPID/environ`,
`xxd -p`, `python -c 'print(quote(...))'`. `variants(value)` gives the forms that are
matched wherever they occur:

- as is, JSON-escaped, URL-encoded (`quote` with and without `/` kept, `quote_plus`);
- hex, lower and upper case;
- base64 and base64url, at each of the three alignments a value can have inside a
  longer encoded blob (the value's bytes start at an offset of 0, 1 or 2 modulo 3).
  Only the characters that depend on the value alone are kept: the first one to three
  and the last one or two characters of an encoding also hold bits of the bytes around it.

Encoded forms shorter than `MIN_ENCODED` characters are left out: too likely to occur
by chance in other base64 or hex.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

__all__ = ["MIN_ENCODED", "variants"]

MIN_ENCODED = 8


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
    return out


def _base64_core(raw: bytes, offset: int) -> str:
    """The base64 characters of `raw` that do not depend on its neighbours, when it starts `offset` bytes into a group of three."""
    encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
    bits = 8 * (offset + len(raw))
    first = -(-8 * offset // 6)  # the first character whose 6 bits are all the value's
    last = bits // 6  # characters [first, last) hold only the value's bits
    return encoded[first:last]
