"""`tutor validate`: check any mix of lessons, curricula and folders of curricula.

Problems make a lesson invalid (exit 1). Warnings do not: a valid lesson that teaches
less than it could (no goal ask, say) gets a line marked `warning:`, and the exit code
stays 0 when nothing else is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .curriculum import is_curriculum, is_lesson, read_curriculum
from .io import LESSON_FILE, read_lesson
from .models import Lesson
from .problems import Problem
from .validate import lesson_warnings

WARNING = "warning: "


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # shown, but never make the report fail
    passed: list[Path] = field(default_factory=list)
    lessons: int = 0
    curricula: int = 0
    _ids: dict[str, list[str]] = field(default_factory=dict, repr=False)  # lesson id -> where each valid one is

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, quiet: bool = False) -> list[str]:
        lines = [str(problem) for problem in self.problems]
        lines += [str(Problem(warning.path, warning.where, WARNING + warning.what)) for warning in self.warnings]
        if not quiet:
            lines += [f"ok: {path}" for path in self.passed]
        return lines

    def summary(self) -> str:
        what = f"{self.lessons} lesson{'s' if self.lessons != 1 else ''}"
        if self.curricula:
            what += f" in {self.curricula} curricul{'a' if self.curricula != 1 else 'um'}"
        warned = f", {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}" if self.warnings else ""
        if self.ok:
            return f"{what}: all valid{warned}"
        return f"{what}: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}{warned}"

    def add_passed(self, path: Path, lesson: Lesson | None, shown: str) -> None:
        """A lesson that validated, and the warnings it still gets."""
        self.passed.append(path)
        if lesson is not None:
            self.warnings.extend(lesson_warnings(lesson, shown))
            self._ids.setdefault(lesson.id, []).append(shown)

    def warn_shared_ids(self) -> None:
        """Lessons of different folders with one id: progress keeps them apart, but a learner and a team see two of one name."""
        for lesson_id, places in self._ids.items():
            unique = list(dict.fromkeys(places))
            for place in unique[1:]:
                self.warnings.append(Problem(place, "id", f"the id {lesson_id!r} is also the id of {unique[0]}: give each lesson its own id"))


def check_paths(paths: list[Path]) -> CheckReport:
    report = CheckReport()
    for path in paths:
        _check_one(path, report)
    report.warn_shared_ids()
    return report


def _check_one(path: Path, report: CheckReport) -> None:
    if is_curriculum(path) or path.name == "curriculum.toml":
        _check_curriculum(path, report)
    elif is_lesson(path):
        _check_lesson(path, report)
    elif path.is_dir():
        found = False
        for child in sorted(p for p in path.iterdir() if p.is_dir()):
            if is_curriculum(child) or is_lesson(child):
                found = True
                _check_one(child, report)
        if not found:
            report.problems.append(Problem(str(path), "", "no lesson.json or curriculum.toml here or one level below"))
    elif path.exists():
        _check_lesson(path, report)  # a file with another name: read it as a lesson.json
    else:
        report.problems.append(Problem(str(path), "", "no such file or folder"))


def _check_lesson(path: Path, report: CheckReport) -> None:
    if not path.is_dir() and path.name != LESSON_FILE:
        from .io import decode_lesson_json
        from .limits import MAX_LESSON_BYTES, Refused, problem_text, read_regular
        from .validate import check_lesson_data

        report.lessons += 1
        try:
            raw = read_regular(path, limit=MAX_LESSON_BYTES, name=f"a {LESSON_FILE}")
        except (Refused, OSError) as error:
            report.problems.append(Problem(str(path), "", problem_text(error)))
            return
        data, problem, plain = decode_lesson_json(raw, str(path))
        lesson, problems = (None, [problem]) if problem else check_lesson_data(data, str(path), path.parent, plain_json=plain)
        report.problems.extend(problems)
        if not problems:
            report.add_passed(path, lesson, str(path))
        return
    read = read_lesson(path)
    report.lessons += 1
    report.problems.extend(read.problems)
    if read.ok:
        report.add_passed(read.path, read.lesson, str(read.path / LESSON_FILE))


def _check_curriculum(path: Path, report: CheckReport) -> None:
    curriculum = read_curriculum(path)
    report.curricula += 1
    report.problems.extend(curriculum.problems)
    for read in curriculum.read_lessons():
        report.lessons += 1
        report.problems.extend(read.problems)
        if read.ok:
            report.add_passed(read.path, read.lesson, str(read.path / LESSON_FILE))
