"""The progress store: attempts, answers, review cards, corrupt files, schema, sharing between processes.

Every store here lives under `tmp_path`; the autouse `tutor_home` fixture points
TUTOR_HOME at a temporary folder too, so nothing touches a real learner's progress.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from tutor.learn import AttemptState, Committed, GoalAnswer, InterveneAnswer, OutcomeAnswer
from tutor.lesson import Category, Confidence
from tutor.store import open_progress
from tutor.store import sharded_storage
from tutor.store.progress import AlreadyAnswered, AttemptRecord, Progress, StoreError

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "progress"


@pytest.fixture
def store(folder: Path) -> Progress:
    return Progress(folder)


def goal(step: str, text: str = "make the failing test pass without touching the test") -> dict:
    return Committed(step, GoalAnswer(text, Confidence.HIGH)).to_data()


def outcome(step: str, works: bool = False) -> dict:
    return Committed(step, OutcomeAnswer(works, Confidence.LOW)).to_data()


def intervene(step: str) -> dict:
    return Committed(step, InterveneAnswer(True, Category.TEST, "fix the code, not the test")).to_data()


def skip(step: str) -> dict:
    return Committed(step, None).to_data()


def card(lesson: str, step: str, due: str, **extra: object) -> dict:
    return {"key": f"{lesson}/{step}", "lesson": lesson, "step": step, "due": due, "ease": 2.5,
            "interval": 1, "repetitions": 0, "lapses": 0, **extra}


def files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


# ---------------------------------------------------------------- attempts


def test_open_progress_creates_the_folder_and_meta(folder: Path) -> None:
    store = open_progress(folder)
    assert isinstance(store, Progress)
    assert (folder / "meta.json").is_file()
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    assert meta["1"]["schema_version"] == 1
    assert store.warnings == []
    assert store.attempts() == []
    assert store.last_opened() is None


def test_start_attempt_records_everything(store: Progress) -> None:
    record = store.start_attempt("tests-that-lie", "d" * 64, title="Tests that lie", total=7, curriculum="steering-101")
    assert isinstance(record, AttemptRecord)
    assert record.lesson_id == "tests-that-lie"
    assert record.digest == "d" * 64
    assert record.title == "Tests that lie"
    assert record.curriculum == "steering-101"
    assert (record.cursor, record.frontier, record.total, record.answers) == (0, 0, 7, 0)
    assert record.in_progress and not record.finished and record.score is None
    assert store.attempts() == [record]
    assert (store.folder / f"attempt-{record.id}.json").is_file()
    assert store.last_opened() == ("tests-that-lie", record.id)


def test_save_answer_and_load_state_round_trip_into_attempt_state(store: Progress) -> None:
    record = store.start_attempt("tests-that-lie", "abc", total=7)
    store.save_answer(record.id, goal("s1"), score=0.5)
    store.save_answer(record.id, outcome("s4"), score=1.0)
    store.save_answer(record.id, intervene("s6"), score=0.75)
    store.save_answer(record.id, skip("s9"), score=0.0)
    store.save_position(record.id, cursor=5, frontier=8, finished=False, score=None)

    data = store.load_state(record.id)
    assert data["lesson"] == "tests-that-lie" and data["digest"] == "abc"
    assert (data["cursor"], data["frontier"], data["finished"]) == (5, 8, False)
    assert [entry["step"] for entry in data["committed"]] == ["s1", "s4", "s6", "s9"]  # saved order

    state = AttemptState.from_data(data)
    assert state.lesson_id == "tests-that-lie"
    assert (state.cursor, state.frontier, state.finished) == (5, 8, False)
    assert list(state.committed) == ["s1", "s4", "s6", "s9"]
    assert state.committed["s1"].answer == GoalAnswer("make the failing test pass without touching the test", Confidence.HIGH)
    assert state.committed["s4"].answer == OutcomeAnswer(False, Confidence.LOW)
    assert state.committed["s6"].answer == InterveneAnswer(True, Category.TEST, "fix the code, not the test")
    assert state.committed["s9"].answer is None
    # What the engine would save is exactly what the store gives back.
    assert AttemptState.from_data(data).to_data() == data
    assert store.answer_scores(record.id) == {"s1": 0.5, "s4": 1.0, "s6": 0.75, "s9": 0.0}


def test_a_reopened_store_sees_everything(folder: Path) -> None:
    first = Progress(folder)
    record = first.start_attempt("tests-that-lie", "abc")
    first.save_answer(record.id, goal("s1"))
    first.save_position(record.id, cursor=2, frontier=2, finished=False)
    first.close()

    again = Progress(folder)
    assert again.warnings == []
    assert [entry["step"] for entry in again.load_state(record.id)["committed"]] == ["s1"]
    assert again.attempts()[0].cursor == 2
    assert again.last_opened() == ("tests-that-lie", record.id)


def test_a_second_answer_to_the_same_step_is_refused(store: Progress) -> None:
    record = store.start_attempt("tests-that-lie", "abc")
    store.save_answer(record.id, goal("s1", "first words"))
    with pytest.raises(AlreadyAnswered, match="s1"):
        store.save_answer(record.id, goal("s1", "second thoughts"))
    with pytest.raises(AlreadyAnswered):
        store.save_answer(record.id, skip("s1"))
    committed = store.load_state(record.id)["committed"]
    assert len(committed) == 1 and committed[0]["answer"]["text"] == "first words"
    # AlreadyAnswered is a StoreError, so a caller catching StoreError catches it too.
    assert issubclass(AlreadyAnswered, StoreError)


def test_the_same_step_may_be_answered_in_another_attempt(store: Progress) -> None:
    first = store.start_attempt("tests-that-lie", "abc")
    second = store.start_attempt("tests-that-lie", "abc")
    store.save_answer(first.id, goal("s1", "one"))
    store.save_answer(second.id, goal("s1", "two"))
    assert store.load_state(first.id)["committed"][0]["answer"]["text"] == "one"
    assert store.load_state(second.id)["committed"][0]["answer"]["text"] == "two"


def test_answers_to_an_unknown_attempt_are_refused(store: Progress) -> None:
    with pytest.raises(StoreError, match="no attempt"):
        store.save_answer("19990101000000-abcdef", goal("s1"))
    with pytest.raises(StoreError, match="no attempt"):
        store.load_state("nope")
    with pytest.raises(StoreError, match="no attempt"):
        store.save_position("nope", cursor=1, frontier=1, finished=False)


JUDGED = {"judge": "self", "points": [{"index": 0, "verdict": "covered"}, {"index": 1, "verdict": "partly"}]}


def test_a_judgement_is_saved_once_beside_its_answer(store: Progress) -> None:
    record = store.start_attempt("tests-that-lie", "abc")
    with pytest.raises(StoreError, match="no answer"):
        store.save_judgement(record.id, "s1", JUDGED)
    store.save_answer(record.id, goal("s1"), score=0.0)
    store.save_judgement(record.id, "s1", JUDGED, score=0.75)
    with pytest.raises(AlreadyAnswered, match="already judged"):
        store.save_judgement(record.id, "s1", {"judge": "self", "points": []}, score=1.0)

    data = store.load_state(record.id)
    assert data["committed"][0]["judgement"] == JUDGED
    judgement = AttemptState.from_data(data).committed["s1"].judgement
    assert judgement is not None and judgement.judge.value == "self" and [p.verdict.value for p in judgement.points] == ["covered", "partly"]
    assert store.answer_scores(record.id) == {"s1": 0.75}


def test_a_rubric_ticked_by_an_older_tutor_is_not_taken_for_a_judgement(store: Progress) -> None:
    record = store.start_attempt("tests-that-lie", "abc")
    store.save_answer(record.id, {**goal("s1"), "self_check": [0, 1]})
    assert AttemptState.from_data(store.load_state(record.id)).committed["s1"].judgement is None


def test_save_position_updates_the_attempt_and_last_opened(store: Progress) -> None:
    one = store.start_attempt("lesson-one", "a")
    two = store.start_attempt("lesson-two", "b")
    assert store.last_opened() == ("lesson-two", two.id)
    before = store.attempts("lesson-one")[0].updated
    time.sleep(0.002)
    store.save_position(one.id, cursor=3, frontier=4, finished=True, score=0.9)
    after = store.attempts("lesson-one")[0]
    assert (after.cursor, after.frontier, after.finished, after.score) == (3, 4, True, 0.9)
    assert not after.in_progress
    assert after.updated > before
    assert store.last_opened() == ("lesson-one", one.id)
    assert store.attempts("lesson-two")[0].cursor == 0  # the other attempt is untouched


def test_attempts_filter_by_lesson_and_come_oldest_first(store: Progress) -> None:
    made = []
    for lesson in ["b-lesson", "a-lesson", "b-lesson", "c-lesson", "b-lesson"]:
        made.append(store.start_attempt(lesson, "x"))
        time.sleep(0.001)  # `started` has microseconds; keep them distinct
    store.save_answer(made[2].id, goal("s1"))
    store.save_answer(made[2].id, outcome("s2"))

    everything = store.attempts()
    assert [record.id for record in everything] == [record.id for record in made]
    assert [record.lesson_id for record in everything] == ["b-lesson", "a-lesson", "b-lesson", "c-lesson", "b-lesson"]
    only_b = store.attempts("b-lesson")
    assert [record.id for record in only_b] == [made[0].id, made[2].id, made[4].id]
    assert [record.answers for record in only_b] == [0, 2, 0]
    assert store.attempts("no-such-lesson") == []

    assert store.latest_attempt("b-lesson").id == made[4].id
    assert store.latest_attempt("a-lesson").id == made[1].id
    assert store.latest_attempt("no-such-lesson") is None
    assert store.last_opened() == ("b-lesson", made[4].id)


def test_stored_documents_do_not_share_objects_with_callers(store: Progress) -> None:
    record = store.start_attempt("tests-that-lie", "abc")
    committed = goal("s1", "original")
    store.save_answer(record.id, committed)
    committed["answer"]["text"] = "changed by the caller afterwards"
    loaded = store.load_state(record.id)
    assert loaded["committed"][0]["answer"]["text"] == "original"
    loaded["committed"][0]["answer"]["text"] = "changed in what load_state returned"
    store.save_position(record.id, cursor=1, frontier=1, finished=False)  # rewrites the attempt file
    assert Progress(store.folder).load_state(record.id)["committed"][0]["answer"]["text"] == "original"


def test_text_is_stored_as_utf8(store: Progress) -> None:
    record = store.start_attempt("tests-that-lie", "abc", title="Tests qui mentent — 測試")
    store.save_answer(record.id, goal("s1", "vérifier d'abord: 先跑测试 🧪"))
    raw = (store.folder / f"attempt-{record.id}.json").read_bytes()
    assert "先跑测试 🧪".encode() in raw
    assert Progress(store.folder).load_state(record.id)["committed"][0]["answer"]["text"] == "vérifier d'abord: 先跑测试 🧪"


# ---------------------------------------------------------------- review cards


def test_save_card_inserts_then_replaces_by_key(store: Progress) -> None:
    store.save_card(card("tests-that-lie", "s6", "2026-01-02", note="old field"))
    store.save_card(card("tests-that-lie", "s4", "2026-01-03"))
    assert sorted(c["key"] for c in store.cards()) == ["tests-that-lie/s4", "tests-that-lie/s6"]

    store.save_card(card("tests-that-lie", "s6", "2026-01-09") | {"interval": 6, "repetitions": 2})
    cards = {c["key"]: c for c in store.cards()}
    assert len(cards) == 2
    assert cards["tests-that-lie/s6"]["due"] == "2026-01-09"
    assert cards["tests-that-lie/s6"]["interval"] == 6
    assert "note" not in cards["tests-that-lie/s6"]  # replaced, not merged
    assert cards["tests-that-lie/s4"]["due"] == "2026-01-03"
    assert {c["key"]: c for c in Progress(store.folder).cards()} == cards


def test_due_cards_by_date(store: Progress) -> None:
    store.save_card(card("l", "late", "2026-03-01"))
    store.save_card(card("l", "b-today", "2026-02-01"))
    store.save_card(card("l", "a-today", "2026-02-01"))
    store.save_card(card("l", "old", "2025-12-31"))
    assert [c["key"] for c in store.due_cards(date(2026, 2, 1))] == ["l/old", "l/a-today", "l/b-today"]
    assert [c["key"] for c in store.due_cards(date(2025, 1, 1))] == []
    assert len(store.due_cards(date(2026, 3, 1))) == 4


def test_remove_card(store: Progress) -> None:
    store.save_card(card("l", "s1", "2026-01-01"))
    store.save_card(card("l", "s2", "2026-01-01"))
    store.remove_card("l/s1")
    store.remove_card("l/not-there")  # removing nothing is fine
    assert [c["key"] for c in store.cards()] == ["l/s2"]
    store.save_card(card("l", "s1", "2026-01-05"))  # and it can come back
    assert sorted(c["key"] for c in Progress(store.folder).cards()) == ["l/s1", "l/s2"]


def test_cards_returned_are_copies(store: Progress) -> None:
    mine = card("l", "s1", "2026-01-01", history=[1, 2])
    store.save_card(mine)
    mine["history"].append(3)
    got = store.cards()[0]
    assert got["history"] == [1, 2]
    got["history"].append(99)
    assert store.cards()[0]["history"] == [1, 2]


# ---------------------------------------------------------------- corrupt files

GARBAGE = {
    "garbage": b"}{ this is not json at all",
    "non-utf8": b'{"1": {"kind": "meta", "title": "caf\xe9 \xff\xfe"}}',
    "json-array": b'[{"kind": "meta"}]',
    "empty": b"",
    "truncated": b'{"1": {"kind": "meta", "id": "x", "les',
    "not-documents": b'{"1": 5, "2": "text"}',
}


def _seed(folder: Path) -> tuple[str, str]:
    """A store with two attempts (answers in each), cards and a last-opened lesson."""
    store = Progress(folder)
    one = store.start_attempt("lesson-one", "a", total=3)
    store.save_answer(one.id, goal("s1"))
    store.save_answer(one.id, outcome("s2"))
    two = store.start_attempt("lesson-two", "b", total=3)
    store.save_answer(two.id, intervene("s3"))
    store.save_card(card("lesson-one", "s2", "2026-01-01"))
    store.save_card(card("lesson-two", "s3", "2026-01-02"))
    store.close()
    return one.id, two.id


def _assert_one_warning_about(store: Progress, name: str) -> None:
    assert len(store.warnings) == 1, store.warnings
    warning = store.warnings[0]
    assert "\n" not in warning and "\r" not in warning
    assert name in warning
    assert "moved aside" in warning
    aside = [path for path in store.folder.iterdir() if path.name.startswith(name + ".corrupt-")]
    assert len(aside) == 1, files(store.folder)
    assert aside[0].name in warning
    assert not (store.folder / name).exists() or name == "meta.json"  # meta.json is recreated at once


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_a_corrupt_meta_file_is_moved_aside(folder: Path, kind: str) -> None:
    one, two = _seed(folder)
    (folder / "meta.json").write_bytes(GARBAGE[kind])
    store = Progress(folder)
    _assert_one_warning_about(store, "meta.json")
    aside = next(folder.glob("meta.json.corrupt-*"))
    assert aside.read_bytes() == GARBAGE[kind]  # kept as it was, for a human to look at
    # A fresh meta is written; the attempts and cards are all there.
    assert json.loads((folder / "meta.json").read_text("utf-8"))["1"]["schema_version"] == 1
    assert [record.id for record in store.attempts()] == [one, two]
    assert [entry["step"] for entry in store.load_state(one)["committed"]] == ["s1", "s2"]
    assert len(store.cards()) == 2
    assert store.last_opened() is None  # lived in meta, which was lost
    # The store keeps working, and opening it again raises no new warning.
    store.save_answer(one, skip("s3"))
    assert Progress(folder).warnings == []


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_a_corrupt_attempt_file_is_moved_aside(folder: Path, kind: str) -> None:
    one, two = _seed(folder)
    (folder / f"attempt-{one}.json").write_bytes(GARBAGE[kind])
    store = Progress(folder)
    _assert_one_warning_about(store, f"attempt-{one}.json")
    assert [record.id for record in store.attempts()] == [two]
    assert [entry["step"] for entry in store.load_state(two)["committed"]] == ["s3"]
    assert len(store.cards()) == 2
    assert store.last_opened() == ("lesson-two", two)
    # A new attempt at the lost lesson works.
    again = store.start_attempt("lesson-one", "a")
    store.save_answer(again.id, goal("s1"))
    assert [record.id for record in Progress(folder).attempts("lesson-one")] == [again.id]


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_a_corrupt_reviews_file_is_moved_aside(folder: Path, kind: str) -> None:
    one, two = _seed(folder)
    (folder / "reviews.json").write_bytes(GARBAGE[kind])
    store = Progress(folder)
    _assert_one_warning_about(store, "reviews.json")
    assert store.cards() == []
    assert [record.id for record in store.attempts()] == [one, two]
    assert len(store.load_state(one)["committed"]) == 2
    store.save_card(card("lesson-one", "s1", "2026-02-02"))
    assert [c["key"] for c in Progress(folder).cards()] == ["lesson-one/s1"]


def test_the_warning_says_what_was_wrong(folder: Path) -> None:
    _seed(folder)
    (folder / "reviews.json").write_bytes(GARBAGE["non-utf8"])
    assert "not UTF-8" in Progress(folder).warnings[0]
    (folder / "reviews.json").write_bytes(GARBAGE["json-array"])
    assert "not a table of documents" in Progress(folder).warnings[0]
    (folder / "reviews.json").write_bytes(GARBAGE["empty"])
    assert "empty" in Progress(folder).warnings[0]
    (folder / "reviews.json").write_bytes(GARBAGE["garbage"])
    assert "not valid JSON" in Progress(folder).warnings[0]


def test_every_corrupt_file_gets_its_own_warning(folder: Path) -> None:
    one, two = _seed(folder)
    for name in ["meta.json", f"attempt-{one}.json", "reviews.json"]:
        (folder / name).write_bytes(b"\x00\x01garbage")
    store = Progress(folder)
    assert len(store.warnings) == 3
    assert all("\n" not in warning for warning in store.warnings)
    assert [record.id for record in store.attempts()] == [two]


def test_stray_files_are_ignored(folder: Path) -> None:
    one, _ = _seed(folder)
    (folder / "notes.txt").write_text("not a table")
    (folder / ".meta.json.abc123.tmp").write_bytes(b"half a write")  # a crash mid-write leaves these
    store = Progress(folder)
    assert store.warnings == []
    assert len(store.load_state(one)["committed"]) == 2


def test_old_temp_files_are_cleaned_up(folder: Path) -> None:
    _seed(folder)
    stale = folder / ".reviews.json.dead01.tmp"
    fresh = folder / ".reviews.json.live02.tmp"
    stale.write_bytes(b"{")
    fresh.write_bytes(b"{")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    Progress(folder)
    assert not stale.exists()
    assert fresh.exists()  # may belong to a write in progress in another process


# ---------------------------------------------------------------- schema


def test_a_newer_schema_is_refused_with_a_clear_message(folder: Path) -> None:
    _seed(folder)
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    meta["1"]["schema_version"] = 99
    (folder / "meta.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(StoreError) as caught:
        Progress(folder)
    message = str(caught.value)
    assert "newer Tutor" in message and "99" in message and "upgrade" in message
    assert "\n" not in message
    # Nothing was changed or moved aside: the newer Tutor's data is left alone.
    assert json.loads((folder / "meta.json").read_text("utf-8"))["1"]["schema_version"] == 99
    assert not list(folder.glob("*.corrupt-*"))


def test_an_unusable_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the progress folder"):
        Progress(blocker / "progress")


# ---------------------------------------------------------------- two Tutors at once


def test_two_stores_on_one_folder_see_each_others_writes(folder: Path) -> None:
    a = Progress(folder)
    b = Progress(folder)
    made_in_a = a.start_attempt("lesson-one", "x")
    assert [record.id for record in b.attempts()] == [made_in_a.id]
    b.save_answer(made_in_a.id, goal("s1"))
    a.save_answer(made_in_a.id, outcome("s2"))
    with pytest.raises(AlreadyAnswered):
        b.save_answer(made_in_a.id, outcome("s2"))  # b sees a's answer before deciding
    made_in_b = b.start_attempt("lesson-two", "y")
    a.save_answer(made_in_b.id, intervene("s3"))
    b.save_position(made_in_a.id, cursor=2, frontier=3, finished=False)
    a.save_judgement(made_in_a.id, "s1", JUDGED)

    for store in (a, b, Progress(folder)):
        assert [entry["step"] for entry in store.load_state(made_in_a.id)["committed"]] == ["s1", "s2"]
        assert store.load_state(made_in_a.id)["committed"][0]["judgement"] == JUDGED
        assert store.load_state(made_in_a.id)["frontier"] == 3
        assert [entry["step"] for entry in store.load_state(made_in_b.id)["committed"]] == ["s3"]
        assert store.last_opened() == ("lesson-one", made_in_a.id)


def test_interleaved_card_writes_from_two_stores_are_all_kept(folder: Path) -> None:
    a = Progress(folder)
    b = Progress(folder)
    for index in range(15):
        a.save_card(card("from-a", f"s{index}", "2026-01-01"))
        b.save_card(card("from-b", f"s{index}", "2026-01-01"))
        if index % 5 == 4:
            a.remove_card(f"from-b/s{index}")
    a.save_card(card("from-b", "s0", "2026-09-09"))  # a replaces one of b's cards
    expected = {f"from-a/s{i}" for i in range(15)} | {f"from-b/s{i}" for i in range(15) if i % 5 != 4}
    for store in (a, b, Progress(folder)):
        cards = {c["key"]: c for c in store.cards()}
        assert set(cards) == expected
        assert cards["from-b/s0"]["due"] == "2026-09-09"


def test_no_write_is_lost_when_timestamps_are_coarse(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many kernels and filesystems keep mtimes to a few milliseconds: two writes in one tick
    must still be seen. Simulate the worst case: the folder's mtime never changes, and every
    table file keeps the same inode, size and (current, coarse) mtime."""
    real_scandir = os.scandir

    class Entry:
        def __init__(self, entry: os.DirEntry) -> None:
            self.name, self.path, self._entry = entry.name, entry.path, entry

        def stat(self) -> SimpleNamespace:
            coarse = time.time_ns() // 10_000_000 * 10_000_000
            return SimpleNamespace(st_ino=1, st_size=100, st_mtime_ns=coarse, st_mtime=coarse / 1e9)

    class Scan:
        def __init__(self, path: object) -> None:
            self._it = real_scandir(path)

        def __enter__(self) -> Scan:
            return self

        def __exit__(self, *exc: object) -> None:
            self._it.close()

        def __iter__(self):  # noqa: ANN204
            return (Entry(entry) for entry in self._it)

    monkeypatch.setattr(sharded_storage.os, "scandir", Scan)
    monkeypatch.setattr(sharded_storage.ShardedJSONStorage, "_stamp_folder", lambda self: 42)

    a = Progress(folder)
    b = Progress(folder)
    record = a.start_attempt("lesson", "x")
    for index in range(10):
        a.save_card(card("a", f"s{index}", "2026-01-01"))
        b.save_card(card("b", f"s{index}", "2026-01-01"))
        (a if index % 2 else b).save_answer(record.id, goal(f"s{index}"))
    for store in (a, b):
        assert len(store.cards()) == 20
        assert len(store.load_state(record.id)["committed"]) == 10


WORKER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from tutor.learn import Committed, OutcomeAnswer
    from tutor.store.progress import Progress

    folder, name = sys.argv[1], sys.argv[2]
    store = Progress(folder)
    record = store.start_attempt("lesson-" + name, "digest")
    for index in range(50):
        store.save_answer(record.id, Committed(f"s{index}", OutcomeAnswer(index % 2 == 0)).to_data(), score=1.0)
        if index % 5 == 4:
            store.save_card({"key": f"{name}/c{index}", "due": "2026-01-01"})
            store.save_card({"key": f"shared/c{index}-{name}", "due": "2026-01-02"})
    store.save_position(record.id, cursor=50, frontier=50, finished=True, score=1.0)
    print(record.id)
    """
)


@pytest.mark.slow
def test_four_processes_writing_at_once_lose_nothing(folder: Path, tmp_path: Path) -> None:
    Progress(folder).close()  # create it first, so the workers race only on their writes
    script = tmp_path / "worker.py"
    script.write_text(WORKER, "utf-8")
    names = ["p0", "p1", "p2", "p3"]
    workers = [
        subprocess.Popen([sys.executable, str(script), str(folder), name, str(REPO_ROOT)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in names
    ]
    ids = {}
    for name, worker in zip(names, workers):
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        ids[name] = out.strip()

    store = Progress(folder)
    assert store.warnings == []
    assert sorted(record.id for record in store.attempts()) == sorted(ids.values())
    for attempt_id in ids.values():
        state = store.load_state(attempt_id)
        assert [entry["step"] for entry in state["committed"]] == [f"s{i}" for i in range(50)]
        assert state["finished"] is True
    keys = {c["key"] for c in store.cards()}
    assert len(keys) == 4 * 20
    assert keys == {f"{n}/c{i}" for n in names for i in range(4, 50, 5)} | {
        f"shared/c{i}-{n}" for n in names for i in range(4, 50, 5)
    }


def test_a_draft_is_kept_replaced_and_spent_by_its_answer(store: Progress, tmp_path: Path) -> None:
    record = store.start_attempt("lesson-a", "d1")
    store.save_draft(record.id, "s1", {"text": "first words"})
    store.save_draft(record.id, "s1", {"text": "first words, then more"})
    store.save_draft(record.id, "s4", {"works": False})
    again = Progress(store.folder)  # another process, reading from disk
    assert again.load_state(record.id)["drafts"] == {"s1": {"text": "first words, then more"}, "s4": {"works": False}}
    state = AttemptState.from_data(again.load_state(record.id))
    assert state.drafts["s1"].text == "first words, then more" and state.drafts["s4"].works is False

    store.save_answer(record.id, goal("s1", "the goal as sent"))
    store.save_draft(record.id, "s1", {"text": "a late draft of an answered question"})
    store.save_draft(record.id, "s4", None)
    assert "drafts" not in Progress(store.folder).load_state(record.id)
