"""The `tutor` command line. Thin: parse, call a service, print one clear line per problem.

Heavy modules (Textual, the store, git, anthropic) are imported inside the commands
that need them, so `tutor --help` and `tutor validate` start fast.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from typing import TYPE_CHECKING

import click

from . import __version__
from .words import plural

if TYPE_CHECKING:
    from .build.check import CheckResult
    from .lesson.curriculum import Curriculum
    from .settings import Settings
    from .ui.start import Start


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print one message: everything Tutor prints passes the boundary for untrusted text.

    Lesson titles, folder names, problems quoting a lesson's text, stored progress, session
    goals: printed, none of them can move the cursor, set the window title, fill the
    clipboard (OSC 52) or make a command read differently from the one that runs
    (`tutor.lesson.untrusted.shown`: escape sequences and controls as `�`, bidi controls as `⟨RLO⟩`).
    """
    from .lesson.untrusted import shown

    click.echo(shown(str(message)), err=err, nl=nl)


# Characters JSON may carry raw (ensure_ascii=False) that a terminal would act on or that reorder text.
_JSON_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_text(data: object) -> str:
    """`data` as indented JSON, readable (non-ASCII kept) yet safe to print: controls and bidi controls as `\\uXXXX` escapes."""
    import json

    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", json.dumps(data, indent=2, ensure_ascii=False))


class TutorError(click.ClickException):
    """A user-facing failure: printed as one line, exit 1 (then `details`, if any, one per line)."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        echo(f"tutor: {self.format_message()}", err=True)
        for line in self.details:
            echo(line, err=True)


class _Commands(click.Group):
    """The `tutor` group: every `UserError` a command lets through is caught here, once: one line, exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        from .errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as error:
            raise TutorError(str(error)) from None


def _settings() -> Settings:
    from .settings import load_settings

    settings = load_settings()
    for warning in settings.warnings:
        echo(f"tutor: warning: {warning}", err=True)
    return settings


def _resolve_lesson(reference: str, command: str = "learn") -> Path:
    from .lesson.curriculum import resolve_lesson

    roots = _settings().curriculum_roots()
    path = resolve_lesson(reference, roots)
    if path is None:
        _refuse_curriculum(reference, roots, command)
        raise TutorError(f"no lesson {reference!r}: give a lesson folder, or curriculum/lesson (see `tutor` for the library)")
    return path


def _refuse_curriculum(reference: str, roots: list[Path], command: str) -> None:
    """When `reference` names a curriculum (a folder, or a name in the library), say so and list its lessons."""
    from .lesson.curriculum import CURRICULUM_FILE, discover_curricula, is_curriculum, read_curriculum

    direct = Path(reference).expanduser()
    shown = reference.rstrip("/")
    curriculum: Curriculum | None
    if direct.name == CURRICULUM_FILE and direct.is_file():
        curriculum, shown = read_curriculum(direct.parent), str(Path(reference).parent)
    elif is_curriculum(direct):
        curriculum = read_curriculum(direct)
    else:
        curriculum = next((c for c in discover_curricula(roots) if c.slug == reference.strip("/")), None)
    if curriculum is None:
        return
    reads = curriculum.read_lessons()
    if not reads and curriculum.problems:  # e.g. its curriculum.toml is a FIFO or a link out: say that, not "no lessons"
        raise TutorError(f"{curriculum.problems[0]} (see `tutor validate {shown}`)")
    if not reads:
        raise TutorError(f"{shown} is a curriculum, not a lesson, and it lists no lessons yet")
    width = max(len(read.path.name) for read in reads)
    lines = [f"  {read.path.name:<{width}}  {read.lesson.title if read.lesson is not None else '(broken: see `tutor validate`)'}" for read in reads]
    raise TutorError(f"{shown} is a curriculum, not a lesson; open one of its {plural(len(reads), 'lesson')} with `tutor {command} {shown}/<id>`:", lines)


@click.group(cls=_Commands, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tutor")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Tutor teaches you to steer AI coding agents.

    Replay a senior's session with an agent and, before each step is revealed,
    commit to what you would do: set the goal, predict what a command will do,
    decide whether to let the agent run or to correct it.

    Run `tutor` alone to open the library of lessons.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(learn, lesson=None)


def make_app(start: Start | None = None, *, lesson: Path | None = None, review: bool = False, settings: Settings | None = None):  # noqa: ANN201 - a TutorApp
    """The Textual app, as the command line starts it (tests use this too): `start` says what opens
    first (tutor.ui.start); without it, `lesson`, else the review queue if `review`, else the library."""
    from .ui.app import TutorApp
    from .ui.start import LessonStart, LibraryStart, ReviewStart

    if start is None:
        start = LessonStart(lesson) if lesson is not None else ReviewStart() if review else LibraryStart()
    return TutorApp(start, settings=settings if settings is not None else _settings())


def _interactive() -> bool:
    return sys.stdout.isatty() or bool(os.environ.get("TUTOR_FORCE_TUI"))


def _run_app(**kwargs) -> None:  # noqa: ANN003
    if not _interactive():
        raise TutorError("the library and lessons need a terminal; try `tutor export LESSON` or `tutor progress`")
    app = make_app(**kwargs)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


@cli.command()
@click.argument("lesson", required=False)
def learn(lesson: str | None) -> None:
    """Replay LESSON: a lesson folder, or curriculum/lesson (e.g. steering-101/tests-that-lie).

    Without LESSON, opens the library. Your answers are saved as you go; run the
    same command again to continue where you left off.
    """
    path = None
    if lesson is not None:
        from .lesson.peek import direct_lesson_folder

        # A path needs no lesson models to find: the first screen paints before they load.
        path = direct_lesson_folder(lesson) or _resolve_lesson(lesson)
        if not _interactive():
            from .lesson import read_lesson

            read = read_lesson(path)
            if read.lesson is None or read.problems:
                for problem in read.problems:
                    echo(str(problem), err=True)
                raise TutorError("the lesson is broken; fix the problems above (see `tutor validate`)")
    _run_app(lesson=path)


@cli.command()
def review() -> None:
    """Answer again the questions you missed, spaced out over days (SM-2)."""
    _run_app(review=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, not the lessons that pass.")
def validate(paths: tuple[Path, ...], quiet: bool) -> None:
    """Check lessons and curricula against the tutor.lesson/1 format.

    Each PATH is a lesson folder, a lesson.json, a curriculum folder, or a folder
    of curricula. Prints one line per problem (`file: where: what is wrong`);
    exits 0 when everything is valid, 1 otherwise.
    """
    from .lesson.check import check_paths

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
    from .lesson import read_lesson
    from .lesson.export import lesson_html, lesson_markdown

    read = read_lesson(_resolve_lesson(lesson, "export"))
    if read.lesson is None or read.problems:
        for problem in read.problems:
            echo(str(problem), err=True)
        raise TutorError("the lesson is broken; fix the problems above (see `tutor validate`)")
    text = lesson_markdown(read.lesson) if fmt == "md" else lesson_html(read.lesson)
    if output is None:
        echo(text, nl=False)
        return
    from .lesson.io import write_atomic

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
    from .lesson import read_lesson
    from .services.grade_answer import GradeInputError, grade_report, read_answer

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
    from .build.builder import BuildError, build_lesson
    from .build.check import SOURCE_DIR, CheckPathError, check_lesson, lesson_sources
    from .build.source import SourceError, SourcePathError, locate_source, read_source

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
@click.option("--repo", type=click.Path(path_type=Path), help="The git repository to work on (Tutor never writes to it: the agent works in a private copy; its commands run sandboxed where bubblewrap runs, else with your permissions).")
@click.option("--task", default="", help="What the session is about (shown to you and the agent; your goal contract comes first).")
@click.option("--demo", is_flag=True, help="Pair with a scripted agent on a bundled sample project (no API key needed).")
@click.option("--resume", "resume_id", metavar="ID", help="Continue session ID where it stopped (see --list).")
@click.option("--list", "list_sessions", is_flag=True, help="List your sessions and exit.")
@click.option("--lesson", "lesson_id", metavar="ID", help="Write session ID as a lesson draft (origin: recorded) and exit.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="With --lesson: the lesson folder to write (default ./session-ID).")
def pair(repo: Path | None, task: str, demo: bool, resume_id: str | None, list_sessions: bool, lesson_id: str | None, out: Path | None) -> None:
    """Work live with the agent: set the goal, then predict before every action runs.

    Before each write or command the agent proposes, press w (works) or f (fails),
    1 2 3 for your confidence, then r to let it run or c to correct it. The
    session is journaled as it happens under $TUTOR_HOME/sessions, so nothing is
    lost and `tutor pair --resume ID` continues it.

    Needs ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL is honoured, as by the SDK); without
    one, Tutor offers the scripted demo.
    """
    _live(mode="pair", repo=repo, task=task, demo=demo, resume_id=resume_id, list_sessions=list_sessions, lesson_id=lesson_id, out=out)


@cli.command()
@click.option("--repo", type=click.Path(path_type=Path), help="The git repository to work on (Tutor never writes to it: the agent works in a private copy, files it ignores, like .env, left out; its commands run sandboxed where bubblewrap runs, else with your permissions).")
@click.option("--task", default="", help="The situation, as learners will read it first (your goal comes next).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="The lesson folder to write on saving (default: a new lesson in your curriculum, $TUTOR_HOME/curricula/recorded).")
@click.option("--demo", is_flag=True, help="Record with a scripted agent on a bundled sample project (no API key needed), to try recording out.")
@click.option("--resume", "resume_id", metavar="ID", help="Continue recording ID where it stopped, after a crash or a quit (see --list).")
@click.option("--list", "list_sessions", is_flag=True, help="List your sessions and exit.")
def record(repo: Path | None, task: str, out: Path | None, demo: bool, resume_id: str | None, list_sessions: bool) -> None:
    """Record a live session with the agent as a lesson learners replay.

    Set the goal (ctrl+s); at each write or command the agent proposes, r lets it
    run and c corrects it (a category key, your message, why, ctrl+s). a annotates
    the current step, m marks a question for learners on it. ctrl+q asks whether
    to save: y writes the lesson (lesson.json + repo.bundle, origin: recorded), n
    keeps only the journal. Every step is journaled as it happens, so after a
    crash `tutor record --resume ID` loses nothing.
    """
    _live(mode="record", repo=repo, task=task, demo=demo, resume_id=resume_id, list_sessions=list_sessions, lesson_id=None, out=out)


def _live(*, mode: str, repo: Path | None, task: str, demo: bool, resume_id: str | None, list_sessions: bool, lesson_id: str | None, out: Path | None) -> None:
    """`tutor pair` and `tutor record`: one engine, two screens."""
    from .services.live import SessionError, resume_session, start_session

    command = f"tutor {mode}"
    if repo is not None:
        # Before anything else (the no-key screen, the terminal check): a wrong --repo is the first thing to hear.
        from .vcs import VcsError
        from .vcs.workspace import check_repository

        try:
            check_repository(repo)
        except VcsError as error:
            raise TutorError(str(error)) from None
    if list_sessions:
        _print_sessions()
        return
    if lesson_id:
        _session_to_lesson(lesson_id, out)
        return
    chosen = sum(bool(x) for x in (repo is not None, demo, resume_id))
    if chosen != 1:
        raise TutorError(f"give one of --repo PATH, --demo or --resume ID (see `{command} --help`)")
    if out is not None and (out / "lesson.json").exists():
        raise TutorError(f"{out} already holds a lesson; choose another --out")
    if not _interactive():
        raise TutorError(f"{mode} mode needs a terminal")
    settings = _settings()
    from .agent.client import KEY_HELP, has_credentials

    needs_key = not demo
    session = None
    if resume_id:
        try:
            from .services.live import session_records

            records = session_records(resume_id)
        except SessionError as error:
            raise TutorError(str(error)) from None
        needs_key = not any(r.get("kind") == "session" and r.get("agent") == "demo" for r in records[:1])
    if needs_key and not has_credentials():
        if resume_id or mode == "record":
            raise TutorError(f"{'resuming' if resume_id else 'recording'} needs an API key. {KEY_HELP} (`{command} --demo` needs none.)")
        from .ui.start import NoKeyStart

        app = make_app(NoKeyStart(KEY_HELP), settings=settings)
        app.run()
        demo_session = app.pair_session
        if demo_session is not None:
            echo(f"Session {demo_session.id} is kept. Continue it with: tutor pair --resume {demo_session.id}")
        sys.exit(app.return_code or 0)
    try:
        if resume_id:
            session = resume_session(resume_id, settings=settings, mode=mode)
        else:
            session = start_session(mode=mode, settings=settings, repo=repo, task=task, demo=demo)
    except SessionError as error:
        raise TutorError(str(error)) from None
    mentor = None
    if mode == "pair" and not demo and session.loop.state.header.get("agent") != "demo":
        from .agent.mentor import mentor_for

        mentor = mentor_for()
    from .ui.start import PairStart, RecordStart

    app = make_app(PairStart(session, mentor) if mode == "pair" else RecordStart(session, out), settings=settings)
    try:
        app.run()
    finally:
        session.close()
    saved = app.saved_lesson
    if saved is not None:
        echo(f"Saved the lesson {saved.folder} ({plural(saved.steps, 'step')}, {plural(saved.asks, 'question')} for learners).")
        for warning in saved.warnings:
            echo(f"note: {warning}", err=True)
        echo(f"Replay it with `tutor learn {saved.folder}`; refine it with `tutor annotate {saved.folder}`.")
    else:
        echo(f"Session {session.id} is kept. Continue it with: {command} --resume {session.id}")
    sys.exit(app.return_code or 0)


def _session_to_lesson(session_id: str, out: Path | None) -> None:
    from .record.session_lesson import LessonDraftError, write_session_lesson
    from .services.live import SessionError, session_records, session_workspace
    from .vcs import VcsError

    try:
        records = session_records(session_id)
        workspace = session_workspace(records)
        slug = "session-" + "".join(ch if ch.isalnum() else "-" for ch in session_id.lower())
        target = out or Path.cwd() / slug
        write_session_lesson(records, workspace, target, lesson_id=slug, author=_settings().learner)
    except (SessionError, LessonDraftError, VcsError) as error:
        raise TutorError(str(error)) from None
    echo(f"Wrote the lesson draft {target} (check it with `tutor validate {target}`; replay it with `tutor learn {target}`).")


def _print_sessions() -> None:
    import time

    from .services.live import list_sessions

    sessions = list_sessions()
    if not sessions:
        echo("No sessions yet. Start one with `tutor pair --repo PATH` or `tutor pair --demo`.")
        return
    for summary in sessions:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.started)) if summary.started else "?"
        about = summary.goal or summary.task or "(no goal yet)"
        about = about.splitlines()[0][:70]
        echo(f"{summary.id}  {when}  {summary.mode:<6} {summary.phase:<7} {about}")
        echo(f"{'':22}{summary.tally}")


@cli.command("review-session")
@click.argument("session_id", metavar="ID")
@click.option("--reviewer", metavar="NAME", help="Who is reviewing; the review is saved under this name. Default: the learner name in your settings.")
def review_session(session_id: str, reviewer: str | None) -> None:
    """Review a learner's live session ID (see `tutor pair --list`): mark where you would have intervened.

    The session is shown step by step, each agent action with the learner's
    prediction and decision beside it. j/k (or the arrows) move between steps; i
    marks "I would have intervened here" with a category key and what you would
    have said; d removes a mark; ctrl+s saves the review. It is kept next to the
    session (never in its journal), and the learner sees it from the library.
    """
    from .services.live import SessionError
    from .services.session_reviews import load_trajectory

    try:
        load_trajectory(session_id)
    except SessionError as error:
        raise TutorError(str(error)) from None
    settings = _settings()
    name = (reviewer if reviewer is not None else settings.learner).strip()
    if not name:
        raise TutorError("say who is reviewing: --reviewer NAME")
    if not _interactive():
        raise TutorError("reviewing a session needs a terminal")
    from .ui.start import SessionReviewStart

    app = make_app(SessionReviewStart(session_id, name), settings=settings)
    app.run()
    sys.exit(app.return_code or 0)


@cli.group("import")
def import_group() -> None:
    """Turn another tool's session into a lesson draft (origin: imported)."""


@import_group.command("claude-code")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="The lesson folder to write (default: ./<slug of the title>).")
@click.option("--force", is_flag=True, help="Overwrite a lesson already in the --out folder.")
def import_claude_code_command(file: Path, out: Path | None, force: bool) -> None:
    """Import a Claude Code transcript (a session's .jsonl, from ~/.claude/projects/) as a lesson draft.

    Secrets are redacted, runs of read-only calls are collapsed, and the draft is
    validated before it is written; add the teaching layer with `tutor annotate`.
    """
    from .record.claude_code import ClaudeCodeImportError, import_claude_code, write_imported_lesson

    try:
        result = import_claude_code(file)
        target = out or Path.cwd() / result.lesson_data["id"]
        if (target / "lesson.json").exists() and not force:
            raise ClaudeCodeImportError(f"{target} already holds a lesson; give another --out, or --force to overwrite it")
        lesson = write_imported_lesson(result, target)
    except ClaudeCodeImportError as error:
        raise TutorError(str(error)) from None
    echo(f"Wrote the lesson draft {target}: {plural(len(lesson.steps), 'step')}, {plural(len(lesson.asks), 'ask')}.")
    for note in result.notes:
        echo(f"  note: {note}")
    echo(f"Check it with `tutor validate {target}`; replay it with `tutor learn {target}`.")


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
    from .lesson.peek import direct_lesson_folder
    from .services.annotate import AnnotateError, AnnotateSession

    try:
        session = AnnotateSession.open(direct_lesson_folder(lesson) or _resolve_lesson(lesson, "annotate"))
    except AnnotateError as error:
        raise TutorError(str(error)) from None
    if not _interactive():
        raise TutorError("the annotate screen needs a terminal; check a lesson with `tutor validate`")
    from .ui.start import AnnotateStart

    app = make_app(AnnotateStart(session))
    app.run()
    sys.exit(app.return_code or 0)


@cli.command()
def progress() -> None:
    """Show what you have done: lessons, attempts, scores, reviews due."""
    from datetime import date

    from . import paths
    from .store import open_progress
    from .store.progress import StoreError

    try:
        store = open_progress(paths.progress_dir())
    except StoreError as error:
        raise TutorError(str(error)) from error
    for warning in store.warnings:
        echo(f"tutor: warning: {warning}", err=True)
    attempts = store.attempts()
    if not attempts:
        echo("No lessons started yet. Run `tutor` to pick one.")
        return
    by_lesson: dict[str, list] = {}
    for attempt in attempts:
        by_lesson.setdefault(attempt.lesson_id, []).append(attempt)
    width = max(len(lesson_id) for lesson_id in by_lesson)
    for lesson_id, records in by_lesson.items():
        latest = records[-1]
        best = max((r.score for r in records if r.finished and r.score is not None), default=None)
        if latest.finished:
            state = f"done, {latest.score:.0%}" if latest.score is not None else "done"
        else:
            state = f"in progress, step {max(latest.cursor, 1)} of {latest.total}" if latest.total else "in progress"
        extra = f"  best {best:.0%}" if best is not None and len(records) > 1 else ""
        tries = plural(len(records), "attempt")
        echo(f"{lesson_id:<{width}}  {state}  ({tries}){extra}  {latest.title}".rstrip())
    due = store.due_cards(date.today())
    total = len(store.cards())
    echo(f"\nReview queue: {len(due)} due of {plural(total, 'card')}" + (" (`tutor review`)" if due else ""))


def main() -> None:
    """Entry point: no traceback reaches the user unless TUTOR_DEBUG is set."""
    try:
        cli.main(prog_name="tutor", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        echo("tutor: interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if os.environ.get("TUTOR_DEBUG"):
            raise
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        echo(f"tutor: unexpected error: {message} (set TUTOR_DEBUG=1 for details)", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
