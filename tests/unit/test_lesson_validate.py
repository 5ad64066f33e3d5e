"""The lesson format: example lessons, the broken-lesson corpus, round trips, digests, curricula, properties.

The corpus in tests/data/broken/ holds one lesson per file, each valid but for exactly one defect;
tests/data/broken/expected.toml names the substring that the defect's single problem line must contain.
Cases that need a folder around them (a repo bundle) live in tests/data/broken-folders/<name>/, and the
binary or huge cases are generated at run time below.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.lesson import (
    CATEGORY_MEANINGS,
    FORMAT,
    LESSON_FILE,
    AskType,
    Category,
    Lesson,
    LessonError,
    StepKind,
    discover_curricula,
    dump_lesson,
    lesson_digest,
    load_lesson,
    read_curriculum,
    read_lesson,
    save_lesson,
)
from tutor.lesson.io import decode_json, lesson_to_data
from tutor.lesson.models import data_keys, parse
from tutor.lesson.validate import MAX_DEPTH, check_lesson_data

DATA = Path(__file__).parents[1] / "data"
EXAMPLE_CURRICULUM = DATA / "curriculum-example"
EXAMPLE_IDS = ["tests-that-lie", "scope-creep"]
BROKEN = DATA / "broken"
BROKEN_FOLDERS = DATA / "broken-folders"
EXPECTED: dict[str, str | list[str]] = tomllib.loads((BROKEN / "expected.toml").read_text(encoding="utf-8"))


def example(lesson_id: str) -> Path:
    return EXAMPLE_CURRICULUM / lesson_id


def example_text(lesson_id: str) -> str:
    return (example(lesson_id) / LESSON_FILE).read_text(encoding="utf-8")


def assert_one_line_each(problems: list[Any], starts_with: str) -> None:
    for problem in problems:
        line = str(problem)
        assert len(line.splitlines()) == 1, f"problem spans several lines: {line!r}"
        assert line.startswith(starts_with), f"{line!r} does not start with {starts_with!r}"


# ---------------------------------------------------------------- the example lessons


@pytest.mark.parametrize("lesson_id", EXAMPLE_IDS)
def test_example_lessons_load_without_problems(lesson_id: str) -> None:
    read = read_lesson(example(lesson_id))
    assert read.problems == []
    assert read.ok
    lesson = load_lesson(example(lesson_id) / LESSON_FILE)
    assert lesson.id == "example-" + lesson_id  # ids differ from the bundled lessons of the same name
    assert lesson.format == FORMAT
    assert lesson.repo is None  # no bundle: these lessons touch no real repository
    assert len({step.id for step in lesson.steps}) == len(lesson.steps)
    call_ids = [call.id for step in lesson.steps if step.kind == "agent" for call in step.calls]
    assert len(set(call_ids)) == len(call_ids)


def _ask_placements(lesson: Lesson) -> set[tuple[str, str]]:
    return {(step.ask.type, step.kind) for step in lesson.asks}


def test_tests_that_lie_covers_every_step_kind_and_ask_placement() -> None:
    lesson = load_lesson(example("tests-that-lie"))
    assert {step.kind for step in lesson.steps} == {kind.value for kind in StepKind}
    placements = _ask_placements(lesson)
    assert {("goal", "goal"), ("outcome", "result"), ("intervene", "correction"), ("intervene", "result")} <= placements
    assert {ask_type for ask_type, _ in placements} == {ask.value for ask in AskType}
    goal = next(step for step in lesson.steps if step.ask and step.ask.type == "goal")
    assert goal.ask.rubric and goal.criteria
    for step in lesson.asks:
        if step.ask.type == "intervene":
            assert lesson.steps[lesson.index_of(step.id) - 1].kind == "agent"
            if step.kind == "correction":
                assert step.ask.key_points
        if step.ask.type == "choice":
            assert len(step.ask.options) >= 2 and 0 <= step.ask.answer < len(step.ask.options)
            assert step.ask.explain
    assert sum(1 for step in lesson.steps if step.annotation) >= 4


def test_scope_creep_tells_its_story_with_real_tools() -> None:
    lesson = load_lesson(example("scope-creep"))
    assert 10 <= len(lesson.steps) <= 14
    assert {ask_type for ask_type, _ in _ask_placements(lesson)} == {ask.value for ask in AskType}
    assert [step.category.value for step in lesson.steps if step.kind == "correction"] == ["scope", "verify"]
    calls = [call for step in lesson.steps if step.kind == "agent" for call in step.calls]
    assert {call.tool for call in calls} == {"read_file", "edit_file", "write_file", "list_files", "run"}
    for call in calls:
        required = {
            "read_file": {"path"},
            "list_files": {"path"},
            "edit_file": {"path", "old", "new"},
            "write_file": {"path", "content"},
            "run": {"command"},
        }[call.tool]
        assert set(call.input) == required, call
    for step in lesson.steps:
        if step.kind == "result":  # a result answers a call of the agent step before it
            previous_agent = next(s for s in reversed(lesson.steps[: lesson.index_of(step.id)]) if s.kind == "agent")
            assert step.call in {call.id for call in previous_agent.calls}


_WORD = re.compile(r"[a-z][a-z0-9_]{3,}")


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _words(value: Any) -> set[str]:
    return {word for text in _strings(value) for word in _WORD.findall(text.lower())}


@pytest.mark.parametrize("lesson_id", EXAMPLE_IDS)
def test_every_step_has_words_found_nowhere_else(lesson_id: str) -> None:
    """Leak tests look for these: a hidden step's own words must not be visible anywhere before reveal."""
    data = json.loads(example_text(lesson_id))
    shown_first = _words([data["title"], data["summary"], data["task"]])
    for index, step in enumerate(data["steps"]):
        ask = step.get("ask") or {}
        visible = {key: ask[key] for key in ("prompt", "options", "rubric") if key in ask}
        hidden = {key: value for key, value in step.items() if key not in ("id", "kind", "ask")}
        hidden["ask"] = {key: value for key, value in ask.items() if key in ("key_points", "explain")}
        elsewhere = shown_first | _words(visible)
        for other_index, other in enumerate(data["steps"]):
            if other_index != index:
                elsewhere |= _words(other)
        own = _words(hidden) - elsewhere
        assert own, f"{lesson_id} {step['id']}: no distinctive words"


# ---------------------------------------------------------------- the broken-lesson corpus


def _corpus_folder(name: str, tmp_path: Path) -> Path:
    single = BROKEN / f"{name}.json"
    if single.is_file():
        folder = tmp_path / name
        folder.mkdir()
        shutil.copyfile(single, folder / LESSON_FILE)
        return folder
    return BROKEN_FOLDERS / name


def test_corpus_and_expectations_match() -> None:
    on_disk = {path.stem for path in BROKEN.glob("*.json")} | {p.name for p in BROKEN_FOLDERS.iterdir() if p.is_dir()}
    assert on_disk == set(EXPECTED)
    assert len(EXPECTED) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_lesson_is_reported_in_one_line(name: str, tmp_path: Path) -> None:
    folder = _corpus_folder(name, tmp_path)
    read = read_lesson(folder)
    expected = EXPECTED[name] if isinstance(EXPECTED[name], list) else [EXPECTED[name]]
    assert read.lesson is None
    assert not read.ok
    lines = [str(problem) for problem in read.problems]
    assert len(lines) == len(expected), lines
    assert_one_line_each(read.problems, str(folder / LESSON_FILE))
    for line, substring in zip(lines, expected):
        assert substring in line
    with pytest.raises(LessonError) as raised:
        load_lesson(folder)
    assert raised.value.problems == read.problems
    assert str(raised.value) == lines[0]


def _base_bytes() -> bytes:
    return (example("tests-that-lie") / LESSON_FILE).read_bytes()


def _with_input(extra: str) -> bytes:
    """The example lesson with `extra` (raw JSON text) added to the input of its first call."""
    marker = b'"command": "python -m pytest -q"'
    raw = _base_bytes()
    assert marker in raw
    return raw.replace(marker, marker + b', "payload": ' + extra.encode("ascii"), 1)


RUNTIME_CASES: dict[str, tuple[bytes, str]] = {
    "not-utf8": (_base_bytes().replace(b'"Tests that lie"', b'"Tests that lie caf\xe9"'), "not UTF-8 (invalid byte at offset"),
    "utf16": (_base_bytes().decode("utf-8").encode("utf-16"), "not UTF-8"),
    "deep-arrays": (_with_input("[" * 100_000 + "]" * 100_000), f"nesting deeper than {MAX_DEPTH} levels"),
    "deep-dicts": (_with_input('{"a": ' * 40 + "1" + "}" * 40), f"nesting deeper than {MAX_DEPTH} levels"),
    "empty": (b"", "the file is empty"),
    "blank": (b" \r\n\t\n", "the file is empty"),
    "bom-only": (b"\xef\xbb\xbf", "the file is empty"),
    "null": (b"null", "a lesson must be a JSON object, not null"),
    "number": (b"42", "a lesson must be a JSON object, not a number"),
    "truncated": (_base_bytes()[:500], "not valid JSON"),
}


@pytest.mark.parametrize("name", sorted(RUNTIME_CASES))
def test_generated_broken_lesson_is_reported_in_one_line(name: str, tmp_path: Path) -> None:
    raw, substring = RUNTIME_CASES[name]
    folder = tmp_path / name
    folder.mkdir()
    (folder / LESSON_FILE).write_bytes(raw)
    read = read_lesson(folder / LESSON_FILE)  # named by its file works as well as by its folder
    assert read.lesson is None
    assert len(read.problems) == 1, read.problems
    assert_one_line_each(read.problems, str(folder / LESSON_FILE))
    assert substring in str(read.problems[0])


def test_nesting_within_the_limit_is_accepted(tmp_path: Path) -> None:
    (tmp_path / LESSON_FILE).write_bytes(_with_input('{"a": ' * 10 + "1" + "}" * 10))
    assert read_lesson(tmp_path).ok


def test_bom_prefixed_lesson_is_accepted(tmp_path: Path) -> None:
    (tmp_path / LESSON_FILE).write_bytes(b"\xef\xbb\xbf" + _base_bytes())
    read = read_lesson(tmp_path)
    assert read.ok, read.problems
    assert read.lesson == load_lesson(example("tests-that-lie"))


def test_reading_what_is_not_a_lesson_folder(tmp_path: Path) -> None:
    missing = read_lesson(tmp_path / "nowhere")
    assert missing.lesson is None and "no such file or folder" in str(missing.problems[0])
    empty = read_lesson(tmp_path)
    assert empty.lesson is None and f"no {LESSON_FILE} here" in str(empty.problems[0])
    stray = tmp_path / "notes.json"
    stray.write_text("{}", encoding="utf-8")
    other = read_lesson(stray)
    assert other.lesson is None and "not a lesson" in str(other.problems[0])
    for read in (missing, empty, other):
        assert len(read.problems) == 1
        assert_one_line_each(read.problems, str(tmp_path))


def test_problem_lines_stay_one_line_for_hostile_keys_and_values() -> None:
    data = json.loads(_base_bytes())
    data["steps"][0]["anno\ntation"] = "x"
    data["steps"][1]["id"] = "line\u2028break\r" + "x" * 500
    data["steps"][5]["category"] = "scope\nstyle"
    lesson, problems = check_lesson_data(data, "lesson.json")
    assert lesson is None and len(problems) == 3
    assert_one_line_each(problems, "lesson.json: steps[")
    assert all(len(str(problem)) < 300 for problem in problems)


def test_validation_is_strict_about_json_types() -> None:
    """Lax coercion would quietly turn "false" into False, "1" into 1, 1.0 into 1."""
    for path, value in [(("steps", 3, "ok"), 0), (("steps", 3, "exit_code"), "1"), (("steps", 10, "ask", "answer"), "0"), (("minutes", ), 8.0)]:
        data = json.loads(_base_bytes())
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        lesson, problems = check_lesson_data(data, "p")
        assert lesson is None and len(problems) == 1, (path, problems)


def test_a_slug_or_an_object_id_ending_in_a_newline_is_refused() -> None:
    """The patterns end at the end of the text: a regular expression's `$` would also match before a final newline."""
    data = json.loads(_base_bytes())
    data["id"] = "tests-that-lie\n"
    data["steps"][0]["id"] += "\n"
    lesson, problems = check_lesson_data(data, "p")
    assert lesson is None and [problem.where for problem in problems] == ["id", "steps[0].id"]
    assert all("is not a slug" in problem.what for problem in problems)


# ---------------------------------------------------------------- round trip and digest


@pytest.mark.parametrize("lesson_id", EXAMPLE_IDS)
def test_round_trip_is_canonical(lesson_id: str, tmp_path: Path) -> None:
    lesson = load_lesson(example(lesson_id))
    text = dump_lesson(lesson)
    assert text == example_text(lesson_id), "the example lessons are stored in canonical form"
    data = json.loads(text)
    again, problems = check_lesson_data(data, "round-trip")
    assert problems == [] and again == lesson

    # 2-space indent, keys in model order, final newline, nothing trailing
    lines = text.splitlines()
    assert text.endswith("}\n") and lines[0] == "{" and lines[1] == f'  "format": "{FORMAT}",'
    assert all((len(line) - len(line.lstrip(" "))) % 2 == 0 and line == line.rstrip() for line in lines)
    assert list(data)[:3] == ["format", "id", "title"]
    assert list(data) == [name for name in data_keys(Lesson) if name in data]
    for step, step_data in zip(lesson.steps, data["steps"]):
        assert list(step_data) == [name for name in data_keys(type(step)) if name in step_data]

    written = save_lesson(lesson, tmp_path / "saved")
    assert written == tmp_path / "saved" / LESSON_FILE
    assert written.read_text(encoding="utf-8") == text
    assert load_lesson(written) == lesson
    assert not [p for p in written.parent.iterdir() if p.name != LESSON_FILE], "no temp files left behind"


@pytest.mark.parametrize("lesson_id", EXAMPLE_IDS)
def test_digest_ignores_formatting(lesson_id: str, tmp_path: Path) -> None:
    lesson = load_lesson(example(lesson_id))
    digest = lesson_digest(lesson)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    data = json.loads(example_text(lesson_id))
    variants = {
        "indent4-sorted": json.dumps(data, indent=4, sort_keys=True).encode("utf-8"),
        "compact-ascii": json.dumps(data, separators=(",", ":")).encode("ascii"),
        "crlf-bom": b"\xef\xbb\xbf" + json.dumps(data, indent=1).replace("\n", "\r\n").encode("utf-8"),
    }
    for name, raw in variants.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / LESSON_FILE).write_bytes(raw)
        assert lesson_digest(load_lesson(folder)) == digest, name
    # explicit nulls and defaults left implicit are the same lesson
    explicit = json.loads(example_text(lesson_id))
    explicit["repo"] = None
    explicit["created"] = None
    for step in explicit["steps"]:
        step.setdefault("annotation", None)
        if step["kind"] == "result":
            step.setdefault("exit_code", None)
            step.setdefault("commit", None)
    del explicit["summary"], explicit["created"]
    implicit = json.loads(example_text(lesson_id))
    implicit["summary"] = ""
    del implicit["created"]
    assert lesson_digest(check_lesson_data(explicit, "p")[0]) == lesson_digest(check_lesson_data(implicit, "p")[0])


@pytest.mark.parametrize("lesson_id", EXAMPLE_IDS)
def test_digest_changes_with_content(lesson_id: str) -> None:
    data = json.loads(example_text(lesson_id))
    digest = lesson_digest(parse(data, Lesson))
    seen = {digest}
    for change in ("text", "annotation", "output"):
        changed = json.loads(example_text(lesson_id))
        step = next(step for step in changed["steps"] if change in step)
        step[change] += " (edited)"
        seen.add(lesson_digest(check_lesson_data(changed, "p")[0]))
    assert len(seen) == 4


# ---------------------------------------------------------------- taxonomy


def test_every_category_has_a_one_line_meaning() -> None:
    assert len(Category) == 10
    assert set(CATEGORY_MEANINGS) == set(Category)
    assert {category.value for category in Category} == {
        "goal", "scope", "approach", "verify", "test", "correctness", "fact", "safety", "stop", "style",
    }
    for category, meaning in CATEGORY_MEANINGS.items():
        assert meaning.strip() and "\n" not in meaning and len(meaning) <= 80
        assert category.meaning == meaning


# ---------------------------------------------------------------- curricula


def _curriculum(root: Path, toml: str, lessons: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "curriculum.toml").write_text(toml, encoding="utf-8")
    for folder, lesson_id in (lessons or {}).items():
        shutil.copytree(example(lesson_id), root / folder)
    return root


def test_example_curriculum_reads_in_order() -> None:
    curriculum = read_curriculum(EXAMPLE_CURRICULUM)
    assert curriculum.problems == []
    assert curriculum.title == "Steering basics (example)"
    assert curriculum.description
    assert curriculum.slug == "curriculum-example"
    assert curriculum.lesson_folders == EXAMPLE_IDS
    reads = curriculum.read_lessons()
    assert [read.lesson.id for read in reads] == ["example-" + name for name in EXAMPLE_IDS]
    assert all(read.ok for read in reads)
    assert read_curriculum(EXAMPLE_CURRICULUM / "curriculum.toml").lesson_folders == EXAMPLE_IDS


@pytest.mark.parametrize(
    ("toml", "substring"),
    [
        ('title = "No lessons"\n', "lessons: missing; list the lesson folders in order"),
        ('lessons = ["tests-that-lie"]\n', "title: missing or empty"),
        ('title = "T"\nlessons = ["tests-that-lie", "ghost"]\n', "lessons[1]: no lesson folder 'ghost' beside curriculum.toml"),
        ('title = "T"\nlessons = ["tests-that-lie", "tests-that-lie"]\n', "lessons[1]: 'tests-that-lie' is listed twice"),
        ('title = "T"\nlessons = ["../tests-that-lie"]\n', "lessons[0]: '../tests-that-lie' must be the name of a folder"),
        ('title = "T"\nlessons = [3]\n', "lessons[0]: 3 must be the name of a folder"),
        ('title = "T"\nlessons = ["tests-that-lie"]\nlesons = []\n', "lesons: unknown key"),
        ('title = "T"\nlessons = ["tests-that-lie"]\n"odd\\nkey" = 1\n', "'odd\\nkey': unknown key"),
        ('title = "T"\ndescription = 5\nlessons = ["tests-that-lie"]\n', "description: must be a string"),
        ('title = "T"\nlessons = ["tests-that-lie",\n', "not valid TOML"),
        ('title = "T"\ntitle = "U"\nlessons = []\n', "not valid TOML"),
    ],
)
def test_broken_curriculum_is_reported_in_one_line(tmp_path: Path, toml: str, substring: str) -> None:
    root = _curriculum(tmp_path / "c", toml, {"tests-that-lie": "tests-that-lie"})
    curriculum = read_curriculum(root)
    assert len(curriculum.problems) == 1, curriculum.problems
    assert_one_line_each(curriculum.problems, str(root))
    assert substring in str(curriculum.problems[0])


def test_curriculum_without_its_file(tmp_path: Path) -> None:
    curriculum = read_curriculum(tmp_path)
    assert curriculum.title == tmp_path.name
    assert [str(p) for p in curriculum.problems] == [f"{tmp_path}: no curriculum.toml here"]


def test_curriculum_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "curriculum.toml").write_bytes(b'title = "caf\xe9"\nlessons = []\n')
    assert "not UTF-8" in str(read_curriculum(tmp_path).problems[0])


def test_duplicate_lesson_id_across_folders(tmp_path: Path) -> None:
    root = _curriculum(
        tmp_path / "c",
        'title = "Twice"\nlessons = ["first", "second", "third"]\n',
        {"first": "tests-that-lie", "second": "scope-creep", "third": "tests-that-lie"},
    )
    curriculum = read_curriculum(root)
    assert curriculum.problems == []
    first, second, third = curriculum.read_lessons()
    assert first.ok and second.ok
    assert not third.ok and third.lesson is not None
    assert [str(p) for p in third.problems] == [
        f"{root / 'third' / LESSON_FILE}: id: lesson id 'example-tests-that-lie' is also used by first"
    ]


def test_broken_lesson_inside_a_curriculum_does_not_stop_the_others(tmp_path: Path) -> None:
    root = _curriculum(tmp_path / "c", 'title = "T"\nlessons = ["good", "bad"]\n', {"good": "scope-creep"})
    (root / "bad").mkdir()
    (root / "bad" / LESSON_FILE).write_text("{", encoding="utf-8")
    good, bad = read_curriculum(root).read_lessons()
    assert good.ok and bad.lesson is None and "not valid JSON" in str(bad.problems[0])


def test_discover_curricula(tmp_path: Path) -> None:
    root = tmp_path / "curricula"
    shutil.copytree(EXAMPLE_CURRICULUM, root / "b-example")
    _curriculum(root / "a-small", 'title = "Small"\nlessons = ["only"]\n', {"only": "scope-creep"})
    (root / "not-a-curriculum").mkdir()
    (root / "stray.txt").write_text("hello", encoding="utf-8")
    (root / "deeper" / "nested").mkdir(parents=True)
    (root / "deeper" / "nested" / "curriculum.toml").write_text('title = "too deep"\nlessons = []\n', encoding="utf-8")

    found = discover_curricula([root])
    assert [c.title for c in found] == ["Small", "Steering basics (example)"]
    assert all(c.problems == [] for c in found)
    # a curriculum named directly, a root given twice, and a root that does not exist
    again = discover_curricula([root / "b-example", root, tmp_path / "missing", root / "stray.txt"])
    assert [c.slug for c in again] == ["b-example", "a-small"]
    assert discover_curricula([]) == []


# ---------------------------------------------------------------- properties

_text = st.text(max_size=30)
_slug = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,10}\Z")
_sha = st.from_regex(r"\A[0-9a-f]{40}\Z") | st.from_regex(r"\A[0-9a-f]{64}\Z")
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)


def _json_values(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return _scalars
    inner = _json_values(depth - 1)
    return _scalars | st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3)


_call_input = st.dictionaries(_text, _json_values(3), max_size=4)


def _maybe(draw: st.DrawFn, target: dict[str, Any], key: str, strategy: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        target[key] = draw(strategy)


@st.composite
def _choice_ask(draw: st.DrawFn) -> dict[str, Any]:
    options = draw(st.lists(_text, min_size=2, max_size=4))
    ask = {"type": "choice", "prompt": draw(_text), "options": options, "answer": draw(st.integers(0, len(options) - 1))}
    _maybe(draw, ask, "explain", _text)
    return ask


@st.composite
def _simple_ask(draw: st.DrawFn, ask_type: str) -> dict[str, Any]:
    ask: dict[str, Any] = {"type": ask_type}
    _maybe(draw, ask, "prompt", _text)
    if ask_type == "goal":
        _maybe(draw, ask, "rubric", st.lists(_text, max_size=3))
    if ask_type == "intervene":
        _maybe(draw, ask, "key_points", st.lists(_text, max_size=3))
    return ask


def _ask(*types: str) -> st.SearchStrategy[dict[str, Any] | None]:
    return st.one_of(*[_simple_ask(t) for t in types], _choice_ask(), st.none())


@st.composite
def valid_lessons(draw: st.DrawFn) -> dict[str, Any]:
    """Well-formed lessons: every step kind, every ask where it may stand, results answering real calls."""
    has_repo = draw(st.booleans())
    steps: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []

    def add(step: dict[str, Any], ask: dict[str, Any] | None) -> None:
        if ask is not None:
            step["ask"] = ask
        _maybe(draw, step, "annotation", st.none() | _text)
        steps.append(step)

    for block in draw(st.lists(st.sampled_from(["agent", "goal", "prompt", "agent", "note", "correction"]), min_size=1, max_size=6)):
        if block == "goal":
            step = {"kind": "goal", "text": draw(_text)}
            _maybe(draw, step, "criteria", st.lists(_text, max_size=3))
            add(step, draw(_ask("goal")))
        elif block in ("prompt", "note"):
            add({"kind": block, "text": draw(_text)}, draw(_ask()))
        elif block == "correction":  # standing alone: no intervene (the step before may not be an agent)
            add({"kind": "correction", "category": draw(st.sampled_from(list(Category))).value, "text": draw(_text)}, draw(_ask()))
        else:
            agent_calls = [{"tool": draw(st.sampled_from(["run", "read_file", "edit_file"])), "input": draw(_call_input)} for _ in range(draw(st.sampled_from([1, 2, 3, 0])))]
            calls.extend(agent_calls)
            agent = {"kind": "agent", "calls": agent_calls}
            _maybe(draw, agent, "text", _text)
            add(agent, draw(_ask()))
            follow = draw(st.sampled_from(["results", "correction", "nothing"] if agent_calls else ["correction", "nothing"]))
            if follow == "correction":
                correction = {"kind": "correction", "category": draw(st.sampled_from(list(Category))).value, "text": draw(_text)}
                _maybe(draw, correction, "why", _text)
                add(correction, draw(_ask("intervene")))
            elif follow == "results":
                answered = draw(st.lists(st.sampled_from(agent_calls), min_size=1, max_size=len(agent_calls)))
                for position, call in enumerate(answered):
                    result: dict[str, Any] = {"kind": "result", "call": call, "ok": draw(st.booleans())}
                    _maybe(draw, result, "exit_code", st.none() | st.integers(-255, 255))
                    _maybe(draw, result, "output", _text)
                    if has_repo:
                        _maybe(draw, result, "commit", _sha)
                    add(result, draw(_ask("intervene", "outcome") if position == 0 else _ask("outcome")))

    step_ids = draw(st.lists(_slug, min_size=len(steps), max_size=len(steps), unique=True))
    call_ids = draw(st.lists(_slug, min_size=len(calls), max_size=len(calls), unique=True))
    for call, call_id in zip(calls, call_ids):
        call["id"] = call_id
    for step, step_id in zip(steps, step_ids):
        step["id"] = step_id
    for step in steps:
        if step["kind"] == "result":
            step["call"] = step["call"]["id"]

    lesson: dict[str, Any] = {
        "format": FORMAT,
        "id": draw(_slug),
        "title": draw(st.text(min_size=1, max_size=40)),
        "origin": draw(st.sampled_from(["scripted", "recorded", "imported"])),
        "task": draw(_text),
        "steps": steps,
    }
    _maybe(draw, lesson, "summary", _text)
    _maybe(draw, lesson, "author", _text)
    _maybe(draw, lesson, "created", st.none() | _text)
    _maybe(draw, lesson, "level", st.sampled_from(["beginner", "intermediate", "advanced"]))
    _maybe(draw, lesson, "minutes", st.none() | st.integers(0, 10_000))
    _maybe(draw, lesson, "tags", st.lists(_text, max_size=3))
    if has_repo:
        lesson["repo"] = {"bundle": "repo.bundle", "base": draw(_sha)}
    return json.loads(json.dumps(lesson))  # exactly what a JSON file would decode to


_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(valid_lessons())
def test_well_formed_lessons_validate_and_round_trip(data: dict[str, Any]) -> None:
    lesson, problems = check_lesson_data(data, "p")
    assert problems == [] and lesson is not None
    canonical = json.dumps(lesson_to_data(lesson), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert lesson_digest(lesson) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    again, problems = check_lesson_data(json.loads(dump_lesson(lesson)), "p")
    assert problems == [] and again == lesson
    assert lesson_digest(again) == lesson_digest(lesson)


def _assert_sane(result: tuple[Lesson | None, list[Any]], path: str) -> None:
    lesson, problems = result
    assert (lesson is not None and problems == []) or (lesson is None and problems), result
    assert_one_line_each(problems, path)


@_PROPERTY
@given(_json_values(4) | st.dictionaries(st.sampled_from(["format", "id", "title", "steps", "origin", "task", "repo"]), _json_values(3)).map(lambda d: {**d, "format": FORMAT}))
def test_junk_never_raises(junk: Any) -> None:
    _assert_sane(check_lesson_data(junk, "junk.json"), "junk.json")


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, prefix + (index,))
    return found


@_PROPERTY
@given(valid_lessons(), st.data())
def test_damaged_lessons_never_raise(data: dict[str, Any], draw: st.DataObject) -> None:
    path = draw.draw(st.sampled_from(_paths(data)[1:]))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if draw.draw(st.booleans()):
        parent[path[-1]] = draw.draw(_json_values(2))
    elif isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])
    _assert_sane(check_lesson_data(data, "damaged.json"), "damaged.json")


@_PROPERTY
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decoding_arbitrary_bytes_never_raises(raw: bytes) -> None:
    data, problem = decode_json(raw, "f.json")
    if problem is not None:
        assert data is None
        assert_one_line_each([problem], "f.json")
    else:
        _assert_sane(check_lesson_data(data, "f.json"), "f.json")


def test_escaped_characters_and_constants_in_a_file_are_checked_as_before(tmp_path: Path) -> None:
    """A lesson file that escapes a whole character (a surrogate pair) reads; NaN, Infinity and half a character do not."""
    text = example_text(EXAMPLE_IDS[0])
    data = json.loads(text)
    folder = tmp_path / "lesson"
    folder.mkdir()
    data["title"] = "Emoji \U0001f600 in the title"
    (folder / LESSON_FILE).write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")  # \ud83d\ude00
    read = read_lesson(folder)
    assert read.problems == [] and read.lesson is not None and read.lesson.title == data["title"]
    for bad, said in (('"minutes": Infinity', "NaN and Infinity"), ('"title": "half \\ud800 a character"', "lone surrogate")):
        broken = re.sub(r'"minutes": \d+' if "minutes" in bad else r'"title": "[^"]*"', lambda _: bad, json.dumps(data), count=1)
        (folder / LESSON_FILE).write_text(broken, encoding="utf-8")
        read = read_lesson(folder)
        assert read.lesson is None and any(said in str(problem) for problem in read.problems), read.problems


# The canonical text is made by msgspec; it must be what `json.dumps(indent=2, ensure_ascii=False)` writes, but for
# how a float is spelled (`1e-05` there, `0.00001` here: the same number), and json's own where msgspec cannot encode.
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    return isinstance(value, list) and any(_has_float(v) for v in value)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_the_canonical_text_is_what_json_writes(value: Any) -> None:
    from tutor.lesson import io

    lesson, problems = check_lesson_data({"format": FORMAT, "id": "x", "title": "T", "task": "t", "origin": "imported", "steps": [
        {"id": "s1", "kind": "agent", "text": "a", "calls": [{"id": "c1", "tool": "run", "input": {"v": value}}]}]}, "p")
    assert lesson is not None, problems
    expected = json.dumps(io.lesson_to_data(lesson), indent=2, ensure_ascii=False) + "\n"
    if any(0xD800 <= ord(c) <= 0xDFFF for c in expected):  # a lone surrogate: json's text, as it always was
        assert io.dump_lesson(lesson) == expected
        with pytest.raises(UnicodeEncodeError):
            io.lesson_bytes(lesson)
        return
    written = io.lesson_bytes(lesson)
    assert io.dump_lesson(lesson) == written.decode("utf-8")
    if _has_float(value):
        assert json.loads(written) == json.loads(expected)  # the same numbers, maybe spelled otherwise
    else:
        assert written.decode("utf-8") == expected
    # The digest is the hash of json's sorted compact text, however it is made (msgspec's where it writes the same).
    canonical = json.dumps(io.lesson_to_data(lesson), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert lesson_digest(lesson) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("depth", range(14, 23))
@pytest.mark.parametrize("container", ["dict", "list"])
def test_a_call_input_nested_past_the_limit_is_refused_as_the_whole_walk_says(depth: int, container: str) -> None:
    """Only the inputs are walked once the data has the lesson's shape: the verdict is the whole walk's."""
    from tutor.lesson.validate import json_depth_exceeds

    value: Any = 1
    for _ in range(depth):
        value = {"k": value} if container == "dict" else [value]
    data = {"format": FORMAT, "id": "x", "title": "T", "task": "t", "origin": "imported", "steps": [
        {"id": "s1", "kind": "agent", "text": "a", "calls": [{"id": "c1", "tool": "run", "input": {"v": value}}]}]}
    lesson, problems = check_lesson_data(data, "p")
    deep = any("nesting deeper" in problem.what for problem in problems)
    assert deep == json_depth_exceeds(data)
    assert (lesson is None) == deep


def test_a_lesson_folder_is_on_disk_once_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file fsynced before it is renamed into the folder, and the folder fsynced after: the renames are on disk."""
    from tutor.lesson import io

    events: list[str] = []
    real_fsync, real_replace = io.os.fsync, io.os.replace
    monkeypatch.setattr(io.os, "fsync", lambda fd: (events.append("fsync file"), real_fsync(fd))[1])
    monkeypatch.setattr(io.os, "replace", lambda a, b: (events.append(f"rename {Path(b).name}"), real_replace(a, b))[1])
    monkeypatch.setattr(io, "fsync_dir", lambda folder: events.append(f"fsync folder {Path(folder).name}"))
    out = tmp_path / "lesson-out"
    io.save_folder(b'{"x": 1}\n', out, lambda path: path.write_bytes(b"bundle"))
    assert events == ["fsync file", "fsync file", "rename repo.bundle", "rename lesson.json", "fsync folder lesson-out"]
    assert (out / "lesson.json").read_bytes() == b'{"x": 1}\n' and (out / "repo.bundle").read_bytes() == b"bundle"
    assert {p.name for p in out.iterdir()} == {"lesson.json", "repo.bundle"}  # the staging folder is gone


@pytest.mark.parametrize("bundle_kind", ["bytes", "writer"])
def test_a_lesson_folder_with_a_bundle_that_cannot_be_written_is_not_written(tmp_path: Path, bundle_kind: str) -> None:
    """The bundle is written beside lesson.json (in another thread): its failure is raised here, and nothing appears."""
    from tutor.lesson import io

    def failing(path: Path) -> None:
        raise OSError(28, "No space left on device")

    out = tmp_path / "lesson-out"
    (out / "repo.bundle").mkdir(parents=True)  # a folder where the bundle goes: renaming a file over it fails
    with pytest.raises(OSError):
        io.save_folder(b'{"x": 1}\n', out, b"bundle" if bundle_kind == "bytes" else failing)
    assert not (out / "lesson.json").exists()
    assert {p.name for p in out.iterdir()} == {"repo.bundle"}  # the staging folder is gone
