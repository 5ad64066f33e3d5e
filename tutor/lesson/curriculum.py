"""Curricula: an ordered folder of lessons described by `curriculum.toml`, and their discovery."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import msgspec

from .io import LESSON_FILE, LessonRead, read_lesson
from .limits import MAX_CURRICULUM_BYTES, Refused, problem_text, read_regular
from .problems import Problem

CURRICULUM_FILE = "curriculum.toml"


class Curriculum(msgspec.Struct):
    path: Path
    title: str
    description: str = ""
    lesson_folders: list[str] = msgspec.field(default_factory=list)
    problems: list[Problem] = msgspec.field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.path.name

    def lesson_paths(self) -> list[Path]:
        return [self.path / name for name in self.lesson_folders]

    def read_lessons(self) -> list[LessonRead]:
        """Every listed lesson, in order; broken ones carry their problems instead of raising."""
        reads = [read_lesson(path) for path in self.lesson_paths()]
        seen: dict[str, Path] = {}
        for read in reads:
            if read.lesson is None:
                continue
            other = seen.setdefault(read.lesson.id, read.path)
            if other != read.path:
                read.problems.append(
                    Problem(str(read.path / LESSON_FILE), "id", f"lesson id {read.lesson.id!r} is also used by {other.name}")
                )
        return reads


def _named_file(path: Path) -> bool:
    """Something is there by that name (a file, or a FIFO, a link, a folder...): reading it says what is wrong."""
    return os.path.lexists(path)


def is_curriculum(path: Path) -> bool:
    return _named_file(path / CURRICULUM_FILE)


def is_lesson(path: Path) -> bool:
    return _named_file(path / LESSON_FILE) or (path.name == LESSON_FILE and _named_file(path))


def read_curriculum(path: str | os.PathLike[str]) -> Curriculum:
    """Read `curriculum.toml`; never raises for bad input (problems are collected on the result)."""
    folder = Path(path)
    if folder.name == CURRICULUM_FILE:
        folder = folder.parent
    file = folder / CURRICULUM_FILE
    shown = str(file)
    curriculum = Curriculum(path=folder, title=folder.name)
    if not os.path.lexists(file):
        curriculum.problems.append(Problem(str(folder), "", f"no {CURRICULUM_FILE} here"))
        return curriculum
    try:
        raw = read_regular(file, limit=MAX_CURRICULUM_BYTES, within=folder, name=f"a {CURRICULUM_FILE}", place="the curriculum folder")
        data = tomllib.loads(raw.decode("utf-8"))
    except (Refused, OSError) as error:
        curriculum.problems.append(Problem(shown, "", problem_text(error)))
        return curriculum
    except UnicodeDecodeError as error:
        curriculum.problems.append(Problem(shown, "", f"not UTF-8 (invalid byte at offset {error.start})"))
        return curriculum
    except tomllib.TOMLDecodeError as error:
        curriculum.problems.append(Problem(shown, "", f"not valid TOML: {error}"))
        return curriculum
    except RecursionError:
        curriculum.problems.append(Problem(shown, "", "nesting is absurdly deep; refusing to read it"))
        return curriculum

    known = {"title", "description", "lessons"}
    for key in sorted(set(data) - known):
        shown_key = key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else repr(key)
        curriculum.problems.append(Problem(shown, shown_key, "unknown key (expected title, description, lessons)"))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        curriculum.problems.append(Problem(shown, "title", "missing or empty; give the curriculum a title"))
    else:
        curriculum.title = title.strip()
    description = data.get("description", "")
    if isinstance(description, str):
        curriculum.description = description
    else:
        curriculum.problems.append(Problem(shown, "description", "must be a string"))
    lessons = data.get("lessons")
    if not isinstance(lessons, list):
        curriculum.problems.append(Problem(shown, "lessons", "missing; list the lesson folders in order"))
        return curriculum
    seen: set[str] = set()
    folders = _folders_in(folder)
    for index, name in enumerate(lessons):
        where = f"lessons[{index}]"
        if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in {".", ".."}:
            curriculum.problems.append(Problem(shown, where, f"{name!r} must be the name of a folder beside curriculum.toml"))
        elif name in seen:
            curriculum.problems.append(Problem(shown, where, f"{name!r} is listed twice"))
        else:
            seen.add(name)
            curriculum.lesson_folders.append(name)
            if name not in folders and not (folder / name).is_dir():  # a link to a folder is not listed as one
                curriculum.problems.append(Problem(shown, where, f"no lesson folder {name!r} beside curriculum.toml"))
    return curriculum


def _folders_in(folder: Path) -> set[str]:
    """The names of the folders in FOLDER, from one listing (not a look at each lesson's folder: 500 lessons, 500 stats)."""
    try:
        with os.scandir(folder) as entries:
            return {entry.name for entry in entries if entry.is_dir(follow_symlinks=False)}
    except OSError:
        return set()


def discover_curricula(roots: list[Path]) -> list[Curriculum]:
    """Curricula at the given folders or one level below them, each once, in the order found."""
    found: list[Curriculum] = []
    seen: set[Path] = set()
    for root in roots:
        candidates = [root] if is_curriculum(root) else sorted(p for p in _subfolders(root) if is_curriculum(p))
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(read_curriculum(candidate))
    return found


def _subfolders(root: Path) -> list[Path]:
    try:
        return [child for child in root.iterdir() if child.is_dir()]
    except OSError:
        return []


def resolve_lesson(reference: str, roots: list[Path]) -> Path | None:
    """Find a lesson named by a path, by `curriculum/lesson`, or by a bare lesson folder name or id."""
    direct = Path(reference).expanduser()
    if is_lesson(direct):
        return direct.parent if direct.name == LESSON_FILE else direct
    curricula = discover_curricula(roots)
    if "/" in reference.strip("/"):
        curriculum_name, _, lesson_name = reference.strip("/").rpartition("/")
        for curriculum in curricula:
            if curriculum.slug == curriculum_name and lesson_name in curriculum.lesson_folders:
                return curriculum.path / lesson_name
        return None
    for curriculum in curricula:
        if reference in curriculum.lesson_folders:
            return curriculum.path / reference
    for curriculum in curricula:
        for read in curriculum.read_lessons():
            if read.lesson is not None and read.lesson.id == reference:
                return read.path
    return None
