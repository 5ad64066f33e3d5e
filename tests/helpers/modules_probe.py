"""What a `tutor` command imported: run the real command line in this process, then write `sorted(sys.modules)`.

    python tests/helpers/modules_probe.py OUT [--screen] [--serve] -- ARGS...

Runs `tutor ARGS...` exactly as the console script does (`tutor.entry.main`) and writes the names of
every module loaded to the file OUT, one per line:

* one-shot commands (`validate`, `export`, `progress`, ...): when the process exits, whatever the
  command did (so a command that fails still reports what it loaded);
* with `--screen`, commands that open a screen: Textual's `App.run` and `App.run_async` are replaced
  by a headless run (`App.run_test`, 120x40) that writes the file once the first screen is up and
  painted, then exits the app. "Up" is the screen the command opens, not Textual's empty default
  screen nor the lesson's title splash (painted before the lesson loads), and no longer holding
  back keys (`tutor.ui.roles.HoldsKeys`): the moment a person can act on it. Since `--screen`
  imports `textual.app` before the command runs, it says nothing about whether Textual itself is
  loaded; it is for what else the first screen needed. The terminal checks pass as on a terminal
  (stdout reports a tty), so `tutor learn FOLDER` takes its real fast path in `tutor.entry`.
  With `--serve` the file is still written at that moment, but the app then keeps running until
  the process is stopped (a group host that a participant's probe joins).

If the app ends before its first screen is up, OUT gets a first line `! exited: ...` instead.
Used by tests/unit/test_import_weight.py and benchmarks/bench_commands.py; nothing in `tutor/`
knows about it.
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path
from typing import Any

READY_TIMEOUT = 60.0  # seconds for a first screen to come up, however loaded the machine


def _write(out: Path, lines: list[str]) -> None:
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _first_screen_up(app: Any) -> bool:
    from tutor.ui.roles import HoldsKeys

    screen = app.screen
    if screen.id == "_default" or type(screen).__name__ == "SplashScreen":
        return False
    return not (isinstance(screen, HoldsKeys) and screen.holds_keys)


async def _until_first_screen(app: Any, out: Path, serve: bool) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT
    async with app.run_test(size=(120, 40)) as pilot:
        while not _first_screen_up(app):
            if app._exit or loop.time() > deadline:  # noqa: SLF001 - Textual's own flag that the app is ending
                _write(out, [f"! exited before a first screen: return code {app.return_code}, screen {type(app.screen).__name__}"])
                return
            await pilot.pause(0.02)
        await pilot.pause()  # one more refresh: the screen is painted, not only mounted
        _write(out, sorted(sys.modules))
        if serve:
            await asyncio.Event().wait()  # stopped from outside
        app.exit()


def _headless(out: Path, serve: bool) -> None:
    """Replace Textual's ways of running an app by a headless run that reports the first screen."""
    import asyncio  # here, not above: a one-shot command's report must not list what the probe loaded

    from textual.app import App

    def run(self: Any, *args: Any, **kwargs: Any) -> None:
        asyncio.run(_until_first_screen(self, out, serve))

    async def run_async(self: Any, *args: Any, **kwargs: Any) -> None:
        await _until_first_screen(self, out, serve)

    App.run = run  # type: ignore[method-assign]
    App.run_async = run_async  # type: ignore[method-assign]
    sys.stdout.isatty = lambda: True  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options, args = argv[:split], argv[split + 1:]
    out = Path(options[0])
    if "--screen" in options:
        _headless(out, serve="--serve" in options)
        out.unlink(missing_ok=True)
    else:
        atexit.register(lambda: _write(out, sorted(sys.modules)))
    sys.argv = ["tutor", *args]
    from tutor.entry import main as tutor_main

    tutor_main()


if __name__ == "__main__":
    main(sys.argv[1:])
