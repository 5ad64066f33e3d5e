"""The `tutor` console script.

`tutor` alone (the library) and `tutor learn FOLDER` are what a learner types most, and
their first screen should appear as fast as a bare Textual app's: those two forms skip
loading the command-line parser (click, ~30 ms). Every other form, and any error, goes
through `tutor.cli`.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ui.start import Start


def main() -> None:
    args = sys.argv[1:]
    if sys.stdout.isatty() and not os.environ.get("TUTOR_NO_FAST_START"):
        if not args:
            from .ui.start import LibraryStart

            _run(LibraryStart())
        if len(args) == 2 and args[0] == "learn" and not args[1].startswith("-"):
            from .lesson.peek import direct_lesson_folder

            folder = direct_lesson_folder(args[1])
            if folder is not None:
                from .lesson.read_ahead import start as read_ahead
                from .ui.start import LessonStart

                read_ahead(folder)  # a long lesson is checked on another processor while Textual loads

                _run(LessonStart(folder))
    from .cli import main as cli_main

    cli_main()


def _run(start: Start) -> None:
    """The app opened at `start`, as `tutor.cli` would open it (settings' warnings first); exits with its code."""
    from .settings import load_settings
    from .ui.app import TutorApp

    settings = load_settings()
    for warning in settings.warnings:
        from .lesson.untrusted import shown

        print(shown(f"tutor: warning: {warning}"), file=sys.stderr)
    app = TutorApp(start, settings=settings)
    app.run()
    sys.exit(app.return_code or 0)
