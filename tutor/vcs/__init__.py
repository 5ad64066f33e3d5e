"""Git, and only here (GitPython): reading a lesson's repo bundle, making bundles.

Nothing outside `tutor.vcs` imports `git`, and nothing in here imports it at module
level: GitPython is loaded the first time a repository is actually opened, so that
`tutor` paints its first screen without it.

Modules:

- `tutor.vcs.lesson_repo`: `LessonRepo`, a lesson's `repo.bundle` unpacked into a
  cache repository; step commits, file trees, file contents, diffs, throwaway checkouts.
- `tutor.vcs.bundle`: `create_bundle`, `verify_bundle`, `read_bundle_header`.
- `tutor.vcs.commit_chain`: `CommitChain` (a chain of commits from contents held in memory,
  fixed author and date: the same changes give the same ids; `bundle(refs)`, a bundle's
  bytes); an imported session's code is replayed with it. `tutor.vcs.packs` makes its
  objects, delta pack and bundles in Python, in memory, with the ids git gives (tested
  against `git fast-import`, `git fsck --strict` and `git bundle verify`).
- `tutor.vcs.workspace`: a live session's private workspace (made from the user's
  repository or a seed folder), its snapshots and their redaction.
- `tutor.vcs.shell_copy`: the copy a "shell here" opens, written by Tutor itself.
- `tutor.vcs.team_repo`: the member's own git (their config and credentials, hooks off)
  on a team clone: `git init`, the first commit, `git clone`.
- `tutor.vcs._git`: the safe way to run git (`VcsError`, environment, `open_repo`).

`VcsError`, the one error of this package a caller catches, is importable from here
(`from tutor.vcs import VcsError`), loaded on first use like the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._git import VcsError

__all__ = ["VcsError"]


def __getattr__(name: str) -> object:
    if name == "VcsError":
        from ._git import VcsError

        return VcsError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
