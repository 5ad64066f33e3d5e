"""Simple lesson Markdown read without a parser draws exactly what the lesson dialect's parser draws.

`tutor.lesson.simple_markdown` accepts only text it can read the way markdown-it reads it
in the lesson dialect; `tutor.ui.widgets.prose` then draws it without Rich's Markdown. The
oracle here is the parser path itself (`parsed_markdown`, `parsed_inline`): whenever the
simple reading accepts a text, the two must draw the same segments at every width, and
the same characters in the same styles on one line.
"""

from __future__ import annotations

import sys
import subprocess

from hypothesis import given, settings, strategies as st
from rich.console import Console

from tutor.lesson.simple_markdown import simple_blocks, simple_inline
from tutor.ui.plain import LINE_LIMIT, markdown_source
from tutor.ui.widgets.prose import SimpleProse, inline_markdown, markdown_renderable, parsed_inline, parsed_markdown

# Words, spaces and line breaks, and every character Markdown may read as syntax (the simple reading refuses most).
ALPHABET = "ab1 \n\n*`_#->+=.)(!?,:;'\"~[]<&\\|\u00a0é\u2028\t"
PIECES = ["word", "**", "*", "`", "``", " ", "\n", "\n\n", "-3.03", "x_y", "__init__", ".", ")", "1.", "# ", "## ", "> ", "- ", "\\", "\\*", "\\,", "\\[", "#"]


def drawn(renderable: object, width: int) -> list[list[tuple[str, str]]]:
    """Each line drawn at `width`: each cell's character and style (how Rich cuts the line into segments does not matter)."""
    console = Console(width=width, force_terminal=True, color_system="truecolor", legacy_windows=False, emoji=False, highlight=False)
    return [[(character, str(segment.style)) for segment in line for character in segment.text]
            for line in console.render_lines(renderable, console.options, pad=True)]  # type: ignore[arg-type]


def styled_characters(text: object) -> list[tuple[str, str]]:
    """Each character of a Rich Text with the style it is drawn in (span boundaries do not matter, styles do)."""
    console = Console(width=10_000, force_terminal=True, color_system="truecolor", legacy_windows=False)
    return [(character, str(segment.style)) for segment in console.render(text) for character in segment.text]  # type: ignore[arg-type]


def same_drawing(markdown: str) -> None:
    source = markdown_source(markdown)
    if simple_blocks(source) is None:
        return
    fast = markdown_renderable(markdown)
    assert isinstance(fast, SimpleProse)
    slow = parsed_markdown(source)
    for width in (12, 37, 80):
        assert drawn(fast, width) == drawn(slow, width), (markdown, width)


def same_line(markdown: str) -> None:
    source = markdown_source(markdown, limit=LINE_LIMIT)
    if simple_inline(source) is None:
        return
    for style in ("", "bold"):
        assert styled_characters(inline_markdown(markdown, style)) == styled_characters(parsed_inline(source, style)), markdown


texts = st.one_of(st.text(alphabet=ALPHABET, max_size=40), st.lists(st.sampled_from(PIECES), max_size=14).map("".join))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_simple_text_is_drawn_as_the_parser_draws_it(markdown: str) -> None:
    same_drawing(markdown)
    same_line(markdown)


def test_what_lessons_mostly_hold_is_read_simply_and_drawn_the_same() -> None:
    # Without these the property above could pass by refusing everything.
    examples = [
        "You maintain **ledger**, a small Python library.\n\nIt came out at **-3.03**. The test `test_coupon` in `tests/test_totals.py` fails.",
        "Run the tests first,\nthen tell me what *you* saw.",
        "The `` a ` b `` span, and **strong with `code` inside**.",
        "Rename `__init__.py`'s `_private` helper to snake_case_name (no emphasis in this dialect).",
        "## Too slow\\, says ops\n\nOps says the report is *way* too slow.\n\n*a scripted lesson, built by running its commands*",
        "# A title \\[draft\\]\n\n### A smaller heading\n\nAnd a paragraph \\| with escaped \\<punctuation\\>.",
        "What goal would you give the agent?",
        "",
        " \n\n ",
    ]
    for markdown in examples:
        assert simple_blocks(markdown_source(markdown)) is not None, markdown
        same_drawing(markdown)
        same_line(markdown.replace("\n\n", " "))


def test_anything_else_goes_to_the_parser() -> None:
    refused = [
        "- a list", "1. a list", "> a quote", "```\ncode\n```", "    indented code", "a | b\n--|--",
        "[a link](https://example.com)", "<b>html</b>", "a &amp; b", "a\\qb", "~~gone~~", "## closed ##", "#no-space",
        "## heading\nand a line", "a\\\nhard break", "a  \nhard break", "***",
        "foo*bar*", "*a*b", "**foo.**bar", "a ** b", "**unclosed", "`unclosed", "Title\n===", "Title\n---", "* item",
    ]
    for markdown in refused:
        assert simple_blocks(markdown_source(markdown)) is None, markdown
        assert not isinstance(markdown_renderable(markdown), SimpleProse), markdown
        same_line(markdown)  # whatever the inline reading takes of it, drawn as the parser draws it


def test_a_simple_first_screen_loads_no_markdown_parser() -> None:
    code = (
        "import sys\n"
        "from tutor.ui.widgets.prose import inline_markdown, markdown_renderable\n"
        "markdown_renderable('You maintain **ledger**.\\n\\nThe test `t` fails.')\n"
        "inline_markdown('What goal would you give the agent?')\n"
        "print(sorted(name for name in ('markdown_it', 'rich.markdown', 'pygments') if name in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
