"""The team report's data (`tutor team report`): the team's result files, pooled by lesson version,
with each version's lesson where the team's curricula hold it. No Textual: the screen, the JSON
and the HTML page all start here.

The report works from the result files and the group replays' tally files alone (anyone may
write them, to `docs/team-format.md`); a lesson found in the clone's `curricula/` with the same
digest adds the senior's answers, the options nobody chose and the key points' words. Lessons
are found by digest, never by id: a lesson edited since the answers were given is another
version, reported from the files alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tutor.lesson import is_lesson, lesson_digest, read_lesson
from tutor.lesson.untrusted import one_line
from tutor.team import TeamFormatError, TeamLayout, is_safe_slug, load_results, read_team_config
from tutor.team.lesson_facts import LessonFacts, lesson_facts
from tutor.team.report import TeamReport, build_report
from tutor.team.tallies import load_tallies

from .team import TeamError, resolve_team

MAX_LESSONS_READ = 2000  # lessons looked at in one team's curricula; past that the rest are reported from files alone
MAX_PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class LoadedReport:
    team: str  # the team's name, from team.toml (hostile)
    root: Path  # the team's clone
    report: TeamReport


def load_team_report(team: str | None = None, lesson: str | None = None) -> LoadedReport:
    """The report of the team `team` names (`--team`; default: the only team joined), of lesson `lesson` only when given."""
    membership = resolve_team(team)
    root = membership.path
    if lesson is not None and not is_safe_slug(lesson):
        raise TeamError(f"{one_line(lesson, limit=120)!r} is not a lesson id (lowercase letters, digits and '-')")
    try:
        config = read_team_config(root)
    except TeamFormatError as error:
        raise TeamError(f"cannot read the team at {one_line(str(root), limit=200)}: {error}") from None
    pool = load_results(root, lesson=lesson)
    tallies = load_tallies(root, lesson=lesson)  # group replays (`tutor host`, `tutor learn --facilitate`): their revotes
    wanted = {digest for _, digest in pool.versions()} | {digest for _, digest in tallies.versions()}
    facts = lessons_by_digest(TeamLayout(root).curricula, wanted) if wanted else {}
    return LoadedReport(team=config.name, root=root, report=build_report(pool, config.min_group, facts, tallies))


def _folders(path: Path) -> list[Path]:
    """The real folders (never a link) directly in `path`, by name."""
    try:
        with os.scandir(path) as entries:
            return sorted(Path(entry.path) for entry in entries if entry.is_dir(follow_symlinks=False))
    except OSError:
        return []


def lesson_folders(curricula: Path) -> list[Path]:
    """The lesson folders in a team's `curricula/`: directly in it, or in a curriculum folder in it."""
    found = []
    for folder in _folders(curricula):
        if is_lesson(folder):
            found.append(folder)
            continue
        found.extend(child for child in _folders(folder) if is_lesson(child))
    return found


def lessons_by_digest(curricula: Path, wanted: set[str]) -> dict[str, LessonFacts]:
    """The facts of every lesson in `curricula` whose digest is in `wanted` (each read bounded, as hostile)."""
    found: dict[str, LessonFacts] = {}
    for folder in lesson_folders(curricula)[:MAX_LESSONS_READ]:
        read = read_lesson(folder)
        if read.lesson is None:
            continue
        digest = lesson_digest(read.lesson)
        if digest in wanted and digest not in found:
            found[digest] = lesson_facts(read.lesson, digest)
        if len(found) == len(wanted):
            break
    return found


def problem_lines(problems: tuple[str, ...] | list[str], limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    """Problems to show, one line each, at most `limit` and then how many more."""
    lines = [one_line(problem, limit=300) for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"and {len(problems) - limit} more")
    return lines
