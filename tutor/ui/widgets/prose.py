"""Text on screen as its writer meant it: lesson Markdown rendered, a person's typed words shown as typed.

Textual's Markdown widget mounts one widget per block after it is mounted itself, so
a parent sized `auto` can be laid out before its content exists, and a reveal costs
dozens of widgets. A Static holding Rich's Markdown renders in one pass. Simple text
(paragraphs and headings of words, code, strong and emphasis: `tutor.lesson.simple_markdown`)
is drawn exactly as Rich's Markdown draws it, by `SimpleProse`, without importing Rich's
Markdown, markdown-it or Pygments: what a lesson's first screen and the library show.

Lesson text (task, steps, notes, explanations) is Markdown in one dialect, the lesson
format's (`tutor.lesson.markdown.lesson_markdown_parser`): raw HTML is shown as the text it
is and `_` never emphasises, so `<project>` and `__init__.py` read as written. What a
person typed into Tutor (a learner's goal or message) is not Markdown at all: it is shown
character for character, line breaks kept (`LearnerWords`). Neither ever goes through
Textual markup.

Both pass the boundary for text from outside first (`tutor.ui.plain`): escape sequences and
controls are shown as `�`, bidi controls as `⟨RLO⟩`, and a field longer than
`FIELD_LIMIT` is cut with a note, so a 20 MB task costs what its first screenful costs.
Links are inert: Rich's Markdown is given `hyperlinks=False`, so a link is drawn as its
text followed by its address and carries no link style and no action, and the lesson dialect
only makes links of http, https and mailto addresses (`file:`, `javascript:`, relative or
custom-scheme links are left as the text the author wrote). Nothing on screen opens a
browser or runs an action when clicked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tutor.lesson.simple_markdown import Block, simple_blocks, simple_inline

from ..plain import LINE_LIMIT, markdown_source, text_of

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.markdown import Markdown as RichMarkdown


def markdown_renderable(markdown: str) -> RichMarkdown | SimpleProse:
    """Lesson Markdown as Rich draws it, parsed in the lesson dialect (Rich's own parser lets raw HTML vanish and bolds `__init__`).

    Simple text (`tutor.lesson.simple_markdown`: paragraphs and headings of words, code,
    strong and emphasis) is drawn the same way without markdown-it and Rich's Markdown,
    which would cost ~40 ms of imports before a lesson's first screen.
    """
    markdown = markdown_source(markdown)
    blocks = simple_blocks(markdown)
    return SimpleProse(blocks) if blocks is not None else parsed_markdown(markdown)


def parsed_markdown(markdown: str) -> RichMarkdown:
    """Rich's Markdown of `markdown` (made safe already: `markdown_source`), parsed by the lesson dialect's parser."""
    from rich.markdown import Markdown  # pulls in pygments: only when prose is shown

    from tutor.lesson.markdown import lesson_markdown_parser

    rendered = Markdown("", code_theme="ansi_dark", hyperlinks=False)
    rendered.markup = markdown
    rendered.parsed = lesson_markdown_parser().parse(markdown)
    return rendered


class SimpleProse:
    """What Rich's Markdown draws for simple lesson Markdown, segment for segment (`tests/unit/test_simple_markdown.py`).

    Rich's Markdown draws a paragraph as a left-justified Text in its `markdown.paragraph`
    style, a heading in its `markdown.h1` to `.h6` style (the first centred), each inline
    style (`markdown.strong`, `.em`, `.code`) added on top, a soft break as a space, and an
    empty line between blocks. The styles are the console's, looked up as it draws (a
    Textual app's theme).
    """

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        options = options.update(height=None)
        base = console.get_style("none", default="none")
        for index, (kind, pieces) in enumerate(self.blocks):
            if index:
                yield Segment.line()
            text = Text(justify="center" if kind == "h1" else "left")
            block = base + console.get_style("markdown.paragraph" if kind == "p" else f"markdown.{kind}", default="none")
            for words, styles in pieces:
                style = block
                for name in styles:
                    style += console.get_style(f"markdown.{name}", default="none")
                text.append(words if "code" in styles else words.replace("\n", " "), style)
            yield from console.render(text, options)


class Prose(Static):
    DEFAULT_CLASSES = "prose"

    def __init__(self, markdown: str, *, classes: str = "", id: str | None = None) -> None:  # noqa: A002 - Textual's name
        self.markdown = markdown_source(markdown)  # what is shown: cleaned and cut (a 20 MB task is not held twice)
        super().__init__(markdown_renderable(self.markdown), classes=f"prose {classes}".strip(), id=id)

    def show(self, markdown: str) -> None:
        """Show `markdown` instead, cleaned and cut as at first: one render, where Textual's Markdown widget
        would unmount and mount a widget a block (the library's details: ~40 ms a highlighted lesson)."""
        self.markdown = markdown_source(markdown)
        self.update(markdown_renderable(self.markdown))


def typed_text(words: str, style: str = "") -> Text:
    """What a person typed, as plain text: every character as typed, line breaks kept, no markup of any kind."""
    return Text(text_of(words), style=style)  # every line ending (\r\n, \r) becomes one break


class LearnerWords(Static):
    """The learner's own words, quoted: shown exactly as typed (never as Markdown, never as markup)."""

    DEFAULT_CLASSES = "learner-words"
    DEFAULT_CSS = """
    LearnerWords {
        border-left: outer $secondary;
        padding-left: 1;
    }
    """

    def __init__(self, words: str, *, classes: str = "") -> None:
        super().__init__(typed_text(words), classes=classes)
        self.words = words


_INLINE_STYLES = {"em": Style(italic=True), "strong": Style(bold=True), "s": Style(strike=True)}


def inline_markdown(markdown: str, style: str = "") -> Text:
    """One line of lesson Markdown (a choice option, a prompt) as styled Text, for labels that cannot hold a block.

    Inline rules only: code spans, emphasis, strikethrough, links (shown as their text), in
    the lesson dialect. Nothing is read as Textual markup.
    """
    source = markdown_source(markdown, limit=LINE_LIMIT)
    pieces = simple_inline(source)
    if pieces is None:
        return parsed_inline(source, style)
    text = Text(style=style)  # read without markdown-it (see `markdown_renderable`), styled as `parsed_inline` styles it
    for words, styles in pieces:
        outer = [_INLINE_STYLES[name] for name in styles if name != "code"]
        current = Style.chain(*outer) if outer else Style()
        if "code" in styles:
            text.append(words, current + _code_style())
        else:
            text.append(words.replace("\n", " "), current)
    return text


def _code_style() -> Style:
    from rich.default_styles import DEFAULT_STYLES

    return DEFAULT_STYLES["markdown.code"]


def parsed_inline(source: str, style: str = "") -> Text:
    """`inline_markdown` of `source` (made safe already) by the lesson dialect's parser."""
    from tutor.lesson.markdown import lesson_markdown_parser

    code = _code_style()
    text = Text(style=style)
    stack: list[Style] = []
    links: list[str] = []
    for token in (lesson_markdown_parser().parseInline(source)[0].children or []):
        kind = token.type
        current = Style.chain(*stack) if stack else Style()
        if kind.endswith("_open") and kind[: -len("_open")] in _INLINE_STYLES:
            stack.append(_INLINE_STYLES[kind[: -len("_open")]])
        elif kind.endswith("_close") and kind[: -len("_close")] in _INLINE_STYLES:
            if stack:
                stack.pop()
        elif kind == "code_inline":
            text.append(token.content, current + code)
        elif kind in ("text", "html_inline", "entity"):
            text.append(token.content, current)
        elif kind == "softbreak":
            text.append(" ", current)
        elif kind == "hardbreak":
            text.append("\n", current)
        elif kind == "image":
            text.append(token.content, current)
        elif kind == "link_open":
            links.append(str(token.attrs.get("href", "")))
            stack.append(Style(underline=True))
        elif kind == "link_close":
            if stack:
                stack.pop()
            href = links.pop() if links else ""
            if href and not text.plain.endswith(href):
                text.append(f" ({href})")
    return text
