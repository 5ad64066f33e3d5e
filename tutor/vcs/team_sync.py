"""`tutor team sync` on the user's own clone with the user's own git: commit mine, pull (rebase), push.

Order: this member's own files (everything under their handle in `results/`, `sessions/` and
`reviews/`) are committed first, alone; then the team's commits are pulled with a rebase; then
the result is pushed. Committing first means nothing is ever left only in the working tree:
offline, or when the push is refused, the member's work waits in a local commit and goes with
the next sync. Because no two members write the same file, the rebase can only stop on a file
someone edited by hand; then the rebase is aborted (the clone is as it was before the pull, the
local commits kept) and the files are named: nothing is resolved by discarding anything.
A push that loses a race with a teammate's push is pulled and pushed again, a few times.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from tutor.lesson.untrusted import one_line

from ._git import VcsError
from .team_repo import attempt, run_git, telling_line

NETWORK_TIMEOUT = 300.0  # seconds for one pull or push; a clone that hangs longer is reported offline
PUSH_RACES = 3  # pull-and-push rounds when a teammate pushes between our pull and our push

# What git says when it cannot reach the remote at all (versus the remote refusing us).
_OFFLINE = re.compile(
    r"could not resolve|unable to access|could not read from remote|connection (refused|timed out|reset)|"
    r"network is unreachable|no route to host|operation timed out|does not appear to be a git repository|"
    r"unable to connect|failed to connect|name or service not known|temporary failure in name resolution|"
    r"repository .* not found|could not connect|took longer than",
    re.IGNORECASE,
)
_NO_REMOTE_BRANCH = re.compile(r"couldn't find remote ref|no such ref was fetched", re.IGNORECASE)
# The team's commits bring a file where the clone has one git does not track: git stops before the rebase.
_IN_THE_WAY = re.compile(r"untracked working tree files would be (overwritten|removed)", re.IGNORECASE)
_RACE = re.compile(r"\[rejected\].*(fetch first|non-fast-forward)|updates were rejected because the (remote|tip)", re.IGNORECASE)


class SyncState(str, Enum):
    SYNCED = "synced"  # pulled and pushed: the clone and the remote agree
    LOCAL = "local"  # the clone has no remote: committed locally only
    OFFLINE = "offline"  # the remote could not be reached: committed locally, pushed next time
    REFUSED = "refused"  # the remote refused the push: committed locally, pushed next time
    CONFLICT = "conflict"  # a hand-edited file conflicts: the pull was undone, nothing discarded
    BLOCKED = "blocked"  # the clone is not in a state to pull (changes not committed, a rebase under way, no branch)


@dataclass
class SyncResult:
    state: SyncState
    committed: str | None = None  # the commit of this member's own files, if there was anything new
    pulled: int = 0  # the team's commits that arrived
    detail: str = ""  # one line: why it did not sync, in git's words
    files: list[str] = field(default_factory=list)  # the files in conflict, or not committed


def own_paths(folder: Path, handle: str) -> list[str]:
    """This member's folders (relative to the clone's top): each one only this member writes, present
    now or tracked before (so a removal is committed too). Folders, not files: a member with
    thousands of results still makes a short command line."""
    patterns = [f"results/*/*/{handle}", f"tallies/*/*/{handle}", f"sessions/{handle}", f"reviews/{handle}"]
    mine = {str(top.relative_to(folder)) for pattern in patterns for top in folder.glob(pattern) if _real_folder_path(folder, top)}
    tracked = run_git(folder, "ls-files", "-z", "--", *(f":(glob){pattern}/**" for pattern in patterns))
    for name in tracked.split("\0"):
        parts = name.split("/")
        if parts[0] in ("results", "tallies") and len(parts) > 4:
            mine.add("/".join(parts[:4]))
        elif parts[0] in ("sessions", "reviews") and len(parts) > 2:
            mine.add("/".join(parts[:2]))
    return sorted(mine)


def _real_folder_path(folder: Path, path: Path) -> bool:
    """Whether `path` is a folder reached from `folder` through real folders alone. A glob follows
    links; a path through a link a teammate committed (`results/mirror -> vague-goal`) is not the
    member's, and git refuses to add it ("beyond a symbolic link"), which would stop the sync."""
    below = folder
    for part in path.relative_to(folder).parts:
        below = below / part
        try:
            if not stat.S_ISDIR(os.lstat(below).st_mode):
                return False
        except OSError:
            return False
    return True


def _head(folder: Path) -> str:
    return run_git(folder, "rev-parse", "--verify", "HEAD").strip()


def _rebase_under_way(folder: Path) -> bool:
    git_dir = Path(run_git(folder, "rev-parse", "--absolute-git-dir").strip())
    return (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists()


def _where_to(folder: Path) -> tuple[str, str] | None:
    """(remote, branch) to pull from and push to: the branch's upstream, else `origin` (or the only remote) and the same branch name."""
    done = attempt(folder, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    remotes = run_git(folder, "remote").split()
    branch = attempt(folder, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if done.returncode == 0 and "/" in done.stdout.strip():
        upstream = done.stdout.strip()
        remote = next((name for name in remotes if upstream.startswith(name + "/")), None)
        if remote is not None:
            return remote, upstream[len(remote) + 1 :]
    if not remotes or not branch:
        return None
    return ("origin" if "origin" in remotes else remotes[0]), branch


def sync_clone(folder: Path, handle: str, message: str) -> SyncResult:
    """Commit this member's own files, pull the team's with a rebase, push. Never raises for a remote's
    trouble (that is a state); `VcsError` only when the clone itself cannot be read."""
    from .team_repo import is_clone_root

    if not is_clone_root(folder):
        # Git would find the repository of a folder above (a home folder kept in git, say) and
        # commit, pull and push that one: the team's clone is the top of its own repository or nothing.
        raise VcsError(f"{one_line(str(folder), limit=200)} is not the top of a git clone (its .git is gone?): clone the team again and `tutor team join` it")
    if _rebase_under_way(folder):
        return SyncResult(SyncState.BLOCKED, detail="a rebase is under way in the clone: finish it (git rebase --continue) or abort it, then sync")
    from .team_repo import commit_paths

    if attempt(folder, "symbolic-ref", "--quiet", "HEAD").returncode != 0:
        # Before committing: a commit on a detached HEAD is left behind by the next checkout, and the
        # member's shared sessions and reviews with it (results are written again; those are not).
        return SyncResult(SyncState.BLOCKED, detail="the clone is not on a branch (detached HEAD): check out the team's branch, then sync")
    mine = own_paths(folder, handle)
    committed = commit_paths(folder, message, mine) if mine else None
    where = _where_to(folder)
    if where is None:
        return SyncResult(SyncState.LOCAL, committed, detail="the clone has no remote: your work is committed in it, not shared")
    remote, branch = where
    dirty = [line[3:] for line in run_git(folder, "status", "--porcelain", "--untracked-files=no").splitlines() if line.strip()]
    if dirty:
        return SyncResult(
            SyncState.BLOCKED, committed, files=dirty,
            detail=f"{len(dirty)} changed file(s) not committed in the clone (not Tutor's): commit or stash them, then sync",
        )
    pulled = 0
    for _round in range(PUSH_RACES):
        before = _head(folder)
        outcome = _pull(folder, remote, branch)
        if outcome is not None:
            outcome.committed = committed
            outcome.pulled = pulled
            return outcome
        pulled += _count(folder, before)
        push = attempt(folder, "push", "--quiet", "--porcelain", remote, f"HEAD:refs/heads/{branch}", timeout=NETWORK_TIMEOUT)
        if push.returncode == 0:
            _set_upstream(folder, remote, branch)
            return SyncResult(SyncState.SYNCED, committed, pulled)
        said = push.stderr + push.stdout
        if _RACE.search(said):
            continue  # a teammate pushed since our pull: pull again
        state = SyncState.OFFLINE if _OFFLINE.search(said) else SyncState.REFUSED
        return SyncResult(state, committed, pulled, detail=one_line(telling_line(said) or "push failed", limit=300))
    return SyncResult(SyncState.REFUSED, committed, pulled, detail=f"the remote kept moving: {PUSH_RACES} pushes lost to teammates' pushes; sync again")


def _count(folder: Path, before: str) -> int:
    """How many of the team's commits a pull brought in: those fetched that `before` did not have."""
    done = attempt(folder, "rev-list", "--count", f"{before}..FETCH_HEAD")
    return int(done.stdout.strip() or 0) if done.returncode == 0 else 0


def _pull(folder: Path, remote: str, branch: str) -> SyncResult | None:
    """Pull with a rebase; None when it went through (or there was nothing yet to pull), else why not."""
    done = attempt(
        folder, "-c", "rebase.autoStash=false", "pull", "--rebase", "--quiet", "--no-edit", remote, f"refs/heads/{branch}",
        timeout=NETWORK_TIMEOUT,
    )
    if done.returncode == 0:
        return None
    said = done.stderr + done.stdout
    if _rebase_under_way(folder):
        conflicted = [name for name in run_git(folder, "diff", "--name-only", "--diff-filter=U").splitlines() if name]
        attempt(folder, "rebase", "--abort")
        return SyncResult(
            SyncState.CONFLICT, files=conflicted,
            detail=f"a conflict with {remote} in {len(conflicted)} file(s) edited by hand; the pull was undone and nothing discarded: resolve it with `git pull --rebase`, then sync",
        )
    if _NO_REMOTE_BRANCH.search(said):
        return _no_such_branch(folder, remote, branch)
    if _IN_THE_WAY.search(said):  # not the remote's refusal: the clone is in the way, and stays so until moved
        in_the_way = [line.strip() for line in said.splitlines() if line.startswith("\t") and line.strip()]
        return SyncResult(
            SyncState.BLOCKED, files=in_the_way,
            detail=f"{len(in_the_way)} file(s) in the clone that git does not track are where the team's files go: move them away, then sync",
        )
    state = SyncState.OFFLINE if _OFFLINE.search(said) else SyncState.REFUSED
    return SyncResult(state, detail=one_line(telling_line(said) or "pull failed", limit=300))


def _no_such_branch(folder: Path, remote: str, branch: str) -> SyncResult | None:
    """The remote has no branch of this name. None when it has no branch at all (a new, empty team
    repository: the push makes it); else the clone's branch is not the team's, and pushing it would
    start a branch no teammate pulls, so the sync stops and names the team's branches."""
    listed = attempt(folder, "ls-remote", "--heads", remote, timeout=NETWORK_TIMEOUT)
    if listed.returncode != 0:
        said = listed.stderr + listed.stdout
        state = SyncState.OFFLINE if _OFFLINE.search(said) else SyncState.REFUSED
        return SyncResult(state, detail=one_line(telling_line(said) or "listing the remote's branches failed", limit=300))
    heads = [line.split("\trefs/heads/", 1)[1] for line in listed.stdout.splitlines() if "\trefs/heads/" in line]
    if not heads:
        return None
    theirs = "main" if "main" in heads else "master" if "master" in heads else heads[0]
    return SyncResult(
        SyncState.BLOCKED,
        detail=one_line(
            f"{remote} has no branch {branch} (it has {', '.join(heads[:5])}{' …' if len(heads) > 5 else ''}): your branch is not the team's; "
            f"check out the team's branch, or track it (git branch --set-upstream-to={remote}/{theirs}), then sync",
            limit=400,
        ),
    )


def _set_upstream(folder: Path, remote: str, branch: str) -> None:
    """Remember where the team's branch is, so the member's own `git pull` works too (best effort)."""
    if attempt(folder, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}").returncode != 0:
        attempt(folder, "branch", "--quiet", f"--set-upstream-to={remote}/{branch}")


__all__ = ["SyncResult", "SyncState", "VcsError", "own_paths", "sync_clone"]
