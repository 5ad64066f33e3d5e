"""The one boundary for text from outside: how a string from a lesson, a bundle, a transcript,
a journal, the progress store or a command's output may be shown.

Such text is data, never instructions to the terminal. Whatever it holds, what `shown` returns
has no escape byte, no C0 control but tab and newline, no DEL, no C1 control, no lone
surrogate and no bidirectional control, so printed or drawn it can neither move the cursor,
set the window title, fill the clipboard (OSC 52), make a link (OSC 8) nor make a command
read differently from the one that runs:

- every escape sequence (CSI, OSC, DCS, SOS, PM, APC, in their 7-bit and 8-bit forms, and
  any other ESC-introduced one) becomes one visible placeholder, `�`; an unterminated string
  sequence (OSC, DCS, …) ends at the end of its line;
- every other control character becomes `�` too (a backspace cannot hide what precedes it);
  `\\r\\n` and a lone `\\r` become a newline, as do U+2028 and U+2029;
- bidirectional controls (RLO, LRI, …) are shown as named markers, `⟨RLO⟩`.

`exact` shows, in addition, the invisible characters (zero-width space and joiners, word
joiner, soft hyphen, tag characters, …) as markers: for commands and paths, whose every
character counts. `one_line` is for a table cell or a title: line breaks and tabs read as
spaces. With `limit`, long text is cut with a note of how much is not shown, so a 20 MB field
costs what its first screenful costs.

All of them are pure, idempotent (without a limit) and leave text with nothing to remove
unchanged. Whether text is then read as Markdown is up to its caller; it is never markup.
"""

from __future__ import annotations

import functools
import re
import unicodedata

PLACEHOLDER = "\N{REPLACEMENT CHARACTER}"
ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"

# How much of one field a screen or a printer shows at most (lesson prose, a command's output).
FIELD_LIMIT = 20_000
LINE_LIMIT = 2_000  # one line of output, a table cell's source

BIDI_NAMES = {
    "\u061c": "ALM",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}
INVISIBLE_NAMES = {
    "\u00ad": "SHY",
    "\u034f": "CGJ",
    "\u115f": "U+115F",
    "\u1160": "U+1160",
    "\u180e": "MVS",
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u2060": "WJ",
    "\u2061": "U+2061",
    "\u2062": "U+2062",
    "\u2063": "U+2063",
    "\u2064": "U+2064",
    "\u3164": "U+3164",
    "\ufeff": "BOM",
    "\uffa0": "U+FFA0",
}

# An escape sequence, whole. String sequences (OSC `ESC ]`, DCS `ESC P`, SOS `ESC X`, PM `ESC ^`,
# APC `ESC _`, and their 8-bit forms) run to BEL or ST (`ESC \` or 0x9c), else to the line's end.
_STRING_SEQUENCE = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
_OTHER_ESCAPE = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"
_SEQUENCE = f"{_STRING_SEQUENCE}|{_CSI}|{_OTHER_ESCAPE}"
_BREAK = r"\r\n?|[\u2028\u2029]"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"
_BIDI = "[" + "".join(BIDI_NAMES) + "]"
_INVISIBLE = "[" + "".join(INVISIBLE_NAMES) + r"\U000e0000-\U000e007f]"

# What is replaced: a whole escape sequence, a line break, a control character, a bidi control.
_UNSAFE = f"(?P<seq>{_SEQUENCE})|(?P<br>{_BREAK})|(?P<ctl>{_CONTROL})|(?P<bidi>{_BIDI})"
# Where a match of `_UNSAFE` can begin: every character that is not safe to print.
_START = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029{''.join(BIDI_NAMES)}]")


@functools.cache
def _patterns(exact: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Where a replacement can begin, and what is replaced; for `exact` text (a command, a path) the invisible
    characters too. Compiled when first needed (~1 ms each: their classes span the surrogates): most text has nothing
    to replace, and only `_START` is needed to know that."""
    if not exact:
        return _START, re.compile(_UNSAFE)
    start = re.compile(f"{_START.pattern[:-1]}{''.join(INVISIBLE_NAMES)}\\U000e0000-\\U000e007f]")
    return start, re.compile(f"{_UNSAFE}|(?P<inv>{_INVISIBLE})")


_FORBIDDEN = _START  # what no shown text ever holds
_FLAT = str.maketrans({"\n": " ", "\t": " "})


def _marker(name: str) -> str:
    return f"\N{MATHEMATICAL LEFT ANGLE BRACKET}{name}\N{MATHEMATICAL RIGHT ANGLE BRACKET}"


def _replacement(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "br":
        return "\n"
    if kind == "bidi":
        return _marker(BIDI_NAMES[match.group()])
    if kind == "inv":
        char = match.group()
        return _marker(INVISIBLE_NAMES.get(char) or f"U+{ord(char):04X}")
    return PLACEHOLDER  # an escape sequence or a control character


def _clean(text: str, limit: int | None, *, exact: bool, flat: bool) -> tuple[str, int]:
    """The text made safe, cut to `limit` characters: (what is shown, raw characters left out)."""
    start = _START if not exact else _patterns(True)[0]
    if (limit is None or len(text) <= limit) and start.search(text) is None:  # most text: nothing to change, nothing to cut
        return (text.translate(_FLAT) if flat and ("\n" in text or "\t" in text) else text), 0
    start, pattern = _patterns(exact)
    out: list[str] = []
    size = position = 0
    while True:
        # A character class finds the next suspect fast (a whole 20 MB field in milliseconds);
        # only there is the full pattern tried.
        window = len(text) if limit is None else min(len(text), position + limit - size + 1)
        found = start.search(text, position, window)
        end = found.start() if found is not None else window
        plain = text[position:end]
        if flat:
            plain = plain.translate(_FLAT)
        if limit is not None and size + len(plain) > limit:
            out.append(plain[: limit - size])
            return "".join(out), len(text) - (position + limit - size)
        out.append(plain)
        size += len(plain)
        if found is None:
            return "".join(out), 0  # the window ended with the text (else the limit cut it above)
        match = pattern.match(text, end)
        assert match is not None  # every character `start` finds begins a match
        piece = _replacement(match)
        if flat and piece == "\n":
            piece = " "
        if limit is not None and size + len(piece) > limit:
            return "".join(out), len(text) - end
        out.append(piece)
        size += len(piece)
        position = match.end()


def _note(left: int) -> str:
    return f"{ELLIPSIS} ({left:,} more character{'s' if left != 1 else ''} not shown)"


def shown(text: str, *, limit: int | None = None) -> str:
    """`text` as it may reach a screen or a terminal: escape sequences and controls as `�`, bidi controls as `⟨RLO⟩`.

    With `limit`, at most that many characters of it, then "… (N more characters not shown)".
    """
    cleaned, left = _clean(str(text), limit, exact=False, flat=False)
    return cleaned + _note(left) if left else cleaned


def exact(text: str, *, limit: int | None = None) -> str:
    """Like `shown`, and invisible characters (zero-width space and joiners, soft hyphen, tags…) shown as markers too.

    For commands and paths: what is shown is, character for character, what runs.
    """
    cleaned, left = _clean(str(text), limit, exact=True, flat=False)
    return cleaned + _note(left) if left else cleaned


def one_line(text: str, *, limit: int | None = None, exact_text: bool = False) -> str:
    """`shown` on one line, for a table cell, a title or a label: line breaks and tabs read as spaces.

    With `limit`, cut there and ended with `…`.
    """
    cleaned, left = _clean(str(text), limit, exact=exact_text, flat=True)
    return cleaned[: max(limit - 1, 0)] + ELLIPSIS if left and limit is not None else cleaned


def is_safe(text: str) -> bool:
    """Whether `text` holds nothing `shown` would change (no control, escape, lone surrogate or bidi control)."""
    return _FORBIDDEN.search(text) is None


def unsafe_characters(text: str) -> list[str]:
    """The characters that make `text` unsafe to print, each named (for a test's failure message)."""
    return [f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip() for char in _FORBIDDEN.findall(text)]


SAFE_LINK_SCHEMES = ("http", "https", "mailto")


def is_safe_link(href: str) -> bool:
    """Whether a link from a lesson may be followed: http, https and mailto only (no `file:`, no custom scheme).

    A link with no scheme (relative) is refused too: in a document opened from disk it is a `file:` link.
    """
    match = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", href)
    return match is not None and match.group(1).lower() in SAFE_LINK_SCHEMES
