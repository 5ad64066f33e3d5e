"""Which names a file system may take for git's own folder, `.git`: one rule for every check.

Used by the tools' path confinement (`tutor.agent.tools.paths`: nothing the agent names
may lead into `.git`) and by the workspace's seed copy (a seed's `.git` is left out).
No git is run, nothing is imported: a pure function of the name, kept outside
`tutor.vcs` and `tutor.agent` so that each may use it without loading the other.
"""

from __future__ import annotations

__all__ = ["is_git_name"]

# Characters HFS+ ignores in names: ".g\u200cit" is ".git" there (git refuses them the same way).
_HFS_IGNORABLE = dict.fromkeys(
    [0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E]
    + [0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF]
)


def is_git_name(name: str) -> bool:
    """Whether a path component names `.git` on some file system.

    Any case (case-insensitive file systems), with trailing dots or spaces (NTFS drops
    them), with characters HFS+ ignores (`.g\\u200cit`), or the NTFS short name `GIT~1`.
    """
    folded = name.translate(_HFS_IGNORABLE).rstrip(". ").casefold()
    return folded in (".git", "git~1")
