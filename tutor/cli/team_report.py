"""`tutor team report [LESSON]`: which asks fool the team: a screen, or `--format json|html`.

The json and html paths load no Textual: they are for scripts and for pages shared without Tutor.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import TutorError, echo, json_text
from .team import team

DEFAULT_PAGE = "team-report.html"


@team.command("report")
@click.argument("lesson", required=False)
@click.option("--team", "team_choice", metavar="NAME", help="The team (its name or its clone's path; default: the only team you joined).")
@click.option("--format", "output_format", type=click.Choice(["json", "html"]), help="Print JSON for scripts, or write a standalone HTML page, instead of the screen.")
@click.option("-o", "--output", metavar="FILE", help=f"Where --format html writes the page (default: {DEFAULT_PAGE} here; - for standard output).")
def team_report(lesson: str | None, team_choice: str | None, output_format: str | None, output: str | None) -> None:
    """Which questions fool the team: per question, how often the team was wrong and sure, the
    facility, the spread of answers. LESSON (a lesson id) limits it to one lesson.

    Each learner counts once per version of a lesson, by their first attempt. Figures of fewer
    answers than the team's min_group are hidden.
    """
    if output is not None and output_format != "html":
        raise TutorError("-o/--output is for --format html")
    if output_format is None:
        _screen(lesson, team_choice)
        return
    from ..services.team_report import load_team_report, problem_lines

    loaded = load_team_report(team_choice, lesson)
    for line in problem_lines(loaded.report.problems):
        echo(f"tutor: {line}", err=True)
    if lesson is not None and not loaded.report.versions:  # a mistyped id reads as an empty report otherwise
        echo(f"tutor: no result for the lesson {lesson} in the team's results yet (a `tutor team sync` brings new ones)", err=True)
    if output_format == "json":
        from ..team.report_json import report_data

        echo(json_text(report_data(loaded.report)))
        return
    from ..team.report_html import report_html

    page = report_html(loaded.report, team=loaded.team)
    if output == "-":
        echo(page, nl=False)
        return
    target = Path(output if output is not None else DEFAULT_PAGE)
    from ..lesson.io import write_atomic

    try:
        write_atomic(target, page.encode("utf-8"))
    except OSError as error:
        raise TutorError(f"cannot write {target}: {error.strerror or error}") from None
    echo(f"Wrote {target}.")


def _screen(lesson: str | None, team_choice: str | None) -> None:
    from . import _interactive, make_app

    if not _interactive():
        raise TutorError("the report screen needs a terminal; use --format json or --format html")
    from ..services.team import resolve_team

    membership = resolve_team(team_choice)  # a wrong --team is one line here, before the screen opens
    from ..ui.start import TeamReportStart

    app = make_app(TeamReportStart(team=str(membership.path), lesson=lesson))
    app.run()
    if app.return_code:
        sys.exit(app.return_code)
