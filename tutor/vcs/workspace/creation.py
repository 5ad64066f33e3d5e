"""Making a workspace: from the user's repository (a hand-made local clone) or from a plain folder (a seed).

See the package's docstring for what is copied and why: a fresh `git init` with no
templates, the user's objects copied read-only (or borrowed through alternates), the
current branch and tags, the uncommitted work captured with the workspace's own git
directory and a throwaway index over the user's working tree. Nothing in the user's
repository is written. `Workspace.from_repository` and `Workspace.from_folder` call
these functions with the class to build.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tutor.dotgit import is_git_name

from .._git import SHA_RE, VcsError, init_repository, open_git, remove_tree, require_sha, run, safe_env
from .common import (
    ATTRIBUTES,
    BASE_REF,
    DEFAULT_EXCLUDES,
    FIXED_DATE,
    SEED_MESSAGE,
    UNCOMMITTED_MESSAGE,
    WORKSPACE_CONFIG,
    commit_tree,
    git_env,
)

if TYPE_CHECKING:
    from .snapshots import Workspace

W = TypeVar("W", bound="Workspace")

__all__ = ["check_repository", "from_folder", "from_repository", "workspace_path"]

_SESSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def workspace_path(session_id: str) -> Path:
    """Where the workspace of session `session_id` lives: `$TUTOR_HOME/workspaces/<session_id>`."""
    from tutor.paths import workspaces_dir

    if not isinstance(session_id, str) or not _SESSION_RE.match(session_id) or ".." in session_id:
        raise VcsError(f"not a usable session id for a workspace folder: {session_id!r}")
    return workspaces_dir() / session_id



def check_repository(source: str | os.PathLike[str]) -> Path:
    """The top folder of the user's working tree at `source`, checked as `from_repository` checks it, without running git; else a one-line `VcsError`."""
    top = _user_top(Path(source))
    _user_git_dirs(top)
    return top


def from_repository(
    cls: type[W], source: str | os.PathLike[str], dest: str | os.PathLike[str], *, deterministic: bool = False, objects: str = "copy"
) -> W:
    """A workspace at `dest` (which must not exist) holding the user's repository at `source`: HEAD plus uncommitted changes.

    Nothing in the user's repository is written: not its working tree, index, HEAD,
    refs, config, hooks or logs. `source` must be the top folder of a working tree
    (not a subfolder, not a bare repository) whose HEAD is a commit. `objects` is
    "copy" or "alternates" (see the module's docstring).
    """
    if objects not in ("copy", "alternates"):
        raise VcsError(f"objects must be 'copy' or 'alternates', not {objects!r}")
    top = _user_top(Path(source))
    user_git, user_common = _user_git_dirs(top)
    target = _new_folder(Path(dest), outside=top)
    with open_git(top, safe_env(user_git, common_dir=user_common, work_tree=top)) as user:
        try:
            head = run(user, "rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}").strip()
        except VcsError:
            raise VcsError(f"{top}: the repository has no commits yet; commit something first") from None
        head = require_sha(head)
        try:
            branch = run(user, "symbolic-ref", "--quiet", "HEAD").strip()
        except VcsError:
            branch = ""  # detached HEAD
        object_format = run(user, "rev-parse", "--show-object-format").strip() or "sha1"
        tags = run(user, "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags/")
    excludes = _user_excludes(top, user_git, user_common)
    try:
        target.mkdir()
    except FileExistsError:
        raise VcsError(f"{target}: already exists; a workspace needs a new folder") from None
    except OSError as error:
        raise VcsError(f"{target}: cannot create the workspace folder ({error.strerror or error})") from None
    try:
        short_branch = branch[len("refs/heads/") :] if branch.startswith("refs/heads/") else ""
        git_dir = init_repository(target, object_format=object_format, initial_branch=short_branch or "main")
        if objects == "alternates":
            shared = _borrow_objects(user_common / "objects", git_dir / "objects")
        else:
            _copy_objects(user_common / "objects", git_dir / "objects")
            shared = _borrow_objects(user_common / "objects", git_dir / "objects", keep_source=False)
        shallow = user_common / "shallow"
        if shallow.is_file() and not shallow.is_symlink():
            shutil.copyfile(shallow, git_dir / "shallow")
        _configure(git_dir, excludes)
        capture_index = git_dir / "tutor-capture-index"
        env = git_env(git_dir, work_tree=top, index_file=capture_index)
        when = FIXED_DATE if deterministic else None
        with open_git(top, env) as git:
            try:
                run(git, "cat-file", "-e", "--end-of-options", f"{head}^{{commit}}")
            except VcsError:
                raise VcsError(f"{top}: HEAD {head[:12]} could not be copied (a partial or damaged repository?)") from None
            run(git, "read-tree", "--end-of-options", head)
            run(git, "add", "-A")
            tree = run(git, "write-tree").strip()
            head_tree = run(git, "rev-parse", "--verify", "--end-of-options", f"{head}^{{tree}}").strip()
            base = head
            if tree != head_tree:
                base = commit_tree(git, tree, [head], UNCOMMITTED_MESSAGE, when)
        capture_index.unlink(missing_ok=True)
        workspace = cls(target, base, deterministic=deterministic, shared_objects=shared)
        workspace._last_tree = tree
        with workspace._git(index_file=git_dir / "index") as git:
            if short_branch:
                run(git, "update-ref", "-m", "tutor: workspace", "--end-of-options", f"refs/heads/{short_branch}", base)
            else:
                run(git, "update-ref", "--no-deref", "-m", "tutor: workspace", "--end-of-options", "HEAD", base)
            run(git, "update-ref", "--end-of-options", BASE_REF, base)
            _copy_tags(git, tags)
            run(git, "reset", "--hard", "--quiet")
        workspace._finish()
        return workspace
    except BaseException:
        remove_tree(target)
        raise


def from_folder(cls: type[W], seed: str | os.PathLike[str], dest: str | os.PathLike[str], *, deterministic: bool = True) -> W:
    """A workspace at `dest` (which must not exist) holding a copy of the plain folder `seed`, committed as `base`.

    Files, folders and symlinks that stay inside `seed` (relative ones) are copied; a
    `.git` inside `seed` is left out; a symlink leaving `seed`, an absolute symlink or
    a special file is an error. With `deterministic` (the default) the commit has a
    fixed author and date, so the same content gives the same commit id every time.
    """
    seed_path = Path(seed)
    if not seed_path.is_dir():
        raise VcsError(f"{seed_path}: seed folder not found")
    seed_real = Path(os.path.realpath(seed_path))
    target = _new_folder(Path(dest), outside=seed_real)
    try:
        target.mkdir()
    except FileExistsError:
        raise VcsError(f"{target}: already exists; a workspace needs a new folder") from None
    except OSError as error:
        raise VcsError(f"{target}: cannot create the workspace folder ({error.strerror or error})") from None
    try:
        _copy_seed(seed_real, target)
        git_dir = init_repository(target, initial_branch="main")
        _configure(git_dir, "")
        index = git_dir / "index"
        with open_git(target, git_env(git_dir, work_tree=target, index_file=index)) as git:
            run(git, "add", "-A")
            tree = run(git, "write-tree").strip()
            base = commit_tree(git, tree, [], SEED_MESSAGE, FIXED_DATE if deterministic else None)
            run(git, "update-ref", "-m", "tutor: seed", "--end-of-options", "refs/heads/main", base)
            run(git, "update-ref", "--end-of-options", BASE_REF, base)
        workspace = cls(target, base, deterministic=deterministic)
        workspace._last_tree = tree
        workspace._finish()
        return workspace
    except BaseException:
        remove_tree(target)
        raise


def _user_top(source: Path) -> Path:
    """The top folder of the user's working tree at `source`, or a one-line `VcsError`."""
    try:
        top = source.resolve(strict=True)
    except (OSError, RuntimeError):
        raise VcsError(f"{source}: no such folder") from None
    if not top.is_dir():
        raise VcsError(f"{source}: not a folder")
    if os.path.lexists(top / ".git"):
        return top
    if (top / "HEAD").is_file() and (top / "objects").is_dir():
        raise VcsError(f"{top}: is a bare repository; Tutor needs a working tree")
    for parent in top.parents:
        if os.path.lexists(parent / ".git"):
            raise VcsError(f"{top}: is inside the git repository {parent}; give its top folder")
    raise VcsError(f"{top}: not a git repository")


def _user_git_dirs(top: Path) -> tuple[Path, Path]:
    """The git folder and common folder of the working tree `top`, found the way git finds them, without git.

    Nothing is taken from the environment (`GIT_DIR`, `GIT_COMMON_DIR`, ... inherited
    from a hook must not redirect us).
    """
    dotgit = top / ".git"
    if dotgit.is_dir():
        git_dir = dotgit.resolve()
    elif dotgit.is_file():
        try:
            text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
        except OSError as error:
            raise VcsError(f"{dotgit}: cannot read ({error.strerror or error})") from None
        if not text.startswith("gitdir:"):
            raise VcsError(f"{dotgit}: not a git folder or gitdir file")
        git_dir = (top / text[len("gitdir:") :].strip()).resolve()
    else:
        raise VcsError(f"{top}: not a git repository")
    if not (git_dir / "HEAD").is_file():
        raise VcsError(f"{top}: not a git repository ({git_dir} has no HEAD)")
    common_dir = git_dir
    pointer = git_dir / "commondir"
    if pointer.is_file():
        common_dir = (git_dir / pointer.read_text(encoding="utf-8", errors="replace").strip()).resolve()
    if not (common_dir / "objects").is_dir():
        raise VcsError(f"{top}: not a git repository ({common_dir} has no objects)")
    return git_dir, common_dir


def _new_folder(dest: Path, *, outside: Path) -> Path:
    """`dest` made absolute, checked not to exist and not to lie inside `outside`; its parent is created."""
    target = Path(os.path.abspath(dest))
    if os.path.lexists(target):
        raise VcsError(f"{target}: already exists; a workspace needs a new folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise VcsError(f"{target.parent}: cannot create folder ({error.strerror or error})") from None
    target = Path(os.path.realpath(target.parent)) / target.name
    if target == outside or outside in target.parents:
        raise VcsError(f"{target}: the workspace cannot be inside {outside}")
    return target


def _user_excludes(top: Path, git_dir: Path, common_dir: Path) -> str:
    """The user's exclude patterns that live outside the working tree: `core.excludesFile` (or git's default), then `info/exclude`."""
    chunks: list[str] = []
    path: Path | None = None
    env = {
        "GIT_DIR": str(git_dir),
        "GIT_COMMON_DIR": str(common_dir),
        "GIT_WORK_TREE": str(top),
        "GIT_OBJECT_DIRECTORY": str(common_dir / "objects"),
        "GIT_INDEX_FILE": str(git_dir / "index"),
        "GIT_TERMINAL_PROMPT": "0",
    }
    # Only reads configuration (the user's own, global included): nothing is run.
    with open_git(top, env) as git:
        try:
            value = run(git, "config", "--path", "--get", "core.excludesFile").strip()
        except VcsError:
            value = ""
    if value:
        path = Path(value) if os.path.isabs(value) else top / value
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        path = Path(xdg) / "git" / "ignore"
    if path != Path(os.devnull):
        chunks.append(_read_text(path, f"from core.excludesFile ({path})"))
    chunks.append(_read_text(common_dir / "info" / "exclude", "from the repository's info/exclude"))
    return "".join(chunk for chunk in chunks if chunk)


def _read_text(path: Path, label: str, limit: int = 1024 * 1024) -> str:
    try:
        if not path.is_file():
            return ""
        with path.open("rb") as stream:
            data = stream.read(limit)
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return f"# {label}\n{text}" + ("" if text.endswith("\n") else "\n")


def _configure(git_dir: Path, user_excludes: str) -> None:
    """The workspace's own config (hooks off, ...), `info/exclude` and `info/attributes`."""
    with (git_dir / "config").open("a", encoding="utf-8") as stream:
        stream.write(WORKSPACE_CONFIG)
    info = git_dir / "info"
    info.mkdir(exist_ok=True)
    defaults = "# Written by Tutor: never part of a snapshot.\n" + "".join(f"{line}\n" for line in DEFAULT_EXCLUDES)
    (info / "exclude").write_text(defaults + user_excludes, encoding="utf-8")
    (info / "attributes").write_text(ATTRIBUTES, encoding="utf-8")


def _alternate_chain(objects: Path, depth: int = 0) -> list[str]:
    """`objects` and the object folders it borrows from (its `info/alternates`, as git follows them: 5 levels), absolute."""
    real = os.path.realpath(objects)
    found = [real]
    if depth >= 5:
        return found
    alternates = Path(real) / "info" / "alternates"
    try:
        text = alternates.read_text(encoding="utf-8", errors="replace") if alternates.is_file() else ""
    except OSError:
        text = ""
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith(("#", '"')):
            continue
        path = entry if os.path.isabs(entry) else os.path.normpath(os.path.join(real, entry))
        if os.path.isdir(path):
            for item in _alternate_chain(Path(path), depth + 1):
                if item not in found:
                    found.append(item)
    return found


def _borrow_objects(source: Path, dest: Path, *, keep_source: bool = True) -> tuple[str, ...]:
    """Point `dest` (a fresh object store) at `source` through `info/alternates`; returns every folder it borrows.

    With `keep_source` False (`source` was copied) only `source`'s own alternates are borrowed.
    """
    if not source.is_dir():
        raise VcsError(f"{source}: the repository has no object store")
    chain = _alternate_chain(source)
    if not keep_source:
        chain = chain[1:]
    if chain:
        (dest / "info").mkdir(parents=True, exist_ok=True)
        (dest / "info" / "alternates").write_text("".join(f"{path}\n" for path in chain), encoding="utf-8")
    return tuple(chain)


def _copy_objects(source: Path, dest: Path) -> None:
    """Copy every object file and pack of `source` into `dest`, read-only (0444); skip symlinks.

    Never a hardlink: a linked file is the user's own, and a command that changed its mode
    or appended to it would change the user's repository. The user's own alternates (rare)
    are not copied: `_borrow_objects` points at them.
    """
    if not source.is_dir():
        raise VcsError(f"{source}: the repository has no object store")
    for folder, subfolders, files in os.walk(source):
        relative = os.path.relpath(folder, source)
        target = dest if relative == "." else dest / relative
        target.mkdir(parents=True, exist_ok=True)
        subfolders[:] = [name for name in subfolders if not os.path.islink(os.path.join(folder, name))]
        for name in files:
            origin = os.path.join(folder, name)
            copy = target / name
            if os.path.islink(origin) or copy.exists():
                continue
            if relative == "info" and name == "alternates":
                continue  # borrowed, see `_borrow_objects`
            if relative == "." or name.startswith("tmp_") or name.endswith(".lock"):
                continue
            try:
                shutil.copyfile(origin, copy)
            except FileNotFoundError:  # a temporary object file the user's git just renamed
                continue
            os.chmod(copy, 0o444)


def _copy_tags(git: Any, listing: str) -> None:
    """Recreate the user's tags (`<id> <refname>` lines) in the workspace, in one `update-ref --stdin`."""
    commands = []
    for line in listing.splitlines():
        sha, _, name = line.partition(" ")
        if SHA_RE.match(sha) and name.startswith("refs/tags/") and not any(c in name for c in " \t\n\0"):
            commands.append(f"create {name} {sha}\n")
    if not commands:
        return
    with tempfile.TemporaryFile() as stream:
        stream.write("".join(commands).encode("utf-8"))
        stream.seek(0)
        try:
            run(git, "update-ref", "--stdin", istream=stream)
        except VcsError:
            pass  # tags are a convenience for the agent; a broken one must not stop the session


def _copy_seed(seed: Path, dest: Path) -> None:
    """Copy the folder `seed` into `dest` (see `Workspace.from_folder`)."""
    for folder, subfolders, files in os.walk(seed):
        relative = os.path.relpath(folder, seed)
        target = dest if relative == "." else dest / relative
        target.mkdir(exist_ok=True)
        keep = []
        for name in subfolders:
            origin = os.path.join(folder, name)
            if is_git_name(name):
                continue
            if os.path.islink(origin):
                _copy_link(seed, origin, target / name)
            else:
                keep.append(name)
        subfolders[:] = keep
        for name in files:
            origin = os.path.join(folder, name)
            if is_git_name(name):
                continue
            mode = os.lstat(origin).st_mode
            if stat.S_ISLNK(mode):
                _copy_link(seed, origin, target / name)
            elif stat.S_ISREG(mode):
                shutil.copy2(origin, target / name)
            else:
                raise VcsError(f"{origin}: is not a regular file, folder or symlink; a seed cannot hold it")


def _copy_link(seed: Path, origin: str, copy: Path) -> None:
    link = os.readlink(origin)
    if os.path.isabs(link):
        raise VcsError(f"{origin}: symlink with an absolute target ({link}); a seed may only hold relative links")
    real = os.path.realpath(os.path.join(os.path.dirname(origin), link))
    if real != str(seed) and not real.startswith(str(seed) + os.sep):
        raise VcsError(f"{origin}: symlink points outside the seed folder ({link})")
    os.symlink(link, copy)
