"""`tutor import`: another tool's session as a lesson draft."""

from __future__ import annotations

from pathlib import Path

import click

from ..words import plural
from . import TutorError, cli, echo


@cli.group("import")
def import_group() -> None:
    """Turn another tool's session into a lesson draft (origin: imported)."""


@import_group.command("claude-code")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="The lesson folder to write (default: ./<slug of the title>).")
@click.option("--force", is_flag=True, help="Overwrite a lesson already in the --out folder.")
@click.option("--session", metavar="N|ID", help="Which session to import when the file holds several (concatenated): its number from 1, or the start of its id (default: the first).")
def import_claude_code_command(file: Path, out: Path | None, force: bool, session: str | None) -> None:
    """Import a Claude Code transcript (a session's .jsonl, from ~/.claude/projects/) as a lesson draft.

    Secrets are redacted, runs of read-only calls are collapsed, and the draft is
    validated before it is written; add the teaching layer with `tutor annotate`.
    A file that holds several sessions imports the first, or the one --session names.
    """
    from .. import paths
    from ..record.claude_code import ClaudeCodeImportError, import_claude_code, write_imported_lesson
    from ..redaction import needles

    # The redactor's rule prefilter takes ~40 ms to compile, about what it saves an import: kept for the next one.
    needles.kept_in = paths.redaction_cache_dir
    try:
        result = import_claude_code(file, session=session)
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
