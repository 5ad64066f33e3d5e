"""Helpers for driving the Textual app in tests: what is on screen, and what is anywhere in the DOM."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.css.query import NoMatches
from textual.widgets import Log, OptionList, Static, TextArea

from tests.helpers.support import DATA


def use_example_library(home: Path) -> None:
    """Point Tutor's config (under TUTOR_HOME) at the example curriculum."""
    (home / "config.toml").write_text(f'curricula = ["{DATA.as_posix()}"]\n', encoding="utf-8")


def screen_text(app: App) -> str:
    """Exactly what the terminal shows now."""
    strips = app.screen._compositor.render_strips()  # noqa: SLF001 - Textual is pinned exactly
    return "\n".join(strip.text for strip in strips)


def _plain(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    markup = getattr(content, "markup", None)  # rich Markdown keeps its source
    if isinstance(markup, str):
        return markup
    console = Console(file=io.StringIO(), width=300, color_system=None, record=True)
    console.print(content)
    return console.export_text()


def dom_text(app: App, root: Any = None) -> str:
    """Every piece of text held by any widget of the screen (or under `root`), shown or scrolled away."""
    parts: list[str] = []
    for widget in (root or app.screen).walk_children(with_self=False):
        if isinstance(widget, Static):
            parts.append(_plain(widget.content))
        elif isinstance(widget, Log):
            parts.extend(widget.lines)
        elif isinstance(widget, TextArea):
            parts.append(widget.text)
        elif isinstance(widget, OptionList):
            parts.extend(_plain(option.prompt) for option in widget.options)
        markdown = getattr(widget, "markdown", None)
        if isinstance(markdown, str):
            parts.append(markdown)
        source = getattr(widget, "source", None)
        if isinstance(source, str):
            parts.append(source)
    return "\n".join(parts)


def squash(text: str) -> str:
    """Whitespace-insensitive form, so wrapped lines still match."""
    return " ".join(text.split())


async def wait_until(pilot: Any, predicate: Callable[[], object], what: str = "", timeout: float = 10.0) -> None:
    """Let the app run (`pilot.pause()`, no fixed sleep) until `predicate()` holds; else fail saying `what`.

    `predicate` may query widgets that are not mounted yet: NoMatches counts as "not yet".
    On a timeout the failure shows the screen as it is, which is usually the diagnosis.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except NoMatches:
            pass
        if time.monotonic() > deadline:
            try:
                shown = screen_text(pilot.app)
            except Exception as error:  # noqa: BLE001 - the app may be gone; the timeout is what matters
                shown = f"(no screen: {error!r})"
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what or getattr(predicate, '__name__', 'a condition')}; the screen shows:\n{shown}")
        await pilot.pause()


def on_screen(app: App, *texts: str) -> bool:
    """Whether every one of `texts` is on the terminal now (whitespace-insensitive)."""
    shown = squash(screen_text(app))
    return all(squash(text) in shown for text in texts)


async def wait_for_text(pilot: Any, *texts: str, timeout: float = 10.0) -> str:
    """Wait until every one of `texts` is drawn on the terminal; returns the screen text."""
    await wait_until(pilot, lambda: on_screen(pilot.app, *texts), f"{' and '.join(map(repr, texts))} on screen", timeout)
    return screen_text(pilot.app)


def player_view(app: App) -> Any:
    """The view a lesson or review screen shows, once its frame is built (None while it is opening or changing)."""
    screen = app.screen
    view = getattr(screen, "_view", None)
    if view is None or getattr(screen, "transitioning", True):
        return None
    return view


async def wait_for_view(pilot: Any, what: str, check: Callable[[Any], object] = lambda view: True, timeout: float = 10.0) -> Any:
    """Wait until the lesson (or review) screen shows a built frame whose view passes `check`; returns that view."""
    await wait_until(pilot, lambda: (view := player_view(pilot.app)) is not None and check(view), what, timeout)
    return player_view(pilot.app)


async def step_on(pilot: Any) -> Any:
    """One move of a learner who only looks: skip the open question (ctrl+g), else go on (n).

    Waits until the screen has made the move and returns the new view; the next key is never
    sent before the last one landed.
    """
    view = await wait_for_view(pilot, "the lesson's frame")
    cursor = view.cursor
    if view.awaiting_answer:
        await pilot.press("ctrl+g")
        return await wait_for_view(pilot, f"step {cursor} revealed by the skip", lambda now: now.cursor == cursor and not now.awaiting_answer)
    if view.awaiting_judgement:
        return await check_points(pilot, "n")
    assert view.can_next, f"nowhere to go from frame {cursor}"
    await pilot.press("n")
    return await wait_for_view(pilot, f"frame {cursor + 1}", lambda now: now.cursor == cursor + 1)


async def drained(pilot: Any, *nodes: Any) -> None:
    """Wait until each of `nodes` (default: the screen) has handled every message sent to it before this call.

    For checks that something did *not* happen: a message handled in order after the ones
    that could have done it says they have all run.
    """
    done: list[Any] = []
    targets = nodes or (pilot.app.screen,)
    sent = sum(bool(node.call_later(done.append, node)) for node in targets)  # a closed node takes no more messages
    await wait_until(pilot, lambda: len(done) == sent, "the messages already sent to be handled")


async def type_fast(pilot: Any, text: str, real: int = 12) -> None:
    """Type `text` into the focused text field: its first `real` characters as keys, the rest inserted.

    Pilot spends some 60 ms on each key, seconds on a sentence. The keys typed for real must
    land in the field (a letter that is also a screen's key must not act); the rest is
    inserted at the cursor, as a paste would.
    """
    field = pilot.app.focused
    assert isinstance(field, TextArea), f"expected a text field to have focus, not {field!r}"
    before = field.text
    await pilot.press(*[{"\n": "enter", " ": "space"}.get(char, char) for char in text[:real]])
    await wait_until(pilot, lambda: field.text == before + text[:real], f"{text[:real]!r} typed into the field")
    field.insert(text[real:])


async def settled(pilot: Any, screen: Any, timeout: float = 15.0) -> None:
    """A pair or record screen: the agent's worker is done and every journaled record is drawn."""
    await wait_until(pilot, lambda: not screen.busy and screen.drawn, "the live screen to settle", timeout)


async def check_points(pilot: Any, marks: str = "y") -> Any:
    """The learner's own check after a reveal: each of the senior's points marked (y/p/n, in turn; the last
    one repeated), recorded with enter; returns the view once the grade is complete."""
    from tutor.ui.widgets.point_check import PointCheck

    app = pilot.app
    await wait_until(pilot, lambda: bool(app.screen.query(PointCheck)) and isinstance(app.focused, PointCheck), "the check of the senior's points, focused")
    check = app.screen.query_one(PointCheck)
    await pilot.press(*[marks[min(index, len(marks) - 1)] for index in range(len(check.rows))])
    await wait_until(pilot, lambda: check.complete() is not None, "every point marked")
    await pilot.press("enter")
    return await wait_for_view(pilot, "the marks recorded", lambda view: not view.awaiting_judgement)
