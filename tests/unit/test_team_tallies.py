"""Tally files (`tutor.tally/1`, issue 16): a group replay's counts per ask and round, written by the
one member who ran it and read by every other as hostile, content checked against path."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.errors import UserError
from tutor.lesson import AskType, Category
from tutor.team import TeamFormatError, TeamLayout
from tutor.team.tallies import (
    LET_RUN,
    MAX_TALLY_BYTES,
    STEP_IN,
    TALLY_FORMAT,
    TallyAsk,
    TallyFile,
    TallyMode,
    TallyRound,
    ask_labels,
    choice_label,
    intervene_label,
    load_tallies,
    new_session_id,
    outcome_label,
    parse_tally,
    read_label,
    read_tally,
    tally_path,
    timestamp,
    to_json,
    write_tally,
)

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "team-format.md"
DIGEST = "3f1c9a7be2d04c5a8e6f1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6"
HANDLE = "m-k3v9qa2x"
SESSION = "20261206140000-a1b2c3"


def doc_example() -> str:
    blocks = re.findall(r"```json tally\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 1, "docs/team-format.md has one tally example"
    return blocks[0]


def valid() -> dict:
    return json.loads(doc_example())


def a_tally(**changes: object) -> TallyFile:
    fields: dict = {
        "lesson": "fix-flaky-test",
        "digest": DIGEST,
        "handle": HANDLE,
        "session": SESSION,
        "mode": TallyMode.FACILITATED,
        "started": "2026-12-06T14:00:00+00:00",
        "finished": "2026-12-06T14:40:00+00:00",
        "participants": 9,
        "asks": (
            TallyAsk("first-run", AskType.OUTCOME, (TallyRound(1, 9, {"works": 6, "fails": 3}), TallyRound(2, 9, {"works": 2, "fails": 7}))),
            TallyAsk("goal", AskType.GOAL, (TallyRound(1, 8, {}),)),
        ),
    }
    fields.update(changes)
    return TallyFile(**fields)


def refusal(data: object, source: str = "tallies/x.json") -> str:
    text = data if isinstance(data, str | bytes) else json.dumps(data)
    with pytest.raises(TeamFormatError) as caught:
        parse_tally(text, source=source)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert isinstance(caught.value, UserError)
    return message


# -- the format


def test_the_documented_example_parses_and_is_written_back_the_same() -> None:
    tally = parse_tally(doc_example(), source="docs")
    assert tally.mode is TallyMode.HOSTED and tally.lesson == "fix-flaky-test"
    assert valid()["format"] == TALLY_FORMAT
    outcome = tally.ask("first-run")
    assert outcome is not None and [held.round for held in outcome.rounds] == [1, 2]
    assert to_json(tally) == json.dumps(valid(), ensure_ascii=False, indent=2) + "\n"
    assert {ask.type for ask in tally.asks} == set(AskType), "the example shows every ask type"


def test_written_in_the_documented_key_order() -> None:
    assert list(json.loads(to_json(a_tally()))) == list(valid())


rounds = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=2)


@given(rounds, st.sampled_from(list(TallyMode)), st.none() | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_tallies_round_trip(counts: list[tuple[int, int]], mode: TallyMode, finished: datetime | None) -> None:
    held = tuple(TallyRound(number, works + fails, {"works": works, "fails": fails}) for number, (works, fails) in enumerate(counts, start=1))
    tally = a_tally(mode=mode, finished=None if finished is None else timestamp(finished.replace(tzinfo=UTC)), asks=(TallyAsk("s1", AskType.OUTCOME, held),))
    assert parse_tally(to_json(tally), source="x") == tally


def test_labels_are_the_documented_ones_and_read_back() -> None:
    assert (outcome_label(True), outcome_label(False)) == ("works", "fails")
    assert choice_label(0) == "option 0" and read_label(AskType.CHOICE, "option 12") is not None
    assert intervene_label(False) == LET_RUN and intervene_label(True) == STEP_IN
    assert intervene_label(True, Category.TEST) == "step in: test"
    assert read_label(AskType.INTERVENE, "step in: test").category is Category.TEST  # type: ignore[union-attr]
    assert ask_labels(AskType.OUTCOME) == ("works", "fails")
    assert ask_labels(AskType.CHOICE, options=3) == ("option 0", "option 1", "option 2")
    assert ask_labels(AskType.INTERVENE) == (LET_RUN, STEP_IN)
    assert ask_labels(AskType.INTERVENE, categories=[Category.SCOPE, Category.TEST]) == (LET_RUN, "step in: scope", "step in: test")
    assert ask_labels(AskType.GOAL) == ()
    for ask_type in AskType:
        for label in ask_labels(ask_type, options=4, categories=list(Category)):
            assert read_label(ask_type, label) is not None


@pytest.mark.parametrize(
    ("ask_type", "label"),
    [
        (AskType.OUTCOME, "option 0"),
        (AskType.CHOICE, "option 01"),
        (AskType.CHOICE, "option -1"),
        (AskType.CHOICE, "option 1000"),
        (AskType.CHOICE, "option ٣"),  # another script's digit
        (AskType.INTERVENE, "step in: nonsense"),
        (AskType.INTERVENE, "Step in"),
        (AskType.GOAL, "works"),
    ],
)
def test_labels_an_ask_cannot_have_are_refused(ask_type: AskType, label: str) -> None:
    assert read_label(ask_type, label) is None


def test_session_ids_are_safe_slugs_of_the_time() -> None:
    moment = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    one, two = new_session_id(moment), new_session_id(moment)
    assert one.startswith("20261206140000-") and one != two
    assert re.fullmatch(r"[0-9]{14}-[0-9a-f]{6}", one)


# -- hostile files


def test_an_unknown_format_is_refused() -> None:
    data = valid()
    data["format"] = "tutor.tally/2"
    assert "this Tutor reads tutor.tally/1" in refusal(data)
    assert "format" in refusal({**valid(), "format": None})


def test_unknown_extra_fields_are_ignored_and_a_windows_file_is_read() -> None:
    data = valid()
    data["room"] = "big one"
    data["asks"][0]["colour"] = "blue"
    data["asks"][0]["rounds"][0]["note"] = "hands"
    assert parse_tally(json.dumps(data), source="x") == parse_tally(doc_example(), source="x")
    assert parse_tally(b"\xef\xbb\xbf" + doc_example().replace("\n", "\r\n").encode("utf-8"), source="x") == parse_tally(doc_example(), source="x")


def test_finished_may_be_null_while_the_session_runs() -> None:
    data = valid()
    data["finished"] = None
    assert parse_tally(json.dumps(data), source="x").finished is None
    del data["finished"]
    assert parse_tally(json.dumps(data), source="x").finished is None


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("lesson",), "../etc", "lesson"),
        (("digest",), "ABC", "digest"),
        (("handle",), "M-X", "handle"),
        (("session",), ".hidden", "session"),
        (("mode",), "remote", "mode"),
        (("started",), "yesterday", "started"),
        (("started",), "2026-12-06T14:00:00", "started"),  # no offset: not a moment
        (("finished",), 5, "finished"),
        (("participants",), -1, "participants"),
        (("participants",), True, "participants"),
        (("participants",), 10**9, "participants"),
        (("asks",), {}, "asks"),
        (("asks", 0, "step"), "Step 1", "asks[0].step"),
        (("asks", 0, "type"), "essay", "asks[0].type"),
        (("asks", 0, "rounds"), [], "asks[0].rounds"),
        (("asks", 0, "rounds", 0, "round"), 2, "asks[0].rounds[0].round"),
        (("asks", 0, "rounds", 0, "round"), True, "asks[0].rounds[0].round"),
        (("asks", 1, "rounds", 1, "round"), 1, "asks[1].rounds[1].round"),
        (("asks", 0, "rounds", 0, "n"), 1.5, "asks[0].rounds[0].n"),
        (("asks", 0, "rounds", 0, "counts"), [], "asks[0].rounds[0].counts"),
        (("asks", 1, "rounds", 0, "counts", "works"), -2, "asks[1].rounds[0].counts.works"),
        (("asks", 1, "rounds", 0, "counts", "works"), "7", "asks[1].rounds[0].counts.works"),
        (("asks", 1, "rounds", 0, "counts", "maybe"), 0, "asks[1].rounds[0].counts"),
    ],
)
def test_a_wrong_field_is_one_line_naming_file_and_field(path: tuple, value: object, field: str) -> None:
    data = valid()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    message = refusal(data, source="tallies/a/b/c/d.json")
    assert message.startswith("tallies/a/b/c/d.json: ")
    assert f": {field}: " in message


def test_counts_must_add_up_to_n_and_a_goal_has_none() -> None:
    data = valid()
    data["asks"][1]["rounds"][0]["n"] += 1
    assert "add up to" in refusal(data)
    goal = next(ask for ask in valid()["asks"] if ask["type"] == "goal")
    data = valid()
    index = data["asks"].index(goal)
    data["asks"][index]["rounds"][0]["counts"] = {"works": 1}
    assert "must be empty for a goal ask" in refusal(data)


def test_three_rounds_or_a_step_tallied_twice_are_refused() -> None:
    data = valid()
    data["asks"][1]["rounds"].append({"round": 3, "n": 0, "counts": {}})
    assert "1 to 2 rounds" in refusal(data)
    data = valid()
    data["asks"].append(data["asks"][0])
    assert "tallied twice" in refusal(data)


@pytest.mark.parametrize("text", [b"", b"\xff\xfe", b"[1, 2]", b"{" * 100_000, b'{"format": NaN}', b"null"])
def test_unreadable_files_are_one_line(text: bytes) -> None:
    refusal(text)


def test_a_huge_file_is_refused_before_parsing() -> None:
    assert "larger than 1 MiB" in refusal(b" " * (MAX_TALLY_BYTES + 1))


def test_a_hostile_source_name_is_shown_cleanly() -> None:
    message = refusal(b"{}", source="tallies/\x1b]52;c;aGk=\x07evil.json")
    assert "\x1b" not in message and "\x07" not in message


# -- paths


def test_the_path_is_the_documented_layout(tmp_path: Path) -> None:
    path = tally_path(tmp_path, a_tally())
    assert path == tmp_path / "tallies" / "fix-flaky-test" / DIGEST[:12] / HANDLE / f"{SESSION}.json"
    assert TeamLayout(tmp_path).tally_path("fix-flaky-test", DIGEST, HANDLE, SESSION) == path


@pytest.mark.parametrize(("field", "bad"), [("lesson", "../x"), ("handle", "a/b"), ("session", ".."), ("digest", "0123")])
def test_the_path_refuses_unsafe_components(tmp_path: Path, field: str, bad: str) -> None:
    with pytest.raises(TeamFormatError):
        tally_path(tmp_path, a_tally(**{field: bad}))


def test_write_then_read_back(tmp_path: Path) -> None:
    tally = a_tally()
    path = write_tally(tmp_path, tally)
    assert read_tally(tmp_path, path) == tally
    assert load_tallies(tmp_path).tallies == [tally] and load_tallies(tmp_path).problems == []
    again = a_tally(finished=None, participants=10)  # saved after each reveal: the same file, replaced whole
    assert write_tally(tmp_path, again) == path and read_tally(tmp_path, path) == again
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "no temporary file left behind"


def test_a_first_runs_home_is_made(tmp_path: Path) -> None:
    home = tmp_path / "not" / "yet"
    assert read_tally(home, write_tally(home, a_tally())) == a_tally()


def test_a_tally_no_reader_would_take_is_never_written(tmp_path: Path) -> None:
    wrong = a_tally(asks=(TallyAsk("s1", AskType.OUTCOME, (TallyRound(1, 5, {"works": 1}),)),))
    with pytest.raises(TeamFormatError, match="add up to"):
        write_tally(tmp_path, wrong)
    assert not (tmp_path / "tallies").exists()


def test_writing_never_follows_a_link_a_teammate_committed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    team = tmp_path / "team"
    (team / "tallies").mkdir(parents=True)
    os.symlink(elsewhere, team / "tallies" / "fix-flaky-test")
    with pytest.raises(TeamFormatError, match="symbolic link"):
        write_tally(team, a_tally())
    assert list(elsewhere.iterdir()) == []


# -- reading a folder


def test_a_file_is_kept_only_when_its_content_agrees_with_its_path(tmp_path: Path) -> None:
    mine = write_tally(tmp_path, a_tally())
    other = mine.parent.parent / "m-other" / "20261206150000-ffffff.json"
    other.parent.mkdir()
    other.write_text(to_json(a_tally(session="20261206150000-ffffff")), encoding="utf-8")  # its handle says HANDLE
    renamed = mine.parent / "20261206160000-eeeeee.json"
    renamed.write_text(to_json(a_tally()), encoding="utf-8")  # its session differs from its name
    pool = load_tallies(tmp_path)
    assert pool.tallies == [a_tally()]
    assert len(pool.problems) == 2
    assert any("handle differ from its path" in problem for problem in pool.problems)
    assert any("session differ from its path" in problem for problem in pool.problems)


def test_links_and_odd_names_are_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(to_json(a_tally(session="20261206170000-dddddd")), encoding="utf-8")
    team = tmp_path / "team"
    team.mkdir()
    path = write_tally(team, a_tally())
    os.symlink(outside, path.parent / "20261206170000-dddddd.json")  # a file that is a link
    os.symlink(path.parent, path.parent.parent / "m-mirror")  # a folder that is a link: passed over
    odd = path.parent / "Not A Slug.json"
    odd.write_text(to_json(a_tally()), encoding="utf-8")
    broken = path.parent / "20261206180000-cccccc.json"
    broken.write_text("{not json", encoding="utf-8")
    pool = load_tallies(team)
    assert pool.tallies == [a_tally()]
    assert len(pool.problems) == 3, pool.problems
    assert any("symbolic link" in problem for problem in pool.problems)
    assert any("not a tally path" in problem for problem in pool.problems)
    assert any("not valid JSON" in problem for problem in pool.problems)
    assert all("\n" not in problem for problem in pool.problems)


def test_a_tallies_folder_that_is_a_link_is_not_walked(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    write_tally(real, a_tally())
    team = tmp_path / "team"
    team.mkdir()
    os.symlink(real / "tallies", team / "tallies")
    pool = load_tallies(team)
    assert pool.tallies == [] and "symbolic link" in pool.problems[0]


def test_versions_group_by_digest_oldest_session_first(tmp_path: Path) -> None:
    other_digest = "0" * 64
    late = a_tally(session="20261207090000-aaaaaa", started="2026-12-07T09:00:00+00:00")
    early = a_tally(session="20261207080000-bbbbbb", started="2026-12-07T10:00:00+02:00")  # 08:00 UTC
    newer = a_tally(session="20261207100000-cccccc", digest=other_digest)
    for tally in (late, early, newer):
        write_tally(tmp_path, tally)
    versions = load_tallies(tmp_path).versions()
    assert versions[("fix-flaky-test", DIGEST)] == [early, late]
    assert versions[("fix-flaky-test", other_digest)] == [newer]
    assert load_tallies(tmp_path, lesson="other").tallies == []
    assert len(load_tallies(tmp_path, handle=HANDLE).tallies) == 3
    assert load_tallies(tmp_path / "nowhere").tallies == []
