"""Several terminals at once for the group replay's end-to-end test: a host and participants.

Each terminal is a `tests.helpers.tmux_driver.Tmux` (its own private tmux server, so none can
see another's keys), started with its own `$TUTOR_HOME` unless told otherwise: every participant
is a person on their own machine, whose progress is theirs alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.tmux_driver import Tmux

JOIN_CODE = re.compile(r"Join code: (\S+:\d+/[A-Za-z0-9_-]+)")


class Terminals:
    """Opens terminals by name, each in its own folder under `root`; `close()` stops them all."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.opened: dict[str, Tmux] = {}
        self.homes: dict[str, Path] = {}

    def open(self, name: str, *args: str, home: Path | None = None, width: int = 120, height: int = 45) -> Tmux:
        """Run `tutor ARGS` in a new terminal called `name`; its `$TUTOR_HOME` is `home` (default: a new one of its own)."""
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        if home is None:
            home = folder / "tutor-home"
            home.mkdir(exist_ok=True)
        terminal = Tmux(folder, {**self.env, "TUTOR_HOME": str(home)})
        terminal.start(*args, width=width, height=height)
        self.opened[name] = terminal
        self.homes[name] = home
        return terminal

    def close(self) -> None:
        for terminal in self.opened.values():
            terminal.kill()


def join_code(screen: str) -> str:
    """The join code the host's screen shows."""
    found = JOIN_CODE.search(screen)
    assert found is not None, f"no join code on the host's screen:\n{screen}"
    return found.group(1)
