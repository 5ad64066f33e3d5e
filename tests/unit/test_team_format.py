"""The team folder format (issue 15): team.toml, safe paths, and hostile `tutor.result/1` files."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.errors import UserError
from tutor.learn.judging import Verdict
from tutor.lesson import AskType, Category, Confidence
from tutor.team import (
    KEY_POINT_VERDICTS,
    MAX_RESULT_BYTES,
    KeyPointVerdict,
    ResultAnswer,
    ResultFile,
    TeamConfig,
    TeamFormatError,
    TeamLayout,
    digest12,
    is_safe_slug,
    new_handle,
    parse_result,
    read_result,
    read_team_config,
    team_toml,
    to_json,
    write_team_config,
)
from tutor.team.folder import parse_team_toml

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "team-format.md"
DIGEST = "3f1c9a7be2d04c5a8e6f1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6"


def doc_example() -> str:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 1, "docs/team-format.md has one json example"
    return blocks[0]


def valid() -> dict:
    return json.loads(doc_example())


def refusal(data: object, source: str = "results/x.json") -> str:
    text = data if isinstance(data, str | bytes) else json.dumps(data)
    with pytest.raises(TeamFormatError) as caught:
        parse_result(text, source=source)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert isinstance(caught.value, UserError)
    return message


# The documented example ---------------------------------------------------------------


def test_the_documented_example_parses() -> None:
    result = parse_result(doc_example(), source="docs/team-format.md")
    assert result.lesson == "fix-flaky-test" and result.handle == "m-k3v9qa2x"
    assert [answer.type for answer in result.answers] == [AskType.GOAL, AskType.OUTCOME, AskType.INTERVENE, AskType.CHOICE]
    goal, outcome, intervene, choice = result.answers
    assert goal.key_points == (KeyPointVerdict(0, "covered"), KeyPointVerdict(1, "partly"))
    assert goal.text and outcome.text is None
    assert intervene.category is Category.APPROACH and intervene.decision_correct is True
    assert choice.skipped and choice.confidence is None and choice.score is None
    # Written again, it reads the same.
    assert parse_result(to_json(result), source="again") == result


def test_the_documented_example_is_in_the_written_key_order() -> None:
    result = parse_result(doc_example(), source="doc")
    assert list(json.loads(to_json(result))) == list(valid())
    for written, documented in zip(json.loads(to_json(result))["answers"], valid()["answers"], strict=True):
        assert list(written) == list(documented)


def test_verdicts_agree_with_the_judge() -> None:
    assert KEY_POINT_VERDICTS == {verdict.value for verdict in Verdict}


# Round trip ---------------------------------------------------------------------------

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)
finite = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
answers = st.builds(
    ResultAnswer,
    step=slugs,
    type=st.sampled_from(AskType),
    skipped=st.booleans(),
    confidence=st.none() | st.sampled_from(Confidence),
    score=st.none() | finite,
    missed=st.booleans(),
    works=st.none() | st.booleans(),
    choice=st.none() | st.integers(0, 999),
    intervene=st.none() | st.booleans(),
    category=st.none() | st.sampled_from(Category),
    decision_correct=st.none() | st.booleans(),
    key_points=st.lists(st.builds(KeyPointVerdict, index=st.integers(0, 99), verdict=st.sampled_from(sorted(KEY_POINT_VERDICTS))), max_size=4).map(tuple),
    seconds=st.none() | st.floats(min_value=0.0, max_value=604800.0, allow_nan=False),
    text=st.none() | st.text(st.characters(exclude_categories=("Cs",)), max_size=200),
)
results = st.builds(
    ResultFile,
    lesson=slugs,
    digest=st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    handle=st.just(new_handle()) | slugs,
    attempt=slugs,
    finished=st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat()),
    answers=st.lists(answers, max_size=5).map(tuple),
)


@given(results)
def test_result_files_round_trip(result: ResultFile) -> None:
    text = to_json(result)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert parse_result(text, source="r.json") == result
    assert parse_result(text.encode("utf-8"), source="r.json") == result
    assert to_json(parse_result(text, source="r.json")) == text


def test_text_is_written_only_when_present_and_kept_as_is() -> None:
    result = parse_result(doc_example(), source="doc")
    text = to_json(result)
    assert text.count('"text"') == 1
    words = ResultAnswer(step="s", type=AskType.GOAL, skipped=False, confidence=Confidence.LOW, score=None, missed=False, text="naïve → ok")
    assert "naïve → ok" in to_json(ResultFile("l", DIGEST, "m-aaaaaaaa", "a", "2026-01-01T00:00:00+00:00", (words,)))


def test_words_a_reader_would_refuse_are_cut_or_left_out_by_the_writer() -> None:
    from dataclasses import replace

    from tutor.team.results import shared_words, within_limits

    long_words = shared_words("x" * 150_000)
    assert len(long_words) == 100_000 and long_words.endswith("…")
    assert shared_words("half a pair \ud800 of surrogates") == "half a pair ? of surrogates"
    base = parse_result(doc_example(), source="doc")
    # Three answers of 100,000 four-byte characters each: 1.2 MB, past what readers take.
    wordy = tuple(replace(answer, text=shared_words("😀" * (100_000 - index))) for index, answer in enumerate(base.answers[:3]))
    fitted = within_limits(replace(base, answers=wordy + base.answers[3:]))
    text = to_json(fitted)
    assert len(text.encode("utf-8")) <= MAX_RESULT_BYTES
    assert parse_result(text, source="fitted") == fitted
    # Only the longest words went; every answer and every other field is kept.
    assert [answer.text is None for answer in fitted.answers] == [True, False, False, True]
    assert [replace(answer, text=None) for answer in fitted.answers] == [replace(answer, text=None) for answer in base.answers]
    assert within_limits(base) == base


# Hostile files ------------------------------------------------------------------------


def test_an_unknown_format_is_refused() -> None:
    data = valid() | {"format": "tutor.result/2"}
    assert "format" in refusal(data)
    data.pop("format")
    assert "format" in refusal(data)


def test_a_file_written_by_hand_in_a_windows_editor_is_read() -> None:
    by_hand = b"\xef\xbb\xbf" + doc_example().replace("\n", "\r\n").encode("utf-8")  # a byte order mark, CRLF line ends
    assert parse_result(by_hand, source="x") == parse_result(doc_example(), source="x")


def test_unknown_extra_fields_are_ignored() -> None:
    data = valid()
    data["later"] = {"anything": [1, 2]}
    data["answers"][0]["later"] = True
    assert parse_result(json.dumps(data), source="x") == parse_result(doc_example(), source="x")


def test_missing_nullable_fields_read_as_null() -> None:
    data = valid()
    for key in ("works", "choice", "intervene", "category", "decision_correct", "seconds", "score", "key_points"):
        data["answers"][1].pop(key)
    answer = parse_result(json.dumps(data), source="x").answers[1]
    assert answer.works is None and answer.seconds is None and answer.key_points == ()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ((), [], "the file"),
        (("lesson",), 7, "lesson"),
        (("lesson",), "../etc", "lesson"),
        (("handle",), "../../outside", "handle"),
        (("handle",), ".hidden", "handle"),
        (("handle",), "a/b", "handle"),
        (("handle",), "m-x\n", "handle"),
        (("handle",), "m-x\x1b[2J", "handle"),
        (("handle",), "M-UPPER", "handle"),
        (("attempt",), "", "attempt"),
        (("digest",), "abc", "digest"),
        (("digest",), DIGEST.upper(), "digest"),
        (("finished",), "yesterday", "finished"),
        (("finished",), "2026-12-06T12:00:00", "finished"),
        (("finished",), "0001-01-01T00:00:00+01:00", "finished"),  # before the year 1 in UTC: no moment to order by
        (("finished",), "9999-12-31T23:59:59-01:00", "finished"),  # after the year 9999 in UTC
        (("answers",), {}, "answers"),
        (("answers", 0), "goal", "answers[0]"),
        (("answers", 0, "step"), "../x", "answers[0].step"),
        (("answers", 0, "type"), "essay", "answers[0].type"),
        (("answers", 0, "skipped"), "no", "answers[0].skipped"),
        (("answers", 0, "skipped"), 0, "answers[0].skipped"),
        (("answers", 0, "confidence"), "certain", "answers[0].confidence"),
        (("answers", 0, "score"), 1.5, "answers[0].score"),
        (("answers", 0, "score"), -0.1, "answers[0].score"),
        (("answers", 0, "score"), "1", "answers[0].score"),
        (("answers", 0, "score"), True, "answers[0].score"),
        (("answers", 0, "missed"), None, "answers[0].missed"),
        (("answers", 0, "works"), "yes", "answers[0].works"),
        (("answers", 0, "choice"), -1, "answers[0].choice"),
        (("answers", 0, "choice"), 1.0, "answers[0].choice"),
        (("answers", 0, "choice"), True, "answers[0].choice"),
        (("answers", 0, "category"), "vibes", "answers[0].category"),
        (("answers", 0, "key_points"), {}, "answers[0].key_points"),
        (("answers", 0, "key_points", 0), 3, "answers[0].key_points[0]"),
        (("answers", 0, "key_points", 0, "index"), -1, "answers[0].key_points[0].index"),
        (("answers", 0, "key_points", 0, "verdict"), "great", "answers[0].key_points[0].verdict"),
        (("answers", 0, "seconds"), -3, "answers[0].seconds"),
        (("answers", 0, "seconds"), 1e12, "answers[0].seconds"),
        (("answers", 0, "text"), 12, "answers[0].text"),
        (("answers", 0, "text"), "x" * 100_001, "answers[0].text"),
    ],
)
def test_a_wrong_field_is_one_line_naming_file_and_field(path: tuple, value: object, field: str) -> None:
    data: object = valid()
    if path:
        target = data
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        target[path[-1]] = value  # type: ignore[index]
    else:
        data = value
    message = refusal(data, source="results/fix/3f1c9a7be2d0/m-a/1.json")
    assert message.startswith("results/fix/3f1c9a7be2d0/m-a/1.json: ")
    assert field in message
    assert "\x1b" not in message


@pytest.mark.parametrize("finished", ["2026-12-06T12:41:07Z", "2026-12-06T23:41:07+14:00", "2026-12-06T03:11:07.250-09:30", "2026-12-06 12:41:07+00:00"])
def test_finished_takes_any_utc_offset(finished: str) -> None:
    data = valid()
    data["finished"] = finished
    assert parse_result(json.dumps(data), source="x").finished == finished


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"not json",
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": "tutor.result/1", "x": NaN}',
        b'{"format": "tutor.result/1", "x": Infinity}',
        b'{"format": "tutor.result/1", "x": ' + b"9" * 10_000 + b"}",
    ],
)
def test_unreadable_files_are_one_line(text: bytes) -> None:
    refusal(text)


def test_a_huge_file_is_refused_before_parsing() -> None:
    data = valid()
    data["padding"] = "x" * MAX_RESULT_BYTES
    message = refusal(json.dumps(data))
    assert "larger than 1 MiB" in message


def test_a_hostile_source_name_is_shown_cleanly() -> None:
    message = refusal("[]", source="results/\x1b]0;pwned\x07.json")
    assert "\x1b" not in message and "\x07" not in message


def test_read_result_reads_bounded_regular_files(tmp_path: Path) -> None:
    layout = TeamLayout(tmp_path)
    result = parse_result(doc_example(), source="doc")
    path = layout.result_path(result.lesson, result.digest, result.handle, result.attempt)
    path.parent.mkdir(parents=True)
    path.write_text(to_json(result), encoding="utf-8")
    assert read_result(path, within=tmp_path) == result
    fifo = path.with_name("fifo.json")
    os.mkfifo(fifo)
    with pytest.raises(TeamFormatError, match="FIFO"):
        read_result(fifo, within=tmp_path)
    with pytest.raises(TeamFormatError, match="no such file"):
        read_result(path.with_name("missing.json"), within=tmp_path)


# Paths --------------------------------------------------------------------------------


def test_result_path_is_the_documented_layout(tmp_path: Path) -> None:
    layout = TeamLayout(tmp_path)
    assert layout.result_path("fix-flaky-test", DIGEST, "m-k3v9qa2x", "20261206-a1") == tmp_path / "results" / "fix-flaky-test" / DIGEST[:12] / "m-k3v9qa2x" / "20261206-a1.json"
    assert layout.session_dir("m-k3v9qa2x", "s-1") == tmp_path / "sessions" / "m-k3v9qa2x" / "s-1"
    assert [layout.curricula.name, layout.results.name, layout.sessions.name, layout.reviews.name, layout.team_toml.name] == ["curricula", "results", "sessions", "reviews", "team.toml"]
    assert digest12(DIGEST) == DIGEST[:12]


@pytest.mark.parametrize("bad", ["", "..", ".", "../x", "a/b", "a\\b", ".hidden", "-rf", "a\x00b", "a\nb", "m-x\n", "UPPER", "a b", "é", "x" * 121, "/abs"])
@pytest.mark.parametrize("where", ["lesson", "handle", "attempt"])
def test_result_path_refuses_unsafe_components(tmp_path: Path, bad: str, where: str) -> None:
    parts = {"lesson": "fix", "handle": "m-aaaaaaaa", "attempt": "a1"} | {where: bad}
    assert not is_safe_slug(bad)
    with pytest.raises(TeamFormatError) as caught:
        TeamLayout(tmp_path).result_path(parts["lesson"], DIGEST, parts["handle"], parts["attempt"])
    assert "\n" not in str(caught.value) and "\x00" not in str(caught.value)


@pytest.mark.parametrize("bad", ["", "3f1c", DIGEST.upper(), DIGEST[:-1] + "g", "../" + DIGEST[3:], DIGEST + "\n"])
def test_result_path_refuses_a_bad_digest(tmp_path: Path, bad: str) -> None:
    with pytest.raises(TeamFormatError):
        TeamLayout(tmp_path).result_path("fix", bad, "m-aaaaaaaa", "a1")


def test_new_handles_are_random_safe_slugs() -> None:
    handles = {new_handle() for _ in range(200)}
    assert len(handles) == 200
    assert all(re.fullmatch(r"m-[a-z2-7]{8}", handle) and is_safe_slug(handle) for handle in handles)


# team.toml ----------------------------------------------------------------------------


def test_team_config_defaults() -> None:
    config = parse_team_toml('name = "Platform"\n')
    assert config == TeamConfig("Platform") == TeamConfig(name="Platform", min_group=3, share_words=False)


@given(
    name=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200).filter(str.strip),
    min_group=st.integers(1, 1000),
    share_words=st.booleans(),
)
def test_team_config_round_trips(name: str, min_group: int, share_words: bool) -> None:
    config = TeamConfig(name, min_group, share_words)
    assert parse_team_toml(team_toml(config)) == config


def test_team_config_reads_and_writes_a_folder(tmp_path: Path) -> None:
    config = TeamConfig('The "Q" team \\ \x7f', min_group=5, share_words=True)
    write_team_config(tmp_path, config)
    assert read_team_config(tmp_path) == config
    assert read_team_config(tmp_path) == parse_team_toml((tmp_path / "team.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "name"),
        ("name = 3", "name"),
        ('name = "  "', "name"),
        ('name = "t"\nmin_group = 0', "min_group"),
        ('name = "t"\nmin_group = "3"', "min_group"),
        ('name = "t"\nmin_group = true', "min_group"),
        ('name = "t"\nshare_words = "no"', "share_words"),
        ("name = ", "TOML"),
    ],
)
def test_an_invalid_team_toml_is_one_clear_error(tmp_path: Path, text: str, field: str) -> None:
    (tmp_path / "team.toml").write_text(text, encoding="utf-8")
    with pytest.raises(TeamFormatError) as caught:
        read_team_config(tmp_path)
    message = str(caught.value)
    assert "team.toml" in message and field in message and "\n" not in message


def test_a_missing_or_odd_team_toml_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TeamFormatError, match=r"team\.toml: no such file"):
        read_team_config(tmp_path)
    (tmp_path / "team.toml").write_bytes(b"name = '" + b"x" * 70_000 + b"'")
    with pytest.raises(TeamFormatError, match=r"team\.toml"):
        read_team_config(tmp_path)
    (tmp_path / "team.toml").unlink()
    (tmp_path / "team.toml").symlink_to("/dev/zero")
    with pytest.raises(TeamFormatError, match=r"team\.toml"):
        read_team_config(tmp_path)
