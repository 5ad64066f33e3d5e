"""The session's code changes as commits: its Write, Edit and MultiEdit calls replayed, then bundled.

A Claude Code transcript holds no repository, but its file tools say what they did:
a Write gives the whole file, an Edit the strings it replaced, and newer versions
record the file as it was before the call (`toolUseResult.originalFile`). Replaying
those calls in order, on a tree that starts with what the transcript shows, gives one
commit per call: a learner sees the diff of each edit, as in a scripted lesson.

Nothing is invented. A file's first known `original` goes into the base commit (the
start); an edit whose `old` text is not in the file as replayed (the transcript never
showed the file, or something outside the agent's edits changed it) is skipped with a
note, and the file stays unknown until a later Write or `original` shows it again.
When an `original` differs from the replayed file (a command or the user changed it),
the file as shown is committed on its own first (`CodeHistory.before`), so that the
call's commit holds only its own change.

Bounded: at most `MAX_FILES` files, `MAX_FILE_BYTES` a file and `MAX_TOTAL_BYTES` of
content over all commits, `MAX_COMMITS` commits, `MAX_EDITS_PER_CALL` edits in one call;
binary content (a NUL) is skipped.
The commits are Tutor's own, made in memory by `tutor.vcs.commit_chain` (no git, no
repository on disk, a fixed date and author) and handed on as a bundle's bytes. Windows
line ends (CRLF) are replayed as `\n`.

Claude Code's `file-history-snapshot` records only name backups kept outside the
transcript (`~/.claude/file-history/<session>/<hash>@v<n>`): `originals_from_backups`
reads the first backup of each file when that folder is given, as extra `original`s.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tutor.vcs.commit_chain import ChainCommit, CommitChain

MAX_FILES = 2_000
MAX_FILE_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_COMMITS = 5_000
MAX_EDITS_PER_CALL = 500  # a MultiEdit's edits: each is a pass over the file

_STEP_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\"\ud800-\udfff]")  # git and fast-import would read these as syntax, or cannot store them
_SHOWN_PATHS = 3  # how many paths a note names before "and N more"


@dataclass(frozen=True)
class FileChange:
    """One Write/Edit/MultiEdit call, as the import pipeline sees it."""

    call_id: str  # the lesson's call id ("call-7")
    path: str  # relative to the session folder; an absolute or escaping one is refused with a note
    kind: Literal["write", "edit"]
    content: str | None  # write: the whole file
    edits: tuple[tuple[str, str, bool], ...]  # edit: (old, new, replace_all) in order (MultiEdit: several)
    original: str | None  # the file before this call when the transcript says, else None
    ok: bool  # the call succeeded (a failed or rejected call changed nothing)


class CodeHistory:
    """The replayed commits: `base` (the start), `commits` (call id -> the code after that call)."""

    def __init__(self, chain: CommitChain, base: str, commits: dict[str, str], before: dict[str, str]) -> None:
        self.chain = chain
        self.base = base
        self.commits = commits
        # call id -> a commit of the file as the transcript showed it just before that call,
        # where it differed from the replay (changed by a command or by hand); its parent is
        # the commit before, and the call's commit is its child.
        self.before = before

    def __repr__(self) -> str:
        return f"CodeHistory(base={self.base[:12]}, commits={len(self.commits)})"

    def bundle(self, refs: Mapping[str, str]) -> bytes:
        """A repo.bundle's bytes holding the base and `refs/tutor/steps/<step-id>` for each step id -> commit."""
        named = {"refs/tutor/base": self.base}
        for step_id, commit in refs.items():
            if not isinstance(step_id, str) or not _STEP_ID.match(step_id) or len(step_id) > 120:
                raise ValueError(f"not a step id: {str(step_id)[:80]!r}")
            named[f"refs/tutor/steps/{step_id}"] = commit
        return self.chain.bundle(named)


def replay_changes(
    changes: Iterable[FileChange],
    notes: list[str],
    *,
    redact: Callable[[list[str]], list[str]] | None = None,
) -> CodeHistory | None:
    """Replay `changes` in order into a chain of commits held in memory; None when no call could be replayed.

    `redact` (optional) is given the list of every file version and commit message written, once the replay is
    done, and gives them back redacted in the same order (`Redaction.redact_obj` does: one redaction of them all,
    each distinct text once), so that the bundle holds what the lesson's text would. Each problem adds to a note in
    `notes` (one line per kind of problem, naming a few paths).
    """
    replay = _Replay([_lf(change) for change in changes])
    replay.run()
    notes.extend(replay.notes())
    if not replay.call_commits:
        return None
    chain = CommitChain(replay.redacted_chain(redact or (lambda texts: texts)))
    ids = chain.ids
    commits = {call_id: ids[index] for call_id, index in replay.call_commits.items()}
    before = {call_id: ids[index] for call_id, index in replay.before.items()}
    return CodeHistory(chain, ids[0], commits, before)


def _lf(change: FileChange) -> FileChange:
    """`change` with Windows line ends as `\n`.

    Claude Code matches an edit's `\n` text against a CRLF file and writes the file back
    with its own line ends; replayed as `\n` everywhere, the edit applies and the diff
    shows what changed, not every line.
    """

    def lf(text: str | None) -> str | None:
        return text.replace("\r\n", "\n") if text is not None and "\r\n" in text else text

    if not any("\r\n" in text for text in (change.content or "", change.original or "", *(part for e in change.edits for part in e[:2]))):
        return change
    edits = tuple((lf(old) or "", lf(new) or "", replace_all) for old, new, replace_all in change.edits)
    return FileChange(change.call_id, change.path, change.kind, lf(change.content), edits, lf(change.original), change.ok)


def clean_path(path: str) -> str | None:
    """`path` as a tree path (`/`-separated, normalised), or None if it is absolute, escapes, or cannot be one."""
    text = path.replace("\\", "/")
    if not text or text.startswith(("/", "~")) or _DRIVE.match(text) or _CONTROL.search(text):
        return None
    normal = posixpath.normpath(text)
    parts = normal.split("/")
    if normal in (".", "") or parts[0] == ".." or any(part.lower() == ".git" for part in parts):
        return None
    if len(normal.encode("utf-8", "surrogatepass")) > 4096 or any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in parts):
        return None
    return normal


class _Replay:
    """The tree as replayed, call by call, and the chain of commits it gives."""

    def __init__(self, changes: list[FileChange]) -> None:
        self.changes = changes
        self.tree: dict[str, str] = {}  # path -> the content the latest commit holds
        self.known: set[str] = set()  # paths whose content in `tree` is the real file's
        self.chain: list[tuple[str, dict[str, str]]] = []  # each commit's message and files as replayed, not yet redacted
        self.call_commits: dict[str, int] = {}  # call id -> index in `chain`
        self.before: dict[str, int] = {}
        self.total_bytes = 0
        self.stopped = ""
        self.problems: dict[str, list[str]] = defaultdict(list)  # kind of problem -> paths (or call ids)
        self.started_late: set[str] = set()  # files whose start is shown after edits that were not replayed
        self.base_from: dict[str, int] = {}  # path -> the index of the call whose `original` is its start
        self.layout = _Layout()  # the paths of `tree`, and the folders they are in

    # ------------------------------------------------------------ the walk

    def run(self) -> None:
        self.chain.append(("start: the files as the transcript first shows them", self._counted(self._base())))
        for index, change in enumerate(self.changes):
            if self.stopped:
                break
            if not change.ok:
                continue  # a failed or rejected call changed nothing
            path = clean_path(change.path)
            if path is None:
                self.problems["path"].append(change.path)
                continue
            if index < self.base_from.get(path, -1):
                # The start already holds the file as a later call shows it: this earlier edit is in it.
                self.problems["unknown"].append(path)
                continue
            if path not in self.tree and not self._room_for(path):
                continue
            self._apply(change, path)

    def _base(self) -> dict[str, str]:
        """Each file's first `original`, unless a Write before it made the file known."""
        base: dict[str, str] = {}
        layout = _Layout()
        settled: set[str] = set()
        edited: set[str] = set()
        for index, change in enumerate(self.changes):
            path = clean_path(change.path)
            if path is None or path in settled:
                continue
            if change.original is not None and path not in base:
                if not self._fits(path, change.original):
                    settled.add(path)
                    continue
                if len(base) >= MAX_FILES or layout.conflicts(path):
                    settled.add(path)
                    continue
                base[path] = change.original
                layout.add(path)
                self.base_from[path] = index
                if path in edited:
                    self.started_late.add(path)
                settled.add(path)
            elif change.ok and change.kind == "write":
                settled.add(path)
            elif change.ok:
                edited.add(path)
        for path, content in base.items():
            self._put(path, content)
            self.known.add(path)
        return base

    def _apply(self, change: FileChange, path: str) -> None:
        if len(self.chain) + 2 > MAX_COMMITS:  # room for a commit of what came before and the call's own
            self.stopped = f"the replay stopped after {MAX_COMMITS:,} commits"
            return
        if change.original is not None and self.tree.get(path) == change.original:
            self.known.add(path)
        elif change.original is not None:
            if path in self.known:
                self.problems["outside"].append(path)
            if not self._fits(path, change.original):
                self.known.discard(path)
                return
            self._put(path, change.original)
            self.known.add(path)
            self.before[change.call_id] = self._commit(f"before {change.call_id}: {path} as the transcript shows it", path)
        if change.kind == "write":
            new = change.content
            if new is None:
                self.problems["no content"].append(path)
                return
        else:
            new = self._edited(change, path)
            if new is None:
                self.known.discard(path)
                return
        if not self._fits(path, new):
            self.known.discard(path)
            return
        self._put(path, new)
        self.known.add(path)
        self.call_commits[change.call_id] = self._commit(f"{change.call_id}: {change.kind} {path}", path)

    def _edited(self, change: FileChange, path: str) -> str | None:
        """The file after `change`'s edits, or None (with a note) when they cannot be replayed."""
        if not change.edits:
            self.problems["no content"].append(path)
            return None
        if len(change.edits) > MAX_EDITS_PER_CALL:
            self.problems["too many edits"].append(path)
            return None
        creates = path not in self.tree and change.edits[0][0] == ""
        if path not in self.known and not creates:
            self.problems["unknown"].append(path)
            return None
        content = self.tree.get(path, "")
        for old, new, replace_all in change.edits:
            if old == "" and content == "":
                content = new  # Claude Code creates (or fills an empty) file from an edit of ""
            elif old and old in content:
                content = content.replace(old, new) if replace_all else content.replace(old, new, 1)
            else:
                self.problems["not found"].append(path)
                return None
        return content

    # ------------------------------------------------------------ bounds

    def _room_for(self, path: str) -> bool:
        if len(self.tree) >= MAX_FILES:
            self.problems["too many files"].append(path)
            return False
        if self.layout.conflicts(path):
            self.problems["conflict"].append(path)
            return False
        return True

    def _fits(self, path: str, content: str) -> bool:
        if "\x00" in content:
            self.problems["binary"].append(path)
            return False
        if len(content) > MAX_FILE_BYTES or len(content.encode("utf-8", "replace")) > MAX_FILE_BYTES:
            self.problems["too big"].append(path)
            return False
        return True

    def _put(self, path: str, content: str) -> None:
        self.tree[path] = content
        self.layout.add(path)

    def _commit(self, message: str, path: str) -> int:
        """Commit `path` as `tree` holds it; the commit's index in `chain`."""
        self.chain.append((message, self._counted({path: self.tree[path]})))
        return len(self.chain) - 1

    def _counted(self, files: dict[str, str]) -> dict[str, str]:
        """`files`, their size added to what the replay has written (it stops at `MAX_TOTAL_BYTES`)."""
        self.total_bytes += sum(len(content.encode("utf-8", "replace")) for content in files.values())
        if self.total_bytes > MAX_TOTAL_BYTES and not self.stopped:
            self.stopped = f"the replay stopped once the code written reached {MAX_TOTAL_BYTES // (1024 * 1024)} MiB"
        return files

    def redacted_chain(self, redact: Callable[[list[str]], list[str]]) -> list[ChainCommit]:
        """The commits, their messages and files redacted (all in one call to `redact`) and encoded."""
        texts = [message for message, _ in self.chain] + [content for _, files in self.chain for content in files.values()]
        redacted = redact(texts)
        if len(redacted) != len(texts):
            raise ValueError(f"redact gave {len(redacted)} texts for {len(texts)}")
        messages, contents = iter(redacted[: len(self.chain)]), iter(redacted[len(self.chain) :])
        return [
            ChainCommit(next(messages), {path: next(contents).encode("utf-8", "replace") for path in files})
            for _, files in self.chain
        ]

    # ------------------------------------------------------------ notes

    def notes(self) -> list[str]:
        said = {
            "path": "{n} file change(s) not replayed: the path is absolute or leaves the session folder ({paths})",
            "unknown": "{n} edit(s) not replayed: the transcript never shows the file before them ({paths}); their steps show no diff",
            "not found": "{n} edit(s) not replayed: the text they replace is not in the file as replayed ({paths}); the file is unknown until a later Write or its content is shown again",
            "outside": "{n} time(s) a file differed from the replay before a call (changed by a command or by hand: {paths}); the file as shown is committed before the call's change",
            "binary": "{n} file version(s) not replayed: binary content ({paths})",
            "too big": "{n} file version(s) not replayed: larger than {limit} KiB ({paths})",
            "too many files": "{n} file change(s) not replayed: the session touches more than {files:,} files ({paths})",
            "conflict": "{n} file change(s) not replayed: a file and a folder of the same name ({paths})",
            "no content": "{n} file change(s) not replayed: the transcript does not give their content ({paths})",
            "too many edits": "{n} edit call(s) not replayed: more than {edits} edits in one call ({paths})",
        }
        lines = []
        for kind, template in said.items():
            paths = self.problems.get(kind)
            if paths:
                text = template.format(n=len(paths), paths=_some(paths), limit=MAX_FILE_BYTES // 1024, files=MAX_FILES, edits=MAX_EDITS_PER_CALL)
                lines.append(f"code: {text}")
        if self.started_late:
            lines.append(f"code: the start shows {_some(sorted(self.started_late))} as the transcript first shows it, after edits that could not be replayed")
        if self.stopped:
            lines.append(f"code: {self.stopped}; later changes show no diff")
        return lines


class _Layout:
    """File paths, and the folders they are in: whether another path would be one of those folders, or under a file.

    Each question costs the new path's depth, not the number of files known (a session of 2,000 files asked each of
    them about all the others)."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.folders: set[str] = set()

    def add(self, path: str) -> None:
        self.files.add(path)
        at = path.find("/")
        while at != -1:
            self.folders.add(path[:at])
            at = path.find("/", at + 1)

    def conflicts(self, path: str) -> bool:
        """`path` is a folder of a known file, or lies under a known file."""
        if path in self.files:
            return False
        if path in self.folders:
            return True
        at = path.find("/")
        while at != -1:
            if path[:at] in self.files:
                return True
            at = path.find("/", at + 1)
        return False


def _some(paths: list[str]) -> str:
    unique = list(dict.fromkeys(paths))
    shown = ", ".join(repr(path[:80]) for path in unique[:_SHOWN_PATHS])
    more = len(unique) - _SHOWN_PATHS
    return shown + (f" and {more} more" if more > 0 else "")


def originals_from_backups(snapshots: Iterable[Mapping[str, Any]], backups: Path, relative: Callable[[str], str | None]) -> dict[str, str]:
    """Each file's first backed-up content (`version` 1), from `file-history-snapshot` records and their backup folder.

    `backups` is `~/.claude/file-history/<session id>/` as given by the user (never looked
    for); `relative` maps a tracked path to the session-relative one (None: outside it).
    A missing, unreadable, binary or oversized backup is left out: the caller's
    `original`s stay as the transcript gives them.
    """
    found: dict[str, str] = {}
    for record in snapshots:
        snapshot = record.get("snapshot")
        tracked = snapshot.get("trackedFileBackups") if isinstance(snapshot, dict) else None
        if not isinstance(tracked, dict):
            continue
        for raw_path, backup in tracked.items():
            if not isinstance(raw_path, str) or not isinstance(backup, dict) or backup.get("version") != 1:
                continue
            name = backup.get("backupFileName")
            path = relative(raw_path)
            if path is None or path in found or not isinstance(name, str) or not re.fullmatch(r"[0-9a-f]{8,64}@v1", name):
                continue
            text = _read_backup(backups / name)
            if text is not None:
                found[path] = text
    return found


def _read_backup(file: Path) -> str | None:
    try:
        if not file.is_file() or file.is_symlink() or file.stat().st_size > MAX_FILE_BYTES:
            return None
        data = file.read_bytes()
    except OSError:
        return None
    if b"\x00" in data:
        return None
    return data.decode("utf-8", "replace")
