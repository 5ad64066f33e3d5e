"""The `tutor` console script.

`tutor learn FOLDER` is the command a learner types most, and its first screen should
appear as fast as a bare Textual app's: that one form skips loading the command-line
parser (click, ~30 ms). Every other form, and any error, goes through `tutor.cli`.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "learn" and not args[1].startswith("-") and sys.stdout.isatty():
        from .lesson.peek import direct_lesson_folder

        folder = direct_lesson_folder(args[1])
        if folder is not None and not os.environ.get("TUTOR_NO_FAST_START"):
            from .settings import load_settings
            from .ui.app import TutorApp
            from .ui.start import LessonStart

            settings = load_settings()
            for warning in settings.warnings:
                from .lesson.untrusted import shown

                print(shown(f"tutor: warning: {warning}"), file=sys.stderr)
            app = TutorApp(LessonStart(folder), settings=settings)
            app.run()
            sys.exit(app.return_code or 0)
    from .cli import main as cli_main

    cli_main()
