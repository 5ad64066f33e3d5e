"""Who published a team lesson: one line, `curricula/<id>/.publisher`, holding the publisher's handle.

A lesson folder in the team's `curricula/` has one writer, the member who published it: only they
republish it (a new version), so two members never write the same lesson folder and syncing never
conflicts on it. Another member publishes their own lesson under another id, or takes the lesson
over on purpose (`tutor team publish --take-over`), which rewrites this file.

The file sits in the lesson folder because it belongs to that folder: it is written, renamed into
place and committed with the lesson, and removing the lesson removes it. Lesson readers ignore
every file of a lesson folder but `lesson.json` and its bundle, and its name is hidden, so
`tutor validate`, the library and the lesson's digest are unchanged by it. The handle is the
member's pseudonym in this team, which their result files already carry; no name is written.

Pure: bytes in, handle out. Reading the file (bounded, no links) is the caller's.
"""

from __future__ import annotations

from .folder import is_safe_slug

__all__ = ["MAX_PUBLISHER_BYTES", "PUBLISHER_FILE", "publisher_handle", "publisher_text"]

PUBLISHER_FILE = ".publisher"
MAX_PUBLISHER_BYTES = 1024


def publisher_text(handle: str) -> str:
    """The file's text for the member `handle` (a safe slug)."""
    if not is_safe_slug(handle):
        raise ValueError(f"not a handle: {handle!r}")
    return handle + "\n"


def publisher_handle(raw: bytes) -> str | None:
    """The handle the file names, or None when it names none Tutor accepts (not UTF-8, not one safe slug)."""
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return text if is_safe_slug(text) else None
