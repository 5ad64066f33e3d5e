"""Reading `lesson.json` fast (msgspec) gives what the careful reader (`json` with its repeated-key check) gives.

`tutor.lesson.io.decode_without_duplicates` takes msgspec's data only when the colons show that
no key was repeated; these tests hold it to the careful reader on texts written every way JSON
allows: spaces anywhere, characters escaped as `\\uXXXX` (a colon too), repeated keys.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.lesson import io as lesson_io
from tutor.lesson.validate import check_lesson_data
from tutor.lesson.io import _DuplicateKey, _unique_keys, decode_lesson_json, decode_without_duplicates, read_lesson

ROOT = Path(__file__).resolve().parents[2]


class Pairs(list):
    """A JSON object as written: its (key, value) pairs in order, a key possibly more than once."""


CHARACTERS = st.sampled_from(['a', 'b', ':', '"', '\\', ' ', '\n', 'é', '\u2028', '{', ','])
TEXTS = st.text(alphabet=CHARACTERS, max_size=6)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=False, allow_infinity=False), TEXTS,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(st.tuples(TEXTS, inner), max_size=4).map(Pairs)),
    max_leaves=24,
)


def written(value: Any, rng: random.Random) -> str:
    """`value` as JSON text, spaced and escaped at random (a colon, a quote, a backslash may be `\\uXXXX`)."""

    def space() -> str:
        return rng.choice(["", "", " ", "\n  ", "\t"])

    if isinstance(value, Pairs):
        members = [f"{space()}{quoted(key, rng)}{space()}:{space()}{written(item, rng)}" for key, item in value]
        return "{" + ",".join(members) + space() + "}"
    if isinstance(value, list):
        return "[" + ",".join(space() + written(item, rng) for item in value) + space() + "]"
    if isinstance(value, str):
        return quoted(value, rng)
    return json.dumps(value)


def quoted(text: str, rng: random.Random) -> str:
    out = []
    for character in text:
        escape = rng.random() < 0.3
        if escape or character in '"\\\n':
            code = f"{ord(character):04x}"
            short = {'"': '\\"', "\\": "\\\\", "\n": "\\n"}.get(character)
            out.append(short if short and not escape else "\\u" + (code.upper() if rng.random() < 0.5 else code))
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


def same(left: Any, right: Any) -> bool:
    """Equal, and of the same JSON types all the way down (`True == 1` in Python; not in JSON)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    return bool(left == right)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES, st.randoms(use_true_random=False))
def test_the_fast_reading_gives_the_careful_readings_data_or_leaves_the_text_to_it(value: Any, rng: random.Random) -> None:
    text = written(value, rng)
    try:
        expected = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey:
        assert decode_without_duplicates(text) is None, text
        return
    fast = decode_without_duplicates(text)
    if lesson_io._COLON_ESCAPE.search(text) is None:  # noqa: SLF001
        assert fast is not None, f"left to the careful reader for no reason: {text!r}"
    if fast is not None:
        assert same(fast[0], expected), text


@pytest.mark.parametrize(
    "text",
    [
        '{"kind": "note", "kind": "agent"}',
        '{"kind" : "note" ,"kind":"agent"}',
        '{"kind":\n"note",\n"kind"\t:\t"agent"}',
        '{"steps": [{"id": "a", "text": "x", "text": "y"}]}',
        '{"a": {"b": 1, "c": 2}, "a": 3}',
        '{"a": "b:c", "a": "d"}',
    ],
)
def test_a_repeated_key_is_refused_however_the_text_is_spaced(text: str) -> None:
    data, problem, _ = decode_lesson_json(text.encode(), "lesson.json")
    assert data is None and problem is not None
    assert "appears twice in one object" in problem.what


def test_a_repeated_key_is_refused_when_an_escaped_colon_elsewhere_evens_the_count() -> None:
    # Two colons for two keys, and one key dropped: the string's colon, written `\u003a`, would even it out.
    text = '{"note": "half\\u003ahalf", "kind": "note", "kind": "agent"}'
    data, problem, _ = decode_lesson_json(text.encode(), "lesson.json")
    assert data is None and problem is not None and "the key 'kind' appears twice" in problem.what


def _lesson_folders() -> list[Path]:
    found = [path.parent for base in (ROOT / "curricula", ROOT / "tests" / "data") for path in base.rglob("lesson.json")]
    return sorted(found)


def test_every_lesson_here_reads_the_same_fast_and_carefully(monkeypatch: pytest.MonkeyPatch) -> None:
    folders = _lesson_folders()
    assert len(folders) >= 8
    fast = {folder: read_lesson(folder) for folder in folders}
    monkeypatch.setattr(lesson_io, "decode_without_duplicates", lambda text: None)
    for folder in folders:
        careful = read_lesson(folder)
        assert fast[folder].lesson == careful.lesson, folder
        assert fast[folder].problems == careful.problems, folder


def test_every_broken_lesson_gets_the_same_problem_fast_and_carefully(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = sorted((ROOT / "tests" / "data" / "broken").glob("*.json"))
    assert broken
    fast = {file: decode_lesson_json(file.read_bytes(), file.name) for file in broken}
    monkeypatch.setattr(lesson_io, "decode_without_duplicates", lambda text: None)
    for file in broken:
        careful = decode_lesson_json(file.read_bytes(), file.name)
        assert same(fast[file][0], careful[0]) and fast[file][1] == careful[1], file.name
        if careful[1] is None:  # `plain` may differ (the careful reading is wary of long exponents): the verdict may not
            checked = [check_lesson_data(read[0], file.name, plain_json=read[2]) for read in (fast[file], careful)]
            assert checked[0][0] == checked[1][0] and checked[0][1] == checked[1][1], file.name


@pytest.mark.parametrize("number", ["1e400", "-1E+400", "1" * 400 + ".0"])
def test_a_number_beyond_floats_is_refused_not_read_as_infinity(number: str) -> None:
    raw = (ROOT / "tests" / "data" / "curriculum-example" / "tests-that-lie" / "lesson.json").read_bytes()
    marker = b'"command": "python -m pytest -q"'
    assert marker in raw
    data, problem, plain = decode_lesson_json(raw.replace(marker, marker + b', "timeout": ' + number.encode(), 1), "lesson.json")
    assert problem is None
    lesson, problems = check_lesson_data(data, "lesson.json", plain_json=plain)
    assert lesson is None and [p.what for p in problems] == ["NaN and Infinity are not JSON numbers"]
