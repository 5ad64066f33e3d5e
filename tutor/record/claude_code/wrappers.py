"""Claude Code's machinery tags in a message's text (`<system-reminder>`, `<command-name>`, `<ide_selection>`...), found and taken out.

Claude Code dresses what it injects as markup inside the user's message: one tag per
injected thing, with or without attributes, several in one string or one per content
block. Only tags that are Claude Code's are taken out; a `<div>` the senior typed stays.
The scan is linear in the text: a transcript is hostile, and a prompt of fifty
megabytes full of unclosed tags must not take quadratic time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tags Claude Code wraps injected text in, 1.0.x to 2.1.x; families by prefix or suffix below.
_KNOWN_TAGS = frozenset({
    "system-reminder", "user-prompt-submit-hook", "user-memory-input", "local-command-caveat",
    "local-command-stdout", "local-command-stderr", "command-name", "command-message", "command-args",
    "command-contents", "bash-input", "bash-stdout", "bash-stderr", "ide_opened_file", "ide_selection",
    "ide_diagnostics", "new-diagnostics", "session-start-hook", "post-tool-use-hook",
})
_TAG_PREFIXES = ("ide_", "ide-", "local-command-", "command-", "bash-")
_TAG_SUFFIXES = ("-notification", "-hook")
_OPEN = re.compile(r"<([A-Za-z][\w-]{0,48})((?:\s[^<>]{0,400})?)>")
_MAX_TAGS = 10_000  # wrappers listed from one text; more are taken out all the same


def is_machinery_tag(name: str) -> bool:
    tag = name.lower()
    return tag in _KNOWN_TAGS or tag.startswith(_TAG_PREFIXES) or tag.endswith(_TAG_SUFFIXES)


@dataclass(frozen=True)
class Wrapper:
    """One machinery tag found in a text: its name (lower case), its body, and whether it was closed."""

    tag: str
    body: str
    closed: bool = True


def split_machinery(text: str) -> tuple[str, list[Wrapper]]:
    """The text with Claude Code's tags taken out, and the tags found, in order.

    An unclosed `<system-reminder>` takes the rest of the text with it (Claude Code appends
    reminders at the end); any other unclosed machinery tag loses only its opening tag.
    """
    if "<" not in text:
        return text, []
    kept: list[str] = []
    found: list[Wrapper] = []
    never_closed: set[str] = set()  # a tag with no closing after one place has none after any later one
    unclosed_listed: set[str] = set()
    closers: dict[str, re.Pattern[str]] = {}
    pos = 0
    for match in _OPEN.finditer(text):
        if match.start() < pos:
            continue  # inside a wrapper already taken out
        name = match.group(1)
        if not is_machinery_tag(name):
            continue
        tag = name.lower()
        keep = len(found) < _MAX_TAGS  # past the cap, tags are still taken out, no longer listed
        kept.append(text[pos : match.start()])
        close = None
        if tag not in never_closed:
            closer = closers.get(tag)
            if closer is None:
                closer = closers[tag] = re.compile(r"</" + re.escape(tag) + r"\s*>", re.I)
            close = closer.search(text, match.end())
            if close is None:
                never_closed.add(tag)
        if close is not None:
            if keep:
                found.append(Wrapper(tag, text[match.end() : close.start()]))
            pos = close.end()
        elif tag == "system-reminder":
            found.append(Wrapper(tag, text[match.end() :], closed=False))
            pos = len(text)
        else:
            if keep and tag not in unclosed_listed:
                found.append(Wrapper(tag, "", closed=False))
                unclosed_listed.add(tag)
            pos = match.end()
    kept.append(text[pos:])
    return "".join(kept), found


def inner(body: str, tag: str) -> str:
    """The text of the first `<tag>...</tag>` inside a wrapper's body (a task notification's `<summary>`, say), or ""."""
    match = re.search(r"<" + re.escape(tag) + r"(?:\s[^<>]{0,400})?>(.{0,4000}?)</" + re.escape(tag) + r"\s*>", body[:20_000], re.S | re.I)
    return match.group(1).strip() if match else ""


def one_line(text: str, limit: int = 300) -> str:
    """Text as one short line: whitespace collapsed, cut with an ellipsis past `limit` characters."""
    flat = " ".join(text[: limit * 4].split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
