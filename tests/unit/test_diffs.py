"""The one diff builder (`tutor.lesson.diffs`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tutor.lesson.diffs import file_diff, unified_diff

lines = st.lists(st.sampled_from(["a", "b", "c", "", "def f():", "    return 1"]), max_size=12).map(lambda xs: "".join(x + "\n" for x in xs))


@given(lines)
def test_equal_texts_have_no_diff(text: str) -> None:
    assert file_diff("x.py", text, text) == []


@given(lines, lines)
def test_with_all_lines_as_context_the_diff_is_both_texts(before: str, after: str) -> None:
    diff = file_diff("x.py", before, after, context=10_000)
    assert (diff == []) == (before == after)
    if diff:
        assert diff[:2] == ["--- a/x.py", "+++ b/x.py"] and all("\n" not in line for line in diff)
        body = [line for line in diff[2:] if not line.startswith("@@")]
        assert [line[1:] for line in body if line[0] in " -"] == before.splitlines()
        assert [line[1:] for line in body if line[0] in " +"] == after.splitlines()


def test_a_window_of_a_file_is_numbered_as_the_whole_file() -> None:
    assert unified_diff("x\n", "y\n", "a", "b", first_line=41)[2] == "@@ -42 +42 @@"


def test_a_dropped_final_newline_is_a_change() -> None:
    assert file_diff("f", "end\n", "end") == ["--- a/f", "+++ b/f", "@@ -1 +1 @@", "-end", "+end"]
