""""Shell here": a throwaway copy of the code at a revealed step, and what to tell the learner about it.

The copy itself is `tutor.vcs.shell_copy`: size-capped, links that leave it written as
notes, in a private `tutor-shell-<pid>-<random>` folder that is removed when the shell
exits or the terminal hangs up, and swept on a later run if Tutor was killed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from tutor.errors import UserError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from tutor.vcs.shell_copy import ShellCopy


class ShellCopyError(UserError):
    """No copy could be made; `str(error)` is one line for a notification."""


def make_copy(repo: Any, commit: str, *, parent: str | os.PathLike[str] | None = None, limit: int | None = None) -> ShellCopy:
    """A copy of `commit` of the `LessonRepo` `repo`. Slow: call it from a worker. Sweeps stale copies first."""
    from tutor.lesson.limits import MAX_SHELL_COPY_BYTES
    from tutor.vcs import VcsError
    from tutor.vcs.shell_copy import make_shell_copy

    try:
        return make_shell_copy(repo.path, commit, parent=parent, limit=MAX_SHELL_COPY_BYTES if limit is None else limit)
    except (VcsError, OSError) as error:
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ShellCopyError(text) from None


def remove_copy(copy: ShellCopy) -> None:
    from tutor.vcs.shell_copy import remove_shell_copy

    remove_shell_copy(copy)


def removed_on_hangup(copy: ShellCopy) -> AbstractContextManager[None]:
    """Around the shell, in the main thread: a terminal that hangs up still takes the copy with it."""
    from tutor.vcs.shell_copy import removed_on_hangup as guard

    return guard(copy)


def sweep_stale_copies(parent: str | os.PathLike[str] | None = None) -> int:
    """Remove copies left by a Tutor that was killed while its shell ran. Cheap; call it from a worker."""
    from tutor.vcs.shell_copy import sweep_stale_shell_copies

    return sweep_stale_shell_copies(parent)


def banner(copy: ShellCopy, label: str) -> str:
    """What is printed above the shell: where the copy is, what was changed in it, how to get back."""
    lines = ["", f"Tutor: a throwaway copy of the code {label}, in {copy.path}."]
    changed = copy.report.summary()
    if changed:
        lines.append(changed)
    lines.append("Exit the shell (ctrl+d or `exit`) to return to Tutor; the copy is then removed.")
    lines.append("")
    from tutor.lesson.untrusted import shown

    return shown("\n".join(lines))  # printed straight to the terminal, past Textual: nothing from the lesson may act on it
