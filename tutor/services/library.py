"""The library: every curriculum and lesson Tutor can see, with this learner's state of each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.lesson import Curriculum, Lesson, discover_curricula, is_curriculum, read_curriculum
from tutor.lesson.io import lesson_digest
from tutor.team.folder import team_root_of

if TYPE_CHECKING:
    from tutor.store.progress import AttemptRecord, Progress

    from .team_standing import TeamStanding, TeamStandings

NEW, IN_PROGRESS, DONE, BROKEN = "new", "in progress", "done", "broken"


@dataclass(frozen=True)
class LessonEntry:
    curriculum: str  # the curriculum folder's name
    folder: str
    path: Path
    number: int
    lesson: Lesson | None
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
        if self.state == IN_PROGRESS and self.attempt is not None:
            step = min(max(self.attempt.cursor, 1), self.attempt.total or 1)
            label = f"in progress · step {step}/{self.attempt.total}"
            # A retry under way does not hide what was already achieved.
            return label + (f" · best {self.best:.0%}" if self.best is not None else "")
        if self.state == DONE and self.best is not None:
            return f"done · best {self.best:.0%}" if self.finished > 1 else f"done · {self.best:.0%}"
        return self.state


@dataclass(frozen=True)
class CurriculumEntry:
    slug: str
    title: str
    description: str
    path: Path
    lessons: tuple[LessonEntry, ...]
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Library:
    curricula: tuple[CurriculumEntry, ...]
    due_reviews: int = 0
    last: LessonEntry | None = None
    warnings: tuple[str, ...] = field(default=())

    def lessons(self) -> list[LessonEntry]:
        return [lesson for curriculum in self.curricula for lesson in curriculum.lessons]

    def find(self, ref: str) -> LessonEntry | None:
        for lesson in self.lessons():
            if ref in (lesson.ref, lesson.folder) or (lesson.lesson is not None and lesson.lesson.id == ref):
                return lesson
        return None


def lesson_key(folder: Path, lesson_id: str) -> str:
    """A lesson's identity for progress: its curriculum and id, so that a stranger's curriculum with a
    lesson of the same id is another lesson. Bundled lessons are keyed by name (the install moves);
    others by where their curriculum is; a lesson outside any curriculum, by its folder."""
    from tutor import paths
    from tutor.lesson.curriculum import is_curriculum

    folder = folder.resolve()
    parent = folder.parent
    if is_curriculum(parent):
        if parent.parent == paths.bundled_curricula_dir().resolve():
            return f"bundled:{parent.name}/{lesson_id}"
        team = team_root_of(parent)
        if team is not None:  # a team's lesson: its own progress, apart from a copy elsewhere
            inner = "" if parent == team / "curricula" else f"{parent.name}/"
            return f"team:{team}/{inner}{lesson_id}"
        return f"curriculum:{parent}/{lesson_id}"
    return f"lesson:{folder}"


def load_library(roots: list[Path], progress: Progress | None, today: date | None = None) -> Library:
    """Read every curriculum under `roots`; a broken lesson becomes an entry that says why."""
    attempts_by_lesson: dict[str, list[AttemptRecord]] = {}
    warnings: list[str] = []
    due = 0
    last_attempt_id = None
    if progress is not None:
        from tutor.store.progress import StoreError

        try:
            for record in progress.attempts():
                attempts_by_lesson.setdefault(record.lesson_id, []).append(record)
            due = len(progress.due_cards(today or date.today()))
            last = progress.last_opened()
            last_attempt_id = last[1] if last else None
        except StoreError as error:
            attempts_by_lesson.clear()  # the lessons are listed anyway, as if new
            warnings.append(f"Your progress cannot be read ({error}); the lessons are listed as new.")
        warnings.extend(progress.warnings)

    curricula = []
    last_entry = None
    standings: TeamStandings | None = None
    for curriculum in discover_curricula(roots):
        team_root = team_root_of(curriculum.path)
        if team_root is not None and standings is None:
            from .team_standing import TeamStandings

            standings = TeamStandings.of_member()
        entries = []
        for number, read in enumerate(curriculum.read_lessons(), 1):
            folder = read.path.name
            if read.lesson is None or read.problems:
                problem = read.problems[0].what if read.problems else "unreadable"
                entries.append(LessonEntry(curriculum.slug, folder, read.path, number, None, problem, BROKEN))
                continue
            key = lesson_key(read.path, read.lesson.id)
            records = [record for record in attempts_by_lesson.get(read.lesson.id, []) if record.belongs_to(read.lesson.id, key)]
            latest = records[-1] if records else None
            state = NEW if latest is None else (DONE if latest.finished else IN_PROGRESS)
            scores = [record.score for record in records if record.finished and record.score is not None]
            entry = LessonEntry(
                curriculum.slug,
                folder,
                read.path,
                number,
                read.lesson,
                None,
                state,
                latest,
                len(records),
                best=max(scores) if scores else None,
                finished=sum(record.finished for record in records),
                **_team_figures(standings, team_root, read.lesson, records),
            )
            entries.append(entry)
            if latest is not None and latest.id == last_attempt_id:
                last_entry = entry
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
    if standings is not None:
        warnings.extend(standings.problems)
    curricula = _mark_shared_ids(curricula)
    if last_entry is not None:
        last_entry = next((entry for c in curricula for entry in c.lessons if entry.path == last_entry.path), last_entry)
    return Library(tuple(curricula), due, last_entry, tuple(warnings))


def _team_figures(standings: TeamStandings | None, team_root: Path | None, lesson: Lesson, records: list[AttemptRecord]) -> dict[str, Any]:
    """A team lesson's standing, and the member's own first score on the same version."""
    if standings is None or team_root is None:
        return {}
    digest = lesson_digest(lesson)
    firsts = [record.score for record in records if record.finished and record.digest == digest]
    return {"team": standings.standing(team_root, lesson.id, digest), "first_score": firsts[0] if firsts else None}


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
    from dataclasses import replace

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


@dataclass(frozen=True)
class NextLesson:
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
