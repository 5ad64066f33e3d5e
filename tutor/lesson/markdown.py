"""The Markdown dialect of lesson text, one parser for the screen and for exports."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


def _underscores_are_literal(state: Any, silent: bool) -> bool:
    """An inline rule: a run of `_` is text, never an emphasis delimiter.

    CommonMark lets `_` open emphasis after a space or punctuation, so `__init__.py`
    reads as a bold "init" followed by ".py", and `pkg/__init__.py` too. Lesson text is about
    code, where underscores belong to names (`__init__`, `_private`, `snake_case`), so in
    lesson Markdown emphasis is written with `*` only.
    """
    src, start = state.src, state.pos
    if src[start] != "_":
        return False
    end = start
    while end < state.posMax and src[end] == "_":
        end += 1
    if not silent:
        state.pending += src[start:end]
    state.pos = end
    return True


def _decoded_text_is_clean(state: Any) -> None:
    """A core rule, after parsing: what the parser decoded is cleaned again (`untrusted.shown`).

    Lesson text is cleaned before it is parsed, but the parser then decodes character
    references: `&#x202E;`, `&rlm;` or `&#13;` become a bidi override, a mark or a carriage
    return. `&amp;` and `&copy;` keep working; a control or a bidi control decoded this way is
    shown as the marker any other would be, on screen and in an exported page.
    """
    from .untrusted import shown

    for token in state.tokens:
        if token.content:
            token.content = shown(token.content)
        for child in token.children or []:
            if child.content:
                child.content = shown(child.content)
            title = child.attrs.get("title") if child.attrs else None
            if isinstance(title, str):
                child.attrs["title"] = shown(title)


@cache
def lesson_markdown_parser() -> MarkdownIt:
    """The one Markdown dialect of lesson text, on screen and in exports.

    CommonMark with GFM tables and strikethrough; raw HTML off (a lesson's `<tag>` is shown
    as the text it is, and never reaches a page as HTML); `_` never emphasises; a link is a
    link only when its address is http, https or mailto (`tutor.lesson.untrusted.is_safe_link`):
    `[x](file:///etc/passwd)`, `[x](javascript:…)`, a relative or a custom-scheme link stays
    the text the author wrote, on screen and in an exported page.
    Build it once: parsing with it is read-only, so it is shared.
    """
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.inline.ruler.before("emphasis", "underscores_are_literal", _underscores_are_literal)
    parser.core.ruler.push("decoded_text_is_clean", _decoded_text_is_clean)
    parser.validateLink = _is_safe_link  # type: ignore[method-assign]  # markdown-it's documented hook
    return parser


def _is_safe_link(url: str) -> bool:
    from .untrusted import is_safe_link

    return is_safe_link(url)
