"""Editing one lesson folder's teaching layer, and saving it back.

Only `lesson.json` is ever written, atomically; `repo.bundle` is never touched, since
nothing an annotation can change lives in the code's history.
"""

from __future__ import annotations

import os
from pathlib import Path

from tutor.errors import UserError
from tutor.lesson import LESSON_FILE, lesson_bytes, read_lesson
from tutor.lesson.edit import LessonEditor
from tutor.lesson.io import write_atomic


class AnnotateError(UserError):
    """Opening or saving failed; the message is one line for the user."""


class AnnotateSession:
    def __init__(self, folder: Path, editor: LessonEditor, on_disk: bytes) -> None:
        self.folder = folder
        self.editor = editor
        self._on_disk = on_disk  # what was read or last written, to notice someone else's save

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> AnnotateSession:
        read = read_lesson(path)
        if read.lesson is None or read.problems:
            first = str(read.problems[0]) if read.problems else f"{path}: unreadable"
            more = len(read.problems) - 1
            extra = f" (and {more} more problem{'s' if more != 1 else ''}; see `tutor validate`)" if more > 0 else " (see `tutor validate`)"
            raise AnnotateError(f"cannot annotate a broken lesson: {first}{extra}")
        try:
            on_disk = (read.path / LESSON_FILE).read_bytes()
        except OSError as error:
            raise AnnotateError(f"cannot read {read.path / LESSON_FILE}: {error.strerror or error}") from None
        return cls(read.path, LessonEditor(read.lesson), on_disk)

    @property
    def file(self) -> Path:
        return self.folder / LESSON_FILE

    @property
    def built_from_source(self) -> bool:
        """A lesson `tutor build` writes from its `source/`: edits here would be overwritten by the next build."""
        return (self.folder / "source" / "lesson.toml").is_file()

    @property
    def dirty(self) -> bool:
        return self.editor.dirty

    def save(self) -> Path:
        """Validate, then write `lesson.json` atomically. Raises AnnotateError (and writes nothing) on any problem."""
        problems = self.editor.check(str(self.file), self.folder)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise AnnotateError(f"not saved: {problems[0]}{more}")
        try:
            current = self.file.read_bytes()
        except OSError as error:
            raise AnnotateError(f"not saved: cannot read {self.file}: {error.strerror or error}") from None
        if current != self._on_disk:
            # Writing now would silently drop whatever the other save put there.
            raise AnnotateError(f"not saved: {self.file} was changed by someone else since it was opened; reopen it to edit that version")
        payload = lesson_bytes(self.editor.lesson)
        try:
            write_atomic(self.file, payload)
        except OSError as error:
            raise AnnotateError(f"not saved: cannot write {self.file}: {error.strerror or error}") from None
        self._on_disk = payload
        self.editor.mark_saved()
        return self.file
