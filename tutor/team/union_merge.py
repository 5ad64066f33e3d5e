"""The team's `.gitattributes`: git merges the lessons lists by union, so publishing never conflicts.

Every member who publishes adds one line to the team's `curricula/curriculum.toml` (one lesson
id a line, each ending with a comma: `tutor.team.curriculum_toml`). Two members who publish
between syncs add their lines at the same place, which git's usual merge calls a conflict; its
built-in union driver (`merge=union`, honoured by `git pull --rebase`) keeps both sides' lines
instead, and two such lines side by side are still a valid list. `tutor team init` writes these
lines; `tutor team publish` adds them to a team made before they existed.

Union is safe here because members only ever add lines to this file. It never stops a merge, so
two members' hand edits of one line elsewhere in the file are both kept (nothing is discarded)
and the file may then no longer parse: the library, `tutor validate` and the next publish say so.

Pure: text in, text out.
"""

from __future__ import annotations

__all__ = ["GITATTRIBUTES", "MAX_GITATTRIBUTES_BYTES", "UNION_PATTERNS", "with_union_merge"]

GITATTRIBUTES = ".gitattributes"  # at the top of the team's clone
MAX_GITATTRIBUTES_BYTES = 64 * 1024
UNION_PATTERNS = ("curricula/curriculum.toml", "curricula/*/curriculum.toml")
_ATTRIBUTE = "merge=union"
_WHY = "# Tutor: members only add lines to the lessons lists (one lesson a line), so git merges them by keeping both sides' lines: publishing between syncs never conflicts."


def with_union_merge(text: str | None) -> str | None:
    """The `.gitattributes` text (`None`: no file yet) with a union merge line for each of the team's
    lessons lists; None when it has them all already (nothing to write)."""
    current = text or ""
    missing = [pattern for pattern in UNION_PATTERNS if not _has_union(current, pattern)]
    if not missing:
        return None
    newline = "\r\n" if "\r\n" in current else "\n"
    lines = [_WHY, *(f"{pattern} {_ATTRIBUTE}" for pattern in missing)]
    separator = "" if not current or current.endswith("\n") else newline
    return current + separator + "".join(line + newline for line in lines)


def _has_union(text: str, pattern: str) -> bool:
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == pattern and _ATTRIBUTE in words[1:]:
            return True
    return False
