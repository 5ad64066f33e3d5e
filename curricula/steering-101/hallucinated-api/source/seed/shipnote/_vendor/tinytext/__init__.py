"""tinytext: small helpers for plain-text output. No dependencies."""

__version__ = "1.2.0"
__all__ = ["shorten", "wrap"]


def wrap(text: str, width: int = 70, initial: str = "", subsequent: str = "") -> list[str]:
    """Break `text` into lines of at most `width` characters, at spaces.

    `initial` goes before the first line and `subsequent` before every other line;
    both count toward `width`. A word too long for any line gets a line of its own.
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        prefix = subsequent if lines else initial
        if line and len(prefix) + len(line) + 1 + len(word) <= width:
            line += " " + word
        elif line:
            lines.append(prefix + line)
            line = word
        else:
            line = word
    if line:
        lines.append((subsequent if lines else initial) + line)
    return lines


def shorten(text: str, width: int, placeholder: str = "...") -> str:
    """Collapse whitespace; if still longer than `width`, cut at a word and add `placeholder`."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    room = width - len(placeholder)
    cut = text[: room + 1].rsplit(" ", 1)[0] if room > 0 else ""
    return cut[:room].rstrip() + placeholder
