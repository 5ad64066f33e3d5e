"""`tutor build --check`: rebuild every lesson of a curriculum and compare with what is checked in.

Only what cannot be the same twice is masked: durations printed by test runners and
the temporary folder the build ran in. Everything else, every output line, every
commit id, must match: lessons can never drift from their sources.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tutor.errors import UserError
from tutor.lesson import LESSON_FILE, dump_lesson, load_lesson
from tutor.lesson.curriculum import CURRICULUM_FILE, is_curriculum, read_curriculum
from tutor.lesson.diffs import unified_diff
from tutor.words import plural

from .builder import BUNDLE, BuildError, MissingToolError, build_lesson, build_root
from .source import SOURCE_DIR, SOURCE_FILE, SourceError, read_source

_VOLATILE = [
    (re.compile(r"\b\d+(\.\d+)?s\b(?= *(=+|\)|$))", re.M), "<duration>"),  # "in 0.07s ====", "(0.12s)"
    (re.compile(r"\bin \d+(\.\d+)?s\b"), "in <duration>"),
    (re.compile(r"0x[0-9a-f]{6,16}"), "0x<address>"),
]


class CheckPathError(UserError):
    """A path given to `--check` is not something that can be checked; the message is one line."""


@dataclass
class CheckResult:
    """One lesson checked: it matches, it differs (`problems` say how), or it could not be checked (and why)."""

    lesson: Path
    problems: list[str] = field(default_factory=list)
    could_not_check: str | None = None  # why not: no source, a broken source, a tool missing on this machine ...

    @property
    def ok(self) -> bool:
        return not self.problems and self.could_not_check is None

    @property
    def differs(self) -> bool:
        return bool(self.problems) and self.could_not_check is None

    def unchecked(self, reason: str, detail: str | None = None) -> CheckResult:
        """Mark it as not checked because of `reason` (a few words); `detail` is the line to print, if not the reason."""
        self.could_not_check = reason
        self.problems.append(f"{self.lesson}: could not check: {detail or reason}")
        return self


def lesson_sources(path: Path) -> list[tuple[Path, Path]]:
    """(lesson folder, its source folder) for a curriculum, a lesson folder, or a source folder.

    Anything else (a path that does not exist, a stray file, a folder holding none of
    these) is a `CheckPathError`: there is nothing to check, which is not a difference.
    """
    path = Path(path)
    if not path.exists():
        raise CheckPathError(f"{path} does not exist")
    if path.is_file():
        if path.name in (CURRICULUM_FILE, LESSON_FILE, SOURCE_FILE):
            return lesson_sources(path.parent)
        raise CheckPathError(f"{path} is a file; --check takes a curriculum, a lesson folder or a lesson source folder")
    if is_curriculum(path):
        return [(p, p / SOURCE_DIR) for p in read_curriculum(path).lesson_paths()]
    if (path / SOURCE_FILE).is_file():
        return [(path.parent if path.name == SOURCE_DIR else path, path)]
    if (path / LESSON_FILE).is_file() or (path / SOURCE_DIR / SOURCE_FILE).is_file():
        return [(path, path / SOURCE_DIR)]
    raise CheckPathError(f"{path}: not a curriculum, lesson or lesson source (no {CURRICULUM_FILE}, {LESSON_FILE} or {SOURCE_FILE} here)")


def normalise(text: str) -> str:
    text = text.replace(str(build_root()), "<build>")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def check_lesson(lesson_dir: Path, source_dir: Path) -> CheckResult:
    result = CheckResult(lesson_dir)
    if not (source_dir / SOURCE_FILE).is_file():
        return result.unchecked(f"no source ({source_dir / SOURCE_FILE}); every lesson of a built curriculum has one")
    if not (lesson_dir / LESSON_FILE).is_file():
        result.problems.append(f"{lesson_dir}: not built yet; run `tutor build {source_dir}`")
        return result
    try:
        source = read_source(source_dir)
        with tempfile.TemporaryDirectory(prefix="tutor-check-") as temp:
            fresh = Path(temp) / lesson_dir.name
            report = build_lesson(source, fresh)
            built, checked_in = load_lesson(fresh), load_lesson(lesson_dir)
            new_text, old_text = normalise(dump_lesson(built)), normalise(dump_lesson(checked_in))
            if new_text != old_text and report.missing:
                # The rebuild ran on a machine without a tool the source needs: its outputs say so, not the story.
                return result.unchecked("; ".join(report.missing))
            if new_text != old_text:
                diff = unified_diff(old_text, new_text, "checked in", "rebuilt", context=1)
                shown = "\n".join("    " + line for line in diff[:40])
                result.problems.append(f"{lesson_dir / LESSON_FILE}: differs from a fresh build of its source; rebuild with `tutor build {source_dir}`\n{shown}")
            new_refs, old_refs = _bundle_refs(fresh / BUNDLE), _bundle_refs(lesson_dir / BUNDLE)
            if new_refs != old_refs:
                result.problems.append(f"{lesson_dir / BUNDLE}: its commits differ from a fresh build ({len(old_refs)} refs checked in, {len(new_refs)} rebuilt)")
    except SourceError as error:
        result.problems.extend(str(problem) for problem in error.problems)
        result.unchecked(f"its source is not valid ({plural(len(error.problems), 'problem')} above)")
    except MissingToolError as error:
        result.unchecked(error.missing, str(error))
    except BuildError as error:
        result.problems.append(str(error))  # the source's story no longer happens: the lesson cannot match it
    except Exception as error:  # noqa: BLE001 - a check reports; it never crashes
        result.unchecked(f"{type(error).__name__}: {error}")
    return result


def _bundle_refs(bundle: Path) -> dict[str, str]:
    from tutor.vcs.bundle import read_bundle_header

    if not bundle.is_file():
        return {}
    return dict(read_bundle_header(bundle).refs)
