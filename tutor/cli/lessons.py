"""`tutor validate`, `export`, `grade`, `build` and `annotate`: lessons and their sources."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..words import plural
from . import TutorError, _interactive, _resolve_lesson, cli, echo, json_text, make_app

if TYPE_CHECKING:
    from ..build.check import CheckResult


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, not the lessons that pass.")
def validate(paths: tuple[Path, ...], quiet: bool) -> None:
    """Check lessons and curricula against the tutor.lesson/1 format.

    Each PATH is a lesson folder, a lesson.json, a curriculum folder, or a folder
    of curricula. Prints one line per problem (`file: where: what is wrong`);
    exits 0 when everything is valid, 1 otherwise.
    """
    from ..lesson.check import check_paths

    report = check_paths(list(paths))
    for line in report.lines(quiet=quiet):
        echo(line)
    echo(report.summary(), err=True)
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.argument("lesson")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of standard output.")
def export(lesson: str, fmt: str, output: Path | None) -> None:
    """Render LESSON as a readable document, each ask posed before its reveal."""
    from ..lesson import read_lesson
    from ..lesson.export import lesson_html, lesson_markdown

    read = read_lesson(_resolve_lesson(lesson, "export"))
    if read.lesson is None or read.problems:
        for problem in read.problems:
            echo(str(problem), err=True)
        raise TutorError("the lesson is broken; fix the problems above (see `tutor validate`)")
    text = lesson_markdown(read.lesson) if fmt == "md" else lesson_html(read.lesson)
    if output is None:
        echo(text, nl=False)
        return
    from ..lesson.io import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as error:
        raise TutorError(f"cannot write {output}: {error.strerror or error}") from error
    echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("lesson")
@click.argument("step")
@click.option("--answer", "answer_file", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help='The answer, as JSON: {"type": "intervene", "intervene": true, "category": "test", "text": "...", "confidence": "high"}, '
                   '{"type": "goal", "text": "..."}, {"type": "outcome", "works": true} or {"type": "choice", "choice": 1} '
                   "(the option's index from 0, as in lesson.json). Confidence is optional (medium).")
@click.option("--judge", type=click.Choice(["auto", "claude", "offline"]), default="auto", show_default=True,
              help="Who judges a free-text answer's points: Claude (auto: when a key is set), or offline: Tutor's word matcher, hints only.")
def grade(lesson: str, step: str, answer_file: Path, judge: str) -> None:
    """How an answer to LESSON's question at STEP would be graded, as JSON.

    For authors checking their key points and criteria against answers they expect.
    Offline, each point's verdict is the word matcher's (source "hint"): covered only where
    it is sure, else unsure, missed or contradicted. When Claude cannot judge, the offline
    verdicts are printed with a notice saying why.
    """
    from ..lesson import read_lesson
    from ..services.grade_answer import GradeInputError, grade_report, read_answer

    read = read_lesson(_resolve_lesson(lesson, "grade"))
    if read.lesson is None or read.problems:
        for problem in read.problems:
            echo(str(problem), err=True)
        raise TutorError("the lesson is broken; fix the problems above (see `tutor validate`)")
    try:
        report = grade_report(read.lesson, step, read_answer(answer_file), judge)
    except GradeInputError as error:
        raise TutorError(str(error)) from None
    if report.get("notice"):
        echo(f"tutor: {report['notice']}", err=True)
    echo(json_text(report))


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Where to write the lesson (one SOURCE only). Default: the folder holding SOURCE when it is a lesson's `source/`, else ./<id>.")
@click.option("--check", is_flag=True, help="Rebuild every lesson of SOURCE (a curriculum or lesson) and fail if anything differs from what is checked in.")
def build(sources: tuple[Path, ...], out: Path | None, check: bool) -> None:
    """Run lesson sources for real and write the lessons.

    A SOURCE is a folder with `lesson.toml` and `seed/` (see docs/authoring.md).
    Every agent call the source gives a result for is executed in a fresh workspace;
    outputs, diffs and commits in the lesson are what really happened. A step whose
    real outcome contradicts the source stops the build.
    """
    from ..build.builder import BuildError, build_lesson
    from ..build.check import SOURCE_DIR, CheckPathError, check_lesson, lesson_sources
    from ..build.source import SourceError, SourcePathError, locate_source, read_source

    if check:
        if out is not None:
            raise TutorError("--out does not go with --check")
        try:
            lessons = [pair for path in sources for pair in lesson_sources(path)]
        except CheckPathError as error:
            raise TutorError(str(error)) from None
        results = []
        for lesson_dir, source_dir in lessons:
            echo(f"checking {lesson_dir.name} …", err=True)
            result = check_lesson(lesson_dir, source_dir)
            for problem in result.problems:
                echo(problem)
            results.append(result)
        echo(_check_summary(results), err=True)
        if not all(result.ok for result in results):
            sys.exit(1)
        return
    if out is not None and len(sources) > 1:
        raise TutorError("--out takes one SOURCE at a time")
    try:
        folders = [locate_source(path) for path in sources]
    except SourcePathError as error:
        raise TutorError(str(error)) from None
    for path in folders:
        try:
            source = read_source(path)
        except SourceError as error:
            for source_problem in error.problems:
                echo(str(source_problem), err=True)
            raise TutorError(f"{path}: not a valid lesson source") from error
        target = out or (source.folder.parent if source.folder.name == SOURCE_DIR else Path.cwd() / source.id)
        try:
            report = build_lesson(source, target, progress=lambda message: echo(f"  {message}", err=True))
        except BuildError as error:
            raise TutorError(str(error)) from error
        echo(f"built {report.out} ({plural(len(report.lesson.steps), 'step')}, {plural(report.calls_run, 'call')} run, {report.seconds:.1f} s)", err=True)
        for missing in report.missing:
            echo(f"note: {missing}: a command the source expects to fail failed for that reason, and the lesson records it", err=True)


def _check_summary(results: list[CheckResult]) -> str:
    """`tutor build --check`'s last line: how many match, differ, or could not be checked (and why not)."""
    total = plural(len(results), "lesson")
    differ = sum(result.differs for result in results)
    unchecked = [result.could_not_check for result in results if result.could_not_check is not None]
    if not differ and not unchecked:
        return f"{total} checked: all match their sources"
    matched = len(results) - differ - len(unchecked)
    parts = [f"{matched} match{'es' if matched == 1 else ''}"] if matched else []
    if differ:
        parts.append(f"{differ} differ{'s from its source' if differ == 1 else ' from their sources'}")
    if unchecked:
        parts.append(f"{len(unchecked)} could not be checked: " + "; ".join(dict.fromkeys(unchecked)))
    return f"{total}: " + ", ".join(parts)


@cli.command()
@click.argument("lesson")
def annotate(lesson: str) -> None:
    """Edit LESSON's teaching layer: annotations, whys, categories, asks, hidden steps.

    LESSON is a lesson folder, its lesson.json, curriculum/lesson, or a lesson id.
    The trajectory (what was said, run and printed) is history: it is shown, never
    changed. An edit that would not validate is refused with its reason. ctrl+s
    writes lesson.json atomically (repo.bundle is never touched); h hides the step
    selected in the list; escape or q leaves, asking first about unsaved changes.
    """
    from ..lesson.peek import direct_lesson_folder
    from ..services.annotate import AnnotateError, AnnotateSession

    try:
        session = AnnotateSession.open(direct_lesson_folder(lesson) or _resolve_lesson(lesson, "annotate"))
    except AnnotateError as error:
        raise TutorError(str(error)) from None
    if not _interactive():
        raise TutorError("the annotate screen needs a terminal; check a lesson with `tutor validate`")
    from ..ui.start import AnnotateStart

    app = make_app(AnnotateStart(session))
    app.run()
    sys.exit(app.return_code or 0)
