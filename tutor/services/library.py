"""The library: every curriculum and lesson Tutor can see, with this learner's state of each.

Listed in two steps, so that the list is on screen (and takes keys) before anything slow is
read: `list_library` reads the curricula and each lesson's metadata through the lesson index
(`tutor.lesson.index`: no lesson parsed in full unless it changed, no progress, no team);
`with_progress` then adds the learner's states from the progress overview
(`tutor.store.overview`: a few small files, no TinyDB) and the team standings.
`load_library` does both.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec.structs import replace

from tutor.lesson.curriculum import Curriculum, discover_curricula, is_curriculum, read_curriculum
from tutor.lesson.index import LessonIndex, LessonInfo
from tutor.team.folder import team_root_of

from .lesson_keys import key_prefix, lesson_key

if TYPE_CHECKING:
    from tutor.store.overview import LessonProgress, Overview
    from tutor.store.progress import AttemptRecord, Progress

    from .team_standing import TeamStanding, TeamStandings

NEW, IN_PROGRESS, DONE, BROKEN = "new", "in progress", "done", "broken"
UNREAD = ""  # a valid lesson's state before the learner's progress is read (`with_progress`)


class LessonEntry(msgspec.Struct, frozen=True):
    curriculum: str  # the curriculum folder's name
    folder: str
    path: Path
    number: int
    lesson: LessonInfo | None  # what the library shows of it; None: broken
    problem: str | None  # why it is broken, one line
    state: str = NEW
    attempt: AttemptRecord | None = None  # the latest: the one `continue` resumes
    attempts: int = 0
    best: float | None = None  # the best score of the finished attempts, whichever came last
    finished: int = 0  # how many attempts were finished
    same_id: tuple[str, ...] = ()  # other lessons (curriculum/folder) with this lesson's id: kept apart
    team: TeamStanding | None = None  # a team's lesson: the team's median on this version (never anyone's answers)
    first_score: float | None = None  # the first finished attempt's score at this version (a team lesson's)

    @property
    def ref(self) -> str:
        return f"{self.curriculum}/{self.folder}"

    @property
    def title(self) -> str:
        return self.lesson.title if self.lesson else self.folder

    @property
    def state_label(self) -> str:
        label = self._own_label()
        if self.team is None:
            return label
        # Like for like: the team's figure is of first attempts, so beside it goes the member's first.
        mine = f" (your first {self.first_score:.0%})" if self.team.median is not None and self.first_score is not None else ""
        return f"{label} · {self.team.label()}{mine}"

    def _own_label(self) -> str:
        if self.state == BROKEN:
            return f"broken: {self.problem}"
        if self.state == UNREAD:
            return "…"
        if self.state == IN_PROGRESS and self.attempt is not None:
            step = min(max(self.attempt.cursor, 1), self.attempt.total or 1)
            label = f"in progress · step {step}/{self.attempt.total}"
            # A retry under way does not hide what was already achieved.
            return label + (f" · best {self.best:.0%}" if self.best is not None else "")
        if self.state == DONE and self.best is not None:
            return f"done · best {self.best:.0%}" if self.finished > 1 else f"done · {self.best:.0%}"
        return self.state


class CurriculumEntry(msgspec.Struct, frozen=True):
    slug: str
    title: str
    description: str
    path: Path
    lessons: tuple[LessonEntry, ...]
    problems: tuple[str, ...] = ()


class Library(msgspec.Struct, frozen=True):
    curricula: tuple[CurriculumEntry, ...]
    due_reviews: int = 0
    last: LessonEntry | None = None
    warnings: tuple[str, ...] = ()
    progress_read: bool = False  # the learner's states are in (`with_progress`); before, valid lessons are UNREAD

    def lessons(self) -> list[LessonEntry]:
        return [lesson for curriculum in self.curricula for lesson in curriculum.lessons]

    def find(self, ref: str) -> LessonEntry | None:
        for lesson in self.lessons():
            if ref in (lesson.ref, lesson.folder) or (lesson.lesson is not None and lesson.lesson.id == ref):
                return lesson
        return None


def _keys_of(curriculum: CurriculumEntry) -> dict[str, str]:
    """`lesson_key` of each valid lesson of `curriculum`, by its ref: the curriculum's part worked out once, not per lesson."""
    parent = _resolved(curriculum.path)
    prefix = key_prefix(parent)
    keys = {}
    for entry in curriculum.lessons:
        if entry.lesson is None:
            continue
        if entry.path.is_symlink() or entry.path.parent != curriculum.path:  # the lesson lives elsewhere: its own way
            keys[entry.ref] = lesson_key(entry.path, entry.lesson.id)
        else:
            keys[entry.ref] = f"{prefix}{entry.lesson.id}" if prefix is not None else f"lesson:{parent / entry.folder}"
    return keys


def learner_index() -> LessonIndex:
    """The learner's lesson index, kept under Tutor's cache folder (`TUTOR_HOME`)."""
    from tutor import __version__, paths

    return LessonIndex(paths.cache_dir() / "lesson-index.json", version=__version__)


def list_library(roots: list[Path], index: LessonIndex | None = None, *, indexed_only: bool = False) -> Library | None:
    """Every curriculum under `roots` and its lessons, in order, from `index` (default: the learner's); a broken
    lesson is an entry that says why. No progress is read: valid lessons are `UNREAD` until `with_progress`.

    `indexed_only`: None as soon as one lesson is not current in the index (nothing is read in full), so
    that a caller in a hurry lists only what costs a few file stats."""
    index = index if index is not None else learner_index()
    curricula = []
    for curriculum in discover_curricula(roots):
        entries = []
        seen: dict[str, str] = {}  # lesson id -> the folder that has it first
        for number, folder in enumerate(curriculum.lesson_paths(), 1):
            found = index.cached(folder) if indexed_only else index.read(folder)
            if found is None:
                return None
            indexed = found
            info = indexed.info
            if info is not None and seen.setdefault(info.id, folder.name) != folder.name:
                # Two lessons of one curriculum with one id: progress could not tell them apart.
                entries.append(LessonEntry(curriculum.slug, folder.name, folder, number, None, f"lesson id {info.id!r} is also used by {seen[info.id]}", BROKEN))
            elif info is None:
                entries.append(LessonEntry(curriculum.slug, folder.name, folder, number, None, indexed.problems[0], BROKEN))
            else:
                entries.append(LessonEntry(curriculum.slug, folder.name, folder, number, info, None, UNREAD))
        curricula.append(
            CurriculumEntry(
                curriculum.slug,
                _section_title(curriculum),
                curriculum.description,
                curriculum.path,
                tuple(entries),
                tuple(str(problem) for problem in curriculum.problems),
            )
        )
    index.save()
    return Library(tuple(_mark_shared_ids(curricula)))


def with_progress(library: Library, overview: Overview | None, today: date | None = None, *, warnings: tuple[str, ...] = ()) -> Library:
    """`library` with the learner's state of each lesson from `overview` (None: progress unreadable, every lesson
    new, and `warnings` say why), the reviews due `today`, the lesson last opened and the team standings."""
    last_attempt_id = overview.last_opened[1] if overview is not None and overview.last_opened else None
    standings: TeamStandings | None = None
    last_entry = None
    curricula = []
    for curriculum in library.curricula:
        team_root = team_root_of(curriculum.path)
        if team_root is not None and standings is None:
            from .team_standing import TeamStandings

            standings = TeamStandings.of_member()
        entries = []
        keys = _keys_of(curriculum) if overview is not None else {}
        for entry in curriculum.lessons:
            if entry.lesson is None:
                entries.append(entry)
                continue
            mine = overview.lesson(entry.lesson.id, keys[entry.ref]) if overview is not None else None
            entry = _with_state(entry, mine, standings, team_root)
            entries.append(entry)
            if entry.attempt is not None and entry.attempt.id == last_attempt_id:
                last_entry = entry
        curricula.append(replace(curriculum, lessons=tuple(entries)))
    found = [*library.warnings, *warnings, *(overview.warnings if overview is not None else ())]
    if standings is not None:
        found.extend(standings.problems)
    due = len(overview.due_cards(today or date.today())) if overview is not None else 0
    return Library(tuple(curricula), due, last_entry, tuple(found), progress_read=True)


def _with_state(entry: LessonEntry, mine: LessonProgress | None, standings: TeamStandings | None, team_root: Path | None) -> LessonEntry:
    assert entry.lesson is not None
    latest = mine.latest if mine is not None else None
    state = NEW if latest is None else (DONE if latest.finished else IN_PROGRESS)
    team: dict[str, Any] = {}
    if standings is not None and team_root is not None:
        # A team lesson's standing, and the member's own first score on the same version.
        digest = entry.lesson.digest
        team = {"team": standings.standing(team_root, entry.lesson.id, digest), "first_score": mine.first_score(digest) if mine is not None else None}
    if mine is None:
        return replace(entry, state=state, **team)
    return replace(entry, state=state, attempt=latest, attempts=mine.attempts, best=mine.best, finished=mine.finished, **team)


def progress_at_once(library: Library) -> Library | None:
    """`library` as `with_progress` makes it, when the learner's progress can be had at once: nothing stored, or
    the index of attempts current and the store not being written; and no curriculum is a team's (its standings
    are read from the team's folder). None: read it in a worker (`read_learner_overview`).

    A look at the progress folder and one read of its index (~1 ms for 10 attempts, ~7 ms for 10,000): the list's
    first frame then shows the learner's states, where it was drawn with "…" and built again a moment later.
    """
    from tutor import paths
    from tutor.store.overview import read_overview_at_once

    if any(team_root_of(curriculum.path) is not None for curriculum in library.curricula):
        return None
    overview = read_overview_at_once(paths.progress_dir())
    return with_progress(library, overview) if overview is not None else None


def read_learner_overview() -> tuple[Overview | None, tuple[str, ...]]:
    """The learner's progress overview (no TinyDB while its index is current), or None and why it cannot be read."""
    from tutor import paths
    from tutor.store.errors import StoreError
    from tutor.store.overview import read_overview

    try:
        return read_overview(paths.progress_dir()), ()
    except StoreError as error:
        return None, (f"Your progress cannot be read ({error}); the lessons are listed as new.",)


def load_library(roots: list[Path], progress: Progress | Overview | None, today: date | None = None, index: LessonIndex | None = None) -> Library:
    """Every curriculum under `roots` with the learner's state of each lesson, from an open `Progress`, an `Overview`, or
    none (every lesson new); a broken lesson becomes an entry that says why."""
    from tutor.store.overview import Overview

    listed = list_library(roots, index)
    assert listed is not None
    if progress is None or isinstance(progress, Overview):
        return with_progress(listed, progress, today)
    from tutor.store.errors import StoreError

    try:
        overview = progress.overview()
    except StoreError as error:
        return with_progress(listed, None, today, warnings=(f"Your progress cannot be read ({error}); the lessons are listed as new.", *progress.warnings))
    return with_progress(listed, overview, today)


def _section_title(curriculum: Curriculum) -> str:
    """A curriculum's heading in the library: a team's curricula are titled with the team's name."""
    from tutor.team import TeamFormatError, read_team_config
    from tutor.team.folder import team_root_of

    team = team_root_of(_resolved(curriculum.path))
    if team is None:
        return curriculum.title
    try:
        name = read_team_config(team).name
    except TeamFormatError:
        return curriculum.title
    if _resolved(curriculum.path) == team / "curricula" or curriculum.title == name:
        return f"Team: {name}"
    return f"Team: {name} · {curriculum.title}"


def _mark_shared_ids(curricula: list[CurriculumEntry]) -> list[CurriculumEntry]:
    """A lesson id used by lessons of several curricula is said on each: their progress is kept apart."""
    by_id: dict[str, list[str]] = {}
    for curriculum in curricula:
        for entry in curriculum.lessons:
            if entry.lesson is not None:
                by_id.setdefault(entry.lesson.id, []).append(entry.ref)
    marked = []
    for curriculum in curricula:
        lessons = tuple(
            replace(entry, same_id=tuple(ref for ref in by_id[entry.lesson.id] if ref != entry.ref)) if entry.lesson is not None and len(by_id[entry.lesson.id]) > 1 else entry
            for entry in curriculum.lessons
        )
        marked.append(replace(curriculum, lessons=lessons))
    return marked


class NextLesson(msgspec.Struct, frozen=True):
    """Where the score card's "Next lesson" leads: the lesson after this one, or nowhere (it was the last)."""

    curriculum: str  # the curriculum's folder name, as the library names it
    curriculum_title: str
    path: Path | None  # None: the lesson was the curriculum's last


def next_lesson(lesson_path: Path, curriculum: str | None, roots: list[Path]) -> NextLesson | None:
    """The lesson after `lesson_path` in its curriculum's order (`curriculum.toml`).

    The curriculum is the one named `curriculum` among those Tutor can see, else the
    folder holding the lesson (`tutor learn FOLDER` opens a lesson with no name for it).
    None when the lesson belongs to no curriculum.
    """
    here = _resolved(lesson_path)
    candidates: list[Curriculum] = [found for found in discover_curricula(roots) if found.slug == curriculum] if curriculum else []
    if is_curriculum(lesson_path.parent):
        candidates.append(read_curriculum(lesson_path.parent))
    for candidate in candidates:
        paths = candidate.lesson_paths()
        places = [index for index, path in enumerate(paths) if _resolved(path) == here]
        if places:
            after = places[0] + 1
            return NextLesson(candidate.slug, candidate.title, paths[after] if after < len(paths) else None)
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
