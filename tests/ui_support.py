"""Helpers for driving the Textual app in tests: what is on screen, and what is anywhere in the DOM."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.widgets import Log, OptionList, Static, TextArea

from support import DATA


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
