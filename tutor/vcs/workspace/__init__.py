"""The isolated workspace a live session's tools act in, and its snapshots.

    ws = Workspace.from_repository(user_repo, workspace_path("s-2026-01-01-abc"))
    sha = ws.snapshot("steps/s4")       # after each executed call: refs/tutor/steps/s4
    ws.diff(ws.base, sha); ws.bundle(lesson_dir / "repo.bundle"); ws.remove()

A workspace is a private repository at `root` (normally `$TUTOR_HOME/workspaces/<session>`):

- `from_repository` makes it from the user's repository without writing anything
  there. It is a local clone done by hand, so that nothing but Tutor's own code decides
  what is read: a fresh `git init` with no templates (so no hooks), the user's object
  files copied in, or borrowed read-only through alternates (see below), the
  user's current branch and tags, and nothing else: no remote, no config, no hooks, no
  other refs. (`git clone --local` would do the same, but it honours inherited `GIT_*`
  variables in ways that cannot all be pinned, and runs `git-upload-pack` inside the
  user's repository.) The user's uncommitted work is captured with the *workspace's*
  git directory and a throwaway index over the user's working tree: `read-tree HEAD`,
  `add -A`, `write-tree`; new blobs land in the workspace's object store, files the
  user ignores (`.gitignore` files, `.git/info/exclude`, their `core.excludesFile`,
  copied into the workspace's `info/exclude`) never enter. If that tree differs from
  HEAD's, it is committed on top of HEAD ("uncommitted changes", by Tutor); that
  commit, or HEAD, is `base`, and is checked out at `root`.
- `from_folder` makes it from a plain folder (a lesson source's seed): same content,
  same commit id, every time.

The workspace never shares a writable file with the user's repository (`objects=`):

- `"copy"` (the default, and what an unsandboxed session uses): every object file and
  pack is copied (read-only, 0444), so nothing done in the workspace, `chmod -R a+w
  .git/objects` or an in-place append included, can reach the user's files through it.
  It costs the object store again in disk, and little time: measured, a 99 MB packed
  store (2,000 files) made a workspace in 1.64 s copied against 1.71 s borrowed, the
  checkout dominating either way (Tutor's own 4.6 MB store: 0.37 s against 0.13 s).
- `"alternates"` (a sandboxed session): the workspace borrows the user's objects
  through `objects/info/alternates` (the absolute path of the user's object folder,
  and of that folder's own alternates), so nothing is copied; `shared_objects` lists
  those folders, and the sandbox shows them to commands read-only (`--ro-bind`), so a
  command cannot chmod, append to or delete them. Git writes new objects only into the
  workspace's own store. Two caveats: when Tutor's own git (outside the sandbox) is
  asked to write an object the user's store already holds, git "freshens" that file's
  mtime there (so that `git gc` keeps it), the one trace a workspace can leave in the
  user's repository; and if the user prunes objects the workspace still needs
  (rewriting history, then `git gc --prune=now`) mid-session, the workspace's history
  behind `base` breaks (its snapshots and bundle do not need it: see `redact_base`).
  Tutor rewrites `info/alternates` to exactly `shared_objects` before each of its own
  git operations, so a command cannot point the snapshots at another object store.
- hardlinks, which earlier versions used, are never made: a linked object file *is* the
  user's file, and a command changing its mode or bytes changes the user's repository.

`snapshot` records the working tree as a commit under `refs/tutor/<name>`, using a
private index (`.git/tutor-index`) that persists between snapshots, so `git add -A`
rehashes only what changed. Told which files a tool touched (`paths=`, what a file
tool's result says), it rescans nothing: in the plain case it writes the blobs and the
trees on their paths itself (`trees`; a new file's ignore rules asked of a kept `git
check-ignore`, `ignores`), else
it updates only those index entries (`git add -A -- <path>`); after a command
(`paths=None`), on the first snapshot of an opened workspace and after a failed one, it
rescans the whole tree. Either way the tree is the one a full rescan records (`touched`
says when a single path could differ, and rescans then). The commit and its ref are
written by Tutor too (`objects`: the bytes and ids git writes). Parents chain: each
snapshot's parent is the previous new snapshot commit, or `base`. An unchanged tree
makes no empty commit: the new ref points at the previous commit.

Tutor's own git processes are pinned to `root/.git` (checked to be a real folder, its
`objects` and `refs` too; no `.git` file or `commondir` is followed), run with
`safe_env` (no system or global config, hooks off, fsmonitor off, no signing), and
filter drivers are switched off for every path by `.git/info/attributes`, so that
neither the user's configuration nor a command run in the workspace can make Tutor run
a program. The workspace's own config sets hooks off too, for the commands the agent
runs there.

Modules: `creation` (making one: `from_repository`, `from_folder`, `workspace_path`,
`check_repository`), `snapshots` (`Workspace`: snapshots, refs, diffs, bundles, the
checks of its `.git`), `touched` (a snapshot by the paths a tool touched), `trees` (its
trees written without the index), `ignores` (the kept `git check-ignore` that says which
new files git would add), `objects` (loose objects and refs), `redaction`
(the blobs a snapshot stores, passed through the session's redactor), `common` (layout,
pinned git environment, commits by Tutor). The paths the agent's tools name are
confined by `tutor.agent.tools.paths`, the one confinement; the workspace only checks
that a path it is told was touched is a plain one inside its tree (anything else: it
rescans, as after a command).
"""

from __future__ import annotations

from .._git import VcsError
from .common import AUTHOR, DEFAULT_EXCLUDES, FIXED_DATE
from .creation import check_repository, workspace_path
from .snapshots import Workspace

__all__ = [
    "AUTHOR",
    "DEFAULT_EXCLUDES",
    "FIXED_DATE",
    "VcsError",
    "Workspace",
    "check_repository",
    "workspace_path",
]
