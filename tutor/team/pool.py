"""Every member's result files in a team folder, read as hostile and pooled by lesson version.

`results/<lesson-id>/<digest12>/<handle>/<attempt-id>.json`: the walk never follows a link,
reads at most `MAX_RESULT_FILES` files (each bounded by `read_result`), and keeps a file only
when its content agrees with its path (the lesson, the digest's first 12 digits, the handle and
the attempt id), so a file cannot count under another member's handle or another lesson's
version by being put in the wrong folder. A file that is refused is one problem line; it never
stops the others from being read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tutor.lesson.untrusted import one_line

from .folder import TeamFormatError, TeamLayout
from .results import ResultFile, read_result
from .walk import Placed, placed_files

MAX_RESULT_FILES = 100_000  # a team of 100 taking 1,000 attempts each; past that, a note and a stop
RESULT_SUFFIX = ".json"


@dataclass
class ResultPool:
    """The result files read from one team folder, and one line per file refused."""

    results: list[ResultFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def versions(self) -> dict[tuple[str, str], list[ResultFile]]:
        """The results grouped by (lesson id, digest): a report never mixes two versions of a lesson."""
        grouped: dict[tuple[str, str], list[ResultFile]] = {}
        for result in self.results:
            grouped.setdefault((result.lesson, result.digest), []).append(result)
        return grouped

    def first_attempts(self) -> dict[tuple[str, str], dict[str, ResultFile]]:
        """Each member's first attempt at each version, by (lesson id, digest) then handle (`first_attempts`)."""
        return {version: first_attempts(results) for version, results in self.versions().items()}


def first_attempts(results: Iterable[ResultFile]) -> dict[str, ResultFile]:
    """Each member's first finished attempt among `results`, by handle, in handle order.

    The first attempt is the honest measure of what fools people: later ones come after the
    member has seen the reveal. First by when it finished (as a moment), then by attempt id.
    """
    first: dict[str, ResultFile] = {}
    for result in results:
        held = first.get(result.handle)
        if held is None or _order(result) < _order(held):
            first[result.handle] = result
    return {handle: first[handle] for handle in sorted(first)}


def _order(result: ResultFile) -> tuple[datetime, str]:
    """When an attempt finished (as a moment: offsets differ between members), then its id."""
    return datetime.fromisoformat(result.finished).astimezone(UTC), result.attempt


def load_results(team: str | os.PathLike[str], *, lesson: str | None = None, handle: str | None = None) -> ResultPool:
    """The result files under `team`'s `results/` (only lesson `lesson`'s, or member `handle`'s, when given)."""
    layout = TeamLayout(Path(team))
    pool = ResultPool()
    for seen, placed in enumerate(placed_files(layout.results, RESULT_SUFFIX, lesson=lesson, handle=handle), 1):
        if seen > MAX_RESULT_FILES:
            pool.problems.append(f"{one_line(str(layout.results), limit=200)}: more than {MAX_RESULT_FILES} result files; read the first {MAX_RESULT_FILES}")
            break
        _read_one(pool, layout.root, placed)
    return pool


def _read_one(pool: ResultPool, root: Path, placed: Placed) -> None:
    where = one_line(str(placed.path.relative_to(root)), limit=200)
    if not placed.safe:
        pool.problems.append(f"{where}: not a result path (results/<lesson>/<digest12>/<handle>/<attempt>.json), skipped")
        return
    try:
        result = read_result(placed.path, within=root)
    except TeamFormatError as error:
        pool.problems.append(f"{error}, skipped")
        return
    mismatch = placed.differences(result.lesson, result.digest, result.handle, ("attempt", result.attempt))
    if mismatch:
        pool.problems.append(f"{where}: its {', '.join(mismatch)} differ from its path, skipped")
        return
    pool.results.append(result)
