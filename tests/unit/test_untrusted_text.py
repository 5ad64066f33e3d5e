"""The one boundary for untrusted text (`tutor.lesson.untrusted`): what it returns is always safe to print.

Properties over any string (weighted towards escape sequences, controls and bidi marks),
then the cases the hostile-lesson corpus is made of, each with what the learner sees.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.lesson.untrusted import (
    BIDI_NAMES,
    INVISIBLE_NAMES,
    PLACEHOLDER,
    exact,
    is_safe,
    is_safe_link,
    one_line,
    shown,
    unsafe_characters,
)

# Every character a terminal or a reader could be fooled by, and the pieces escape sequences are made of.
HOSTILE_PIECES = [
    "\x1b", "\x1b[", "\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX", "\x1b\\", "\x07", "\x9b", "\x9c", "\x9d", "\x90",
    "\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b]0;owned\x1b\\", "\x1b[2J", "\x1b[1;1H", "\x1b]8;;file:///etc/passwd\x07",
    "\r", "\r\n", "\n", "\t", "\x00", "\x08", "\x7f", "\x85", "\u2028", "\u2029", "\ud800", "\udfff",
    *BIDI_NAMES, *INVISIBLE_NAMES, "\U000e0041", "[", "]", "[/]", "[@click=app.screenshot('x','/tmp')]", "⟨", "⟩", "�", "…",
]
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=8)), max_size=30).map("".join)
any_text = st.one_of(st.text(), hostile_text)
# Text with nothing to remove: printable characters, tabs and newlines (no controls, no bidi, no surrogates).
plain_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="".join(BIDI_NAMES) + "\u2028\u2029") | st.sampled_from("\t\n")
)

C0_BUT_TAB_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f]")
C1_DEL = re.compile(r"[\x7f-\x9f]")


def assert_printable(text: str) -> None:
    assert "\x1b" not in text
    assert not C0_BUT_TAB_NEWLINE.search(text), unsafe_characters(text)
    assert not C1_DEL.search(text), unsafe_characters(text)
    assert not any(char in text for char in BIDI_NAMES), unsafe_characters(text)
    assert not re.search("[\ud800-\udfff]", text)
    assert is_safe(text)
    text.encode("utf-8")  # no lone surrogate: it prints without an encoding error


@settings(max_examples=400)
@given(any_text, st.one_of(st.none(), st.integers(0, 60)))
def test_nothing_shown_can_reach_the_terminal(text: str, limit: int | None) -> None:
    for result in (shown(text, limit=limit), exact(text, limit=limit), one_line(text, limit=limit)):
        assert_printable(result)
    assert "\n" not in one_line(text, limit=limit) and "\t" not in one_line(text, limit=limit)
    assert not any(char in exact(text) for char in INVISIBLE_NAMES)


@settings(max_examples=300)
@given(any_text)
def test_idempotent(text: str) -> None:
    for function in (shown, exact, one_line):
        once = function(text)
        assert function(once) == once


@settings(max_examples=300)
@given(plain_text)
def test_plain_text_is_unchanged(text: str) -> None:
    assert shown(text) == text
    assert one_line(text) == text.replace("\n", " ").replace("\t", " ")
    # Up to and at its length, a limit changes nothing either; one character less cuts it.
    for limit in (len(text), len(text) + 1):
        assert shown(text, limit=limit) == text
        assert one_line(text, limit=limit) == one_line(text)
    if text:
        assert shown(text, limit=len(text) - 1) != text


@settings(max_examples=200)
@given(any_text, st.integers(0, 200))
def test_a_limit_bounds_what_is_shown_and_says_how_much_is_left(text: str, limit: int) -> None:
    whole = shown(text)
    cut = shown(text, limit=limit)
    if len(whole) <= limit:
        assert cut == whole
    else:
        head, _, note = cut.partition("… (")
        assert len(head) <= limit and whole.startswith(head)
        assert re.fullmatch(r"[\d,]+ more characters? not shown\)", note), cut
    assert len(one_line(text, limit=max(limit, 1))) <= max(limit, 1)


def test_escape_sequences_become_one_placeholder_each() -> None:
    assert shown("\x1b]52;c;ZWNobyBoaQ==\x07after") == PLACEHOLDER + "after"  # OSC 52: the clipboard
    assert shown("\x1b]0;owned\x1b\\title") == PLACEHOLDER + "title"  # OSC 0: the window title
    assert shown("\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07") == f"{PLACEHOLDER}click{PLACEHOLDER}"  # OSC 8
    assert shown("\x1b[2J\x1b[1;1Hcleared") == PLACEHOLDER * 2 + "cleared"  # CSI erase, cursor move
    assert shown("\x9b31mred") == PLACEHOLDER + "red"  # 8-bit CSI
    assert shown("\x1bPq#0;2;0;0;0\x1b\\x") == PLACEHOLDER + "x"  # DCS (sixel)
    assert shown("\x1b_Gf=100;AAAA\x1b\\x") == PLACEHOLDER + "x"  # APC (kitty graphics)
    assert shown("\x1b^pm\x1b\\x\x1bXsos\x9cy") == f"{PLACEHOLDER}x{PLACEHOLDER}y"  # PM, SOS
    assert shown("\x1bc\x1b7\x1b(0x") == PLACEHOLDER * 3 + "x"  # reset, save cursor, charset
    assert shown("\x1b]52;c;unterminated\nnext line") == PLACEHOLDER + "\nnext line"  # ends with its line


def test_controls_become_visible() -> None:
    assert shown("rm -rf /tmp/x\x08\x08\x08\x08\x08safe") == "rm -rf /tmp/x" + PLACEHOLDER * 5 + "safe"
    assert shown("a\x00b\x7fc\x85d") == f"a{PLACEHOLDER}b{PLACEHOLDER}c{PLACEHOLDER}d"
    assert shown("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"
    assert shown("tab\tand\nnewline") == "tab\tand\nnewline"
    assert shown("\ud83d lone") == PLACEHOLDER + " lone"


def test_bidi_controls_are_named_so_a_command_reads_as_it_runs() -> None:
    assert shown("echo safe \u202e; rm -rf ~ #") == "echo safe ⟨RLO⟩; rm -rf ~ #"
    assert shown("\u2066a\u2069\u200f\u061c") == "⟨LRI⟩a⟨PDI⟩⟨RLM⟩⟨ALM⟩"


def test_exact_shows_invisible_characters_too() -> None:
    assert exact("rm\u200b -rf\u200d x\ufeff\U000e0041") == "rm⟨ZWSP⟩ -rf⟨ZWJ⟩ x⟨BOM⟩⟨U+E0041⟩"
    assert shown("family \U0001f468\u200d\U0001f469") == "family \U0001f468\u200d\U0001f469"  # prose keeps emoji whole


def test_markup_is_just_text() -> None:
    for text in ("[@click=app.screenshot('x','/tmp')]CLICKME", "[/]", "Serve uploads from [/tmp]", "Use dict[str, int]", "[b]bold[/b]"):
        assert shown(text) == text
        assert one_line(text) == text


def test_one_line_and_limits() -> None:
    assert one_line("a title\nwith\ttwo lines") == "a title with two lines"
    assert one_line("x" * 50, limit=10) == "x" * 9 + "…"
    assert one_line("x" * 10, limit=10) == "x" * 10
    assert shown("x" * 50, limit=10) == "x" * 10 + "… (40 more characters not shown)"


def test_a_huge_field_costs_what_its_cut_costs() -> None:
    import time

    huge = "a" * 20_000_000
    started = time.perf_counter()
    result = shown(huge, limit=20_000)
    assert time.perf_counter() - started < 0.5
    assert result.endswith("… (19,980,000 more characters not shown)")


def test_only_web_links_are_safe() -> None:
    assert is_safe_link("https://example.com/x") and is_safe_link("http://x") and is_safe_link("mailto:a@b.c")
    for href in ("file:///etc/passwd", "javascript:alert(1)", "JaVaScRiPt:x", "x-man-page://ls", "vscode://open", "data:text/html,x", "../../etc/passwd", "/etc/passwd", "", " file:x"):
        assert not is_safe_link(href), href


@given(any_text)
def test_a_lines_width_is_measured_as_the_line_shows(text: str) -> None:
    from tutor.ui.plain import line, line_width

    assert line_width(text) == line(text).cell_len
    assert line_width(text * 40) == line(text * 40).cell_len  # past the cut, too
