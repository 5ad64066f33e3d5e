"""The `tutor` command line. Thin: parse, call a service, print one clear line per problem.

Heavy modules (Textual, the store, git, anthropic) are imported inside the commands
that need them, so `tutor --help` and `tutor validate` start fast. The commands are
grouped by area in this package's modules (`lessons`, `live`, `progress`, `imports`, `team`);
each module is loaded when one of its commands is named, so `tutor learn` (here, with
the group and the helpers every command shares) loads none of them.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..words import plural

if TYPE_CHECKING:
    from ..lesson.curriculum import Curriculum
    from ..settings import Settings
    from ..ui.start import Start

__all__ = ["TutorError", "cli", "echo", "json_text", "main", "make_app"]


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print one message: everything Tutor prints passes the boundary for untrusted text.

    Lesson titles, folder names, problems quoting a lesson's text, stored progress, session
    goals: printed, none of them can move the cursor, set the window title, fill the
    clipboard (OSC 52) or make a command read differently from the one that runs
    (`tutor.lesson.untrusted.shown`: escape sequences and controls as `�`, bidi controls as `⟨RLO⟩`).
    """
    from ..lesson.untrusted import shown

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


# Each command's module, loaded when the command is named (on the command line, or by `--help`).
_COMMAND_MODULES = {
    "validate": "lessons", "export": "lessons", "grade": "lessons", "build": "lessons", "annotate": "lessons",
    "pair": "live", "record": "live", "review-session": "live",
    "progress": "progress",
    "import": "imports",
    "team": "team",
    "host": "group", "join": "group",
}


class _Commands(click.Group):
    """The `tutor` group: each area's commands are imported when first named, and every `UserError` a command lets through is caught here, once: one line, exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        from ..errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as error:
            raise TutorError(str(error)) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMAND_MODULES:
            importlib.import_module(f"{__name__}.{_COMMAND_MODULES[cmd_name]}")  # its commands add themselves to `cli`
        return self.commands.get(cmd_name)


def _settings() -> Settings:
    from ..settings import load_settings

    settings = load_settings()
    for warning in settings.warnings:
        echo(f"tutor: warning: {warning}", err=True)
    return settings


def _resolve_lesson(reference: str, command: str = "learn") -> Path:
    from ..lesson.curriculum import resolve_lesson

    roots = _settings().curriculum_roots()
    path = resolve_lesson(reference, roots)
    if path is None:
        _refuse_curriculum(reference, roots, command)
        raise TutorError(f"no lesson {reference!r}: give a lesson folder, or curriculum/lesson (see `tutor` for the library)")
    return path


def _refuse_curriculum(reference: str, roots: list[Path], command: str) -> None:
    """When `reference` names a curriculum (a folder, or a name in the library), say so and list its lessons."""
    from ..lesson.curriculum import CURRICULUM_FILE, discover_curricula, is_curriculum, read_curriculum

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
    from ..ui.app import TutorApp
    from ..ui.start import LessonStart, LibraryStart, ReviewStart

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
@click.option("--facilitate", is_flag=True, help="One room, one screen: replay LESSON for a group around a projector; at each question you enter the room's counts.")
@click.option("--team", "team_choice", metavar="NAME", help="With --facilitate: the team whose clone keeps the counts (default: your only team; else this machine).")
def learn(lesson: str | None, facilitate: bool = False, team_choice: str | None = None) -> None:
    """Replay LESSON: a lesson folder, or curriculum/lesson (e.g. steering-101/tests-that-lie).

    Without LESSON, opens the library. Your answers are saved as you go; run the
    same command again to continue where you left off.
    """
    if facilitate or team_choice is not None:
        if not facilitate:
            raise TutorError("--team is for --facilitate")
        from .facilitate import facilitate_lesson

        facilitate_lesson(lesson, team_choice)
        return
    path = None
    if lesson is not None:
        from ..lesson.peek import direct_lesson_folder

        # A path needs no lesson models to find: the first screen paints before they load.
        path = direct_lesson_folder(lesson) or _resolve_lesson(lesson)
        if not _interactive():
            from ..lesson import read_lesson

            read = read_lesson(path)
            if read.lesson is None or read.problems:
                for problem in read.problems:
                    echo(str(problem), err=True)
                raise TutorError("the lesson is broken; fix the problems above (see `tutor validate`)")
        else:
            from ..lesson.read_ahead import start as read_ahead

            read_ahead(path)  # a long lesson is checked on another processor while Textual loads
    _run_app(lesson=path)


@cli.command()
def review() -> None:
    """Answer again the questions you missed, spaced out over days (SM-2)."""
    _run_app(review=True)


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
