"""`tutor build --check`: rebuild every lesson of a curriculum and compare with what is checked in.

Only what cannot be the same twice is masked: durations printed by test runners and
the temporary folder the build ran in. Everything else, every output line, every
commit id, must match: lessons can never drift from their sources.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tutor.lesson import LESSON_FILE, dump_lesson, load_lesson
from tutor.lesson.curriculum import is_curriculum, read_curriculum

from .builder import BUNDLE, BuildError, build_lesson, build_root
from .source import SOURCE_FILE, SourceError, read_source

SOURCE_DIR = "source"
_VOLATILE = [
    (re.compile(r"\b\d+(\.\d+)?s\b(?= *(=+|\)|$))", re.M), "<duration>"),  # "in 0.07s ====", "(0.12s)"
    (re.compile(r"\bin \d+(\.\d+)?s\b"), "in <duration>"),
    (re.compile(r"0x[0-9a-f]{6,16}"), "0x<address>"),
]


@dataclass
class CheckResult:
    lesson: Path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def lesson_sources(path: Path) -> list[tuple[Path, Path]]:
    """(lesson folder, its source folder) for a curriculum, a lesson folder, or a source folder."""
    path = Path(path)
    if is_curriculum(path):
        return [(p, p / SOURCE_DIR) for p in read_curriculum(path).lesson_paths()]
    if (path / SOURCE_FILE).is_file():
        return [(path.parent if path.name == SOURCE_DIR else path, path)]
    return [(path, path / SOURCE_DIR)]


def normalise(text: str) -> str:
    text = text.replace(str(build_root()), "<build>")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def check_lesson(lesson_dir: Path, source_dir: Path) -> CheckResult:
    result = CheckResult(lesson_dir)
    if not (source_dir / SOURCE_FILE).is_file():
        result.problems.append(f"{lesson_dir}: no source ({source_dir / SOURCE_FILE}); every lesson of a built curriculum has one")
        return result
    if not (lesson_dir / LESSON_FILE).is_file():
        result.problems.append(f"{lesson_dir}: not built yet; run `tutor build {source_dir}`")
        return result
    try:
        source = read_source(source_dir)
        with tempfile.TemporaryDirectory(prefix="tutor-check-") as temp:
            fresh = Path(temp) / lesson_dir.name
            build_lesson(source, fresh)
            built, checked_in = load_lesson(fresh), load_lesson(lesson_dir)
            new_text, old_text = normalise(dump_lesson(built)), normalise(dump_lesson(checked_in))
            if new_text != old_text:
                diff = list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), "checked in", "rebuilt", lineterm="", n=1))
                shown = "\n".join("    " + line for line in diff[:40])
                result.problems.append(f"{lesson_dir / LESSON_FILE}: differs from a fresh build of its source; rebuild with `tutor build {source_dir}`\n{shown}")
            new_refs, old_refs = _bundle_refs(fresh / BUNDLE), _bundle_refs(lesson_dir / BUNDLE)
            if new_refs != old_refs:
                result.problems.append(f"{lesson_dir / BUNDLE}: its commits differ from a fresh build ({len(old_refs)} refs checked in, {len(new_refs)} rebuilt)")
    except SourceError as error:
        result.problems.extend(str(problem) for problem in error.problems)
    except BuildError as error:
        result.problems.append(str(error))
    except Exception as error:  # noqa: BLE001 - a check reports; it never crashes
        result.problems.append(f"{lesson_dir}: {type(error).__name__}: {error}")
    return result


def _bundle_refs(bundle: Path) -> dict[str, str]:
    from tutor.vcs.bundle import read_bundle_header

    if not bundle.is_file():
        return {}
    return dict(read_bundle_header(bundle).refs)
