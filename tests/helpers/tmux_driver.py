"""A driver for the end-to-end tests: the real `tutor` command in a real terminal (tmux).

`Tmux` runs a private tmux server (its own `-L` socket, killed by the fixture's
teardown) with one pane of an explicit size. Keys go in with `send-keys`, the screen
comes back with `capture-pane`, and every expectation polls the screen until the text
appears (Textual needs a second or more to start), never a fixed sleep.

Textual draws on the terminal, so the app's output is never redirected. The pane stays
after the program exits (`remain-on-exit`) so a test can read the exit status.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TUTOR_BIN = Path(sys.executable).with_name("tutor")
DEFAULT_TIMEOUT = 15.0

# The lesson screen's timeline is a fixed-width column on the left; the frame is the rest.
TIMELINE_SEPARATOR = "│"


class ScreenTimeout(AssertionError):
    pass


class Tmux:
    """One tmux pane running one command, and the moves a person makes on it."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.socket = f"tutor-e2e-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.workdir = workdir
        self.env = env
        self.conf = workdir / "tmux.conf"
        # No status line (the pane gets every row), keep dead panes, no escape delay.
        self.conf.write_text(
            "set -g status off\n"
            "set -g remain-on-exit on\n"
            "set -sg escape-time 0\n"
            'set -g default-terminal "tmux-256color"\n'
            "set -g history-limit 5000\n"
        )
        self.started = False
        self.width = self.height = 0
        self.pid = self.server_pid = 0
        self.socket_path: Path | None = None

    # -- plumbing

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=15,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def start(self, *args: str, width: int = 160, height: int = 50, command: list[str] | None = None) -> None:
        """Run `tutor ARGS` (or COMMAND) in a fresh pane of WIDTH x HEIGHT."""
        if self.started:
            self.kill()
        argv = command or [str(TUTOR_BIN), *args]
        env_args: list[str] = []
        for key in ("TUTOR_HOME", "PATH", "HOME", "LANG", "LC_ALL", "ESCDELAY"):
            if key in self.env:
                env_args += ["-e", f"{key}={self.env[key]}"]
        self._tmux(
            "new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), "-c", str(REPO),
            *env_args, "--", *argv,
        )
        # The pane must not shrink to a client's size: there is no client.
        self._tmux("set-option", "-t", "e2e", "window-size", "manual", check=False)
        self._tmux("resize-window", "-t", "e2e", "-x", str(width), "-y", str(height), check=False)
        self.started = True
        self.width, self.height = width, height
        self.pid = int(self._tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}").stdout.strip())
        self.server_pid = int(self._tmux("display-message", "-p", "#{pid}").stdout.strip())
        self.socket_path = Path(self._tmux("display-message", "-p", "#{socket_path}").stdout.strip())

    def kill(self) -> None:
        """Stop this driver's tmux server (and with it the program in its pane), and remove its socket."""
        self._tmux("kill-server", check=False)
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)
        self.started = False

    # -- reading

    def screen(self) -> str:
        """The visible pane, as text (no colours)."""
        return self._tmux("capture-pane", "-p", "-t", "e2e").stdout

    def frame(self, screen: str | None = None) -> str:
        """The part of a lesson screen right of the timeline column, one line per row."""
        rows = (screen if screen is not None else self.screen()).splitlines()
        return "\n".join(row.split(TIMELINE_SEPARATOR, 1)[1] if TIMELINE_SEPARATOR in row[:40] else row for row in rows)

    def timeline(self, screen: str | None = None) -> str:
        rows = (screen if screen is not None else self.screen()).splitlines()
        return "\n".join(row.split(TIMELINE_SEPARATOR, 1)[0] for row in rows if TIMELINE_SEPARATOR in row[:40])

    def dead(self) -> bool:
        """Whether the program in the pane has ended (its terminal closed)."""
        result = self._tmux("display-message", "-p", "-t", "e2e", "#{pane_dead}", check=False)
        return result.returncode != 0 or result.stdout.strip() == "1"

    def exit_status(self) -> int | None:
        """The program's exit status once it has been reaped (minus the signal number if a signal ended it)."""
        result = self._tmux("display-message", "-p", "-t", "e2e", "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}", check=False)
        dead, status, by_signal = (result.stdout.strip().split(":") + ["", "", ""])[:3]
        if dead != "1":
            return None
        if status.isdigit():
            return int(status)
        return -int(by_signal) if by_signal.isdigit() else None

    def wait_for(self, *texts: str, timeout: float = DEFAULT_TIMEOUT, where: str = "screen") -> str:
        """Poll until every one of TEXTS is on the screen (or in its frame/timeline); return that screen.

        A text may wrap: it also counts when it is in the part's `flat` form.
        """

        def shown(screen: str) -> bool:
            part = self._part(screen, where)
            flattened = flat(part)
            return all(t in part or t in flattened for t in texts)

        return self.wait_until(shown, f"{texts!r} on the {where}", timeout)

    def wait_gone(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        return self.wait_until(lambda s: text not in s, f"{text!r} to go", timeout)

    def wait_until(self, predicate, what: str, timeout: float = DEFAULT_TIMEOUT) -> str:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        screen = ""
        while True:
            screen = self.screen()
            if predicate(screen):
                # What is painted first is not always final: a frame can show before the
                # widget that should take the keys has focus. Let it settle, as the eye does.
                self.settle()
                settled = self.screen()
                return settled if predicate(settled) else screen
            if time.monotonic() > deadline:
                status = self.exit_status()
                gone = f" (the program exited with status {status})" if status is not None else ""
                raise ScreenTimeout(f"waited {timeout:.0f}s for {what}{gone}; the screen was:\n{screen}")
            time.sleep(0.05)

    def wait_dead(self, timeout: float = DEFAULT_TIMEOUT) -> int | None:
        """Wait for the program to end and return its exit status.

        tmux marks the pane dead when the terminal closes, and learns the status a moment
        later, when it reaps the process; both are waited for.
        """
        deadline = time.monotonic() + timeout
        while (status := self.exit_status()) is None:
            if self.dead():
                # tmux built with libutempter can miss the SIGCHLD of a pane whose program exits
                # while the pane is being closed (tmux/tmux#311), leaving a zombie it never reaps
                # and no exit status. Another SIGCHLD to our own server makes it look again.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.server_pid, signal.SIGCHLD)
            if time.monotonic() > deadline:
                state = "closed its terminal but did not exit" if self.dead() else "did not exit"
                ps = subprocess.run(["ps", "-o", "pid,stat,etime,wchan:24,args", "-p", str(self.pid)], capture_output=True, text=True).stdout
                raise ScreenTimeout(f"the program {state} within {timeout:.0f}s:\n{ps}\nthe screen was:\n{self.screen()}")
            time.sleep(0.05)
        return status

    def _part(self, screen: str, where: str) -> str:
        if where == "frame":
            return self.frame(screen)
        if where == "timeline":
            return self.timeline(screen)
        return screen

    # -- typing

    def press(self, *keys: str) -> None:
        """Press keys by tmux name (`n`, `Enter`, `Tab`, `Down`, `C-s`, `Escape`, `q`, `?`), one at a time.

        Like a person, it lets each key take effect before the next: Textual routes a key to
        the widget focused when the key *arrives*, and runs priority bindings (ctrl+s,
        ctrl+g) at once, so keys sent in one burst can overtake each other.
        """
        for key in keys:
            self._tmux("send-keys", "-t", "e2e", key)
            self.settle()

    def settle(self, quiet: float = 0.04, timeout: float = 2.0) -> None:
        """Wait until the pane (colours included) stops changing: the last key has been handled."""
        time.sleep(0.05)
        deadline = time.monotonic() + timeout
        last = self._tmux("capture-pane", "-p", "-e", "-t", "e2e", check=False).stdout
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self._tmux("capture-pane", "-p", "-e", "-t", "e2e", check=False).stdout
            if now == last:
                return
            last = now

    def footer_keys(self) -> dict[str, str]:
        """The keys in the footer (bottom row) and the foreground colour each is drawn in."""
        row = self._tmux("capture-pane", "-p", "-e", "-t", "e2e", check=False).stdout.rstrip("\n").split("\n")[-1]
        text, colours, colour = [], [], ""
        for sgr, char in re.findall(r"(\x1b\[[0-9;]*m)|(.)", row):
            if sgr:
                params = sgr[2:-1].split(";")
                if params in (["0"], [""]) or "39" in params:
                    colour = ""
                for index, param in enumerate(params):
                    if param == "38":
                        colour = ";".join(params[index : index + (3 if params[index + 1 : index + 2] == ["5"] else 5)])
            else:
                text.append(char)
                colours.append(colour)
        line = "".join(text)
        # A compact footer (narrow terminals) starts at the first column, without a space before it.
        return {match.group(1): colours[match.start(1)] for match in re.finditer(r"(?:^| )(\S+) [A-Z]", line)}

    def wait_footer(self, ready, what: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, str]:  # noqa: ANN001
        """Wait until the footer's keys (as `footer_keys` gives them) satisfy `ready`; those keys."""
        deadline = time.monotonic() + timeout
        while not ready(keys := self.footer_keys()):
            if time.monotonic() > deadline:
                raise ScreenTimeout(f"waited {timeout:.0f}s for {what} (footer keys {self.footer_keys()}); the screen was:\n{self.screen()}")
            time.sleep(0.03)
        return keys

    def wait_answerable(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the question on screen takes the keyboard: its first field has focus.

        An ask is painted a moment before its field gets focus, and keys arriving in
        between go to the old focus (Textual routes a key when it arrives). The lesson
        screen refreshes its footer last, after moving focus, greying out `n` (or hiding
        it, for a text field) while an answer is due: `n` drawn unlike `esc` means ready.
        """
        self.wait_footer(lambda keys: "esc" in keys and keys.get("n") != keys["esc"], "the question to take the keyboard", timeout)

    def press_next(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Press `n` once the lesson screen offers it (drawn like `esc` in the footer), as a person reads the footer."""
        self.wait_footer(lambda keys: "esc" in keys and keys.get("n") == keys["esc"], "`n` to be offered", timeout)
        self.press("n")

    def submit(self, *shown: str, where: str = "frame", attempts: int = 3) -> str:
        """Press ctrl+s and wait until every one of SHOWN is on screen (the graded answer).

        ctrl+s is a priority binding: Textual runs it the moment it arrives, possibly before
        the focused field has handled the keys sent just before it (a machine under load can
        take longer than `settle` waits). The app then says the answer is incomplete and keeps
        the question open; as a person would, press ctrl+s again.
        """
        for attempt in range(attempts):
            self.press("C-s")
            try:
                return self.wait_for(*shown, where=where, timeout=DEFAULT_TIMEOUT if attempt == attempts - 1 else 3)
            except ScreenTimeout:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def type(self, text: str) -> None:
        """Type TEXT literally, then wait until the screen shows its end, as a person would before submitting."""
        self._tmux("send-keys", "-t", "e2e", "-l", text)
        tail = " ".join(text.split())[-20:]
        if tail:
            self.wait_until(lambda s: tail in flat(self.frame(s)), f"the typed text {tail!r} to show")


def flat(text: str) -> str:
    """Screen text with box-drawing borders removed and whitespace collapsed, so wrapped prose reads as one line."""
    text = re.sub(r"[│▊▎█▌▐╭╮╰╯─▔▁▂▃▄▅▆▇]", " ", text)  # borders, and the scrollbar's thumb
    return " ".join(text.split())
