"""Markdown prose rendered synchronously.

Textual's Markdown widget mounts one widget per block after it is mounted itself, so
a parent sized `auto` can be laid out before its content exists, and a reveal costs
dozens of widgets. A Static holding Rich's Markdown renders in one pass.
"""

from __future__ import annotations

from textual.widgets import Static


class Prose(Static):
    DEFAULT_CLASSES = "prose"

    def __init__(self, markdown: str, *, classes: str = "") -> None:
        from rich.markdown import Markdown as RichMarkdown  # pulls in pygments: only when prose is shown

        super().__init__(RichMarkdown(markdown, code_theme="ansi_dark", hyperlinks=False), classes=f"prose {classes}".strip())
        self.markdown = markdown
