"""The walk over a team folder's `<kind>/<lesson-id>/<digest12>/<handle>/<name>.json` files (results, tallies).

One walk for every kind of file members write per lesson version: it follows no link (a folder
that is one is passed over), goes in name order, can keep to one lesson or one member, and
stops after `limit` files so that a folder holding millions cannot hold Tutor up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .folder import is_safe_slug


@dataclass(frozen=True)
class Placed:
    """One file found by the walk, with the folder names its path gives it (not yet checked)."""

    path: Path
    lesson: str
    version: str  # the digest's first 12 hex digits, as the folder is named
    handle: str
    name: str  # the file's name without its suffix: an attempt id, a session id

    @property
    def safe(self) -> bool:
        """Whether every component of the path is a safe slug (`folder.is_safe_slug`)."""
        return all(is_safe_slug(part) for part in (self.lesson, self.version, self.handle, self.name))

    def differences(self, lesson: str, digest: str, handle: str, name: tuple[str, str]) -> list[str]:
        """The fields a file's content gives otherwise than its path does (`name`: the field's
        name and value for the file name, e.g. ("attempt", id)); a file is kept only when none."""
        given = (("lesson", lesson, self.lesson), ("digest", digest[:12], self.version), ("handle", handle, self.handle), (name[0], name[1], self.name))
        return [field for field, in_file, in_path in given if in_file != in_path]


def _folders(path: Path | str) -> list[os.DirEntry[str]]:
    """The real folders (never a link) directly in `path`, by name."""
    try:
        with os.scandir(path) as entries:
            return sorted((entry for entry in entries if entry.is_dir(follow_symlinks=False)), key=lambda entry: entry.name)
    except OSError:
        return []


def _files(path: str, suffix: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return sorted((entry for entry in entries if entry.name.endswith(suffix)), key=lambda entry: entry.name)
    except OSError:
        return []


def placed_files(top: Path, suffix: str, *, lesson: str | None = None, handle: str | None = None) -> Iterator[Placed]:
    """Every `<top>/<lesson>/<version>/<handle>/<name><suffix>`, in name order (the caller stops it at its cap)."""
    for lesson_dir in _folders(top):
        if lesson is not None and lesson_dir.name != lesson:
            continue
        for version_dir in _folders(lesson_dir.path):
            for handle_dir in _folders(version_dir.path):
                if handle is not None and handle_dir.name != handle:
                    continue
                for entry in _files(handle_dir.path, suffix):
                    yield Placed(Path(entry.path), lesson_dir.name, version_dir.name, handle_dir.name, entry.name[: -len(suffix)])
